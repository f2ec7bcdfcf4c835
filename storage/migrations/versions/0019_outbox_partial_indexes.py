"""the outbox's indexes hold only the rows their lookups look for

Revision ID: 0019
Revises: 0018
Create Date: 2026-11-30

Every post is written ``pending`` and, once delivered, updated to ``sent``; the status,
the lease and the landed message are indexed, so that update is never a HOT update and
inserts a new entry into every index of ``chat_posts``. Six indexes made twelve index
entries per post, two or three posts per answer. Now the resender's lookups (``pending``
rows by lease, ``failed`` rows by next attempt) index only those rows, the lookup by
landed message only delivered posts, and the index by round, which no query used, is
gone: six entries per post. Sent posts, the bulk of the table, stay out of the
resender's indexes however many accumulate.

The unique key leads with ``post_key``, not ``workspace_id`` (as migration 0018 did for
other indexes): without statistics, PostgreSQL looked a landing's posts up by workspace
alone and read every post of the workspace to find two.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | None = None
depends_on: str | None = None

_FAILED = sa.text("status = 'failed'")
_PENDING = sa.text("status = 'pending'")
_LANDED = sa.text("ts IS NOT NULL")


def upgrade() -> None:
    with op.batch_alter_table("chat_posts", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("uq_chat_posts_workspace_id_post_key"), type_="unique")
        batch_op.create_unique_constraint(
            op.f("uq_chat_posts_post_key_workspace_id"), ["post_key", "workspace_id"]
        )
    for name in ("due", "lease", "round", "landed"):
        op.drop_index(f"ix_chat_posts_{name}", table_name="chat_posts")
    op.create_index(
        "ix_chat_posts_due",
        "chat_posts",
        ["next_attempt_at"],
        postgresql_where=_FAILED,
        sqlite_where=_FAILED,
    )
    op.create_index(
        "ix_chat_posts_lease",
        "chat_posts",
        ["claimed_until"],
        postgresql_where=_PENDING,
        sqlite_where=_PENDING,
    )
    op.create_index(
        "ix_chat_posts_landed",
        "chat_posts",
        ["channel", "ts", "workspace_id"],
        postgresql_where=_LANDED,
        sqlite_where=_LANDED,
    )


def downgrade() -> None:
    for name in ("due", "lease", "landed"):
        op.drop_index(f"ix_chat_posts_{name}", table_name="chat_posts")
    op.create_index("ix_chat_posts_due", "chat_posts", ["status", "next_attempt_at"])
    op.create_index("ix_chat_posts_lease", "chat_posts", ["status", "claimed_until"])
    op.create_index("ix_chat_posts_round", "chat_posts", ["round_id", "workspace_id"])
    op.create_index("ix_chat_posts_landed", "chat_posts", ["channel", "ts", "workspace_id"])
    with op.batch_alter_table("chat_posts", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("uq_chat_posts_post_key_workspace_id"), type_="unique")
        batch_op.create_unique_constraint(
            op.f("uq_chat_posts_workspace_id_post_key"), ["workspace_id", "post_key"]
        )
