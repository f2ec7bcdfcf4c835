"""Slack settings read from the environment (the only place that does so for Slack)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

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
        """Read the settings; raise :class:`SlackConfigError` when required ones are missing."""
        e = os.environ if env is None else env
        secret = e.get("SLACK_SIGNING_SECRET", "")
        if not secret:
            raise SlackConfigError("SLACK_SIGNING_SECRET is not set")
        config = cls(
            signing_secret=secret,
            bot_token=e.get("SLACK_BOT_TOKEN") or None,
            app_token=e.get("SLACK_APP_TOKEN") or None,
            client_id=e.get("SLACK_CLIENT_ID") or None,
            client_secret=e.get("SLACK_CLIENT_SECRET") or None,
            api_url=normalize_api_url(e.get("SLACK_API_URL") or DEFAULT_API_URL),
            tz=e.get("DIALOGBOT_TZ") or "Europe/Stockholm",
            token_keys=token_keys_from_env(e),
            pacing=None
            if (e.get("DIALOGBOT_SLACK_PACING") or "").lower() in ("off", "0", "false")
            else Limits.from_env(e),
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
    raw = (os.environ if env is None else env).get("DIALOGBOT_TOKEN_KEYS") or ""
    return tuple(k.strip() for k in raw.split(",") if k.strip())


def normalize_api_url(url: str) -> str:
    """slack_sdk joins method names to the base URL, so it must end with a slash."""
    return url if url.endswith("/") else url + "/"
