"""Workspace-scoped queries. Every method filters by the workspace it was opened for,
so one workspace can never read or touch another's rows."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session, contains_eager, joinedload, selectinload

from storage.anonymise import Coarsen, anonymise_round
from storage.conversations import ConversationRepository
from storage.models import (
    Answer,
    Level,
    Participation,
    Person,
    ProcessedMessage,
    Round,
    TemplateSnapshot,
    Unit,
)
from storage.models_settings import DEFAULT_ANONYMITY_K, WorkspaceSettings


class Repository:
    """Data access for one workspace inside one unit of work."""

    def __init__(self, session: Session, workspace_id: str) -> None:
        self.session = session
        self.workspace_id = workspace_id

    @property
    def conversations(self) -> ConversationRepository:
        """Conversation references and posted question cards of this workspace."""
        return ConversationRepository(self.session, self.workspace_id)

    def add(self, obj: object) -> None:
        """Stage a new object for insertion, stamping it with the workspace."""
        if hasattr(obj, "workspace_id") and not getattr(obj, "workspace_id", None):
            obj.workspace_id = self.workspace_id
        self.session.add(obj)

    def flush(self) -> None:
        """Send pending changes so generated ids are known."""
        self.session.flush()

    # Organisation -----------------------------------------------------------------

    def levels(self) -> Sequence[Level]:
        """All levels, top first."""
        stmt = select(Level).where(Level.workspace_id == self.workspace_id).order_by(Level.rank)
        return self.session.scalars(stmt).all()

    def level(self, key: str) -> Level | None:
        """The level with ``key``."""
        stmt = select(Level).where(Level.workspace_id == self.workspace_id, Level.key == key)
        return self.session.scalars(stmt).one_or_none()

    def units(self) -> Sequence[Unit]:
        """All units of the workspace, with their managers."""
        stmt = (
            select(Unit)
            .options(selectinload(Unit.managers))
            .where(Unit.workspace_id == self.workspace_id)
            .order_by(Unit.id)
        )
        return self.session.scalars(stmt).all()

    def unit(self, key: str) -> Unit | None:
        """The unit with ``key``."""
        stmt = select(Unit).where(Unit.workspace_id == self.workspace_id, Unit.key == key)
        return self.session.scalars(stmt).one_or_none()

    def unit_by_id(self, unit_id: int) -> Unit | None:
        """The unit with database id ``unit_id``."""
        stmt = select(Unit).where(Unit.workspace_id == self.workspace_id, Unit.id == unit_id)
        return self.session.scalars(stmt).one_or_none()

    def people(self) -> Sequence[Person]:
        """All people of the workspace."""
        stmt = select(Person).where(Person.workspace_id == self.workspace_id).order_by(Person.id)
        return self.session.scalars(stmt).all()

    def person(self, chat_id: str) -> Person | None:
        """The person with chat identity ``chat_id``."""
        stmt = select(Person).where(
            Person.workspace_id == self.workspace_id, Person.chat_id == chat_id
        )
        return self.session.scalars(stmt).one_or_none()

    # Templates --------------------------------------------------------------------

    def snapshot(self, key: str, version: int, content_hash: str) -> TemplateSnapshot | None:
        """A stored template snapshot with exactly that content."""
        stmt = select(TemplateSnapshot).where(
            TemplateSnapshot.workspace_id == self.workspace_id,
            TemplateSnapshot.key == key,
            TemplateSnapshot.version == version,
            TemplateSnapshot.content_hash == content_hash,
        )
        return self.session.scalars(stmt).one_or_none()

    # Rounds -----------------------------------------------------------------------

    def round(self, round_id: int, *, for_update: bool = False) -> Round | None:
        """The round with id ``round_id`` in this workspace."""
        if not _fits(round_id):
            return None
        stmt = select(Round).where(Round.workspace_id == self.workspace_id, Round.id == round_id)
        if for_update:
            stmt = stmt.with_for_update(of=Round)
        return self.session.scalars(stmt).one_or_none()

    def round_by_external_key(self, external_key: str) -> Round | None:
        """The round created for an idempotency key (a modal submission, a schedule slot)."""
        stmt = select(Round).where(
            Round.workspace_id == self.workspace_id, Round.external_key == external_key
        )
        return self.session.scalars(stmt).one_or_none()

    def rounds(self, status: str | None = None) -> Sequence[Round]:
        """Rounds, newest first, optionally only those with ``status``."""
        stmt = select(Round).where(Round.workspace_id == self.workspace_id)
        if status:
            stmt = stmt.where(Round.status == status)
        return self.session.scalars(stmt.order_by(Round.id.desc())).all()

    # Participations ---------------------------------------------------------------

    def participation(self, participation_id: int) -> Participation | None:
        """A participation with its round, unit and person loaded in one statement."""
        if not _fits(participation_id):
            return None
        stmt = (
            select(Participation)
            .options(joinedload(Participation.round))
            .where(
                Participation.workspace_id == self.workspace_id,
                Participation.id == participation_id,
            )
        )
        return self.session.scalars(stmt).unique().one_or_none()

    def participation_and_seen(
        self, participation_id: int, message_key: str
    ) -> tuple[Participation | None, bool]:
        """A participation with its round and answers, and whether ``message_key`` was
        already applied in this workspace, in one statement: the hot path of every answer."""
        if not _fits(participation_id):
            return None, False
        return self._participation_and_seen(Participation.id == participation_id, message_key)

    def participation_by_thread_and_seen(
        self, thread_ref: str, message_key: str
    ) -> tuple[Participation | None, bool]:
        """As :meth:`participation_and_seen`, for the participation living in ``thread_ref``."""
        return self._participation_and_seen(Participation.thread_ref == thread_ref, message_key)

    def _participation_and_seen(
        self, which: ColumnElement[bool], message_key: str
    ) -> tuple[Participation | None, bool]:
        seen = (
            select(ProcessedMessage.id)
            .where(
                ProcessedMessage.workspace_id == self.workspace_id,
                ProcessedMessage.message_key == message_key,
            )
            .exists()
        )
        # FOR KEY SHARE of the round: an answer and closing the round (FOR UPDATE in
        # ``round(for_update=True)``) serialise, so an answer never lands in a closed round;
        # answers do not block each other. SQLite serialises writers anyway.
        stmt = (
            select(Participation, seen.label("seen"))
            .join(Participation.round)
            .options(contains_eager(Participation.round), joinedload(Participation.answers))
            .where(Participation.workspace_id == self.workspace_id, which)
            .order_by(Participation.id)
            .with_for_update(read=True, key_share=True, of=Round)
        )
        row = self.session.execute(stmt).unique().first()
        return (None, False) if row is None else (row[0], bool(row[1]))

    def participation_by_thread(self, thread_ref: str) -> Participation | None:
        """The participation whose conversation lives in ``thread_ref``."""
        stmt = (
            select(Participation)
            .options(joinedload(Participation.round))
            .where(
                Participation.workspace_id == self.workspace_id,
                Participation.thread_ref == thread_ref,
            )
        )
        return self.session.scalars(stmt).unique().first()

    def participations(self, round_id: int) -> Sequence[Participation]:
        """All participations of a round with their answers."""
        stmt = (
            select(Participation)
            .options(selectinload(Participation.answers))
            .where(
                Participation.workspace_id == self.workspace_id,
                Participation.round_id == round_id,
            )
            .order_by(Participation.id)
        )
        return self.session.scalars(stmt).unique().all()

    def open_participations_of(
        self, chat_id: str, *, include_finished: bool = False
    ) -> Sequence[Participation]:
        """A person's unfinished participations in open rounds (with ``include_finished``,
        also those they have finished while the round is still open)."""
        stmt = (
            select(Participation)
            .join(Participation.person)
            .join(Participation.round)
            .options(joinedload(Participation.round))
            .where(
                Participation.workspace_id == self.workspace_id,
                Person.chat_id == chat_id,
                Round.status == "open",
                *(() if include_finished else (Participation.status != "finished",)),
            )
            .order_by(Participation.id)
        )
        return self.session.scalars(stmt).unique().all()

    def response_counts(self, round_id: int) -> dict[int, int]:
        """Answered questions per participation id, for status overviews."""
        stmt = (
            select(Answer.participation_id, func.count())
            .join(Participation, Participation.id == Answer.participation_id)
            .where(
                Participation.workspace_id == self.workspace_id,
                Participation.round_id == round_id,
                Answer.status == "answered",
            )
            .group_by(Answer.participation_id)
        )
        return {pid: int(n) for pid, n in self.session.execute(stmt).all()}

    def anonymise_round(
        self,
        round_id: int,
        pool_of: Mapping[int, int],
        withheld: Collection[int],
        top_unit_id: int | None,
        coarsen: Coarsen,
    ) -> None:
        """Erase every link between people and answers of a closed anonymous round
        (see :func:`storage.anonymise.anonymise_round`)."""
        anonymise_round(
            self.session, self.workspace_id, round_id, pool_of, withheld, top_unit_id, coarsen
        )

    # Settings ---------------------------------------------------------------------

    def anonymity_k(self) -> int:
        """The workspace's minimum pool size for anonymous rounds (default 3)."""
        row = self.session.get(WorkspaceSettings, self.workspace_id)
        return row.anonymity_k if row is not None else DEFAULT_ANONYMITY_K

    def set_anonymity_k(self, k: int) -> None:
        """Change the workspace's minimum pool size (rounds already started keep theirs)."""
        row = self.session.get(WorkspaceSettings, self.workspace_id)
        if row is None:
            self.session.add(WorkspaceSettings(workspace_id=self.workspace_id, anonymity_k=k))
        else:
            row.anonymity_k = k

    # Answers ----------------------------------------------------------------------

    def answer(self, participation_id: int, question_key: str) -> Answer | None:
        """The current answer of a participation to a question."""
        stmt = select(Answer).where(
            Answer.workspace_id == self.workspace_id,
            Answer.participation_id == participation_id,
            Answer.question_key == question_key,
        )
        return self.session.scalars(stmt).one_or_none()

    def answers(self, participation_id: int) -> Sequence[Answer]:
        """All current answers of a participation."""
        stmt = select(Answer).where(
            Answer.workspace_id == self.workspace_id,
            Answer.participation_id == participation_id,
        )
        return self.session.scalars(stmt).all()

    def answer_by_source(self, source_ref: str) -> Answer | None:
        """The answer that came from chat message ``source_ref``."""
        stmt = (
            select(Answer)
            .options(joinedload(Answer.participation).joinedload(Participation.round))
            .where(Answer.workspace_id == self.workspace_id, Answer.source_ref == source_ref)
        )
        return self.session.scalars(stmt).unique().first()


ID_MAX = 2**31 - 1
"""Largest value of an integer primary key on every backend (PostgreSQL ``integer``)."""


def _fits(row_id: int) -> bool:
    """False for ids no row can have: looking them up would overflow the driver."""
    return 1 <= row_id <= ID_MAX
