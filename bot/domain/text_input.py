"""Text that enters the core from people: cleaned once, lengths checked in the domain.

:func:`clean_text` is the one function every entry point of typed text goes through
(answers, edits, form fields, corrections, round titles, names in organisation files).
It removes what no database or output format can hold: NUL and the other C0 control
characters except newline and tab (a carriage return becomes a newline), and lone UTF-16
surrogates. Everything else is kept exactly as typed.

:func:`parse_id` turns a typed id (a round number) into an int in the database's range.
The ``*_MAX`` constants are the longest values the database columns hold; the domain
checks them so that every backend refuses the same input with the same message.
"""

from __future__ import annotations

import re

from bot.domain.errors import InvalidId, InvalidInput

NAME_MAX = 200
"""Unit, person and level names."""
KEY_MAX = 128
"""Unit, level, template and question keys."""
REF_MAX = 255
"""Chat ids and channel references."""
TITLE_MAX = 300
"""Round titles."""
MANAGER_TITLE_MAX = 100
"""A level's manager title (A-chef, …)."""
ID_MAX = 2**31 - 1
"""Largest row id (a 32-bit signed integer column)."""

_UNWANTED = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff]")


def clean_text(text: str) -> str:
    """``text`` without NUL, other C0 controls (except ``\\n`` and ``\\t``) and lone
    surrogates; ``\\r\\n`` and ``\\r`` become ``\\n``."""
    if text.isprintable():
        return text
    return _UNWANTED.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


def clip(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters, ending in an ellipsis when cut (for titles
    the bot composes itself; typed text that is too long is refused instead)."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def parse_id(text: str | int, what: str = "round") -> int:
    """A row id typed by someone (``7``, ``#7``): a positive integer that fits the database.

    Raises:
        InvalidId: Not a number, or out of range; the message names ``what``.
    """
    if isinstance(text, int) and not isinstance(text, bool):
        number = text
    else:
        word = str(text).strip().lstrip("#")
        if not word.isascii() or not word.isdigit() or len(word) > 12:
            raise InvalidId(what, str(text).strip()[:40], ID_MAX)
        number = int(word)
    if not 1 <= number <= ID_MAX:
        raise InvalidId(what, str(text).strip()[:40], ID_MAX)
    return number


YEAR_RANGE = (1900, 2999)
"""Calendar years a schedule or report may be asked for."""


def parse_year(text: str | int) -> int:
    """A typed calendar year within :data:`YEAR_RANGE`.

    Raises:
        InvalidInput: Not a number or out of range.
    """
    low, high = YEAR_RANGE
    word = str(text).strip()
    if not (word.isascii() and word.isdigit() and low <= int(word) <= high):
        raise InvalidInput(f"{word[:20]!r} ({low}–{high})")
    return int(word)
