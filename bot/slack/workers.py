"""``dialogbot serve --workers N``: several HTTP worker processes on one port.

The supervisor (this module, the process the operator started) binds the port once and
starts ``N`` ``dialogbot serve`` processes that inherit the listening socket and accept on
it, each a waitress server with its own threads: the pre-fork model of gunicorn, without
another server in the stack (waitress, its body limits and the edge stay as they are).
Python runs one thread at a time per process, so processes are how the bot uses more than
one core. The supervisor restarts a worker that exits, forwards SIGTERM/SIGINT (each
worker drains its requests and stops) and, unless ``PROMETHEUS_MULTIPROC_DIR`` is set,
gives the workers a fresh directory for Prometheus' multiprocess mode so a scrape of any
worker adds up all of them.

The scheduler and the resender run once, in the worker that holds the leader lock
(:mod:`bot.leadership`); the others take over when it goes. That needs PostgreSQL:
on SQLite the supervisor refuses more than one worker.
"""

from __future__ import annotations

import argparse
import logging
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from types import FrameType

from rich.console import Console
from sqlalchemy.engine import make_url

from bot.config import environment
from storage.db import database_url

log = logging.getLogger(__name__)

#: A worker that exits sooner than this after its start counts as crashing.
CRASH_WINDOW_S = 5.0
#: Crashes in a row after which the supervisor gives up.
MAX_CRASHES = 5


def child_argv(args: argparse.Namespace, fd: int) -> list[str]:
    """The command line of one worker: the same settings, one process, the inherited
    socket ``fd``."""
    argv = [sys.executable, "-m", "bot.cli"]
    if args.db:
        argv += ["--db", args.db]
    if getattr(args, "verbose", False):
        argv.append("-v")
    if getattr(args, "log_format", None):
        argv += ["--log-format", args.log_format]
    if getattr(args, "log_level", None):
        argv += ["--log-level", args.log_level]
    if getattr(args, "tz", None):
        argv += ["--tz", args.tz]
    argv += [
        "serve",
        "--mode",
        "http",
        "--host",
        args.host,
        "--port",
        str(args.port),
        "--threads",
        str(args.threads),
        "--listen-fd",
        str(fd),
    ]
    if not args.scheduler:
        argv.append("--no-scheduler")
    return argv


def supervise(args: argparse.Namespace, out: Console) -> int:
    """Bind the port, run ``args.workers`` workers until SIGTERM/SIGINT; the exit code."""
    backend = make_url(database_url(args.db)).get_backend_name()
    if backend != "postgresql":
        out.print(
            "[red]serve --workers needs PostgreSQL: on SQLite run one process "
            "(the leader lock, and concurrent writers, need a database server).[/red]",
            highlight=False,
        )
        return 2
    listener = socket.create_server((args.host, args.port), backlog=2048)
    listener.set_inheritable(True)
    fd = listener.fileno()
    env = environment()
    own_metrics_dir = None
    if not env.get("PROMETHEUS_MULTIPROC_DIR"):
        own_metrics_dir = tempfile.mkdtemp(prefix="dialogbot-metrics-")
        env["PROMETHEUS_MULTIPROC_DIR"] = own_metrics_dir
    stopping = False

    def on_signal(signum: int, _frame: FrameType | None) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    argv = child_argv(args, fd)

    def spawn() -> tuple[subprocess.Popen[bytes], float]:
        return subprocess.Popen(argv, pass_fds=(fd,), env=env), time.monotonic()

    workers = [spawn() for _ in range(args.workers)]
    out.print(
        f"Dialogbot listens on http://{args.host}:{args.port}/slack/events with "
        f"{args.workers} worker processes × {args.threads} threads "
        f"(pids {', '.join(str(p.pid) for p, _ in workers)}). Stop with Ctrl-C."
    )
    crashes = 0
    code = 0
    try:
        while not stopping:
            time.sleep(0.2)
            for i, (proc, started) in enumerate(workers):
                if proc.poll() is None or stopping:
                    continue
                _mark_dead(proc.pid, env)
                quick = time.monotonic() - started < CRASH_WINDOW_S
                crashes = crashes + 1 if quick else 0
                log.warning("worker %s exited with %s; restarting", proc.pid, proc.returncode)
                if crashes >= MAX_CRASHES:
                    out.print("[red]workers keep crashing at start-up; giving up[/red]")
                    stopping, code = True, 1
                    break
                time.sleep(1.0 if quick else 0.0)
                workers[i] = spawn()
    finally:
        for proc, _ in workers:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 30
        for proc, _ in workers:
            try:
                proc.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            _mark_dead(proc.pid, env)
        listener.close()
        if own_metrics_dir is not None:
            shutil.rmtree(own_metrics_dir, ignore_errors=True)
    return code


def _mark_dead(pid: int, env: dict[str, str]) -> None:
    """Tell prometheus_client a worker is gone (its live gauges no longer count)."""
    directory = env.get("PROMETHEUS_MULTIPROC_DIR")
    if directory:
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(pid, directory)  # type: ignore[no-untyped-call]
