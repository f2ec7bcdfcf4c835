"""participations.person_id nullable: closed anonymous rounds forget who answered

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    with op.batch_alter_table("participations") as batch:
        batch.alter_column("person_id", existing_type=sa.Integer(), nullable=True)


def downgrade() -> None:
    op.execute("DELETE FROM participations WHERE person_id IS NULL")
    with op.batch_alter_table("participations") as batch:
        batch.alter_column("person_id", existing_type=sa.Integer(), nullable=False)
