"""``dialogbot serve``: run the Slack app over HTTP (waitress) or Socket Mode."""

from __future__ import annotations

import argparse
import dataclasses
import gc
import logging
import socket
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from wsgiref.types import WSGIApplication

    from rich.console import Console
    from slack_bolt import App

    from bot.metrics import DatabaseCollector
    from bot.slack.config import SlackConfig
    from bot.wiring import Runtime

log = logging.getLogger(__name__)


def cmd_serve(args: argparse.Namespace, out: Console) -> int:
    """Serve the Bolt app (or, with ``--platform teams``, the Teams bot) until interrupted."""
    if args.platform != "slack":
        from bot.platforms import serve_handler

        return serve_handler(args.platform)(args, out)
    from bot.slack.config import SlackConfig, SlackConfigError

    try:
        config = SlackConfig.from_env()
    except SlackConfigError as err:
        out.print(f"[red]{err}[/red]", highlight=False)
        return 1
    if args.tz:
        config = dataclasses.replace(config, tz=args.tz)
    if args.workers > 1:
        if args.mode != "http":
            out.print("[red]--workers is for --mode http[/red]", highlight=False)
            return 2
        from bot.slack.workers import supervise

        return supervise(args, out)
    # Off while starting: see _started.
    gc.disable()
    try:
        return _serve_slack(args, out, config)
    finally:
        gc.enable()


def _started() -> None:
    """The end of a server's start. Nearly everything a start allocates (modules, classes,
    the runtime) lives as long as the process, so the cyclic garbage collector is off while
    it runs: its ~250 passes took ~15 % of the start's CPU, and a pass here would find ~350
    of ~170,000 objects to free. It is turned on again here and leaves those objects out of
    its later passes (:func:`gc.freeze`, as the :mod:`gc` documentation advises for
    long-lived state), so they cost no request's collection either."""
    gc.freeze()
    gc.enable()


def _serve_slack(args: argparse.Namespace, out: Console, config: SlackConfig) -> int:
    """One process serving Slack (the collector off until :func:`_started`)."""
    from bot.leadership import Election
    from bot.slack.app import build_app, build_notifier, start_resender, wsgi_app
    from bot.wiring import build_runtime
    from storage.leader import LeaderLock

    runtime = build_runtime(args.db, serving=True)

    def duties() -> Callable[[], None]:
        """The scheduler (unless ``--no-scheduler``) and the resender: once per
        installation, in the leader."""
        scheduler = None
        if args.scheduler:
            from bot.personal_data import retention_days_from_env
            from bot.schedule.scheduler import start_in_background

            scheduler = start_in_background(
                runtime,
                build_notifier(config, runtime),
                retention_days=retention_days_from_env(),
            )
        resender = start_resender(config, runtime)

        def stop() -> None:
            resender.set()
            if scheduler is not None:
                scheduler.stop()

        return stop

    election = Election(LeaderLock(runtime.db), duties, args.election_interval).start()
    try:
        return _serve(args, out, config, runtime, build_app, wsgi_app)
    finally:
        election.stop()


def _serve(
    args: argparse.Namespace,
    out: Console,
    config: SlackConfig,
    runtime: Runtime,
    build_app: Callable[[SlackConfig, Runtime], App],
    wsgi_app: Callable[[App, str, DatabaseCollector], WSGIApplication],
) -> int:
    from bot.metrics import DatabaseCollector, serve_metrics

    database = DatabaseCollector(runtime.services.ops, now=runtime.services.kernel.clock.now)
    if args.mode == "socket":
        from slack_bolt.adapter.socket_mode import SocketModeHandler

        app_token = config.app_token
        if not app_token:
            out.print("[red]Socket Mode needs SLACK_APP_TOKEN (xapp-…)[/red]", highlight=False)
            return 1
        app = build_app(config, runtime)
        if args.metrics_port:
            serve_metrics(args.metrics_port, database)
        out.print("Dialogbot is connecting to Slack in Socket Mode. Stop with Ctrl-C.")
        _started()
        SocketModeHandler(app, app_token).start()  # type: ignore[no-untyped-call]
        return 0
    from bot.slack.edge import MAX_BODY_BYTES, create_server

    app = build_app(config, runtime)
    out.print(
        f"Dialogbot listens on http://{args.host}:{args.port or 3000}/slack/events "
        f"(health: /healthz, metrics: /metrics), {args.threads} threads, "
        f"bodies up to {MAX_BODY_BYTES} bytes. Stop with Ctrl-C."
    )
    inherited = getattr(args, "listen_fd", None)
    server = create_server(
        wsgi_app(app, config.signing_secret, database),
        host=args.host,
        port=args.port or 3000,
        threads=args.threads,
        sockets=None if inherited is None else [socket.socket(fileno=inherited)],
    )
    _started()
    server.run()
    return 0


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``serve`` to the ``dialogbot`` command line."""
    serve = subparsers.add_parser(
        "serve",
        help="run the Slack app (needs SLACK_SIGNING_SECRET and SLACK_BOT_TOKEN or OAuth settings)",
    )
    serve.add_argument(
        "--platform",
        choices=("slack", "teams"),
        default="slack",
        help="slack (default) or teams (needs TEAMS_CLIENT_ID, TEAMS_CLIENT_SECRET, TEAMS_TENANT_ID)",
    )
    serve.add_argument("--mode", choices=("http", "socket"), default="http")
    serve.add_argument("--host", default="0.0.0.0")
    serve.add_argument("--port", type=int, default=None, help="3000 (Slack), 3978 (Teams)")
    serve.add_argument("--threads", type=int, default=8, help="waitress worker threads (http)")
    serve.add_argument(
        "--metrics-port",
        type=int,
        help="Socket Mode: serve /metrics on this port (HTTP mode serves it on --port)",
    )
    serve.add_argument(
        "--no-scheduler",
        dest="scheduler",
        action="store_false",
        help="do not run the årshjul scheduler (run `dialogbot worker` instead); the resender "
        "still runs in the leader",
    )
    serve.add_argument(
        "--workers",
        type=int,
        default=1,
        help="HTTP worker processes on the same port (PostgreSQL only; the scheduler and "
        "resender run once, in the elected leader)",
    )
    serve.add_argument("--listen-fd", type=int, help=argparse.SUPPRESS)
    serve.add_argument(
        "--election-interval",
        type=float,
        default=2.0,
        help="seconds between leader checks (a new leader takes over within about this)",
    )
    serve.set_defaults(handler=cmd_serve)
