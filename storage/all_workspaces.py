"""The few operations that span every workspace: the scheduler's queue and planning
lock, and the retention purge.

Everything else is scoped to one workspace through :class:`storage.repository.Repository`.
Services open one of these with :func:`all_workspaces` (committed) or
:func:`all_workspaces_read` (rolled back), the counterpart of
:class:`storage.unit_of_work.UnitOfWork` for work that has no single workspace.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from storage import personal_data
from storage.jobs import JobQueueRepository
from storage.models import Round
from storage.models_schedule import WorkspaceSchedule
from storage.schedule import ScheduleRecord, record_of


class AllWorkspaces:
    """Cross-workspace queries inside one transaction."""

    def __init__(self, session: Session) -> None:
        self.session = session

    @property
    def jobs(self) -> JobQueueRepository:
        """The job queue of every workspace (:mod:`storage.jobs`)."""
        return JobQueueRepository(self.session)

    # Planning -----------------------------------------------------------------------

    def lock_schedules(self) -> list[ScheduleRecord]:
        """Every stored schedule no other transaction is planning, locked
        (``FOR UPDATE SKIP LOCKED``) until this transaction ends."""
        rows = self.session.scalars(
            select(WorkspaceSchedule)
            .order_by(WorkspaceSchedule.id)
            .with_for_update(skip_locked=True)
        ).all()
        return [record_of(row) for row in rows]

    def set_planned_until(self, schedule_id: int, until: datetime) -> None:
        """Record how far a (locked) schedule has been turned into jobs."""
        self.session.execute(
            update(WorkspaceSchedule)
            .where(WorkspaceSchedule.id == schedule_id)
            .values(planned_until=until)
            .execution_options(synchronize_session=False)
        )

    def open_deadlines_before(self, horizon: datetime) -> list[tuple[str, int, datetime]]:
        """``(workspace, round id, deadline)`` of every open round due by ``horizon``."""
        rows = self.session.execute(
            select(Round.workspace_id, Round.id, Round.deadline_at).where(
                Round.status == "open",
                Round.deadline_at.is_not(None),
                Round.deadline_at <= horizon,
            )
        ).all()
        return [(ws, round_id, deadline) for ws, round_id, deadline in rows if deadline is not None]

    # Retention ----------------------------------------------------------------------

    def purge_post_payloads(self, before: datetime) -> int:
        """See :func:`storage.personal_data.purge_post_payloads`."""
        return personal_data.purge_post_payloads(self.session, before)

    def purge_processed_messages(self, before: datetime) -> int:
        """See :func:`storage.personal_data.purge_processed_messages`."""
        return personal_data.purge_processed_messages(self.session, before)


@contextmanager
def all_workspaces(session_factory: sessionmaker[Session]) -> Iterator[AllWorkspaces]:
    """One transaction over every workspace, committed when the block ends without an
    error (rolled back otherwise)."""
    with session_factory() as session, session.begin():
        yield AllWorkspaces(session)


@contextmanager
def all_workspaces_read(session_factory: sessionmaker[Session]) -> Iterator[AllWorkspaces]:
    """A read over every workspace; nothing is committed."""
    with session_factory() as session:
        yield AllWorkspaces(session)
