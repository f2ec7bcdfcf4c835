"""The next rounds a workspace's annual schedule will start (for the process support's
App Home): a read of the stored schedule, planned with :func:`bot.schedule.plan.plan_year`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.i18n import DEFAULT_LANG
from bot.schedule.errors import ScheduleError
from bot.schedule.plan import PlannedRound, plan_year
from bot.services.container import Services


@dataclass(frozen=True)
class Upcoming:
    """What the schedule will start next.

    Attributes:
        rounds: The next planned rounds, soonest first.
        scheduled: Whether the workspace has a schedule at all.
        problem: Why the stored schedule cannot be planned, if it cannot.
    """

    rounds: list[PlannedRound]
    scheduled: bool
    problem: str | None = None


def upcoming_rounds(
    services: Services, workspace: str, now: datetime, limit: int = 5, lang: str = DEFAULT_LANG
) -> Upcoming:
    """The first ``limit`` planned rounds of the workspace that start after ``now``
    (this calendar year and the next); a schedule that cannot be read is described in
    ``lang``."""
    try:
        stored = services.schedule.load(workspace)
    except ScheduleError as err:
        return Upcoming([], True, err.messages(lang)[0])
    if stored is None:
        return Upcoming([], False)
    year = now.astimezone(stored.schedule.tz).year
    planned: list[PlannedRound] = []
    for y in (year, year + 1):
        planned += [p for p in plan_year(stored.schedule, y) if p.starts_at > now]
        if len(planned) >= limit:
            break
    return Upcoming(planned[:limit], True)
