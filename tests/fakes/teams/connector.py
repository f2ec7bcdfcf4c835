"""A local fake of Microsoft's Bot Connector service (and its token issuer) for Teams tests.

``FakeConnector`` runs a ``ThreadingHTTPServer`` on 127.0.0.1 in a daemon thread and plays
both sides the bot talks to:

* **Inbound auth.** It serves OpenID metadata (``/v1/.well-known/openidconfiguration``) and
  the JWKS (``/keys``) whose key signs the test tokens :meth:`FakeConnector.inbound_token`
  makes, so the Teams SDK's real token check runs against it. Tokens can be made wrong on
  purpose (audience, issuer, expiry, an unknown key, another ``serviceurl``).
* **The Connector API** of ``botframework-channel.json`` (Swagger 2.0, copied into
  ``tests/fakes/specs/teams/``): every call must match a method and path the spec
  declares and its body must validate against the spec's definition (violations are
  recorded in ``spec_violations`` and answered 400). It keeps conversations and their
  activities, so creating a 1:1 chat twice gives the same conversation, a PUT replaces an
  activity and a DELETE removes it.
* **Cards.** Every Adaptive Card attachment is validated against the Adaptive Card 1.5
  schema (``card_violations``); an activity over :data:`MAX_ACTIVITY_BYTES` gets 413
  ``MessageSizeTooBig`` as Teams answers it.
* **Rate limits.** Per bot and conversation (7 in 1 s, 8 in 2 s, 60 in 30 s, 1,800 an hour)
  and per tenant (:attr:`tenant_per_second`); a call over a limit gets 429 with
  ``Retry-After`` and is counted in ``limit_hits``.
* **Faults.** :meth:`fail_next` answers the next matching calls with 429 (Retry-After),
  412, 502, 504, 413 or anything else; users in :attr:`without_app` get 403 when a 1:1
  chat is created with them (the app is not installed for them).

Nothing here reads ``/work/shared`` or the network.
"""

from __future__ import annotations

import json
import re
import socket
import threading
import time
import uuid
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import parse_qs, urlsplit

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from jsonschema import Draft4Validator, Draft6Validator

SPECS = Path(__file__).resolve().parent.parent / "specs" / "teams"
ISSUER = "https://api.botframework.com"
DEFAULT_APP_ID = "11111111-2222-3333-4444-555555555555"
DEFAULT_TENANT = "72f988bf-0000-4000-8000-000000000001"
#: Teams refuses activities over about 100 KB (413 MessageSizeTooBig).
MAX_ACTIVITY_BYTES = 100_000
#: Per bot per conversation: (window seconds, messages allowed).
CONVERSATION_LIMITS = ((1.0, 7), (2.0, 8), (30.0, 60), (3600.0, 1800))
ADAPTIVE = "application/vnd.microsoft.card.adaptive"

_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
_OTHER_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _jwk(key: rsa.RSAPrivateKey, kid: str) -> dict[str, Any]:
    out: dict[str, Any] = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key()))
    out.update(kid=kid, use="sig", alg="RS256", endorsements=["msteams"])
    return out


@dataclass
class Call:
    """One request the fake received (after auth)."""

    method: str
    path: str
    body: Any
    status: int
    at: float
    conversation: str | None = None
    tenant: str | None = None


@dataclass
class Fault:
    """An injected answer for the next ``times`` matching calls."""

    status: int
    times: int
    retry_after: float | None = None
    method: str | None = None
    path_contains: str | None = None


@dataclass
class Conversation:
    """A conversation the fake keeps: its members and activities in order."""

    id: str
    tenant: str
    is_group: bool
    members: list[str]
    activities: dict[str, dict[str, Any]] = field(default_factory=dict)
    deleted: set[str] = field(default_factory=set)


