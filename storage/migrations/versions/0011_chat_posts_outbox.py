"""chat_posts: the outbox replaces slack_posts

Every outgoing post is a row written before the event that caused it is acknowledged,
with a lease (``claimed_until``) so a resender can take over the rows of a process that
died, and ``next_attempt_at`` for failed ones. The rows of ``slack_posts`` are moved
over (``pending`` ones with an expired lease, so they are sent again) and the old table
is dropped; the downgrade moves them back. Also an index for "was a later message of
this participation applied?" (asked when a message is replayed).

Revision ID: 0011
Revises: 0005
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "chat_posts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.String(length=64), nullable=False),
        sa.Column("platform", sa.String(length=16), nullable=False),
        sa.Column("post_key", sa.String(length=255), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=True),
        sa.Column("participation_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("claimed_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("channel", sa.String(length=255), nullable=True),
        sa.Column("ts", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_chat_posts")),
        sa.UniqueConstraint(
            "workspace_id", "post_key", name=op.f("uq_chat_posts_workspace_id_post_key")
        ),
    )
    op.create_index("ix_chat_posts_due", "chat_posts", ["status", "next_attempt_at"])
    op.create_index("ix_chat_posts_lease", "chat_posts", ["status", "claimed_until"])
    op.create_index("ix_chat_posts_round", "chat_posts", ["workspace_id", "round_id"])
    op.create_index("ix_chat_posts_landed", "chat_posts", ["workspace_id", "channel", "ts"])
    op.execute(
        "INSERT INTO chat_posts (workspace_id, platform, post_key, status, payload, attempts, "
        "claimed_until, next_attempt_at, created_at, sent_at, channel, ts) "
        "SELECT workspace_id, 'slack', post_key, status, payload, attempts, "
        "CASE WHEN status = 'pending' THEN claimed_at END, "
        "CASE WHEN status = 'failed' THEN claimed_at END, "
        "claimed_at, sent_at, channel, ts FROM slack_posts"
    )
    op.drop_index("ix_slack_posts_workspace_status", table_name="slack_posts")
    op.drop_table("slack_posts")
    # A replayed message asks whether the participant has moved on since (later messages).
    op.create_index(
        "ix_processed_messages_participation", "processed_messages", ["participation_id", "id"]
    )


def downgrade() -> None:
    op.drop_index("ix_processed_messages_participation", table_name="processed_messages")
    op.create_table(
        "slack_posts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.String(length=64), nullable=False),
        sa.Column("post_key", sa.String(length=255), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("channel", sa.String(length=255), nullable=True),
        sa.Column("ts", sa.String(length=64), nullable=True),
        sa.Column("payload", sa.JSON(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_slack_posts")),
        sa.UniqueConstraint(
            "workspace_id", "post_key", name=op.f("uq_slack_posts_workspace_id_post_key")
        ),
    )
    op.create_index(
        "ix_slack_posts_workspace_status", "slack_posts", ["workspace_id", "status"], unique=False
    )
    op.execute(
        "INSERT INTO slack_posts (workspace_id, post_key, status, channel, ts, payload, "
        "attempts, claimed_at, sent_at) "
        "SELECT workspace_id, post_key, CASE WHEN status = 'dead' THEN 'failed' ELSE status END, "
        "channel, ts, payload, attempts, created_at, sent_at "
        "FROM chat_posts WHERE platform = 'slack'"
    )
    op.drop_index("ix_chat_posts_landed", table_name="chat_posts")
    op.drop_index("ix_chat_posts_round", table_name="chat_posts")
    op.drop_index("ix_chat_posts_lease", table_name="chat_posts")
    op.drop_index("ix_chat_posts_due", table_name="chat_posts")
    op.drop_table("chat_posts")
