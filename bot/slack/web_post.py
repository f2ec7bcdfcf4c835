"""Lean Web API calls: the poster's hot path (``chat.postMessage`` in a fan-out, issue 13,
target 5; the ✅ reaction and the question message's ``chat.update`` after every answer,
target 1).

slack_sdk's ``WebClient`` costs about 1 ms of CPU per call even on a keep-alive
connection: argument and header dictionaries rebuilt per call, a urllib ``Request``, the
response parsed twice (once for the retry handlers, once for the ``SlackResponse``), the
retry handlers asked after every success, and ``http.client``'s header parsing through
the ``email`` package.

:func:`call` makes the same request slack_sdk makes (same URL, body encoding: JSON, or a
form for methods slack_sdk sends as ``params``, ``Authorization`` bearer token, user agent
and the client's extra headers and default parameters) with one encode, one parse, and
:mod:`http.client` on a keep-alive connection per thread and host. Only the happy path is
different: when the exchange fails (a connection error) or Slack answers anything but
HTTP 200, the *client's own* slack_sdk retry handlers decide, exactly as slack_sdk asks
them (so the lease-aware handlers of :mod:`bot.slack.poster`, the retry counters of
:mod:`bot.slack.observe`, and a paced post's 429, which the poster's pacer handles, behave
as before). What surfaces is what slack_sdk raises: :class:`SlackApiError` with the
response (status, headers, parsed body) for an error answer, the connection error as
:class:`~urllib.error.URLError` when the handlers give up; a timeout waiting for the
answer as it is (Slack may have made the call: never retried blind, as urllib does).

The exchange itself (:func:`_exchange`) is HTTP/1.1 as :mod:`http.client` speaks it: the
connection is opened by :mod:`http.client` (TCP, TLS, timeout) and the request has the same
headers in the same order, in one send (http.client sends the headers and the body apart).
The answer is read from the socket and framed by :mod:`httptools` (llhttp, the parser
uvicorn uses): ``1xx`` interim answers skipped, ``Transfer-Encoding: chunked``,
``Content-Length``, read to the close when there is neither, ``Connection: close`` and
HTTP/1.0 closing the connection. http.client parses the header lines as an e-mail message
through :mod:`email`, which took about half the CPU of a call. Where llhttp is stricter
than http.client (an obsolete folded header line, bare LF line ends, a ``101`` answer) the
answer is refused as http.client refuses one that is not HTTP: a :class:`URLError`.

Used for clients with a token and no proxy (otherwise slack_sdk's own path is taken).
"""

from __future__ import annotations

import functools
import http.client
import json
import re
import socket
import ssl
import threading
from typing import Any
from urllib.error import URLError
from urllib.parse import urlencode, urlsplit

import httptools
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState
from slack_sdk.web.internal_utils import _get_url, get_user_agent
from slack_sdk.web.slack_response import SlackResponse

_local = threading.local()
_user_agent = get_user_agent()
#: What httptools raises for an answer that is not HTTP as it reads it (as http.client's
#: ``BadStatusLine``: a :class:`URLError`). A ``101 Switching Protocols`` answer to a POST
#: is one.
_BAD_ANSWER = (httptools.HttpParserError, httptools.HttpParserUpgrade)


def usable(client: WebClient) -> bool:
    """True when :func:`call` can make ``client``'s call (a token, no proxy,
    an http(s) URL)."""
    return (
        bool(client.token)
        and client.proxy is None
        and client.base_url.startswith(("https://", "http://"))
    )


def call(
    client: WebClient, method: str, args: dict[str, Any], *, form: bool = False
) -> SlackResponse:
    """Web API ``method`` with ``args`` (already without None values) as ``client`` would
    make it: a JSON body, or with ``form`` a form-encoded one (as slack_sdk sends methods
    it passes ``params``, such as ``reactions.add``). The validated response. Raises
    :class:`SlackApiError` and, for a connection that failed beyond the retry handlers'
    patience, :class:`URLError`."""
    url, where, target = _endpoint(client.base_url, method)
    body = dict(args)
    for name, value in client.default_params.items():
        body.setdefault(name, value)
    if form:
        # As slack_sdk: True/False as "1"/"0" in a form.
        form_body = {k: (str(int(v)) if isinstance(v, bool) else v) for k, v in body.items()}
        data = urlencode(form_body).encode("utf-8")
        content_type = "application/x-www-form-urlencoded"
    else:
        data = json.dumps(body).encode("utf-8")
        content_type = "application/json;charset=utf-8"
    headers = {
        "User-Agent": _user_agent,
        **client.headers,
        "Authorization": f"Bearer {client.token}",
        "Content-Type": content_type,
    }
    state = RetryState()
    retry_request: HttpRequest | None = None
    while True:
        state.next_attempt_requested = False
        try:
            status, response_headers, raw = _exchange(client, where, target, headers, data)
        except URLError as error:
            retry_request = retry_request or HttpRequest(
                method="POST", url=url, headers=dict(headers), data=data
            )
            if _retry(client, state, retry_request, None, error):
                continue
            raise
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