class _Spec:
    """The Connector operations of the Swagger document: path regexes and body schemas."""

    def __init__(self, path: Path) -> None:
        doc = json.loads(path.read_text(encoding="utf-8"))
        self.ops: list[tuple[str, re.Pattern[str], str | None]] = []
        for template, methods in doc["paths"].items():
            # Paths match without regard to case, as the service does (the SDK asks for
            # ``pagedMembers``, the spec says ``pagedmembers``).
            pattern = re.compile(
                "^" + re.sub(r"\\\{[^}]+\\\}", r"[^/]+", re.escape(template)) + "$",
                re.IGNORECASE,
            )
            for method, op in methods.items():
                ref = next(
                    (
                        p["schema"]["$ref"]
                        for p in op.get("parameters", [])
                        if p.get("in") == "body" and "schema" in p
                    ),
                    None,
                )
                self.ops.append((method.upper(), pattern, ref))
        self.definitions = doc["definitions"]
        self._validators: dict[str, Draft4Validator] = {}

    def check(self, method: str, path: str, body: Any) -> str | None:
        """None when the call is declared and its body valid, else what is wrong."""
        for op_method, pattern, ref in self.ops:
            if op_method == method and pattern.match(path):
                if ref is None:
                    return None
                validator = self._validators.get(ref)
                if validator is None:
                    validator = Draft4Validator({"$ref": ref, "definitions": self.definitions})
                    self._validators[ref] = validator
                errors = sorted(validator.iter_errors(body), key=str)
                return None if not errors else f"{method} {path}: {errors[0].message}"
        return f"{method} {path}: not in the Connector spec"


_spec_cache: dict[str, _Spec] = {}
_card_validator: list[Draft6Validator] = []


def _spec() -> _Spec:
    if "spec" not in _spec_cache:
        _spec_cache["spec"] = _Spec(SPECS / "botframework-channel.json")
    return _spec_cache["spec"]


_card_results: dict[str, list[str]] = {}


def _shape(value: Any) -> Any:
    """``value`` with its texts blanked and submit data dropped: cards of one shape are
    valid or not together (the schema constrains strings by type and enum only where
    the blanked keys do not occur), so each shape is validated once."""
    if isinstance(value, dict):
        return {
            k: ("" if k in _FREE_TEXT and isinstance(v, str) else _shape(v))
            for k, v in value.items()
            if k != "data"
        }
    if isinstance(value, list):
        return [_shape(v) for v in value]
    return value


_FREE_TEXT = frozenset({"text", "title", "value", "id"})


def card_errors(card: Any) -> list[str]:
    """What makes ``card`` invalid under the Adaptive Card 1.5 schema (empty when valid)."""
    if not _card_validator:
        schema = json.loads((SPECS / "adaptive-card.1.5.0.json").read_text(encoding="utf-8"))
        _card_validator.append(Draft6Validator(schema))
    key = json.dumps(_shape(card), sort_keys=True)
    cached = _card_results.get(key)
    if cached is None:
        cached = [e.message for e in _card_validator[0].iter_errors(card)]
        _card_results[key] = cached
    problems = list(cached)
    if isinstance(card, dict) and card.get("version") != "1.5":
        problems.append(f"version {card.get('version')!r} is not 1.5")
    return problems


