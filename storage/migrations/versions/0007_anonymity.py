"""anonymity: workspace settings (anonymity_k), the k and invited units of a round

Also deletes the applied message keys that earlier closes of anonymous rounds kept
without a participation: they still held the DM channel and the answer's ts.

Revision ID: 0007
Revises: 0005
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0005"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "workspace_settings",
        sa.Column("workspace_id", sa.String(length=64), nullable=False),
        sa.Column("anonymity_k", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("workspace_id", name=op.f("pk_workspace_settings")),
    )
    with op.batch_alter_table("rounds") as batch:
        batch.add_column(sa.Column("anonymity_k", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("invited_unit_ids", sa.JSON(), nullable=True))
    op.execute("DELETE FROM processed_messages WHERE participation_id IS NULL")


def downgrade() -> None:
    with op.batch_alter_table("rounds") as batch:
        batch.drop_column("invited_unit_ids")
        batch.drop_column("anonymity_k")
    op.drop_table("workspace_settings")
