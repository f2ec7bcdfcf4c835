"""Queries about one person's data (export and erasure: :class:`PersonalDataRepository`,
``repo.personal_data``) and the retention purge over every workspace (module functions,
reached through :class:`storage.all_workspaces.AllWorkspaces`).

The posts queries read and change the outbox (``chat_posts``); when posts move again only
:func:`posts_addressed_to`, :func:`erase_posts_addressed_to` and
:func:`purge_post_payloads` need to follow.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import ColumnElement, Text, cast, delete, null, or_, select, update
from sqlalchemy.orm import Session, selectinload

from storage.models import (
    Answer,
    AnswerRevision,
    Participation,
    Person,
    ProcessedMessage,
    Round,
    Unit,
    UnitManager,
)
from storage.models_chain import Activity, ActivityEvent
from storage.models_outbox import ChatPost


class PersonalDataRepository:
    """Queries about one person's data in one workspace inside a unit of work."""

    def __init__(self, session: Session, workspace_id: str) -> None:
        self.session = session
        self.workspace_id = workspace_id

    def units_managed_by(self, person_id: int) -> Sequence[Unit]:
        """The units a person is listed as manager of."""
        return self.session.scalars(
            select(Unit)
            .join(UnitManager, UnitManager.unit_id == Unit.id)
            .where(Unit.workspace_id == self.workspace_id, UnitManager.person_id == person_id)
            .order_by(Unit.id)
        ).all()

    def participations_of(self, person_id: int) -> Sequence[Participation]:
        """A person's participations with round, unit, answers and every revision."""
        return (
            self.session.scalars(
                select(Participation)
                .options(
                    selectinload(Participation.round),
                    selectinload(Participation.answers).selectinload(Answer.revisions),
                )
                .where(
                    Participation.workspace_id == self.workspace_id,
                    Participation.person_id == person_id,
                )
                .order_by(Participation.id)
            )
            .unique()
            .all()
        )

    def message_keys_of(self, participation_ids: Sequence[int]) -> Sequence[ProcessedMessage]:
        """The applied incoming messages of these participations."""
        if not participation_ids:
            return []
        return self.session.scalars(
            select(ProcessedMessage)
            .where(
                ProcessedMessage.workspace_id == self.workspace_id,
                ProcessedMessage.participation_id.in_(list(participation_ids)),
            )
            .order_by(ProcessedMessage.id)
        ).all()

    def activity_events_of(self, participation_ids: Sequence[int]) -> Sequence[ActivityEvent]:
        """Activity changes (proposed, confirmed, followed up) made in these participations."""
        if not participation_ids:
            return []
        return self.session.scalars(
            select(ActivityEvent)
            .options(selectinload(ActivityEvent.activity))
            .where(
                ActivityEvent.workspace_id == self.workspace_id,
                ActivityEvent.participation_id.in_(list(participation_ids)),
            )
            .order_by(ActivityEvent.id)
        ).all()

    def activities_with_owner(self) -> Sequence[Activity]:
        """Every activity of the workspace that names an owner (ansvarig)."""
        return self.session.scalars(
            select(Activity)
            .where(Activity.workspace_id == self.workspace_id, Activity.owner.is_not(None))
            .order_by(Activity.id)
        ).all()

    def rounds_started_by(self, chat_id: str) -> Sequence[Round]:
        """Rounds a person started."""
        return self.session.scalars(
            select(Round)
            .where(Round.workspace_id == self.workspace_id, Round.created_by == chat_id)
            .order_by(Round.id)
        ).all()

    def _addressed(self, chat_id: str, channels: Sequence[str]) -> list[ColumnElement[bool]]:
        return [
            ChatPost.workspace_id == self.workspace_id,
            or_(
                ChatPost.channel == chat_id,
                ChatPost.channel.in_(list(channels)),
                cast(ChatPost.payload, Text).contains(f"<@{chat_id}>", autoescape=True),
            ),
        ]

    def posts_addressed_to(self, chat_id: str, channels: Sequence[str]) -> Sequence[ChatPost]:
        """Posts sent to a person: to their user id, in their DM ``channels``, or naming them."""
        return self.session.scalars(
            select(ChatPost).where(*self._addressed(chat_id, channels)).order_by(ChatPost.id)
        ).all()

    def erase_posts_addressed_to(self, chat_id: str, channels: Sequence[str]) -> int:
        """Drop the payload of every post addressed to a person, and their user id as channel."""
        ids = [p.id for p in self.posts_addressed_to(chat_id, channels)]
        if not ids:
            return 0
        self.session.execute(
            update(ChatPost)
            .where(ChatPost.id.in_(ids))
            .values(payload=null())
            .execution_options(synchronize_session=False)
        )
        self.session.execute(
            update(ChatPost)
            .where(ChatPost.id.in_(ids), ChatPost.channel == chat_id)
            .values(channel=None)
            .execution_options(synchronize_session=False)
        )
        return len(ids)

    def erase_person(self, person: Person, owned_activity_ids: Sequence[int]) -> dict[str, int]:
        """Remove a person and every link to them; their answers stay with the unit.

        Participations keep unit, status and answers but lose the person and the thread;
        answers and revisions lose the chat message they came from; the participations'
        applied message keys are deleted; activities owned by them lose the owner; rounds
        they started forget who did; their manager roles and the person row are deleted.
        """
        pids = [
            pid
            for pid in self.session.scalars(
                select(Participation.id).where(
                    Participation.workspace_id == self.workspace_id,
                    Participation.person_id == person.id,
                )
            )
        ]
        counts: dict[str, int] = {"participations": len(pids)}
        if pids:
            answer_ids = select(Answer.id).where(Answer.participation_id.in_(pids))
            self.session.execute(
                update(AnswerRevision)
                .where(AnswerRevision.answer_id.in_(answer_ids))
                .values(source_ref=None)
                .execution_options(synchronize_session=False)
            )
            self.session.execute(
                update(Answer)
                .where(Answer.participation_id.in_(pids))
                .values(source_ref=None)
                .execution_options(synchronize_session=False)
            )
            result = self.session.execute(
                delete(ProcessedMessage)
                .where(ProcessedMessage.participation_id.in_(pids))
                .execution_options(synchronize_session=False)
            )
            counts["message_keys"] = int(getattr(result, "rowcount", 0) or 0)
            self.session.execute(
                update(Participation)
                .where(Participation.id.in_(pids))
                .values(person_id=None, thread_ref=None)
                .execution_options(synchronize_session=False)
            )
        if owned_activity_ids:
            result = self.session.execute(
                update(Activity)
                .where(
                    Activity.workspace_id == self.workspace_id,
                    Activity.id.in_(list(owned_activity_ids)),
                )
                .values(owner=None)
                .execution_options(synchronize_session=False)
            )
            counts["activities"] = int(getattr(result, "rowcount", 0) or 0)
        self.session.execute(
            update(Round)
            .where(Round.workspace_id == self.workspace_id, Round.created_by == person.chat_id)
            .values(created_by=None)
            .execution_options(synchronize_session=False)
        )
        self.session.execute(delete(UnitManager).where(UnitManager.person_id == person.id))
        self.session.execute(delete(Person).where(Person.id == person.id))
        self.session.expire_all()
        return counts


def purge_post_payloads(session: Session, before: datetime) -> int:
    """In every workspace: forget the content of posts delivered before ``before`` (summaries, exported
    files); the rows stay, so a replayed event still finds its post and sends nothing."""
    result = session.execute(
        update(ChatPost)
        .where(
            ChatPost.status == "sent",
            ChatPost.sent_at < before,
            ChatPost.payload.is_not(None),
        )
        .values(payload=null())
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)


def purge_processed_messages(session: Session, before: datetime) -> int:
    """In every workspace: delete the keys of incoming messages applied before ``before`` (Slack redelivers
    within minutes, so old keys only tell who wrote when)."""
    result = session.execute(
        delete(ProcessedMessage)
        .where(ProcessedMessage.created_at < before)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)
