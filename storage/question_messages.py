"""Queries on :class:`storage.models_question_messages.QuestionMessage`, scoped by workspace."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Table, bindparam, select, update
from sqlalchemy.orm import Session, joinedload

from storage.models import Participation, Round
from storage.models_question_messages import OPEN, QuestionMessage


class QuestionMessageRepository:
    """Where question messages were posted, for one workspace inside a unit of work."""

    def __init__(self, session: Session, workspace_id: str) -> None:
        self.session = session
        self.workspace_id = workspace_id

    def add(
        self,
        participation_id: int,
        question_key: str,
        platform: str,
        conversation: str,
        message_ts: str,
        now: datetime,
    ) -> QuestionMessage:
        """Record a freshly posted question message (showing the question and its buttons)."""
        row = QuestionMessage(
            workspace_id=self.workspace_id,
            participation_id=participation_id,
            question_key=question_key,
            platform=platform,
            conversation=conversation,
            message_ts=message_ts,
            shown=OPEN,
            created_at=now,
        )
        self.session.add(row)
        return row

    def exists(self, platform: str, conversation: str, message_ts: str) -> bool:
        """Whether the message ``message_ts`` in ``conversation`` is recorded already."""
        stmt = select(QuestionMessage.id).where(
            QuestionMessage.workspace_id == self.workspace_id,
            QuestionMessage.platform == platform,
            QuestionMessage.conversation == conversation,
            QuestionMessage.message_ts == message_ts,
        )
        return self.session.scalars(stmt).first() is not None

    def of_participation(
        self, participation_id: int, platform: str
    ) -> tuple[Participation | None, list[QuestionMessage]]:
        """A participation (with its round, template and answers) and its recorded messages
        on ``platform``, oldest first, in one statement; (None, []) without messages."""
        rows = (
            self.session.execute(
                select(QuestionMessage, Participation)
                .join(Participation, Participation.id == QuestionMessage.participation_id)
                .options(
                    # The template comes from the kernel's cache by snapshot id: not its
                    # stored body (JSON) with every refresh.
                    joinedload(Participation.round).lazyload(Round.template),
                    joinedload(Participation.answers),
                )
                .where(
                    QuestionMessage.workspace_id == self.workspace_id,
                    QuestionMessage.participation_id == participation_id,
                    QuestionMessage.platform == platform,
                    Participation.workspace_id == self.workspace_id,
                )
                .order_by(QuestionMessage.id)
            )
            .unique()
            .all()
        )
        if not rows:
            return None, []
        return rows[0][1], [message for message, _ in rows]

    def set_shown(self, message_id: int, shown: str) -> None:
        """Remember what the message shows now (a Core statement built once: no ORM
        bulk-update machinery for one row)."""
        self.session.connection().execute(
            _SET_SHOWN, {"w": self.workspace_id, "message": message_id, "state": shown}
        )


def _set_shown() -> Any:
    table = QuestionMessage.__table__
    assert isinstance(table, Table)
    return (
        update(table)
        .where(table.c.workspace_id == bindparam("w"), table.c.id == bindparam("message"))
        .values(shown=bindparam("state"))
    )


_SET_SHOWN = _set_shown()
