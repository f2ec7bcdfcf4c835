"""A lean ``chat.postMessage``: the poster's hot path in a fan-out (issue 13, target 5).

slack_sdk's ``WebClient.chat_postMessage`` costs about 1 ms of CPU per call even on a
keep-alive connection: argument and header dictionaries rebuilt per call, a urllib
``Request``, the response parsed twice (once for the retry handlers, once for the
``SlackResponse``), the retry handlers asked after every success, and ``http.client``'s
header parsing through the ``email`` package. A round start makes two posts per manager.

:func:`post_message` makes the same call (same URL, JSON body, ``Authorization`` bearer
token, user agent and the client's extra headers and default parameters) with one JSON
encode, one parse, and a small HTTP/1.1 exchange on a keep-alive connection per thread and
host. Only the happy path is different: when the exchange fails (a connection error) or
Slack answers anything but HTTP 200, the *client's own* slack_sdk retry handlers decide,
exactly as slack_sdk asks them (so the lease-aware handlers of :mod:`bot.slack.poster`, the
retry counters of :mod:`bot.slack.observe`, and a paced post's 429, which the poster's pacer
handles, behave as before). What surfaces is what slack_sdk raises: :class:`SlackApiError`
with the response (status, headers, parsed body) for an error answer, the connection error
as :class:`~urllib.error.URLError` when the handlers give up.

Used for clients with a token and no proxy (otherwise slack_sdk's own path is taken).
"""

from __future__ import annotations

import json
import socket
import ssl
import threading
from typing import Any
from urllib.error import URLError
from urllib.parse import urlsplit

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState
from slack_sdk.web.internal_utils import _get_url, get_user_agent
from slack_sdk.web.slack_response import SlackResponse

#: The longest status line or header line read from Slack.
_MAX_LINE = 65536
#: The largest response body read (Slack's answers to a post are a few kB).
_MAX_BODY = 16 * 1024 * 1024

_local = threading.local()
_user_agent = get_user_agent()


class BadResponse(OSError):
    """Slack's answer could not be read as HTTP/1.1 (treated as a connection error)."""


def usable(client: WebClient) -> bool:
    """True when :func:`post_message` can make ``client``'s call (a token, no proxy,
    an http(s) URL)."""
    return (
        bool(client.token)
        and client.proxy is None
        and client.base_url.startswith(("https://", "http://"))
    )


def post_message(client: WebClient, args: dict[str, Any]) -> SlackResponse:
    """``chat.postMessage`` with ``args`` (already without None values) as ``client``
    would make it; the validated response. Raises :class:`SlackApiError` and, for a
    connection that failed beyond the retry handlers' patience, :class:`URLError`."""
    url = _get_url(client.base_url, "chat.postMessage")
    body = dict(args)
    for name, value in client.default_params.items():
        body.setdefault(name, value)
    data = json.dumps(body).encode("utf-8")
    headers = {
        "User-Agent": _user_agent,
        **client.headers,
        "Authorization": f"Bearer {client.token}",
        "Content-Type": "application/json;charset=utf-8",
    }
    parts = urlsplit(url)
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    host = parts.hostname or ""
    head = f"POST {target} HTTP/1.1\r\nHost: {parts.netloc}\r\n" + "".join(
        f"{name}: {value}\r\n" for name, value in headers.items()
    )
    request = (head + f"Content-Length: {len(data)}\r\n\r\n").encode("latin-1") + data
    where = (parts.scheme, host, parts.port or (443 if parts.scheme == "https" else 80))
    state = RetryState()
    retry_request: HttpRequest | None = None
    while True:
        state.next_attempt_requested = False
        try:
            status, response_headers, raw = _exchange(client, where, request)
        except OSError as err:
            error = URLError(err)
            retry_request = retry_request or HttpRequest(
                method="POST", url=url, headers=dict(headers), data=data
            )
            if _retry(client, state, retry_request, None, error):
                continue
            raise error from err
        parsed = _parse(raw)
        if status == 200 and parsed.get("ok", False):
            return SlackResponse(
                client=client,
                http_verb="POST",
                api_url=url,
                req_args={},
                data=parsed,
                headers=response_headers,
                status_code=status,
            )
        if status != 200:
            retry_request = retry_request or HttpRequest(
                method="POST", url=url, headers=dict(headers), data=data
            )
            seen = HttpResponse(
                status_code=status,
                headers={k: [v] for k, v in response_headers.items()},
                body=parsed,
                data=raw,
            )
            if _retry(client, state, retry_request, seen, None):
                continue
        response = SlackResponse(
            client=client,
            http_verb="POST",
            api_url=url,
            req_args={},
            data=parsed,
            headers=response_headers,
            status_code=status,
        )
        raise SlackApiError(  # type: ignore[no-untyped-call]
            f"The request to the Slack API failed. (url: {url})", response
        )


