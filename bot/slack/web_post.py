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
connection is opened by :mod:`http.client` (TCP, TLS, timeout), the request has the same
headers in the same order, and the answer is framed by the same rules (status line, ``100
Continue`` skipped, ``Transfer-Encoding: chunked``, ``Content-Length``, read to the end when
there is neither, ``Connection: close`` and HTTP/1.0 closing the connection) with the same
limits and exceptions. What it leaves out is CPU: the request goes in one send (http.client
sends the headers and the body apart), and the answer's header lines are split here, not
parsed as an e-mail message through :mod:`email` (which took about half the CPU of a call).

Used for clients with a token and no proxy (otherwise slack_sdk's own path is taken).
"""

from __future__ import annotations

import functools
import http.client
import json
import re
import ssl
import threading
from typing import IO, Any
from urllib.error import URLError
from urllib.parse import urlencode, urlsplit

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState
from slack_sdk.web.internal_utils import _get_url, get_user_agent
from slack_sdk.web.slack_response import SlackResponse

_local = threading.local()
_user_agent = get_user_agent()


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


#: As :mod:`http.client`: the longest status, header or chunk-size line, and the most
#: header lines in an answer.
_MAX_LINE = 65536
_MAX_HEADERS = 100
#: As :mod:`http.client` checks a request's target, header names and header values.
_BAD_TARGET = re.compile("[\x00-\x20\x7f]").search
_HEADER_NAME = re.compile(r"[^:\s][^:\r\n]*").fullmatch
_BAD_HEADER_VALUE = re.compile(r"\n(?![ \t])|\r(?![ \t\n])").search
_END_OF_HEADERS = (b"\r\n", b"\n", b"")


class _Connection:
    """A keep-alive connection of this thread: opened by :mod:`http.client` (TCP, TLS,
    timeout), read through one buffered reader for all its answers."""

    def __init__(self, conn: http.client.HTTPConnection) -> None:
        conn.connect()
        assert conn.sock is not None
        self.http = conn
        self.sock = conn.sock
        self.reader: IO[bytes] = conn.sock.makefile("rb")
        self.host = _host(conn)

    def close(self) -> None:
        self.reader.close()
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
        status, answer_headers, body, will_close = _read_answer(conn.reader)
    except TimeoutError:
        _drop(connections, where, conn)
        raise
    except (OSError, http.client.HTTPException) as err:
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


def _read_answer(reader: IO[bytes]) -> tuple[int, dict[str, str], bytes, bool]:
    """Status, headers (lower-case names), body, and whether the connection closes after
    it, of the answer to a POST, read as :class:`http.client.HTTPResponse` reads it."""
    while True:
        version, status = _read_status(reader)
        if status != http.client.CONTINUE:
            break
        while _line(reader, "header line") not in _END_OF_HEADERS:
            pass
    if version in ("HTTP/1.0", "HTTP/0.9"):
        http11 = False
    elif version.startswith("HTTP/1."):
        http11 = True
    else:
        raise http.client.UnknownProtocol(version)
    headers = _read_headers(reader)
    connection = headers.get("connection", "").lower()
    if http11:
        will_close = "close" in connection
    else:
        will_close = not (
            headers.get("keep-alive")
            or "keep-alive" in connection
            or "keep-alive" in headers.get("proxy-connection", "").lower()
        )
    chunked = headers.get("transfer-encoding", "").lower() == "chunked"
    length = None
    if not chunked and headers.get("content-length"):
        try:
            length = int(headers["content-length"])
        except ValueError:
            length = None
        if length is not None and length < 0:
            length = None
    if status in (http.client.NO_CONTENT, http.client.NOT_MODIFIED) or 100 <= status < 200:
        length = 0
    if chunked:
        body = _read_chunked(reader)
    elif length is not None:
        body = _read_exactly(reader, length)
    else:
        body, will_close = reader.read(), True
    return status, headers, body, will_close


def _line(reader: IO[bytes], what: str) -> bytes:
    line = reader.readline(_MAX_LINE + 1)
    if len(line) > _MAX_LINE:
        raise http.client.LineTooLong(what)
    return line


def _read_status(reader: IO[bytes]) -> tuple[str, int]:
    line = str(_line(reader, "status line"), "iso-8859-1")
    if not line:
        raise http.client.RemoteDisconnected("Remote end closed connection without response")
    parts = line.split(None, 2)
    if len(parts) < 2 or not parts[0].startswith("HTTP/"):
        raise http.client.BadStatusLine(line)
    try:
        status = int(parts[1])
    except ValueError:
        raise http.client.BadStatusLine(line) from None
    if not 100 <= status <= 999:
        raise http.client.BadStatusLine(line)
    return parts[0], status


def _read_headers(reader: IO[bytes]) -> dict[str, str]:
    """The header lines up to the empty line, as :mod:`email`'s compat32 policy reads
    them for http.client: ``name: value``, the value without leading blanks, folded lines
    appended with their line ends; a line that is none ends them (the rest is read
    past)."""
    headers: dict[str, str] = {}
    name = None
    ended = False
    count = 0
    while (raw := _line(reader, "header line")) not in _END_OF_HEADERS:
        count += 1
        if count > _MAX_HEADERS:
            raise http.client.HTTPException(f"got more than {_MAX_HEADERS} headers")
        if ended:
            continue
        line = raw.decode("iso-8859-1")
        if line[0] in " \t" and name is not None:
            headers[name] += line
            continue
        field, colon, value = line.partition(":")
        if not colon:
            ended = True
            continue
        name = field.lower()
        headers[name] = value.lstrip(" \t")
    return {name: value.rstrip("\r\n") for name, value in headers.items()}


def _read_exactly(reader: IO[bytes], size: int) -> bytes:
    data = reader.read(size)
    if len(data) < size:
        raise http.client.IncompleteRead(data, size - len(data))
    return data


def _read_chunked(reader: IO[bytes]) -> bytes:
    """A chunked body, its trailer read past."""
    parts = []
    while True:
        line = _line(reader, "chunk size")
        size = int(line.split(b";", 1)[0], 16)  # a ValueError, as http.client raises it
        if size == 0:
            break
        parts.append(_read_exactly(reader, size))
        _read_exactly(reader, 2)  # the CRLF after the chunk
    while _line(reader, "trailer line") not in _END_OF_HEADERS:
        pass
    return b"".join(parts)


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
