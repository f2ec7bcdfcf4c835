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

Used for clients with a token and no proxy (otherwise slack_sdk's own path is taken).
"""

from __future__ import annotations

import functools
import http.client
import json
import ssl
import threading
from typing import Any
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
