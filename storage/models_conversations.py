"""Conversation references: where the bot can reach a person proactively on a platform.

Teams only lets a bot open a personal chat with someone who has installed the app; the
bot learns the chat (and the service URL to call) from the person's first activity or
the installation. One row per person and platform in a workspace (a Teams tenant).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.models import REF_LEN, WORKSPACE_LEN, Base


class ChatConversation(Base):
    """The personal chat of one person with the bot on one platform."""

    __tablename__ = "chat_conversations"
    __table_args__ = (UniqueConstraint("workspace_id", "platform", "chat_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[str] = mapped_column(String(WORKSPACE_LEN))
    platform: Mapped[str] = mapped_column(String(16))
    #: The person's chat identity (Teams: the Entra object id).
    chat_id: Mapped[str] = mapped_column(String(REF_LEN))
    #: The platform's own user id in the bot's conversations (Teams: ``29:…``).
    user_ref: Mapped[str] = mapped_column(String(REF_LEN))
    conversation_id: Mapped[str] = mapped_column(String(REF_LEN))
    service_url: Mapped[str] = mapped_column(String(REF_LEN))
    updated_at: Mapped[datetime]
