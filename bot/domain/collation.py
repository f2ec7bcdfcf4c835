"""Swedish alphabetical order for everything a person reads as a list.

Units, people and activities are sorted the way a Swedish reader expects: Å, Ä, Ö after
Z, ``adam`` next to ``Adam``, ``éclair`` among the e-words, Ü with Y. The rules are
CLDR's Swedish tailoring, applied by ICU (``pyicu-wheels`` ships ICU inside its wheel, so
no system ICU is needed). Every sort of names goes through :func:`sort_key`.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    import icu

T = TypeVar("T")

_local = threading.local()


def _collator() -> icu.Collator:
    """One collator per thread (ICU collators are not meant to be shared across threads).
    ICU (some 10 MB resident) is imported by the first sort, not by every importer."""
    collator = getattr(_local, "collator", None)
    if collator is None:
        import icu

        collator = icu.Collator.createInstance(icu.Locale("sv_SE"))
        _local.collator = collator
    return collator


def sort_key(text: str) -> bytes:
    """The Swedish collation key of ``text``: compare keys to compare texts."""
    key: bytes = _collator().getSortKey(text)
    return key


def swedish_sorted(items: Iterable[T], key: Callable[[T], str]) -> list[T]:
    """``items`` in Swedish order of ``key(item)``; equal keys keep their order."""
    return sorted(items, key=lambda item: sort_key(key(item)))
