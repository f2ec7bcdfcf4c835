"""``dialogbot doctor`` (registered by :mod:`bot.cli` through its ``EXTENSIONS`` list)."""

from __future__ import annotations

import argparse
import os

from rich.console import Console

from bot.doctor import Doctor
from storage.db import make_engine


def cmd_doctor(args: argparse.Namespace, out: Console) -> int:
    """Check the installation; one line per check, exit code 1 when something is wrong."""
    db = make_engine(args.db)
    doctor = Doctor(
        db=db,
        env=dict(os.environ),
        mode=args.mode,
        tz=args.tz,
        workspace=args.workspace,
        lang=args.lang,
    )
    try:
        report = doctor.run()
    finally:
        db.dispose()
    for line in report.lines():
        out.print(line, markup=False, highlight=False)
    out.print(doctor.summary(report), markup=False, highlight=False)
    return report.exit_code


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``doctor`` to the ``dialogbot`` command line."""
    doctor = subparsers.add_parser(
        "doctor", help="check database, configuration, Slack token, channels and managers"
    )
    doctor.add_argument(
        "--mode",
        choices=("http", "socket"),
        help="the mode `serve` runs in (default: socket when SLACK_APP_TOKEN is set, else http)",
    )
    doctor.set_defaults(handler=cmd_doctor)
