"""Queries on tracked activities (:mod:`storage.models_chain`), scoped by workspace.

The rules of the chain (what is proposed, confirmed, followed up) live in
:mod:`bot.chain.activities`; this module only reads and writes the rows.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, Insert, delete, exists, insert, or_, select
from sqlalchemy.orm import Session

from storage.models import Round
from storage.models_chain import Activity, ActivityEvent


@dataclass(frozen=True)
class NewActivity:
    """An activity to insert, with the one event that records where it came from."""

    unit_id: int
    round_id: int
    answer_id: int
    question_key: str
    position: int
    title: str
    owner: str | None
    status: str
    #: The event's kind, round and participation (None in anonymous rounds).
    event_kind: str
    event_round_id: int | None
    event_participation_id: int | None


# Built once: Core bulk inserts (the unit of work's flush of one instance per activity and
# per event cost several milliseconds per answer).
_INSERT_ACTIVITIES: Insert = insert(Activity).returning(Activity.id, sort_by_parameter_order=True)
_INSERT_EVENTS: Insert = insert(ActivityEvent)


class ActivityRepository:
    """Activities and their events of one workspace inside a unit of work."""

    def __init__(self, session: Session, workspace_id: str) -> None:
        self.session = session
        self.workspace_id = workspace_id

    def of_answer(self, answer_id: int) -> list[Activity]:
        """The activities derived from one answer, in their order."""
        stmt = (
            select(Activity)
            .where(Activity.workspace_id == self.workspace_id, Activity.answer_id == answer_id)
            .order_by(Activity.position, Activity.id)
        )
        return list(self.session.scalars(stmt).unique().all())

    def insert(self, activities: Sequence[NewActivity], now: datetime) -> list[int]:
        """Insert ``activities`` and their first events (two statements, none when empty);
        their ids, in order. Nothing enters the session: read them back with a query."""
        if not activities:
            return []
        ws = self.workspace_id
        rows = [
            {
                "workspace_id": ws,
                "unit_id": a.unit_id,
                "round_id": a.round_id,
                "answer_id": a.answer_id,
                "question_key": a.question_key,
                "position": a.position,
                "title": a.title,
                "owner": a.owner,
                "status": a.status,
                "status_note": "",
                "created_at": now,
                "updated_at": now,
            }
            for a in activities
        ]
        conn = self.session.connection()
        ids = [row[0] for row in conn.execute(_INSERT_ACTIVITIES, rows)]
        conn.execute(
            _INSERT_EVENTS,
            [
                {
                    "workspace_id": ws,
                    "activity_id": activity_id,
                    "round_id": a.event_round_id,
                    "participation_id": a.event_participation_id,
                    "kind": a.event_kind,
                    "status": a.status,
                    "note": "",
                    "created_at": now,
                }
                for activity_id, a in zip(ids, activities, strict=True)
            ],
        )
        return ids

    def drop_of_answer(self, answer_id: int) -> None:
        """Delete the activities derived from one answer (and, by cascade, their events)."""
        self.session.execute(
            delete(Activity).where(
                Activity.workspace_id == self.workspace_id, Activity.answer_id == answer_id
            )
        )

    def pending_followups(
        self, unit_id: int, round_: Round, kinds: Collection[str], statuses: Collection[str]
    ) -> list[Activity]:
        """Activities of ``unit_id`` with a status in ``statuses``, named in a non-anonymous
        round started before ``round_``, that have no event of ``kinds`` in ``round_`` yet;
        oldest round first."""
        stmt = (
            select(Activity)
            .join(Round, Round.id == Activity.round_id)
            .where(*self._pending(unit_id, round_.id, round_.created_at, kinds, statuses))
            .order_by(Round.created_at, Activity.round_id, Activity.position, Activity.id)
        )
        return list(self.session.scalars(stmt).unique().all())

    def has_pending_followups(
        self,
        unit_id: int,
        round_id: int,
        round_created_at: datetime,
        kinds: Collection[str],
        statuses: Collection[str],
    ) -> bool:
        """Whether :meth:`pending_followups` would find any (one cheap statement, for the
        answer hot path)."""
        found = exists(
            select(Activity.id)
            .join(Round, Round.id == Activity.round_id)
            .where(*self._pending(unit_id, round_id, round_created_at, kinds, statuses))
        )
        return bool(self.session.execute(select(found)).scalar())

    def _pending(
        self,
        unit_id: int,
        round_id: int,
        round_created_at: datetime,
        kinds: Collection[str],
        statuses: Collection[str],
    ) -> list[ColumnElement[bool]]:
        followed = exists().where(
            ActivityEvent.activity_id == Activity.id,
            ActivityEvent.round_id == round_id,
            ActivityEvent.kind.in_(list(kinds)),
        )
        return [
            Activity.workspace_id == self.workspace_id,
            Activity.unit_id == unit_id,
            Activity.status.in_(list(statuses)),
            Activity.round_id != round_id,
            Round.anonymous.is_(False),
            or_(
                Round.created_at < round_created_at,
                (Round.created_at == round_created_at) & (Round.id < round_id),
            ),
            ~followed,
        ]

    def of_unit(self, unit_id: int, statuses: Collection[str] | None = None) -> list[Activity]:
        """A unit's activities (only those with a status in ``statuses`` if given), oldest
        first."""
        stmt = select(Activity).where(
            Activity.workspace_id == self.workspace_id, Activity.unit_id == unit_id
        )
        if statuses is not None:
            stmt = stmt.where(Activity.status.in_(list(statuses)))
        stmt = stmt.order_by(Activity.created_at, Activity.round_id, Activity.position, Activity.id)
        return list(self.session.scalars(stmt).unique().all())

    def of_round(self, round_id: int) -> list[Activity]:
        """Activities named in a round, by unit, answer and position."""
        stmt = (
            select(Activity)
            .where(Activity.workspace_id == self.workspace_id, Activity.round_id == round_id)
            .order_by(Activity.unit_id, Activity.answer_id, Activity.position, Activity.id)
        )
        return list(self.session.scalars(stmt).unique().all())

    def events_in_round(self, round_id: int, kind: str) -> Sequence[ActivityEvent]:
        """The events of ``kind`` recorded in a round, in the order they happened."""
        stmt = (
            select(ActivityEvent)
            .where(
                ActivityEvent.workspace_id == self.workspace_id,
                ActivityEvent.round_id == round_id,
                ActivityEvent.kind == kind,
            )
            .order_by(ActivityEvent.id)
        )
        return self.session.scalars(stmt).all()
