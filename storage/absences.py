"""Queries on :class:`storage.models_absence.Absence` and on what absence changes in open
rounds, scoped by workspace."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from storage.job_status import JOB_PENDING
from storage.models import Participation, Person, ProcessedMessage, Round, Unit
from storage.models_absence import Absence
from storage.models_schedule import ScheduledJob


class AbsenceRepository:
    """Registered absences of one workspace inside a unit of work."""

    def __init__(self, session: Session, workspace_id: str) -> None:
        self.session = session
        self.workspace_id = workspace_id

    def add(
        self,
        person: Person,
        starts_on: date,
        ends_on: date,
        deputy: Person | None,
        created_by: str,
        now: datetime,
    ) -> Absence:
        """Register an absence."""
        row = Absence(
            workspace_id=self.workspace_id,
            person_id=person.id,
            starts_on=starts_on,
            ends_on=ends_on,
            deputy_person_id=deputy.id if deputy is not None else None,
            created_by=created_by,
            created_at=now,
        )
        row.person = person
        row.deputy = deputy
        self.session.add(row)
        self.session.flush()
        return row

    def of_person(self, person_id: int) -> Sequence[Absence]:
        """A person's absences, earliest first."""
        stmt = (
            select(Absence)
            .where(Absence.workspace_id == self.workspace_id, Absence.person_id == person_id)
            .order_by(Absence.starts_on, Absence.ends_on, Absence.id)
        )
        return self.session.scalars(stmt).unique().all()

    def get(self, absence_id: int) -> Absence | None:
        """One absence of the workspace by id."""
        stmt = select(Absence).where(
            Absence.workspace_id == self.workspace_id, Absence.id == absence_id
        )
        return self.session.scalars(stmt).unique().one_or_none()

    def ending_on_or_after(self, day: date) -> Sequence[Absence]:
        """Every absence not over before ``day`` (the ones that can still matter)."""
        stmt = (
            select(Absence)
            .where(Absence.workspace_id == self.workspace_id, Absence.ends_on >= day)
            .order_by(Absence.starts_on, Absence.id)
        )
        return self.session.scalars(stmt).unique().all()

    def seen(self, message_key: str) -> bool:
        """Whether a request with this key was applied already."""
        stmt = select(ProcessedMessage.id).where(
            ProcessedMessage.workspace_id == self.workspace_id,
            ProcessedMessage.message_key == message_key,
        )
        return self.session.scalar(stmt) is not None

    def mark_seen(self, message_key: str, now: datetime) -> None:
        """Record a request as applied (in the same transaction as its change)."""
        self.session.add(
            ProcessedMessage(
                workspace_id=self.workspace_id,
                message_key=message_key,
                participation_id=None,
                outcome="absence_removed",
                created_at=now,
            )
        )

    def remove(self, absence: Absence) -> None:
        """Delete an absence."""
        self.session.delete(absence)
        self.session.flush()

    def open_participations_of(self, person_id: int) -> Sequence[Participation]:
        """The person's participations in open rounds of the workspace."""
        stmt = (
            select(Participation)
            .join(Round, Round.id == Participation.round_id)
            .where(
                Participation.workspace_id == self.workspace_id,
                Participation.person_id == person_id,
                Round.status == "open",
            )
            .order_by(Participation.id)
        )
        return self.session.scalars(stmt).unique().all()

    def open_rounds_of_units(self, unit_ids: Sequence[int]) -> Sequence[Round]:
        """Open rounds with a participation for one of the units, oldest first."""
        if not unit_ids:
            return []
        stmt = (
            select(Round)
            .where(
                Round.workspace_id == self.workspace_id,
                Round.status == "open",
                Round.id.in_(
                    select(Participation.round_id).where(
                        Participation.workspace_id == self.workspace_id,
                        Participation.unit_id.in_(list(unit_ids)),
                    )
                ),
            )
            .options(selectinload(Round.participations))
            .order_by(Round.id)
        )
        return self.session.scalars(stmt).unique().all()

    def managed_units(self, person_id: int) -> Sequence[Unit]:
        """The units ``person_id`` manages."""
        stmt = (
            select(Unit)
            .where(
                Unit.workspace_id == self.workspace_id, Unit.managers.any(Person.id == person_id)
            )
            .order_by(Unit.id)
        )
        return self.session.scalars(stmt).all()

    def plan_job(
        self, kind: str, job_key: str, due_at: datetime, payload: dict[str, Any], now: datetime
    ) -> bool:
        """Give the scheduler a job in this unit of work, unless one with ``job_key`` exists
        (a concurrent insert of the same key fails at commit and the work is retried).
        Returns whether it was new."""
        stmt = select(ScheduledJob.id).where(
            ScheduledJob.workspace_id == self.workspace_id, ScheduledJob.job_key == job_key
        )
        if self.session.scalars(stmt).first() is not None:
            return False
        self.session.add(
            ScheduledJob(
                workspace_id=self.workspace_id,
                job_key=job_key,
                kind=kind,
                due_at=due_at,
                status=JOB_PENDING,
                attempts=0,
                payload=dict(payload),
                created_at=now,
            )
        )
        self.session.flush()
        return True
