"""`dialogbot export`, `report`, `activities` and `evaluation`: the dialog chain's commands."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from bot.domain.formats import EXPORT_FORMATS
from bot.i18n import t

if TYPE_CHECKING:
    from rich.console import Console


def _write(
    content: bytes, filename: str, fmt: str, output: str | None, out: Console, lang: str
) -> int:
    from bot.cli_errors import DocxToTerminal

    if output == "-" or (output is None and fmt != "docx"):
        if fmt == "docx" and sys.stdout.isatty():
            raise DocxToTerminal()
        sys.stdout.buffer.write(content)
        sys.stdout.flush()
        return 0
    path = Path(output or filename)
    path.write_bytes(content)
    out.print(t(lang, "cli.wrote", path=path, size=len(content)), markup=False, highlight=False)
    return 0


def cmd_export(args: argparse.Namespace, out: Console) -> int:
    from bot.chain.export import export_round
    from bot.domain.text_input import parse_id
    from bot.wiring import build_runtime

    runtime = build_runtime(args.db)
    content, filename = export_round(
        runtime.services, args.workspace, parse_id(args.round), args.format
    )
    return _write(content, filename, args.format, args.output, out, args.lang)


def cmd_report(args: argparse.Namespace, out: Console) -> int:
    from bot.chain.report import export_unit_report
    from bot.domain.text_input import parse_year
    from bot.wiring import build_runtime

    runtime = build_runtime(args.db)
    content, filename = export_unit_report(
        runtime.services,
        args.workspace,
        args.unit,
        parse_year(args.year),
        args.format,
        args.lang,
        args.tz,
    )
    return _write(content, filename, args.format, args.output, out, args.lang)


def cmd_activities(args: argparse.Namespace, out: Console) -> int:
    from rich.table import Table

    from bot.chain.export import status_label
    from bot.escaping import terminal
    from bot.i18n import format_local
    from bot.wiring import build_runtime

    runtime = build_runtime(args.db)
    activities = runtime.services.activities.activities(
        args.workspace, args.unit, only_open=args.open
    )
    if not activities:
        out.print(t(args.lang, "chain.activities.none"))
        return 0
    table = Table(
        "id",
        t(args.lang, "export.activity"),
        t(args.lang, "export.owner"),
        t(args.lang, "export.status"),
        t(args.lang, "export.note"),
        t(args.lang, "export.date"),
        title=t(args.lang, "chain.activities.title", unit=terminal(activities[0].unit_name)),
    )
    for a in activities:
        table.add_row(
            str(a.activity_id),
            terminal(a.title),
            terminal(a.owner or "–"),
            status_label(a.status, args.lang),
            terminal(a.status_note or "–"),
            format_local(a.created_at)[:10],
        )
    out.print(table)
    return 0


def cmd_evaluation_send(args: argparse.Namespace, out: Console) -> int:
    from bot.chain.evaluation import send_evaluation
    from bot.domain.text_input import parse_id
    from bot.wiring import build_runtime

    runtime = build_runtime(args.db)
    started = send_evaluation(
        runtime.services,
        args.workspace,
        parse_id(args.round),
        started_by=args.by,
        anonymous=not args.named,
    )
    info = started.round
    key = "cli.evaluation.existed" if started.already_existed else "cli.evaluation.started"
    count = len(started.participants)
    message = t(args.lang, key, round_id=info.round_id, title=info.title, count=count)
    out.print(message, markup=False, highlight=False)
    return 0


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the chain's sub-commands to the ``dialogbot`` parser."""
    export = subparsers.add_parser(
        "export", help="a round's documentation (cover, facts, answers, activities, evaluation)"
    )
    export.add_argument("round")
    export.add_argument("--format", choices=EXPORT_FORMATS, default="md")
    export.add_argument(
        "--output", "-o", help="file to write ('-' for stdout; docx defaults to a file)"
    )
    export.set_defaults(handler=cmd_export)

    report = subparsers.add_parser(
        "report", help="a unit's yearly report: planering, avstämningar and resultat side by side"
    )
    report.add_argument("unit", help="unit key or name")
    report.add_argument("--year", required=True)
    report.add_argument("--format", choices=EXPORT_FORMATS, default="md")
    report.add_argument("--output", "-o", help="file to write ('-' for stdout)")
    report.set_defaults(handler=cmd_report)

    acts = subparsers.add_parser("activities", help="a unit's tracked activities and their status")
    acts.add_argument("unit", help="unit key or name")
    acts.add_argument("--open", action="store_true", help="only activities still open")
    acts.set_defaults(handler=cmd_activities)

    evaluation = subparsers.add_parser(
        "evaluation", help="evaluation after a dialog meeting"
    ).add_subparsers(dest="evaluation_command", metavar="ACTION")
    send = evaluation.add_parser(
        "send", help="ask the round's participants what worked and what could be better"
    )
    send.add_argument("round")
    send.add_argument("--by", help="chat id of the process support sending it (role checked)")
    send.add_argument("--named", action="store_true", help="not anonymous (default: anonymous)")
    send.set_defaults(handler=cmd_evaluation_send)
