"""Plain-text views of a planned year, for ``dialogbot schedule show``.

Both functions are pure and produce monospaced text in Swedish (``lang="sv"``,
the default) or English (``lang="en"``). Weeks start on Monday in both.
"""

from __future__ import annotations

import calendar as stdlib_calendar
from collections.abc import Iterable, Sequence
from datetime import date, datetime, tzinfo
from typing import Literal

from bot.schedule.plan import PlannedRound

Lang = Literal["sv", "en"]
"""Languages the views support."""

START_MARK = "*"
"""Marks a day on which a round starts."""

DEADLINE_MARK = "!"
"""Marks a day on which a round's answers are due."""

BOTH_MARK = "#"
"""Marks a day with both a start and a deadline."""

MONTHS: dict[str, tuple[str, ...]] = {
    "sv": (
        "januari", "februari", "mars", "april", "maj", "juni",
        "juli", "augusti", "september", "oktober", "november", "december",
    ),
    "en": (
        "January", "February", "March", "April", "May", "June",
        "July", "August", "September", "October", "November", "December",
    ),
}  # fmt: skip
"""Month names, January first."""

WEEKDAYS: dict[str, tuple[str, ...]] = {
    "sv": ("mån", "tis", "ons", "tors", "fre", "lör", "sön"),
    "en": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"),
}
"""Weekday abbreviations, Monday first."""

_WEEKDAY_HEADER: dict[str, tuple[str, ...]] = {
    "sv": ("må", "ti", "on", "to", "fr", "lö", "sö"),
    "en": ("Mo", "Tu", "We", "Th", "Fr", "Sa", "Su"),
}

LEVEL_NAMES: dict[str, dict[str, str]] = {
    "sv": {
        "kommunfullmaktige": "kommunfullmäktige",
        "kommunstyrelse": "kommunstyrelsen",
        "namnd": "nämnd",
        "forvaltning": "förvaltning",
        "avdelning": "avdelning",
        "enhet": "enhet",
        "medarbetare": "medarbetare",
    },
    "en": {
        "kommunfullmaktige": "municipal council",
        "kommunstyrelse": "executive board",
        "namnd": "committee",
        "forvaltning": "administration",
        "avdelning": "department",
        "enhet": "unit",
        "medarbetare": "staff",
    },
}
"""Display names of the standard level keys; unknown keys are shown as they are."""

PHASE_NAMES: dict[str, dict[str, str]] = {
    "sv": {
        "planering": "planering",
        "avstamning": "avstämning",
        "resultat": "resultat",
        "verksamhetside": "verksamhetsidé",
        "mandatperiod": "mandatperiod",
        "workshop": "workshop",
        "annan": "annan",
    },
    "en": {
        "planering": "planning",
        "avstamning": "follow-up",
        "resultat": "results",
        "verksamhetside": "mission",
        "mandatperiod": "term of office",
        "workshop": "workshop",
        "annan": "other",
    },
}
"""Display names of the template phases; unknown phases are shown as they are."""


def phase_name(phase: str, lang: str = "sv") -> str:
    """Return the display name of a phase key such as ``"avstamning"``.

    Args:
        phase: The phase key.
        lang: ``"sv"`` or ``"en"``.

    Returns:
        The localised name, or the key itself if it is not a known phase.
    """
    return PHASE_NAMES[_lang(lang)].get(phase, phase)


_TEXT: dict[str, dict[str, str]] = {
    "sv": {
        "start": "Start",
        "day": "Dag",
        "deadline": "Svar senast",
        "template": "Mall",
        "name": "Namn",
        "levels": "Svarar → tar emot",
        "empty": "Inga dialogomgångar planerade.",
        "legend": "Teckenförklaring",
        "start_mark": "start av dialogomgång",
        "deadline_mark": "sista svarsdag",
        "both_mark": "start och sista svarsdag samma dag",
        "starts": "startar",
        "due": "svar senast",
    },
    "en": {
        "start": "Start",
        "day": "Day",
        "deadline": "Deadline",
        "template": "Template",
        "name": "Name",
        "levels": "Answers → receives",
        "empty": "No dialog rounds planned.",
        "legend": "Legend",
        "start_mark": "round starts",
        "deadline_mark": "answers due",
        "both_mark": "a start and a deadline on the same day",
        "starts": "starts",
        "due": "answers due",
    },
}

_MONTH_WIDTH = 21
_MONTH_GAP = "   "
_MONTHS_PER_ROW = 3


def _lang(lang: str) -> Lang:
    if lang == "sv":
        return "sv"
    if lang == "en":
        return "en"
    raise ValueError(f"unsupported language {lang!r} (expected 'sv' or 'en')")


def level_name(level_key: str, lang: str = "sv") -> str:
    """Return the display name of a level key.

    Args:
        level_key: A level key such as ``"namnd"``.
        lang: ``"sv"`` or ``"en"``.

    Returns:
        The localised name, or the key itself if it is not a standard level.
    """
    return LEVEL_NAMES[_lang(lang)].get(level_key, level_key)


