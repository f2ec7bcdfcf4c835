"""What the schedule commands share: where a schedule to show comes from, and how its
errors are printed."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from bot.i18n import t
from bot.schedule.config import AnnualSchedule, load_preset, load_schedule
from bot.schedule.errors import ScheduleError
from bot.wiring import build_runtime
from storage.db import NotMigrated

if TYPE_CHECKING:
    from rich.console import Console


def schedule_errors(err: Console, exc: ScheduleError, lang: str) -> int:
    """Print a schedule's problems in ``lang``, one line each; the exit code."""
    for line in exc.messages(lang):
        err.print(line, markup=False, highlight=False, soft_wrap=True)
    return 1


def source_for_show(args: argparse.Namespace, out: Console) -> tuple[AnnualSchedule, str]:
    """The schedule a view command shows (``--file``, ``--preset`` or the stored one, else
    the preset) and where it came from."""
    if args.file:
        return load_schedule(Path(args.file)), args.file
    if args.preset:
        return load_preset(), "preset"
    try:
        runtime = build_runtime(args.db)
    except NotMigrated:
        runtime = None
    stored = runtime.services.schedule.load(args.workspace) if runtime is not None else None
    if stored is None:
        out.print(
            t(args.lang, "schedule.cli.showing_preset", workspace=args.workspace),
            markup=False,
            highlight=False,
            soft_wrap=True,
        )
        return load_preset(), "preset"
    return stored.schedule, t(
        args.lang, "schedule.cli.stored_source", source=stored.source, workspace=args.workspace
    )
