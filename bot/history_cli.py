"""``dialogbot history``: every answer of a period as CSV or Excel, and response rates.

Registered by :mod:`bot.cli` through its ``EXTENSIONS`` list. The commands only call the
service functions in :mod:`bot.history` and the writers; openpyxl and matplotlib are
imported only when a file of theirs is written.
"""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from bot.cli_parser import argument_error
from bot.i18n import t
from bot.schedule.year_cli import year_arg

if TYPE_CHECKING:
    from rich.console import Console

    from bot.history import RateCell


def _say(console: Console, text: str) -> None:
    console.print(text, markup=False, highlight=False, soft_wrap=True)


def _day(value: str) -> date:
    try:
        day = date.fromisoformat(value.strip())
    except ValueError:
        raise argument_error("cli.arg.date", value=repr(value)) from None
    year_arg(str(day.year))
    return day


def _delimiter(value: str) -> str:
    if len(value) != 1:
        raise argument_error("cli.arg.character", value=repr(value))
    return value


def _output(raw: str | None, suffixes: tuple[str, ...], err: Console, lang: str) -> Path | None:
    if not raw:
        _say(err, t(lang, "history.need_output", example=f"-o historik.{suffixes[0]}"))
        return None
    path = Path(raw)
    if path.is_dir() or not path.parent.is_dir():
        _say(err, t(lang, "year.bad_output", path=str(path)))
        return None
    return path


def cmd_history(args: argparse.Namespace, out: Console) -> int:
    """Write every answer between two dates as CSV or Excel."""
    from rich.console import Console

    from bot.history_export import FORMATS, write_csv, write_xlsx
    from bot.wiring import build_runtime

    err = Console(stderr=True)
    if args.date_from is None or args.date_to is None:
        _say(err, t(args.lang, "history.need_dates"))
        return 2
    if args.date_to < args.date_from:
        _say(err, t(args.lang, "history.bad_range", start=args.date_from, end=args.date_to))
        return 2
    path = _output(args.output, FORMATS, err, args.lang)
    if path is None:
        return 2
    fmt = args.format or (path.suffix.lower().lstrip(".") or "csv")
    if fmt not in FORMATS:
        _say(err, t(args.lang, "history.bad_format", suffix=path.suffix))
        return 2
    runtime = build_runtime(args.db)
    history = runtime.services.history.answer_history(
        args.workspace,
        args.date_from,
        args.date_to,
        unit=args.unit,
        template=args.template,
        lang=args.lang,
        tz=args.tz,
    )
    if fmt == "xlsx":
        count = write_xlsx(history, path, args.lang)
    else:
        count = write_csv(history, path, args.lang, args.delimiter)
    _say(
        out, t(args.lang, "history.written", path=str(path), rows=count, rounds=len(history.rounds))
    )
    if history.anonymous_left_out:
        _say(out, t(args.lang, "history.anonymous_left_out", count=history.anonymous_left_out))
    return 0


def _rate_text(cell: RateCell | None, lang: str) -> str:
    if cell is None:
        return "–"
    if cell.hidden:
        return t(lang, "history.rates.anonymous_cell")
    percent = round(100 * cell.rate)
    colour = "green" if percent == 100 else "yellow" if percent >= 50 else "red"
    detail = f" ({cell.finished}/{cell.participants})" if cell.participants > 1 else ""
    return f"[{colour}]{percent} %{detail}[/{colour}]"


def _chart_path(args: argparse.Namespace) -> Path | Literal[False] | None:
    """Where ``-o`` asks a chart to go (None: no chart); False, with the reason printed,
    when it cannot be written there."""
    from rich.console import Console

    if not args.output:
        return None
    err = Console(stderr=True)
    path = _output(args.output, ("png",), err, args.lang)
    if path is None:
        return False
    if path.suffix.lower() not in (".png", ".svg"):
        _say(err, t(args.lang, "history.chart_format", suffix=path.suffix or "(none)"))
        return False
    return path