def _table(headers: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    materialised = [list(row) for row in rows]
    widths = [len(header) for header in headers]
    for row in materialised:
        widths = [max(width, len(cell)) for width, cell in zip(widths, row, strict=True)]

    def line(cells: Sequence[str]) -> str:
        return "  ".join(cell.ljust(width) for cell, width in zip(cells, widths, strict=True))

    rule = "  ".join("-" * width for width in widths)
    return "\n".join(line.rstrip() for line in [line(headers), rule, *map(line, materialised)])


def format_year_table(rounds: Iterable[PlannedRound], tz: tzinfo, lang: str = "sv") -> str:
    """Render planned rounds as a plain-text table, one row per round.

    Columns: start (local date and time), weekday, deadline (local date and
    time), template, name, and levels (answering → receiving).

    Args:
        rounds: The planned rounds, e.g. from :func:`bot.schedule.plan.plan_year`.
        tz: Time zone in which to show dates and times.
        lang: ``"sv"`` or ``"en"``.

    Returns:
        The table, without a trailing newline.
    """
    language = _lang(lang)
    text = _TEXT[language]
    ordered = sorted(rounds, key=lambda item: (item.starts_at, item.key))
    if not ordered:
        return text["empty"]
    headers = [
        text["start"],
        text["day"],
        text["deadline"],
        text["template"],
        text["name"],
        text["levels"],
    ]
    rows = []
    for item in ordered:
        start = item.starts_at.astimezone(tz)
        deadline = item.deadline_at.astimezone(tz)
        rows.append(
            [
                start.strftime("%Y-%m-%d %H:%M"),
                WEEKDAYS[language][start.weekday()],
                f"{deadline:%Y-%m-%d %H:%M} {WEEKDAYS[language][deadline.weekday()]}",
                item.template,
                item.name,
                f"{level_name(item.answering_level, language)} → "
                f"{level_name(item.receiving_level, language)}",
            ]
        )
    return _table(headers, rows)


def _month_block(year: int, month: int, marks: dict[date, str], language: Lang) -> list[str]:
    title = f"{MONTHS[language][month - 1]}".center(_MONTH_WIDTH).rstrip()
    header = " ".join(_WEEKDAY_HEADER[language]) + " "
    lines = [title, header]
    for week in stdlib_calendar.Calendar(firstweekday=0).monthdayscalendar(year, month):
        cells = []
        for day in week:
            if day == 0:
                cells.append("   ")
            else:
                cells.append(f"{day:2d}{marks.get(date(year, month, day), ' ')}")
        lines.append("".join(cells))
    return lines


def _local_date(moment: datetime, tz: tzinfo) -> date:
    return moment.astimezone(tz).date()


def format_year_calendar(
    rounds: Iterable[PlannedRound], year: int, tz: tzinfo, lang: str = "sv"
) -> str:
    """Render a twelve-month text calendar (like ``cal``) with rounds marked.

    Days on which a round starts are marked ``*``, days on which answers are
    due ``!``, and days with both ``#``. A legend and a dated list of the
    marked events follow the calendar. Only dates inside ``year`` are marked.

    Args:
        rounds: The planned rounds.
        year: The calendar year to draw.
        tz: Time zone in which to place the starts and deadlines.
        lang: ``"sv"`` or ``"en"``.

    Returns:
        The calendar, without a trailing newline.
    """
    language = _lang(lang)
    text = _TEXT[language]
    ordered = sorted(rounds, key=lambda item: (item.starts_at, item.key))
    marks: dict[date, str] = {}
    events: list[tuple[date, int, str]] = []
    for item in ordered:
        start = _local_date(item.starts_at, tz)
        deadline = _local_date(item.deadline_at, tz)
        if start.year == year:
            marks[start] = BOTH_MARK if marks.get(start) == DEADLINE_MARK else START_MARK
            events.append((start, 0, f"{START_MARK} {text['starts']}: {item.name}"))
        if deadline.year == year:
            marks[deadline] = BOTH_MARK if marks.get(deadline) == START_MARK else DEADLINE_MARK
            events.append((deadline, 1, f"{DEADLINE_MARK} {text['due']}: {item.name}"))

    width = _MONTHS_PER_ROW * _MONTH_WIDTH + (_MONTHS_PER_ROW - 1) * len(_MONTH_GAP)
    lines = [str(year).center(width).rstrip(), ""]
    for first in range(1, 13, _MONTHS_PER_ROW):
        blocks = [
            _month_block(year, month, marks, language)
            for month in range(first, first + _MONTHS_PER_ROW)
        ]
        height = max(len(block) for block in blocks)
        for index in range(height):
            cells = [
                (block[index] if index < len(block) else "").ljust(_MONTH_WIDTH) for block in blocks
            ]
            lines.append(_MONTH_GAP.join(cells).rstrip())
        lines.append("")
    lines.pop()

    lines += [
        "",
        f"{text['legend']}: {START_MARK} = {text['start_mark']}, "
        f"{DEADLINE_MARK} = {text['deadline_mark']}, {BOTH_MARK} = {text['both_mark']}",
    ]
    if events:
        lines.append("")
        for day, _, label in sorted(events, key=lambda event: (event[0], event[1])):
            weekday = WEEKDAYS[language][day.weekday()]
            lines.append(f"{day.isoformat()} {weekday:<4} {label}")
    else:
        lines += ["", text["empty"]]
    return "\n".join(lines)
