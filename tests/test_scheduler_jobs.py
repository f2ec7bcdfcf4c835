"""Exactly-once behaviour of the scheduler's job queue on one database (SQLite and
PostgreSQL): repeated ticks, several replicas, failures, expired leases, hand-started
rounds, re-imported schedules; and the ``schedule``/``worker`` commands."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fakes.notifier import RecordingNotifier
from sqlalchemy import Engine, func, select

from bot.cli import main
from bot.clock import FixedClock
from bot.domain.commands import StartRound, start_from_payload, start_payload
from bot.domain.results import Participant, QuestionPrompt, RoundInfo
from bot.schedule.config import load_preset, load_schedule_text
from bot.schedule.errors import ScheduleError
from bot.schedule.jobs import KIND_START_ROUND, LeaseLost, NewJob
from bot.schedule.scheduler import Scheduler
from bot.services.container import Services
from bot.services.jobs import JobStore
from bot.wiring import build_runtime
from storage.db import make_session_factory
from storage.models_schedule import ScheduledJob, SentEffect

WS = "local"

SCHEDULE = """
reminders: [7d, 2d, 0d]
rounds:
  - key: avst
    template: avstamning
    name: "Avstämning"
    answering_level: forvaltning
    receiving_level: namnd
    rrule: "FREQ=YEARLY;BYMONTH=5;BYDAY=1MO"
    deadline: 14d
