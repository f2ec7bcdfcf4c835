"""Parsing of dates and times that people type, in the organisation's time zone."""

from __future__ import annotations

from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dateutil import parser as date_parser

from bot.i18n import DEFAULT_TZ
from bot.input_errors import DeadlineInPast, InvalidDeadline, UnknownTimeZone

DEADLINE_TIME = time(17, 0)


def time_zone(name: str) -> ZoneInfo:
    """The IANA time zone ``name`` (e.g. ``Europe/Stockholm``), or :class:`UnknownTimeZone`."""
    try:
        return ZoneInfo(name.strip())
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise UnknownTimeZone(name) from None


def parse_deadline(text: str, tz: str = DEFAULT_TZ, *, now: datetime | None = None) -> datetime:
    """A deadline typed as ``2027-05-15`` (17:00 local that day) or ``2027-05-15 12:00``.

    Returns an aware UTC datetime; the local wall time is interpreted in ``tz``, so the
    same typed time maps to different UTC offsets in summer and winter. With ``now``, a
    deadline that is not after it is refused (:class:`DeadlineInPast`).
    """
    raw = text.strip()
    try:
        parsed = date_parser.isoparse(raw)
    except ValueError:
        try:
            parsed = date_parser.parse(raw, dayfirst=False, yearfirst=True)
        except (ValueError, OverflowError):
            raise InvalidDeadline(raw) from None
    zone = time_zone(tz)
    if parsed.tzinfo is None:
        has_time = len(raw) > 10
        local = parsed if has_time else datetime.combine(parsed.date(), DEADLINE_TIME)
        parsed = local.replace(tzinfo=zone)
    deadline = parsed.astimezone(UTC)
    if now is not None and deadline <= now:
        raise DeadlineInPast(deadline.astimezone(zone).strftime("%Y-%m-%d %H:%M"))
    return deadline
