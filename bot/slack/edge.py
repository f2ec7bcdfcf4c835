"""The HTTP edge in front of Bolt: the request body is capped, and Slack's signature is
checked on the raw bytes before anything decodes or parses them.

Order for every request: the declared ``Content-Length`` (more than :data:`MAX_BODY_BYTES`:
413 without reading), the body (read to the limit at most), then for ``POST /slack/events``
the signature (missing, forged or older than five minutes: 401), and only then decoding and
parsing (a signed body that is not UTF-8 or not a Slack payload: 400). Refusals are logged
as one line without the body; nothing here logs a traceback.
"""

from __future__ import annotations

import io
import logging
import socket
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_bolt.adapter.wsgi.http_request import WsgiHttpRequest
from slack_bolt.adapter.wsgi.http_response import WsgiHttpResponse
from slack_bolt.request import BoltRequest
from slack_sdk.signature import SignatureVerifier

if TYPE_CHECKING:
    from wsgiref.types import StartResponse, WSGIApplication, WSGIEnvironment

    from waitress.server import BaseWSGIServer, MultiSocketServer

log = logging.getLogger("bot.slack.edge")

MAX_BODY_BYTES = 1024 * 1024
"""The largest request body accepted: 1 MiB. Slack's requests are a few kilobytes; a modal
submission with every input at Slack's 3000-character maximum stays far below it."""

EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"
_CHUNK = 64 * 1024


class _Refused(Exception):
    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


def _read_at_most(stream: Any, limit: int) -> bytes:
    """Up to ``limit`` bytes of ``stream`` (fewer at its end), read in small chunks."""
    parts: list[bytes] = []
    remaining = limit
    while remaining > 0:
        chunk = stream.read(min(remaining, _CHUNK))
        if not chunk:
            break
        parts.append(chunk)
        remaining -= len(chunk)
    return b"".join(parts)


def _read_body(environ: WSGIEnvironment, limit: int = MAX_BODY_BYTES) -> bytes:
    """The request body, never reading more than ``limit`` + 1 bytes.

    Raises:
        _Refused: 413 for a body over ``limit``, 400 for a malformed ``Content-Length`` or a
            body shorter than it declares.
    """
    stream = environ.get("wsgi.input")
    declared = str(environ.get("CONTENT_LENGTH") or "").strip()
    if not declared:
        # PEP 3333: without a length there is no body, unless the server says the stream ends.
        if stream is None or not environ.get("wsgi.input_terminated"):
            return b""
        body = _read_at_most(stream, limit + 1)
        if len(body) > limit:
            raise _Refused(413, f"body over {limit} bytes")
        return body
    if not (declared.isascii() and declared.isdigit()):
        raise _Refused(400, "malformed Content-Length")
    length = int(declared)
    if length > limit:
        raise _Refused(413, f"Content-Length {length} over {limit} bytes")
    body = _read_at_most(stream, length) if stream is not None else b""
    if len(body) != length:
        raise _Refused(400, "body shorter than its Content-Length")
    return body


def _signed(verifier: SignatureVerifier, environ: WSGIEnvironment, body: bytes) -> bool:
    """Whether the request carries a fresh, valid Slack signature of ``body``.

    Raises:
        _Refused: 400 when a signature is to be checked on a body that is not UTF-8 (Slack
            signs UTF-8 text; slack_sdk's verifier decodes the body).
    """
    timestamp = environ.get("HTTP_X_SLACK_REQUEST_TIMESTAMP")
    signature = environ.get("HTTP_X_SLACK_SIGNATURE")
    try:
        return verifier.is_valid(body=body, timestamp=timestamp, signature=signature)
    except UnicodeDecodeError:
        raise _Refused(400, "body is not UTF-8") from None
    except (ValueError, TypeError):  # a timestamp that is no number, a non-ASCII signature
        return False


def _respond(start_response: StartResponse, response: WsgiHttpResponse) -> Iterable[bytes]:
    start_response(response.status, response.get_headers())
    return response.get_body()


def _plain(status: int, text: str) -> WsgiHttpResponse:
    return WsgiHttpResponse(
        status=status, headers={"content-type": ["text/plain; charset=utf-8"]}, body=text + "\n"
    )


def guarded_wsgi_app(
    app: App, signing_secret: str, *, max_body: int = MAX_BODY_BYTES
) -> WSGIApplication:
    """The WSGI application: Slack requests at ``POST /slack/events`` (signature checked
    first), the OAuth pages through Bolt's adapter, and ``GET /healthz``.

    Args:
        app: the Bolt app.
        signing_secret: the app's Signing Secret.
        max_body: the largest body accepted, in bytes.
    """
    verifier = SignatureVerifier(signing_secret)
    reasons = {
        400: "bad request",
        401: "invalid request signature",
        413: f"request body too large (at most {max_body} bytes)",
    }
    bolt = SlackRequestHandler(app, path=EVENTS_PATH)

    def application(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        method = environ.get("REQUEST_METHOD", "GET")
        path = environ.get("PATH_INFO", "")
        if path == HEALTH_PATH and method == "GET":
            return _respond(start_response, _plain(200, "ok"))
        try:
            body = _read_body(environ, max_body)
            if method == "POST" and path == EVENTS_PATH and not _signed(verifier, environ, body):
                raise _Refused(401, "missing, forged or stale signature")
            try:
                text = body.decode("utf-8")
            except UnicodeDecodeError:
                raise _Refused(400, "body is not UTF-8") from None
        except _Refused as refused:
            level = logging.INFO if refused.status == 401 else logging.WARNING
            log.log(level, "refused %s %s: %s", method, path, refused.reason)
            return _respond(start_response, _plain(refused.status, reasons[refused.status]))
        if method != "POST" or path != EVENTS_PATH:
            inner = {**environ, "CONTENT_LENGTH": str(len(body)), "wsgi.input": io.BytesIO(body)}
            return bolt(inner, start_response)
        request = WsgiHttpRequest(environ)
        try:
            bolt_request = BoltRequest(
                body=text, query=request.query_string, headers=request.get_headers()
            )
        except Exception as error:  # Bolt parses here: any failure means a malformed payload
            log.warning(
                "refused %s %s: not a Slack payload (%s)", method, path, type(error).__name__
            )
            return _respond(start_response, _plain(400, reasons[400]))
        response = app.dispatch(bolt_request)
        return _respond(
            start_response,
            WsgiHttpResponse(status=response.status, headers=response.headers, body=response.body),
        )

    return application


def server_settings(max_body: int = MAX_BODY_BYTES) -> dict[str, Any]:
    """waitress settings of ``dialogbot serve``: bodies over ``max_body`` are refused with 413
    while they arrive (waitress refuses a body of ``max_request_body_size`` bytes or more)."""
    return {"ident": "dialogbot", "max_request_body_size": max_body + 1}


def create_server(
    application: WSGIApplication,
    *,
    host: str,
    port: int,
    threads: int,
    max_body: int = MAX_BODY_BYTES,
    sockets: list[socket.socket] | None = None,
) -> BaseWSGIServer | MultiSocketServer:
    """A waitress server for ``application`` with :func:`server_settings`; ``run()`` serves.
    With ``sockets`` it accepts on those (a listening socket inherited from
    ``serve --workers``) instead of binding ``host``/``port``."""
    from waitress.server import create_server as waitress_server

    if sockets:
        return waitress_server(
            application, sockets=sockets, threads=threads, **server_settings(max_body)
        )
    return waitress_server(
        application, host=host, port=port, threads=threads, **server_settings(max_body)
    )
