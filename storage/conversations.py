"""Queries on conversation references (:mod:`storage.models_conversations`) and on the
people's chat ids, scoped by workspace."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from storage.models import Person
from storage.models_conversations import ChatConversation
from storage.models_question_messages import OPEN, QuestionMessage


@dataclass(frozen=True)
class CardRef:
    """A posted card that shows one question of a participation, and what it shows now."""

    card_id: int
    participation_id: int
    question_ref: str
    conversation_id: str
    activity_id: str
    shown: str


@dataclass(frozen=True)
class ConversationRef:
    """Where a person is reached: their platform user id, the chat and the service URL."""

    chat_id: str
    user_ref: str
    conversation_id: str
    service_url: str


class ConversationRepository:
    """Conversation references of one workspace inside a unit of work."""

    def __init__(self, session: Session, workspace_id: str) -> None:
        self.session = session
        self.workspace_id = workspace_id

    def get(self, platform: str, chat_id: str) -> ConversationRef | None:
        """The reference stored for ``chat_id`` on ``platform``."""
        row = self._row(platform, chat_id)
        if row is None:
            return None
        return ConversationRef(row.chat_id, row.user_ref, row.conversation_id, row.service_url)

    def put(self, platform: str, ref: ConversationRef, now: datetime) -> bool:
        """Insert or update the reference; True when something changed."""
        row = self._row(platform, ref.chat_id)
        if row is None:
            self.session.add(
                ChatConversation(
                    workspace_id=self.workspace_id,
                    platform=platform,
                    chat_id=ref.chat_id,
                    user_ref=ref.user_ref,
                    conversation_id=ref.conversation_id,
                    service_url=ref.service_url,
                    updated_at=now,
                )
            )
            return True
        same = (row.user_ref, row.conversation_id, row.service_url) == (
            ref.user_ref,
            ref.conversation_id,
            ref.service_url,
        )
        if not same:
            row.user_ref = ref.user_ref
            row.conversation_id = ref.conversation_id
            row.service_url = ref.service_url
            row.updated_at = now
        return not same

    def by_conversation(self, platform: str, conversation_id: str) -> ConversationRef | None:
        """The person whose personal chat ``conversation_id`` is."""
        row = self.session.scalars(
            select(ChatConversation).where(
                ChatConversation.workspace_id == self.workspace_id,
                ChatConversation.platform == platform,
                ChatConversation.conversation_id == conversation_id,
            )
        ).first()
        if row is None:
            return None
        return ConversationRef(row.chat_id, row.user_ref, row.conversation_id, row.service_url)

    def rename_people(self, mapping: dict[str, str]) -> list[tuple[str, str]]:
        """Give people a new chat id (e.g. an e-mail address becomes an Entra object id);
        ids already taken by someone else are left alone. The renames made, in order."""
        done: list[tuple[str, str]] = []
        taken = set(
            self.session.scalars(
                select(Person.chat_id).where(Person.workspace_id == self.workspace_id)
            ).all()
        )
        for old in sorted(mapping):
            new = mapping[old]
            if old == new or old not in taken or new in taken:
                continue
            self.session.execute(
                update(Person)
                .where(Person.workspace_id == self.workspace_id, Person.chat_id == old)
                .values(chat_id=new)
            )
            taken.discard(old)
            taken.add(new)
            done.append((old, new))
        return done

    def chat_ids(self) -> list[str]:
        """Every person's chat id in the workspace."""
        return sorted(
            self.session.scalars(
                select(Person.chat_id).where(Person.workspace_id == self.workspace_id)
            ).all()
        )

    def add_card(
        self,
        platform: str,
        participation_id: int,
        question_ref: str,
        conversation_id: str,
        activity_id: str,
        now: datetime,
    ) -> None:
        """Record a posted question card (``question_messages``, platform-neutral)."""
        exists = self.session.scalars(
            select(QuestionMessage.id).where(
                QuestionMessage.workspace_id == self.workspace_id,
                QuestionMessage.platform == platform,
                QuestionMessage.conversation == conversation_id,
                QuestionMessage.message_ts == activity_id,
            )
        ).first()
        if exists is not None:
            return
        self.session.add(
            QuestionMessage(
                workspace_id=self.workspace_id,
                participation_id=participation_id,
                question_key=question_ref,
                platform=platform,
                conversation=conversation_id,
                message_ts=activity_id,
                shown=OPEN,
                created_at=now,
            )
        )

    def cards(self, platform: str, participation_id: int) -> list[CardRef]:
        """The question cards of a participation on ``platform``, oldest first."""
        rows = self.session.scalars(
            select(QuestionMessage)
            .where(
                QuestionMessage.workspace_id == self.workspace_id,
                QuestionMessage.platform == platform,
                QuestionMessage.participation_id == participation_id,
            )
            .order_by(QuestionMessage.id)
        ).all()
        return [
            CardRef(r.id, r.participation_id, r.question_key, r.conversation, r.message_ts, r.shown)
            for r in rows
        ]

    def card_at(self, platform: str, conversation_id: str, activity_id: str) -> CardRef | None:
        """The question card posted as ``activity_id`` in ``conversation_id``."""
        r = self.session.scalars(
            select(QuestionMessage).where(
                QuestionMessage.workspace_id == self.workspace_id,
                QuestionMessage.platform == platform,
                QuestionMessage.conversation == conversation_id,
                QuestionMessage.message_ts == activity_id,
            )
        ).first()
        if r is None:
            return None
        return CardRef(
            r.id, r.participation_id, r.question_key, r.conversation, r.message_ts, r.shown
        )

    def set_card_shown(self, card_id: int, shown: str) -> None:
        """Remember what a card shows now."""
        self.session.execute(
            update(QuestionMessage)
            .where(
                QuestionMessage.workspace_id == self.workspace_id,
                QuestionMessage.id == card_id,
            )
            .values(shown=shown)
        )

    def _row(self, platform: str, chat_id: str) -> ChatConversation | None:
        return self.session.scalars(
            select(ChatConversation).where(
                ChatConversation.workspace_id == self.workspace_id,
                ChatConversation.platform == platform,
                ChatConversation.chat_id == chat_id,
            )
        ).one_or_none()