def cmd_history_rates(args: argparse.Namespace, out: Console) -> int:
    """Print the response rates of a year as a table (and draw a heat map with ``-o``)."""
    from rich.table import Table

    from bot.escaping import terminal
    from bot.wiring import build_runtime

    path = _chart_path(args)
    if path is False:
        return 2
    runtime = build_runtime(args.db)
    year = args.year or runtime.services.kernel.clock.now().year
    table = runtime.services.history.response_rates(
        args.workspace, year, lang=args.lang, tz=args.tz
    )
    if not table.rounds:
        _say(out, t(args.lang, "history.rates.none", year=year))
        return 0
    grid = Table(
        t(args.lang, "history.rates.unit"),
        *(f"{info.phase}\n{info.started:%Y-%m-%d}" for info in table.rounds),
        title=t(args.lang, "history.rates.title", year=year),
    )
    for name, cells in zip(table.units, table.cells, strict=True):
        grid.add_row(
            terminal(name),
            *(_rate_text(cell, args.lang) for cell in cells),
        )
    grid.add_section()
    grid.add_row(
        f"[bold]{t(args.lang, 'history.rates.total')}[/bold]",
        *(_rate_text(total, args.lang) for total in table.totals),
    )
    out.print(grid)
    _say(out, t(args.lang, "history.rates.legend"))
    if path is not None:
        from bot.history_charts import render_rate_heatmap

        render_rate_heatmap(table, path, args.lang)
        _say(out, t(args.lang, "history.rates.written", path=str(path)))
    return 0


def cmd_history_activities(args: argparse.Namespace, out: Console) -> int:
    """Print the year's activities per unit (and draw a chart with ``-o``)."""
    from rich.table import Table

    from bot.escaping import terminal
    from bot.history import ACTIVITY_GROUPS
    from bot.wiring import build_runtime

    path = _chart_path(args)
    if path is False:
        return 2
    runtime = build_runtime(args.db)
    year = args.year or runtime.services.kernel.clock.now().year
    overview = runtime.services.history.activity_overview(
        args.workspace, year, unit=args.unit, lang=args.lang, tz=args.tz
    )
    if not overview.units:
        _say(out, t(args.lang, "history.activities.none", year=year))
        return 0
    groups = [t(args.lang, f"history.activities.{group}") for group in ACTIVITY_GROUPS]
    grid = Table(
        t(args.lang, "history.rates.unit"),
        *groups,
        t(args.lang, "history.activities.total"),
        title=t(args.lang, "history.activities.title", year=year),
    )
    for row in overview.units:
        grid.add_row(
            terminal(row.name), *(str(row.counts[g]) for g in ACTIVITY_GROUPS), str(row.total)
        )
    grid.add_section()
    total = overview.total
    grid.add_row(
        f"[bold]{terminal(total.name)}[/bold]",
        *(str(total.counts[g]) for g in ACTIVITY_GROUPS),
        str(total.total),
    )
    out.print(grid)
    if path is not None:
        from bot.history_charts import render_activity_chart

        render_activity_chart(overview, path, args.lang)
        _say(out, t(args.lang, "history.activities.written", path=str(path)))
    return 0


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``history`` (and ``history rates``) to the ``dialogbot`` command line.

    Args:
        subparsers: The top-level sub-command collection.
    """
    history = subparsers.add_parser(
        "history",
        help="every answer of a period as CSV or Excel (-o FILE); 'history rates' for response rates",
    )
    history.add_argument("--from", dest="date_from", type=_day, help="first day, YYYY-MM-DD")
    history.add_argument("--to", dest="date_to", type=_day, help="last day, YYYY-MM-DD")
    history.add_argument("--unit", help="only this unit (key or name) and the units below it")
    history.add_argument("--template", help="only rounds of this template, e.g. avstamning")
    history.add_argument(
        "--format", choices=("csv", "xlsx"), help="file format (default: from the file name)"
    )
    history.add_argument("-o", "--output", help="the file to write")
    history.add_argument(
        "--delimiter",
        type=_delimiter,
        default=";",
        help="CSV field separator (default ';', as Swedish Excel)",
    )
    history.set_defaults(handler=cmd_history)

    views = history.add_subparsers(dest="history_command", metavar="VIEW")
    rates = views.add_parser(
        "rates", help="response rates of a year, units × rounds (-o rates.png for a heat map)"
    )
    rates.add_argument("--year", type=year_arg, help="calendar year (default: this year)")
    rates.add_argument("-o", "--output", help="also draw a heat map (.png or .svg)")
    rates.set_defaults(handler=cmd_history_rates)

    acts = views.add_parser(
        "activities",
        help="activities of a year per unit: planned, ongoing, done, stopped (-o chart.png)",
    )
    acts.add_argument("--year", type=year_arg, help="calendar year (default: this year)")
    acts.add_argument("--unit", help="only this unit (key or name) and the units below it")
    acts.add_argument("-o", "--output", help="also draw a chart (.png or .svg)")
    acts.set_defaults(handler=cmd_history_activities)
