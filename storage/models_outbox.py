"""The outbox: every message the bot must post, written before it is sent.

A row is written ``pending`` (with a lease held by the process that wrote it) before the
event that caused it is acknowledged, so a process killed after the ack leaves a row a
resender takes over once the lease has expired. Platform-neutral: ``payload`` is whatever
the platform adapter needs to make the call, opaque to everyone else.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.models import REF_LEN, WORKSPACE_LEN, Base

POST_PENDING = "pending"
POST_SENT = "sent"
POST_FAILED = "failed"
POST_DEAD = "dead"
POST_STATUSES = (POST_PENDING, POST_SENT, POST_FAILED, POST_DEAD)


class ChatPost(Base):
    """One outgoing chat post (message, ephemeral note, reaction, file) under a unique key.

    ``claimed_until`` is the lease: while it lies in the future only its holder may send the
    row. ``failed`` rows are tried again from ``next_attempt_at``; ``dead`` ones are given up
    (the platform refused them for good, or they ran out of attempts).
    """

    __tablename__ = "chat_posts"
    __table_args__ = (
        UniqueConstraint("workspace_id", "post_key"),
        Index("ix_chat_posts_due", "status", "next_attempt_at"),
        Index("ix_chat_posts_lease", "status", "claimed_until"),
        # Selective columns first: an index leading with workspace_id (one value per
        # install) could be picked for a lookup by post key without statistics (0018).
        Index("ix_chat_posts_round", "round_id", "workspace_id"),
        Index("ix_chat_posts_landed", "channel", "ts", "workspace_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[str] = mapped_column(String(WORKSPACE_LEN))
    platform: Mapped[str] = mapped_column(String(16), default="slack")
    post_key: Mapped[str] = mapped_column(String(REF_LEN))
    round_id: Mapped[int | None] = mapped_column(Integer)
    participation_id: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16))
    payload: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    claimed_until: Mapped[datetime | None]
    next_attempt_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]
    channel: Mapped[str | None] = mapped_column(String(REF_LEN))
    ts: Mapped[str | None] = mapped_column(String(64))
