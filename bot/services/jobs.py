"""The scheduler's job lifecycle: claim, lease, complete or retry, and delivered effects.

A job's life (see :mod:`bot.schedule.jobs` for the pure parts and ``docs/scheduler.md``)::

    pending --claim--> running --complete--> done
                          |  \\--error--> pending (later, with back-off) ... --> failed
                          \\--lease runs out (worker died)--> claimable again

Every method is its own short transaction over the queue of every workspace
(:func:`storage.all_workspaces.all_workspaces`), so a lock is never held while a job
talks to the outside world; the SQL is in :mod:`storage.jobs`.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from bot.clock import Clock
from bot.schedule.jobs import (
    DEFAULT_LEASE,
    DEFAULT_MAX_ATTEMPTS,
    ClaimedJob,
    LeaseLost,
    NewJob,
    backoff,
    job_rows,
    make_worker_id,
)
from storage.all_workspaces import all_workspaces, all_workspaces_read
from storage.job_status import JOB_DONE, JOB_FAILED, JOB_PENDING, JOB_RUNNING
from storage.jobs import JobQueueRepository, JobRow, JobView

log = logging.getLogger(__name__)

_MAX_CLAIM_RACES = 20


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
            worker_id: This worker's id (default: :func:`bot.schedule.jobs.make_worker_id`).
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
            session: Transitional, for :mod:`bot.absence_service` until it is a service:
                insert in this session's transaction (the caller commits). Services use
                ``repo.schedule.enqueue`` inside their own unit of work instead.

        Returns:
            How many jobs were new.
        """
        rows = job_rows(jobs, self.clock.now())
        if session is not None:
            return JobQueueRepository(session).insert(rows)
        with all_workspaces(self._factory) as every:
            return every.jobs.insert(rows)

    # Claiming -----------------------------------------------------------------------

    def claim(self) -> ClaimedJob | None:
        """Take the next due job under a lease, or return None when nothing is due.

        A job is due when it is pending and its ``due_at`` has come, or when it is
        running under a lease that has run out. A job already claimed
        ``max_attempts`` times is marked failed instead of being run again.
        """
        for _ in range(_MAX_CLAIM_RACES):
            now = self.clock.now()
            with all_workspaces(self._factory) as every:
                queue = every.jobs
                job = queue.next_claimable(now)
                if job is None:
                    return None
                if job.status == JOB_RUNNING and job.attempts >= self.max_attempts:
                    queue.update_seen(
                        job,
                        status=JOB_FAILED,
                        finished_at=now,
                        locked_by=None,
                        lease_until=None,
                        last_error=f"gave up: the lease ran out on all {job.attempts} "
                        f"attempts (last worker {job.locked_by})",
                    )
                    log.error(
                        "job %s (%s) abandoned after %s attempts",
                        job.id,
                        job.job_key,
                        job.attempts,
                    )
                    continue
                if job.status == JOB_RUNNING:
                    log.warning(
                        "job %s (%s): lease of %s ran out; taking it over",
                        job.id,
                        job.job_key,
                        job.locked_by,
                    )
                taken = self._take(queue, job, now)
                if taken is None:
                    continue  # another worker changed it between our read and write
                return taken
        return None

    def _take(self, queue: JobQueueRepository, job: JobRow, now: datetime) -> ClaimedJob | None:
        """Hold ``job`` under this worker's lease unless it changed since it was read."""
        taken = queue.update_seen(
            job,
            status=JOB_RUNNING,
            locked_by=self.worker_id,
            lease_until=now + self.lease,
            attempts=job.attempts + 1,
        )
        if not taken:
            return None
        return ClaimedJob(
            id=job.id,
            workspace_id=job.workspace_id,
            kind=job.kind,
            job_key=job.job_key,
            due_at=job.due_at,
            attempts=job.attempts + 1,
            payload=job.payload,
        )

    def claim_key(self, workspace_id: str, job_key: str) -> ClaimedJob | None:
        """Take one job by its key under a lease, due or not: a pending job, or a running
        one whose lease ran out. None when it does not exist, is done, failed, or held by
        another worker (also one claiming it at this moment).

        Args:
            workspace_id: The job's workspace.
            job_key: Its key.
        """
        now = self.clock.now()
        with all_workspaces(self._factory) as every:
            queue = every.jobs
            job = queue.by_key(workspace_id, job_key)
            if job is None:
                return None
            lease_out = job.status == JOB_RUNNING and (
                job.lease_until is None or job.lease_until < now
            )
            if job.status != JOB_PENDING and not lease_out:
                return None
            if lease_out and job.attempts >= self.max_attempts:
                return None  # the scheduler gives it up (see claim)
            return self._take(queue, job, now)

    def renew(self, job: ClaimedJob) -> None:
        """Extend the lease of a job this worker holds.

        Args:
            job: The claimed job.

        Raises:
            LeaseLost: If the job is no longer this worker's.
        """
        with all_workspaces(self._factory) as every:
            self._renew(every.jobs, job)

    def _renew(self, queue: JobQueueRepository, job: ClaimedJob) -> None:
        until = self.clock.now() + self.lease
        if not queue.update_held(job.id, self.worker_id, job.attempts, lease_until=until):
            raise LeaseLost(f"job {job.id} ({job.job_key}) is no longer held by {self.worker_id}")

    def complete(self, job: ClaimedJob, outcome: str = "") -> bool:
        """Mark a job done.

        Args:
            job: The claimed job.
            outcome: A short description of what it did, kept for operators.

        Returns:
            False if the job was no longer this worker's (nothing changed).
        """
        with all_workspaces(self._factory) as every:
            return every.jobs.update_held(
                job.id,
                self.worker_id,
                job.attempts,
                status=JOB_DONE,
                finished_at=self.clock.now(),
                lease_until=None,
                outcome=outcome[:2000] or None,
            )

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
        with all_workspaces(self._factory) as every:
            if not every.jobs.update_held(job.id, self.worker_id, job.attempts, **values):
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
        with all_workspaces(self._factory) as every:
            self._renew(every.jobs, job)
            return not every.jobs.effect_recorded(job.workspace_id, effect_key)

    def record_effect(self, job: ClaimedJob, effect_key: str) -> None:
        """Remember that an effect was delivered, so no re-run delivers it again.

        Args:
            job: The job that delivered it.
            effect_key: Stable key of the effect.
        """
        with all_workspaces(self._factory) as every:
            every.jobs.record_effect(job.workspace_id, effect_key, job.id, self.clock.now())

    # Looking ------------------------------------------------------------------------

    def next_due(self) -> datetime | None:
        """The earliest moment at which some job becomes claimable, if any."""
        with all_workspaces_read(self._factory) as every:
            return every.jobs.next_due()

    def jobs(
        self, workspace_id: str | None = None, status: str | None = None, limit: int = 200
    ) -> list[JobView]:
        """Jobs for display, soonest first (plain data).

        Args:
            workspace_id: Only this workspace's jobs.
            status: Only jobs with this status.
            limit: At most this many.

        Returns:
            The jobs.
        """
        with all_workspaces_read(self._factory) as every:
            return every.jobs.listed(workspace_id, status, limit)
