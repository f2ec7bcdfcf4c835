"""Who is asked when a round starts, given the absences: the part of absence handling the
engine uses inside its own transaction (the rest is :mod:`bot.absence_service`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date, datetime

from bot.domain.absence import ABSENT, AbsenceBook, AbsencePeriod, choose_respondent, local_day
from bot.domain.results import Participant
from bot.domain.states import ParticipationState
from bot.i18n import DEFAULT_TZ
from storage.models import Participation, Person, Unit
from storage.models_absence import Absence
from storage.repository import Repository

INVITED = ParticipationState.INVITED


def period_of(row: Absence) -> AbsencePeriod:
    """A stored absence as plain data."""
    return AbsencePeriod(
        absence_id=row.id,
        person=row.person.chat_id,
        person_name=row.person.name,
        starts_on=row.starts_on,
        ends_on=row.ends_on,
        deputy=row.deputy.chat_id if row.deputy is not None else None,
        deputy_name=row.deputy.name if row.deputy is not None else None,
    )


def book_in(repo: Repository, day: date) -> AbsenceBook:
    """The absences of ``repo``'s workspace that are not over before ``day``."""
    rows = repo.absences.ending_on_or_after(day)
    return AbsenceBook(tuple(period_of(r) for r in rows))


def respondents(
    repo: Repository, units: Sequence[Unit], now: datetime, tz: str = DEFAULT_TZ
) -> list[tuple[Unit, Person, str]]:
    """Who gets a participation when a round starts at ``now``: ``(unit, person, status)``.

    Every manager of every unit, except that an absent manager is replaced by their
    deputy (:func:`bot.domain.absence.choose_respondent`), and without one keeps a
    participation with status :data:`bot.domain.absence.ABSENT` (no questions are sent).
    """
    day = local_day(now, tz)
    book = book_in(repo, day)
    people = {p.chat_id: p for p in repo.people()} if book.periods else {}
    out: list[tuple[Unit, Person, str]] = []
    seen: set[tuple[int, int]] = set()
    for unit in units:
        for manager in unit.managers:
            status = INVITED
            person = manager
            if book.periods:
                deputy = unit.deputy.chat_id if unit.deputy is not None else None
                who, _ = choose_respondent(manager.chat_id, deputy, book, day)
                if who is None:
                    status = ABSENT
                else:
                    person = people[who]
            if (unit.id, person.id) not in seen:
                seen.add((unit.id, person.id))
                out.append((unit, person, status))
    return out


def on_behalf(participant: Participant, p: Participation) -> Participant:
    """A participant answering for a unit they do not manage (a deputy) with the names of
    the managers they answer for."""
    if p.person is None or any(m.id == p.person_id for m in p.unit.managers):
        return participant
    return replace(participant, on_behalf_of=", ".join(m.name for m in p.unit.managers))
