"""``dialogbot serve --platform teams`` and ``dialogbot teams manifest | roster sync``."""

from __future__ import annotations

import argparse
import logging
from pathlib import Path
from typing import TYPE_CHECKING

from bot.teams.config import TeamsConfig, TeamsConfigError

if TYPE_CHECKING:
    from rich.console import Console

log = logging.getLogger(__name__)


def serve_teams(args: argparse.Namespace, out: Console) -> int:
    """Serve ``/api/messages`` and ``/healthz`` on ``--port`` (3978 by default) until
    interrupted, with the resender and (unless ``--no-scheduler``) the scheduler."""
    try:
        config = TeamsConfig.from_env()
    except TeamsConfigError as err:
        out.print(f"[red]{err}[/red]", highlight=False)
        return 1
    import asyncio

    from bot.teams.app import build_bot
    from bot.teams.deps import services_for
    from bot.wiring import build_runtime

    runtime = build_runtime(args.db, serving=True)
    services = services_for(runtime)
    bot = build_bot(config, services)
    scheduler = None
    if getattr(args, "scheduler", False):
        from bot.personal_data import retention_days_from_env
        from bot.schedule.scheduler import start_in_background

        scheduler = start_in_background(
            runtime, bot.notifier, retention_days=retention_days_from_env()
        )
    resender = bot.start_resender()
    port = args.port or 3978
    out.print(
        f"Dialogbot listens for Microsoft Teams on http://{args.host}:{port}/api/messages "
        f"(health: /healthz), tenant {config.tenant_id}. Stop with Ctrl-C."
    )
    try:
        asyncio.run(bot.sdk.start(port))
    finally:
        resender.set()
        if scheduler is not None:
            scheduler.stop()
        bot.close()
    return 0


def cmd_manifest(args: argparse.Namespace, out: Console) -> int:
    """Write the app package (manifest.json and icons, zipped)."""
    from bot.teams.manifest import build_manifest, write_package

    app_id = args.app_id or _env_app_id()
    if not app_id:
        out.print("[red]give --app-id or set TEAMS_CLIENT_ID[/red]", highlight=False)
        return 1
    manifest = build_manifest(app_id, version=args.version, website=args.website)
    path = write_package(Path(args.output), manifest)
    out.print(f"Wrote {path} (manifest {manifest['manifestVersion']}, app {app_id}).")
    return 0


def _env_app_id() -> str | None:
    from bot.config import current

    return current().teams_client_id or None


def cmd_roster_sync(args: argparse.Namespace, out: Console) -> int:
    """Replace people's e-mail/UPN chat ids by their Entra object ids, from the members
    of a team (``GET /v3/conversations/{team}/pagedmembers``)."""
    try:
        config = TeamsConfig.from_env()
    except TeamsConfigError as err:
        out.print(f"[red]{err}[/red]", highlight=False)
        return 1
    from bot.teams.bridge import Bridge
    from bot.teams.deps import services_for
    from bot.teams.roster import sync_roster
    from bot.teams.sdk import SdkConnector, build_sdk_app
    from bot.wiring import build_runtime

    runtime = build_runtime(args.db)
    services = services_for(runtime)
    bridge = Bridge(workers=1)
    try:
        connector = SdkConnector(build_sdk_app(config), bridge)
        members = connector.paged_members(config.service_url, args.team)
        renamed = sync_roster(services, config.tenant_id, members)
    finally:
        bridge.close()
    for old, new in renamed:
        out.print(f"{old} → {new}", highlight=False)
    out.print(f"{len(renamed)} people now have their Entra object id ({len(members)} members).")
    return 0


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``teams manifest`` and ``teams roster sync`` to the ``dialogbot`` command line."""
    teams = subparsers.add_parser(
        "teams", help="Microsoft Teams: app package, roster"
    ).add_subparsers(dest="teams_command", required=True)
    manifest = teams.add_parser("manifest", help="write the Teams app package (zip)")
    manifest.add_argument("-o", "--output", default="dialogbot-teams.zip")
    manifest.add_argument("--app-id", help="the Entra app (client) id (default: TEAMS_CLIENT_ID)")
    manifest.add_argument("--version", default="1.0.0")
    manifest.add_argument("--website", default="https://dialogbot.example.org")
    manifest.set_defaults(handler=cmd_manifest)
    roster = teams.add_parser("roster", help="people's chat ids").add_subparsers(
        dest="roster_command", required=True
    )
    sync = roster.add_parser("sync", help="map e-mail/UPN to Entra object ids from a team")
    sync.add_argument("--team", required=True, help="the team's id (19:…@thread.tacv2)")
    sync.set_defaults(handler=cmd_roster_sync)