def _retry(
    client: WebClient,
    state: RetryState,
    request: HttpRequest,
    response: HttpResponse | None,
    error: Exception | None,
) -> bool:
    """Ask the client's retry handlers as slack_sdk does; True when one of them waited
    and asks for another attempt."""
    for handler in client.retry_handlers:
        if handler.can_retry(state=state, request=request, response=response, error=error):
            handler.prepare_for_next_attempt(
                state=state, request=request, response=response, error=error
            )
            break
    return bool(state.next_attempt_requested)


def _parse(raw: bytes) -> dict[str, Any]:
    """The JSON object of a response body; slack_sdk's error object when it is none."""
    try:
        parsed = json.loads(raw)
    except ValueError:
        text = "".join(line.strip() for line in raw.decode("utf-8", "replace").splitlines())
        if len(text) > 100:
            text = text[:100] + "..."
        return {"ok": False, "error": f"Received a response in a non-JSON format: {text}"}
    return parsed if isinstance(parsed, dict) else {"ok": False, "error": "unexpected_response"}


class _Connection:
    """One HTTP/1.1 connection kept open between requests."""

    def __init__(self, scheme: str, host: str, port: int, timeout: float, context: Any) -> None:
        sock = socket.create_connection((host, port), timeout)
        try:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            if scheme == "https":
                tls = context if isinstance(context, ssl.SSLContext) else None
                sock = (tls or ssl.create_default_context()).wrap_socket(sock, server_hostname=host)
        except BaseException:
            sock.close()
            raise
        self.sock = sock
        self.reader = sock.makefile("rb")

    def close(self) -> None:
        self.reader.close()
        self.sock.close()

    def exchange(self, request: bytes) -> tuple[int, dict[str, str], bytes, bool]:
        """Send ``request``; status, headers (names in lower case), body, and whether the
        server closes the connection after it."""
        self.sock.sendall(request)
        line = self.reader.readline(_MAX_LINE + 1)
        while True:
            parts = line.split(None, 2)
            if len(parts) < 2 or not parts[0].startswith(b"HTTP/"):
                raise BadResponse(f"bad status line {line[:80]!r}")
            status = int(parts[1])
            headers = self._headers()
            if status >= 200:
                break
            line = self.reader.readline(_MAX_LINE + 1)  # 1xx: another status line follows
        close = (
            headers.get("connection", "").lower() == "close" or parts[0] == b"HTTP/1.0"
        ) and headers.get("connection", "").lower() != "keep-alive"
        if "chunked" in headers.get("transfer-encoding", "").lower():
            body = self._chunked()
        elif "content-length" in headers:
            length = int(headers["content-length"])
            if length < 0 or length > _MAX_BODY:
                raise BadResponse(f"bad content-length {length}")
            body = self.reader.read(length)
            if len(body) < length:
                raise BadResponse("response body cut short")
        else:
            body = self.reader.read(_MAX_BODY)
            close = True
        return status, headers, body, close

    def _headers(self) -> dict[str, str]:
        headers: dict[str, str] = {}
        while True:
            line = self.reader.readline(_MAX_LINE + 1)
            if not line:
                raise BadResponse("connection closed in the headers")
            if line in (b"\r\n", b"\n"):
                return headers
            if len(line) > _MAX_LINE or len(headers) > 200:
                raise BadResponse("header too long")
            name, sep, value = line.decode("latin-1").partition(":")
            if sep:
                headers[name.strip().lower()] = value.strip()

    def _chunked(self) -> bytes:
        chunks: list[bytes] = []
        total = 0
        while True:
            size_line = self.reader.readline(_MAX_LINE + 1)
            try:
                size = int(size_line.split(b";", 1)[0].strip(), 16)
            except ValueError as err:
                raise BadResponse(f"bad chunk size {size_line[:40]!r}") from err
            if size == 0:
                while self.reader.readline(_MAX_LINE + 1) not in (b"\r\n", b"\n", b""):
                    pass  # trailers
                return b"".join(chunks)
            total += size
            if total > _MAX_BODY:
                raise BadResponse("response body too large")
            chunk = self.reader.read(size)
            if len(chunk) < size:
                raise BadResponse("chunk cut short")
            chunks.append(chunk)
            self.reader.readline(_MAX_LINE + 1)


def _exchange(
    client: WebClient, where: tuple[str, str, int], request: bytes
) -> tuple[int, dict[str, str], bytes]:
    """One request on this thread's connection to ``where`` (opened when there is none);
    the connection is dropped after an error or when the server closes it."""
    connections: dict[tuple[str, str, int], _Connection] | None = getattr(
        _local, "connections", None
    )
    if connections is None:
        connections = _local.connections = {}
    conn = connections.get(where)
    if conn is None:
        conn = connections[where] = _Connection(*where, float(client.timeout), client.ssl)
    try:
        status, headers, body, close = conn.exchange(request)
    except (OSError, ValueError) as err:
        connections.pop(where, None)
        conn.close()
        raise err if isinstance(err, OSError) else BadResponse(str(err)) from err
    if close:
        connections.pop(where, None)
        conn.close()
    return status, headers, body
