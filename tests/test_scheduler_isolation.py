"""One workspace's unplannable schedule stops nothing else: planning runs per workspace
with a time budget, and the failure is reported once to that workspace's process
supports through the Notifier port."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from fakes.notifier import RecordingNotifier
from sqlalchemy import update
from support.sample import load_sample_org
from support.scheduler import BAD, SCHEDULE, store_broken

from bot.clock import FixedClock
from bot.schedule.config import load_schedule_text
from bot.schedule.scheduler import Scheduler
from bot.services.container import Services
from storage.models import Unit

GOOD = "local"


def _tick_until(scheduler: Scheduler, clock: FixedClock, end: datetime) -> None:
    """Tick every 6 hours up to ``end`` in a thread with a deadline: a hang fails."""

    def ticks() -> None:
        moment = clock.now()
        while moment <= end:
            clock.set(moment)
            scheduler.tick()
            moment += timedelta(hours=6)

    worker = threading.Thread(target=ticks, daemon=True)
    worker.start()
    worker.join(30)
    assert not worker.is_alive(), "planning hung"


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("sv", "INTERVAL-värdet 0 ligger utanför det tillåtna intervallet (1..366)"),
        ("en", "INTERVAL value 0 is out of range (expected 1..366)"),
    ],
)
def test_a_never_ending_schedule_in_one_workspace_stops_no_other(
    services: Services, clock: FixedClock, lang: str, expected: str
) -> None:
    load_sample_org(services, BAD)
    clock.set(datetime(2027, 5, 1, tzinfo=UTC))
    store_broken(services, "FREQ=YEARLY;INTERVAL=0;BYMONTH=5", lang=lang)
    services.schedule.save(GOOD, load_schedule_text(SCHEDULE, "good.yaml"), "good.yaml")
    notifier = RecordingNotifier()

    _tick_until(Scheduler(services, notifier, clock=clock), clock, datetime(2027, 5, 4, tzinfo=UTC))

    assert {s.round.workspace_id for s in notifier.started} == {GOOD}
    assert len(notifier.started) == 2
    assert len(notifier.schedule_failures) == 1  # once, although every tick fails again
    workspace, recipients, reason = notifier.schedule_failures[0]
    assert (workspace, recipients) == (BAD, ["U0PROC01"])
    assert "rounds[0].rrule" in reason and expected in reason


def test_planning_over_its_time_budget_is_reported_not_waited_for(
    services: Services, clock: FixedClock
) -> None:
    clock.set(datetime(2027, 5, 1, tzinfo=UTC))
    services.schedule.save(GOOD, load_schedule_text(SCHEDULE, "good.yaml"), "good.yaml")
    notifier = RecordingNotifier()
    scheduler = Scheduler(services, notifier, clock=clock, plan_budget_s=0.0)

    _tick_until(scheduler, clock, datetime(2027, 5, 4, tzinfo=UTC))

    assert notifier.started == []
    assert [(w, r) for w, r, _ in notifier.schedule_failures] == [(GOOD, ["U0PROC01"])]
    assert "time budget" in notifier.schedule_failures[0][2]


def test_a_cycle_in_the_organisation_fails_the_start_job_instead_of_hanging_the_tick(
    services: Services, clock: FixedClock
) -> None:
    clock.set(datetime(2027, 5, 1, tzinfo=UTC))
    services.schedule.save(GOOD, load_schedule_text(SCHEDULE, "good.yaml"), "good.yaml")
    with services.kernel.unit_of_work(GOOD) as uow:
        child = uow.repo.unit("socialforvaltningen")
        assert child is not None
        uow.session.execute(
            update(Unit)
            .where(Unit.workspace_id == GOOD, Unit.key == "socialnamnden")
            .values(parent_id=child.id)
        )
        uow.commit()
    scheduler = Scheduler(services, RecordingNotifier(), clock=clock)

    _tick_until(scheduler, clock, datetime(2027, 5, 3, 12, tzinfo=UTC))

    [start] = [j for j in scheduler.jobs.jobs(GOOD) if j.kind == "start_round"]
    assert start.status in ("pending", "failed") and start.attempts >= 1
    assert "cycle: Socialnämnden → Socialförvaltningen → Socialnämnden" in (start.last_error or "")


def test_titles_the_bot_composes_are_shortened_not_refused(
    services: Services, clock: FixedClock
) -> None:
    long_name = "Avstämning " + "x" * 189
    clock.set(datetime(2027, 5, 1, tzinfo=UTC))
    schedule = SCHEDULE.replace('name: "Avstämning"', f'name: "{long_name}"')
    services.schedule.save(GOOD, load_schedule_text(schedule, "long.yaml"), "long.yaml")
    with services.kernel.unit_of_work(GOOD) as uow:
        uow.session.execute(
            update(Unit)
            .where(Unit.workspace_id == GOOD, Unit.key == "socialnamnden")
            .values(name="Socialnämnden " + "y" * 186)
        )
        uow.commit()
    notifier = RecordingNotifier()

    _tick_until(
        Scheduler(services, notifier, clock=clock), clock, datetime(2027, 5, 3, 12, tzinfo=UTC)
    )

    titles = sorted(s.round.title for s in notifier.started)
    assert len(titles) == 2
    assert len(titles[1]) == 300 and titles[1].startswith(long_name) and titles[1].endswith("…")
