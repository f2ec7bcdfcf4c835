"""``dialogbot schedule show|import|jobs`` and ``dialogbot worker``.

Registered by :mod:`bot.cli` through its ``EXTENSIONS`` list.
"""

from __future__ import annotations

import argparse
import logging
import signal
import threading
from datetime import datetime, timedelta
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING

from bot.cli_parser import argument_error
from bot.i18n import format_local, t
from bot.schedule.jobs import DEFAULT_INTERVAL_S, DEFAULT_LEASE
from bot.schedule.preset import preset_path
from storage.job_status import JOB_STATUSES

if TYPE_CHECKING:
    from rich.console import Console

    from bot.ports import Notifier
    from bot.wiring import Runtime

log = logging.getLogger(__name__)


def cmd_schedule_show(args: argparse.Namespace, out: Console) -> int:
    """Print a year's rounds as a table and a text calendar."""
    from rich.console import Console

    from bot.domain.text_input import parse_year
    from bot.schedule.cli_common import schedule_errors, source_for_show
    from bot.schedule.errors import ScheduleError
    from bot.schedule.plan import plan_year
    from bot.schedule.render import format_year_calendar, format_year_table

    err = Console(stderr=True)
    try:
        schedule, source = source_for_show(args, out)
    except ScheduleError as exc:
        return schedule_errors(err, exc, args.lang)
    year = parse_year(args.year) if args.year else datetime.now(schedule.tz).year
    rounds = plan_year(schedule, year)
    out.print(
        f"{source} — {year} ({schedule.timezone}, {len(rounds)})", markup=False, highlight=False
    )
    out.print("")
    table = format_year_table(rounds, schedule.tz, args.lang)
    calendar = format_year_calendar(rounds, year, schedule.tz, args.lang)
    out.print(f"{table}\n\n{calendar}", markup=False, highlight=False, soft_wrap=True)
    return 0


def cmd_schedule_import(args: argparse.Namespace, out: Console) -> int:
    """Validate a schedule file (or the preset) and store it for the workspace."""
    from rich.console import Console

    from bot.schedule.cli_common import schedule_errors
    from bot.schedule.config import load_preset, load_schedule
    from bot.schedule.errors import ScheduleError
    from bot.wiring import build_runtime

    err = Console(stderr=True)
    if bool(args.file) == bool(args.preset):
        err.print(
            t(args.lang, "schedule.cli.file_or_preset"),
            markup=False,
            highlight=False,
            soft_wrap=True,
        )
        return 2
    runtime = build_runtime(args.db)
    try:
        if args.preset:
            schedule, source = load_preset(), "preset"
        else:
            schedule, source = load_schedule(Path(args.file)), str(args.file)
        report = runtime.services.schedule.save(
            args.workspace,
            schedule,
            source,
            default_group_ref=args.group,
            lang=args.lang,
        )
    except ScheduleError as exc:
        return schedule_errors(err, exc, args.lang)
    out.print(
        t(
            args.lang,
            "schedule.cli.replaced" if report.replaced else "schedule.cli.stored",
            workspace=args.workspace,
            source=source,
            n=len(schedule.rounds),
            when=format_local(report.stored.planned_until, args.lang, schedule.timezone),
        ),
        markup=False,
        highlight=False,
        soft_wrap=True,
    )
    if report.dropped_jobs:
        out.print(t(args.lang, "schedule.cli.dropped", n=report.dropped_jobs))
    for warning in report.warnings:
        err.print(
            t(args.lang, "schedule.cli.warning", text=warning.line(args.lang)),
            markup=False,
            highlight=False,
            soft_wrap=True,
        )
    return 0


def cmd_schedule_jobs(args: argparse.Namespace, out: Console) -> int:
    """List the scheduler's jobs for the workspace."""
    from bot import cli_views
    from bot.schedule.console_notifier import ConsoleNotifier
    from bot.schedule.scheduler import Scheduler
    from bot.wiring import build_runtime

    runtime = build_runtime(args.db)
    scheduler = Scheduler(runtime.services, ConsoleNotifier(out, args.tz))
    table = cli_views.table(args.lang, "id", "kind", "key", "due", "status", "attempts", "outcome")
    for job in scheduler.jobs.jobs(args.workspace, args.status, args.limit):
        table.add_row(
            str(job.id),
            job.kind,
            job.job_key,
            format_local(job.due_at, args.lang, args.tz),
            job.status,
            str(job.attempts),
            job.last_error if job.status == "failed" else (job.outcome or job.last_error or ""),
        )
    out.print(table)
    return 0


