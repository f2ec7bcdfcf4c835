"""Slack settings: the Slack part of :class:`bot.config.Settings`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from bot.config import ConfigError, Settings, current, load_settings
from bot.slack.errors import SlackConfigError as SlackConfigError
from bot.slack.pacing import Limits
from bot.slack.token_cipher import TokenCipher

DEFAULT_API_URL = "https://slack.com/api/"

BOT_SCOPES = (
    "chat:write",
    "commands",
    "channels:history",
    "groups:history",
    "im:history",
    "im:write",
    "reactions:write",
    "files:write",
)
"""The bot scopes requested at install time; keep in sync with manifest.yml."""


@dataclass(frozen=True)
class SlackConfig:
    """How to talk to Slack.

    Attributes:
        signing_secret: verifies that requests come from Slack (``SLACK_SIGNING_SECRET``).
        bot_token: single-workspace mode (``SLACK_BOT_TOKEN``).
        app_token: Socket Mode (``SLACK_APP_TOKEN``, ``xapp-…``).
        client_id: OAuth (multi-workspace) mode together with ``client_secret``.
        client_secret: see ``client_id``.
        api_url: slack_sdk base URL (``SLACK_API_URL``; GovSlack or a test fake).
        tz: time zone for deadlines people type (``DIALOGBOT_TZ``).
        retries: how often a Web API call is retried after 429, 5xx or a connection error.
        backoff: base of the exponential back-off for 5xx/connection errors, seconds.
        token_keys: Fernet keys that encrypt stored tokens in OAuth mode
            (``DIALOGBOT_TOKEN_KEYS``, comma-separated; the first encrypts).
        pacing: posting rates the poster keeps to (per channel, per workspace); None
            posts unpaced. :meth:`from_env` paces by default (see
            :meth:`bot.slack.pacing.Limits.from_env`; ``DIALOGBOT_SLACK_PACING=off``
            turns it off).
    """

    signing_secret: str
    bot_token: str | None = None
    app_token: str | None = None
    client_id: str | None = None
    client_secret: str | None = None
    api_url: str = DEFAULT_API_URL
    tz: str = "Europe/Stockholm"
    retries: int = 6
    backoff: float = 0.5
    token_keys: tuple[str, ...] = ()
    pacing: Limits | None = None

    @property
    def oauth(self) -> bool:
        """True in multi-workspace mode (OAuth install flow and installation store)."""
        return bool(self.client_id and self.client_secret)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> SlackConfig:
        """The settings of ``env`` (default: the run's, :func:`bot.config.current`); raise
        :class:`SlackConfigError` when required ones are missing or wrong."""
        try:
            settings = current() if env is None else load_settings(env)
        except ConfigError as err:
            raise SlackConfigError(str(err)) from None
        return cls.from_settings(settings)

    @classmethod
    def from_settings(cls, settings: Settings) -> SlackConfig:
        """The Slack part of the run's settings; raise :class:`SlackConfigError` when
        required ones are missing."""
        secret = settings.slack_signing_secret.get_secret_value()
        if not secret:
            raise SlackConfigError("SLACK_SIGNING_SECRET is not set")
        config = cls(
            signing_secret=secret,
            bot_token=settings.slack_bot_token.get_secret_value() or None,
            app_token=settings.slack_app_token.get_secret_value() or None,
            client_id=settings.slack_client_id or None,
            client_secret=settings.slack_client_secret.get_secret_value() or None,
            api_url=normalize_api_url(settings.slack_api_url or DEFAULT_API_URL),
            tz=settings.tz,
            token_keys=settings.token_key_list(),
            pacing=pacing_limits(settings),
        )
        if not config.oauth and not config.bot_token:
            raise SlackConfigError(
                "set SLACK_BOT_TOKEN (one workspace) or SLACK_CLIENT_ID and "
                "SLACK_CLIENT_SECRET (OAuth, several workspaces)"
            )
        if config.oauth:
            TokenCipher(config.token_keys)  # refuses a missing or malformed key
        return config


def token_keys_from_env(env: Mapping[str, str] | None = None) -> tuple[str, ...]:
    """The keys that encrypt stored tokens: ``DIALOGBOT_TOKEN_KEYS``, comma-separated."""
    if env is None:
        return current().token_key_list()
    raw = env.get("DIALOGBOT_TOKEN_KEYS") or ""
    return tuple(k.strip() for k in raw.split(",") if k.strip())


def normalize_api_url(url: str) -> str:
    """slack_sdk joins method names to the base URL, so it must end with a slash."""
    return url if url.endswith("/") else url + "/"


def pacing_limits(settings: Settings) -> Limits | None:
    """The posting rates the sender keeps to, or None when ``DIALOGBOT_SLACK_PACING=off``
    (then only Slack's 429s slow it down)."""
    if not settings.slack_pacing:
        return None
    return Limits(
        per_channel_per_s=settings.slack_channel_rate,
        channel_burst=settings.slack_channel_burst,
        per_workspace_per_s=settings.slack_workspace_rate,
        workspace_burst=settings.slack_workspace_burst,
        jitter_s=settings.slack_jitter_s,
    )
