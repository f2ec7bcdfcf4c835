"""Absence and deputies as a service: registering, listing and removing absences, who
answers when a round starts, and what a manager gets back when their absence ends.

Like the engine, this is the layer that opens units of work; the rules are in
:mod:`bot.absence` and every query in :mod:`storage.absences`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot import access
from bot.absence import (
    ABSENT,
    AbsenceBook,
    AbsencePeriod,
    AlreadyRemoved,
    InvalidAbsence,
    UnknownAbsence,
    back_at,
    check_period,
    local_day,
    numbered,
)
from bot.absence_roster import INVITED, book_in, period_of
from bot.access import ORGANISER_ROLES
from bot.domain.states import ParticipationEvent, participation_after
from bot.errors import InvalidInput, NotAllowed, UnknownPerson
from bot.i18n import DEFAULT_TZ
from bot.results import Participant, QuestionPrompt, RoundInfo
from bot.schedule.jobs import KIND_ABSENCE_ENDED, JobStore, NewJob
from storage.absences import AbsenceRepository
from storage.models import Participation, Person
from storage.models_absence import Absence
from storage.repository import Repository

if TYPE_CHECKING:
    from bot.services.container import Services

OPERATOR = "operator"
"""``created_by`` of absences registered at the command line."""


@dataclass(frozen=True)
class Returned:
    """A participation a manager back from absence now answers, to open their thread."""

    round: RoundInfo
    participant: Participant
    prompt: QuestionPrompt | None


class AbsenceService:
    """Absences of people, on top of the dialog engine's database and clock."""

    def __init__(self, services: Services, tz: str = DEFAULT_TZ) -> None:
        self.services = services
        self.tz = tz

    def today(self) -> date:
        """The local date now."""
        return local_day(self.services.kernel.clock.now(), self.tz)

    def book(self, workspace: str, day: date | None = None) -> AbsenceBook:
        """Who is away from ``day`` (default today) on: the read method adapters filter with."""
        with self.services.kernel.legacy_unit_of_work(workspace) as uow:
            return book_in(uow.repo, day or self.today())

    def _subject(self, repo: Repository, by: str | None, person: str | None) -> Person:
        """The person an absence command is about; someone else's needs the organiser role
        (``by`` None is the operator at the command line)."""
        target = person or by
        if target is None:
            raise InvalidInput("person")
        if by is not None and target != by:
            actor = repo.person(by)
            if actor is None or not access.is_organiser(actor.roles):
                raise NotAllowed("frånvaro", ORGANISER_ROLES)
        found = repo.person(target)
        if found is None:
            raise UnknownPerson(target, [p.chat_id for p in repo.people()])
        return found

    def register(
        self,
        workspace: str,
        by: str | None,
        starts_on: date,
        ends_on: date,
        *,
        person: str | None = None,
        deputy: str | None = None,
    ) -> AbsencePeriod:
        """Register an absence of ``person`` (default: ``by`` themselves).

        The same period twice is one absence (the deputy is updated); a period that
        overlaps another is refused. Open rounds whose deadline falls within the absence
        show the person as absent, and the scheduler gets a job for the day they are back.
        """
        check_period(starts_on, ends_on, self.today())
        now = self.services.kernel.clock.now()
        with self.services.kernel.legacy_unit_of_work(workspace) as uow:
            repo = uow.repo
            subject = self._subject(repo, by, person)
            stand_in: Person | None = None
            if deputy is not None:
                stand_in = repo.person(deputy)
                if stand_in is None:
                    raise UnknownPerson(deputy, [p.chat_id for p in repo.people()])
                if stand_in.id == subject.id:
                    raise InvalidAbsence("self_deputy")
            absences = AbsenceRepository(uow.session, workspace)
            row: Absence | None = None
            for existing in absences.of_person(subject.id):
                if (existing.starts_on, existing.ends_on) == (starts_on, ends_on):
                    row = existing
                elif existing.starts_on <= ends_on and starts_on <= existing.ends_on:
                    raise InvalidAbsence(
                        "overlap",
                        starts_on=existing.starts_on.isoformat(),
                        ends_on=existing.ends_on.isoformat(),
                    )
            if row is None:
                row = absences.add(subject, starts_on, ends_on, stand_in, by or OPERATOR, now)
            else:
                row.deputy_person_id = stand_in.id if stand_in is not None else None
                row.deputy = stand_in
            for p in absences.open_participations_of(subject.id):
                deadline = p.round.deadline_at
                if (
                    p.status == INVITED
                    and not p.answers
                    and deadline is not None
                    and starts_on <= local_day(deadline, self.tz) <= ends_on
                ):
                    p.status = participation_after(p.status, ParticipationEvent.AWAY)
            self._plan_return(uow.session, workspace, subject, row.id, back_at(ends_on, self.tz))
            period = period_of(row)
            uow.commit()
            return period

    def _plan_return(
        self, session: Session, workspace: str, person: Person, absence_id: int, due: datetime
    ) -> None:
        JobStore(self.services.kernel.session_factory, self.services.kernel.clock).enqueue(
            [
                NewJob(
                    workspace_id=workspace,
                    kind=KIND_ABSENCE_ENDED,
                    job_key=f"absence-ended:{absence_id}:{due.isoformat()}",
                    due_at=due,
                    payload={"person": person.chat_id, "absence_id": absence_id},
                )
            ],
            session,
        )

    def listed(
        self, workspace: str, by: str | None, person: str | None = None
    ) -> list[tuple[int, AbsencePeriod]]:
        """The registered absences of ``person`` (default ``by``), numbered as shown."""
        with self.services.kernel.legacy_unit_of_work(workspace) as uow:
            subject = self._subject(uow.repo, by, person)
            rows = AbsenceRepository(uow.session, workspace).of_person(subject.id)
            return numbered([period_of(r) for r in rows])

    def remove(
        self,
        workspace: str,
        by: str | None,
        number: int,
        person: str | None = None,
        message_key: str | None = None,
    ) -> AbsencePeriod:
        """Remove the ``number``-th listed absence; the person is back at once (a job gives
        them the questions of open rounds). With ``message_key`` (the request's id) a
        replayed request raises :class:`bot.absence.AlreadyRemoved` rather than removing
        the absence that is now ``number``."""
        now = self.services.kernel.clock.now()
        try:
            with self.services.kernel.legacy_unit_of_work(workspace) as uow:
                subject = self._subject(uow.repo, by, person)
                absences = AbsenceRepository(uow.session, workspace)
                if message_key is not None:
                    if absences.seen(message_key):
                        raise AlreadyRemoved()
                    absences.mark_seen(message_key, now)
                rows = {r.id: r for r in absences.of_person(subject.id)}
                listed = numbered([period_of(r) for r in rows.values()])
                chosen = next((a for n, a in listed if n == number), None)
                if chosen is None:
                    raise UnknownAbsence(number, len(listed))
                absences.remove(rows[chosen.absence_id])
                self._plan_return(uow.session, workspace, subject, chosen.absence_id, now)
                uow.commit()
                return chosen
        except IntegrityError:  # the same request racing itself
            raise AlreadyRemoved() from None

    def overview(self, workspace: str, by: str) -> list[AbsencePeriod] | None:
        """The absences ``by`` sees on their Home, earliest first, not over before today:
        every one of the workspace for an organiser, their own for a manager, and None
        for anyone else (who gets no absence section)."""
        today = self.today()
        with self.services.kernel.legacy_unit_of_work(workspace) as uow:
            actor = uow.repo.person(by)
            if actor is None:
                return None
            absences = AbsenceRepository(uow.session, workspace)
            if access.is_organiser(actor.roles):
                return [period_of(r) for r in absences.ending_on_or_after(today)]
            if not absences.managed_units(actor.id):
                return None
            return [period_of(r) for r in absences.of_person(actor.id) if r.ends_on >= today]

    def withdraw(self, workspace: str, by: str, absence_id: int) -> AbsencePeriod:
        """Remove the absence with this id (someone else's needs the organiser role); the
        person is back at once. An absence already gone raises
        :class:`bot.absence.AlreadyRemoved`, so a repeated click removes nothing more."""
        now = self.services.kernel.clock.now()
        with self.services.kernel.legacy_unit_of_work(workspace) as uow:
            absences = AbsenceRepository(uow.session, workspace)
            row = absences.get(absence_id)
            if row is None:
                raise AlreadyRemoved()
            subject = self._subject(uow.repo, by, row.person.chat_id)
            period = period_of(row)
            absences.remove(row)
            self._plan_return(uow.session, workspace, subject, absence_id, now)
            uow.commit()
            return period

    def returned(self, workspace: str, person: str) -> list[Returned]:
        """A manager is back: they get a participation in every open round (deadline still
        ahead) that asks one of their units, unless someone is already answering for it
        there; a participation marked absent is opened again. Returns the participations
        whose thread is still to be opened (nothing while the person is away)."""
        now = self.services.kernel.clock.now()
        day = local_day(now, self.tz)
        ids: list[int] = []
        with self.services.kernel.legacy_unit_of_work(workspace) as uow:
            repo = uow.repo
            subject = repo.person(person)
            if subject is None or book_in(repo, day).is_absent(person, day):
                return []
            absences = AbsenceRepository(uow.session, workspace)
            units = absences.managed_units(subject.id)
            for round_ in absences.open_rounds_of_units([u.id for u in units]):
                if round_.deadline_at is not None and round_.deadline_at <= now:
                    continue
                for unit in units:
                    asked = [p for p in round_.participations if p.unit_id == unit.id]
                    own = next((p for p in asked if p.person_id == subject.id), None)
                    if own is not None:
                        if own.status == ABSENT:
                            own.status = participation_after(own.status, ParticipationEvent.RETURN)
                        if own.status == INVITED and own.thread_ref is None:
                            ids.append(own.id)
                        continue
                    if not asked or any(p.status in ("answering", "finished") for p in asked):
                        continue
                    added = Participation(
                        workspace_id=workspace,
                        round_id=round_.id,
                        unit_id=unit.id,
                        person_id=subject.id,
                        status=INVITED,
                        position=0,
                    )
                    repo.add(added)
                    repo.flush()
                    ids.append(added.id)
            uow.commit()
        out = []
        for pid in ids:
            participant = self.services.queries.participant(workspace, pid)
            out.append(
                Returned(
                    self.services.queries.round_info(workspace, participant.round_id),
                    participant,
                    self.services.queries.current_prompt(workspace, pid),
                )
            )
        return out
