"""The scheduler's job queue: a PostgreSQL (or SQLite) table claimed with row locks.

This module holds the pure parts (job kinds, the job values, back-off); the lifecycle is
:class:`bot.services.jobs.JobStore` and its SQL is :mod:`storage.jobs`.

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

import os
import socket
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from storage.job_status import JOB_PENDING

KIND_START_ROUND = "start_round"
KIND_START_ROUND_NOW = "start_round_now"
KIND_REMINDER = "reminder"
KIND_CLOSE_ROUND = "close_round"
KIND_PLANNING_FAILED = "planning_failed"
KIND_ABSENCE_ENDED = "absence_ended"
JOB_KINDS = (
    KIND_START_ROUND,
    KIND_START_ROUND_NOW,
    KIND_REMINDER,
    KIND_CLOSE_ROUND,
    KIND_PLANNING_FAILED,
    KIND_ABSENCE_ENDED,
)

DEFAULT_INTERVAL_S = 30.0
"""Seconds between ticks of a running worker."""

DEFAULT_LEASE = timedelta(minutes=5)
"""How long a claimed job stays with its worker without a renewal."""

DEFAULT_MAX_ATTEMPTS = 5
"""Claims after which a job that keeps failing (or keeps killing workers) is given up."""

MAX_BACKOFF = timedelta(hours=1)


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


def job_rows(jobs: Iterable[NewJob], now: datetime) -> list[dict[str, Any]]:
    """The rows that materialise ``jobs`` as pending, created at ``now``."""
    return [
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
