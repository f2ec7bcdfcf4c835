"""Queries on slack_sdk's installation tables (created by migration 0002) and on a
workspace's scheduled work when the app is uninstalled.

slack_sdk's store reads and writes its rows itself; only key rotation needs to rewrite
every stored token at once, and only uninstalling needs to stop a workspace's jobs.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy import column, delete, select, table, update
from sqlalchemy.orm import Session

from storage.job_status import JOB_CANCELLED, JOB_PENDING, JOB_RUNNING
from storage.models import Round
from storage.models_schedule import ScheduledJob, WorkspaceSchedule

_BOT_TOKENS = ("bot_token", "bot_refresh_token")
_USER_TOKENS = ("user_token", "user_refresh_token")
SLACK_BOTS = table("slack_bots", column("id"), *(column(c) for c in _BOT_TOKENS))
SLACK_INSTALLATIONS = table(
    "slack_installations", column("id"), *(column(c) for c in (*_BOT_TOKENS, *_USER_TOKENS))
)

CLOSE_JOB_KIND = "close_round"
UNINSTALLED = "cancelled: the app was uninstalled from the workspace"


def rewrite_tokens(session: Session, transform: Callable[[str], str]) -> int:
    """Replace every stored token ``t`` by ``transform(t)``; returns the rows changed."""
    changed = 0
    for tbl in (SLACK_BOTS, SLACK_INSTALLATIONS):
        names = [c.name for c in tbl.columns if c.name != "id"]
        for row in session.execute(select(tbl)).mappings().all():
            values = {n: transform(row[n]) for n in names if row[n] is not None}
            values = {n: v for n, v in values.items() if v != row[n]}
            if values:
                session.execute(update(tbl).where(tbl.c.id == row["id"]).values(**values))
                changed += 1
    return changed


def cancel_workspace_jobs(session: Session, workspace_id: str, now: datetime) -> int:
    """Stop everything the scheduler would still do in a workspace: its schedule is
    deleted (so nothing new is planned), its pending and running jobs are cancelled, and
    the deadline closes of its open rounds are recorded as cancelled so that planning
    never creates them. Returns how many jobs were cancelled or pre-empted."""
    session.execute(delete(WorkspaceSchedule).where(WorkspaceSchedule.workspace_id == workspace_id))
    open_rounds = session.execute(
        select(Round.id, Round.deadline_at).where(
            Round.workspace_id == workspace_id,
            Round.status == "open",
            Round.deadline_at.is_not(None),
        )
    ).all()
    keys = {f"close:{round_id}": deadline for round_id, deadline in open_rounds}
    existing = set(
        session.scalars(
            select(ScheduledJob.job_key).where(
                ScheduledJob.workspace_id == workspace_id, ScheduledJob.job_key.in_(list(keys))
            )
        )
    )
    pre_empted = 0
    for key, deadline in keys.items():
        if key in existing or deadline is None:
            continue
        session.add(
            ScheduledJob(
                workspace_id=workspace_id,
                job_key=key,
                kind=CLOSE_JOB_KIND,
                due_at=deadline,
                status=JOB_CANCELLED,
                attempts=0,
                payload={"round_id": int(key.split(":")[1])},
                outcome=UNINSTALLED,
                created_at=now,
                finished_at=now,
            )
        )
        pre_empted += 1
    session.flush()
    result = session.execute(
        update(ScheduledJob)
        .where(
            ScheduledJob.workspace_id == workspace_id,
            ScheduledJob.status.in_([JOB_PENDING, JOB_RUNNING]),
        )
        .values(
            status=JOB_CANCELLED,
            finished_at=now,
            locked_by=None,
            lease_until=None,
            outcome=UNINSTALLED,
        )
        .execution_options(synchronize_session=False)
    )
    return pre_empted + int(getattr(result, "rowcount", 0) or 0)
