"""A lean ``chat.postMessage``: the poster's hot path in a fan-out (issue 13, target 5).

slack_sdk's ``WebClient.chat_postMessage`` costs about 1 ms of CPU per call even on a
keep-alive connection: argument and header dictionaries rebuilt per call, a urllib
``Request``, the response parsed twice (once for the retry handlers, once for the
``SlackResponse``), the retry handlers asked after every success, and ``http.client``'s
header parsing through the ``email`` package. A round start makes two posts per manager.

:func:`post_message` makes the same call (same URL, JSON body, ``Authorization`` bearer
token, user agent and the client's extra headers and default parameters) with one JSON
encode, one parse, and :mod:`http.client` on a keep-alive connection per thread and host.
Only the happy path is different: when the exchange fails (a connection error) or
Slack answers anything but HTTP 200, the *client's own* slack_sdk retry handlers decide,
exactly as slack_sdk asks them (so the lease-aware handlers of :mod:`bot.slack.poster`, the
retry counters of :mod:`bot.slack.observe`, and a paced post's 429, which the poster's pacer
handles, behave as before). What surfaces is what slack_sdk raises: :class:`SlackApiError`
with the response (status, headers, parsed body) for an error answer, the connection error
as :class:`~urllib.error.URLError` when the handlers give up; a timeout waiting for the
answer as it is (Slack may have made the post: never retried blind, as urllib does).

Used for clients with a token and no proxy (otherwise slack_sdk's own path is taken).
"""

from __future__ import annotations

import http.client
import json
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

_local = threading.local()
_user_agent = get_user_agent()


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
    where = (parts.scheme, parts.netloc)
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


def _exchange(
    client: WebClient,
    where: tuple[str, str],
    target: str,
    headers: dict[str, str],
    data: bytes,
) -> tuple[int, dict[str, str], bytes]:
    """:func:`exchange`, the headers as a dict with names in lower case."""
    response, body = exchange(client, where, target, headers, data)
    return response.status, {k.lower(): v for k, v in response.getheaders()}, body


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
        getattr(_local, "connections", None) or {}
    )
    _local.connections = connections
    conn = connections.get(where)
    if conn is None:
        scheme, netloc = where
        host = urlsplit(f"{scheme}://{netloc}")
        if scheme == "https":
            conn = http.client.HTTPSConnection(
                host.hostname or "",
                host.port,
                timeout=client.timeout,
                context=client.ssl or ssl.create_default_context(),
            )
        else:
            conn = http.client.HTTPConnection(
                host.hostname or "", host.port, timeout=client.timeout
            )
        connections[where] = conn
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
