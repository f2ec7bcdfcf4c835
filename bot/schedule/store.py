"""A workspace's stored annual schedule as plain data, and the checks of an import.

Storing and loading are use cases of :class:`bot.services.schedule.Schedules`
(``services.schedule.save`` / ``load``); this module is pure.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.domain.errors import UnknownTemplate
from bot.domain.templates import TemplateCatalog
from bot.schedule.config import AnnualSchedule, parse_schedule
from bot.schedule.errors import DOCUMENT, ScheduleError, ScheduleIssue
from storage.schedule import ScheduleRecord


@dataclass(frozen=True)
class StoredSchedule:
    """A workspace's schedule as stored.

    Attributes:
        workspace_id: The workspace.
        schedule: The validated schedule.
        source: Where it was imported from (a file name or ``preset``).
        default_group_ref: Channel used for receiving units without a ``channel_ref``.
        lang: Language of the rounds it starts.
        planned_until: End of the window already turned into jobs (UTC).
        updated_at: When it was imported (UTC).
    """

    workspace_id: str
    schedule: AnnualSchedule
    source: str
    default_group_ref: str | None
    lang: str
    planned_until: datetime
    updated_at: datetime


@dataclass(frozen=True)
class ImportReport:
    """What :meth:`bot.services.schedule.Schedules.save` did.

    Attributes:
        stored: The schedule as now stored.
        replaced: Whether an earlier schedule was replaced.
        dropped_jobs: Not-yet-due jobs of the earlier schedule that were removed.
        warnings: Things worth checking that did not stop the import.
    """

    stored: StoredSchedule
    replaced: bool
    dropped_jobs: int
    warnings: list[ScheduleIssue]


def check_templates(catalog: TemplateCatalog, schedule: AnnualSchedule, source: str) -> None:
    """Check that every round of a schedule names a template of the catalog.

    Args:
        catalog: The dialog templates.
        schedule: The schedule.
        source: Name used in error messages.

    Raises:
        ScheduleError: If a round names a template that does not exist.
    """
    issues: list[ScheduleIssue] = []
    known = sorted(tpl.key for tpl in catalog)
    for index, item in enumerate(schedule.rounds):
        try:
            catalog.get(item.template)
        except UnknownTemplate:
            issues.append(
                ScheduleIssue(
                    f"rounds[{index}].template",
                    "schedule.problem.unknown_template",
                    {"value": repr(item.template), "known": ", ".join(known)},
                )
            )
    if issues:
        raise ScheduleError(source, issues)


def level_warnings(
    levels: set[str], schedule: AnnualSchedule, workspace: str
) -> list[ScheduleIssue]:
    """Warnings for levels a schedule names that the workspace's organisation does not
    have (it may be imported later), or that it has no organisation at all.

    Args:
        levels: The keys of the workspace's levels.
        schedule: The schedule.
        workspace: The workspace (named in the warning).

    Returns:
        The warnings.
    """
    if not levels:
        return [ScheduleIssue(DOCUMENT, "schedule.warning.no_org", {"workspace": repr(workspace)})]
    warnings: list[ScheduleIssue] = []
    for index, item in enumerate(schedule.rounds):
        for name in ("answering_level", "receiving_level"):
            value = getattr(item, name)
            if value not in levels:
                warnings.append(
                    ScheduleIssue(
                        f"rounds[{index}].{name}",
                        "schedule.warning.unknown_level",
                        {"value": repr(value), "known": ", ".join(sorted(levels))},
                    )
                )
    return warnings


def from_row(row: ScheduleRecord) -> StoredSchedule:
    """Validate a stored schedule's body and return it as a :class:`StoredSchedule`.

    Args:
        row: The stored schedule as read (:class:`storage.schedule.ScheduleRecord`).

    Returns:
        The stored schedule.

    Raises:
        ScheduleError: If the body is not a valid schedule.
    """
    schedule = parse_schedule(row.body, f"stored schedule of {row.workspace_id} ({row.source})")
    return stored_schedule(row, schedule)


def stored_schedule(row: ScheduleRecord, schedule: AnnualSchedule) -> StoredSchedule:
    """A stored schedule with its already validated ``schedule``."""
    return StoredSchedule(
        workspace_id=row.workspace_id,
        schedule=schedule,
        source=row.source,
        default_group_ref=row.default_group_ref,
        lang=row.lang,
        planned_until=row.planned_until,
        updated_at=row.updated_at,
    )