class FakeConnector:
    """The fake Bot Connector (see the module docstring).

    Args:
        app_id: the bot's app (client) id: the audience of inbound tokens.
        tenant: the tenant of conversations created without one.
        clock: seconds (monotonic) for the rate limits; tests may pass a virtual clock.
        tenant_per_second: calls allowed per tenant and second (Teams: about 30).
    """

    def __init__(
        self,
        app_id: str = DEFAULT_APP_ID,
        tenant: str = DEFAULT_TENANT,
        clock: Callable[[], float] = time.monotonic,
        tenant_per_second: int = 30,
    ) -> None:
        self.app_id = app_id
        self.tenant = tenant
        self.clock = clock
        self.tenant_per_second = tenant_per_second
        self.calls: list[Call] = []
        self.spec_violations: list[str] = []
        self.card_violations: list[str] = []
        self.limit_hits: list[str] = []
        self.auth_failures = 0
        self.conversations: dict[str, Conversation] = {}
        self.without_app: set[str] = set()
        #: Team (or group chat) id → its members as ``pagedmembers`` returns them.
        self.rosters: dict[str, list[dict[str, Any]]] = {}
        self._faults: list[Fault] = []
        self._sent: dict[str, deque[float]] = defaultdict(deque)
        self._tenant_calls: dict[str, deque[float]] = defaultdict(deque)
        self._next_id = 1_700_000_000_000
        self._bot_token: str | None = None
        self._valid_tokens: set[str] = set()
        self._lock = threading.RLock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                return

            def setup(self) -> None:
                super().setup()
                # Headers and body are separate writes: without this, Nagle's algorithm
                # and delayed ACKs add 40 ms to every call.
                self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

            def _send(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
                data = b"" if body is None else json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(data)

            def _handle(self, method: str) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                status, body, headers = fake._dispatch(
                    method, self.path, raw, self.headers.get("Authorization") or ""
                )
                self._send(status, body, headers)

            def do_GET(self) -> None:
                self._handle("GET")

            def do_POST(self) -> None:
                self._handle("POST")

            def do_PUT(self) -> None:
                self._handle("PUT")

            def do_DELETE(self) -> None:
                self._handle("DELETE")

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        self.openid_url = f"{self.url}/v1/.well-known/openidconfiguration"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    # Lifecycle -----------------------------------------------------------------------

    def start(self) -> FakeConnector:
        """Start serving; returns self."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving."""
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> FakeConnector:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # Tokens --------------------------------------------------------------------------

    def inbound_token(self, *, unknown_key: bool = False, **claims: Any) -> str:
        """A token as the Bot Connector signs activities it posts to the bot; ``claims``
        override (``aud=``, ``iss=``, ``exp=``, ``serviceurl=``)."""
        now = int(time.time())
        body: dict[str, Any] = {
            "iss": ISSUER,
            "aud": self.app_id,
            "iat": now - 5,
            "nbf": now - 5,
            "exp": now + 600,
            "serviceurl": self.url,
        }
        body.update(claims)
        key, kid = (_OTHER_KEY, "k-unknown") if unknown_key else (_KEY, "k1")
        return jwt.encode(body, key, algorithm="RS256", headers={"kid": kid})

    def bot_token(self, *_: Any, **__: Any) -> str:
        """The token the bot sends to the Connector (a JWT, as the SDK expects; made once
        per fake, as Entra's tokens last an hour)."""
        if self._bot_token is None:
            now = int(time.time())
            self._bot_token = jwt.encode(
                {"aud": ISSUER, "appid": self.app_id, "iat": now, "exp": now + 3600},
                _KEY,
                algorithm="RS256",
                headers={"kid": "k1"},
            )
        return self._bot_token

    # Faults and inspection ------------------------------------------------------------

    def fail_next(
        self,
        status: int,
        times: int = 1,
        *,
        retry_after: float | None = None,
        method: str | None = None,
        path_contains: str | None = None,
    ) -> None:
        """Answer the next ``times`` matching Connector calls with ``status``."""
        with self._lock:
            self._faults.append(Fault(status, times, retry_after, method, path_contains))

    def messages(self, conversation: str) -> list[dict[str, Any]]:
        """The activities in a conversation, in the order they were first posted."""
        with self._lock:
            conv = self.conversations.get(conversation)
            return [] if conv is None else list(conv.activities.values())

    def personal_chat_of(self, user_id: str) -> str | None:
        """The 1:1 conversation id the bot has with ``user_id`` (``29:…``, ``8:orgid:…``
        or the bare Entra object id: Teams knows one person by each), if any."""
        with self._lock:
            for conv in self.conversations.values():
                if not conv.is_group and [_person(m) for m in conv.members] == [_person(user_id)]:
                    return conv.id
        return None

    def add_personal_chat(self, user_id: str, tenant: str | None = None) -> str:
        """A 1:1 chat as Teams creates it when a person installs the app."""
        with self._lock:
            existing = self.personal_chat_of(user_id)
            if existing:
                return existing
            conv_id = f"a:{uuid.uuid4().hex}"
            self.conversations[conv_id] = Conversation(
                conv_id, tenant or self.tenant, False, [user_id]
            )
            return conv_id

    def add_channel(self, channel_id: str, tenant: str | None = None) -> None:
        """A team channel the bot is in."""
        with self._lock:
            self.conversations.setdefault(
                channel_id, Conversation(channel_id, tenant or self.tenant, True, [])
            )

    # Dispatch ------------------------------------------------------------------------

    def _dispatch(
        self, method: str, raw_path: str, raw: bytes, auth: str
    ) -> tuple[int, Any, dict[str, str]]:
        parts = urlsplit(raw_path)
        path = parts.path
        if method == "GET" and path == "/v1/.well-known/openidconfiguration":
            return (
                200,
                {
                    "issuer": ISSUER,
                    "jwks_uri": f"{self.url}/v1/.well-known/keys",
                    "id_token_signing_alg_values_supported": ["RS256"],
                    "token_endpoint_auth_methods_supported": ["private_key_jwt"],
                },
                {},
            )
        if method == "GET" and path in ("/keys", "/v1/.well-known/keys"):
            return 200, {"keys": [_jwk(_KEY, "k1")]}, {}
        if not self._authorised(auth):
            with self._lock:
                self.auth_failures += 1
            return 401, _error("Unauthorized", "bad token"), {}
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            return 400, _error("BadSyntax", "not JSON"), {}
        with self._lock:
            problem = _spec().check(method, path, body)
            if problem is not None:
                self.spec_violations.append(problem)
                return 400, _error("BadArgument", problem), {}
            conversation, tenant = self._where(path, body)
            fault = self._fault(method, path)
            if fault is not None:
                self._record(method, path, body, fault.status, conversation, tenant)
                headers = {}
                if fault.retry_after is not None:
                    headers["Retry-After"] = str(fault.retry_after)
                return fault.status, _error(_CODES.get(fault.status, "Error"), "injected"), headers
            limited = self._limited(method, path, conversation, tenant)
            if limited is not None:
                self.limit_hits.append(limited)
                self._record(method, path, body, 429, conversation, tenant)
                return 429, _error("Throttled", limited), {"Retry-After": "1"}
            status, answer = self._serve(method, path, body, parse_qs(parts.query))
            self._record(method, path, body, status, conversation, tenant)
            return status, answer, {}

    def _authorised(self, auth: str) -> bool:
        if not auth.startswith("Bearer "):
            return False
        if auth in self._valid_tokens:
            return True
        try:
            claims = jwt.decode(
                auth.removeprefix("Bearer "),
                _KEY.public_key(),
                algorithms=["RS256"],
                audience=ISSUER,
            )
        except jwt.PyJWTError:
            return False
        valid = bool(claims.get("appid") == self.app_id)
        if valid:
            self._valid_tokens.add(auth)
        return valid

    def _record(
        self,
        method: str,
        path: str,
        body: Any,
        status: int,
        conversation: str | None,
        tenant: str | None,
    ) -> None:
        self.calls.append(Call(method, path, body, status, self.clock(), conversation, tenant))

    def _where(self, path: str, body: Any) -> tuple[str | None, str | None]:
        match = re.match(r"^/v3/conversations/([^/]+)", path)
        if match:
            conv = self.conversations.get(match[1])
            return match[1], conv.tenant if conv else self.tenant
        if isinstance(body, dict):
            return None, str(body.get("tenantId") or self.tenant)
        return None, self.tenant

    def _fault(self, method: str, path: str) -> Fault | None:
        for fault in self._faults:
            if fault.method not in (None, method):
                continue
            if fault.path_contains is not None and fault.path_contains not in path:
                continue
            fault.times -= 1
            if fault.times <= 0:
                self._faults.remove(fault)
            return fault
        return None

    def _limited(
        self, method: str, path: str, conversation: str | None, tenant: str | None
    ) -> str | None:
        now = self.clock()
        calls = self._tenant_calls[tenant or ""]
        while calls and calls[0] <= now - 1.0:
            calls.popleft()
        if len(calls) >= self.tenant_per_second:
            return f"tenant {tenant}: over {self.tenant_per_second}/s"
        sending = conversation is not None and method in ("POST", "PUT") and "/activities" in path
        if sending:
            assert conversation is not None
            sent = self._sent[conversation]
            while sent and sent[0] <= now - 3600.0:
                sent.popleft()
            for window, allowed in CONVERSATION_LIMITS:
                if sum(1 for t in sent if t > now - window) >= allowed:
                    return f"conversation {conversation}: over {allowed}/{window:g}s"
            sent.append(now)
        calls.append(now)
        return None

    def _serve(
        self, method: str, path: str, body: Any, query: dict[str, list[str]]
    ) -> tuple[int, Any]:
        if method == "POST" and path == "/v3/conversations":
            return self._create_conversation(body)
        match = re.match(r"^/v3/conversations/([^/]+)/pagedmembers$", path, re.IGNORECASE)
        if match and method == "GET":
            return self._paged_members(match[1], query)
        match = re.match(r"^/v3/conversations/([^/]+)/activities(?:/([^/]+))?$", path)
        if match:
            conv = self.conversations.get(match[1])
            base = match[1].split(";", 1)[0]
            if conv is None and base != match[1] and base in self.conversations:
                # A reply in a channel thread the fake has not seen start (a command).
                conv = Conversation(match[1], self.conversations[base].tenant, True, [])
                self.conversations[match[1]] = conv
            if conv is None:
                return 404, _error("ConversationNotFound", match[1])
            return self._activity(conv, method, match[2], body)
        return 501, _error("NotImplemented", f"{method} {path}")

    def _create_conversation(self, body: dict[str, Any]) -> tuple[int, Any]:
        tenant = str(body.get("tenantId") or self.tenant)
        if body.get("isGroup"):
            channel = ((body.get("channelData") or {}).get("channel") or {}).get("id")
            if not channel:
                return 400, _error("BadArgument", "channelData.channel.id")
            activity = body.get("activity")
            if not isinstance(activity, dict):
                return 400, _error("BadArgument", "activity")
            refused = self._card_problem(activity)
            if refused is not None:
                return refused
            root = self._new_id()
            thread = f"{channel};messageid={root}"
            conv = Conversation(thread, tenant, True, [])
            conv.activities[root] = {**activity, "id": root}
            self.conversations[thread] = conv
            channel_conv = self.conversations.setdefault(
                channel, Conversation(channel, tenant, True, [])
            )
            channel_conv.activities[root] = {**activity, "id": root}
            return 201, {"id": thread, "activityId": root}
        members = [str(m.get("id")) for m in body.get("members") or []]
        if len(members) != 1:
            return 400, _error("BadArgument", "one member for a 1:1 chat")
        if _person(members[0]) in {_person(u) for u in self.without_app}:
            return 403, _error("Forbidden", "the bot is not installed for this user")
        conv_id = self.add_personal_chat(members[0], tenant)
        return 201, {"id": conv_id}

    def _activity(
        self, conv: Conversation, method: str, activity_id: str | None, body: Any
    ) -> tuple[int, Any]:
        if method == "DELETE":
            if activity_id not in conv.activities:
                return 404, _error("ActivityNotFound", str(activity_id))
            conv.activities.pop(activity_id)
            conv.deleted.add(activity_id)
            return 200, None
        refused = self._card_problem(body)
        if refused is not None:
            return refused
        if method == "PUT":
            if activity_id not in conv.activities:
                return 404, _error("ActivityNotFound", str(activity_id))
            conv.activities[activity_id] = {**body, "id": activity_id, "updated": True}
            return 200, {"id": activity_id}
        new_id = self._new_id()
        conv.activities[new_id] = {**body, "id": new_id, "replyToId": activity_id}
        return 201, {"id": new_id}

    def _card_problem(self, activity: dict[str, Any]) -> tuple[int, Any] | None:
        size = len(json.dumps(activity).encode())
        if size > MAX_ACTIVITY_BYTES:
            return 413, _error("MessageSizeTooBig", f"{size} bytes")
        for attachment in activity.get("attachments") or []:
            if attachment.get("contentType") == ADAPTIVE:
                errors = card_errors(attachment.get("content"))
                if errors:
                    self.card_violations.append(errors[0])
                    return 400, _error("BadArgument", f"invalid card: {errors[0]}")
        return None

    def _paged_members(self, team: str, query: dict[str, list[str]]) -> tuple[int, Any]:
        members = self.rosters.get(team)
        if members is None:
            return 404, _error("ConversationNotFound", team)
        size = int((query.get("pageSize") or ["50"])[0])
        start = int((query.get("continuationToken") or ["0"])[0])
        page = members[start : start + size]
        more = start + size < len(members)
        answer: dict[str, Any] = {"members": page}
        if more:
            answer["continuationToken"] = str(start + size)
        return 200, answer

    def _new_id(self) -> str:
        self._next_id += 1
        return str(self._next_id)


_CODES = {
    429: "Throttled",
    412: "PreconditionFailed",
    502: "BadGateway",
    504: "GatewayTimeout",
    403: "Forbidden",
    413: "MessageSizeTooBig",
}


def _person(member_id: str) -> str:
    """One person's key whichever id names them (``29:x``, ``8:orgid:x``, ``x``)."""
    return member_id.removeprefix("8:orgid:").removeprefix("29:")


def _error(code: str, message: str) -> dict[str, Any]:
    return {"error": {"code": code, "message": message}}
