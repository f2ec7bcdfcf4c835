"""Absence and deputies (*frånvaro och ersättare*), as pure domain rules.

A manager away for a period (whole local days, both ends inclusive) gets no reminders;
a round that starts while they are away goes to their deputy — the one named with the
absence first, else the unit's standing deputy — and without a deputy the manager's
participation is marked :data:`ABSENT`, shown as "frånvarande" rather than "ej svarat".
Everything here is plain data and functions; :mod:`bot.absence_service` reads and writes.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from bot.domain.errors import DialogError, InvalidInput
from bot.domain.results import Participant, RoundStatus, UnitProgress
from bot.domain.states import ParticipationState, is_finished
from bot.i18n import DEFAULT_TZ, t

ABSENT = ParticipationState.ABSENT
"""Participation status of a manager who was away, without a deputy, when the round began."""

MAX_DAYS = 366
"""Longest absence that can be registered at once."""

RETURN_HOUR = 8
"""Local hour on the day after an absence when the manager gets the questions they missed."""


class InvalidAbsence(DialogError):
    """A period that cannot be registered (end before start, too long, already over)."""

    key = "absence.invalid"

    def __init__(self, reason: str, **params: object) -> None:
        super().__init__(reason, reason=reason, **params)
        self.key = f"absence.invalid_{reason}"


class UnknownAbsence(DialogError):
    """``ta bort N`` with a number not in the list."""

    key = "absence.unknown"

    def __init__(self, number: int, count: int) -> None:
        super().__init__(f"no absence {number}", number=number, count=count)


class AlreadyRemoved(DialogError):
    """The same removal request arrived again (a retried command): nothing more is removed."""

    key = "absence.already_removed"


@dataclass(frozen=True)
class AbsencePeriod:
    """One registered absence as plain data (chat ids and names, local dates)."""

    absence_id: int
    person: str
    person_name: str
    starts_on: date
    ends_on: date
    deputy: str | None = None
    deputy_name: str | None = None

    def covers(self, day: date) -> bool:
        """True when ``day`` (a local date) is within the absence."""
        return self.starts_on <= day <= self.ends_on


@dataclass(frozen=True)
class AbsenceBook:
    """The absences of one workspace, to ask who is away on a day."""

    periods: tuple[AbsencePeriod, ...] = ()

    def period(self, person: str, day: date) -> AbsencePeriod | None:
        """The absence of ``person`` (chat id) covering ``day``, if any."""
        return next((a for a in self.periods if a.person == person and a.covers(day)), None)

    def is_absent(self, person: str, day: date) -> bool:
        """Whether ``person`` (chat id) is away on ``day`` (a local date)."""
        return self.period(person, day) is not None


def local_day(moment: datetime, tz: str = DEFAULT_TZ) -> date:
    """The local calendar date of an aware moment."""
    return moment.astimezone(ZoneInfo(tz)).date()


def back_at(ends_on: date, tz: str = DEFAULT_TZ) -> datetime:
    """When a manager is back: :data:`RETURN_HOUR` local time the day after ``ends_on`` (UTC)."""
    return datetime.combine(
        ends_on + timedelta(days=1), time(RETURN_HOUR), ZoneInfo(tz)
    ).astimezone(UTC)


def check_period(starts_on: date, ends_on: date, today: date) -> None:
    """Refuse a period that ends before it starts, is longer than :data:`MAX_DAYS`, or is over."""
    if ends_on < starts_on:
        raise InvalidAbsence("order", starts_on=starts_on.isoformat(), ends_on=ends_on.isoformat())
    if (ends_on - starts_on).days + 1 > MAX_DAYS:
        raise InvalidAbsence("too_long", days=MAX_DAYS)
    if ends_on < today:
        raise InvalidAbsence("past", ends_on=ends_on.isoformat())


def choose_respondent(
    manager: str, unit_deputy: str | None, book: AbsenceBook, day: date
) -> tuple[str | None, bool]:
    """Who answers for a manager in a round starting on ``day``.

    Returns:
        ``(chat id, on behalf)``: the manager themselves when present; else the deputy
        named with the absence, else the unit's standing deputy (if they are not away
        too), with ``on behalf`` True; else ``(None, False)``: nobody, the manager is
        marked absent.
    """
    period = book.period(manager, day)
    if period is None:
        return manager, False
    for deputy in (period.deputy, unit_deputy):
        if deputy and deputy != manager and not book.is_absent(deputy, day):
            return deputy, True
    return None, False


def reminder_recipients(
    participants: Iterable[Participant], book: AbsenceBook, day: date
) -> list[Participant]:
    """The participants to remind on ``day``: everyone not away."""
    return [p for p in participants if not book.is_absent(p.chat_id, day)]


def mark_absent(status: RoundStatus, book: AbsenceBook, day: date) -> RoundStatus:
    """``status`` with every unfinished participant away on ``day`` shown as :data:`ABSENT`
    (they are left out of "missing" and counted as "frånvarande")."""

    def mark(p: Participant) -> Participant:
        if not is_finished(p.status) and p.answered == 0 and book.is_absent(p.chat_id, day):
            return replace(p, status=ABSENT)
        return p

    units = [
        UnitProgress(u.unit_key, u.unit_name, u.level_key, [mark(p) for p in u.participants])
        for u in status.units
    ]
    return replace(status, units=units)


def absent_line(status: RoundStatus, lang: str, label: Callable[[Participant], str]) -> str:
    """``\nFrånvarande: …`` for a digest or status (``""`` when nobody is away); in an
    anonymous round only how many, so no unit is revealed."""
    absent = status.absent
    if not absent:
        return ""
    if status.round.anonymous:
        return "\n" + t(lang, "absence.digest_count", n=len(absent))
    return "\n" + t(lang, "absence.digest_names", names=", ".join(label(p) for p in absent))


# The command: /dialog frånvaro … -------------------------------------------------------

Action = Literal["list", "add", "remove"]

_MENTION = re.compile(r"^<@([UW][A-Z0-9]+)(?:\|[^>]*)?>$")
_BARE_ID = re.compile(r"^[UW][A-Z0-9]{2,}$")
_DEPUTY_WORDS = {"ersattare", "ersättare", "deputy", "tf", "vikarie"}
_REMOVE_WORDS = {"ta", "bort", "remove", "delete", "radera"}


@dataclass(frozen=True)
class AbsenceRequest:
    """What ``/dialog frånvaro …`` asked for."""

    action: Action
    person: str | None = None
    starts_on: date | None = None
    ends_on: date | None = None
    deputy: str | None = None
    number: int | None = None


def parse_person(word: str) -> str | None:
    """A user id from a Slack mention (``<@U123>``, ``<@U123|anna>``) or a bare id."""
    mention = _MENTION.match(word)
    if mention:
        return mention.group(1)
    return word if _BARE_ID.match(word) else None


def parse_date(word: str) -> date:
    """An ISO date (``2027-07-01``), or :class:`InvalidInput` naming it."""
    try:
        return date.fromisoformat(word)
    except ValueError:
        shown = word if len(word) <= 40 else word[:40] + "…"
        raise InvalidInput(f"{shown} (ÅÅÅÅ-MM-DD)") from None


def parse_absence_command(
    text: str, read_person: Callable[[str], str | None] = parse_person
) -> AbsenceRequest:
    """Parse the words after ``frånvaro``/``absence``.

    ``""`` lists; ``ta bort N`` / ``remove N`` removes the N:th listed;
    ``[@person] 2027-07-01 2027-08-09 [ersättare @deputy]`` registers. ``read_person``
    turns a word into a chat id (None: not a person); the default reads Slack's mentions.
    """
    words = text.split()
    if not words:
        return AbsenceRequest("list")
    person: str | None = None
    if words[0].lower() in _REMOVE_WORDS:
        rest = [w for w in words if w.lower() not in _REMOVE_WORDS]
        if rest and read_person(rest[0]) is not None:
            person = read_person(rest[0])
            rest = rest[1:]
        if len(rest) != 1 or not rest[0].lstrip("#").isdigit() or len(rest[0]) > 6:
            raise InvalidInput("ta bort N")
        return AbsenceRequest("remove", person=person, number=int(rest[0].lstrip("#")))
    if read_person(words[0]) is not None:
        person = read_person(words[0])
        words = words[1:]
    if len(words) == 0:
        return AbsenceRequest("list", person=person)
    deputy: str | None = None
    lowered = [w.lower() for w in words]
    found = next((i for i, w in enumerate(lowered) if w.rstrip(":") in _DEPUTY_WORDS), None)
    if found is not None:
        tail = words[found + 1 :]
        if len(tail) != 1 or read_person(tail[0]) is None:
            raise InvalidInput("ersättare @person")
        deputy = read_person(tail[0])
        words = words[:found]
    if len(words) != 2:
        raise InvalidInput("ÅÅÅÅ-MM-DD ÅÅÅÅ-MM-DD")
    return AbsenceRequest("add", person, parse_date(words[0]), parse_date(words[1]), deputy)


def numbered(periods: Sequence[AbsencePeriod]) -> list[tuple[int, AbsencePeriod]]:
    """Periods in the order they are listed (by start), numbered from 1."""
    ordered = sorted(periods, key=lambda a: (a.starts_on, a.ends_on, a.absence_id))
    return list(enumerate(ordered, start=1))
