"""Models of the dialog chain: activities (åtgärder) named in dialogs and their history.

An activity belongs to a unit and comes from one answer (``answer_id``) to a question of
kind ``activities``. In anonymous rounds the chain never stores who spoke: events carry
no participation and no chat message reference (see :mod:`bot.chain.activities`).
Evaluation rounds need no table of their own: they are ordinary rounds whose
``external_key`` is ``evaluation:<round id>``.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from storage.models import KEY_LEN, WORKSPACE_LEN, Base, Unit

OWNER_LEN = 200


class Activity(Base):
    """A tracked activity of a unit, with its owner (ansvarig) and current status."""

    __tablename__ = "activities"
    __table_args__ = (
        Index("ix_activities_workspace_unit_status", "workspace_id", "unit_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[str] = mapped_column(String(WORKSPACE_LEN))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"))
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"), index=True)
    answer_id: Mapped[int | None] = mapped_column(
        ForeignKey("answers.id", ondelete="SET NULL"), index=True
    )
    question_key: Mapped[str] = mapped_column(String(KEY_LEN))
    position: Mapped[int] = mapped_column(Integer, default=0)
    title: Mapped[str] = mapped_column(Text)
    owner: Mapped[str | None] = mapped_column(String(OWNER_LEN))
    status: Mapped[str] = mapped_column(String(16))
    status_note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    unit: Mapped[Unit] = relationship(lazy="joined")
    events: Mapped[list[ActivityEvent]] = relationship(
        back_populates="activity", order_by="ActivityEvent.id", cascade="all, delete-orphan"
    )


class ActivityEvent(Base):
    """One change of an activity: proposed, confirmed, corrected or followed up in a round.

    ``participation_id`` is None in anonymous rounds.
    """

    __tablename__ = "activity_events"
    __table_args__ = (Index("ix_activity_events_activity_round", "activity_id", "round_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[str] = mapped_column(String(WORKSPACE_LEN))
    activity_id: Mapped[int] = mapped_column(ForeignKey("activities.id", ondelete="CASCADE"))
    round_id: Mapped[int | None] = mapped_column(ForeignKey("rounds.id", ondelete="SET NULL"))
    participation_id: Mapped[int | None] = mapped_column(
        ForeignKey("participations.id", ondelete="SET NULL")
    )
    kind: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime]

    activity: Mapped[Activity] = relationship(back_populates="events")
