"""Driving the scheduler in tests: a FixedClock stepped through the year, a schedule
stored for a workspace, and a schedule stored "broken" by an older version."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fakes.notifier import ClockedNotifier
from sqlalchemy import select

from bot.clock import FixedClock
from bot.schedule.config import AnnualSchedule, load_schedule_text
from bot.schedule.scheduler import Scheduler
from bot.services.container import Services
from storage.models_schedule import WorkspaceSchedule

WS = "local"
"""The workspace the scheduler tests plan for (the sample organisation's)."""

GROUP = "C0DIALOG"
"""The default group schedules post to."""

BAD = "T0BROKEN"
"""The workspace :func:`store_broken` stores its schedule for."""


SCHEDULE = """
rounds:
  - key: avst
    template: avstamning
    name: "Avstämning"
    answering_level: forvaltning
    receiving_level: namnd
    rrule: "FREQ=YEARLY;BYMONTH=5;BYDAY=1MO"
    deadline: 14d
"""
"""A schedule with one round (Avstämning, first Monday of May) that :func:`store_broken`
breaks."""


def utc(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    """An aware UTC datetime."""
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def run_until(scheduler: Scheduler, clock: FixedClock, end: datetime) -> None:
    """Tick at every due moment (and at least daily) until ``end``."""
    while clock.now() < end:
        scheduler.tick()
        step = clock.now() + timedelta(days=1)
        due = scheduler.next_due()
        if due is not None and due > clock.now():
            step = min(step, due)
        clock.set(min(step, end))
    scheduler.tick()


def start(
    services: Services, clock: FixedClock, schedule: AnnualSchedule, at: datetime
) -> tuple[Scheduler, ClockedNotifier]:
    """Store ``schedule`` for ``WS`` at ``at`` and a scheduler with a clocked notifier."""
    clock.set(at)
    services.schedule.save(WS, schedule, "test", default_group_ref=GROUP)
    notifier = ClockedNotifier(clock)
    return Scheduler(services, notifier, clock=clock, worker_id="w1"), notifier


def store_broken(services: Services, rule: str, workspace: str = BAD, lang: str = "sv") -> None:
    """A schedule stored by an older version that did not check its rule."""
    services.schedule.save(
        workspace, load_schedule_text(SCHEDULE, "bad.yaml"), "bad.yaml", lang=lang
    )
    with services.kernel.unit_of_work(workspace) as uow:
        row = uow.session.scalars(
            select(WorkspaceSchedule).where(WorkspaceSchedule.workspace_id == workspace)
        ).one()
        body = dict(row.body)
        body["rounds"] = [{**body["rounds"][0], "rrule": rule}]
        row.body = body
        uow.commit()
