"""A local, thread-safe HTTP fake of the Slack Web API for tests and benchmarks.

``FakeSlack`` runs a ``ThreadingHTTPServer`` on 127.0.0.1 (ephemeral port) in a daemon
thread. Point a ``slack_sdk.WebClient(base_url=fake.base_url, token=...)`` at it (or a
Bolt ``App(client=...)``) and every call is recorded as a :class:`RecordedCall`.

What it does, in short:

* Realistic successful answers for the methods the bot uses (``auth.test``, ``chat.*``,
  ``reactions.*``, ``views.*``, ``conversations.open/info/replies``, ``users.info``,
  ``files.getUploadURLExternal`` + the upload URL + ``files.completeUploadExternal``,
  ``files.info``, ``oauth.v2.access``), a small message store so ``chat.update`` /
  ``chat.delete`` / ``conversations.replies`` behave consistently, and some of Slack's
  semantic errors (``no_text``, ``message_not_found``, ``already_reacted``,
  ``hash_conflict``, ``invalid_blocks`` ...).
* Spec checking against Slack's (2020) OpenAPI document: argument names the client sends
  must be declared parameters of the operation (plus :data:`ARGS_NEWER_THAN_SPEC`);
  violations are collected in ``spec_violations`` and answered with ``invalid_arguments``.
* Fault injection (:meth:`FakeSlack.fail_next`, :meth:`FakeSlack.fail_for`) and an optional
  rate-limit mode (:meth:`FakeSlack.rate_limits`) answering HTTP 429 with ``Retry-After``.
* A ``response_url`` endpoint (:meth:`FakeSlack.response_url`) so Bolt's ``respond()`` works.

Unknown methods answer ``{"ok": false, "error": "unknown_method"}`` with HTTP 200 (as Slack
does). Methods that exist in the spec but that this fake does not emulate answer
``{"ok": false, "error": "fake_not_implemented"}``; register a handler with
:meth:`FakeSlack.on` if a test needs one.
"""

from __future__ import annotations

import base64
import email.parser
import email.policy
import json
import math
import os
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any, cast
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

from .signing import DEFAULT_APP_ID, DEFAULT_BOT_USER_ID, DEFAULT_TEAM_ID

__all__ = [
    "ARGS_NEWER_THAN_SPEC",
    "CLIENT_DEFAULT_ARGS",
    "DEFAULT_BOT_SCOPES",
    "DEFAULT_SPEC_PATH",
    "METHODS_NOT_IN_SPEC",
    "RESPONSE_URL_METHOD",
    "SLACK_TIER_LIMITS_PER_MINUTE",
    "SPECS_DIR",
    "SPEC_ENV_VAR",
    "UPLOAD_METHOD",
    "FakeSlack",
    "OperationSpec",
    "RecordedCall",
    "UploadedFile",
    "load_spec",
]

SPEC_ENV_VAR = "DIALOGBOT_SLACK_SPEC"
"""Environment variable that overrides the location of ``slack_web_openapi_v2.json``."""

SPECS_DIR = Path(__file__).resolve().parent / "specs"
"""Slack's published specs the tests check against, kept in the repository (see its README)."""

DEFAULT_SPEC_PATH = SPECS_DIR / "slack_web_openapi_v2.json"
"""``tests/fakes/specs/slack_web_openapi_v2.json``: Slack's Web API OpenAPI 2.0 document."""

UPLOAD_METHOD = "upload"
"""Pseudo method name under which POSTs to an upload URL are recorded (and can be failed)."""

RESPONSE_URL_METHOD = "response_url"
"""Pseudo method name under which POSTs to a ``response_url`` are recorded."""

# Argument names that slack_sdk (3.47) legitimately sends for the methods this fake emulates
# but that the 2020 OpenAPI document does not declare. Derived by diffing the keyword-only
# parameters of the WebClient methods against the spec; slack_sdk drops ``None`` values, so
# each name is only sent when the caller passes it. Keep this minimal and explicit.
ARGS_NEWER_THAN_SPEC: dict[str, frozenset[str]] = {
    # container_id: Slack Connect / canvas containers; metadata: message metadata;
    # markdown_text: "markdown" text instead of text/blocks (2025).
    "chat.postMessage": frozenset({"container_id", "markdown_text", "metadata"}),
    # file_ids: attach uploaded files; reply_broadcast: also in the thread's channel.
    "chat.update": frozenset({"file_ids", "markdown_text", "metadata", "reply_broadcast"}),
    "chat.postEphemeral": frozenset({"markdown_text"}),
    # interactivity_pointer: alternative to trigger_id (workflow steps / functions).
    "views.open": frozenset({"interactivity_pointer"}),
    "views.push": frozenset({"interactivity_pointer"}),
    # include_all_metadata: return message metadata (2022).
    "conversations.replies": frozenset({"include_all_metadata"}),
}

# Methods missing from the 2020 spec, with the argument names they accept (slack_sdk sends
# exactly these; see WebClient.files_getUploadURLExternal / files_completeUploadExternal).
METHODS_NOT_IN_SPEC: dict[str, frozenset[str]] = {
    "files.getUploadURLExternal": frozenset({"filename", "length", "alt_txt", "snippet_type"}),
    "files.completeUploadExternal": frozenset(
        {"files", "channel_id", "channels", "initial_comment", "thread_ts"}
    ),
}

SLACK_TIER_LIMITS_PER_MINUTE: dict[str, int] = {
    "auth.test": 100,
    "chat.update": 50,
    "chat.delete": 50,
    "chat.postEphemeral": 100,
    "reactions.add": 50,
    "reactions.remove": 20,
    "views.open": 100,
    "views.update": 100,
    "views.publish": 100,
    "views.push": 100,
    "conversations.open": 50,
    "conversations.info": 50,
    "conversations.replies": 50,
    "users.info": 100,
    "files.getUploadURLExternal": 20,
    "files.completeUploadExternal": 20,
    "files.info": 50,
}
"""Documented per-method, per-workspace tier limits (lower bounds); pass to ``rate_limits``."""

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

_IGNORED_ARGS = frozenset({"token"})
# Arguments any WebClient may add to every call: WebClient(team_id=...) puts ``team_id`` into
# its default params, and Bolt builds such a per-request client (team_id of the incoming
# request) for every listener, so ``say()`` / ``client.*`` calls all carry it.
CLIENT_DEFAULT_ARGS = frozenset({"token", "team_id"})
_NO_AUTH_METHODS = frozenset({"oauth.v2.access", "oauth.access", "oauth.v2.exchange", "api.test"})
_TS_BASE = 1_700_000_000
_MAX_TEXT = 40_000
_TZ_LABELS = {
    "CET": "Central European Time",
    "CEST": "Central European Summer Time",
    "UTC": "Coordinated Universal Time",
    "GMT": "Greenwich Mean Time",
    "BST": "British Summer Time",
}


# ---------------------------------------------------------------------------------------
# Spec loading


@dataclass(frozen=True)
class OperationSpec:
    """Parameter names of one Web API method according to the OpenAPI document."""

    declared: frozenset[str]
    required: frozenset[str]


_spec_cache: dict[Path, dict[str, OperationSpec]] = {}
_spec_lock = threading.Lock()


def _resolve_spec_path(path: Path | str | None) -> Path:
    if path is not None:
        return Path(path)
    env = os.environ.get(SPEC_ENV_VAR)
    return Path(env) if env else DEFAULT_SPEC_PATH


