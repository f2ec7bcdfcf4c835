"""Which chat message shows which question of which participation.

A question message is posted once per prompt (the first question, the next one, a
reminder carrying the question). Recording where it is lets the bot update it later
(answered, skipped, edited) and drop buttons that no longer apply. ``shown`` is the
state the message shows now, so a refresh only touches messages whose state changed.
The table is platform-neutral: ``conversation`` is a Slack channel (or a Teams
conversation), ``message_ts`` the platform's message id.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.models import REF_LEN, WORKSPACE_LEN, Base

#: Question keys plus a follow-up's activity id (``activity-followup.12``).
QUESTION_REF_LEN = 160
SHOWN_LEN = 64
#: The state of a freshly posted question: the question with its buttons.
OPEN = "open"


class QuestionMessage(Base):
    """A posted message that shows one question of one participation."""

    __tablename__ = "question_messages"
    # The message first, workspace last: a lookup by id or by participation must not find
    # a usable prefix here (migration 0018).
    __table_args__ = (UniqueConstraint("conversation", "message_ts", "platform", "workspace_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[str] = mapped_column(String(WORKSPACE_LEN))
    participation_id: Mapped[int] = mapped_column(
        ForeignKey("participations.id", ondelete="CASCADE"), index=True
    )
    question_key: Mapped[str] = mapped_column(String(QUESTION_REF_LEN))
    platform: Mapped[str] = mapped_column(String(16))
    conversation: Mapped[str] = mapped_column(String(REF_LEN))
    message_ts: Mapped[str] = mapped_column(String(64))
    shown: Mapped[str] = mapped_column(String(SHOWN_LEN), default=OPEN)
    created_at: Mapped[datetime]
