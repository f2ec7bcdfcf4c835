"""The fake itself: :class:`FakeSlack` (configuration, inspection, dispatch, message and
view store). Method handlers live in :mod:`.handlers`, one module per API family."""

from __future__ import annotations

import base64
import json
import random
import threading
import time
from pathlib import Path
from types import TracebackType
from typing import Any

from ..signing import DEFAULT_APP_ID, DEFAULT_BOT_USER_ID, DEFAULT_TEAM_ID
from .faults import Faults
from .handlers import HANDLERS
from .records import (
    RESPONSE_URL_METHOD,
    UPLOAD_METHOD,
    Handler,
    RecordedCall,
    Reply,
    UploadedFile,
    err,
)
from .server import Server
from .spec import METHODS_NOT_IN_SPEC, OperationSpec, load_spec, spec_problems
from .state import DEFAULT_BOT_SCOPES, Ctx, OAuthConfig, SlackState, User, Workspace, dm_channel_id

_NO_AUTH_METHODS = frozenset({"oauth.v2.access", "oauth.access", "oauth.v2.exchange", "api.test"})


class FakeSlack:
    """Local HTTP fake of the Slack Web API (see the package docstring).

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
        self.lock = threading.RLock()
        """Held while a request is handled (handlers and custom handlers run under it)."""
        self._changed = threading.Condition(self.lock)
        self._calls: list[RecordedCall] = []
        self.spec_violations: list[str] = []
        """Spec violations seen so far (method / argument names the spec does not know)."""
        self.block_kit_errors: list[str] = []
        """Block Kit limit violations seen so far (answered with invalid_blocks/arguments)."""
        self.fake_errors: list[str] = []
        """Exceptions raised inside the fake or custom handlers (answered with HTTP 500)."""
        self.accept_unknown_tokens = accept_unknown_tokens
        self.strict_messages = strict_messages
        self.state = SlackState(DEFAULT_APP_ID)
        """What this Slack holds (workspaces, users, channels, messages, views, files);
        the method handlers read and change it."""
        self._default_token = default_token
        self._faults = Faults()
        self._latency: tuple[float, float] | None = None
        self._random = random.Random(0)
        self._handlers: dict[str, Handler] = {}
        self.add_workspace(default_token, default_team_id, default_bot_user_id)
        self.configure_oauth()

        self._server = Server(self)
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
    def app_id(self) -> str:
        """The app id the fake's messages and views carry."""
        return self.state.app_id

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
        with self.lock:
            name = team_name or f"Kommun {team_id}"
            self.state.workspaces[token] = Workspace(
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
        with self.lock:
            workspace = self.state.workspaces[token]
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
        with self.lock:
            self.state.users[user_id] = User(
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
        with self.lock:
            self.state.users.pop(user_id, None)

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
        with self.lock:
            self.state.channels[channel_id] = self.state.channel_object(
                channel_id, name=name, is_private=is_private, is_archived=is_archived
            )
            self.state.channels[channel_id]["is_member"] = is_member

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
        with self.lock:
            self.state.oauth = OAuthConfig(
                access_token=access_token,
                team_id=team_id,
                team_name=team_name,
                bot_user_id=bot_user_id,
                app_id=app_id or self.state.app_id,
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
        with self.lock:
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
        with self.lock:
            self._faults.fail_next(method, status, times, retry_after)

    def fail_for(
        self,
        seconds: float,
        status: int,
        methods: set[str] | None = None,
        retry_after: int = 1,
    ) -> None:
        """Fail every matching call (all methods if ``methods`` is None) for ``seconds``."""
        with self.lock:
            self._faults.fail_for(seconds, status, methods, retry_after)

    def clear_faults(self) -> None:
        """Drop all pending fault injections."""
        with self.lock:
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
        with self.lock:
            self._faults.limit(
                per_channel_post_per_s,
                burst,
                method_per_minute,
                workspace_post_per_s=workspace_post_per_s,
                workspace_burst=workspace_burst,
            )

    def latency(self, low_s: float, high_s: float) -> None:
        """Answer every call after a round trip drawn uniformly from ``[low_s, high_s]``
        (half before the call is handled, half after), like Slack over the internet;
        ``latency(0, 0)`` turns it off."""
        with self.lock:
            self._latency = (low_s, high_s) if high_s > 0 else None

    def latency_s(self) -> float:
        """One round trip's simulated latency (0 when off)."""
        with self.lock:
            if self._latency is None:
                return 0.0
            return self._random.uniform(*self._latency)

    def disable_rate_limits(self) -> None:
        """Turn rate limiting off again."""
        with self.lock:
            self._faults.unlimit()

    # -- inspection ------------------------------------------------------------------

    def calls(self, method: str | None = None) -> list[RecordedCall]:
        """Snapshot of recorded calls (all, or only those of ``method``), oldest first."""
        with self.lock:
            if method is None:
                return list(self._calls)
            return [c for c in self._calls if c.method == method]

    def delivered(self, method: str = "chat.postMessage") -> list[RecordedCall]:
        """Calls of ``method`` that succeeded (HTTP 200 and ``ok: true``)."""
        with self.lock:
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
        with self.lock:
            self._calls.clear()
            self.spec_violations.clear()
            self.block_kit_errors.clear()

    def uploaded_files(self) -> list[UploadedFile]:
        """Files uploaded so far (in order of files.getUploadURLExternal)."""
        with self.lock:
            return list(self.state.files.values())

    def messages(self, channel: str | None = None) -> list[dict[str, Any]]:
        """Current (updated, not deleted) messages posted through the fake, by ts."""
        with self.lock:
            found = [dict(m) for (ch, _), m in self.state.messages.items() if channel in (None, ch)]
        return sorted(found, key=lambda m: (m["channel"], float(m["ts"])))

    def views(self) -> list[dict[str, Any]]:
        """Current state of all views opened, pushed or published."""
        with self.lock:
            return [dict(v) for v in self.state.views.values()]

    def dm_channel_id(self, user_id: str) -> str:
        """The DM channel id conversations.open (and chat.postMessage to a user) uses."""
        return dm_channel_id(user_id)

    # -- dispatch ----------------------------------------------------------------------

    def _rate_limited(self, ctx: Ctx, now: float) -> Reply | None:
        channel = None
        if ctx.method == "chat.postMessage":
            channel = self.state.resolve_channel(str(ctx.args.get("channel") or ""))
        return self._faults.rate_limited(ctx.token or "", ctx.method, channel, now)

    def _record(
        self,
        method: str,
        args: dict[str, Any],
        token: str | None,
        reply: Reply,
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

    def dispatch_api(self, method: str, args: dict[str, Any], headers: dict[str, str]) -> Reply:
        """Answer (and record) one Web API call; called by the HTTP server."""
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
            or method in HANDLERS
            or (self._spec is not None and method in self._spec)
        )
        violations = spec_problems(self._spec, method, args) if known else []
        recorded_headers = {
            k: ("(redacted)" if k == "authorization" else v) for k, v in headers.items()
        }
        if basic is not None:
            recorded_headers["basic_auth_client_id"] = basic[0]
        now = time.monotonic()
        with self.lock:
            workspace = self.state.workspaces.get(token) if token else None
            if workspace is None and token and self.accept_unknown_tokens:
                workspace = self.state.workspaces.get(self._default_token)
            ctx = Ctx(method, args, token, workspace, basic)
            reply = self._faults.take(method, now)
            if reply is None and method not in _NO_AUTH_METHODS and known:
                if not token:
                    reply = err("not_authed")
                elif workspace is None:
                    reply = err("invalid_auth")
            if reply is None:
                reply = self._rate_limited(ctx, now)
            if reply is None and not known:
                reply = err("unknown_method")
            if reply is None and violations:
                self.spec_violations.extend(violations)
                reply = err("invalid_arguments", response_metadata={"messages": violations})
            if reply is None:
                custom = self._handlers.get(method)
                if custom is not None:
                    reply = Reply(200, custom(dict(args)))
                elif method in HANDLERS:
                    reply = HANDLERS[method](self, ctx)
                else:
                    reply = err("fake_not_implemented")
            if workspace is not None and reply.status == 200 and known:
                reply.headers.setdefault("x-oauth-scopes", ",".join(workspace.scopes))
            self._record(method, args, token, reply, ctx.team_id, recorded_headers)
        return reply

    def dispatch_upload(self, file_id: str, body: bytes, headers: dict[str, str]) -> Reply:
        """Store (and record) the bytes POSTed to an upload URL."""
        with self.lock:
            reply = self._faults.take(UPLOAD_METHOD, time.monotonic())
            uploaded = self.state.files.get(file_id)
            if reply is None:
                if uploaded is None:
                    reply = Reply(404, "file not found")
                else:
                    uploaded.data = body
                    reply = Reply(200, f"OK - {len(body)}")
            self._record(
                UPLOAD_METHOD,
                {"file_id": file_id, "length": len(body)},
                None,
                reply,
                uploaded.team_id if uploaded else None,
                headers,
            )
        return reply

    def dispatch_response_url(self, key: str, body: bytes, headers: dict[str, str]) -> Reply:
        """Record a POST to a ``response_url``."""
        try:
            parsed = json.loads(body.decode("utf-8")) if body else {}
        except ValueError:
            parsed = {"raw": body.decode("utf-8", "replace")}
        args = parsed if isinstance(parsed, dict) else {"payload": parsed}
        args = {**args, "response_url_key": key}
        with self.lock:
            reply = self._faults.take(RESPONSE_URL_METHOD, time.monotonic()) or Reply(200, "ok")
            self._record(RESPONSE_URL_METHOD, args, None, reply, None, headers)
        return reply
