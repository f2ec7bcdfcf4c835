"""Errors about what someone typed: a deadline, a level, a time zone, a confirmation.

Each carries a message key of :mod:`bot.i18n`, like every :class:`~bot.domain.errors.DialogError`.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from bot.domain.errors import DialogError, InvalidInput
from bot.domain.templates import normalize_key


class InvalidDeadline(InvalidInput):
    """A deadline that is not a date (or a date and time)."""

    key = "error.invalid_deadline"

    def __init__(self, text: str) -> None:
        DialogError.__init__(self, f"deadline {text!r}", text=text)


class DeadlineInPast(DialogError):
    """A deadline that has already passed when the round would start."""

    key = "error.deadline_in_past"

    def __init__(self, when: str, at: datetime | None = None) -> None:
        super().__init__(f"deadline {when} has passed", when=when)
        #: The deadline itself (aware), for an adapter that words it its own way.
        self.at = at


class UnknownLevel(DialogError):
    """A ``level`` that is not one of the organisation's levels."""

    key = "error.unknown_level"

    def __init__(self, name: str, known: Iterable[str]) -> None:
        listed = ", ".join(known) or "-"
        super().__init__(f"unknown level {name!r}", name=name, known=listed)


class UnknownTimeZone(DialogError):
    """A time zone name that is not in the IANA database."""

    key = "error.unknown_tz"

    def __init__(self, name: str) -> None:
        super().__init__(f"unknown time zone {name!r}", name=name)


def check_level(level: str, known: Iterable[str]) -> None:
    """Refuse ``level`` unless it is one of the ``known`` level keys (case and å/ä/ö folded)."""
    keys = list(known)
    if normalize_key(level) not in {normalize_key(k) for k in keys}:
        raise UnknownLevel(level, keys)
