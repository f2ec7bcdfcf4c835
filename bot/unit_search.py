"""Finding units by a few typed letters (the start form's type-ahead).

A unit matches when every word typed occurs in its name or its level's name, ignoring
case and accents (``hem`` finds *Hemtjänst Norr* and *Solhemmet*, ``ALDRE`` finds
*Äldreomsorg*). Matches come in Swedish order (:mod:`bot.domain.collation`).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence

from bot.domain.collation import swedish_sorted
from bot.domain.results import UnitChoice


def fold(text: str) -> str:
    """``text`` without case or accents, for matching (not for display)."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def matching_units(
    units: Iterable[UnitChoice], query: str, limit: int | None = None
) -> list[UnitChoice]:
    """The units matching ``query`` (all of them for an empty one), in Swedish order of
    name, at most ``limit``."""
    words = fold(query).split()
    found: Sequence[UnitChoice] = [
        u for u in units if all(w in fold(f"{u.name} {u.level_name}") for w in words)
    ]
    ordered = swedish_sorted(found, lambda u: u.name)
    return ordered if limit is None else ordered[:limit]
