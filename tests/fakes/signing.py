"""Build correctly signed Slack requests (bodies + headers) for driving a Bolt app in tests.

Typical use with a Bolt ``App``::

    body = slash_command_body("/dialog", "start", "U1", "T0DEFAULT", "C1")
    response = app.dispatch(BoltRequest(body=body, headers=sign(body, SECRET)))

or POST ``body`` with ``sign(body, SECRET, content_type=FORM)`` headers to a running app.

The body builders reproduce the shapes Slack sends: slash commands are form-encoded
fields, interactivity payloads are form-encoded ``payload=<json>``, and the Events API posts
a JSON ``event_callback`` envelope. ``message_event`` / ``message_changed_event`` /
``message_deleted_event`` / ``app_home_opened_event`` build the inner ``event`` dicts.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import time
import uuid
from typing import Any
from urllib.parse import urlencode

__all__ = [
    "DEFAULT_APP_ID",
    "DEFAULT_BOT_USER_ID",
    "DEFAULT_TEAM_ID",
    "FORM",
    "JSON",
    "VERIFICATION_TOKEN",
    "app_home_opened_event",
    "block_actions_body",
    "block_suggestion_body",
    "event_callback_body",
    "message_changed_event",
    "message_deleted_event",
    "message_event",
    "next_ts",
    "sign",
    "slash_command_body",
    "url_verification_body",
    "view_submission_body",
]

DEFAULT_TEAM_ID = "T0DEFAULT"
"""Team id of FakeSlack's default workspace."""
DEFAULT_BOT_USER_ID = "U0DIALOGBOT"
"""Bot user id of FakeSlack's default workspace."""
DEFAULT_APP_ID = "A0DIALOGBOT"
"""App id FakeSlack reports."""
VERIFICATION_TOKEN = "fake-verification-token"
"""The (deprecated) verification token Slack still includes in payloads."""
FORM = "application/x-www-form-urlencoded"
"""Content type of slash commands and interactivity payloads."""
JSON = "application/json"
"""Content type of Events API requests."""

_ts_counter = itertools.count(1)


def next_ts(seconds: int | None = None) -> str:
    """A unique Slack-style message timestamp such as ``"1712345678.000123"``.

    Uses the current time unless ``seconds`` is given; the fractional part is a process-wide
    counter, so timestamps from one process never collide.
    """
    base = int(time.time()) if seconds is None else seconds
    return f"{base}.{next(_ts_counter) % 1_000_000:06d}"


def sign(
    body: str, secret: str, timestamp: int | None = None, *, content_type: str | None = None
) -> dict[str, str]:
    """Headers Slack adds to a request: ``X-Slack-Request-Timestamp`` and ``X-Slack-Signature``.

    The signature is ``"v0=" + hex(HMAC-SHA256(secret, f"v0:{timestamp}:{body}"))``.
    ``timestamp`` defaults to now (Bolt rejects requests older than 300 s). Pass
    ``content_type`` (:data:`FORM` or :data:`JSON`) to also get a ``Content-Type`` header.
    """
    ts = int(time.time()) if timestamp is None else timestamp
    base = f"v0:{ts}:{body}".encode()
    digest = hmac.new(secret.encode("utf-8"), base, hashlib.sha256).hexdigest()
    headers = {"X-Slack-Request-Timestamp": str(ts), "X-Slack-Signature": f"v0={digest}"}
    if content_type is not None:
        headers["Content-Type"] = content_type
    return headers


def _trigger_id() -> str:
    return f"{int(time.time())}.{uuid.uuid4().int % 10**12}.{uuid.uuid4().hex}"


def _user(user_id: str, user_name: str, team_id: str) -> dict[str, str]:
    return {"id": user_id, "username": user_name, "name": user_name, "team_id": team_id}


def _channel_type(channel: str) -> str:
    return {"C": "channel", "G": "group", "D": "im"}.get(channel[:1], "channel")


def _rich_text(text: str) -> list[dict[str, Any]]:
    return [
        {
            "type": "rich_text",
            "block_id": uuid.uuid4().hex[:5],
            "elements": [
                {"type": "rich_text_section", "elements": [{"type": "text", "text": text}]}
            ],
        }
    ]


# ---------------------------------------------------------------------------------------
# Request bodies


