"""anonymity: workspace settings (anonymity_k), the k and invited units of a round

Also erases what earlier closes of anonymous rounds left behind: the applied message
keys kept without a participation (they held the DM channel and the answer's ts) and the
outgoing posts in the participants' threads (they named the person and the unit).

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
    _erase_old_thread_posts()


def _erase_old_thread_posts() -> None:
    """The posts of closed anonymous rounds' threads, found from each thread's parent post
    (``round:R:thread:P`` recorded where it went) since the rounds forgot their threads."""
    conn = op.get_bind()
    rounds = sa.table(
        "rounds",
        sa.column("id", sa.Integer),
        sa.column("anonymous", sa.Boolean),
        sa.column("status", sa.String),
    )
    posts = sa.table(
        "slack_posts",
        sa.column("id", sa.Integer),
        sa.column("workspace_id", sa.String),
        sa.column("post_key", sa.String),
        sa.column("channel", sa.String),
        sa.column("ts", sa.String),
        sa.column("payload", sa.JSON),
    )
    closed = conn.execute(
        sa.select(rounds.c.id).where(rounds.c.anonymous.is_(True), rounds.c.status == "closed")
    ).scalars()
    doomed: set[int] = set()
    for round_id in closed:
        mine = [f"round:{round_id}:thread:", f"round:{round_id}:first:", f"remind:{round_id}:"]
        rows = conn.execute(
            sa.select(posts).where(sa.or_(*(posts.c.post_key.startswith(m) for m in mine)))
        ).all()
        doomed |= {r.id for r in rows}
        threads = {
            (r.workspace_id, r.channel, r.ts)
            for r in rows
            if r.post_key.startswith(mine[0]) and r.channel and r.ts
        }
        for workspace, channel, ts in threads:
            in_channel = conn.execute(
                sa.select(posts).where(
                    posts.c.workspace_id == workspace, posts.c.channel == channel
                )
            ).all()
            doomed |= {
                r.id
                for r in in_channel
                if r.ts == ts or str((r.payload or {}).get("thread_ts") or "") == ts
            }
    if doomed:
        conn.execute(sa.delete(posts).where(posts.c.id.in_(sorted(doomed))))


def downgrade() -> None:
    with op.batch_alter_table("rounds") as batch:
        batch.drop_column("invited_unit_ids")
        batch.drop_column("anonymity_k")
    op.drop_table("workspace_settings")