def notifier_for(args: argparse.Namespace, runtime: Runtime, out: Console) -> Notifier:
    """The notifier the worker uses: the chat platform's when one is configured (see
    :func:`bot.platforms.platform_notifier`), else the console.

    Args:
        args: The parsed command line.
        runtime: The database and engine.
        out: The console to print to.

    Returns:
        The notifier.
    """
    from bot.platforms import platform_notifier
    from bot.schedule.console_notifier import ConsoleNotifier

    notifier = platform_notifier(runtime)
    return ConsoleNotifier(out, args.tz) if notifier is None else notifier


def cmd_worker(args: argparse.Namespace, out: Console) -> int:
    """Run the scheduler: once (``--once``) or until interrupted."""
    from bot.personal_data import retention_days_from_env
    from bot.schedule.scheduler import Scheduler
    from bot.wiring import build_runtime

    runtime = build_runtime(args.db, serving=not args.once)
    scheduler = Scheduler(
        runtime.services,
        notifier_for(args, runtime, out),
        lease=timedelta(seconds=args.lease),
        retention_days=retention_days_from_env(),
    )
    if args.once:
        report = scheduler.tick()
        out.print(
            t(
                args.lang,
                "schedule.cli.worker_once",
                worker=scheduler.worker_id,
                planned=report.planned,
                ran=report.ran,
                failed=report.failed,
            ),
            markup=False,
            highlight=False,
            soft_wrap=True,
        )
        return 1 if report.failed else 0
    server = None
    if args.metrics_port:
        from bot.metrics import DatabaseCollector, serve_metrics

        server, _ = serve_metrics(
            args.metrics_port,
            DatabaseCollector(runtime.services.ops, now=runtime.services.kernel.clock.now),
        )
    stop = threading.Event()

    def _stop(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, _stop)
    out.print(
        t(
            args.lang,
            "schedule.cli.worker_running",
            worker=scheduler.worker_id,
            interval=f"{args.interval:g}",
        ),
        markup=False,
        highlight=False,
        soft_wrap=True,
    )
    try:
        scheduler.run_forever(stop, args.interval)
    except KeyboardInterrupt:
        stop.set()
    finally:
        if server is not None:
            server.shutdown()
    return 0


def _positive(value: str) -> float:
    number = float(value)
    if number <= 0:
        raise argument_error("cli.arg.seconds", value=value)
    return number


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``schedule`` and ``worker`` to the ``dialogbot`` command line.

    Args:
        subparsers: The top-level sub-command collection.
    """
    schedule = subparsers.add_parser(
        "schedule", help="the annual schedule (årsschema): show, import, jobs"
    ).add_subparsers(dest="schedule_command", metavar="ACTION")

    show = schedule.add_parser("show", help="print a year's rounds as a table and a calendar")
    show.add_argument("--year", help="calendar year (default: this year)")
    source = show.add_mutually_exclusive_group()
    source.add_argument("--file", help="a schedule YAML file (default: the stored schedule)")
    source.add_argument("--preset", action="store_true", help=f"the shipped {preset_path().name}")
    show.set_defaults(handler=cmd_schedule_show)

    imp = schedule.add_parser("import", help="validate a schedule and store it for the workspace")
    imp.add_argument("file", nargs="?", help="schedule YAML file")
    imp.add_argument("--preset", action="store_true", help="store the shipped årsschema preset")
    imp.add_argument(
        "--group", help="channel for receiving units that have no channel of their own"
    )
    imp.set_defaults(handler=cmd_schedule_import)

    jobs = schedule.add_parser("jobs", help="list the scheduler's jobs")
    jobs.add_argument("--status", choices=JOB_STATUSES)
    jobs.add_argument("--limit", type=int, default=100)
    jobs.set_defaults(handler=cmd_schedule_jobs)

    from bot.schedule.year_cli import register_year_views

    register_year_views(schedule)

    worker = subparsers.add_parser(
        "worker", help="run the scheduler (rounds, reminders, summaries) without the chat server"
    )
    worker.add_argument(
        "--interval",
        type=_positive,
        default=DEFAULT_INTERVAL_S,
        help=f"seconds between ticks (default {DEFAULT_INTERVAL_S:g})",
    )
    worker.add_argument("--once", action="store_true", help="run one tick and exit")
    worker.add_argument(
        "--metrics-port", type=int, help="serve Prometheus metrics at http://0.0.0.0:PORT/metrics"
    )
    worker.add_argument(
        "--lease",
        type=_positive,
        default=DEFAULT_LEASE.total_seconds(),
        help="seconds a claimed job stays reserved for this worker",
    )
    worker.set_defaults(handler=cmd_worker)
