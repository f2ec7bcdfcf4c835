"""Moments as people say them: ``fredag 15 maj 17:00`` (Swedish) or ``Friday 15 May 17:00``.

Weekday and month names come from ICU's CLDR data for the language (the same library
:mod:`bot.domain.collation` uses), in the installation's time zone. Stored times are UTC.
"""

from __future__ import annotations

import threading
from datetime import datetime
from typing import TYPE_CHECKING

from bot.i18n import DEFAULT_TZ

if TYPE_CHECKING:
    import icu

_LOCALES = {"sv": "sv_SE", "en": "en_GB"}
_local = threading.local()


def _formatter(lang: str, tz: str, with_year: bool) -> icu.SimpleDateFormat:
    """One formatter per thread, language, zone and pattern (ICU formatters are not
    thread-safe)."""
    cache: dict[tuple[str, str, bool], icu.SimpleDateFormat] = getattr(_local, "cache", {})
    _local.cache = cache
    key = (lang, tz, with_year)
    formatter = cache.get(key)
    if formatter is None:
        import icu  # loaded by the first moment spoken, not by every importer

        pattern = "EEEE d MMMM y HH:mm" if with_year else "EEEE d MMMM HH:mm"
        formatter = icu.SimpleDateFormat(pattern, icu.Locale(_LOCALES.get(lang, "sv_SE")))
        formatter.setTimeZone(icu.TimeZone.createTimeZone(tz))
        cache[key] = formatter
    return formatter


def spoken(moment: datetime, lang: str, tz: str = DEFAULT_TZ, *, with_year: bool = False) -> str:
    """``moment`` (aware) as a weekday, day, month and local time, e.g.
    ``fredag 15 maj 17:00``; ``with_year`` adds the year (``fredag 15 maj 2027 17:00``)."""
    text: str = _formatter(lang, tz, with_year).format(moment.timestamp())
    return text
