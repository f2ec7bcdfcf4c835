"""Which chat platform this process talks to, decided from the environment: the one
place outside the adapters that knows them (a composition root, like ``bot.wiring``), so
core and command-line code ask here instead of importing an adapter."""

from __future__ import annotations

import argparse
from collections.abc import Callable

from rich.console import Console

from bot.config import current
from bot.ports import Notifier
from bot.wiring import Runtime


def platform_notifier(runtime: Runtime) -> Notifier | None:
    """The notifier of the configured chat platform (Slack when ``SLACK_BOT_TOKEN`` or
    ``SLACK_CLIENT_ID`` is set, Microsoft Teams when ``TEAMS_CLIENT_ID`` is), or None when
    no platform is configured.

    Args:
        runtime: The database and the service layer.

    Returns:
        The notifier, or None.
    """
    settings = current()
    if settings.slack_bot_token.get_secret_value() or settings.slack_client_id:
        from bot.slack.app import build_notifier
        from bot.slack.config import SlackConfig

        return build_notifier(SlackConfig.from_env(), runtime)
    if settings.teams_client_id:
        from bot.teams.app import build_bot
        from bot.teams.config import TeamsConfig

        bot = build_bot(TeamsConfig.from_settings(settings), runtime.services)
        bot.start_resender()
        return bot.notifier
    return None


def serve_handler(platform: str) -> Callable[[argparse.Namespace, Console], int]:
    """``dialogbot serve`` for a chat platform other than Slack (a composition root, so
    adapters do not import each other)."""
    if platform == "teams":
        from bot.teams.cli import serve_teams

        return serve_teams
    raise ValueError(f"unknown platform {platform!r}")
