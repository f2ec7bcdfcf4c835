"""Operations service: read-only questions the health check and the metrics ask of the
database, one short session each (the adapters never open one themselves)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from storage import ops
from storage.repository import Repository


@dataclass(frozen=True)
class UnitInfo:
    """A unit of the organisation as the health check needs it."""

    key: str
    name: str
    level_key: str
    parent_key: str | None
    channel_ref: str | None
    managers: tuple[str, ...]


class OpsQueries:
    """Read-only operations queries on one database."""

    def __init__(self, session_factory: sessionmaker[Session]) -> None:
        self.session_factory = session_factory

    def ping(self) -> None:
        """Raise if the database does not answer."""
        with self.session_factory() as session:
            ops.ping(session)

    def database_now(self) -> datetime:
        """The database server's clock (UTC)."""
        with self.session_factory() as session:
            return ops.database_now(session)

    def outbox(self) -> ops.OutboxStats:
        """Posts owed to Slack and the oldest one's age."""
        with self.session_factory() as session:
            return ops.outbox_stats(session)

    def jobs(self, now: datetime) -> ops.JobStats:
        """Scheduler jobs due, running and failed."""
        with self.session_factory() as session:
            return ops.job_stats(session, now)

    def open_rounds(self) -> list[ops.RoundRate]:
        """Open rounds with their response counts."""
        with self.session_factory() as session:
            return ops.open_round_rates(session)

    def round_channels(self, workspace: str) -> list[str]:
        """Channels the open rounds of ``workspace`` post to."""
        with self.session_factory() as session:
            return ops.open_round_channels(session, workspace)

    def round_people(self, workspace: str) -> list[str]:
        """Chat ids of the people who are asked in the open rounds of ``workspace``."""
        with self.session_factory() as session:
            return ops.open_round_people(session, workspace)

    def workspaces(self) -> list[str]:
        """Workspaces with an organisation."""
        with self.session_factory() as session:
            return ops.organised_workspaces(session)

    def units(self, workspace: str) -> list[UnitInfo]:
        """The organisation of ``workspace``: units with their managers' chat ids."""
        with self.session_factory() as session:
            units = Repository(session, workspace).units()
            by_id = {u.id: u.key for u in units}
            return [
                UnitInfo(
                    key=u.key,
                    name=u.name,
                    level_key=u.level_key,
                    parent_key=by_id.get(u.parent_id) if u.parent_id is not None else None,
                    channel_ref=u.channel_ref,
                    managers=tuple(p.chat_id for p in u.managers),
                )
                for u in units
            ]
