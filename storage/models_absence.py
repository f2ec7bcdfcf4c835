"""The ``absences`` table: a person away for a period of whole local days, with an
optional deputy (*ersättare*, "tf chef") who answers in their place.

Kept apart from :mod:`storage.models` but on the same ``Base``, so Alembic and the test
fixtures see one metadata. Queries live in :mod:`storage.absences`.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from storage.models import REF_LEN, WORKSPACE_LEN, Base, Person


class Absence(Base):
    """One registered absence: ``starts_on`` to ``ends_on``, both inclusive, local dates."""

    __tablename__ = "absences"
    __table_args__ = (Index("ix_absences_workspace_person", "workspace_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[str] = mapped_column(String(WORKSPACE_LEN))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    deputy_person_id: Mapped[int | None] = mapped_column(
        ForeignKey("people.id", ondelete="SET NULL")
    )
    #: Chat id of whoever registered it (the person, or a process support for them).
    created_by: Mapped[str] = mapped_column(String(REF_LEN))
    created_at: Mapped[datetime]

    person: Mapped[Person] = relationship(foreign_keys=[person_id], lazy="joined")
    deputy: Mapped[Person | None] = relationship(foreign_keys=[deputy_person_id], lazy="joined")
