"""Business-time arithmetic for the annual schedule.

Everything here is pure: no clock is read; callers pass the moments they care
about. Local wall-clock reasoning ("09:00 on the first business day after ...")
happens in the organisation's time zone (``zoneinfo``); the results that leave
this module for storage are timezone-aware UTC datetimes.

Business days:
    A business day is a Monday-Friday that is not a public holiday in the
    country (``holidays.country_holidays``). For Sweden the *de facto*
    non-working eves - midsommarafton, julafton and nyårsafton - are also
    non-business days. Current releases of ``holidays`` ship them in the
    ``DE_FACTO`` category, which is requested when the country supports it;
    older releases lack that category, so for Sweden the three eves are then
    added explicitly (semesterlagen 1977:480 §7 treats them like Sundays).
    Some ``holidays`` releases list every Sunday as a Swedish holiday
    ("Söndag"); that is harmless here because weekends are excluded on their
    own. "Klämdagar" (e.g. the Friday after Kristi himmelsfärd) and
    trettondagsafton/skärtorsdag are ordinary business days.

Local times that do not exist or exist twice (DST):
    Europe/Stockholm skips 02:00-03:00 on the last Sunday of March and repeats
    02:00-03:00 on the last Sunday of October. :func:`local_moment` resolves a
    nonexistent wall time by moving it forward by the length of the gap
    (02:30 becomes 03:30 CEST, ``dateutil.tz.resolve_imaginary``) and an
    ambiguous wall time to its *first* occurrence (``fold=0``, still CEST), so
    a message is never sent later than the wall clock asked for. With the
    default send hour (09:00) and the fact that both transitions fall on a
    Sunday, the schedule never meets either case in practice.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, tzinfo
from functools import lru_cache
from zoneinfo import ZoneInfo

from dateutil import tz as dateutil_tz

DEFAULT_TIMEZONE = "Europe/Stockholm"
"""Time zone used when an organisation does not configure one."""

DEFAULT_COUNTRY = "SE"
"""Holiday calendar used when an organisation does not configure one."""

DEFAULT_SEND_HOUR = 9
"""Local hour at which rounds start and reminders are sent."""

DEFAULT_END_HOUR = 17
"""Local hour at which the business day ends; deadlines fall at this hour."""

STOCKHOLM = ZoneInfo(DEFAULT_TIMEZONE)
"""The default organisation time zone."""

_MAX_SEARCH_DAYS = 366
"""Upper bound when looking for a business day; no calendar has a year of holidays."""


def _swedish_eves(year: int) -> dict[date, str]:
    """Midsommarafton, julafton and nyårsafton of ``year``.

    Only used when the installed ``holidays`` release has no ``DE_FACTO``
    category for Sweden.
    """
    june_19 = date(year, 6, 19)
    # Midsommarafton is the Friday between 19 and 25 June.
    midsummer_eve = june_19 + timedelta(days=(4 - june_19.weekday()) % 7)
    return {
        midsummer_eve: "Midsommarafton",
        date(year, 12, 24): "Julafton",
        date(year, 12, 31): "Nyårsafton",
    }


@lru_cache(maxsize=256)
def _holidays_for(country: str, year: int) -> frozenset[date]:
    """All non-working holiday dates of one country and year (weekends not included)."""
    import holidays  # late: loading it costs ~40 ms, and most commands need no calendar

    try:
        calendar = holidays.country_holidays(
            country, years=year, categories=(holidays.PUBLIC, holidays.DE_FACTO)
        )
        has_de_facto = True
    except ValueError:  # the country (or this holidays release) has no DE_FACTO category
        calendar = holidays.country_holidays(country, years=year)
        has_de_facto = False
    days = {day for day in calendar if isinstance(day, date) and day.year == year}
    if country.upper() == "SE" and not has_de_facto:
        days.update(_swedish_eves(year))
    return frozenset(days)


def validate_country(country: str) -> str:
    """Check that ``holidays`` has a calendar for ``country``.

    Args:
        country: ISO 3166-1 alpha-2 code, e.g. ``"SE"``.

    Returns:
        The code, upper-cased.

    Raises:
        ValueError: If the ``holidays`` library does not know the country.
    """
    code = country.strip().upper()
    try:
        _holidays_for(code, 2000)
    except NotImplementedError as exc:
        raise ValueError(f"unknown holiday country {country!r} (expected e.g. 'SE')") from exc
    return code


def is_business_day(d: date, country: str = DEFAULT_COUNTRY) -> bool:
    """Tell whether ``d`` is a working day.

    Args:
        d: The local calendar date (a ``datetime`` counts by its date part).
        country: ISO country code of the holiday calendar.

    Returns:
        ``False`` on Saturdays, Sundays, public holidays and (for Sweden) on
        midsommarafton, julafton and nyårsafton; ``True`` otherwise.
    """
    if isinstance(d, datetime):
        d = d.date()
    if d.weekday() >= 5:
        return False
    return d not in _holidays_for(country.upper(), d.year)


def next_business_day(d: date, country: str = DEFAULT_COUNTRY, *, inclusive: bool = False) -> date:
    """Return the first business day after ``d`` (or at ``d`` when ``inclusive``).

    Args:
        d: The starting date.
        country: ISO country code of the holiday calendar.
        inclusive: Whether ``d`` itself may be returned.

    Returns:
        The business day.
    """
    candidate = d if inclusive else d + timedelta(days=1)
    for _ in range(_MAX_SEARCH_DAYS):
        if is_business_day(candidate, country):
            return candidate
        candidate += timedelta(days=1)
    raise RuntimeError(f"no business day within a year after {d}")  # pragma: no cover


def previous_business_day(
    d: date, country: str = DEFAULT_COUNTRY, *, inclusive: bool = False
) -> date:
    """Return the last business day before ``d`` (or ``d`` itself when ``inclusive``).

    Used for reminders, which must move *earlier* rather than later when they
    would fall on a weekend or holiday.

    Args:
        d: The starting date.
        country: ISO country code of the holiday calendar.
        inclusive: Whether ``d`` itself may be returned.

    Returns:
        The business day.
    """
    candidate = d if inclusive else d - timedelta(days=1)
    for _ in range(_MAX_SEARCH_DAYS):
        if is_business_day(candidate, country):
            return candidate
        candidate -= timedelta(days=1)
    raise RuntimeError(f"no business day within a year before {d}")  # pragma: no cover


def local_moment(d: date, hour: int, tz: tzinfo = STOCKHOLM, minute: int = 0) -> datetime:
    """Build the aware local datetime for a wall-clock time on a date.

    Nonexistent wall times (inside the spring-forward gap) move forward by the
    length of the gap; ambiguous ones (inside the repeated autumn hour) take
    the first occurrence. See the module docstring.

    Args:
        d: Local calendar date.
        hour: Local hour, 0-23.
        tz: The organisation's time zone.
        minute: Local minute.

    Returns:
        An aware datetime in ``tz`` that really exists.
    """
    naive = datetime.combine(d, time(hour, minute))
    return resolve_local(naive, tz)


def resolve_local(naive: datetime, tz: tzinfo = STOCKHOLM) -> datetime:
    """Attach ``tz`` to a naive wall-clock datetime, resolving DST gaps and overlaps.

    Args:
        naive: Wall-clock time without tzinfo.
        tz: The organisation's time zone.

    Returns:
        An aware datetime in ``tz``: nonexistent times shifted forward by the
        gap, ambiguous times at their first (summer-time) occurrence.
    """
    aware = naive.replace(tzinfo=tz, fold=0)
    if not dateutil_tz.datetime_exists(aware):
        aware = dateutil_tz.resolve_imaginary(aware)
    # Normalise through UTC so that the result carries the right offset and fold.
    return aware.astimezone(UTC).astimezone(tz)


def to_local(moment: datetime, tz: tzinfo = STOCKHOLM) -> datetime:
    """Express a moment in local time; naive input is read as local wall time.

    Args:
        moment: Aware datetime (any zone), or naive wall time in ``tz``.
        tz: The organisation's time zone.

    Returns:
        The aware local datetime.
    """
    if moment.tzinfo is None or moment.utcoffset() is None:
        return resolve_local(moment, tz)
    return moment.astimezone(tz)


def to_utc(moment: datetime, tz: tzinfo = STOCKHOLM) -> datetime:
    """Convert to an aware UTC datetime for storage; naive input is local wall time.

    Args:
        moment: Aware datetime (any zone), or naive wall time in ``tz``.
        tz: The organisation's time zone.

    Returns:
        The same instant in UTC.
    """
    return to_local(moment, tz).astimezone(UTC)


def next_business_moment(
    local_dt: datetime,
    send_hour: int = DEFAULT_SEND_HOUR,
    *,
    end_hour: int = DEFAULT_END_HOUR,
    tz: tzinfo = STOCKHOLM,
    country: str = DEFAULT_COUNTRY,
) -> datetime:
    """Return the first moment at or after ``local_dt`` inside business hours.

    Business hours are ``send_hour:00`` (inclusive) to ``end_hour:00``
    (exclusive), local time, on business days. A moment already inside that
    window is returned unchanged; one before ``send_hour`` on a business day
    moves to ``send_hour`` that day; anything else (evening, night, weekend,
    holiday) rolls forward to ``send_hour`` on the next business day.

    Args:
        local_dt: The earliest acceptable moment: aware (any zone, converted
            to ``tz``) or naive (read as wall time in ``tz``).
        send_hour: Local hour at which the business window opens.
        end_hour: Local hour at which the business window closes.
        tz: The organisation's time zone.
        country: ISO country code of the holiday calendar.

    Returns:
        An aware UTC datetime.

    Raises:
        ValueError: If the window is empty or the hours are out of range.
    """
    if not 0 <= send_hour < end_hour <= 24:
        raise ValueError(f"need 0 <= send_hour < end_hour <= 24, got {send_hour}, {end_hour}")
    local = to_local(local_dt, tz)
    day = local.date()
    if is_business_day(day, country):
        opens = local_moment(day, send_hour, tz)
        if local < opens:
            return opens.astimezone(UTC)
        closes = (
            local_moment(day, end_hour, tz)
            if end_hour < 24
            else local_moment(day + timedelta(days=1), 0, tz)
        )
        if local < closes:
            return local.astimezone(UTC)
    following = next_business_day(day, country)
    return local_moment(following, send_hour, tz).astimezone(UTC)
