"""The scheduler's job queue: a PostgreSQL (or SQLite) table claimed with row locks.

A job is one thing to do once (start a round occurrence, send one round of reminders,
close a round). Its life::

    pending --claim--> running --complete--> done
                          |  \\--error--> pending (later, with back-off) ... --> failed
                          \\--lease runs out (worker died)--> claimable again

Claiming is one short transaction: ``SELECT … FOR UPDATE SKIP LOCKED`` picks a due job
that no other replica is looking at, and a guarded ``UPDATE`` takes it with a lease
(``locked_by``, ``lease_until``) and a new ``attempts`` value. ``attempts`` doubles as
a fencing token: lease renewals, completion and failure only apply while the job still
carries the worker's id and attempt number, so a worker whose lease was taken over can
no longer change the job.

Effects (each message sent) are recorded in ``scheduler_effects`` under a stable key
right after they are delivered; a re-run of a job skips effects already recorded. See
``docs/scheduler.md`` for the exactly-once argument.

SQLite ignores ``FOR UPDATE``; there the guarded ``UPDATE`` still refuses a job that
changed under the worker, and one process is the supported deployment.
"""

from __future__ import annotations

import logging
import os
import socket
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Table, and_, delete, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from bot.clock import Clock
from storage.models_schedule import (
    JOB_DONE,
    JOB_FAILED,
    JOB_PENDING,
    JOB_RUNNING,
    ScheduledJob,
    SentEffect,
)

log = logging.getLogger(__name__)

KIND_START_ROUND = "start_round"
KIND_REMINDER = "reminder"
KIND_CLOSE_ROUND = "close_round"
KIND_PLANNING_FAILED = "planning_failed"
KIND_ABSENCE_ENDED = "absence_ended"
JOB_KINDS = (
    KIND_START_ROUND,
    KIND_REMINDER,
    KIND_CLOSE_ROUND,
    KIND_PLANNING_FAILED,
    KIND_ABSENCE_ENDED,
)

DEFAULT_LEASE = timedelta(minutes=5)
"""How long a claimed job stays with its worker without a renewal."""

DEFAULT_MAX_ATTEMPTS = 5
"""Claims after which a job that keeps failing (or keeps killing workers) is given up."""

MAX_BACKOFF = timedelta(hours=1)
_MAX_CLAIM_RACES = 20


def make_worker_id() -> str:
    """A worker id unique across hosts, processes and restarts: ``host:pid:random``."""
    return f"{socket.gethostname()[:80]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def backoff(attempts: int) -> timedelta:
    """Delay before retrying a job that failed on its ``attempts``-th claim.

    Args:
        attempts: How many times the job has been claimed so far (1 or more).

    Returns:
        One minute, doubling per attempt, at most :data:`MAX_BACKOFF`.
    """
    return min(timedelta(minutes=2 ** max(attempts - 1, 0)), MAX_BACKOFF)


class LeaseLost(RuntimeError):
    """The worker no longer holds the job (its lease ran out and another worker took it)."""


@dataclass(frozen=True)
class NewJob:
    """A job to materialise; inserting the same ``(workspace, job_key)`` twice is a no-op.

    Attributes:
        workspace_id: The workspace the job acts in.
        kind: One of :data:`JOB_KINDS`.
        job_key: Stable idempotency key, e.g. an occurrence or reminder key.
        due_at: When the job may run (aware UTC).
        payload: What the job needs to run, as JSON-compatible data.
    """

    workspace_id: str
    kind: str
    job_key: str
    due_at: datetime
    payload: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ClaimedJob:
    """A job this worker holds under a lease.

    Attributes:
        id: Database id.
        workspace_id: The workspace it acts in.
        kind: One of :data:`JOB_KINDS`.
        job_key: Its idempotency key.
        due_at: When it became due.
        attempts: This claim's number (1 for the first), also the fencing token.
        payload: Its JSON payload.
    """

    id: int
    workspace_id: str
    kind: str
    job_key: str
    due_at: datetime
    attempts: int
    payload: dict[str, Any]


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
        builder = postgresql.insert if dialect == "postgresql" else sqlite.insert
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


