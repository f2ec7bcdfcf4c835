"""`dialogbot settings show|set`: workspace settings from the command line."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from bot.i18n import t
from bot.settings import ANONYMITY_K, SETTINGS

if TYPE_CHECKING:
    from rich.console import Console


def cmd_settings_show(args: argparse.Namespace, out: Console) -> int:
    from bot.wiring import build_runtime

    runtime = build_runtime(args.db)
    k = runtime.services.settings.get_setting(args.workspace, ANONYMITY_K)
    out.print(t(args.lang, "anonymity.setting_show", k=k), markup=False, highlight=False)
    return 0


def cmd_settings_set(args: argparse.Namespace, out: Console) -> int:
    from bot.wiring import build_runtime

    runtime = build_runtime(args.db)
    k = runtime.services.settings.set_setting(args.workspace, args.name, args.value)
    out.print(
        t(args.lang, "anonymity.setting_set", k=k, workspace=args.workspace),
        markup=False,
        highlight=False,
    )
    return 0


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``settings`` commands to the ``dialogbot`` parser."""
    settings = subparsers.add_parser(
        "settings", help="workspace settings (anonymity_k)"
    ).add_subparsers(dest="settings_command", metavar="ACTION")
    show = settings.add_parser("show", help="show the workspace's settings")
    show.set_defaults(handler=cmd_settings_show)
    change = settings.add_parser("set", help="change a setting, e.g. `settings set anonymity_k 5`")
    change.add_argument("name", help=f"one of: {', '.join(SETTINGS)}")
    change.add_argument("value")
    change.set_defaults(handler=cmd_settings_set)
