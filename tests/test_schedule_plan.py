"""Planning of rounds and reminders (bot.schedule.plan), with hand-computed dates."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.schedule.config import AnnualSchedule, load_preset, load_schedule_text
from bot.schedule.plan import (
    PlannedReminder,
    PlannedRound,
    due_between,
    occurrence_dates,
    plan_reminders,
    plan_year,
)


def utc(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def one_round(rrule: str, deadline: str = "14d", reminders: str = "[7d, 2d, 0d]") -> AnnualSchedule:
    return load_schedule_text(
        f"""
reminders: {reminders}
rounds:
  - key: r
    template: avstamning
    name: "Testomgång"
    answering_level: forvaltning
    receiving_level: namnd
    rrule: "{rrule}"
    deadline: {deadline}
""",
        "test.yaml",
    )


@pytest.fixture(scope="module")
def preset() -> AnnualSchedule:
    return load_preset()


def only(rounds: list[PlannedRound]) -> PlannedRound:
    assert len(rounds) == 1, rounds
    return rounds[0]


# --- The preset, year 2027 -------------------------------------------------------------

# Worked out by hand from a 2027 calendar. Stockholm is UTC+1 until 28 March and from
# 31 October, UTC+2 in between: 09:00 local is 08:00 UTC in winter and 07:00 UTC in summer;
# the 17:00 deadline is 16:00 / 15:00 UTC.
EXPECTED_2027 = [
    # key, start (UTC), deadline (UTC)
    ("resultat-namnd", utc(2027, 2, 1, 8), utc(2027, 2, 15, 16)),  # 1st Monday of Feb
    ("resultat-ks", utc(2027, 2, 15, 8), utc(2027, 2, 25, 16)),  # 3rd Monday, 10 days
    ("planering-namnd", utc(2027, 3, 1, 8), utc(2027, 4, 12, 15)),  # 6 weeks, across DST
    ("avstamning-t1", utc(2027, 5, 3, 7), utc(2027, 5, 17, 15)),  # 1st Monday of May
    ("avstamning-ks-t1", utc(2027, 6, 7, 7), utc(2027, 6, 21, 15)),
    ("planering-ks", utc(2027, 8, 9, 7), utc(2027, 8, 30, 15)),  # 2nd Monday, 3 weeks
    ("avstamning-t2", utc(2027, 9, 6, 7), utc(2027, 9, 20, 15)),
    ("avstamning-ks-t2", utc(2027, 10, 4, 7), utc(2027, 10, 18, 15)),
    ("planering-avdelning", utc(2027, 10, 18, 7), utc(2027, 11, 8, 16)),  # across DST
    ("planering-enhet", utc(2027, 11, 8, 8), utc(2027, 11, 29, 16)),
]


def test_preset_2027_rounds(preset: AnnualSchedule) -> None:
    planned = plan_year(preset, 2027)
    assert [(p.key, p.starts_at, p.deadline_at) for p in planned] == EXPECTED_2027
    # No start moved in 2027 (all nominal dates are Mondays that are business days).
    assert [p.occurrence_key for p in planned] == [
        f"{key}@{start.date().isoformat()}" for key, start, _ in EXPECTED_2027
    ]


def test_preset_2027_round_details(preset: AnnualSchedule) -> None:
    by_key = {p.key: p for p in plan_year(preset, 2027)}
    may = by_key["avstamning-t1"]
    assert may.template == "avstamning"
    assert (may.answering_level, may.receiving_level) == ("forvaltning", "namnd")
    assert may.anonymous is False
    assert may.occurrence_key == "avstamning-t1@2027-05-03"
    assert may.starts_at.tzinfo is UTC and may.deadline_at.tzinfo is UTC
    ks = by_key["avstamning-ks-t1"]
    assert (ks.answering_level, ks.receiving_level) == ("namnd", "kommunstyrelse")
    assert (
        by_key["planering-enhet"].answering_level,
        by_key["planering-enhet"].receiving_level,
    ) == (
        "enhet",
        "avdelning",
    )


def test_preset_2027_reminders_for_may_round(preset: AnnualSchedule) -> None:
    may = next(p for p in plan_year(preset, 2027) if p.key == "avstamning-t1")
    reminders = plan_reminders(preset, may)
    assert reminders == [
        # 7 days before Monday 17 May: Monday 10 May, 09:00 CEST.
        PlannedReminder("avstamning-t1@2027-05-03", utc(2027, 5, 10, 7), 7, "reminder"),
        # 2 days before is Saturday 15 May -> back to Friday 14 May.
        PlannedReminder("avstamning-t1@2027-05-03", utc(2027, 5, 14, 7), 2, "reminder"),
        # The morning of the deadline day.
        PlannedReminder("avstamning-t1@2027-05-03", utc(2027, 5, 17, 7), 0, "deadline_morning"),
    ]
    assert reminders[0].reminder_key == "avstamning-t1@2027-05-03#reminder-7d"
    assert reminders[2].reminder_key == "avstamning-t1@2027-05-03#deadline_morning-0d"


def test_preset_reminders_across_autumn_dst(preset: AnnualSchedule) -> None:
    round_ = next(p for p in plan_year(preset, 2027) if p.key == "planering-avdelning")
    assert [r.due_at for r in plan_reminders(preset, round_)] == [
        utc(2027, 11, 1, 8),  # Monday after the change: 09:00 CET
        utc(2027, 11, 5, 8),  # 6 Nov (Saturday, Alla helgons dag) -> Friday 5 Nov
        utc(2027, 11, 8, 8),
    ]


def test_preset_2028_first_mondays(preset: AnnualSchedule) -> None:
    starts = {p.key: p.starts_at for p in plan_year(preset, 2028)}
    assert starts["resultat-namnd"] == utc(2028, 2, 7, 8)
    # 1 May 2028 is a Monday and a holiday: the 1st Monday of May moves to Tuesday 2 May.
    assert starts["avstamning-t1"] == utc(2028, 5, 2, 7)


def test_occurrence_keys_are_unique_across_years(preset: AnnualSchedule) -> None:
    keys = [p.occurrence_key for year in range(2026, 2032) for p in plan_year(preset, year)]
    assert len(keys) == len(set(keys)) == 60


# --- DST -----------------------------------------------------------------------------


def test_round_in_spring_dst_week() -> None:
    schedule = one_round(
        "FREQ=YEARLY;BYMONTH=3;BYMONTHDAY=25", deadline="7d", reminders="[7d, 5d, 2d, 0d]"
    )
    round_ = only(plan_year(schedule, 2027))
    # Thursday 25 March, before the change (CET): 09:00 = 08:00 UTC.
    assert round_.starts_at == utc(2027, 3, 25, 8)
    # Thursday 1 April, after the change (CEST): 17:00 = 15:00 UTC.
    assert round_.deadline_at == utc(2027, 4, 1, 15)
    assert [(r.due_at, r.days_before, r.kind) for r in plan_reminders(schedule, round_)] == [
        # 7d = 25 March = the start itself: dropped. 5d = Saturday 27 March -> Good Friday
        # -> Thursday 25 March = the start: dropped.
        (utc(2027, 3, 30, 7), 2, "reminder"),  # Tuesday after Easter, CEST
        (utc(2027, 4, 1, 7), 0, "deadline_morning"),
    ]


def test_round_in_autumn_dst_week() -> None:
    schedule = one_round(
        "FREQ=YEARLY;BYMONTH=10;BYMONTHDAY=29", deadline="3d", reminders="[2d, 0d]"
    )
    round_ = only(plan_year(schedule, 2027))
    assert round_.starts_at == utc(2027, 10, 29, 7)  # Friday, still CEST
    assert round_.deadline_at == utc(2027, 11, 1, 16)  # Monday, CET
    # 2d = Saturday 30 Oct -> Friday 29 Oct = the start: dropped.
    assert [(r.due_at, r.kind) for r in plan_reminders(schedule, round_)] == [
        (utc(2027, 11, 1, 8), "deadline_morning")
    ]


# --- Holidays and weekends ------------------------------------------------------------


@pytest.mark.parametrize(
    ("rrule", "year", "expected_start", "nominal"),
    [
        # Kristi himmelsfärdsdag, Thursday 6 May 2027 -> Friday 7 May.
        ("FREQ=YEARLY;BYMONTH=5;BYMONTHDAY=6", 2027, utc(2027, 5, 7, 7), "2027-05-06"),
        # Nationaldagen, Tuesday 6 June 2028 -> Wednesday 7 June.
        ("FREQ=YEARLY;BYMONTH=6;BYMONTHDAY=6", 2028, utc(2028, 6, 7, 7), "2028-06-06"),
        # Nationaldagen, Sunday 6 June 2027 -> Monday 7 June.
        ("FREQ=YEARLY;BYMONTH=6;BYMONTHDAY=6", 2027, utc(2027, 6, 7, 7), "2027-06-06"),
        # Första maj, Monday 1 May 2028 -> Tuesday 2 May.
        ("FREQ=YEARLY;BYMONTH=5;BYMONTHDAY=1", 2028, utc(2028, 5, 2, 7), "2028-05-01"),
        # Midsommarafton, Friday 25 June 2027 -> Monday 28 June.
        ("FREQ=YEARLY;BYMONTH=6;BYMONTHDAY=25", 2027, utc(2027, 6, 28, 7), "2027-06-25"),
        # Julafton, Friday 24 December 2027 -> juldagen, annandag (weekend) -> Monday 27.
        ("FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=24", 2027, utc(2027, 12, 27, 8), "2027-12-24"),
        # Långfredagen, 26 March 2027 -> Easter -> Tuesday 30 March, now CEST.
        ("FREQ=YEARLY;BYMONTH=3;BYMONTHDAY=26", 2027, utc(2027, 3, 30, 7), "2027-03-26"),
    ],
)
def test_start_on_holiday_moves_to_next_business_day(
    rrule: str, year: int, expected_start: datetime, nominal: str
) -> None:
    round_ = only(plan_year(one_round(rrule), year))
    assert round_.starts_at == expected_start
    # The occurrence key keeps the nominal (rrule) date.
    assert round_.occurrence_key == f"r@{nominal}"


def test_nyarsafton_start_moves_into_next_year_but_belongs_to_its_own() -> None:
    schedule = one_round("FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=31")
    round_ = only(plan_year(schedule, 2027))
    assert round_.starts_at == utc(2028, 1, 3, 8)
    assert round_.occurrence_key == "r@2027-12-31"
    assert [p.occurrence_key for p in plan_year(schedule, 2028)] == ["r@2028-12-31"]


def test_deadline_on_saturday_moves_to_monday() -> None:
    schedule = one_round("FREQ=YEARLY;BYMONTH=5;BYDAY=1MO", deadline="5d")
    round_ = only(plan_year(schedule, 2027))
    assert round_.starts_at == utc(2027, 5, 3, 7)
    # 3 May + 5 days = Saturday 8 May -> Monday 10 May, 17:00 CEST.
    assert round_.deadline_at == utc(2027, 5, 10, 15)


def test_deadline_counts_from_moved_start() -> None:
    # Nominal Saturday 1 May 2027 -> starts Monday 3 May; +7 days = Monday 10 May.
    round_ = only(plan_year(one_round("FREQ=YEARLY;BYMONTH=5;BYMONTHDAY=1", deadline="1w"), 2027))
    assert round_.starts_at == utc(2027, 5, 3, 7)
    assert round_.deadline_at == utc(2027, 5, 10, 15)


def test_deadline_on_midsommarafton_moves_past_the_weekend() -> None:
    # Monday 21 June 2027 + 4 days = Friday 25 June (midsommarafton) -> Monday 28 June.
    round_ = only(plan_year(one_round("FREQ=YEARLY;BYMONTH=6;BYMONTHDAY=21", deadline="4d"), 2027))
    assert round_.deadline_at == utc(2027, 6, 28, 15)


def test_reminder_on_sunday_moves_to_friday() -> None:
    schedule = one_round("FREQ=YEARLY;BYMONTH=5;BYDAY=1MO", deadline="5d", reminders="[1d]")
    round_ = only(plan_year(schedule, 2027))
    # Deadline Monday 10 May; 1 day before is Sunday 9 May -> Friday 7 May.
    assert plan_reminders(schedule, round_) == [
        PlannedReminder("r@2027-05-03", utc(2027, 5, 7, 7), 1, "reminder")
    ]


def test_reminders_collapsing_onto_one_moment_are_sent_once() -> None:
    schedule = one_round("FREQ=YEARLY;BYMONTH=5;BYDAY=1MO", deadline="5d", reminders="[2d, 3d]")
    round_ = only(plan_year(schedule, 2027))
    # 3d = Friday 7 May; 2d = Saturday 8 May -> Friday 7 May as well; the larger offset wins.
    assert [(r.due_at, r.days_before) for r in plan_reminders(schedule, round_)] == [
        (utc(2027, 5, 7, 7), 3)
    ]


def test_reminders_before_start_are_dropped() -> None:
    schedule = one_round("FREQ=YEARLY;BYMONTH=5;BYDAY=1MO", deadline="3d", reminders="[7d, 2d]")
    round_ = only(plan_year(schedule, 2027))
    # Start Monday 3 May, deadline Thursday 6 May is Kristi himmelsfärd -> Friday 7 May.
    assert round_.deadline_at == utc(2027, 5, 7, 15)
    assert [r.due_at for r in plan_reminders(schedule, round_)] == [utc(2027, 5, 5, 7)]


def test_occurrences_collapsing_onto_one_start_are_kept_once() -> None:
    # Saturday 1 and Sunday 2 May 2027 both move to Monday 3 May.
    schedule = one_round("FREQ=YEARLY;BYMONTH=5;BYMONTHDAY=1,2,3")
    assert [p.occurrence_key for p in plan_year(schedule, 2027)] == ["r@2027-05-01"]


def test_weekly_rule_within_a_month() -> None:
    schedule = one_round("FREQ=WEEKLY;BYDAY=TU;BYMONTH=9", deadline="2d")
    assert [p.starts_at.date().isoformat() for p in plan_year(schedule, 2027)] == [
        "2027-09-07",
        "2027-09-14",
        "2027-09-21",
        "2027-09-28",
    ]


def test_until_stops_the_rule() -> None:
    round_config = one_round("FREQ=YEARLY;BYMONTH=5;BYDAY=1MO;UNTIL=20271231").rounds[0]
    assert [d.isoformat() for d in occurrence_dates(round_config, 2027)] == ["2027-05-03"]
    assert occurrence_dates(round_config, 2028) == []


# --- due_between -----------------------------------------------------------------------


def test_due_between_may_2027(preset: AnnualSchedule) -> None:
    items = due_between(preset, utc(2027, 5, 1, 0), utc(2027, 6, 1, 0))
    assert [(type(i).__name__, i.due_at) for i in items] == [
        ("PlannedRound", utc(2027, 5, 3, 7)),
        ("PlannedReminder", utc(2027, 5, 10, 7)),
        ("PlannedReminder", utc(2027, 5, 14, 7)),
        ("PlannedReminder", utc(2027, 5, 17, 7)),
    ]


def test_due_between_is_half_open(preset: AnnualSchedule) -> None:
    start = utc(2027, 5, 3, 7)
    assert [i.due_at for i in due_between(preset, start, start + timedelta(minutes=1))] == [start]
    assert due_between(preset, start - timedelta(minutes=1), start) == []
    assert due_between(preset, start, start) == []


def test_due_between_puts_starts_before_reminders_on_a_tie(preset: AnnualSchedule) -> None:
    # 15 Feb 2027 09:00: resultat-ks starts and resultat-namnd has its deadline morning.
    items = due_between(preset, utc(2027, 2, 15, 8), utc(2027, 2, 15, 9))
    assert len(items) == 2
    first, second = items
    assert isinstance(first, PlannedRound) and first.key == "resultat-ks"
    assert isinstance(second, PlannedReminder)
    assert second.round_occurrence_key == "resultat-namnd@2027-02-01"
    assert second.kind == "deadline_morning"


def test_due_between_sees_previous_years_round_in_january() -> None:
    schedule = one_round("FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=31", deadline="7d")
    items = due_between(schedule, utc(2028, 1, 1, 0), utc(2028, 1, 15, 0))
    assert [(type(i).__name__, i.due_at) for i in items] == [
        ("PlannedRound", utc(2028, 1, 3, 8)),  # r@2027-12-31
        ("PlannedReminder", utc(2028, 1, 7, 8)),  # 2d before Mon 10 Jan -> Sat -> Fri 7
        ("PlannedReminder", utc(2028, 1, 10, 8)),
    ]
    assert isinstance(items[0], PlannedRound)
    assert items[0].occurrence_key == "r@2027-12-31"


def test_due_between_requires_aware_bounds(preset: AnnualSchedule) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        due_between(preset, datetime(2027, 5, 1), utc(2027, 6, 1, 0))