def slash_command_body(
    command: str,
    text: str,
    user_id: str,
    team_id: str,
    channel_id: str,
    trigger_id: str | None = None,
    response_url: str | None = None,
    *,
    user_name: str = "user",
    channel_name: str | None = None,
    team_domain: str | None = None,
    api_app_id: str = DEFAULT_APP_ID,
    token: str = VERIFICATION_TOKEN,
) -> str:
    """Form-encoded body of a slash command invocation, fields in Slack's order.

    ``response_url`` defaults to a hooks.slack.com URL; pass ``FakeSlack.response_url()``
    to capture ``respond()`` calls.
    """
    fields = {
        "token": token,
        "team_id": team_id,
        "team_domain": team_domain or team_id.lower(),
        "channel_id": channel_id,
        "channel_name": channel_name
        or ("directmessage" if channel_id.startswith("D") else channel_id.lower()),
        "user_id": user_id,
        "user_name": user_name,
        "command": command,
        "text": text,
        "api_app_id": api_app_id,
        "is_enterprise_install": "false",
        "response_url": response_url
        or f"https://hooks.slack.com/commands/{team_id}/{uuid.uuid4().int % 10**13}/fake",
        "trigger_id": trigger_id or _trigger_id(),
    }
    return urlencode(fields)


def event_callback_body(
    event: dict[str, Any],
    team_id: str,
    event_id: str | None = None,
    event_time: int | None = None,
    *,
    api_app_id: str = DEFAULT_APP_ID,
    bot_user_id: str = DEFAULT_BOT_USER_ID,
    token: str = VERIFICATION_TOKEN,
) -> str:
    """JSON body of an Events API ``event_callback`` envelope wrapping ``event``.

    ``event_id`` defaults to a fresh ``Ev...`` id (reuse one to simulate a retry, together
    with ``X-Slack-Retry-Num`` headers); ``event_time`` defaults to now.
    """
    envelope: dict[str, Any] = {
        "token": token,
        "team_id": team_id,
        "context_team_id": team_id,
        "context_enterprise_id": None,
        "api_app_id": api_app_id,
        "event": event,
        "type": "event_callback",
        "event_id": event_id or "Ev" + uuid.uuid4().hex[:10].upper(),
        "event_time": int(time.time()) if event_time is None else event_time,
        "authorizations": [
            {
                "enterprise_id": None,
                "team_id": team_id,
                "user_id": bot_user_id,
                "is_bot": True,
                "is_enterprise_install": False,
            }
        ],
        "is_ext_shared_channel": False,
        "event_context": "4-" + uuid.uuid4().hex,
    }
    return json.dumps(envelope)


def url_verification_body(challenge: str, token: str = VERIFICATION_TOKEN) -> str:
    """JSON body of the ``url_verification`` handshake Slack sends for a new request URL."""
    return json.dumps({"token": token, "challenge": challenge, "type": "url_verification"})


def _payload_body(payload: dict[str, Any]) -> str:
    return urlencode({"payload": json.dumps(payload)})


def block_actions_body(
    *,
    action_id: str,
    user_id: str,
    team_id: str,
    value: str | None = None,
    block_id: str = "actions",
    action_type: str = "button",
    text: str = "OK",
    selected_option: dict[str, Any] | None = None,
    channel_id: str | None = None,
    message_ts: str | None = None,
    thread_ts: str | None = None,
    message: dict[str, Any] | None = None,
    view: dict[str, Any] | None = None,
    state_values: dict[str, dict[str, dict[str, Any]]] | None = None,
    trigger_id: str | None = None,
    response_url: str | None = None,
    user_name: str = "user",
    api_app_id: str = DEFAULT_APP_ID,
    token: str = VERIFICATION_TOKEN,
) -> str:
    """Form-encoded ``payload=<json>`` of a ``block_actions`` interaction.

    With ``view`` (a modal or Home tab view dict, at least ``{"id": ..., "type": ...}``) the
    action comes from that view (container type ``view``, no channel/message/response_url);
    otherwise from the message ``message_ts`` in ``channel_id``. Buttons get ``text`` and
    ``value``; selects pass ``action_type="static_select"`` and ``selected_option``.
    """
    action: dict[str, Any] = {
        "action_id": action_id,
        "block_id": block_id,
        "type": action_type,
        "action_ts": next_ts(),
    }
    if action_type == "button":
        action["text"] = {"type": "plain_text", "text": text, "emoji": True}
    if value is not None:
        action["value"] = value
    if selected_option is not None:
        action["selected_option"] = selected_option
    payload: dict[str, Any] = {
        "type": "block_actions",
        "user": _user(user_id, user_name, team_id),
        "api_app_id": api_app_id,
        "token": token,
        "trigger_id": trigger_id or _trigger_id(),
        "team": {"id": team_id, "domain": team_id.lower()},
        "enterprise": None,
        "is_enterprise_install": False,
        "state": {"values": state_values or {}},
        "actions": [action],
    }
    if view is not None:
        full_view = {
            "team_id": team_id,
            "private_metadata": "",
            "callback_id": "",
            "blocks": [],
            "state": {"values": state_values or {}},
            "hash": f"{int(time.time())}.{uuid.uuid4().hex[:8]}",
            "app_id": api_app_id,
            "app_installed_team_id": team_id,
            **view,
        }
        payload["container"] = {"type": "view", "view_id": full_view.get("id", "")}
        payload["view"] = full_view
    else:
        channel = channel_id or "C0CHANNEL"
        ts = message_ts or next_ts()
        container: dict[str, Any] = {
            "type": "message",
            "message_ts": ts,
            "channel_id": channel,
            "is_ephemeral": False,
        }
        if thread_ts is not None:
            container["thread_ts"] = thread_ts
        payload["container"] = container
        payload["channel"] = {"id": channel, "name": channel.lower()}
        payload["message"] = message or {
            "type": "message",
            "user": DEFAULT_BOT_USER_ID,
            "ts": ts,
            "text": "",
            "blocks": [],
            **({"thread_ts": thread_ts} if thread_ts else {}),
        }
        payload["response_url"] = (
            response_url
            or f"https://hooks.slack.com/actions/{team_id}/{uuid.uuid4().int % 10**13}/x"
        )
    return _payload_body(payload)


