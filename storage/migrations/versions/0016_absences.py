"""absences: registered absences with deputies, and a unit's standing deputy

Revision ID: 0016
Revises: 0010
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0013"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "absences",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.String(length=64), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("deputy_person_id", sa.Integer(), nullable=True),
        sa.Column("created_by", sa.String(length=255), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["people.id"],
            name=op.f("fk_absences_person_id_people"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["deputy_person_id"],
            ["people.id"],
            name=op.f("fk_absences_deputy_person_id_people"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_absences")),
    )
    op.create_index("ix_absences_workspace_person", "absences", ["workspace_id", "person_id"])
    with op.batch_alter_table("units") as batch:
        batch.add_column(sa.Column("deputy_person_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            batch.f("fk_units_deputy_person_id_people"),
            "people",
            ["deputy_person_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade() -> None:
    with op.batch_alter_table("units") as batch:
        batch.drop_constraint(batch.f("fk_units_deputy_person_id_people"), type_="foreignkey")
        batch.drop_column("deputy_person_id")
    op.drop_index("ix_absences_workspace_person", table_name="absences")
    op.drop_table("absences")
