"""SQLAlchemy 2.0 models. Every row is scoped by ``workspace_id`` (a Slack team id, or
``local`` for the console), and every query goes through :mod:`storage.repository`,
which filters by it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from storage.types import UTCDateTime

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

WORKSPACE_LEN = 64
KEY_LEN = 128
REF_LEN = 255


class Base(DeclarativeBase):
    """Declarative base with a naming convention so Alembic names constraints stably."""

    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {datetime: UTCDateTime()}


class Level(Base):
    """An organisational level (kommunstyrelse, nämnd, förvaltning, ...), ordered by rank."""

    __tablename__ = "levels"
    __table_args__ = (UniqueConstraint("workspace_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[str] = mapped_column(String(WORKSPACE_LEN), index=True)
    key: Mapped[str] = mapped_column(String(KEY_LEN))
    name: Mapped[str] = mapped_column(String(200))
    rank: Mapped[int] = mapped_column(Integer)
    manager_title: Mapped[str | None] = mapped_column(String(100))


class Unit(Base):
    """An organisational unit; ``parent`` is the unit on the level above."""

    __tablename__ = "units"
    __table_args__ = (UniqueConstraint("workspace_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[str] = mapped_column(String(WORKSPACE_LEN), index=True)
    key: Mapped[str] = mapped_column(String(KEY_LEN))
    name: Mapped[str] = mapped_column(String(200))
    level_key: Mapped[str] = mapped_column(String(KEY_LEN))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("units.id", ondelete="SET NULL"))
    channel_ref: Mapped[str | None] = mapped_column(String(REF_LEN))
    #: The unit's standing deputy (ersättare), asked when a manager is absent.
    deputy_person_id: Mapped[int | None] = mapped_column(
        ForeignKey("people.id", ondelete="SET NULL")
    )

    parent: Mapped[Unit | None] = relationship(remote_side=[id])
    deputy: Mapped[Person | None] = relationship(foreign_keys=[deputy_person_id])
    managers: Mapped[list[Person]] = relationship(
        secondary="unit_managers", order_by="Person.chat_id"
    )


class Person(Base):
    """A person known by their chat identity, with roles (processtod, chef, admin)."""

    __tablename__ = "people"
    __table_args__ = (UniqueConstraint("workspace_id", "chat_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[str] = mapped_column(String(WORKSPACE_LEN), index=True)
    chat_id: Mapped[str] = mapped_column(String(REF_LEN))
    name: Mapped[str] = mapped_column(String(200))
    roles: Mapped[list[str]] = mapped_column(JSON, default=list)
    lang: Mapped[str] = mapped_column(String(8), default="sv")


class UnitManager(Base):
    """Which people manage (answer for) which unit."""

    __tablename__ = "unit_managers"

    unit_id: Mapped[int] = mapped_column(
        ForeignKey("units.id", ondelete="CASCADE"), primary_key=True
    )
    person_id: Mapped[int] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), primary_key=True
    )


class TemplateSnapshot(Base):
    """The exact template version a round was started with."""

    __tablename__ = "template_snapshots"
    __table_args__ = (UniqueConstraint("workspace_id", "key", "version", "content_hash"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[str] = mapped_column(String(WORKSPACE_LEN))
    key: Mapped[str] = mapped_column(String(KEY_LEN))
    version: Mapped[int] = mapped_column(Integer)
    content_hash: Mapped[str] = mapped_column(String(64))
    body: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime]


class Round(Base):
    """A dialog round: one template, many participations, one receiving group."""

    __tablename__ = "rounds"
    __table_args__ = (
        UniqueConstraint("workspace_id", "external_key"),
        Index("ix_rounds_workspace_status", "workspace_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[str] = mapped_column(String(WORKSPACE_LEN))
    template_snapshot_id: Mapped[int] = mapped_column(ForeignKey("template_snapshots.id"))
    title: Mapped[str] = mapped_column(String(300))
    status: Mapped[str] = mapped_column(String(16), default="open")
    group_ref: Mapped[str] = mapped_column(String(REF_LEN))
    delivery: Mapped[str] = mapped_column(String(16), default="channel")
    anonymous: Mapped[bool] = mapped_column(Boolean, default=False)
    lang: Mapped[str] = mapped_column(String(8), default="sv")
    deadline_at: Mapped[datetime | None]
    created_by: Mapped[str | None] = mapped_column(String(REF_LEN))
    created_at: Mapped[datetime]
    closed_at: Mapped[datetime | None]
    closed_by: Mapped[str | None] = mapped_column(String(REF_LEN))
    announcement_ref: Mapped[str | None] = mapped_column(String(REF_LEN))
    external_key: Mapped[str | None] = mapped_column(String(REF_LEN))
    #: Anonymous rounds: the minimum pool size fixed at start (the workspace's setting).
    anonymity_k: Mapped[int | None] = mapped_column(Integer)
    #: Anonymous rounds: the units invited (sorted ids), kept when the links are erased.
    invited_unit_ids: Mapped[list[int] | None] = mapped_column(JSON)

    template: Mapped[TemplateSnapshot] = relationship(lazy="joined", innerjoin=True)
    participations: Mapped[list[Participation]] = relationship(
        back_populates="round", order_by="Participation.id"
    )


class Participation(Base):
    """One manager answering for one unit in one round, with their place in the template."""

    __tablename__ = "participations"
    __table_args__ = (
        UniqueConstraint("round_id", "unit_id", "person_id"),
        # Selective column first: see migration 0018 (one workspace per install).
        Index("ix_participations_thread", "thread_ref", "workspace_id"),
        Index("ix_participations_person_status", "person_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[str] = mapped_column(String(WORKSPACE_LEN))
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    #: None once an anonymous round is closed: the link to the person is erased.
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    status: Mapped[str] = mapped_column(String(16), default="invited")
    position: Mapped[int] = mapped_column(Integer, default=0)
    thread_ref: Mapped[str | None] = mapped_column(String(REF_LEN))
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    round: Mapped[Round] = relationship(back_populates="participations")
    unit: Mapped[Unit] = relationship(lazy="joined")
    person: Mapped[Person | None] = relationship(lazy="joined")
    answers: Mapped[list[Answer]] = relationship(
        back_populates="participation", order_by="Answer.id"
    )

    __mapper_args__ = {"version_id_col": version}

    def answer_to(self, question_key: str) -> Answer | None:
        """The current answer to ``question_key`` (from the loaded answers)."""
        return next((a for a in self.answers if a.question_key == question_key), None)


class Answer(Base):
    """The current answer of a participation to one question."""

    __tablename__ = "answers"
    __table_args__ = (UniqueConstraint("participation_id", "question_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[str] = mapped_column(String(WORKSPACE_LEN))
    participation_id: Mapped[int] = mapped_column(
        ForeignKey("participations.id", ondelete="CASCADE")
    )
    question_key: Mapped[str] = mapped_column(String(KEY_LEN))
    text: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16))
    source_ref: Mapped[str | None] = mapped_column(String(REF_LEN), index=True)
    revision: Mapped[int] = mapped_column(Integer, default=1)
    updated_at: Mapped[datetime]

    participation: Mapped[Participation] = relationship(back_populates="answers")
    revisions: Mapped[list[AnswerRevision]] = relationship(
        back_populates="answer", order_by="AnswerRevision.revision"
    )


class AnswerRevision(Base):
    """Every version an answer has had, with the chat message it came from."""

    __tablename__ = "answer_revisions"
    __table_args__ = (UniqueConstraint("answer_id", "revision"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    answer_id: Mapped[int] = mapped_column(ForeignKey("answers.id", ondelete="CASCADE"))
    revision: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16))
    source_ref: Mapped[str | None] = mapped_column(String(REF_LEN))
    created_at: Mapped[datetime]

    answer: Mapped[Answer] = relationship(back_populates="revisions")


class ProcessedMessage(Base):
    """An incoming message or action that has been applied: replays are recognised here."""

    __tablename__ = "processed_messages"
    __table_args__ = (
        UniqueConstraint("workspace_id", "message_key"),
        Index("ix_processed_messages_participation", "participation_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[str] = mapped_column(String(WORKSPACE_LEN))
    message_key: Mapped[str] = mapped_column(String(REF_LEN))
    participation_id: Mapped[int | None] = mapped_column(
        ForeignKey("participations.id", ondelete="CASCADE")
    )
    outcome: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime]