def load_spec(path: Path | str | None = None) -> dict[str, OperationSpec]:
    """Load (once per path, cached at module level) the Web API spec as method -> params.

    ``path`` defaults to ``$DIALOGBOT_SLACK_SPEC`` or :data:`DEFAULT_SPEC_PATH`. The
    ``token`` parameter is left out (it travels in the Authorization header).
    """
    resolved = _resolve_spec_path(path).resolve()
    with _spec_lock:
        cached = _spec_cache.get(resolved)
        if cached is not None:
            return cached
        if not resolved.is_file():
            raise FileNotFoundError(
                f"Slack Web API spec not found at {resolved}; set {SPEC_ENV_VAR} or restore "
                f"{DEFAULT_SPEC_PATH.name} in {SPECS_DIR}"
            )
        document = json.loads(resolved.read_text(encoding="utf-8"))
        operations: dict[str, OperationSpec] = {}
        for raw_path, verbs in document.get("paths", {}).items():
            declared: set[str] = set()
            required: set[str] = set()
            for operation in verbs.values():
                if not isinstance(operation, dict):
                    continue
                for param in operation.get("parameters", []):
                    name = param.get("name")
                    if not isinstance(name, str) or name in _IGNORED_ARGS:
                        continue
                    declared.add(name)
                    if param.get("required") is True:
                        required.add(name)
            operations[raw_path.lstrip("/")] = OperationSpec(
                frozenset(declared), frozenset(required)
            )
        _spec_cache[resolved] = operations
        return operations


# ---------------------------------------------------------------------------------------
# Public records


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
        return _maybe_json(self.args.get(name))


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


# ---------------------------------------------------------------------------------------
# Internal state


@dataclass
class _Workspace:
    token: str
    team_id: str
    bot_user_id: str
    team_name: str
    bot_id: str
    domain: str
    scopes: tuple[str, ...] = DEFAULT_BOT_SCOPES


@dataclass
class _User:
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
class _Fault:
    status: int
    remaining: int | None  # None: until `until`
    until: float | None
    methods: frozenset[str] | None  # None: all methods
    retry_after: int | None


@dataclass
class _Bucket:
    tokens: float
    updated: float


@dataclass
class _RateLimits:
    per_channel_post_per_s: float | None
    burst: int
    method_per_minute: dict[str, int]
    buckets: dict[tuple[str, ...], _Bucket] = field(default_factory=dict)
    workspace_post_per_s: float | None = None
    workspace_burst: int = 1


@dataclass
class _Reply:
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


@dataclass
class _Ctx:
    method: str
    args: dict[str, Any]
    token: str | None
    workspace: _Workspace | None
    basic_auth: tuple[str, str] | None

    @property
    def team_id(self) -> str | None:
        return self.workspace.team_id if self.workspace else None


@dataclass
class _OAuthConfig:
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


Handler = Callable[[dict[str, Any]], dict[str, Any]]
"""Custom method handler registered with :meth:`FakeSlack.on`: args -> response body."""


def _maybe_json(value: Any) -> Any:
    if isinstance(value, str) and value[:1] in ("[", "{"):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def _as_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    return str(value).lower() in ("1", "true", "yes")


def _err(error: str, **extra: Any) -> _Reply:
    body: dict[str, Any] = {"ok": False, "error": error}
    body.update(extra)
    return _Reply(200, body)


def _ok(**body: Any) -> _Reply:
    return _Reply(200, {"ok": True, **body})


def _fault_error(status: int) -> str:
    return {
        429: "ratelimited",
        500: "internal_error",
        502: "bad_gateway",
        503: "service_unavailable",
    }.get(status, "fatal_error")


# ---------------------------------------------------------------------------------------
# Block Kit limits (from Slack's Block Kit reference; the specs do not state them)


def _text_of(obj: Any) -> str:
    if isinstance(obj, dict):
        text = obj.get("text")
        return text if isinstance(text, str) else ""
    return ""


def _check_elements(node: Any, pointer: str, errors: list[str]) -> None:
    """Walk interactive elements recursively and check their length limits."""
    if isinstance(node, list):
        for index, item in enumerate(node):
            _check_elements(item, f"{pointer}/{index}", errors)
        return
    if not isinstance(node, dict):
        return
    kind = node.get("type")
    if kind == "button":
        if len(_text_of(node.get("text"))) > 75:
            errors.append(f"must be less than 76 characters [json-pointer:{pointer}/text/text]")
        if len(str(node.get("value", ""))) > 2000:
            errors.append(f"must be less than 2001 characters [json-pointer:{pointer}/value]")
    confirm = node.get("confirm")
    if kind in ("button", "overflow", "static_select", "datepicker") and confirm is not None:
        _check_confirm(confirm, f"{pointer}/confirm", errors)
    if kind == "plain_text_input":
        max_length = node.get("max_length")
        if isinstance(max_length, int) and max_length > 3000:
            errors.append(f"must be at most 3000 [json-pointer:{pointer}/max_length]")
    for key in ("options", "initial_options"):
        options = node.get(key)
        if isinstance(options, list):
            for index, option in enumerate(options):
                if not isinstance(option, dict):
                    continue
                where = f"{pointer}/{key}/{index}"
                if len(_text_of(option.get("text"))) > 75:
                    errors.append(
                        f"must be less than 76 characters [json-pointer:{where}/text/text]"
                    )
                if len(str(option.get("value", ""))) > 150:
                    errors.append(f"must be less than 151 characters [json-pointer:{where}/value]")
    for key, child in node.items():
        if key in ("options", "initial_options", "text"):
            continue
        if isinstance(child, dict | list):
            _check_elements(child, f"{pointer}/{key}", errors)


_CONFIRM_LIMITS = {"title": 100, "text": 300, "confirm": 30, "deny": 30}


def _check_confirm(confirm: Any, pointer: str, errors: list[str]) -> None:
    """A confirmation dialog object: all four texts present and within Slack's limits."""
    if not isinstance(confirm, dict):
        errors.append(f"must be an object [json-pointer:{pointer}]")
        return
    for key, limit in _CONFIRM_LIMITS.items():
        text = _text_of(confirm.get(key))
        if not text:
            errors.append(f"missing required field: {key} [json-pointer:{pointer}/{key}]")
        elif len(text) > limit:
            errors.append(
                f"must be less than {limit + 1} characters [json-pointer:{pointer}/{key}/text]"
            )


def _check_blocks(blocks: Any, max_blocks: int, pointer: str) -> list[str]:
    """Return Slack-style error messages for blocks that break Block Kit limits."""
    if blocks is None:
        return []
    if not isinstance(blocks, list):
        return [f"must be an array [json-pointer:{pointer}]"]
    errors: list[str] = []
    if len(blocks) > max_blocks:
        errors.append(f"no more than {max_blocks} items allowed [json-pointer:{pointer}]")
    for index, block in enumerate(blocks):
        where = f"{pointer}/{index}"
        if not isinstance(block, dict) or not isinstance(block.get("type"), str):
            errors.append(f"missing required field: type [json-pointer:{where}]")
            continue
        kind = block["type"]
        if len(str(block.get("block_id", ""))) > 255:
            errors.append(f"must be less than 256 characters [json-pointer:{where}/block_id]")
        if kind == "section":
            if "text" not in block and "fields" not in block:
                errors.append(f"must provide text or fields [json-pointer:{where}]")
            if len(_text_of(block.get("text"))) > 3000:
                errors.append(f"must be less than 3001 characters [json-pointer:{where}/text/text]")
            fields = block.get("fields") or []
            if isinstance(fields, list):
                if len(fields) > 10:
                    errors.append(f"no more than 10 items allowed [json-pointer:{where}/fields]")
                for f_index, item in enumerate(fields):
                    if len(_text_of(item)) > 2000:
                        errors.append(
                            "must be less than 2001 characters "
                            f"[json-pointer:{where}/fields/{f_index}/text]"
                        )
        elif kind == "header":
            if len(_text_of(block.get("text"))) > 150:
                errors.append(f"must be less than 151 characters [json-pointer:{where}/text/text]")
        elif kind == "actions":
            elements = block.get("elements") or []
            if isinstance(elements, list) and len(elements) > 25:
                errors.append(f"no more than 25 items allowed [json-pointer:{where}/elements]")
        elif kind == "context":
            elements = block.get("elements") or []
            if isinstance(elements, list) and len(elements) > 10:
                errors.append(f"no more than 10 items allowed [json-pointer:{where}/elements]")
        for key in ("accessory", "elements", "element"):
            if key in block:
                _check_elements(block[key], f"{where}/{key}", errors)
    return errors


