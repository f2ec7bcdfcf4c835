"""``dialogbot absence add|list|remove``: absences and deputies from the command line."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from bot.cli_parser import argument_error
from bot.i18n import t

if TYPE_CHECKING:
    from rich.console import Console

    from bot.services.absences import Absences


def _service(args: argparse.Namespace) -> Absences:
    from bot.wiring import build_runtime

    return build_runtime(args.db).services.absences.in_zone(args.tz)


def _print(out: Console, text: str) -> None:
    out.print(text, markup=False, highlight=False)


def cmd_absence_add(args: argparse.Namespace, out: Console) -> int:
    from bot.absence_command import registered_text
    from bot.domain.absence import parse_date

    period = _service(args).register(
        args.workspace,
        args.by,
        parse_date(args.starts_on),
        parse_date(args.ends_on),
        person=args.person,
        deputy=args.deputy,
    )
    _print(out, registered_text(args.lang, period, str))
    return 0


def cmd_absence_list(args: argparse.Namespace, out: Console) -> int:
    from bot.absence_command import item_text

    listed = _service(args).listed(args.workspace, args.by, args.person)
    if not listed:
        _print(out, t(args.lang, "absence.list_none", name=args.person))
        return 0
    _print(out, t(args.lang, "absence.list_header", name=listed[0][1].person_name))
    for n, period in listed:
        _print(out, item_text(args.lang, n, period, str))
    return 0


def cmd_absence_remove(args: argparse.Namespace, out: Console) -> int:
    from bot.absence_command import removed_text

    removed = _service(args).remove(args.workspace, args.by, args.number, args.person)
    _print(out, removed_text(args.lang, removed, str))
    return 0


def _number(text: str) -> int:
    if not text.strip().lstrip("#").isdigit() or len(text) > 7:
        raise argument_error("cli.arg.number", value=repr(text))
    return int(text.strip().lstrip("#"))


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``absence`` commands to the ``dialogbot`` parser."""
    absence = subparsers.add_parser(
        "absence", help="absence and deputies (frånvaro och ersättare)"
    ).add_subparsers(dest="absence_command", metavar="ACTION")
    add = absence.add_parser("add", help="register an absence: PERSON FROM TO (inclusive dates)")
    add.add_argument("person", help="chat id of the absent person")
    add.add_argument("starts_on", help="first day away, YYYY-MM-DD")
    add.add_argument("ends_on", help="last day away, YYYY-MM-DD")
    add.add_argument("--deputy", help="chat id of the deputy (ersättare) who answers meanwhile")
    add.add_argument("--by", help="chat id of the person registering it (role checked)")
    add.set_defaults(handler=cmd_absence_add)
    show = absence.add_parser("list", help="a person's registered absences, numbered")
    show.add_argument("person")
    show.add_argument("--by", help="chat id of the person asking (role checked)")
    show.set_defaults(handler=cmd_absence_list)
    remove = absence.add_parser("remove", help="remove the N:th listed absence of a person")
    remove.add_argument("person")
    remove.add_argument("number", type=_number)
    remove.add_argument("--by", help="chat id of the person removing it (role checked)")
    remove.set_defaults(handler=cmd_absence_remove)