def block_suggestion_body(
    *,
    action_id: str,
    block_id: str,
    value: str,
    user_id: str,
    team_id: str,
    view: dict[str, Any] | None = None,
    user_name: str = "user",
    api_app_id: str = DEFAULT_APP_ID,
    token: str = VERIFICATION_TOKEN,
) -> str:
    """Form-encoded ``payload=<json>`` of a ``block_suggestion``: what Slack sends to the
    options load URL as someone types in an ``external_select`` of a modal (``view``)."""
    vid = "V" + uuid.uuid4().hex[:10].upper()
    payload: dict[str, Any] = {
        "type": "block_suggestion",
        "user": _user(user_id, user_name, team_id),
        "container": {"type": "view", "view_id": vid},
        "api_app_id": api_app_id,
        "token": token,
        "action_id": action_id,
        "block_id": block_id,
        "value": value,
        "team": {"id": team_id, "domain": team_id.lower()},
        "enterprise": None,
        "is_enterprise_install": False,
        "view": {
            "id": vid,
            "team_id": team_id,
            "type": "modal",
            "blocks": [],
            "private_metadata": "",
            "callback_id": "",
            "state": {"values": {}},
            "app_id": api_app_id,
            "app_installed_team_id": team_id,
            **(view or {}),
        },
    }
    return _payload_body(payload)


def view_submission_body(
    *,
    callback_id: str,
    user_id: str,
    team_id: str,
    state_values: dict[str, dict[str, dict[str, Any]]] | None = None,
    private_metadata: str = "",
    view_id: str | None = None,
    blocks: list[dict[str, Any]] | None = None,
    title: str = "Dialog",
    external_id: str = "",
    trigger_id: str | None = None,
    user_name: str = "user",
    api_app_id: str = DEFAULT_APP_ID,
    bot_id: str = "B0DIALOGBOT",
    token: str = VERIFICATION_TOKEN,
) -> str:
    """Form-encoded ``payload=<json>`` of a modal ``view_submission``.

    ``state_values`` is Slack's ``view.state.values``: ``{block_id: {action_id: value_obj}}``
    where ``value_obj`` is e.g. ``{"type": "plain_text_input", "value": "text"}`` or
    ``{"type": "static_select", "selected_option": {"text": {...}, "value": "v"}}``.
    """
    vid = view_id or "V" + uuid.uuid4().hex[:10].upper()
    payload: dict[str, Any] = {
        "type": "view_submission",
        "team": {"id": team_id, "domain": team_id.lower()},
        "user": _user(user_id, user_name, team_id),
        "api_app_id": api_app_id,
        "token": token,
        "trigger_id": trigger_id or _trigger_id(),
        "view": {
            "id": vid,
            "team_id": team_id,
            "type": "modal",
            "blocks": blocks or [],
            "private_metadata": private_metadata,
            "callback_id": callback_id,
            "state": {"values": state_values or {}},
            "hash": f"{int(time.time())}.{uuid.uuid4().hex[:8]}",
            "title": {"type": "plain_text", "text": title, "emoji": True},
            "clear_on_close": False,
            "notify_on_close": False,
            "close": {"type": "plain_text", "text": "Avbryt", "emoji": True},
            "submit": {"type": "plain_text", "text": "Skicka", "emoji": True},
            "previous_view_id": None,
            "root_view_id": vid,
            "app_id": api_app_id,
            "external_id": external_id,
            "app_installed_team_id": team_id,
            "bot_id": bot_id,
        },
        "response_urls": [],
        "is_enterprise_install": False,
        "enterprise": None,
    }
    return _payload_body(payload)


