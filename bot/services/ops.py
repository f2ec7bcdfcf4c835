"""Operations use cases: read-only questions the health check and the metrics ask of the
database, one short unit of work each (the adapters never open one themselves)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.services.kernel import ServiceKernel
from storage import ops
from storage.repository import Repository

#: The workspace a cross-workspace question is asked in (the queries ignore it).
ANY_WORKSPACE = ""


@dataclass(frozen=True)
class UnitInfo:
    """A unit of the organisation as the health check needs it."""

    key: str
    name: str
    level_key: str
    parent_key: str | None
    channel_ref: str | None
    managers: tuple[str, ...]


class Ops:
    """Read-only operations queries on one database."""

    def __init__(self, kernel: ServiceKernel) -> None:
        self.kernel = kernel

    def ping(self) -> None:
        """Raise if the database does not answer."""
        self.kernel.read(ANY_WORKSPACE, lambda repo: repo.ops.ping())

    def database_now(self) -> datetime:
        """The database server's clock (UTC)."""
        return self.kernel.read(ANY_WORKSPACE, lambda repo: repo.ops.database_now())

    def outbox(self) -> ops.OutboxStats:
        """Posts owed to Slack and the oldest one's age."""
        return self.kernel.read(ANY_WORKSPACE, lambda repo: repo.ops.outbox_stats())

    def jobs(self, now: datetime) -> ops.JobStats:
        """Scheduler jobs due, running and failed."""
        return self.kernel.read(ANY_WORKSPACE, lambda repo: repo.ops.job_stats(now))

    def open_rounds(self) -> list[ops.RoundRate]:
        """Open rounds with their response counts."""
        return self.kernel.read(ANY_WORKSPACE, lambda repo: repo.ops.open_round_rates())

    def round_channels(self, workspace: str) -> list[str]:
        """Channels the open rounds of ``workspace`` post to."""
        return self.kernel.read(workspace, lambda repo: repo.ops.open_round_channels(workspace))

    def round_people(self, workspace: str) -> list[str]:
        """Chat ids of the people who are asked in the open rounds of ``workspace``."""
        return self.kernel.read(workspace, lambda repo: repo.ops.open_round_people(workspace))

    def workspaces(self) -> list[str]:
        """Workspaces with an organisation."""
        return self.kernel.read(ANY_WORKSPACE, lambda repo: repo.ops.organised_workspaces())

    def units(self, workspace: str) -> list[UnitInfo]:
        """The organisation of ``workspace``: units with their managers' chat ids."""

        def work(repo: Repository) -> list[UnitInfo]:
            units = repo.units()
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

        return self.kernel.read(workspace, work)
