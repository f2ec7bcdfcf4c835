"""The fake's workspace state: registered workspaces (bot tokens), users, the OAuth
configuration, and the request context handlers see."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

DEFAULT_BOT_SCOPES: tuple[str, ...] = (
    "chat:write",
    "commands",
    "channels:history",
    "groups:history",
    "im:history",
    "reactions:write",
    "files:write",
)
"""Scopes a bot token registered with :meth:`FakeSlack.add_workspace` has by default (the
scopes of ``manifest.yml``). Slack reports a token's scopes in the ``x-oauth-scopes``
header of every Web API response."""

TS_BASE = 1_700_000_000
"""Seconds part of the first message ts the fake hands out."""

MAX_TEXT = 40_000
"""Longer message texts are truncated (Slack warns ``message_truncated``)."""


@dataclass
class Workspace:
    """A bot token registered for a workspace."""

    token: str
    team_id: str
    bot_user_id: str
    team_name: str
    bot_id: str
    domain: str
    scopes: tuple[str, ...] = DEFAULT_BOT_SCOPES


@dataclass
class User:
    """A user users.info knows."""

    user_id: str
    name: str
    tz: str
    real_name: str
    team_id: str | None
    is_bot: bool
    email: str | None
    locale: str
    deleted: bool


@dataclass
class Ctx:
    """One API request as a handler sees it (the fake's lock is held)."""

    method: str
    args: dict[str, Any]
    token: str | None
    workspace: Workspace | None
    basic_auth: tuple[str, str] | None

    @property
    def team_id(self) -> str | None:
        return self.workspace.team_id if self.workspace else None


@dataclass
class OAuthConfig:
    """What oauth.v2.access answers (see :meth:`FakeSlack.configure_oauth`)."""

    access_token: str
    team_id: str
    team_name: str
    bot_user_id: str
    app_id: str
    scope: str
    authed_user_id: str
    code: str | None
    client_id: str | None
    client_secret: str | None
