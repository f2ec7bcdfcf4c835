"""room for encrypted slack tokens

Tokens in slack_sdk's installation tables are now stored Fernet-encrypted, which makes
them about 1.4 times longer plus 73 characters: the token columns grow from 200 to 1000
characters (still VARCHAR, as slack_sdk's own table metadata declares them).

Revision ID: 0008
Revises: 0005
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | None = None
depends_on: str | None = None

COLUMNS = {
    "slack_bots": ("bot_token", "bot_refresh_token"),
    "slack_installations": ("bot_token", "bot_refresh_token", "user_token", "user_refresh_token"),
}


def _resize(old: int, new: int) -> None:
    for table, columns in COLUMNS.items():
        with op.batch_alter_table(table) as batch:
            for name in columns:
                batch.alter_column(
                    name, type_=sa.String(new), existing_type=sa.String(old), existing_nullable=True
                )


def upgrade() -> None:
    _resize(200, 1000)


def downgrade() -> None:
    _resize(1000, 200)
