"""A workspace's stored annual schedule: import (validated) and load."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from bot.errors import UnknownTemplate
from bot.schedule.config import AnnualSchedule, parse_schedule
from bot.schedule.errors import DOCUMENT, ScheduleError, ScheduleIssue
from bot.schedule.jobs import KIND_REMINDER, KIND_START_ROUND, JobStore
from bot.services.container import Services
from storage.models_schedule import WorkspaceSchedule

log = logging.getLogger(__name__)


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
    """What :func:`save_schedule` did.

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


def check_against(
    services: Services, workspace: str, schedule: AnnualSchedule, source: str
) -> list[ScheduleIssue]:
    """Check a schedule against the template catalog and the workspace's levels.

    Args:
        services: The service layer (its catalog and database).
        workspace: The workspace the schedule is for.
        schedule: The schedule.
        source: Name used in error messages.

    Returns:
        Warnings: levels the workspace's organisation does not have (it may be
        imported later).

    Raises:
        ScheduleError: If a round names a template that does not exist.
    """
    issues: list[ScheduleIssue] = []
    known = sorted(tpl.key for tpl in services.kernel.catalog)
    for index, item in enumerate(schedule.rounds):
        try:
            services.kernel.catalog.get(item.template)
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
    with services.kernel.legacy_unit_of_work(workspace) as uow:
        levels = {level.key for level in uow.repo.levels()}
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


def save_schedule(
    services: Services,
    workspace: str,
    schedule: AnnualSchedule,
    source: str,
    *,
    default_group_ref: str | None = None,
    lang: str = "sv",
) -> ImportReport:
    """Validate and store a workspace's schedule, replacing any earlier one.

    Planning starts at the moment of import: occurrences due earlier are not started
    retroactively. Jobs the earlier schedule had materialised but that are not due
    yet are dropped (and re-planned from the new schedule); jobs that already ran
    keep their keys, so an occurrence that already started never starts twice.

    Args:
        services: The service layer (database, catalog and clock).
        workspace: The workspace.
        schedule: The validated schedule.
        source: Where it came from (file name or ``preset``).
        default_group_ref: Channel for receiving units that have no ``channel_ref``.
        lang: ``sv`` or ``en``: the language of the rounds it starts.

    Returns:
        What was stored and replaced.

    Raises:
        ScheduleError: If a round names an unknown template.
    """
    if lang not in ("sv", "en"):
        raise ScheduleError.single(source, "lang", "schedule.problem.lang", value=repr(lang))
    warnings = check_against(services, workspace, schedule, source)
    now = services.kernel.clock.now()
    body = schedule.model_dump(mode="json")
    jobs = JobStore(services.kernel.session_factory, services.kernel.clock)
    with services.kernel.legacy_unit_of_work(workspace) as uow:
        session = uow.session
        row = session.scalars(
            select(WorkspaceSchedule)
            .where(WorkspaceSchedule.workspace_id == workspace)
            .with_for_update()
        ).one_or_none()
        replaced = row is not None
        if row is None:
            row = WorkspaceSchedule(workspace_id=workspace)
            session.add(row)
        row.source = source[:255]
        row.body = body
        row.default_group_ref = default_group_ref
        row.lang = lang
        row.planned_until = now
        row.updated_at = now
        dropped = jobs.drop_future_jobs(session, workspace, [KIND_START_ROUND, KIND_REMINDER])
        uow.commit()
        stored = _stored(row, schedule)
    log.info(
        "schedule for %s imported from %s (%d rounds)", workspace, source, len(schedule.rounds)
    )
    return ImportReport(stored, replaced, dropped, warnings)


def load_stored(services: Services, workspace: str) -> StoredSchedule | None:
    """The workspace's stored schedule, or None if it has none.

    Args:
        services: The service layer.
        workspace: The workspace.

    Returns:
        The stored schedule.

    Raises:
        ScheduleError: If the stored body no longer validates (e.g. after an upgrade).
    """
    with services.kernel.legacy_unit_of_work(workspace) as uow:
        row = uow.session.scalars(
            select(WorkspaceSchedule).where(WorkspaceSchedule.workspace_id == workspace)
        ).one_or_none()
        if row is None:
            return None
        return from_row(row)


def from_row(row: WorkspaceSchedule) -> StoredSchedule:
    """Validate a stored row's body and return it as a :class:`StoredSchedule`.

    Args:
        row: The database row.

    Returns:
        The stored schedule.

    Raises:
        ScheduleError: If the body is not a valid schedule.
    """
    schedule = parse_schedule(row.body, f"stored schedule of {row.workspace_id} ({row.source})")
    return _stored(row, schedule)


def _stored(row: WorkspaceSchedule, schedule: AnnualSchedule) -> StoredSchedule:
    return StoredSchedule(
        workspace_id=row.workspace_id,
        schedule=schedule,
        source=row.source,
        default_group_ref=row.default_group_ref,
        lang=row.lang,
        planned_until=row.planned_until,
        updated_at=row.updated_at,
    )
