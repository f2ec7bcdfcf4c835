"""What the fake records and answers: public records of calls and uploads, and the small
reply/context values the method handlers work with."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

UPLOAD_METHOD = "upload"
"""Pseudo method name under which POSTs to an upload URL are recorded (and can be failed)."""

RESPONSE_URL_METHOD = "response_url"
"""Pseudo method name under which POSTs to a ``response_url`` are recorded."""


@dataclass
class RecordedCall:
    """One request received by the fake (API method, upload or response_url)."""

    method: str
    args: dict[str, Any]
    token: str | None
    at: float
    status: int
    ok: bool = False
    response: dict[str, Any] = field(default_factory=dict)
    team_id: str | None = None
    headers: dict[str, str] = field(default_factory=dict)

    def arg_json(self, name: str) -> Any:
        """Return argument ``name`` decoded from JSON if it was sent as a JSON string.

        slack_sdk sends ``blocks`` as a list in JSON bodies but as a string in form bodies;
        this gives the same value either way. Missing arguments give ``None``.
        """
        return maybe_json(self.args.get(name))


@dataclass
class UploadedFile:
    """A file uploaded through files.getUploadURLExternal + upload URL (+ completion)."""

    file_id: str
    filename: str
    length: int
    team_id: str | None
    data: bytes | None = None
    title: str | None = None
    completed: bool = False
    channel_id: str | None = None
    channels: list[str] = field(default_factory=list)
    initial_comment: str | None = None
    thread_ts: str | None = None

    @property
    def text(self) -> str:
        """The uploaded bytes decoded as UTF-8 (empty if nothing was uploaded yet)."""
        return (self.data or b"").decode("utf-8")


@dataclass
class Reply:
    """An HTTP answer of the fake: status, JSON (dict) or plain-text body, extra headers."""

    status: int
    body: dict[str, Any] | str
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        if self.status != 200:
            return False
        if isinstance(self.body, dict):
            return bool(self.body.get("ok"))
        return True


Handler = Callable[[dict[str, Any]], dict[str, Any]]
"""Custom method handler registered with :meth:`FakeSlack.on`: args -> response body."""


def maybe_json(value: Any) -> Any:
    """``value`` decoded from JSON if it is a JSON object/array string, else unchanged."""
    if isinstance(value, str) and value[:1] in ("[", "{"):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def as_bool(value: Any) -> bool:
    """A form/JSON argument read as a boolean (``1``, ``true``, ``yes``)."""
    if isinstance(value, bool):
        return value
    return str(value).lower() in ("1", "true", "yes")


def err(error: str, **extra: Any) -> Reply:
    """A Slack error answer (HTTP 200, ``ok: false``)."""
    body: dict[str, Any] = {"ok": False, "error": error}
    body.update(extra)
    return Reply(200, body)


def ok(**body: Any) -> Reply:
    """A Slack success answer (HTTP 200, ``ok: true``)."""
    return Reply(200, {"ok": True, **body})
