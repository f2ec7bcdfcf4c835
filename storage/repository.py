"""Workspace-scoped queries. Every method filters by the workspace it was opened for,
so one workspace can never read or touch another's rows."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import ColumnElement, func, insert, or_, select
from sqlalchemy.orm import Session, contains_eager, joinedload, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from bot.domain.pooling import DEFAULT_ANONYMITY_K
from bot.domain.shapes import SummaryRows
from storage.anonymise import Coarsen, anonymise_round
from storage.models import (
    Answer,
    Level,
    Participation,
    Person,
    ProcessedMessage,
    Round,
    TemplateSnapshot,
    Unit,
    UnitManager,
)
from storage.models_settings import WorkspaceSettings
from storage.outbox import NewPost, insert_pending
from storage.summary_rows import summary_rows

if TYPE_CHECKING:
    # Imported where used: a command loads only the parts (and their models) it calls;
    # answer_path and landings would load SQLAlchemy's PostgreSQL dialect, which a command
    # on SQLite never needs.
    from storage.absences import AbsenceRepository
    from storage.activities import ActivityRepository
    from storage.answer_path import AnswerState, AnswerWrite, StoredAnswer
    from storage.conversations import ConversationRepository
    from storage.history import HistoryRepository
    from storage.landings import LandingRepository
    from storage.ops import OpsRepository
    from storage.personal_data import PersonalDataRepository
    from storage.question_messages import QuestionMessageRepository
    from storage.schedule import ScheduleRepository


@dataclass(frozen=True)
class UnitOutline:
    """A unit as a plain row (a :class:`bot.domain.shapes.UnitShape`) with how many
    managers it has."""

    id: int
    key: str
    name: str
    level_key: str
    parent_id: int | None
    managers: int


class Repository:
    """Data access for one workspace inside one unit of work."""

    def __init__(self, session: Session, workspace_id: str) -> None:
        self.session = session
        self.workspace_id = workspace_id
        self._answer_write: AnswerWrite | None = None

    @property
    def landings(self) -> LandingRepository:
        """Batch writes of where posts landed (threads, announcements, question messages)."""
        from storage.landings import LandingRepository

        return LandingRepository(self.session, self.workspace_id)

    @property
    def conversations(self) -> ConversationRepository:
        """Conversation references and posted question cards of this workspace."""
        from storage.conversations import ConversationRepository

        return ConversationRepository(self.session, self.workspace_id)

    def add(self, obj: object) -> None:
        """Stage a new object for insertion, stamping it with the workspace."""
        if hasattr(obj, "workspace_id") and not getattr(obj, "workspace_id", None):
            obj.workspace_id = self.workspace_id
        self.session.add(obj)

    def flush(self) -> None:
        """Send pending changes so generated ids are known."""
        self.session.flush()

    def add_participations(
        self, round_: Round, rows: Sequence[tuple[int, int | None, str]]
    ) -> list[Participation]:
        """Insert the participations of a new (flushed) round, ``(unit id, person id,
        status)`` each, in one bulk INSERT … RETURNING (no unit-of-work per row: a round
        start of 1,000 managers spent most of its time flushing them one by one); the
        round's ``participations`` are these, in this order, without another query. Their
        unit and person come from the session (loaded by the caller)."""
        created = list(
            self.session.scalars(
                insert(Participation).returning(Participation, sort_by_parameter_order=True),
                [
                    {
                        "workspace_id": self.workspace_id,
                        "round_id": round_.id,
                        "unit_id": unit_id,
                        "person_id": person_id,
                        "status": status,
                        "position": 0,
                        "version": 1,
                    }
                    for unit_id, person_id, status in rows
                ],
            )
        )
        set_committed_value(round_, "participations", created)
        return created

    # Query modules of other concerns, scoped to the same workspace and transaction --

    @property
    def absences(self) -> AbsenceRepository:
        """Absences and what they change in open rounds (:mod:`storage.absences`)."""
        from storage.absences import AbsenceRepository

        return AbsenceRepository(self.session, self.workspace_id)

    @property
    def question_messages(self) -> QuestionMessageRepository:
        """Where question messages were posted (:mod:`storage.question_messages`)."""
        from storage.question_messages import QuestionMessageRepository

        return QuestionMessageRepository(self.session, self.workspace_id)

    @property
    def ops(self) -> OpsRepository:
        """Operations queries (:mod:`storage.ops`); most span every workspace."""
        from storage.ops import OpsRepository

        return OpsRepository(self.session)

    @property
    def activities(self) -> ActivityRepository:
        """Tracked activities and their events (:mod:`storage.activities`)."""
        from storage.activities import ActivityRepository

        return ActivityRepository(self.session, self.workspace_id)

    @property
    def history(self) -> HistoryRepository:
        """Queries over many rounds (:mod:`storage.history`)."""
        from storage.history import HistoryRepository

        return HistoryRepository(self.session, self.workspace_id)

    @property
    def personal_data(self) -> PersonalDataRepository:
        """One person's data, for access and erasure (:mod:`storage.personal_data`)."""
        from storage.personal_data import PersonalDataRepository

        return PersonalDataRepository(self.session, self.workspace_id)

    @property
    def schedule(self) -> ScheduleRepository:
        """The stored schedule and scheduled jobs (:mod:`storage.schedule`)."""
        from storage.schedule import ScheduleRepository

        return ScheduleRepository(self.session, self.workspace_id)

    # Organisation -----------------------------------------------------------------

    def levels(self) -> Sequence[Level]:
        """All levels, top first."""
        stmt = select(Level).where(Level.workspace_id == self.workspace_id).order_by(Level.rank)
        return self.session.scalars(stmt).all()

    def units(self) -> Sequence[Unit]:
        """All units of the workspace, with their managers."""
        stmt = (
            select(Unit)
            .options(selectinload(Unit.managers))
            .where(Unit.workspace_id == self.workspace_id)
            .order_by(Unit.id)
        )
        return self.session.scalars(stmt).all()

    def unit_outlines(self) -> list[UnitOutline]:
        """All units of the workspace as plain rows with their number of managers: the
        tree without loading a unit or a person (a start's checks before the ack)."""
        managers = (
            select(UnitManager.unit_id, func.count().label("n"))
            .group_by(UnitManager.unit_id)
            .subquery()
        )
        stmt = (
            select(
                Unit.id,
                Unit.key,
                Unit.name,
                Unit.level_key,
                Unit.parent_id,
                func.coalesce(managers.c.n, 0),
            )
            .outerjoin(managers, managers.c.unit_id == Unit.id)
            .where(Unit.workspace_id == self.workspace_id)
            .order_by(Unit.id)
        )
        return [UnitOutline(*row) for row in self.session.execute(stmt).all()]

    def manager_chat_ids(self, unit_ids: Collection[int]) -> list[str]:
        """The chat ids of the managers of ``unit_ids`` (whom a start would ask)."""
        stmt = (
            select(Person.chat_id)
            .join(UnitManager, UnitManager.person_id == Person.id)
            .where(Person.workspace_id == self.workspace_id, UnitManager.unit_id.in_(unit_ids))
            .distinct()
            .order_by(Person.chat_id)
        )
        return list(self.session.scalars(stmt))

    def unit(self, key: str) -> Unit | None:
        """The unit with ``key``."""
        stmt = select(Unit).where(Unit.workspace_id == self.workspace_id, Unit.key == key)
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
            .options(
                # The template comes from the kernel's cache by snapshot id.
                contains_eager(Participation.round).lazyload(Round.template),
                joinedload(Participation.answers),
            )
            .where(Participation.workspace_id == self.workspace_id, which)
            .order_by(Participation.id)
            .with_for_update(read=True, key_share=True, of=Round)
        )
        row = self.session.execute(stmt).unique().first()
        return (None, False) if row is None else (row[0], bool(row[1]))

    # The answer hot path (SQLAlchemy Core, :mod:`storage.answer_path`) -------------

    def answer_state_by_thread(self, thread_ref: str, message_key: str) -> AnswerState | None:
        """The participation living in ``thread_ref`` as plain data, with its answers and
        whether ``message_key`` was applied already; the round ``FOR KEY SHARE``. One
        statement."""
        from storage.answer_path import load_by_thread

        return load_by_thread(self.session, self.workspace_id, thread_ref, message_key)

    def answer_state(self, participation_id: int, message_key: str) -> AnswerState | None:
        """As :meth:`answer_state_by_thread`, for participation ``participation_id``."""
        if not _fits(participation_id):
            return None
        from storage.answer_path import load_by_id

        return load_by_id(self.session, self.workspace_id, participation_id, message_key)

    def template_body(self, snapshot_id: int) -> dict[str, Any] | None:
        """The stored body of a template snapshot (for a template cache miss)."""
        from storage.answer_path import template_body

        return template_body(self.session, snapshot_id)

    def defer_answer(self, write: AnswerWrite) -> None:
        """Keep the writes of a stored answer until :meth:`write_pending`, which sends them
        with the outbox rows in one round trip."""
        if self._answer_write is not None:
            raise RuntimeError("one answer per unit of work")
        self._answer_write = write

    def write_answer_now(self, write: AnswerWrite) -> StoredAnswer:
        """Apply the writes of a stored answer at once (not deferred), for an answer that
        other rows will refer to; its id and unit (see :func:`storage.answer_path.
        write_answer_now`). Posts then go in with :meth:`write_pending` on their own."""
        from storage.answer_path import write_answer_now

        return write_answer_now(self.session, write)

    def write_pending(
        self,
        posts: Sequence[NewPost],
        now: datetime,
        lease_until: datetime,
        platform: str = "slack",
    ) -> set[str]:
        """Write what is pending before the commit: a deferred answer (see
        :meth:`defer_answer`) and ``posts`` as ``pending`` outbox rows leased until
        ``lease_until``. The post keys inserted now (existing keys are skipped)."""
        write, self._answer_write = self._answer_write, None
        if write is not None:
            from storage.answer_path import write_answer

            return write_answer(self.session, write, posts, now, lease_until, platform)
        if not posts:
            return set()
        return insert_pending(self.session, self.workspace_id, posts, now, lease_until, platform)

    def unit_participations_between(
        self, unit_id: int, start: datetime, end: datetime
    ) -> Sequence[Participation]:
        """A unit's participations in rounds started in ``[start, end)``, oldest round
        first (for the unit's yearly report)."""
        stmt = (
            select(Participation)
            .join(Round, Round.id == Participation.round_id)
            .where(
                Participation.workspace_id == self.workspace_id,
                Participation.unit_id == unit_id,
                Round.created_at >= start,
                Round.created_at < end,
            )
            .order_by(Round.created_at, Round.id, Participation.id)
        )
        return self.session.scalars(stmt).unique().all()

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

    def summary_rows(self, round_id: int) -> SummaryRows:
        """What the summary of round ``round_id`` is built from, as plain rows (no ORM
        instances): its participations with their people, their answers, and the units."""
        return summary_rows(self.session, self.workspace_id, round_id)

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

    def earlier_answers(
        self,
        unit_id: int,
        round_: Round,
        template_keys: Collection[str],
        question_keys: Collection[str],
    ) -> list[tuple[Answer, Round]]:
        """The unit's answered answers to ``question_keys`` in non-anonymous rounds of
        ``template_keys`` started before ``round_``: newest round first, then by answer
        (the context a question that refers to earlier answers shows)."""
        stmt = (
            select(Answer, Round)
            .join(Participation, Participation.id == Answer.participation_id)
            .join(Round, Round.id == Participation.round_id)
            .join(TemplateSnapshot, TemplateSnapshot.id == Round.template_snapshot_id)
            .where(
                Answer.workspace_id == self.workspace_id,
                Participation.unit_id == unit_id,
                Round.id != round_.id,
                Round.anonymous.is_(False),
                or_(
                    Round.created_at < round_.created_at,
                    (Round.created_at == round_.created_at) & (Round.id < round_.id),
                ),
                TemplateSnapshot.key.in_(list(template_keys)),
                Answer.question_key.in_(list(question_keys)),
                Answer.status == "answered",
            )
            .order_by(Round.created_at.desc(), Round.id.desc(), Answer.id)
        )
        return [(a, r) for a, r in self.session.execute(stmt).unique().all()]

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
