"""Which chat platform this process talks to, decided from the environment: the one
place outside the adapters that knows them (a composition root, like ``bot.wiring``), so
core and command-line code ask here instead of importing an adapter."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import TYPE_CHECKING

from rich.console import Console
from sqlalchemy import Engine

from bot.config import current
from bot.ports import Notifier
from bot.wiring import Runtime

if TYPE_CHECKING:
    from bot.doctor import ClientFor, SlackKit, SlackSettings
    from bot.services.container import Services


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


def slack_doctor_kit() -> SlackKit:
    """What ``dialogbot doctor`` needs of the Slack adapter (its settings, scopes, token
    keys and clients), so :mod:`bot.doctor` imports no ``bot.slack``."""
    from bot.doctor import SlackKit
    from bot.slack.config import BOT_SCOPES, SlackConfig, SlackConfigError, token_keys_from_env
    from bot.slack.token_cipher import TokenCipher

    return SlackKit(
        scopes=BOT_SCOPES,
        config_error=SlackConfigError,
        read_config=SlackConfig.from_env,
        read_token_keys=lambda env: TokenCipher(token_keys_from_env(env)),
        clients=_slack_clients,
    )


def _slack_clients(config: SlackSettings, db: Engine, services: Services | None) -> ClientFor:
    """Slack clients as ``serve`` builds them (the installation store in OAuth mode)."""
    from bot.slack.app import build_context
    from bot.slack.config import SlackConfig
    from bot.slack.poster import make_client

    if not isinstance(config, SlackConfig):
        raise TypeError(f"not Slack settings: {config!r}")
    default = make_client(
        config.api_url, None if config.oauth else config.bot_token, config.retries, config.backoff
    )
    if not config.oauth or services is None:
        return lambda _team: default
    return build_context(config, Runtime(db, services), default).clients
