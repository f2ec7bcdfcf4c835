"""The fake's state: registered workspaces (bot tokens), users, channels, the message,
reaction, view and file store, the OAuth configuration (:class:`SlackState`), and the
request context handlers see (:class:`Ctx`)."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from .records import UploadedFile, maybe_json

DEFAULT_BOT_SCOPES: tuple[str, ...] = (
    "chat:write",
    "commands",
    "channels:history",
    "groups:history",
    "im:history",
    "im:write",
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


def dm_channel_id(user_id: str) -> str:
    """The DM channel id conversations.open (and chat.postMessage to a user) uses."""
    return "D" + user_id[1:] if user_id[:1] in ("U", "W") else "D" + user_id


@dataclass
class SlackState:
    """Everything the fake's Slack holds. Not thread-safe: the fake's lock guards it."""

    app_id: str
    workspaces: dict[str, Workspace] = field(default_factory=dict)
    """Registered bot tokens -> their workspace."""
    users: dict[str, User] = field(default_factory=dict)
    channels: dict[str, dict[str, Any]] = field(default_factory=dict)
    messages: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    """(channel, ts) -> the current message (updated, not deleted)."""
    reactions: set[tuple[str, str, str, str]] = field(default_factory=set)
    """(token, channel, ts, name) of the reactions added."""
    views: dict[str, dict[str, Any]] = field(default_factory=dict)
    home_views: dict[tuple[str | None, str], str] = field(default_factory=dict)
    """(team, user) -> the id of their published Home tab view."""
    files: dict[str, UploadedFile] = field(default_factory=dict)
    oauth: OAuthConfig | None = None
    used_codes: set[str] = field(default_factory=set)
    """OAuth codes already exchanged (they are single-use)."""
    seq: int = 0
    ts_seq: int = 0
    ts_base: int = TS_BASE
    """The Slack time (seconds since the epoch) message ts count from: a test whose clock
    is fixed sets it to that clock's time, so message ts and the bot's clock agree."""

    def next_ts(self) -> str:
        """A fresh message ts, increasing."""
        self.ts_seq += 1
        n = self.ts_seq
        return f"{self.ts_base + n // 10_000}.{(n % 10_000) * 100:06d}"

    def next_id(self, prefix: str) -> str:
        """A fresh id with ``prefix`` (``V`` views, ``F`` files, ``h`` view hashes)."""
        self.seq += 1
        return f"{prefix}{self.seq:09d}"

    def channel_object(
        self,
        channel_id: str,
        *,
        name: str | None = None,
        is_private: bool | None = None,
        is_archived: bool = False,
        user: str | None = None,
    ) -> dict[str, Any]:
        """A conversations.info channel object (a DM for ids starting with D)."""
        is_im = channel_id.startswith("D")
        private = is_private if is_private is not None else channel_id.startswith("G")
        channel: dict[str, Any] = {
            "id": channel_id,
            "created": TS_BASE,
            "is_archived": is_archived,
            "is_im": is_im,
            "is_org_shared": False,
            "context_team_id": None,
            "updated": TS_BASE * 1000,
        }
        if is_im:
            channel.update(
                {"user": user or "U" + channel_id[1:], "is_user_deleted": False, "priority": 0}
            )
        else:
            channel.update(
                {
                    "name": name or channel_id.lower(),
                    "is_channel": not private,
                    "is_group": private,
                    "is_private": private,
                    "is_mpim": False,
                    "is_general": False,
                    "is_shared": False,
                    "is_ext_shared": False,
                    "is_member": True,
                    "topic": {"value": "", "creator": "", "last_set": 0},
                    "purpose": {"value": "", "creator": "", "last_set": 0},
                }
            )
        return channel

    def resolve_channel(self, channel: str) -> str:
        """A user id posted to stands for the DM with that user."""
        if channel[:1] in ("U", "W"):
            return dm_channel_id(channel)
        return channel

    def bot_message(self, ctx: Ctx, channel: str, ts: str, args: dict[str, Any]) -> dict[str, Any]:
        """The stored message the bot posts with ``args``."""
        ws = ctx.workspace
        message: dict[str, Any] = {
            "type": "message",
            "text": str(args.get("text") or args.get("markdown_text") or "")[:MAX_TEXT],
            "user": ws.bot_user_id if ws else None,
            "bot_id": ws.bot_id if ws else None,
            "app_id": self.app_id,
            "team": ctx.team_id,
            "ts": ts,
            "channel": channel,
        }
        blocks = maybe_json(args.get("blocks"))
        if blocks is not None:
            message["blocks"] = blocks
        attachments = maybe_json(args.get("attachments"))
        if attachments is not None:
            message["attachments"] = attachments
        metadata = maybe_json(args.get("metadata"))
        if metadata is not None:
            message["metadata"] = metadata
        return message

    def view_object(
        self, ctx: Ctx, view_id: str, view: dict[str, Any], **extra: Any
    ) -> dict[str, Any]:
        """The stored view (as views.* answer it)."""
        ws = ctx.workspace
        stored: dict[str, Any] = {
            "id": view_id,
            "team_id": ctx.team_id,
            "type": view.get("type", "modal"),
            "blocks": view.get("blocks", []),
            "private_metadata": view.get("private_metadata", ""),
            "callback_id": view.get("callback_id", ""),
            "state": {"values": {}},
            "hash": f"{int(time.time())}.{self.next_id('h')}",
            "title": view.get("title"),
            "clear_on_close": bool(view.get("clear_on_close", False)),
            "notify_on_close": bool(view.get("notify_on_close", False)),
            "close": view.get("close"),
            "submit": view.get("submit"),
            "previous_view_id": None,
            "root_view_id": view_id,
            "app_id": self.app_id,
            "external_id": view.get("external_id", ""),
            "app_installed_team_id": ctx.team_id,
            "bot_id": ws.bot_id if ws else None,
        }
        stored.update(extra)
        return stored
