"""Tables of the årshjul scheduler: stored schedules, the job queue and sent effects.

Kept apart from :mod:`storage.models` (the dialog core) but on the same ``Base``, so
Alembic and the test fixtures see one metadata.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.job_status import JOB_PENDING
from storage.models import KEY_LEN, REF_LEN, WORKSPACE_LEN, Base

JOB_KEY_LEN = 255
WORKER_LEN = 128


class WorkspaceSchedule(Base):
    """The annual schedule of one workspace and how far it has been planned.

    ``body`` is the validated schedule as JSON (re-validated on every load);
    ``planned_until`` is the end of the window already turned into jobs.
    """

    __tablename__ = "workspace_schedules"
    __table_args__ = (UniqueConstraint("workspace_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[str] = mapped_column(String(WORKSPACE_LEN))
    source: Mapped[str] = mapped_column(String(REF_LEN))
    body: Mapped[dict[str, Any]] = mapped_column(JSON)
    default_group_ref: Mapped[str | None] = mapped_column(String(REF_LEN))
    lang: Mapped[str] = mapped_column(String(8), default="sv")
    planned_until: Mapped[datetime]
    updated_at: Mapped[datetime]


class ScheduledJob(Base):
    """One thing the scheduler must do once: start a round, remind, close a round.

    Workers claim a due job with ``SELECT … FOR UPDATE SKIP LOCKED`` and hold it under
    a lease (``locked_by``, ``lease_until``); a job whose lease ran out (its worker
    died) is claimable again.
    """

    __tablename__ = "scheduled_jobs"
    __table_args__ = (
        UniqueConstraint("workspace_id", "job_key"),
        Index("ix_scheduled_jobs_status_due", "status", "due_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[str] = mapped_column(String(WORKSPACE_LEN))
    job_key: Mapped[str] = mapped_column(String(JOB_KEY_LEN))
    kind: Mapped[str] = mapped_column(String(32))
    due_at: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(16), default=JOB_PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    locked_by: Mapped[str | None] = mapped_column(String(WORKER_LEN))
    lease_until: Mapped[datetime | None]
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    outcome: Mapped[str | None] = mapped_column(Text)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]


class SentEffect(Base):
    """An outbound message the scheduler has delivered; a re-run of a job skips it."""

    __tablename__ = "scheduler_effects"
    __table_args__ = (UniqueConstraint("workspace_id", "effect_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[str] = mapped_column(String(WORKSPACE_LEN))
    effect_key: Mapped[str] = mapped_column(String(JOB_KEY_LEN + KEY_LEN))
    job_id: Mapped[int | None] = mapped_column(ForeignKey("scheduled_jobs.id", ondelete="SET NULL"))
    created_at: Mapped[datetime]
