"""Parsing of dates and times that people type, in the organisation's time zone."""

from __future__ import annotations

from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

from dateutil import parser as date_parser

from bot.errors import InvalidInput
from bot.i18n import DEFAULT_TZ

DEADLINE_TIME = time(17, 0)


def parse_deadline(text: str, tz: str = DEFAULT_TZ) -> datetime:
    """A deadline typed as ``2027-05-15`` (17:00 local that day) or ``2027-05-15 12:00``.

    Returns an aware UTC datetime; the local wall time is interpreted in ``tz``, so the
    same typed time maps to different UTC offsets in summer and winter.
    """
    raw = text.strip()
    try:
        parsed = date_parser.isoparse(raw)
    except ValueError:
        try:
            parsed = date_parser.parse(raw, dayfirst=False, yearfirst=True)
        except (ValueError, OverflowError):
            raise InvalidInput(f"deadline {raw!r} (use YYYY-MM-DD)") from None
    zone = ZoneInfo(tz)
    if parsed.tzinfo is None:
        has_time = len(raw) > 10
        local = parsed if has_time else datetime.combine(parsed.date(), DEADLINE_TIME)
        parsed = local.replace(tzinfo=zone)
    return parsed.astimezone(UTC)
