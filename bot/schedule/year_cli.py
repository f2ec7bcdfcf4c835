"""``dialogbot schedule wheel`` and ``dialogbot schedule ical``: the year at a glance.

Registered by :func:`bot.schedule.cli.register`. matplotlib and icalendar are imported
only when these commands run, so the rest of the command line starts fast.
"""

from __future__ import annotations

import argparse
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from bot.cli_parser import argument_error
from bot.i18n import t
from bot.schedule.preset import preset_path

if TYPE_CHECKING:
    from rich.console import Console


def _say(console: Console, text: str) -> None:
    console.print(text, markup=False, highlight=False, soft_wrap=True)


def _today(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argument_error("cli.arg.date", value=repr(value)) from None


def year_arg(value: str) -> int:
    """An ``argparse`` type for ``--year``: a year of :data:`bot.domain.text_input.YEAR_RANGE`.

    Args:
        value: The text typed.

    Returns:
        The year.

    Raises:
        argparse.ArgumentTypeError: If it is not such a year.
    """
    from bot.domain.errors import InvalidInput
    from bot.domain.text_input import YEAR_RANGE, parse_year

    try:
        return parse_year(value)
    except InvalidInput:
        low, high = YEAR_RANGE
        raise argument_error("cli.arg.year", low=low, high=high, value=repr(value)) from None


def _writable(path: Path, err: Console, lang: str) -> bool:
    if path.is_dir() or not path.parent.is_dir():
        _say(err, t(lang, "year.bad_output", path=str(path)))
        return False
    return True


def cmd_schedule_wheel(args: argparse.Namespace, out: Console) -> int:
    """Draw the year's rounds as an årshjul picture (PNG or SVG)."""
    from rich.console import Console

    from bot.clock import SystemClock
    from bot.schedule.cli_common import schedule_errors, source_for_show
    from bot.schedule.errors import ScheduleError
    from bot.schedule.plan import plan_year
    from bot.schedule.wheel import FORMATS, render_wheel, template_phases

    err = Console(stderr=True)
    path = Path(args.output)
    if path.suffix.lower().lstrip(".") not in FORMATS:
        _say(err, t(args.lang, "year.wheel_format", suffix=path.suffix or "(none)"))
        return 2
    if not _writable(path, err, args.lang):
        return 2
    try:
        schedule, _ = source_for_show(args, out)
    except ScheduleError as exc:
        return schedule_errors(err, exc, args.lang)
    now = SystemClock().now()
    year = args.year or now.astimezone(schedule.tz).year
    today = args.today or now.astimezone(schedule.tz).date()
    rounds = plan_year(schedule, year)
    arcs = render_wheel(
        rounds, year, schedule.tz, path, phases=template_phases(), today=today, lang=args.lang
    )
    _say(out, t(args.lang, "year.wheel_written", path=str(path), year=year, count=len(arcs)))
    return 0


def cmd_schedule_ical(args: argparse.Namespace, out: Console) -> int:
    """Write the year's starts, reminders and deadlines as an iCalendar file."""
    from rich.console import Console

    from bot.clock import SystemClock
    from bot.schedule.cli_common import schedule_errors, source_for_show
    from bot.schedule.errors import ScheduleError
    from bot.schedule.ical import year_calendar

    err = Console(stderr=True)
    path = Path(args.output)
    if not _writable(path, err, args.lang):
        return 2
    try:
        schedule, _ = source_for_show(args, out)
    except ScheduleError as exc:
        return schedule_errors(err, exc, args.lang)
    now: datetime = SystemClock().now()
    year = args.year or now.astimezone(schedule.tz).year
    calendar = year_calendar(schedule, year, args.workspace, now, args.lang)
    path.write_bytes(calendar.to_ical())
    count = len(calendar.walk("VEVENT"))
    _say(out, t(args.lang, "year.ical_written", path=str(path), year=year, count=count))
    return 0


def _add_source(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--year", type=year_arg, help="calendar year (default: this year)")
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--file", help="a schedule YAML file (default: the stored schedule)")
    source.add_argument("--preset", action="store_true", help=f"the shipped {preset_path().name}")
    parser.add_argument("-o", "--output", required=True, help="the file to write")


def register_year_views(schedule: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``wheel`` and ``ical`` under ``dialogbot schedule``.

    Args:
        schedule: The ``schedule`` command's sub-command collection.
    """
    wheel = schedule.add_parser(
        "wheel", help="draw the year's rounds as an årshjul picture (-o arshjul.png|svg)"
    )
    _add_source(wheel)
    wheel.add_argument(
        "--today", type=_today, help="the day marked as today (default: today), YYYY-MM-DD"
    )
    wheel.set_defaults(handler=cmd_schedule_wheel)

    ical = schedule.add_parser(
        "ical", help="write the year's starts, reminders and deadlines as iCalendar (-o x.ics)"
    )
    _add_source(ical)
    ical.set_defaults(handler=cmd_schedule_ical)
