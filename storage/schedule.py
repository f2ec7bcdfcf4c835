"""Queries on a workspace's stored schedule and on its scheduled work, scoped by workspace.

The job queue itself (claiming, leases, effects) spans every workspace and lives in
:mod:`storage.jobs`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from storage.installations import cancel_workspace_jobs
from storage.job_status import JOB_PENDING
from storage.jobs import JobQueueRepository
from storage.models import Round
from storage.models_schedule import ScheduledJob, WorkspaceSchedule


@dataclass(frozen=True)
class ScheduleRecord:
    """A stored schedule row as plain data (its body not yet validated).

    Attributes:
        schedule_id: The row's id.
        workspace_id: The workspace.
        source: Where it was imported from (a file name or ``preset``).
        body: The schedule as JSON.
        default_group_ref: Channel used for receiving units without a ``channel_ref``.
        lang: Language of the rounds it starts.
        planned_until: End of the window already turned into jobs (UTC).
        updated_at: When it was imported (UTC).
    """

    schedule_id: int
    workspace_id: str
    source: str
    body: dict[str, Any]
    default_group_ref: str | None
    lang: str
    planned_until: datetime
    updated_at: datetime


def record_of(row: WorkspaceSchedule) -> ScheduleRecord:
    """A schedule row as plain data."""
    return ScheduleRecord(
        schedule_id=row.id,
        workspace_id=row.workspace_id,
        source=row.source,
        body=row.body,
        default_group_ref=row.default_group_ref,
        lang=row.lang,
        planned_until=row.planned_until,
        updated_at=row.updated_at,
    )


class ScheduleRepository:
    """The stored schedule and the scheduled jobs of one workspace inside a unit of work."""

    def __init__(self, session: Session, workspace_id: str) -> None:
        self.session = session
        self.workspace_id = workspace_id

    def stored(self) -> ScheduleRecord | None:
        """The workspace's stored schedule, or None if it has none."""
        row = self.session.scalars(
            select(WorkspaceSchedule).where(WorkspaceSchedule.workspace_id == self.workspace_id)
        ).one_or_none()
        return None if row is None else record_of(row)

    def store(
        self,
        source: str,
        body: dict[str, Any],
        default_group_ref: str | None,
        lang: str,
        now: datetime,
    ) -> tuple[ScheduleRecord, bool]:
        """Store the workspace's schedule, replacing any earlier one (its row locked
        first); planning starts at ``now``. Returns the stored schedule and whether an
        earlier one was replaced."""
        row = self.session.scalars(
            select(WorkspaceSchedule)
            .where(WorkspaceSchedule.workspace_id == self.workspace_id)
            .with_for_update()
        ).one_or_none()
        replaced = row is not None
        if row is None:
            row = WorkspaceSchedule(workspace_id=self.workspace_id)
            self.session.add(row)
        row.source = source[:255]
        row.body = body
        row.default_group_ref = default_group_ref
        row.lang = lang
        row.planned_until = now
        row.updated_at = now
        self.session.flush()
        return record_of(row), replaced

    def enqueue(self, rows: Sequence[Mapping[str, Any]]) -> int:
        """Insert job rows of this workspace whose key does not exist yet, in this unit of
        work; returns how many were new."""
        if any(row["workspace_id"] != self.workspace_id for row in rows):
            raise ValueError(f"jobs of another workspace than {self.workspace_id}")
        return JobQueueRepository(self.session).insert(rows)

    def drop_future_jobs(self, kinds: Sequence[str], now: datetime) -> int:
        """Delete pending jobs of ``kinds`` never claimed and not due at ``now`` (used when
        a schedule is replaced); returns how many were deleted."""
        result = self.session.execute(
            delete(ScheduledJob)
            .where(
                ScheduledJob.workspace_id == self.workspace_id,
                ScheduledJob.status == JOB_PENDING,
                ScheduledJob.attempts == 0,
                ScheduledJob.kind.in_(list(kinds)),
                ScheduledJob.due_at > now,
            )
            .execution_options(synchronize_session=False)
        )
        return int(getattr(result, "rowcount", 0) or 0)

    def open_rounds_with_key_prefix(self, prefix: str) -> list[int]:
        """Ids of the open rounds whose external key starts with ``prefix`` (the rounds one
        schedule occurrence started), oldest first."""
        stmt = (
            select(Round.id)
            .where(
                Round.workspace_id == self.workspace_id,
                Round.status == "open",
                Round.external_key.is_not(None),
                Round.external_key.startswith(prefix, autoescape=True),
            )
            .order_by(Round.id)
        )
        return list(self.session.scalars(stmt).all())

    def cancel_all_jobs(self, now: datetime) -> int:
        """Remove the schedule and cancel every pending job and deadline close of the
        workspace (see :func:`storage.installations.cancel_workspace_jobs`)."""
        return cancel_workspace_jobs(self.session, self.workspace_id, now)