class JobStore:
    """Claims, leases, completes and retries jobs; records delivered effects.

    Every method is its own short transaction, so a lock is never held while a job
    talks to the outside world.
    """

    def __init__(
        self,
        session_factory: sessionmaker[Session],
        clock: Clock,
        worker_id: str | None = None,
        *,
        lease: timedelta = DEFAULT_LEASE,
        max_attempts: int = DEFAULT_MAX_ATTEMPTS,
    ) -> None:
        """Create the store.

        Args:
            session_factory: Sessions on the application database.
            clock: Source of "now" for due times and leases.
            worker_id: This worker's id (default: :func:`make_worker_id`).
            lease: How long a claim lasts without renewal.
            max_attempts: Claims after which a job is marked failed.
        """
        if lease <= timedelta(0):
            raise ValueError("lease must be positive")
        self._factory = session_factory
        self.clock = clock
        self.worker_id = worker_id or make_worker_id()
        self.lease = lease
        self.max_attempts = max_attempts

    # Materialising ------------------------------------------------------------------

    def enqueue(self, jobs: Iterable[NewJob], session: Session | None = None) -> int:
        """Insert jobs that do not exist yet (by workspace and key).

        Args:
            jobs: The jobs.
            session: Use this session's transaction instead of a new one (the caller
                commits).

        Returns:
            How many jobs were new.
        """
        now = self.clock.now()
        rows = [
            {
                "workspace_id": job.workspace_id,
                "job_key": job.job_key,
                "kind": job.kind,
                "due_at": job.due_at,
                "status": JOB_PENDING,
                "attempts": 0,
                "payload": dict(job.payload),
                "created_at": now,
            }
            for job in jobs
        ]
        table = ScheduledJob.__table__
        assert isinstance(table, Table)
        if session is not None:
            return insert_ignoring_duplicates(session, table, rows, ["workspace_id", "job_key"])
        with self._factory() as own, own.begin():
            return insert_ignoring_duplicates(own, table, rows, ["workspace_id", "job_key"])

    # Claiming -----------------------------------------------------------------------

    def claim(self) -> ClaimedJob | None:
        """Take the next due job under a lease, or return None when nothing is due.

        A job is due when it is pending and its ``due_at`` has come, or when it is
        running under a lease that has run out. A job already claimed
        ``max_attempts`` times is marked failed instead of being run again.
        """
        for _ in range(_MAX_CLAIM_RACES):
            now = self.clock.now()
            with self._factory() as session, session.begin():
                stmt = (
                    select(ScheduledJob)
                    .where(
                        or_(
                            and_(ScheduledJob.status == JOB_PENDING, ScheduledJob.due_at <= now),
                            and_(
                                ScheduledJob.status == JOB_RUNNING,
                                ScheduledJob.lease_until < now,
                            ),
                        )
                    )
                    .order_by(ScheduledJob.due_at, ScheduledJob.id)
                    .limit(1)
                    .with_for_update(skip_locked=True)
                )
                job = session.scalars(stmt).first()
                if job is None:
                    return None
                seen_status, seen_attempts = job.status, job.attempts
                guard = and_(
                    ScheduledJob.id == job.id,
                    ScheduledJob.status == seen_status,
                    ScheduledJob.attempts == seen_attempts,
                )
                if seen_status == JOB_RUNNING and seen_attempts >= self.max_attempts:
                    session.execute(
                        update(ScheduledJob)
                        .where(guard)
                        .values(
                            status=JOB_FAILED,
                            finished_at=now,
                            locked_by=None,
                            lease_until=None,
                            last_error=f"gave up: the lease ran out on all {seen_attempts} "
                            f"attempts (last worker {job.locked_by})",
                        )
                    )
                    log.error(
                        "job %s (%s) abandoned after %s attempts",
                        job.id,
                        job.job_key,
                        seen_attempts,
                    )
                    continue
                if seen_status == JOB_RUNNING:
                    log.warning(
                        "job %s (%s): lease of %s ran out; taking it over",
                        job.id,
                        job.job_key,
                        job.locked_by,
                    )
                taken = session.execute(
                    update(ScheduledJob)
                    .where(guard)
                    .values(
                        status=JOB_RUNNING,
                        locked_by=self.worker_id,
                        lease_until=now + self.lease,
                        attempts=seen_attempts + 1,
                    )
                    .execution_options(synchronize_session=False)
                )
                if _rowcount(taken) != 1:
                    continue  # another worker changed it between our read and write
                return ClaimedJob(
                    id=job.id,
                    workspace_id=job.workspace_id,
                    kind=job.kind,
                    job_key=job.job_key,
                    due_at=job.due_at,
                    attempts=seen_attempts + 1,
                    payload=dict(job.payload or {}),
                )
        return None

    def _ours(self, job: ClaimedJob) -> Any:
        return and_(
            ScheduledJob.id == job.id,
            ScheduledJob.status == JOB_RUNNING,
            ScheduledJob.locked_by == self.worker_id,
            ScheduledJob.attempts == job.attempts,
        )

    def renew(self, job: ClaimedJob, session: Session | None = None) -> None:
        """Extend the lease of a job this worker holds.

        Args:
            job: The claimed job.
            session: Use this session's transaction (the caller commits).

        Raises:
            LeaseLost: If the job is no longer this worker's.
        """
        stmt = (
            update(ScheduledJob)
            .where(self._ours(job))
            .values(lease_until=self.clock.now() + self.lease)
            .execution_options(synchronize_session=False)
        )
        if session is not None:
            if _rowcount(session.execute(stmt)) != 1:
                raise LeaseLost(
                    f"job {job.id} ({job.job_key}) is no longer held by {self.worker_id}"
                )
            return
        with self._factory() as own, own.begin():
            if _rowcount(own.execute(stmt)) != 1:
                raise LeaseLost(
                    f"job {job.id} ({job.job_key}) is no longer held by {self.worker_id}"
                )

    def complete(self, job: ClaimedJob, outcome: str = "") -> bool:
        """Mark a job done.

        Args:
            job: The claimed job.
            outcome: A short description of what it did, kept for operators.

        Returns:
            False if the job was no longer this worker's (nothing changed).
        """
        with self._factory() as session, session.begin():
            result = session.execute(
                update(ScheduledJob)
                .where(self._ours(job))
                .values(
                    status=JOB_DONE,
                    finished_at=self.clock.now(),
                    lease_until=None,
                    outcome=outcome[:2000] or None,
                )
                .execution_options(synchronize_session=False)
            )
            return _rowcount(result) == 1

    def fail(self, job: ClaimedJob, error: str) -> str:
        """Record a failed run: retry later with back-off, or give up after the last attempt.

        Args:
            job: The claimed job.
            error: What went wrong (kept in ``last_error``).

        Returns:
            The job's new status (``pending`` or ``failed``), or ``running`` when the
            job was no longer this worker's and nothing changed.
        """
        now = self.clock.now()
        give_up = job.attempts >= self.max_attempts
        values: dict[str, Any] = {
            "last_error": error[:4000],
            "locked_by": None,
            "lease_until": None,
        }
        if give_up:
            values.update(status=JOB_FAILED, finished_at=now)
        else:
            values.update(status=JOB_PENDING, due_at=now + backoff(job.attempts))
        with self._factory() as session, session.begin():
            result = session.execute(
                update(ScheduledJob)
                .where(self._ours(job))
                .values(**values)
                .execution_options(synchronize_session=False)
            )
            if _rowcount(result) != 1:
                return JOB_RUNNING
        return str(values["status"])

    # Effects ------------------------------------------------------------------------

    def begin_effect(self, job: ClaimedJob, effect_key: str) -> bool:
        """Renew the lease and tell whether an effect still has to be delivered.

        Args:
            job: The claimed job about to deliver the effect.
            effect_key: Stable key of the effect (a message to one recipient).

        Returns:
            True if the effect has not been recorded yet.

        Raises:
            LeaseLost: If the job is no longer this worker's.
        """
        with self._factory() as session, session.begin():
            self.renew(job, session)
            found = session.scalar(
                select(SentEffect.id).where(
                    SentEffect.workspace_id == job.workspace_id,
                    SentEffect.effect_key == effect_key,
                )
            )
            return found is None

    def record_effect(self, job: ClaimedJob, effect_key: str) -> None:
        """Remember that an effect was delivered, so no re-run delivers it again.

        Args:
            job: The job that delivered it.
            effect_key: Stable key of the effect.
        """
        table = SentEffect.__table__
        assert isinstance(table, Table)
        row = {
            "workspace_id": job.workspace_id,
            "effect_key": effect_key,
            "job_id": job.id,
            "created_at": self.clock.now(),
        }
        with self._factory() as session, session.begin():
            insert_ignoring_duplicates(session, table, [row], ["workspace_id", "effect_key"])

    # Looking ------------------------------------------------------------------------

    def next_due(self) -> datetime | None:
        """The earliest moment at which some job becomes claimable, if any."""
        with self._factory() as session:
            pending = session.scalar(
                select(func.min(ScheduledJob.due_at)).where(ScheduledJob.status == JOB_PENDING)
            )
            leased = session.scalar(
                select(func.min(ScheduledJob.lease_until)).where(ScheduledJob.status == JOB_RUNNING)
            )
        moments = [m for m in (pending, leased) if m is not None]
        return min(moments) if moments else None

    def jobs(
        self, workspace_id: str | None = None, status: str | None = None, limit: int = 200
    ) -> list[ScheduledJob]:
        """Jobs for display, soonest first (detached from their session).

        Args:
            workspace_id: Only this workspace's jobs.
            status: Only jobs with this status.
            limit: At most this many.

        Returns:
            The jobs.
        """
        stmt = select(ScheduledJob).order_by(ScheduledJob.due_at, ScheduledJob.id).limit(limit)
        if workspace_id is not None:
            stmt = stmt.where(ScheduledJob.workspace_id == workspace_id)
        if status is not None:
            stmt = stmt.where(ScheduledJob.status == status)
        with self._factory() as session:
            found = list(session.scalars(stmt).all())
            session.expunge_all()
            return found

    def drop_future_jobs(self, session: Session, workspace_id: str, kinds: Sequence[str]) -> int:
        """Delete pending jobs of ``kinds`` not yet due (used when a schedule is replaced).

        Args:
            session: Session in an open transaction (the caller commits).
            workspace_id: The workspace.
            kinds: Job kinds to drop.

        Returns:
            How many jobs were deleted.
        """
        result = session.execute(
            delete(ScheduledJob)
            .where(
                ScheduledJob.workspace_id == workspace_id,
                ScheduledJob.status == JOB_PENDING,
                ScheduledJob.attempts == 0,
                ScheduledJob.kind.in_(list(kinds)),
                ScheduledJob.due_at > self.clock.now(),
            )
            .execution_options(synchronize_session=False)
        )
        return _rowcount(result)


def _rowcount(result: Any) -> int:
    return int(getattr(result, "rowcount", 0) or 0)
