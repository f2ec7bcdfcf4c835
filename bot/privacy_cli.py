"""``dialogbot person export|erase`` and the handler of ``dialogbot db purge``: personal
data. (``dialogbot secrets``, the Slack tokens' keys, is :mod:`bot.slack.secrets_cli`.)"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from bot.i18n import t

if TYPE_CHECKING:
    from rich.console import Console


def cmd_person_export(args: argparse.Namespace, out: Console) -> int:
    """Print (or write) everything stored about a person as JSON."""
    from bot.wiring import build_runtime

    runtime = build_runtime(args.db)
    data = runtime.services.personal_data.export_person(args.workspace, args.id)
    text = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
        size = len(text.encode("utf-8"))
        out.print(t(args.lang, "cli.wrote", path=args.output, size=size), markup=False)
    else:
        sys.stdout.write(text)
    return 0


def cmd_person_erase(args: argparse.Namespace, out: Console) -> int:
    """Erase a person's identity; their answers stay with their units."""
    from bot.wiring import build_runtime

    if not args.yes:
        out.print(t(args.lang, "cli.person.erase_confirm", id=args.id), markup=False)
        return 1
    runtime = build_runtime(args.db)
    erased = runtime.services.personal_data.erase_person(args.workspace, args.id)
    message = t(
        args.lang,
        "cli.person.erased",
        id=args.id,
        participations=erased.participations,
        message_keys=erased.message_keys,
        posts=erased.posts,
        activities=erased.activities,
    )
    out.print(message, markup=False, highlight=False)
    return 0


def cmd_db_purge(args: argparse.Namespace, out: Console) -> int:
    """Purge post contents and message keys older than the retention period."""
    from bot.personal_data import retention_days_from_env
    from bot.wiring import build_runtime

    days = args.days if args.days is not None else retention_days_from_env()
    if days is None:
        out.print(t(args.lang, "cli.purge.off"), markup=False)
        return 0
    if days < 1:
        out.print(t(args.lang, "cli.purge.days"), markup=False)
        return 2
    runtime = build_runtime(args.db)
    report = runtime.services.personal_data.purge_expired(days)
    message = t(
        args.lang,
        "cli.purge.done",
        posts=report.post_payloads,
        message_keys=report.message_keys,
        before=report.before.isoformat(),
    )
    out.print(message, markup=False, highlight=False)
    return 0


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``person`` to the ``dialogbot`` command line."""
    person = subparsers.add_parser(
        "person", help="personal data: export or erase what is stored about a person"
    ).add_subparsers(dest="person_command", metavar="ACTION")
    export = person.add_parser("export", help="everything stored about a person, as JSON")
    export.add_argument("id", help="the person's chat id (Slack user id)")
    export.add_argument("-o", "--output", help="write to this file instead of stdout")
    export.set_defaults(handler=cmd_person_export)
    erase = person.add_parser(
        "erase", help="remove a person's identity; the units' documentation stays"
    )
    erase.add_argument("id", help="the person's chat id (Slack user id)")
    erase.add_argument("--yes", action="store_true", help="really erase")
    erase.set_defaults(handler=cmd_person_erase)


def add_purge(db: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``purge`` to ``dialogbot db``."""
    purge = db.add_parser(
        "purge", help="purge post contents and message keys older than the retention period"
    )
    purge.add_argument(
        "--days", type=int, help="keep this many days (default: $DIALOGBOT_RETENTION_DAYS or 90)"
    )
    purge.set_defaults(handler=cmd_db_purge)
