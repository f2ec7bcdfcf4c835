"""indexes lead with their selective column, not workspace_id

Revision ID: 0018
Revises: 0017
Create Date: 2026-11-30

An install has one workspace (or a few), so an index leading with ``workspace_id`` narrows
nothing; without statistics (a new table, autovacuum off or not yet run) PostgreSQL
cannot know that and may pick such an index for a lookup by primary key or by
participation, scanning every row of the workspace. Its prepared statements keep that
plan for the life of the connection, so the cost grows with the table. Leading with the
selective column leaves such lookups no other index than the right one; lookups that
give every column are served as before.
"""

from __future__ import annotations

from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | None = None
depends_on: str | None = None

_QM_OLD = ["workspace_id", "platform", "conversation", "message_ts"]
_QM_NEW = ["conversation", "message_ts", "platform", "workspace_id"]


def upgrade() -> None:
    with op.batch_alter_table("participations", schema=None) as batch_op:
        batch_op.drop_index("ix_participations_workspace_thread")
        batch_op.create_index("ix_participations_thread", ["thread_ref", "workspace_id"])
    op.drop_index("ix_chat_posts_round", table_name="chat_posts")
    op.create_index("ix_chat_posts_round", "chat_posts", ["round_id", "workspace_id"])
    op.drop_index("ix_chat_posts_landed", table_name="chat_posts")
    op.create_index("ix_chat_posts_landed", "chat_posts", ["channel", "ts", "workspace_id"])
    with op.batch_alter_table("question_messages", schema=None) as batch_op:
        batch_op.drop_constraint(
            op.f("uq_question_messages_workspace_id_platform_conversation_message_ts"),
            type_="unique",
        )
        batch_op.create_unique_constraint(
            op.f("uq_question_messages_conversation_message_ts_platform_workspace_id"), _QM_NEW
        )


def downgrade() -> None:
    with op.batch_alter_table("question_messages", schema=None) as batch_op:
        batch_op.drop_constraint(
            op.f("uq_question_messages_conversation_message_ts_platform_workspace_id"),
            type_="unique",
        )
        batch_op.create_unique_constraint(
            op.f("uq_question_messages_workspace_id_platform_conversation_message_ts"), _QM_OLD
        )
    op.drop_index("ix_chat_posts_landed", table_name="chat_posts")
    op.create_index("ix_chat_posts_landed", "chat_posts", ["workspace_id", "channel", "ts"])
    op.drop_index("ix_chat_posts_round", table_name="chat_posts")
    op.create_index("ix_chat_posts_round", "chat_posts", ["workspace_id", "round_id"])
    with op.batch_alter_table("participations", schema=None) as batch_op:
        batch_op.drop_index("ix_participations_thread")
        batch_op.create_index(
            "ix_participations_workspace_thread", ["workspace_id", "thread_ref"], unique=False
        )