def _check_view(view: Any) -> list[str]:
    if not isinstance(view, dict):
        return ["must be an object [json-pointer:/view]"]
    errors: list[str] = []
    if view.get("type") not in ("modal", "home"):
        errors.append("must be one of modal, home [json-pointer:/view/type]")
    for key in ("title", "submit", "close"):
        if len(_text_of(view.get(key))) > 24:
            errors.append(f"must be less than 25 characters [json-pointer:/view/{key}/text]")
    if view.get("type") == "modal" and not _text_of(view.get("title")):
        errors.append("missing required field: title [json-pointer:/view/title]")
    if len(str(view.get("private_metadata", ""))) > 3000:
        errors.append("must be less than 3001 characters [json-pointer:/view/private_metadata]")
    if len(str(view.get("callback_id", ""))) > 255:
        errors.append("must be less than 256 characters [json-pointer:/view/callback_id]")
    errors.extend(_check_blocks(view.get("blocks", []), 100, "/view/blocks"))
    if len(json.dumps(view)) > 250_000:
        errors.append("view is too large (over 250 kB) [json-pointer:/view]")
    return errors


# ---------------------------------------------------------------------------------------
# HTTP plumbing


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 256

    def __init__(self, fake: FakeSlack) -> None:
        self.fake = fake
        super().__init__(("127.0.0.1", 0), _RequestHandler)


class _RequestHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "FakeSlack/1.0"

    def log_message(self, format: str, *args: Any) -> None:
        """Silence the default per-request stderr logging."""

    def _read_body(self) -> bytes:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            chunks: list[bytes] = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def _send(self, reply: _Reply) -> None:
        if isinstance(reply.body, dict):
            payload = json.dumps(reply.body).encode("utf-8")
            content_type = "application/json; charset=utf-8"
        else:
            payload = reply.body.encode("utf-8")
            content_type = "text/plain; charset=utf-8"
        self.send_response(reply.status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(payload)))
        for name, value in reply.headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(payload)

    def _handle(self) -> None:
        fake = cast(_Server, self.server).fake
        body = self._read_body()
        split = urlsplit(self.path)
        headers = {k.lower(): v for k, v in self.headers.items()}
        path = split.path
        delay = fake._latency_s()
        if delay:
            time.sleep(delay / 2)  # on the way in (before the limits see the call) ...
        try:
            if path.startswith("/api/"):
                args = _parse_args(split.query, body, headers.get("content-type", ""))
                reply = fake._dispatch_api(path[len("/api/") :], args, headers)
            elif path.startswith("/upload/"):
                reply = fake._dispatch_upload(path[len("/upload/") :], body, headers)
            elif path.startswith("/response/"):
                reply = fake._dispatch_response_url(path[len("/response/") :], body, headers)
            else:
                reply = _Reply(404, "not found")
        except Exception as exc:  # a bug in the fake or a custom handler: make it visible
            detail = f"{self.command} {path}: {exc!r}"
            with fake._lock:
                fake.fake_errors.append(detail)
            reply = _Reply(500, {"ok": False, "error": "fake_crashed", "detail": detail})
        if delay:
            time.sleep(delay / 2)  # ... and on the way back
        self._send(reply)

    def do_POST(self) -> None:
        """Handle POST (what slack_sdk uses for every method)."""
        self._handle()

    def do_GET(self) -> None:
        """Handle GET (Slack accepts query-string arguments too)."""
        self._handle()


def _parse_args(query: str, body: bytes, content_type: str) -> dict[str, Any]:
    args: dict[str, Any] = {k: v[-1] for k, v in parse_qs(query, keep_blank_values=True).items()}
    if not body:
        return args
    ctype = content_type.split(";")[0].strip().lower()
    if ctype == "application/json":
        parsed = json.loads(body.decode("utf-8"))
        if isinstance(parsed, dict):
            args.update(parsed)
    elif ctype == "multipart/form-data":
        message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
            b"Content-Type: " + content_type.encode("latin-1") + b"\r\n\r\n" + body
        )
        for part in message.iter_parts():
            name = part.get_param("name", header="content-disposition")
            if not isinstance(name, str):
                continue
            payload = part.get_payload(decode=True)
            if part.get_filename() is not None:
                args[name] = payload
            elif isinstance(payload, bytes):
                args[name] = payload.decode("utf-8")
    else:
        form = parse_qs(body.decode("utf-8"), keep_blank_values=True)
        args.update({k: v[-1] for k, v in form.items()})
    return args


# ---------------------------------------------------------------------------------------
# The fake


