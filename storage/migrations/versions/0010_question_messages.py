"""question_messages: which chat message shows which question of a participation

Revision ID: 0010
Revises: 0005
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0008"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "question_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.String(length=64), nullable=False),
        sa.Column("participation_id", sa.Integer(), nullable=False),
        sa.Column("question_key", sa.String(length=160), nullable=False),
        sa.Column("platform", sa.String(length=16), nullable=False),
        sa.Column("conversation", sa.String(length=255), nullable=False),
        sa.Column("message_ts", sa.String(length=64), nullable=False),
        sa.Column("shown", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["participation_id"],
            ["participations.id"],
            name=op.f("fk_question_messages_participation_id_participations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_question_messages")),
        sa.UniqueConstraint(
            "workspace_id",
            "platform",
            "conversation",
            "message_ts",
            name=op.f("uq_question_messages_workspace_id_platform_conversation_message_ts"),
        ),
    )
    with op.batch_alter_table("question_messages", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_question_messages_participation_id"), ["participation_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("question_messages", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_question_messages_participation_id"))
    op.drop_table("question_messages")