@functools.lru_cache(maxsize=64)
def _endpoint(base_url: str, method: str) -> tuple[str, tuple[str, str], str]:
    """The URL of ``method``, its (scheme, host:port) and its request target."""
    url = _get_url(base_url, method)
    parts = urlsplit(url)
    return (
        url,
        (parts.scheme, parts.netloc),
        parts.path + (f"?{parts.query}" if parts.query else ""),
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


#: As :mod:`http.client`: the most header lines in an answer; and its bound on their
#: bytes (``_MAX_HEADERS`` lines of at most 64 KiB).
_MAX_HEADERS = 100
_MAX_HEAD = _MAX_HEADERS * 65536
#: The most bytes one read from the socket takes.
_RECEIVE = 65536
#: As :mod:`http.client` checks a request's target, header names and header values.
_BAD_TARGET = re.compile("[\x00-\x20\x7f]").search
_HEADER_NAME = re.compile(r"[^:\s][^:\r\n]*").fullmatch
_BAD_HEADER_VALUE = re.compile(r"\n(?![ \t])|\r(?![ \t\n])").search


class _Connection:
    """A keep-alive connection of this thread, opened by :mod:`http.client` (TCP, TLS,
    timeout); each answer is read from its socket."""

    def __init__(self, conn: http.client.HTTPConnection) -> None:
        conn.connect()
        assert conn.sock is not None
        self.http = conn
        self.sock: socket.socket = conn.sock
        self.host = _host(conn)

    def close(self) -> None:
        self.http.close()


def _exchange(
    client: WebClient,
    where: tuple[str, str],
    target: str,
    headers: dict[str, str],
    data: bytes,
) -> tuple[int, dict[str, str], bytes]:
    """One POST on this thread's keep-alive connection to ``where`` (scheme, host:port),
    opened when there is none: the status, the headers (names in lower case; the last of
    a repeated one) and the body. Errors as in :func:`exchange`: a connection error or an
    answer that is not HTTP as :class:`URLError`, a timeout waiting for the answer as it
    is (never retried blind); the connection is dropped after any error or when the
    server closes it."""
    connections: dict[tuple[str, str], _Connection] = getattr(_local, "connections", None) or {}
    _local.connections = connections
    conn = connections.get(where)
    try:
        if conn is None:
            conn = _Connection(_http_connection(client, where))
            connections[where] = conn
        conn.sock.sendall(_request(conn.host, target, headers, data))
    except (OSError, http.client.HTTPException) as err:
        _drop(connections, where, conn)
        raise URLError(err) from err
    except BaseException:
        _drop(connections, where, conn)
        raise
    try:
        status, answer_headers, body, will_close = _read_answer(conn.sock)
    except TimeoutError:
        _drop(connections, where, conn)
        raise
    except (OSError, http.client.HTTPException, *_BAD_ANSWER) as err:
        _drop(connections, where, conn)
        raise URLError(err) from err
    except BaseException:
        _drop(connections, where, conn)
        raise
    if will_close:
        _drop(connections, where, conn)
    return status, answer_headers, body


def _host(conn: http.client.HTTPConnection) -> str:
    """The ``Host`` header :mod:`http.client` writes for ``conn``."""
    try:
        host = conn.host.encode("ascii").decode("ascii")
    except UnicodeEncodeError:
        host = conn.host.encode("idna").decode("ascii")
    if ":" in host:
        host = f"[{host}]"
    return host if conn.port == conn.default_port else f"{host}:{conn.port}"


def _request(host: str, target: str, headers: dict[str, str], data: bytes) -> bytes:
    """The bytes of a POST as :class:`http.client.HTTPConnection` writes them: request
    line, ``Host``, ``Accept-Encoding: identity`` and ``Content-Length`` (unless
    ``headers`` have them), then ``headers`` in order, then the body."""
    if _BAD_TARGET(target):
        raise http.client.InvalidURL(f"URL can't contain control characters. {target!r}")
    given = {name.lower() for name in headers}
    lines = [f"POST {target} HTTP/1.1"]
    if "host" not in given:
        lines.append(f"Host: {host}")
    if "accept-encoding" not in given:
        lines.append("Accept-Encoding: identity")
    if "content-length" not in given:
        lines.append(f"Content-Length: {len(data)}")
    for name, value in headers.items():
        if not _HEADER_NAME(name):
            raise ValueError(f"Invalid header name {name!r}")
        if _BAD_HEADER_VALUE(value):
            raise ValueError(f"Invalid header value {value!r}")
        lines.append(f"{name}: {value}")
    lines += ("", "")
    return "\r\n".join(lines).encode("latin-1") + data


def _drop(
    connections: dict[tuple[str, str], _Connection],
    where: tuple[str, str],
    conn: _Connection | None,
) -> None:
    connections.pop(where, None)
    if conn is not None:
        conn.close()


class _Answer:
    """The :mod:`httptools` callbacks that collect one answer: its status, headers (names
    in lower case, latin-1 decoded; the last of a repeated one wins), body and whether the
    connection stays open. A ``1xx`` interim answer (``100 Continue``) is skipped: the
    parser goes on with the answer after it."""

    __slots__ = ("body", "complete", "head_done", "headers", "keep_alive", "parser", "status")

    def __init__(self) -> None:
        self.headers: dict[str, str] = {}
        self.body: list[bytes] = []
        self.status = 0
        self.head_done = False
        self.complete = False
        self.keep_alive = False
        self.parser = httptools.HttpResponseParser(self)

    def on_message_begin(self) -> None:
        if self.complete:  # bytes after the answer: they stop the parser here
            raise http.client.HTTPException("data after the answer")

    def on_header(self, name: bytes, value: bytes) -> None:
        if len(self.headers) >= _MAX_HEADERS:
            raise http.client.HTTPException(f"got more than {_MAX_HEADERS} headers")
        self.headers[name.decode("latin-1").lower()] = value.decode("latin-1")

    def on_headers_complete(self) -> None:
        self.head_done = True

    def on_body(self, body: bytes) -> None:
        self.body.append(body)

    def on_message_complete(self) -> None:
        status = self.parser.get_status_code()
        if status < 200:  # an interim answer: the answer follows it
            self.headers, self.body, self.head_done = {}, [], False
            return
        self.status = status
        self.keep_alive = self.parser.should_keep_alive()
        self.complete = True

    def ends_at_close(self) -> bool:
        """True when the answer's body has neither a length nor chunks, so it ends where
        the connection closes (llhttp waits for that end, which httptools cannot tell
        it)."""
        return (
            self.head_done
            and "content-length" not in self.headers
            and "chunked" not in self.headers.get("transfer-encoding", "").lower()
        )


def _read_answer(sock: socket.socket) -> tuple[int, dict[str, str], bytes, bool]:
    """Status, headers (lower-case names), body, and whether the connection closes after
    it, of the answer to a POST, read from ``sock`` and framed by :mod:`httptools`
    (llhttp): ``Content-Length``, chunks, or the connection's close. An answer llhttp
    refuses (not HTTP/1.x, obsolete folded header lines, bare LF line ends) raises
    :class:`httptools.HttpParserError`; a connection closed before the answer's end
    :class:`http.client.RemoteDisconnected` or :class:`http.client.IncompleteRead`."""
    answer = _Answer()
    feed = answer.parser.feed_data
    received = 0
    while not answer.complete:
        data = sock.recv(_RECEIVE)
        if not data:
            if answer.ends_at_close():
                return answer.parser.get_status_code(), answer.headers, b"".join(answer.body), True
            if not received:
                raise http.client.RemoteDisconnected(
                    "Remote end closed connection without response"
                )
            raise http.client.IncompleteRead(b"".join(answer.body))
        received += len(data)
        try:
            feed(data)
        except _BAD_ANSWER:
            if not answer.complete:
                raise
            answer.keep_alive = False  # more than the answer came: drop the connection
        if not answer.head_done and received > _MAX_HEAD:
            raise http.client.LineTooLong("header lines")
    return answer.status, answer.headers, b"".join(answer.body), not answer.keep_alive


def _http_connection(client: WebClient, where: tuple[str, str]) -> http.client.HTTPConnection:
    """An http.client connection (not yet open) to ``where`` with ``client``'s timeout
    and TLS context."""
    scheme, netloc = where
    host = urlsplit(f"{scheme}://{netloc}")
    if scheme == "https":
        return http.client.HTTPSConnection(
            host.hostname or "",
            host.port,
            timeout=client.timeout,
            context=client.ssl or ssl.create_default_context(),
        )
    return http.client.HTTPConnection(host.hostname or "", host.port, timeout=client.timeout)


def exchange(
    client: WebClient,
    where: tuple[str, str],
    target: str,
    headers: dict[str, str],
    data: bytes | None,
) -> tuple[http.client.HTTPResponse, bytes]:
    """One POST on this thread's keep-alive connection to ``where`` (scheme, host:port),
    opened when there is none; the connection is dropped after an error or when the server
    closes it. The response (read) and its body. A connection error is raised as
    :class:`URLError` (retried by the client's handlers), a timeout waiting for the answer
    as it is: Slack may have made the call, so it is never retried blind."""
    connections: dict[tuple[str, str], http.client.HTTPConnection] = (
        getattr(_local, "sdk_connections", None) or {}
    )
    _local.sdk_connections = connections
    conn = connections.get(where)
    if conn is None:
        conn = connections[where] = _http_connection(client, where)
    try:
        conn.request("POST", target, body=data, headers=headers)
    except (OSError, http.client.HTTPException) as err:
        connections.pop(where, None)
        conn.close()
        raise URLError(err) from err
    try:
        response = conn.getresponse()
        body = response.read()
    except TimeoutError:
        connections.pop(where, None)
        conn.close()
        raise
    except (OSError, http.client.HTTPException) as err:
        connections.pop(where, None)
        conn.close()
        raise URLError(err) from err
    if response.will_close:
        connections.pop(where, None)
        conn.close()
    return response, body
