"""The outbox: every message the bot must post, written before it is sent.

A row is written ``pending`` (with a lease held by the process that wrote it) before the
event that caused it is acknowledged, so a process killed after the ack leaves a row a
resender takes over once the lease has expired. Platform-neutral: ``payload`` is whatever
the platform adapter needs to make the call, opaque to everyone else.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ColumnElement, Integer, String, UniqueConstraint, literal_column
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
    # The post key first: a lookup by key must not find a usable prefix in the workspace
    # (one value per install), which a plan without statistics took (migration 0019).
    __table_args__ = (UniqueConstraint("post_key", "workspace_id"),)

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


def _status_is(status: str) -> ColumnElement[bool]:
    """``status = '<status>'`` with the value written into the SQL, so the planner can match
    a query to the partial indexes of migration 0019 (below) in any plan it keeps for a
    prepared statement (a bound value is unknown to a generic plan)."""
    return ChatPost.status == literal_column(f"'{status}'")


#: Rows the resender takes over when their lease runs out.
LEASED = _status_is(POST_PENDING)
#: Rows sent again from ``next_attempt_at``.
RETRYING = _status_is(POST_FAILED)


# The outbox's other indexes are partial. Migration 0019 creates them; the model does not
# declare them, since a condition for PostgreSQL would load its dialect on SQLite too.
# ``ix_chat_posts_lease`` (claimed_until) holds LEASED rows, ``ix_chat_posts_due``
# (next_attempt_at) RETRYING ones, ``ix_chat_posts_landed`` (channel, ts, workspace_id)
# posts with a ``ts``. The update of a delivered post to "sent" adds entries to three
# indexes instead of six, and the bulk of the table (sent posts) stays out of the
# resender's indexes.