class FakeSlack:
    """Local HTTP fake of the Slack Web API (see the module docstring).

    Args:
        default_token: a bot token registered for the default workspace.
        default_team_id: team id of the default workspace.
        default_bot_user_id: bot user id of the default workspace.
        accept_unknown_tokens: when True (default) any other bearer token acts on the
            default workspace; when False such calls answer ``invalid_auth``.
        check_spec: check method/argument names against the OpenAPI spec.
        spec_path: explicit spec location (else ``$DIALOGBOT_SLACK_SPEC`` or the default).
        strict_messages: ``chat.update``/``chat.delete`` of a ts this fake did not issue
            answer ``message_not_found`` (as Slack does).
    """

    def __init__(
        self,
        *,
        default_token: str = "xoxb-fake-token",
        default_team_id: str = DEFAULT_TEAM_ID,
        default_bot_user_id: str = DEFAULT_BOT_USER_ID,
        accept_unknown_tokens: bool = True,
        check_spec: bool = True,
        spec_path: Path | str | None = None,
        strict_messages: bool = True,
    ) -> None:
        self._spec: dict[str, OperationSpec] | None = load_spec(spec_path) if check_spec else None
        self._lock = threading.RLock()
        self._changed = threading.Condition(self._lock)
        self._calls: list[RecordedCall] = []
        self.spec_violations: list[str] = []
        """Spec violations seen so far (method / argument names the spec does not know)."""
        self.block_kit_errors: list[str] = []
        """Block Kit limit violations seen so far (answered with invalid_blocks/arguments)."""
        self.fake_errors: list[str] = []
        """Exceptions raised inside the fake or custom handlers (answered with HTTP 500)."""
        self.accept_unknown_tokens = accept_unknown_tokens
        self.strict_messages = strict_messages
        self.app_id = DEFAULT_APP_ID
        self._workspaces: dict[str, _Workspace] = {}
        self._default_token = default_token
        self._users: dict[str, _User] = {}
        self._channels: dict[str, dict[str, Any]] = {}
        self._messages: dict[tuple[str, str], dict[str, Any]] = {}
        self._reactions: set[tuple[str, str, str, str]] = set()
        self._views: dict[str, dict[str, Any]] = {}
        self._home_views: dict[tuple[str | None, str], str] = {}
        self._files: dict[str, UploadedFile] = {}
        self._faults: list[_Fault] = []
        self._limits: _RateLimits | None = None
        self._latency: tuple[float, float] | None = None
        self._random = random.Random(0)
        self._handlers: dict[str, Handler] = {}
        self._oauth: _OAuthConfig | None = None
        self._used_codes: set[str] = set()
        self._seq = 0
        self._ts_seq = 0
        self.add_workspace(default_token, default_team_id, default_bot_user_id)
        self.configure_oauth()

        self._server = _Server(self)
        self._port = int(self._server.server_address[1])
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"FakeSlack:{self._port}",
            daemon=True,
        )
        self._thread.start()
        self._closed = False

    # -- lifecycle -------------------------------------------------------------------

    def __enter__(self) -> FakeSlack:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Stop the server and join its thread (idempotent)."""
        if self._closed:
            return
        self._closed = True
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    @property
    def port(self) -> int:
        """TCP port the fake listens on."""
        return self._port

    @property
    def root_url(self) -> str:
        """``http://127.0.0.1:PORT/``."""
        return f"http://127.0.0.1:{self._port}/"

    @property
    def base_url(self) -> str:
        """Value for ``WebClient(base_url=...)``, e.g. ``http://127.0.0.1:PORT/api/``."""
        return f"{self.root_url}api/"

    @property
    def default_token(self) -> str:
        """Bot token of the default workspace."""
        return self._default_token

    # -- configuration ---------------------------------------------------------------

    def add_workspace(
        self,
        token: str,
        team_id: str,
        bot_user_id: str,
        *,
        team_name: str | None = None,
        bot_id: str | None = None,
        scopes: tuple[str, ...] | None = None,
    ) -> None:
        """Register a bot token for a workspace (auth.test answers with these ids).

        ``scopes`` are the token's granted scopes (default :data:`DEFAULT_BOT_SCOPES`),
        sent back in the ``x-oauth-scopes`` response header.
        """
        with self._lock:
            name = team_name or f"Kommun {team_id}"
            self._workspaces[token] = _Workspace(
                token=token,
                team_id=team_id,
                bot_user_id=bot_user_id,
                team_name=name,
                bot_id=bot_id
                or "B" + (bot_user_id[1:] if bot_user_id[:1] in ("U", "W") else bot_user_id),
                domain=team_id.lower(),
                scopes=DEFAULT_BOT_SCOPES if scopes is None else tuple(scopes),
            )

    def set_scopes(self, token: str, scopes: tuple[str, ...]) -> None:
        """Change the scopes a registered token has (as a re-install with another manifest)."""
        with self._lock:
            workspace = self._workspaces[token]
            workspace.scopes = tuple(scopes)

    def add_user(
        self,
        user_id: str,
        name: str,
        tz: str = "Europe/Stockholm",
        *,
        real_name: str | None = None,
        team_id: str | None = None,
        is_bot: bool = False,
        email: str | None = None,
        locale: str = "sv-SE",
        deleted: bool = False,
    ) -> None:
        """Register a user for users.info (unknown users answer ``user_not_found``)."""
        with self._lock:
            self._users[user_id] = _User(
                user_id=user_id,
                name=name,
                tz=tz,
                real_name=real_name or name,
                team_id=team_id,
                is_bot=is_bot,
                email=email,
                locale=locale,
                deleted=deleted,
            )

    def remove_user(self, user_id: str) -> None:
        """Forget a user: users.info answers ``user_not_found`` for it again."""
        with self._lock:
            self._users.pop(user_id, None)

    def add_channel(
        self,
        channel_id: str,
        name: str,
        *,
        is_private: bool = False,
        is_archived: bool = False,
        is_member: bool = True,
    ) -> None:
        """Register a channel for conversations.info (others are synthesised from the id)."""
        with self._lock:
            self._channels[channel_id] = self._channel_object(
                channel_id, name=name, is_private=is_private, is_archived=is_archived
            )
            self._channels[channel_id]["is_member"] = is_member

    def configure_oauth(
        self,
        *,
        access_token: str = "xoxb-installed-token",
        team_id: str = "T0INSTALL",
        team_name: str = "Installerad kommun",
        bot_user_id: str = "U0BOTINSTALL",
        app_id: str | None = None,
        scope: str = (
            "chat:write,commands,channels:history,groups:history,im:history,im:write,"
            "reactions:write,files:write,users:read"
        ),
        authed_user_id: str = "U0INSTALLER",
        code: str | None = None,
        client_id: str | None = None,
        client_secret: str | None = None,
    ) -> None:
        """Configure what oauth.v2.access answers; also registers ``access_token``.

        If ``code`` is given only that code is accepted (others: ``invalid_code``); codes
        are single-use either way. If ``client_id``/``client_secret`` are given the HTTP
        Basic credentials are checked (``invalid_client_id`` / ``bad_client_secret``).
        """
        with self._lock:
            self._oauth = _OAuthConfig(
                access_token=access_token,
                team_id=team_id,
                team_name=team_name,
                bot_user_id=bot_user_id,
                app_id=app_id or self.app_id,
                scope=scope,
                authed_user_id=authed_user_id,
                code=code,
                client_id=client_id,
                client_secret=client_secret,
            )
            self.add_workspace(
                access_token,
                team_id,
                bot_user_id,
                team_name=team_name,
                scopes=tuple(part for part in scope.split(",") if part),
            )

    def on(self, method: str, handler: Handler) -> None:
        """Answer ``method`` with ``handler(args)`` (a full response body incl. ``ok``)."""
        with self._lock:
            self._handlers[method] = handler

    def response_url(self, key: str = "default") -> str:
        """A ``response_url`` served by the fake; POSTs are recorded as ``response_url``."""
        return f"{self.root_url}response/{key}"

    # -- fault injection & rate limits -----------------------------------------------

    def fail_next(
        self, method: str, status: int, times: int = 1, retry_after: int | None = None
    ) -> None:
        """Answer the next ``times`` calls of ``method`` with HTTP ``status``.

        429 answers carry ``Retry-After`` (``retry_after`` or 1; 0 is allowed and makes
        slack_sdk retry after < 1 s). Other statuses answer a JSON error body
        (``internal_error``, ``service_unavailable`` ...), with Retry-After if given.
        """
        if times < 1:
            raise ValueError("times must be >= 1")
        with self._lock:
            self._faults.append(
                _Fault(status, times, None, frozenset({method}), _retry_after(status, retry_after))
            )

    def fail_for(
        self,
        seconds: float,
        status: int,
        methods: set[str] | None = None,
        retry_after: int = 1,
    ) -> None:
        """Fail every matching call (all methods if ``methods`` is None) for ``seconds``."""
        with self._lock:
            self._faults.append(
                _Fault(
                    status,
                    None,
                    time.monotonic() + seconds,
                    frozenset(methods) if methods is not None else None,
                    retry_after,
                )
            )

    def clear_faults(self) -> None:
        """Drop all pending fault injections."""
        with self._lock:
            self._faults.clear()

    def rate_limits(
        self,
        per_channel_post_per_s: float | None = 1.0,
        burst: int = 1,
        method_per_minute: dict[str, int] | None = None,
        workspace_post_per_s: float | None = None,
        workspace_burst: int = 1,
    ) -> None:
        """Enable Slack-like rate limiting (off by default).

        chat.postMessage is limited per (token, channel) by a token bucket refilling
        ``per_channel_post_per_s`` with capacity ``burst``, and with
        ``workspace_post_per_s`` also per token (Slack's workspace-wide limit) by a bucket
        of capacity ``workspace_burst``. Methods named in
        ``method_per_minute`` (e.g. :data:`SLACK_TIER_LIMITS_PER_MINUTE`) are limited per
        (token, method) by a bucket refilling ``n/60`` per second with capacity ``n``.
        Limited calls answer 429 with an integer ``Retry-After`` of at least 1.
        """
        if burst < 1:
            raise ValueError("burst must be >= 1")
        with self._lock:
            self._limits = _RateLimits(
                per_channel_post_per_s,
                burst,
                dict(method_per_minute or {}),
                workspace_post_per_s=workspace_post_per_s,
                workspace_burst=max(1, workspace_burst),
            )

    def latency(self, low_s: float, high_s: float) -> None:
        """Answer every call after a round trip drawn uniformly from ``[low_s, high_s]``
        (half before the call is handled, half after), like Slack over the internet;
        ``latency(0, 0)`` turns it off."""
        with self._lock:
            self._latency = (low_s, high_s) if high_s > 0 else None

    def _latency_s(self) -> float:
        with self._lock:
            if self._latency is None:
                return 0.0
            return self._random.uniform(*self._latency)

    def disable_rate_limits(self) -> None:
        """Turn rate limiting off again."""
        with self._lock:
            self._limits = None

    # -- inspection ------------------------------------------------------------------

    def calls(self, method: str | None = None) -> list[RecordedCall]:
        """Snapshot of recorded calls (all, or only those of ``method``), oldest first."""
        with self._lock:
            if method is None:
                return list(self._calls)
            return [c for c in self._calls if c.method == method]

    def delivered(self, method: str = "chat.postMessage") -> list[RecordedCall]:
        """Calls of ``method`` that succeeded (HTTP 200 and ``ok: true``)."""
        with self._lock:
            return [c for c in self._calls if c.method == method and c.ok]

    def wait_for(
        self, method: str, count: int = 1, timeout: float = 5.0, delivered_only: bool = True
    ) -> list[RecordedCall]:
        """Block until at least ``count`` calls of ``method`` exist; return them.

        Raises ``TimeoutError`` if they do not arrive within ``timeout`` seconds.
        """
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                found = self.delivered(method) if delivered_only else self.calls(method)
                if len(found) >= count:
                    return found
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError(
                        f"expected {count} call(s) of {method}, got {len(found)} in {timeout}s"
                    )
                self._changed.wait(remaining)

    def clear(self) -> None:
        """Forget recorded calls and spec / Block Kit violations (state is kept)."""
        with self._lock:
            self._calls.clear()
            self.spec_violations.clear()
            self.block_kit_errors.clear()

    def uploaded_files(self) -> list[UploadedFile]:
        """Files uploaded so far (in order of files.getUploadURLExternal)."""
        with self._lock:
            return list(self._files.values())

    def messages(self, channel: str | None = None) -> list[dict[str, Any]]:
        """Current (updated, not deleted) messages posted through the fake, by ts."""
        with self._lock:
            found = [dict(m) for (ch, _), m in self._messages.items() if channel in (None, ch)]
        return sorted(found, key=lambda m: (m["channel"], float(m["ts"])))

    def views(self) -> list[dict[str, Any]]:
        """Current state of all views opened, pushed or published."""
        with self._lock:
            return [dict(v) for v in self._views.values()]

    def dm_channel_id(self, user_id: str) -> str:
        """The DM channel id conversations.open (and chat.postMessage to a user) uses."""
        return "D" + user_id[1:] if user_id[:1] in ("U", "W") else "D" + user_id

    # -- dispatch ----------------------------------------------------------------------

    def _next_ts(self) -> str:
        self._ts_seq += 1
        n = self._ts_seq
        return f"{_TS_BASE + n // 10_000}.{(n % 10_000) * 100:06d}"

    def _next_id(self, prefix: str) -> str:
        self._seq += 1
        return f"{prefix}{self._seq:09d}"

    def _check_spec(self, method: str, args: dict[str, Any]) -> list[str]:
        names = {k for k in args if k not in CLIENT_DEFAULT_ARGS}
        if method in METHODS_NOT_IN_SPEC:
            known = METHODS_NOT_IN_SPEC[method]
            return [
                f"{method}: argument {n!r} is not a known argument of this (post-2020) method"
                for n in sorted(names - known)
            ]
        if self._spec is None or method not in self._spec:
            return []
        operation = self._spec[method]
        allowed = operation.declared | ARGS_NEWER_THAN_SPEC.get(method, frozenset())
        problems = [
            f"{method}: argument {n!r} is not declared in the Web API spec"
            for n in sorted(names - allowed)
        ]
        problems += [
            f"{method}: required argument {n!r} is missing"
            for n in sorted(operation.required - names)
        ]
        return problems

    def _take_fault(self, method: str, now: float) -> _Reply | None:
        for fault in list(self._faults):
            if fault.until is not None and now >= fault.until:
                self._faults.remove(fault)
                continue
            if fault.methods is not None and method not in fault.methods:
                continue
            if fault.remaining is not None:
                fault.remaining -= 1
                if fault.remaining <= 0:
                    self._faults.remove(fault)
            headers = {}
            if fault.retry_after is not None:
                headers["Retry-After"] = str(fault.retry_after)
            return _Reply(fault.status, {"ok": False, "error": _fault_error(fault.status)}, headers)
        return None

    def _bucket_wait(
        self,
        key: tuple[str, ...],
        rate: float,
        capacity: float,
        now: float,
        consume: bool = True,
    ) -> float:
        assert self._limits is not None
        bucket = self._limits.buckets.get(key)
        if bucket is None:
            bucket = self._limits.buckets[key] = _Bucket(capacity, now)
        bucket.tokens = min(capacity, bucket.tokens + max(0.0, now - bucket.updated) * rate)
        bucket.updated = max(bucket.updated, now)
        if bucket.tokens >= 1.0:
            if consume:
                bucket.tokens -= 1.0
            return 0.0
        return (1.0 - bucket.tokens) / rate if rate > 0 else 60.0

    def _rate_limited(self, ctx: _Ctx, now: float) -> _Reply | None:
        limits = self._limits
        if limits is None:
            return None
        token = ctx.token or ""
        wait = 0.0
        wide = limits.workspace_post_per_s if ctx.method == "chat.postMessage" else None
        if ctx.method == "chat.postMessage" and limits.per_channel_post_per_s:
            channel = self._resolve_channel(str(ctx.args.get("channel") or ""))
            # A call refused by the workspace's limit takes no token of its channel.
            wait = self._bucket_wait(
                ("post", token, channel),
                limits.per_channel_post_per_s,
                limits.burst,
                now,
                consume=not wide,
            )
        if not wait and wide:
            wait = self._bucket_wait(("workspace", token), wide, limits.workspace_burst, now)
            if not wait and limits.per_channel_post_per_s:
                limits.buckets[("post", token, channel)].tokens -= 1.0
        per_minute = limits.method_per_minute.get(ctx.method)
        if not wait and per_minute:
            wait = self._bucket_wait(
                ("method", token, ctx.method), per_minute / 60.0, float(per_minute), now
            )
        if not wait:
            return None
        retry_after = max(1, math.ceil(wait))
        return _Reply(429, {"ok": False, "error": "ratelimited"}, {"Retry-After": str(retry_after)})

    def _record(
        self,
        method: str,
        args: dict[str, Any],
        token: str | None,
        reply: _Reply,
        team_id: str | None,
        headers: dict[str, str],
    ) -> None:
        self._calls.append(
            RecordedCall(
                method=method,
                args=args,
                token=token,
                at=time.time(),
                status=reply.status,
                ok=reply.ok,
                response=reply.body if isinstance(reply.body, dict) else {"body": reply.body},
                team_id=team_id,
                headers=headers,
            )
        )
        self._changed.notify_all()

    def _dispatch_api(self, method: str, args: dict[str, Any], headers: dict[str, str]) -> _Reply:
        token: str | None = None
        basic: tuple[str, str] | None = None
        authorization = headers.get("authorization", "")
        if authorization.startswith("Bearer "):
            token = authorization[len("Bearer ") :].strip()
        elif authorization.startswith("Basic "):
            decoded = base64.b64decode(authorization[len("Basic ") :]).decode("utf-8")
            client_id, _, secret = decoded.partition(":")
            basic = (client_id, secret)
        if token is None and isinstance(args.get("token"), str):
            token = args["token"]
        known = (
            method in self._handlers
            or method in METHODS_NOT_IN_SPEC
            or method in _HANDLERS
            or (self._spec is not None and method in self._spec)
        )
        violations = self._check_spec(method, args) if known else []
        recorded_headers = {
            k: ("(redacted)" if k == "authorization" else v) for k, v in headers.items()
        }
        if basic is not None:
            recorded_headers["basic_auth_client_id"] = basic[0]
        now = time.monotonic()
        with self._lock:
            workspace = self._workspaces.get(token) if token else None
            if workspace is None and token and self.accept_unknown_tokens:
                workspace = self._workspaces.get(self._default_token)
            ctx = _Ctx(method, args, token, workspace, basic)
            reply = self._take_fault(method, now)
            if reply is None and method not in _NO_AUTH_METHODS and known:
                if not token:
                    reply = _err("not_authed")
                elif workspace is None:
                    reply = _err("invalid_auth")
            if reply is None:
                reply = self._rate_limited(ctx, now)
            if reply is None and not known:
                reply = _err("unknown_method")
            if reply is None and violations:
                self.spec_violations.extend(violations)
                reply = _err("invalid_arguments", response_metadata={"messages": violations})
            if reply is None:
                custom = self._handlers.get(method)
                if custom is not None:
                    reply = _Reply(200, custom(dict(args)))
                elif method in _HANDLERS:
                    reply = _HANDLERS[method](self, ctx)
                else:
                    reply = _err("fake_not_implemented")
            if workspace is not None and reply.status == 200 and known:
                reply.headers.setdefault("x-oauth-scopes", ",".join(workspace.scopes))
            self._record(method, args, token, reply, ctx.team_id, recorded_headers)
        return reply

    def _dispatch_upload(self, file_id: str, body: bytes, headers: dict[str, str]) -> _Reply:
        with self._lock:
            reply = self._take_fault(UPLOAD_METHOD, time.monotonic())
            uploaded = self._files.get(file_id)
            if reply is None:
                if uploaded is None:
                    reply = _Reply(404, "file not found")
                else:
                    uploaded.data = body
                    reply = _Reply(200, f"OK - {len(body)}")
            self._record(
                UPLOAD_METHOD,
                {"file_id": file_id, "length": len(body)},
                None,
                reply,
                uploaded.team_id if uploaded else None,
                headers,
            )
        return reply

    def _dispatch_response_url(self, key: str, body: bytes, headers: dict[str, str]) -> _Reply:
        try:
            parsed = json.loads(body.decode("utf-8")) if body else {}
        except ValueError:
            parsed = {"raw": body.decode("utf-8", "replace")}
        args = parsed if isinstance(parsed, dict) else {"payload": parsed}
        args = {**args, "response_url_key": key}
        with self._lock:
            reply = self._take_fault(RESPONSE_URL_METHOD, time.monotonic()) or _Reply(200, "ok")
            self._record(RESPONSE_URL_METHOD, args, None, reply, None, headers)
        return reply

    # -- helpers for handlers ----------------------------------------------------------

    def _channel_object(
        self,
        channel_id: str,
        *,
        name: str | None = None,
        is_private: bool | None = None,
        is_archived: bool = False,
        user: str | None = None,
    ) -> dict[str, Any]:
        is_im = channel_id.startswith("D")
        private = is_private if is_private is not None else channel_id.startswith("G")
        channel: dict[str, Any] = {
            "id": channel_id,
            "created": _TS_BASE,
            "is_archived": is_archived,
            "is_im": is_im,
            "is_org_shared": False,
            "context_team_id": None,
            "updated": _TS_BASE * 1000,
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

    def _resolve_channel(self, channel: str) -> str:
        if channel[:1] in ("U", "W"):
            return self.dm_channel_id(channel)
        return channel

    def _bot_message(
        self, ctx: _Ctx, channel: str, ts: str, args: dict[str, Any]
    ) -> dict[str, Any]:
        ws = ctx.workspace
        message: dict[str, Any] = {
            "type": "message",
            "text": str(args.get("text") or args.get("markdown_text") or "")[:_MAX_TEXT],
            "user": ws.bot_user_id if ws else None,
            "bot_id": ws.bot_id if ws else None,
            "app_id": self.app_id,
            "team": ctx.team_id,
            "ts": ts,
            "channel": channel,
        }
        blocks = _maybe_json(args.get("blocks"))
        if blocks is not None:
            message["blocks"] = blocks
        attachments = _maybe_json(args.get("attachments"))
        if attachments is not None:
            message["attachments"] = attachments
        metadata = _maybe_json(args.get("metadata"))
        if metadata is not None:
            message["metadata"] = metadata
        return message

    def _message_content_error(self, args: dict[str, Any]) -> _Reply | None:
        if not any(args.get(k) for k in ("text", "blocks", "attachments", "markdown_text")):
            return _err("no_text")
        errors = _check_blocks(_maybe_json(args.get("blocks")), 50, "/blocks")
        if errors:
            self.block_kit_errors.extend(errors)
            return _err("invalid_blocks", response_metadata={"messages": errors})
        return None

    def _view_object(
        self, ctx: _Ctx, view_id: str, view: dict[str, Any], **extra: Any
    ) -> dict[str, Any]:
        ws = ctx.workspace
        stored: dict[str, Any] = {
            "id": view_id,
            "team_id": ctx.team_id,
            "type": view.get("type", "modal"),
            "blocks": view.get("blocks", []),
            "private_metadata": view.get("private_metadata", ""),
            "callback_id": view.get("callback_id", ""),
            "state": {"values": {}},
            "hash": f"{int(time.time())}.{self._next_id('h')}",
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


def _retry_after(status: int, retry_after: int | None) -> int | None:
    if retry_after is not None:
        return retry_after
    return 1 if status == 429 else None


# ---------------------------------------------------------------------------------------
# Method handlers (called with the fake's lock held)


def _h_auth_test(fake: FakeSlack, ctx: _Ctx) -> _Reply:
    ws = ctx.workspace
    assert ws is not None
    return _ok(
        url=f"https://{ws.domain}.slack.com/",
        team=ws.team_name,
        user="dialogbot",
        team_id=ws.team_id,
        user_id=ws.bot_user_id,
        bot_id=ws.bot_id,
        is_enterprise_install=False,
    )


def _h_chat_post_message(fake: FakeSlack, ctx: _Ctx) -> _Reply:
    args = ctx.args
    raw_channel = str(args.get("channel") or "")
    if not raw_channel:
        return _err("channel_not_found")
    error = fake._message_content_error(args)
    if error is not None:
        return error
    channel = fake._resolve_channel(raw_channel)
    ts = fake._next_ts()
    message = fake._bot_message(ctx, channel, ts, args)
    thread_ts = args.get("thread_ts")
    if thread_ts:
        message["thread_ts"] = str(thread_ts)
        parent = fake._messages.get((channel, str(thread_ts)))
        if parent is not None and parent.get("user"):
            message["parent_user_id"] = parent["user"]
    fake._messages[(channel, ts)] = message
    public = {k: v for k, v in message.items() if k != "channel"}
    warnings = ["message_truncated"] if len(str(args.get("text") or "")) > _MAX_TEXT else []
    extra: dict[str, Any] = {"response_metadata": {"warnings": warnings}} if warnings else {}
    return _ok(channel=channel, ts=ts, message=public, **extra)


def _h_chat_update(fake: FakeSlack, ctx: _Ctx) -> _Reply:
    args = ctx.args
    channel = fake._resolve_channel(str(args.get("channel") or ""))
    ts = str(args.get("ts") or "")
    existing = fake._messages.get((channel, ts))
    if existing is None and fake.strict_messages:
        return _err("message_not_found")
    error = fake._message_content_error(args)
    if error is not None:
        return error
    message = fake._bot_message(ctx, channel, ts, args)
    if existing is not None and "thread_ts" in existing:
        message["thread_ts"] = existing["thread_ts"]
    message["edited"] = {"user": message["user"], "ts": fake._next_ts()}
    fake._messages[(channel, ts)] = message
    public = {k: v for k, v in message.items() if k not in ("channel", "ts")}
    return _ok(channel=channel, ts=ts, text=message["text"], message=public)


def _h_chat_post_ephemeral(fake: FakeSlack, ctx: _Ctx) -> _Reply:
    args = ctx.args
    if not args.get("channel"):
        return _err("channel_not_found")
    if not args.get("user"):
        return _err("user_not_in_channel")
    error = fake._message_content_error(args)
    if error is not None:
        return error
    return _ok(message_ts=fake._next_ts())


def _h_chat_delete(fake: FakeSlack, ctx: _Ctx) -> _Reply:
    channel = fake._resolve_channel(str(ctx.args.get("channel") or ""))
    ts = str(ctx.args.get("ts") or "")
    if fake._messages.pop((channel, ts), None) is None and fake.strict_messages:
        return _err("message_not_found")
    return _ok(channel=channel, ts=ts)


def _h_chat_get_permalink(fake: FakeSlack, ctx: _Ctx) -> _Reply:
    channel = str(ctx.args.get("channel") or "")
    ts = str(ctx.args.get("message_ts") or "")
    domain = ctx.workspace.domain if ctx.workspace else "fake"
    return _ok(
        channel=channel,
        permalink=f"https://{domain}.slack.com/archives/{channel}/p{ts.replace('.', '')}",
    )


def _reaction_key(ctx: _Ctx) -> tuple[str, str, str, str]:
    return (
        ctx.token or "",
        str(ctx.args.get("channel") or ""),
        str(ctx.args.get("timestamp") or ""),
        str(ctx.args.get("name") or ""),
    )


def _h_reactions_add(fake: FakeSlack, ctx: _Ctx) -> _Reply:
    key = _reaction_key(ctx)
    if not key[3]:
        return _err("invalid_name")
    if key in fake._reactions:
        return _err("already_reacted")
    fake._reactions.add(key)
    return _ok()


def _h_reactions_remove(fake: FakeSlack, ctx: _Ctx) -> _Reply:
    key = _reaction_key(ctx)
    if key not in fake._reactions:
        return _err("no_reaction")
    fake._reactions.discard(key)
    return _ok()


def _view_arg(fake: FakeSlack, ctx: _Ctx) -> tuple[dict[str, Any] | None, _Reply | None]:
    view = _maybe_json(ctx.args.get("view"))
    errors = _check_view(view)
    if errors:
        fake.block_kit_errors.extend(errors)
        return None, _err("invalid_arguments", response_metadata={"messages": errors})
    return cast(dict[str, Any], view), None


def _h_views_open(fake: FakeSlack, ctx: _Ctx) -> _Reply:
    if not ctx.args.get("trigger_id") and not ctx.args.get("interactivity_pointer"):
        return _err("invalid_arguments")
    view, error = _view_arg(fake, ctx)
    if error is not None or view is None:
        return error or _err("invalid_arguments")
    view_id = fake._next_id("V")
    stored = fake._view_object(ctx, view_id, view)
    fake._views[view_id] = stored
    return _ok(view=stored)


def _h_views_push(fake: FakeSlack, ctx: _Ctx) -> _Reply:
    return _h_views_open(fake, ctx)


def _h_views_update(fake: FakeSlack, ctx: _Ctx) -> _Reply:
    view, error = _view_arg(fake, ctx)
    if error is not None or view is None:
        return error or _err("invalid_arguments")
    view_id = ctx.args.get("view_id")
    external_id = ctx.args.get("external_id")
    current: dict[str, Any] | None = None
    if view_id:
        current = fake._views.get(str(view_id))
    elif external_id:
        current = next(
            (v for v in fake._views.values() if v.get("external_id") == external_id), None
        )
    else:
        return _err("invalid_arguments")
    if current is None:
        return _err("not_found")
    expected_hash = ctx.args.get("hash")
    if expected_hash and expected_hash != current["hash"]:
        return _err("hash_conflict")
    stored = fake._view_object(
        ctx,
        current["id"],
        view,
        root_view_id=current["root_view_id"],
        previous_view_id=current["previous_view_id"],
    )
    fake._views[current["id"]] = stored
    return _ok(view=stored)


def _h_views_publish(fake: FakeSlack, ctx: _Ctx) -> _Reply:
    user_id = str(ctx.args.get("user_id") or "")
    if not user_id:
        return _err("invalid_arguments")
    view, error = _view_arg(fake, ctx)
    if error is not None or view is None:
        return error or _err("invalid_arguments")
    if view.get("type") != "home":
        return _err("invalid_arguments", response_metadata={"messages": ["view type must be home"]})
    key = (ctx.team_id, user_id)
    view_id = fake._home_views.get(key)
    if view_id is not None:
        expected_hash = ctx.args.get("hash")
        if expected_hash and expected_hash != fake._views[view_id]["hash"]:
            return _err("hash_conflict")
    else:
        view_id = fake._next_id("V")
        fake._home_views[key] = view_id
    stored = fake._view_object(ctx, view_id, view)
    fake._views[view_id] = stored
    return _ok(view=stored)


def _h_conversations_open(fake: FakeSlack, ctx: _Ctx) -> _Reply:
    channel = ctx.args.get("channel")
    users_arg = ctx.args.get("users")
    if channel:
        channel_id = str(channel)
        user = None
    elif users_arg:
        users = users_arg if isinstance(users_arg, list) else str(users_arg).split(",")
        users = [u.strip() for u in users if u.strip()]
        if len(users) == 1:
            user = users[0]
            channel_id = fake.dm_channel_id(user)
        else:
            user = None
            channel_id = "G" + "".join(u[1:4] for u in sorted(users))[:10].upper()
    else:
        return _err("users_list_not_supplied")
    already_open = channel_id in fake._channels
    if not already_open:
        fake._channels[channel_id] = fake._channel_object(channel_id, user=user)
    if _as_bool(ctx.args.get("return_im", False)):
        body_channel = dict(fake._channels[channel_id])
    else:
        body_channel = {"id": channel_id}
    return _ok(no_op=already_open, already_open=already_open, channel=body_channel)


def _h_conversations_info(fake: FakeSlack, ctx: _Ctx) -> _Reply:
    channel_id = str(ctx.args.get("channel") or "")
    if not channel_id:
        return _err("channel_not_found")
    channel = fake._channels.get(channel_id) or fake._channel_object(channel_id)
    return _ok(channel=dict(channel))


def _h_conversations_history(fake: FakeSlack, ctx: _Ctx) -> _Reply:
    channel_id = str(ctx.args.get("channel") or "")
    if not channel_id:
        return _err("channel_not_found")
    channel = fake._channels.get(channel_id) or fake._channel_object(channel_id)
    if not channel.get("is_im") and not channel.get("is_member", True):
        # Slack hides private channels the bot is not in; public ones say so.
        return _err("channel_not_found" if channel.get("is_private") else "not_in_channel")
    limit = int(ctx.args.get("limit") or 100)
    found = [
        {k: v for k, v in m.items() if k != "channel"}
        for (ch, _), m in sorted(fake._messages.items(), key=lambda kv: -float(kv[0][1]))
        if ch == channel_id and not m.get("thread_ts")
    ][:limit]
    return _ok(messages=found, has_more=False, response_metadata={"next_cursor": ""})


def _h_conversations_replies(fake: FakeSlack, ctx: _Ctx) -> _Reply:
    channel = str(ctx.args.get("channel") or "")
    ts = str(ctx.args.get("ts") or "")
    found = [
        {k: v for k, v in m.items() if k != "channel"}
        for (ch, m_ts), m in sorted(fake._messages.items(), key=lambda kv: float(kv[0][1]))
        if ch == channel and (m_ts == ts or m.get("thread_ts") == ts)
    ]
    if not found:
        return _err("thread_not_found")
    return _ok(messages=found, has_more=False, response_metadata={"next_cursor": ""})


def _h_users_info(fake: FakeSlack, ctx: _Ctx) -> _Reply:
    user_id = str(ctx.args.get("user") or "")
    user = fake._users.get(user_id)
    if user is None:
        return _err("user_not_found")
    zone = ZoneInfo(user.tz)
    now = datetime.now(zone)
    offset = now.utcoffset()
    profile: dict[str, Any] = {
        "real_name": user.real_name,
        "real_name_normalized": user.real_name,
        "display_name": user.name,
        "display_name_normalized": user.name,
        "first_name": user.real_name.split(" ")[0],
        "last_name": " ".join(user.real_name.split(" ")[1:]),
        "status_text": "",
        "status_emoji": "",
        "team": user.team_id or ctx.team_id,
        "image_48": "https://secure.gravatar.com/avatar/fake-48.png",
    }
    if user.email:
        profile["email"] = user.email
    body: dict[str, Any] = {
        "id": user.user_id,
        "team_id": user.team_id or ctx.team_id,
        "name": user.name,
        "deleted": user.deleted,
        "real_name": user.real_name,
        "tz": user.tz,
        "tz_label": _TZ_LABELS.get(now.tzname() or "", now.tzname() or user.tz),
        "tz_offset": int(offset.total_seconds()) if offset is not None else 0,
        "profile": profile,
        "is_admin": False,
        "is_owner": False,
        "is_primary_owner": False,
        "is_restricted": False,
        "is_ultra_restricted": False,
        "is_bot": user.is_bot,
        "is_app_user": False,
        "updated": _TS_BASE,
    }
    if _as_bool(ctx.args.get("include_locale", False)):
        body["locale"] = user.locale
    return _ok(user=body)


def _file_object(fake: FakeSlack, uploaded: UploadedFile) -> dict[str, Any]:
    name = uploaded.filename
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else "text"
    mimetype = {"md": "text/markdown", "txt": "text/plain", "pdf": "application/pdf"}.get(
        extension, "application/octet-stream"
    )
    domain = uploaded.team_id.lower() if uploaded.team_id else "fake"
    file_url = f"https://files.slack.com/files-pri/{uploaded.team_id}-{uploaded.file_id}/{name}"
    channels = [c for c in [uploaded.channel_id, *uploaded.channels] if c]
    return {
        "id": uploaded.file_id,
        "created": _TS_BASE,
        "timestamp": _TS_BASE,
        "name": name,
        "title": uploaded.title or name,
        "mimetype": mimetype,
        "filetype": "markdown" if extension == "md" else extension,
        "pretty_type": extension.upper(),
        "user_team": uploaded.team_id,
        "editable": False,
        "size": len(uploaded.data or b""),
        "mode": "hosted",
        "is_external": False,
        "is_public": bool(channels and channels[0].startswith("C")),
        "url_private": file_url,
        "url_private_download": file_url.replace("/files-pri/", "/files-pri/download/"),
        "permalink": f"https://{domain}.slack.com/files/{uploaded.file_id}/{name}",
        "channels": [c for c in channels if c.startswith("C")],
        "groups": [c for c in channels if c.startswith("G")],
        "ims": [c for c in channels if c.startswith("D")],
        "comments_count": 0,
        "has_rich_preview": False,
    }


def _h_files_get_upload_url(fake: FakeSlack, ctx: _Ctx) -> _Reply:
    filename = ctx.args.get("filename")
    length = ctx.args.get("length")
    if not filename:
        return _err("invalid_arguments")
    try:
        size = int(length) if length is not None else -1
    except (TypeError, ValueError):
        size = -1
    if size < 0:
        return _err("invalid_arguments")
    file_id = fake._next_id("F")
    fake._files[file_id] = UploadedFile(
        file_id=file_id, filename=str(filename), length=size, team_id=ctx.team_id
    )
    return _ok(upload_url=f"{fake.root_url}upload/{file_id}", file_id=file_id)


def _h_files_complete_upload(fake: FakeSlack, ctx: _Ctx) -> _Reply:
    entries = _maybe_json(ctx.args.get("files"))
    if not isinstance(entries, list) or not entries:
        return _err("invalid_arguments")
    channels_arg = ctx.args.get("channels")
    channels = str(channels_arg).split(",") if channels_arg else []
    completed: list[UploadedFile] = []
    for entry in entries:
        file_id = entry.get("id") if isinstance(entry, dict) else None
        uploaded = fake._files.get(str(file_id))
        if uploaded is None or uploaded.data is None:
            return _err("file_not_found")
        completed.append(uploaded)
    for entry, uploaded in zip(entries, completed, strict=True):
        uploaded.completed = True
        uploaded.title = entry.get("title") or uploaded.filename
        uploaded.channel_id = ctx.args.get("channel_id") or None
        uploaded.channels = channels
        uploaded.initial_comment = ctx.args.get("initial_comment") or None
        uploaded.thread_ts = ctx.args.get("thread_ts") or None
    return _ok(files=[_file_object(fake, u) for u in completed])


def _h_files_info(fake: FakeSlack, ctx: _Ctx) -> _Reply:
    uploaded = fake._files.get(str(ctx.args.get("file") or ""))
    if uploaded is None or not uploaded.completed:
        return _err("file_not_found")
    file_obj = _file_object(fake, uploaded)
    if uploaded.data is not None:
        file_obj["preview"] = uploaded.text[:1000]
    return _ok(
        file=file_obj,
        comments=[],
        response_metadata={"next_cursor": ""},
        content=uploaded.text,
    )


def _h_oauth_v2_access(fake: FakeSlack, ctx: _Ctx) -> _Reply:
    config = fake._oauth
    assert config is not None
    code = str(ctx.args.get("code") or "")
    client_id = ctx.basic_auth[0] if ctx.basic_auth else ctx.args.get("client_id")
    client_secret = ctx.basic_auth[1] if ctx.basic_auth else ctx.args.get("client_secret")
    if config.client_id is not None and client_id != config.client_id:
        return _err("invalid_client_id")
    if config.client_secret is not None and client_secret != config.client_secret:
        return _err("bad_client_secret")
    if not code or code in fake._used_codes or (config.code is not None and code != config.code):
        return _err("invalid_code")
    fake._used_codes.add(code)
    return _ok(
        app_id=config.app_id,
        authed_user={"id": config.authed_user_id},
        scope=config.scope,
        token_type="bot",
        access_token=config.access_token,
        bot_user_id=config.bot_user_id,
        team={"id": config.team_id, "name": config.team_name},
        enterprise=None,
        is_enterprise_install=False,
    )


_HANDLERS: dict[str, Callable[[FakeSlack, _Ctx], _Reply]] = {
    "auth.test": _h_auth_test,
    "chat.postMessage": _h_chat_post_message,
    "chat.update": _h_chat_update,
    "chat.postEphemeral": _h_chat_post_ephemeral,
    "chat.delete": _h_chat_delete,
    "chat.getPermalink": _h_chat_get_permalink,
    "reactions.add": _h_reactions_add,
    "reactions.remove": _h_reactions_remove,
    "views.open": _h_views_open,
    "views.push": _h_views_push,
    "views.update": _h_views_update,
    "views.publish": _h_views_publish,
    "conversations.open": _h_conversations_open,
    "conversations.info": _h_conversations_info,
    "conversations.history": _h_conversations_history,
    "conversations.replies": _h_conversations_replies,
    "users.info": _h_users_info,
    "files.getUploadURLExternal": _h_files_get_upload_url,
    "files.completeUploadExternal": _h_files_complete_upload,
    "files.info": _h_files_info,
    "files.upload": lambda fake, ctx: _err("method_deprecated"),
    "oauth.v2.access": _h_oauth_v2_access,
}