"""


def utc(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


@pytest.fixture
def stored(services: Services, clock: FixedClock) -> None:
    """The one-round schedule stored on 1 May 2027; the round starts Monday 3 May 07:00 UTC."""
    clock.set(utc(2027, 5, 1, 0))
    services.schedule.save(WS, load_schedule_text(SCHEDULE, "s.yaml"), "s.yaml")


def counts(notifier: RecordingNotifier) -> tuple[int, int, int, int]:
    return (
        len(notifier.started),
        len(notifier.reminders),
        len(notifier.digests),
        len(notifier.summaries),
    )


@pytest.mark.usefixtures("stored")
def test_repeated_ticks_and_two_replicas_act_once(services: Services, clock: FixedClock) -> None:
    notifier = RecordingNotifier()
    replicas = [Scheduler(services, notifier, clock=clock, worker_id=f"w{i}") for i in (1, 2)]
    moment = utc(2027, 5, 1, 0)
    while moment <= utc(2027, 5, 18, 0):
        clock.set(moment)
        for _ in range(2):
            for replica in replicas:
                replica.tick()
        moment += timedelta(hours=3)

    # 2 rounds (one per nämnd), 1 manager each; 3 reminders each; 3 digests each; 2 summaries.
    assert counts(notifier) == (2, 6, 6, 2)
    done = replicas[0].jobs.jobs(WS)
    assert sorted(j.job_key for j in done) == sorted(
        [
            "avst@2027-05-03",
            "avst@2027-05-03#reminder-7d",
            "avst@2027-05-03#reminder-2d",
            "avst@2027-05-03#deadline_morning-0d",
            *(f"close:{r.round_id}" for r in services.queries.rounds(WS)),
        ]
    )
    assert {(j.status, j.attempts) for j in done} == {("done", 1)}


@pytest.mark.usefixtures("stored")
def test_reimporting_the_schedule_starts_nothing_twice(
    services: Services, clock: FixedClock
) -> None:
    notifier = RecordingNotifier()
    scheduler = Scheduler(services, notifier, clock=clock)
    clock.set(utc(2027, 5, 3, 7))
    scheduler.tick()
    assert counts(notifier) == (2, 0, 0, 0)
    clock.set(utc(2027, 5, 3, 9))
    report = services.schedule.save(WS, load_schedule_text(SCHEDULE, "s.yaml"), "again.yaml")
    assert report.replaced
    for hour in range(0, 24 * 8, 6):
        clock.set(utc(2027, 5, 3, 9) + timedelta(hours=hour))
        scheduler.tick()
    assert counts(notifier) == (2, 2, 2, 0)  # the 7-day reminders on 10 May, nothing restarted
    assert services.schedule.load(WS) is not None


class FlakyNotifier(RecordingNotifier):
    """Fails on the n-th reminder once, as a chat platform that is briefly away would."""

    def __init__(self, fail_on: int) -> None:
        super().__init__()
        self.calls = 0
        self.fail_on = fail_on

    def remind(
        self, info: RoundInfo, participant: Participant, prompt: QuestionPrompt | None
    ) -> None:
        self.calls += 1
        if self.calls == self.fail_on:
            raise ConnectionError("chat platform unavailable")
        super().remind(info, participant, prompt)


@pytest.mark.usefixtures("stored")
def test_a_failed_job_is_retried_without_repeating_what_was_sent(
    services: Services, clock: FixedClock, caplog: pytest.LogCaptureFixture
) -> None:
    notifier = FlakyNotifier(fail_on=2)
    scheduler = Scheduler(services, notifier, clock=clock)
    clock.set(utc(2027, 5, 3, 7))
    scheduler.tick()
    clock.set(utc(2027, 5, 10, 7))
    report = scheduler.tick()
    assert report.failed == 1
    assert len(notifier.reminders) == 1
    assert "chat platform unavailable" in caplog.text  # logged with its traceback
    job = next(j for j in scheduler.jobs.jobs(WS) if j.job_key.endswith("reminder-7d"))
    assert (job.status, job.attempts, job.due_at) == ("pending", 1, utc(2027, 5, 10, 7, 1))
    assert "ConnectionError" in (job.last_error or "")

    clock.set(utc(2027, 5, 10, 7, 1))
    scheduler.tick()
    reminded = sorted(p.chat_id for _, p, _ in notifier.reminders)
    assert reminded == ["U0SOCDIR", "U0UTBDIR"]  # each once, the first not again
    job = next(j for j in scheduler.jobs.jobs(WS) if j.job_key.endswith("reminder-7d"))
    assert (job.status, job.attempts) == ("done", 2)


def test_a_job_that_keeps_failing_is_given_up(db: Engine, clock: FixedClock) -> None:
    store = JobStore(make_session_factory(db), clock, "w1", max_attempts=2)
    store.enqueue([NewJob(WS, KIND_START_ROUND, "k", clock.now())])
    for expected in ("pending", "failed"):
        job = store.claim()
        assert job is not None
        assert store.fail(job, "boom") == expected
        clock.advance(timedelta(hours=2))
    assert store.claim() is None
    assert [j.status for j in store.jobs()] == ["failed"]


def test_an_expired_lease_passes_the_job_to_another_worker(db: Engine, clock: FixedClock) -> None:
    factory = make_session_factory(db)
    dead = JobStore(factory, clock, "dead", lease=timedelta(seconds=30))
    alive = JobStore(factory, clock, "alive", lease=timedelta(seconds=30))
    dead.enqueue([NewJob(WS, KIND_START_ROUND, "k", clock.now())])

    held = dead.claim()
    assert held is not None and held.attempts == 1
    assert alive.claim() is None  # leased: nobody else may take it
    clock.advance(timedelta(seconds=31))  # the "dead" worker never renewed
    taken = alive.claim()
    assert taken is not None and (taken.id, taken.attempts) == (held.id, 2)

    # The first worker wakes up: it can neither send nor finish the job any more.
    with pytest.raises(LeaseLost):
        dead.begin_effect(held, "e")
    assert dead.complete(held) is False
    assert alive.begin_effect(taken, "e") is True
    alive.record_effect(taken, "e")
    assert alive.begin_effect(taken, "e") is False
    assert alive.complete(taken, "ok") is True
    assert [(j.status, j.locked_by) for j in alive.jobs()] == [("done", "alive")]


def test_a_crash_between_start_and_announcement_announces_on_the_rerun(
    services: Services, clock: FixedClock
) -> None:
    clock.set(utc(2027, 5, 1, 0))
    services.schedule.save(WS, load_schedule_text(SCHEDULE, "s.yaml"), "s.yaml")

    class CrashingNotifier(RecordingNotifier):
        def round_started(self, started: object) -> None:
            raise KeyboardInterrupt  # the process dies: nothing is recorded as done

    clock.set(utc(2027, 5, 3, 7))
    with pytest.raises(KeyboardInterrupt):
        Scheduler(services, CrashingNotifier(), clock=clock, worker_id="a").tick()
    assert len(services.queries.rounds(WS)) == 1  # the first round was created before the crash

    clock.advance(timedelta(minutes=6))  # past the 5-minute lease
    notifier = RecordingNotifier()
    Scheduler(services, notifier, clock=clock, worker_id="b").tick()
    assert len(services.queries.rounds(WS)) == 2
    assert sorted(s.already_existed for s in notifier.started) == [False, True]
    assert len({s.round.round_id for s in notifier.started}) == 2


def test_rounds_started_by_hand_close_at_their_deadline(
    services: Services, clock: FixedClock
) -> None:
    notifier = RecordingNotifier()
    scheduler = Scheduler(services, notifier, clock=clock)
    kept = services.rounds.start_round(
        WS,
        StartRound(
            template="avstamning",
            units=["aldreomsorg"],
            level="enhet",
            group_ref="C0OMSORG",
            deadline_at=utc(2027, 5, 7, 15),
        ),
    )
    early = services.rounds.start_round(
        WS,
        StartRound(
            template="avstamning",
            units=["ifo"],
            level="enhet",
            group_ref="C0IFO",
            deadline_at=utc(2027, 5, 7, 15),
        ),
    )
    clock.set(utc(2027, 5, 7, 12))
    scheduler.tick()
    services.rounds.close_round(
        WS, early.round.round_id, "U0PROC01"
    )  # closed by hand before the deadline
    clock.set(utc(2027, 5, 7, 14, 59))
    scheduler.tick()
    assert notifier.summaries == []
    clock.set(utc(2027, 5, 7, 15))
    scheduler.tick()
    scheduler.tick()

    assert [s.round.round_id for s in notifier.summaries] == [kept.round.round_id]
    summary = notifier.summaries[0]
    assert summary.round.status == "closed" and summary.round.group_ref == "C0OMSORG"
    assert sorted(m.person_name for m in summary.missing) == [
        "Anna Andersson",
        "Björn Svensson",
        "Cecilia Öberg",
    ]


def test_effects_are_recorded_per_message(services: Services, clock: FixedClock) -> None:
    clock.set(utc(2027, 5, 1, 0))
    services.schedule.save(WS, load_preset(), "preset", default_group_ref="C0DIALOG")
    scheduler = Scheduler(services, RecordingNotifier(), clock=clock)
    clock.set(utc(2027, 5, 3, 7))
    scheduler.tick()
    with services.kernel.session_factory() as session:
        keys = sorted(session.scalars(select(SentEffect.effect_key)).all())
        jobs = session.scalar(select(func.count()).select_from(ScheduledJob))
    assert keys == [
        "start:avstamning-t1@2027-05-03:bun",
        "start:avstamning-t1@2027-05-03:socialnamnden",
    ]
    assert jobs == 1


def test_an_unknown_template_is_refused_at_import(services: Services) -> None:
    bad = load_schedule_text(SCHEDULE.replace("template: avstamning", "template: avstamnig"), "b")
    with pytest.raises(ScheduleError) as caught:
        services.schedule.save(WS, bad, "b.yaml")
    assert caught.value.fields == ("rounds[0].template",)
    assert "avstamnig" in str(caught.value) and "avstamning" in str(caught.value)
    assert services.schedule.load(WS) is None


# --- Command line ------------------------------------------------------------------------


@pytest.fixture
def cli_db(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    assert main(["--db", url, "db", "upgrade"]) == 0
    org = Path(__file__).resolve().parents[1] / "bot" / "data" / "sample_org.yaml"
    assert main(["--db", url, "org", "import", str(org)]) == 0
    return url


def test_schedule_show_prints_table_and_calendar(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schedule", "show", "--preset", "--year", "2027"]) == 0
    out = capsys.readouterr().out
    assert "2027-05-03 09:00  mån  2027-05-17 17:00 mån   avstamning" in out
    assert " 3* 4  5  6  7  8  9" in out  # 3 May marked in the calendar
    assert main(["--lang", "en", "schedule", "show", "--preset", "--year", "2027"]) == 0
    assert "Deadline" in capsys.readouterr().out


def test_schedule_import_reports_errors_and_stores(
    cli_db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(SCHEDULE.replace("BYMONTH=5", "BYMONTH=13"), encoding="utf-8")
    assert main(["--db", cli_db, "schedule", "import", str(bad)]) == 1
    err = capsys.readouterr().err
    assert f"{bad}: rounds[0].rrule" in err
    assert "BYMONTH-värdet 13 ligger utanför det tillåtna intervallet (1..12)" in err
    assert main(["--db", cli_db, "--lang", "en", "schedule", "import", str(bad)]) == 1
    err = capsys.readouterr().err
    assert f"{bad}: rounds[0].rrule" in err
    assert "BYMONTH value 13 is out of range (expected 1..12)" in err

    good = tmp_path / "good.yaml"
    good.write_text(SCHEDULE, encoding="utf-8")
    assert main(["--db", cli_db, "schedule", "import", str(good), "--group", "C0X"]) == 0
    assert "Sparade ett årsschema för arbetsytan local" in capsys.readouterr().out
    assert main(["--db", cli_db, "schedule", "show", "--year", "2027"]) == 0
    out = capsys.readouterr().out
    assert "(sparat för local)" in out and "Avstämning" in out and "Resultatdialog" not in out
    assert main(["--db", cli_db, "--lang", "en", "schedule", "show", "--year", "2027"]) == 0
    assert "(stored for local)" in capsys.readouterr().out

    assert main(["--db", cli_db, "schedule", "import", "--preset"]) == 0
    assert "Ersatte årsschemat" in capsys.readouterr().out
    assert main(["--db", cli_db, "--lang", "en", "schedule", "import", "--preset"]) == 0
    assert "Replaced the schedule" in capsys.readouterr().out
    assert main(["--db", cli_db, "schedule", "import"]) == 2


def test_worker_once_runs_due_jobs(cli_db: str, capsys: pytest.CaptureFixture[str]) -> None:
    # The command line refuses a deadline in the past, so the overdue round is started
    # through the engine, as a round whose deadline passed while nobody ran the worker.
    build_runtime(cli_db).services.rounds.start_round(
        "local",
        StartRound(
            "avstamning",
            ["ifo"],
            "C0IFO",
            level="enhet",
            deadline_at=datetime(2020, 1, 1, 16, 0, tzinfo=UTC),
        ),
    )
    capsys.readouterr()
    assert main(["--db", cli_db, "worker", "--once"]) == 0
    out = capsys.readouterr().out
    assert "Sammanfattning till C0IFO:" in out
    assert "2 jobb planerade, 2 körda, 0 misslyckade" in out  # the close and the daily purge
    assert main(["--db", cli_db, "schedule", "jobs"]) == 0
    jobs = capsys.readouterr().out
    assert "close_round" in jobs
    assert all(header in jobs for header in ("Slag", "Nyckel", "Försök", "Utfall / fel"))
    assert main(["--db", cli_db, "--lang", "en", "schedule", "jobs"]) == 0
    jobs = capsys.readouterr().out
    assert all(header in jobs for header in ("Kind", "Key", "Attempts", "Outcome / error"))
    assert main(["--db", cli_db, "--lang", "en", "worker", "--once"]) == 0
    assert "0 jobs planned, 0 run" in capsys.readouterr().out


def test_schedule_import_warns_and_refuses_in_the_language_of_the_run(
    cli_db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    odd = tmp_path / "odd.yaml"
    odd.write_text(SCHEDULE.replace("answering_level: forvaltning", "answering_level: byra"))
    assert main(["--db", cli_db, "schedule", "import", str(odd)]) == 0
    captured = capsys.readouterr()
    assert "Varning: rounds[0].answering_level: nivån 'byra' finns inte i organisationen" in (
        captured.err
    )
    assert "rundan startar ingenting" in captured.err
    assert main(["--db", cli_db, "--lang", "en", "schedule", "import", str(odd)]) == 0
    captured = capsys.readouterr()
    assert "Warning: rounds[0].answering_level: level 'byra' is not in the organisation" in (
        captured.err
    )

    assert main(["--db", cli_db, "--workspace", "T0NEW", "schedule", "import", "--preset"]) == 0
    assert "Varning: arbetsytan 'T0NEW' har ingen organisation än" in capsys.readouterr().err

    unknown = tmp_path / "unknown.yaml"
    unknown.write_text(SCHEDULE.replace("template: avstamning", "template: okand"))
    assert main(["--db", cli_db, "schedule", "import", str(unknown)]) == 1
    assert f"{unknown}: rounds[0].template: okänd mall 'okand' (tillåtna: " in (
        capsys.readouterr().err
    )
    assert main(["--db", cli_db, "--lang", "en", "schedule", "import", str(unknown)]) == 1
    assert "rounds[0].template: unknown template 'okand' (expected one of: " in (
        capsys.readouterr().err
    )

    assert main(["--db", cli_db, "schedule", "import"]) == 2
    assert "Ange antingen en schemafil (FILE) eller --preset." in capsys.readouterr().err


def test_a_job_is_claimed_by_key_only_while_nobody_holds_it(
    services: Services, clock: FixedClock
) -> None:
    """``claim_key`` (a round start claimed right after the ack): a pending job, due or not,
    or a running one whose lease ran out; never a job held, done, or of another key."""
    clock.set(utc(2027, 5, 3, 7))
    first = JobStore(services.kernel.session_factory, clock, "w1", lease=timedelta(minutes=2))
    second = JobStore(services.kernel.session_factory, clock, "w2", lease=timedelta(minutes=2))
    later = clock.now() + timedelta(minutes=1)
    first.enqueue([NewJob(WS, "start_round_now", "start-now:k", later, {})])
    assert first.claim() is None  # not due for the queue
    assert first.claim_key(WS, "start-now:other") is None
    held = first.claim_key(WS, "start-now:k")
    assert held is not None and held.attempts == 1
    assert second.claim_key(WS, "start-now:k") is None  # held under a lease
    clock.set(clock.now() + timedelta(minutes=3))
    taken = second.claim_key(WS, "start-now:k")
    assert taken is not None and taken.attempts == 2  # the lease ran out
    assert not first.complete(held)  # fenced: no longer the first worker's
    assert second.complete(taken)
    assert first.claim_key(WS, "start-now:k") is None and second.claim() is None  # done


def test_a_start_command_survives_its_job_payload() -> None:
    cmd = StartRound(
        template="avstamning",
        units=["Äldreomsorg", "hemtjanst-norr"],
        group_ref="C0LEDNING",
        level="enhet",
        deadline_at=utc(2027, 5, 15, 15),
        anonymous=True,
        lang="en",
        started_by="U0PROC01",
        title="Vår",
        external_key="slack:view:V1",
    )
    assert start_from_payload(json.loads(json.dumps(start_payload(cmd)))) == cmd
