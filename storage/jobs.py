"""The scheduler's job queue and delivered effects: one table claimed with row locks.

These queries span every workspace (one queue serves them all); the lifecycle they
implement (claim, renew, complete, fail, effects) is :class:`bot.services.jobs.JobStore`.
Every guarded ``UPDATE`` only applies while the job still carries the worker's id and
attempt number (the fencing token); each returns whether it applied.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Table, and_, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from storage.db import conflict_insert, table_of
from storage.job_status import JOB_PENDING, JOB_RUNNING
from storage.models_schedule import ScheduledJob, SentEffect


def insert_ignoring_duplicates(
    session: Session, table: Table, rows: Sequence[Mapping[str, Any]], unique: Sequence[str]
) -> int:
    """Insert rows, silently skipping those that collide on the ``unique`` columns.

    Uses ``INSERT … ON CONFLICT DO NOTHING`` on PostgreSQL and SQLite, and a savepoint
    per row elsewhere.

    Args:
        session: Session in an open transaction.
        table: The table.
        rows: Column values per row.
        unique: The columns of the unique constraint that defines a duplicate.

    Returns:
        How many rows were inserted.
    """
    if not rows:
        return 0
    dialect = session.get_bind().dialect.name
    if dialect in ("postgresql", "sqlite"):
        builder = conflict_insert(dialect)
        key = next(iter(table.primary_key.columns))
        stmt = (
            builder(table)
            .values(list(rows))
            .on_conflict_do_nothing(index_elements=unique)
            .returning(key)
        )
        return len(session.execute(stmt).all())
    inserted = 0  # pragma: no cover - other databases are not supported targets
    for row in rows:  # pragma: no cover
        try:
            with session.begin_nested():
                session.execute(table.insert().values(**row))
            inserted += 1
        except IntegrityError:
            continue
    return inserted  # pragma: no cover


@dataclass(frozen=True)
class JobRow:
    """A job as read for claiming (plain data).

    Attributes:
        id: Database id.
        workspace_id: The workspace it acts in.
        kind: The job kind.
        job_key: Its idempotency key.
        due_at: When it became due.
        status: ``pending`` or ``running`` (a claimable job; any status from
            :meth:`JobQueueRepository.by_key`).
        attempts: Claims so far.
        locked_by: The worker holding (or last holding) it.
        payload: Its JSON payload.
        lease_until: When its lease runs out (a running job).
    """

    id: int
    workspace_id: str
    kind: str
    job_key: str
    due_at: datetime
    status: str
    attempts: int
    locked_by: str | None
    payload: dict[str, Any]
    lease_until: datetime | None = None


@dataclass(frozen=True)
class JobView:
    """A job as listed for operators (plain data; the columns of
    :class:`storage.models_schedule.ScheduledJob`)."""

    id: int
    workspace_id: str
    job_key: str
    kind: str
    due_at: datetime
    status: str
    attempts: int
    locked_by: str | None
    lease_until: datetime | None
    payload: dict[str, Any]
    outcome: str | None
    last_error: str | None
    created_at: datetime
    finished_at: datetime | None


def _view(job: ScheduledJob) -> JobView:
    return JobView(
        id=job.id,
        workspace_id=job.workspace_id,
        job_key=job.job_key,
        kind=job.kind,
        due_at=job.due_at,
        status=job.status,
        attempts=job.attempts,
        locked_by=job.locked_by,
        lease_until=job.lease_until,
        payload=dict(job.payload or {}),
        outcome=job.outcome,
        last_error=job.last_error,
        created_at=job.created_at,
        finished_at=job.finished_at,
    )


def _row(job: ScheduledJob) -> JobRow:
    return JobRow(
        id=job.id,
        workspace_id=job.workspace_id,
        kind=job.kind,
        job_key=job.job_key,
        due_at=job.due_at,
        status=job.status,
        attempts=job.attempts,
        locked_by=job.locked_by,
        payload=dict(job.payload or {}),
        lease_until=job.lease_until,
    )


def _rowcount(result: Any) -> int:
    return int(getattr(result, "rowcount", 0) or 0)


class JobQueueRepository:
    """The job queue of every workspace inside one transaction."""

    def __init__(self, session: Session) -> None:
        self.session = session

    # Materialising ------------------------------------------------------------------

    def insert(self, rows: Sequence[Mapping[str, Any]]) -> int:
        """Insert job rows whose ``(workspace_id, job_key)`` does not exist yet; returns
        how many were new."""
        return insert_ignoring_duplicates(
            self.session, table_of(ScheduledJob), rows, ["workspace_id", "job_key"]
        )

    # Claiming -----------------------------------------------------------------------

    def next_claimable(self, now: datetime) -> JobRow | None:
        """The due job to claim next, locked (``FOR UPDATE SKIP LOCKED``): pending and
        due, or running under a lease that ran out."""
        stmt = (
            select(ScheduledJob)
            .where(
                or_(
                    and_(ScheduledJob.status == JOB_PENDING, ScheduledJob.due_at <= now),
                    and_(ScheduledJob.status == JOB_RUNNING, ScheduledJob.lease_until < now),
                )
            )
            .order_by(ScheduledJob.due_at, ScheduledJob.id)
            .limit(1)
            .with_for_update(skip_locked=True)
        )
        job = self.session.scalars(stmt).first()
        return None if job is None else _row(job)

    def by_key(self, workspace_id: str, job_key: str) -> JobRow | None:
        """One job by its key, locked (``FOR UPDATE SKIP LOCKED``: None while another
        worker is claiming it), whatever its status."""
        stmt = (
            select(ScheduledJob)
            .where(ScheduledJob.workspace_id == workspace_id, ScheduledJob.job_key == job_key)
            .with_for_update(skip_locked=True)
        )
        job = self.session.scalars(stmt).first()
        return None if job is None else _row(job)

    def update_seen(self, job: JobRow, **values: Any) -> bool:
        """Change a job only if its status and attempts are still as ``job`` saw them
        (no other worker took it in between); returns whether it applied."""
        guard = and_(
            ScheduledJob.id == job.id,
            ScheduledJob.status == job.status,
            ScheduledJob.attempts == job.attempts,
        )
        result = self.session.execute(
            update(ScheduledJob)
            .where(guard)
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        return _rowcount(result) == 1

    def update_held(self, job_id: int, worker_id: str, attempts: int, **values: Any) -> bool:
        """Change a job only while ``worker_id`` holds it on claim number ``attempts``
        (the fencing token); returns whether it applied."""
        result = self.session.execute(
            update(ScheduledJob)
            .where(_held(job_id, worker_id, attempts))
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        return _rowcount(result) == 1

    # Effects ------------------------------------------------------------------------

    def effect_recorded(self, workspace_id: str, effect_key: str) -> bool:
        """Whether an effect with this key was delivered already."""
        found = self.session.scalar(
            select(SentEffect.id).where(
                SentEffect.workspace_id == workspace_id,
                SentEffect.effect_key == effect_key,
            )
        )
        return found is not None

    def record_effect(self, workspace_id: str, effect_key: str, job_id: int, now: datetime) -> None:
        """Remember a delivered effect (recording it twice is a no-op)."""
        row = {
            "workspace_id": workspace_id,
            "effect_key": effect_key,
            "job_id": job_id,
            "created_at": now,
        }
        insert_ignoring_duplicates(
            self.session, table_of(SentEffect), [row], ["workspace_id", "effect_key"]
        )

    # Looking ------------------------------------------------------------------------

    def next_due(self) -> datetime | None:
        """The earliest moment at which some job becomes claimable, if any."""
        pending = self.session.scalar(
            select(func.min(ScheduledJob.due_at)).where(ScheduledJob.status == JOB_PENDING)
        )
        leased = self.session.scalar(
            select(func.min(ScheduledJob.lease_until)).where(ScheduledJob.status == JOB_RUNNING)
        )
        moments = [m for m in (pending, leased) if m is not None]
        return min(moments) if moments else None

    def listed(
        self, workspace_id: str | None = None, status: str | None = None, limit: int = 200
    ) -> list[JobView]:
        """Jobs for display, soonest first."""
        stmt = select(ScheduledJob).order_by(ScheduledJob.due_at, ScheduledJob.id).limit(limit)
        if workspace_id is not None:
            stmt = stmt.where(ScheduledJob.workspace_id == workspace_id)
        if status is not None:
            stmt = stmt.where(ScheduledJob.status == status)
        return [_view(job) for job in self.session.scalars(stmt).all()]


def _held(job_id: int, worker_id: str, attempts: int) -> ColumnElement[bool]:
    return and_(
        ScheduledJob.id == job_id,
        ScheduledJob.status == JOB_RUNNING,
        ScheduledJob.locked_by == worker_id,
        ScheduledJob.attempts == attempts,
    )
