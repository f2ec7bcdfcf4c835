"""Pure planning: which rounds start, and which reminders go out, when.

Nothing here reads the clock or touches storage; a scheduler calls
:func:`due_between` with the window since its last tick and acts on the result,
using :attr:`PlannedRound.occurrence_key` and :attr:`PlannedReminder.reminder_key`
as idempotency keys.

Rules (all wall-clock reasoning in the schedule's time zone):

* **Start.** Each occurrence of a round's rrule inside the local calendar year
  is a *nominal* start date. The round starts at ``send_hour`` local on that
  date, or at ``send_hour`` on the next business day if the date is a weekend
  or holiday.
* **Deadline.** ``deadline`` calendar days after the (moved) start date, at
  ``deadline_hour`` local (default 17:00, the end of the business day). A
  deadline on a weekend or holiday moves *forward* to the next business day,
  so participants never lose time.
* **Reminders.** For each configured offset ``N``: ``send_hour`` local on the
  deadline date minus ``N`` days, moved *backward* to the previous business
  day when that is a weekend or holiday (a reminder arriving after the
  weekend would be too late). Reminders at or before the start are dropped
  (the start message itself tells the deadline); two offsets landing on the
  same moment are sent once, labelled with the larger offset. ``N = 0`` is
  the morning of the deadline day (kind ``"deadline_morning"``).
* **Occurrence key.** ``"{round key}@{nominal local start date ISO}"``. The
  nominal (rrule) date is used rather than the moved start date so that the
  key stays the same if the holiday data or ``send_hour`` changes after a
  round was started; it therefore remains a safe "start exactly once" key.
* Rules are evaluated per calendar year with ``DTSTART`` = 1 January 00:00,
  so ``INTERVAL`` and weekday alignment of ``WEEKLY``/``DAILY`` rules without
  ``BYDAY`` restart every year; use ``BYMONTH``/``BYDAY``/``BYMONTHDAY``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Literal

from bot.schedule.calendar import (
    local_moment,
    next_business_day,
    previous_business_day,
)
from bot.schedule.config import AnnualSchedule, RoundConfig
from bot.schedule.recurrence import occurrences_in_year

ReminderKind = Literal["reminder", "deadline_morning"]
"""``"deadline_morning"`` for the reminder on the deadline day itself, else ``"reminder"``."""


@dataclass(frozen=True)
class PlannedRound:
    """One occurrence of a round, with its start and deadline in UTC.

    Attributes:
        key: The round's key in the schedule.
        template: Dialog template key.
        name: Human-readable round name.
        answering_level: Level key of the units that answer.
        receiving_level: Level key of the receiving group.
        starts_at: When the round starts (aware, UTC).
        deadline_at: When answers are due (aware, UTC).
        anonymous: Whether answers are anonymous.
        occurrence_key: Stable, unique key of this occurrence,
            ``"{key}@{nominal local start date ISO}"``.
    """

    key: str
    template: str
    name: str
    answering_level: str
    receiving_level: str
    starts_at: datetime
    deadline_at: datetime
    anonymous: bool
    occurrence_key: str

    @property
    def due_at(self) -> datetime:
        """The moment a scheduler must act on this item (the start), UTC."""
        return self.starts_at


@dataclass(frozen=True)
class PlannedReminder:
    """One reminder for one round occurrence.

    Attributes:
        round_occurrence_key: :attr:`PlannedRound.occurrence_key` of the round.
        due_at: When to send it (aware, UTC).
        days_before: The configured offset in days before the deadline date.
        kind: ``"deadline_morning"`` on the deadline day, else ``"reminder"``.
    """

    round_occurrence_key: str
    due_at: datetime
    days_before: int
    kind: ReminderKind

    @property
    def reminder_key(self) -> str:
        """Stable, unique idempotency key of this reminder."""
        return f"{self.round_occurrence_key}#{self.kind}-{self.days_before}d"


PlannedItem = PlannedRound | PlannedReminder
"""Anything a scheduler tick may have to act on."""


def occurrence_dates(round_config: RoundConfig, year: int) -> list[date]:
    """Nominal local start dates of a round's rrule within one calendar year.

    Args:
        round_config: The round.
        year: Calendar year.

    Returns:
        The dates, ascending.
    """
    return occurrences_in_year(round_config.rrule, year)


def _plan_occurrence(
    schedule: AnnualSchedule, round_config: RoundConfig, nominal: date
) -> PlannedRound:
    tz = schedule.tz
    start_date = next_business_day(nominal, schedule.country, inclusive=True)
    deadline_date = next_business_day(
        start_date + timedelta(days=round_config.deadline), schedule.country, inclusive=True
    )
    return PlannedRound(
        key=round_config.key,
        template=round_config.template,
        name=round_config.name,
        answering_level=round_config.answering_level,
        receiving_level=round_config.receiving_level,
        starts_at=local_moment(start_date, schedule.send_hour, tz).astimezone(UTC),
        deadline_at=local_moment(deadline_date, schedule.deadline_hour, tz).astimezone(UTC),
        anonymous=round_config.anonymous,
        occurrence_key=f"{round_config.key}@{nominal.isoformat()}",
    )


def plan_year(schedule: AnnualSchedule, year: int) -> list[PlannedRound]:
    """Plan every round occurrence whose nominal start date lies in ``year``.

    A nominal date late in December may start in January of the next year
    (after moving past holidays); it still belongs to ``year``'s plan.

    Args:
        schedule: The annual schedule.
        year: Local calendar year.

    Returns:
        The planned rounds, sorted by start (then key). Occurrences of one
        round that collapse onto the same start moment are kept once (the
        earliest nominal date).
    """
    planned: list[PlannedRound] = []
    for round_config in schedule.rounds:
        seen_starts: set[datetime] = set()
        for nominal in occurrence_dates(round_config, year):
            item = _plan_occurrence(schedule, round_config, nominal)
            if item.starts_at in seen_starts:
                continue
            seen_starts.add(item.starts_at)
            planned.append(item)
    planned.sort(key=lambda item: (item.starts_at, item.key))
    return planned


def plan_reminders(schedule: AnnualSchedule, planned_round: PlannedRound) -> list[PlannedReminder]:
    """Plan the reminders of one round occurrence.

    Args:
        schedule: The annual schedule (offsets, send hour, time zone, holidays).
        planned_round: The round occurrence.

    Returns:
        The reminders, sorted by due time; none at or before the start, none
        after the deadline, no two at the same moment.
    """
    tz = schedule.tz
    deadline_date = planned_round.deadline_at.astimezone(tz).date()
    reminders: list[PlannedReminder] = []
    seen: set[datetime] = set()
    for days_before in sorted(set(schedule.reminders), reverse=True):
        day = previous_business_day(
            deadline_date - timedelta(days=days_before), schedule.country, inclusive=True
        )
        due = local_moment(day, schedule.send_hour, tz).astimezone(UTC)
        if due <= planned_round.starts_at or due > planned_round.deadline_at or due in seen:
            continue
        seen.add(due)
        kind: ReminderKind = "deadline_morning" if day == deadline_date else "reminder"
        reminders.append(
            PlannedReminder(
                round_occurrence_key=planned_round.occurrence_key,
                due_at=due,
                days_before=days_before,
                kind=kind,
            )
        )
    reminders.sort(key=lambda item: item.due_at)
    return reminders


def _require_aware(name: str, moment: datetime) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware, got naive {moment.isoformat()}")
    return moment.astimezone(UTC)


class PlanningTooSlow(Exception):
    """Planning took longer than its time budget."""


def due_between(
    schedule: AnnualSchedule,
    start_utc: datetime,
    end_utc: datetime,
    *,
    deadline: float | None = None,
) -> list[PlannedItem]:
    """Everything due in the half-open window ``[start_utc, end_utc)``.

    Meant for a scheduler tick: pass the end of the previous tick and "now"
    from the injected clock. Round starts and reminders are both returned;
    act idempotently on :attr:`PlannedRound.occurrence_key` and
    :attr:`PlannedReminder.reminder_key`.

    Args:
        schedule: The annual schedule.
        start_utc: Window start, inclusive (aware).
        end_utc: Window end, exclusive (aware).
        deadline: A :func:`time.monotonic` moment after which planning gives up.

    Returns:
        Planned rounds (due at their start) and reminders, sorted by due time;
        on a tie, starts come before reminders.

    Raises:
        ValueError: If a bound is naive.
        PlanningTooSlow: If ``deadline`` passed before planning was done.
    """
    start = _require_aware("start_utc", start_utc)
    end = _require_aware("end_utc", end_utc)
    if end <= start:
        return []
    tz = schedule.tz
    # The previous year's rounds may start late (holidays around New Year) or
    # still have reminders pending; deadlines are at most a year long.
    first_year = start.astimezone(tz).year - 1
    last_year = end.astimezone(tz).year
    items: list[PlannedItem] = []
    for year in range(first_year, last_year + 1):
        if deadline is not None and time.monotonic() > deadline:
            raise PlanningTooSlow(f"planning did not finish within its time budget (year {year})")
        for planned in plan_year(schedule, year):
            if start <= planned.starts_at < end:
                items.append(planned)
            if planned.starts_at >= end or planned.deadline_at < start:
                continue
            items.extend(r for r in plan_reminders(schedule, planned) if start <= r.due_at < end)
    items.sort(key=lambda item: (item.due_at, isinstance(item, PlannedReminder)))
    return items
