"""Which chat platform this process talks to, decided from the environment: the one
place outside the adapters that knows them (a composition root, like ``bot.wiring``), so
core and command-line code ask here instead of importing an adapter."""

from __future__ import annotations

from bot.config import current
from bot.ports import Notifier
from bot.wiring import Runtime


def platform_notifier(runtime: Runtime) -> Notifier | None:
    """The notifier of the configured chat platform (Slack when ``SLACK_BOT_TOKEN`` or
    ``SLACK_CLIENT_ID`` is set), or None when no platform is configured.

    Args:
        runtime: The database and engine.

    Returns:
        The notifier, or None.
    """
    settings = current()
    if settings.slack_bot_token.get_secret_value() or settings.slack_client_id:
        from bot.slack.app import build_notifier
        from bot.slack.config import SlackConfig

        return build_notifier(SlackConfig.from_env(), runtime)
    return None
