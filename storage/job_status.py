"""The states of a scheduled job (``scheduled_jobs.status``), apart from the table's model
so that the command line can offer them without loading SQLAlchemy."""

from __future__ import annotations

JOB_PENDING = "pending"
JOB_RUNNING = "running"
JOB_DONE = "done"
JOB_FAILED = "failed"
JOB_CANCELLED = "cancelled"
JOB_STATUSES = (JOB_PENDING, JOB_RUNNING, JOB_DONE, JOB_FAILED, JOB_CANCELLED)
