"""Read-only queries for operations: the health check (``dialogbot doctor``) and the
Prometheus collector. Each is one cheap statement over all workspaces unless it says
otherwise; none of them reads answer texts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import distinct, func, literal_column, or_, select
from sqlalchemy.orm import Session

from storage.job_status import JOB_FAILED, JOB_PENDING, JOB_RUNNING
from storage.models import Answer, Participation, Person, Round, Unit
from storage.models_outbox import LEASED, RETRYING, ChatPost
from storage.models_schedule import ScheduledJob


@dataclass(frozen=True)
class OutboxStats:
    """Posts not yet delivered and when the oldest was written (UTC), if any."""

    depth: int
    oldest: datetime | None


@dataclass(frozen=True)
class JobStats:
    """Scheduler jobs that are due now, running (leased) and given up."""

    due: int
    running: int
    failed: int


@dataclass(frozen=True)
class RoundRate:
    """An open round's participations and how many have answered at least one question."""

    workspace_id: str
    round_id: int
    participations: int
    responded: int


def database_now(session: Session) -> datetime:
    """The database server's clock (UTC), to compare with this machine's."""
    value = session.execute(select(func.current_timestamp())).scalar_one()
    if isinstance(value, str):  # SQLite answers 'YYYY-MM-DD HH:MM:SS' in UTC
        value = datetime.fromisoformat(value)
    assert isinstance(value, datetime)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def ping(session: Session) -> None:
    """Raise if the database cannot answer a trivial query."""
    session.execute(select(literal_column("1"))).scalar_one()


def outbox_stats(session: Session) -> OutboxStats:
    """Depth and oldest post of the outbox (``chat_posts``): rows pending or failed (to be
    tried again), not those sent or given up (``dead``)."""
    depth, oldest = session.execute(
        select(func.count(), func.min(ChatPost.created_at)).where(or_(LEASED, RETRYING))
    ).one()
    if isinstance(oldest, str):
        oldest = datetime.fromisoformat(oldest)
    if isinstance(oldest, datetime) and oldest.tzinfo is None:
        oldest = oldest.replace(tzinfo=UTC)
    return OutboxStats(int(depth or 0), oldest)


def job_stats(session: Session, now: datetime) -> JobStats:
    """Scheduler job counts: due (pending with ``due_at <= now``), running, failed."""
    due = session.scalar(
        select(func.count()).where(ScheduledJob.status == JOB_PENDING, ScheduledJob.due_at <= now)
    )
    counts = dict(
        session.execute(
            select(ScheduledJob.status, func.count())
            .where(ScheduledJob.status.in_((JOB_RUNNING, JOB_FAILED)))
            .group_by(ScheduledJob.status)
        ).all()
    )
    return JobStats(int(due or 0), int(counts.get(JOB_RUNNING, 0)), int(counts.get(JOB_FAILED, 0)))


def open_round_rates(session: Session) -> list[RoundRate]:
    """Every open round with its participation count and how many have answered."""
    answered = (
        select(Answer.participation_id)
        .where(Answer.status == "answered")
        .group_by(Answer.participation_id)
        .subquery()
    )
    rows = session.execute(
        select(
            Round.workspace_id,
            Round.id,
            func.count(distinct(Participation.id)),
            func.count(distinct(answered.c.participation_id)),
        )
        .join(Participation, Participation.round_id == Round.id, isouter=True)
        .join(answered, answered.c.participation_id == Participation.id, isouter=True)
        .where(Round.status == "open")
        .group_by(Round.workspace_id, Round.id)
        .order_by(Round.workspace_id, Round.id)
    ).all()
    return [RoundRate(ws, int(rid), int(total), int(done)) for ws, rid, total, done in rows]


def open_round_channels(session: Session, workspace_id: str) -> list[str]:
    """Channels open rounds of a workspace post to: receiving groups and thread channels."""
    groups = session.scalars(
        select(Round.group_ref)
        .distinct()
        .where(Round.workspace_id == workspace_id, Round.status == "open")
    ).all()
    threads = session.scalars(
        select(Participation.thread_ref)
        .distinct()
        .join(Round, Round.id == Participation.round_id)
        .where(
            Round.workspace_id == workspace_id,
            Round.status == "open",
            Participation.thread_ref.is_not(None),
        )
    ).all()
    channels = {g for g in groups if g} | {t.partition(":")[0] for t in threads if t}
    return sorted(channels)


def open_round_people(session: Session, workspace_id: str) -> list[str]:
    """Chat ids of everyone with a participation in an open round of a workspace."""
    return list(
        session.scalars(
            select(Person.chat_id)
            .distinct()
            .join(Participation, Participation.person_id == Person.id)
            .join(Round, Round.id == Participation.round_id)
            .where(Round.workspace_id == workspace_id, Round.status == "open")
            .order_by(Person.chat_id)
        )
    )


def organised_workspaces(session: Session) -> list[str]:
    """Workspaces that have an organisation (at least one unit)."""
    return list(session.scalars(select(Unit.workspace_id).distinct().order_by(Unit.workspace_id)))


class OpsRepository:
    """The operations queries above on one session. Unlike the other repositories most
    of them span every workspace: they count, and never read answer texts."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def ping(self) -> None:
        """Raise if the database cannot answer a trivial query."""
        ping(self.session)

    def database_now(self) -> datetime:
        """The database server's clock (UTC)."""
        return database_now(self.session)

    def outbox_stats(self) -> OutboxStats:
        """Posts owed to the platform and the oldest one's age."""
        return outbox_stats(self.session)

    def job_stats(self, now: datetime) -> JobStats:
        """Scheduler jobs due, running and failed."""
        return job_stats(self.session, now)

    def open_round_rates(self) -> list[RoundRate]:
        """Open rounds with their response counts."""
        return open_round_rates(self.session)

    def open_round_channels(self, workspace_id: str) -> list[str]:
        """Channels the open rounds of ``workspace_id`` post to."""
        return open_round_channels(self.session, workspace_id)

    def open_round_people(self, workspace_id: str) -> list[str]:
        """Chat ids of the people asked in the open rounds of ``workspace_id``."""
        return open_round_people(self.session, workspace_id)

    def organised_workspaces(self) -> list[str]:
        """Workspaces with an organisation."""
        return organised_workspaces(self.session)
