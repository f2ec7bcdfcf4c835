"""The scheduler over a whole year of the preset, DST weeks, holidays and weekend deadlines.

The clock is injected: each test steps a FixedClock forward, ticking the scheduler at
every moment something is due (and at least once a day), the way a worker polling
every few seconds would see it. Every expected date is worked out by hand from a
2027 calendar: Stockholm is UTC+1 until 28 March and from 31 October, UTC+2 in between,
so 09:00 local is 08:00 or 07:00 UTC and 17:00 local is 16:00 or 15:00 UTC.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from support.scheduler import GROUP, WS, run_until, start, utc

from bot.clock import FixedClock
from bot.schedule.config import AnnualSchedule, load_preset, load_schedule_text
from bot.schedule.scheduler import Scheduler
from bot.services.container import Services

STOCKHOLM = ZoneInfo("Europe/Stockholm")


def one_round_schedule(
    rrule: str, deadline: str, reminders: str = "[7d, 2d, 0d]"
) -> AnnualSchedule:
    return load_schedule_text(
        f"""
reminders: {reminders}
rounds:
  - key: r
    template: avstamning
    name: "Avstämning"
    answering_level: forvaltning
    receiving_level: namnd
    rrule: "{rrule}"
    deadline: {deadline}
""",
        "test.yaml",
    )


# --- The preset over 2027 with the sample organisation ------------------------------------

# Rounds with somebody to ask in the sample organisation (two nämnder with one förvaltning
# each; two förvaltningar with two avdelningar each; four avdelningar with 3+2+2+1 enheter).
# The kommunstyrelse rounds ask the nämnder, which have no managers: nothing starts.
EXPECTED_STARTS = [
    # start (UTC), title, answering units
    (utc(2027, 2, 1, 8), "Resultatdialog nämnd ↔ förvaltning — Socialnämnden", ["socialforvaltningen"]),
    (utc(2027, 2, 1, 8), "Resultatdialog nämnd ↔ förvaltning — Barn- och utbildningsnämnden", ["utbildningsforvaltningen"]),
    (utc(2027, 3, 1, 8), "Planeringsdialog nämnd ↔ förvaltning — Socialnämnden", ["socialforvaltningen"]),
    (utc(2027, 3, 1, 8), "Planeringsdialog nämnd ↔ förvaltning — Barn- och utbildningsnämnden", ["utbildningsforvaltningen"]),
    (utc(2027, 5, 3, 7), "Avstämningsdialog nämnd ↔ förvaltning (tertial 1) — Socialnämnden", ["socialforvaltningen"]),
    (utc(2027, 5, 3, 7), "Avstämningsdialog nämnd ↔ förvaltning (tertial 1) — Barn- och utbildningsnämnden", ["utbildningsforvaltningen"]),
    (utc(2027, 9, 6, 7), "Avstämningsdialog nämnd ↔ förvaltning (tertial 2) — Socialnämnden", ["socialforvaltningen"]),
    (utc(2027, 9, 6, 7), "Avstämningsdialog nämnd ↔ förvaltning (tertial 2) — Barn- och utbildningsnämnden", ["utbildningsforvaltningen"]),
    (utc(2027, 10, 18, 7), "Planeringsdialog förvaltning ↔ avdelning — Socialförvaltningen", ["aldreomsorg", "ifo"]),
    (utc(2027, 10, 18, 7), "Planeringsdialog förvaltning ↔ avdelning — Utbildningsförvaltningen", ["grundskola", "forskola"]),
    (utc(2027, 11, 8, 8), "Planeringsdialog avdelning ↔ enhet — Äldreomsorg", ["hemtjanst-norr", "hemtjanst-syd", "solgarden"]),
    (utc(2027, 11, 8, 8), "Planeringsdialog avdelning ↔ enhet — Individ- och familjeomsorg", ["forsorjningsstod", "barn-och-unga"]),
    (utc(2027, 11, 8, 8), "Planeringsdialog avdelning ↔ enhet — Grundskola", ["bjorkskolan", "ekskolan"]),
    (utc(2027, 11, 8, 8), "Planeringsdialog avdelning ↔ enhet — Förskola", ["larkan"]),
]  # fmt: skip

# Deadline (UTC) per round prefix; reminders 7 and 2 days before (moved back to Friday when
# on a weekend) and on the deadline morning at 09:00 local.
DEADLINES = {
    "Resultatdialog nämnd": (utc(2027, 2, 15, 16), [utc(2027, 2, 8, 8), utc(2027, 2, 12, 8), utc(2027, 2, 15, 8)]),
    "Planeringsdialog nämnd": (utc(2027, 4, 12, 15), [utc(2027, 4, 5, 7), utc(2027, 4, 9, 7), utc(2027, 4, 12, 7)]),
    "Avstämningsdialog nämnd ↔ förvaltning (tertial 1)": (utc(2027, 5, 17, 15), [utc(2027, 5, 10, 7), utc(2027, 5, 14, 7), utc(2027, 5, 17, 7)]),
    "Avstämningsdialog nämnd ↔ förvaltning (tertial 2)": (utc(2027, 9, 20, 15), [utc(2027, 9, 13, 7), utc(2027, 9, 17, 7), utc(2027, 9, 20, 7)]),
    "Planeringsdialog förvaltning": (utc(2027, 11, 8, 16), [utc(2027, 11, 1, 8), utc(2027, 11, 5, 8), utc(2027, 11, 8, 8)]),
    "Planeringsdialog avdelning": (utc(2027, 11, 29, 16), [utc(2027, 11, 22, 8), utc(2027, 11, 26, 8), utc(2027, 11, 29, 8)]),
}  # fmt: skip


def _deadline_of(title: str) -> tuple[datetime, list[datetime]]:
    return next(value for prefix, value in DEADLINES.items() if title.startswith(prefix))


def test_a_year_of_the_preset(services: Services, clock: FixedClock) -> None:
    scheduler, notifier = start(services, clock, load_preset(), utc(2026, 12, 31, 23))
    # Sofia Holm (Socialförvaltningen) answers and finishes the first avstämning at once.
    run_until(scheduler, clock, utc(2027, 5, 4, 12))
    sofia = next(
        p
        for started in notifier.started
        if "tertial 1" in started.round.title
        for p, _ in started.participants
        if p.chat_id == "U0SOCDIR"
    )
    services.answering.reply(WS, sofia.participation_id, "Enligt plan.", "test-reply")
    services.answering.finish(WS, sofia.participation_id, "test-finish")
    run_until(scheduler, clock, utc(2028, 1, 1, 0))

    # Rounds: exactly the expected ones, each started once, at 09:00 local.
    started = [
        (s.round.created_at, s.round.title, sorted(p.unit_key for p, _ in s.participants))
        for s in notifier.started
    ]
    assert sorted(started) == sorted(
        (at, title, sorted(units)) for at, title, units in EXPECTED_STARTS
    )
    assert all(s.round.group_ref == GROUP for s in notifier.started)
    assert all(s.round.deadline_at == _deadline_of(s.round.title)[0] for s in notifier.started)
    rounds = services.queries.rounds(WS)
    assert len(rounds) == 14 and all(r.status == "closed" for r in rounds)

    # Reminders: to each participant who had not finished, at the hand-computed moments.
    expected = Counter[tuple[str, str, datetime]]()
    for s in notifier.started:
        for p, _ in s.participants:
            if not ("tertial 1" in s.round.title and p.chat_id == "U0SOCDIR"):
                expected.update(
                    (s.round.title, p.chat_id, at) for at in _deadline_of(s.round.title)[1]
                )
    sent = Counter(
        (info.title, p.chat_id, at)
        for (info, p, _), at in zip(notifier.reminders, notifier.reminded_at, strict=True)
    )
    assert sent == expected
    assert sum(sent.values()) == 60 - 3  # one reminder per participant and moment, less Sofia's
    assert all(prompt is not None and prompt.number == 1 for _, _, prompt in notifier.reminders)

    # Digests: one per reminder moment and round with somebody missing, to Petra Lind.
    assert len(notifier.digests) == 14 * 3 - 3
    assert all(recipients == ["U0PROC01"] for _, recipients in notifier.digests)
    assert all(status.unfinished for status, _ in notifier.digests)

    # Summaries: every round closed at its deadline, naming who did not answer.
    assert len(notifier.summaries) == 14
    for summary in notifier.summaries:
        assert summary.round.closed_at == _deadline_of(summary.round.title)[0]
        names = sorted(m.person_name for m in summary.missing)
        everyone = sorted(
            p.name
            for u in services.queries.status(WS, summary.round.round_id).units
            for p in u.participants
        )
        if summary.round.title.endswith("(tertial 1) — Socialnämnden"):
            assert names == []
        else:
            assert names == everyone

    # Nothing goes out on a weekend or at night: everything at 09:00 local on a weekday.
    moments = [s.round.created_at for s in notifier.started] + notifier.reminded_at
    for moment in moments + notifier.digested_at:
        local = moment.astimezone(STOCKHOLM)
        assert local.weekday() < 5 and (local.hour, local.minute) == (9, 0), local


# --- DST weeks, holidays and weekend deadlines --------------------------------------------


def tick_hourly(scheduler: Scheduler, clock: FixedClock, end: datetime) -> None:
    """Tick every hour, on the hour (UTC), like a worker polling through the night."""
    while clock.now() <= end:
        scheduler.tick()
        clock.advance(timedelta(hours=1))


def test_spring_dst_week_over_easter(services: Services, clock: FixedClock) -> None:
    # Thursday 25 March 2027 (CET). The clocks go forward on Sunday 28 March, which is Easter
    # Day: långfredagen (26th) and annandag påsk (29th) are holidays. 3 days later is the
    # Sunday, so answers are due on Tuesday 30 March at 17:00 CEST.
    schedule = one_round_schedule("FREQ=YEARLY;BYMONTH=3;BYMONTHDAY=25", "3d", "[2d, 0d]")
    scheduler, notifier = start(services, clock, schedule, utc(2027, 3, 24, 0))
    tick_hourly(scheduler, clock, utc(2027, 3, 31, 0))

    assert [s.round.created_at for s in notifier.started] == [utc(2027, 3, 25, 8)] * 2  # 09:00 CET
    assert {s.round.deadline_at for s in notifier.started} == {utc(2027, 3, 30, 15)}  # 17:00 CEST
    # "2 days before" (Sunday) moves back past Easter to the start itself and is dropped;
    # the deadline-morning reminder goes out at 09:00 CEST = 07:00 UTC.
    assert notifier.reminded_at == [utc(2027, 3, 30, 7)] * 2
    assert [s.round.closed_at for s in notifier.summaries] == [utc(2027, 3, 30, 15)] * 2


def test_autumn_dst_week(services: Services, clock: FixedClock) -> None:
    # Friday 29 October 2027 (CEST); the clocks go back on Sunday 31 October; deadline Monday.
    schedule = one_round_schedule("FREQ=YEARLY;BYMONTH=10;BYMONTHDAY=29", "3d", "[0d]")
    scheduler, notifier = start(services, clock, schedule, utc(2027, 10, 28, 0))
    tick_hourly(scheduler, clock, utc(2027, 11, 2, 0))

    assert [s.round.created_at for s in notifier.started] == [
        utc(2027, 10, 29, 7)
    ] * 2  # 09:00 CEST
    assert notifier.reminded_at == [utc(2027, 11, 1, 8)] * 2  # 09:00 CET
    assert [s.round.closed_at for s in notifier.summaries] == [
        utc(2027, 11, 1, 16)
    ] * 2  # 17:00 CET


def test_a_start_on_a_public_holiday_moves_to_the_next_business_day(
    services: Services, clock: FixedClock
) -> None:
    # Trettondedag jul, Wednesday 6 January 2027, is a holiday: the round starts Thursday.
    schedule = one_round_schedule("FREQ=YEARLY;BYMONTH=1;BYMONTHDAY=6", "14d", "[]")
    scheduler, notifier = start(services, clock, schedule, utc(2027, 1, 5, 0))
    tick_hourly(scheduler, clock, utc(2027, 1, 8, 0))

    assert [s.round.created_at for s in notifier.started] == [utc(2027, 1, 7, 8)] * 2
    assert {s.round.deadline_at for s in notifier.started} == {utc(2027, 1, 21, 16)}
    assert {j.job_key for j in scheduler.jobs.jobs(WS)} == {"r@2027-01-06"}


def test_a_deadline_on_a_weekend_moves_to_monday(services: Services, clock: FixedClock) -> None:
    # Starts Monday 3 May 2027; 5 days later is Saturday 8 May: answers are due Monday 10 May.
    schedule = one_round_schedule("FREQ=YEARLY;BYMONTH=5;BYMONTHDAY=3", "5d", "[2d, 0d]")
    scheduler, notifier = start(services, clock, schedule, utc(2027, 5, 2, 0))
    run_until(scheduler, clock, utc(2027, 5, 12, 0))

    assert {s.round.deadline_at for s in notifier.started} == {utc(2027, 5, 10, 15)}
    # "2 days before" falls on Saturday and moves back to Friday; none on the weekend.
    assert sorted(set(notifier.reminded_at)) == [utc(2027, 5, 7, 7), utc(2027, 5, 10, 7)]
    assert [s.round.closed_at for s in notifier.summaries] == [utc(2027, 5, 10, 15)] * 2
