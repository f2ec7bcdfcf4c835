"""Per-workspace settings (one row per workspace; a missing row means the defaults).

Kept apart from :mod:`storage.models` on the same ``Base``, so Alembic and the test
fixtures see one metadata.
"""

from __future__ import annotations

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from bot.domain.pooling import DEFAULT_ANONYMITY_K
from storage.models import WORKSPACE_LEN, Base

#: Default minimum number of respondents before an anonymous pool's texts are shown.


class WorkspaceSettings(Base):
    """Settings of one workspace.

    ``anonymity_k``: an anonymous round shows answer texts only for groups (pools) of at
    least this many respondents; smaller groups are shown as a count.
    """

    __tablename__ = "workspace_settings"

    workspace_id: Mapped[str] = mapped_column(String(WORKSPACE_LEN), primary_key=True)
    anonymity_k: Mapped[int] = mapped_column(Integer, default=DEFAULT_ANONYMITY_K)
