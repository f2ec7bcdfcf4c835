"""Absence and deputies as a service: registering, listing and removing absences, who
answers when a round starts, and what a manager gets back when their absence ends.

Service code: one unit of work per call, through the kernel; the rules are in
:mod:`bot.domain.absence` and every query in :mod:`storage.absences` (``repo.absences``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol

from bot.absence_roster import INVITED, book_in, period_of
from bot.domain import access
from bot.domain.absence import (
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
from bot.domain.access import ORGANISER_ROLES
from bot.domain.errors import InvalidInput, NotAllowed, UnknownPerson
from bot.domain.results import Participant, QuestionPrompt, RoundInfo
from bot.domain.states import ParticipationEvent, ParticipationState, participation_after
from bot.i18n import DEFAULT_TZ
from bot.schedule.jobs import KIND_ABSENCE_ENDED
from bot.services.kernel import ServiceKernel
from storage.models import Participation, Person
from storage.models_absence import Absence
from storage.repository import Repository

OPERATOR = "operator"
"""``created_by`` of absences registered at the command line."""


@dataclass(frozen=True)
class Returned:
    """A participation a manager back from absence now answers, to open their thread."""

    round: RoundInfo
    participant: Participant
    prompt: QuestionPrompt | None


class ParticipantReader(Protocol):
    """The read use cases :meth:`Absences.returned` describes reopened participations with
    (``services.queries``)."""

    def participant(self, workspace: str, participation_id: int) -> Participant:
        """One participation as plain data."""

    def round_info(self, workspace: str, round_id: int) -> RoundInfo:
        """A round as plain data."""

    def current_prompt(self, workspace: str, participation_id: int) -> QuestionPrompt | None:
        """The question a participant is on."""


class Absences:
    """Absences of people. Days are local to ``tz``; :meth:`in_zone` gives the same use
    cases in another time zone (an adapter's configured one)."""

    def __init__(self, kernel: ServiceKernel, tz: str = DEFAULT_TZ) -> None:
        self.kernel = kernel
        self.tz = tz

    def in_zone(self, tz: str) -> Absences:
        """These use cases with days local to ``tz``."""
        return self if tz == self.tz else Absences(self.kernel, tz)

    def today(self) -> date:
        """The local date now."""
        return local_day(self.kernel.now(), self.tz)

    def book(self, workspace: str, day: date | None = None) -> AbsenceBook:
        """Who is away from ``day`` (default today) on: the read method adapters filter with."""
        when = day or self.today()
        return self.kernel.read(workspace, lambda repo: book_in(repo, when))

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
        now = self.kernel.now()

        def work(repo: Repository) -> AbsencePeriod:
            subject = self._subject(repo, by, person)
            stand_in: Person | None = None
            if deputy is not None:
                stand_in = repo.person(deputy)
                if stand_in is None:
                    raise UnknownPerson(deputy, [p.chat_id for p in repo.people()])
                if stand_in.id == subject.id:
                    raise InvalidAbsence("self_deputy")
            absences = repo.absences
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
            self._plan_return(repo, subject, row.id, back_at(ends_on, self.tz))
            return period_of(row)

        return self.kernel.transaction(workspace, work)

    def _plan_return(
        self, repo: Repository, person: Person, absence_id: int, due: datetime
    ) -> None:
        repo.absences.plan_job(
            KIND_ABSENCE_ENDED,
            f"absence-ended:{absence_id}:{due.isoformat()}",
            due,
            {"person": person.chat_id, "absence_id": absence_id},
            self.kernel.now(),
        )

    def listed(
        self, workspace: str, by: str | None, person: str | None = None
    ) -> list[tuple[int, AbsencePeriod]]:
        """The registered absences of ``person`` (default ``by``), numbered as shown."""

        def work(repo: Repository) -> list[tuple[int, AbsencePeriod]]:
            subject = self._subject(repo, by, person)
            return numbered([period_of(r) for r in repo.absences.of_person(subject.id)])

        return self.kernel.read(workspace, work)

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
        replayed request raises :class:`bot.domain.absence.AlreadyRemoved` rather than removing
        the absence that is now ``number``."""
        now = self.kernel.now()

        def work(repo: Repository) -> AbsencePeriod:
            subject = self._subject(repo, by, person)
            absences = repo.absences
            if message_key is not None:
                # The same request racing itself conflicts at commit; the retry sees the key.
                if absences.seen(message_key):
                    raise AlreadyRemoved()
                absences.mark_seen(message_key, now)
            rows = {r.id: r for r in absences.of_person(subject.id)}
            listed = numbered([period_of(r) for r in rows.values()])
            chosen = next((a for n, a in listed if n == number), None)
            if chosen is None:
                raise UnknownAbsence(number, len(listed))
            absences.remove(rows[chosen.absence_id])
            self._plan_return(repo, subject, chosen.absence_id, now)
            return chosen

        return self.kernel.transaction(workspace, work)

    def overview(self, workspace: str, by: str) -> list[AbsencePeriod] | None:
        """The absences ``by`` sees on their Home, earliest first, not over before today:
        every one of the workspace for an organiser, their own for a manager, and None
        for anyone else (who gets no absence section)."""
        today = self.today()

        def work(repo: Repository) -> list[AbsencePeriod] | None:
            actor = repo.person(by)
            if actor is None:
                return None
            absences = repo.absences
            if access.is_organiser(actor.roles):
                return [period_of(r) for r in absences.ending_on_or_after(today)]
            if not absences.managed_units(actor.id):
                return None
            return [period_of(r) for r in absences.of_person(actor.id) if r.ends_on >= today]

        return self.kernel.read(workspace, work)

    def withdraw(self, workspace: str, by: str, absence_id: int) -> AbsencePeriod:
        """Remove the absence with this id (someone else's needs the organiser role); the
        person is back at once. An absence already gone raises
        :class:`bot.domain.absence.AlreadyRemoved`, so a repeated click removes nothing more."""
        now = self.kernel.now()

        def work(repo: Repository) -> AbsencePeriod:
            absences = repo.absences
            row = absences.get(absence_id)
            if row is None:
                raise AlreadyRemoved()
            subject = self._subject(repo, by, row.person.chat_id)
            period = period_of(row)
            absences.remove(row)
            self._plan_return(repo, subject, absence_id, now)
            return period

        return self.kernel.transaction(workspace, work)

    def returned(self, workspace: str, person: str, reader: ParticipantReader) -> list[Returned]:
        """A manager is back: they get a participation in every open round (deadline still
        ahead) that asks one of their units, unless someone is already answering for it
        there; a participation marked absent is opened again. Returns the participations
        whose thread is still to be opened (nothing while the person is away), described
        by ``reader``."""
        now = self.kernel.now()
        day = local_day(now, self.tz)

        def work(repo: Repository) -> list[int]:
            ids: list[int] = []
            subject = repo.person(person)
            if subject is None or book_in(repo, day).is_absent(person, day):
                return []
            absences = repo.absences
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
                    if not asked or any(
                        p.status in (ParticipationState.ANSWERING, ParticipationState.FINISHED)
                        for p in asked
                    ):
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
            return ids

        out = []
        for pid in self.kernel.transaction(workspace, work):
            participant = reader.participant(workspace, pid)
            out.append(
                Returned(
                    reader.round_info(workspace, participant.round_id),
                    participant,
                    reader.current_prompt(workspace, pid),
                )
            )
        return out