# ---------------------------------------------------------------------------------------
# Inner events


def message_event(
    *,
    text: str,
    user: str,
    channel: str,
    ts: str | None = None,
    thread_ts: str | None = None,
    parent_user_id: str | None = None,
    channel_type: str | None = None,
    team: str = DEFAULT_TEAM_ID,
    bot_id: str | None = None,
    subtype: str | None = None,
) -> dict[str, Any]:
    """A ``message`` event as a user (or, with ``bot_id``, an app) posts it.

    ``channel_type`` is inferred from the channel id (C: channel, G: group, D: im). Thread
    replies carry ``thread_ts`` (the parent's ts) and ``parent_user_id``.
    """
    message_ts = ts or next_ts()
    event: dict[str, Any] = {"type": "message"}
    if subtype is not None:
        event["subtype"] = subtype
    if bot_id is None:
        event["client_msg_id"] = str(uuid.uuid4())
    event.update(
        {
            "text": text,
            "user": user,
            "ts": message_ts,
            "blocks": _rich_text(text),
            "team": team,
        }
    )
    if bot_id is not None:
        event["bot_id"] = bot_id
        event["app_id"] = DEFAULT_APP_ID
    if thread_ts is not None:
        event["thread_ts"] = thread_ts
        if parent_user_id is not None:
            event["parent_user_id"] = parent_user_id
    event.update(
        {
            "channel": channel,
            "event_ts": message_ts,
            "channel_type": channel_type or _channel_type(channel),
        }
    )
    return event


def message_changed_event(
    *,
    channel: str,
    ts: str,
    text: str,
    previous_text: str,
    user: str,
    thread_ts: str | None = None,
    edited_ts: str | None = None,
    channel_type: str | None = None,
    team: str = DEFAULT_TEAM_ID,
) -> dict[str, Any]:
    """A ``message_changed`` event: the message ``ts`` was edited from ``previous_text``.

    Like Slack: ``hidden: true``, the outer ``ts``/``event_ts`` are the edit time, and the
    edited message keeps its original ``ts`` and gains ``edited: {user, ts}``.
    """
    edit_ts = edited_ts or next_ts()
    client_msg_id = str(uuid.uuid4())

    def _message(body: str, *, edited: bool) -> dict[str, Any]:
        message: dict[str, Any] = {
            "client_msg_id": client_msg_id,
            "type": "message",
            "text": body,
            "user": user,
            "team": team,
            "ts": ts,
            "blocks": _rich_text(body),
        }
        if edited:
            message["edited"] = {"user": user, "ts": edit_ts}
            message["source_team"] = team
            message["user_team"] = team
        if thread_ts is not None:
            message["thread_ts"] = thread_ts
            message["parent_user_id"] = user
        return message

    return {
        "type": "message",
        "subtype": "message_changed",
        "message": _message(text, edited=True),
        "previous_message": _message(previous_text, edited=False),
        "channel": channel,
        "hidden": True,
        "ts": edit_ts,
        "event_ts": edit_ts,
        "channel_type": channel_type or _channel_type(channel),
    }


def message_deleted_event(
    *,
    channel: str,
    ts: str,
    previous_text: str,
    user: str,
    thread_ts: str | None = None,
    deleted_event_ts: str | None = None,
    channel_type: str | None = None,
    team: str = DEFAULT_TEAM_ID,
) -> dict[str, Any]:
    """A ``message_deleted`` event for message ``ts`` (``deleted_ts``), ``hidden: true``."""
    event_ts = deleted_event_ts or next_ts()
    previous: dict[str, Any] = {
        "client_msg_id": str(uuid.uuid4()),
        "type": "message",
        "text": previous_text,
        "user": user,
        "team": team,
        "ts": ts,
        "blocks": _rich_text(previous_text),
    }
    if thread_ts is not None:
        previous["thread_ts"] = thread_ts
        previous["parent_user_id"] = user
    return {
        "type": "message",
        "subtype": "message_deleted",
        "previous_message": previous,
        "channel": channel,
        "hidden": True,
        "deleted_ts": ts,
        "event_ts": event_ts,
        "ts": event_ts,
        "channel_type": channel_type or _channel_type(channel),
    }


def app_home_opened_event(
    *,
    user: str,
    channel: str | None = None,
    tab: str = "home",
    view: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """An ``app_home_opened`` event (``view`` is present once a Home tab was published)."""
    event: dict[str, Any] = {
        "type": "app_home_opened",
        "user": user,
        "channel": channel or "D" + user[1:],
        "tab": tab,
        "event_ts": next_ts(),
    }
    if view is not None:
        event["view"] = view
    return event
