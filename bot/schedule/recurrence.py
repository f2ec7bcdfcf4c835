"""A round's recurrence rule evaluated one calendar year at a time, in bounded time.

dateutil looks for the next occurrence of a rule until year 9999: a rule with no
occurrence in a year (29 February in a common year, an impossible ``BYSETPOS``) costs
seconds per evaluation, and a rule with none at all never fires. Because rules are
evaluated per year with ``DTSTART`` on 1 January, a year's occurrences depend only on the
weekday of 1 January and on which of the year and its neighbours are leap years. So a
year is evaluated in a *proxy year* of the same kind close to 9999, where the search
ends within a few dozen years, and the dates are moved back to the real year.

:func:`year_kinds_without_occurrences` lets the configuration refuse rules that never
fire, and :func:`occurrences_in_year` is what planning uses.
"""

from __future__ import annotations

import calendar
from datetime import date, datetime
from functools import cache, lru_cache

from dateutil.rrule import rrule, rrulestr

_PROXY_FIRST, _PROXY_LAST = 9968, 9995  # one whole 28-year cycle without a century year

_Kind = tuple[int, bool, bool, bool]


def _kind(year: int) -> _Kind:
    return (
        date(year, 1, 1).weekday(),
        calendar.isleap(year - 1),
        calendar.isleap(year),
        calendar.isleap(year + 1),
    )


@cache
def _proxies() -> dict[_Kind, int]:
    return {_kind(year): year for year in range(_PROXY_FIRST, _PROXY_LAST + 1)}


def _proxy(year: int) -> int:
    return _proxies().get(_kind(year), year)


@lru_cache(maxsize=4096)
def _dates_in(rule_text: str, year: int) -> tuple[date, ...]:
    first = datetime(year, 1, 1)
    after = datetime(year + 1, 1, 1)
    rule = rrulestr(rule_text, dtstart=first)
    assert isinstance(rule, rrule)
    until: datetime | None = getattr(rule, "_until", None)
    if until is not None:
        rule = rule.replace(until=None)
    proxy = _proxy(year)
    if proxy != year:
        rule = rule.replace(dtstart=datetime(proxy, 1, 1))
        found = rule.between(datetime(proxy, 1, 1), datetime(proxy + 1, 1, 1), inc=True)
        moments = [m.replace(year=year) for m in found if m.year == proxy]
    else:
        moments = [m for m in rule.between(first, after, inc=True) if m < after]
    if until is not None:
        moments = [m for m in moments if m <= until]
    return tuple(m.date() for m in moments)


def occurrences_in_year(rule_text: str, year: int) -> list[date]:
    """Dates of ``rule_text`` (``DTSTART`` = 1 January of ``year``) within ``year``."""
    return list(_dates_in(rule_text, year))


def never_fires(rule_text: str) -> bool:
    """True when the rule (ignoring ``UNTIL``) has no occurrence in any kind of year."""
    rule = rrulestr(rule_text, dtstart=datetime(_PROXY_FIRST, 1, 1))
    assert isinstance(rule, rrule)
    without_until = str(rule.replace(until=None)).split("\n")[-1]
    text = without_until.removeprefix("RRULE:")
    return not any(_dates_in(text, year) for year in _proxies().values())
