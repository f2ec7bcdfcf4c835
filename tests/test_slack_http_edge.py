"""The HTTP edge refuses big and malformed requests cheaply: a body over 1 MiB gets 413 after
reading at most the limit, the signature is checked before anything parses the body, and a
bad body gets 400 or 401, never a 500 or a traceback in the logs.

Requests go to the real WSGI application (``bot.slack.app.wsgi_app``) in process, and over
real HTTP to the waitress server ``dialogbot serve`` runs (``bot.slack.edge.create_server``).
"""

from __future__ import annotations

import hashlib
import hmac
import io
import json
import logging
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from fakes.signing import DEFAULT_TEAM_ID, FORM, JSON, sign, slash_command_body
from support.slack import CHANNEL, PROCESS_SUPPORT, SECRET, SlackHarness, serving
from waitress.channel import HTTPChannel

from bot.slack.edge import MAX_BODY_BYTES, create_server

BIG = 50 * 1024 * 1024
URL_VERIFICATION = {"token": "x", "challenge": "c-123", "type": "url_verification"}


class Stream:
    """A request body of ``size`` bytes produced as it is read; counts what was read."""

    def __init__(self, size: int, fill: bytes = b" ") -> None:
        self.size = size
        self.fill = fill
        self.read_bytes = 0

    def read(self, n: int = -1) -> bytes:
        left = self.size - self.read_bytes
        n = left if n is None or n < 0 else min(n, left)
        self.read_bytes += n
        return self.fill * n


@dataclass
class Response:
    status: int
    body: str


def call(
    slack: SlackHarness,
    body: bytes | Stream,
    headers: dict[str, str],
    *,
    content_length: str | None = "auto",
    terminated: bool = False,
) -> Response:
    """POST ``body`` to ``/slack/events`` of the WSGI application, as a server would pass it."""
    stream = body if isinstance(body, Stream) else io.BytesIO(body)
    environ: dict[str, Any] = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": "/slack/events",
        "QUERY_STRING": "",
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "wsgi.url_scheme": "http",
        "wsgi.input": stream,
        "wsgi.errors": io.StringIO(),
    }
    if terminated:
        environ["wsgi.input_terminated"] = True
    if content_length == "auto":
        size = body.size if isinstance(body, Stream) else len(body)
        environ["CONTENT_LENGTH"] = str(size)
    elif content_length is not None:
        environ["CONTENT_LENGTH"] = content_length
    for name, value in headers.items():
        key = name.upper().replace("-", "_")
        environ[key if key == "CONTENT_TYPE" else f"HTTP_{key}"] = value
    captured: dict[str, int] = {}

    def start_response(status: str, _headers: list[tuple[str, str]], *_: Any) -> Any:
        captured["status"] = int(status.split()[0])
        return lambda _data: None

    chunks = slack.wsgi(environ, start_response)
    text = b"".join(chunks).decode("utf-8")
    slack.executor.wait_idle()
    assert environ["wsgi.errors"].getvalue() == ""
    return Response(captured["status"], text)


def signed_headers(body: bytes | str, content_type: str, secret: str = SECRET) -> dict[str, str]:
    """Slack's headers for ``body``; bytes that are not UTF-8 are signed as they are."""
    if isinstance(body, str):
        return sign(body, secret, content_type=content_type)
    headers = sign("", secret, content_type=content_type)
    base = f"v0:{headers['X-Slack-Request-Timestamp']}:".encode() + body
    headers["X-Slack-Signature"] = (
        "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    )
    return headers


@pytest.fixture
def no_tracebacks(caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    caplog.set_level(logging.DEBUG)
    yield
    with_traceback = [r.getMessage() for r in caplog.records if r.exc_info]
    assert with_traceback == []
    assert "Traceback" not in caplog.text


# Size ----------------------------------------------------------------------------------


def test_declared_oversized_body_is_refused_with_413_without_reading_it(
    slack: SlackHarness, no_tracebacks: None
) -> None:
    body = Stream(BIG)
    reply = call(slack, body, signed_headers("", JSON))
    assert reply.status == 413
    assert body.read_bytes == 0


def test_streamed_body_without_length_is_refused_after_reading_at_most_the_limit(
    slack: SlackHarness, no_tracebacks: None
) -> None:
    body = Stream(BIG)
    reply = call(slack, body, {"Content-Type": JSON}, content_length=None, terminated=True)
    assert reply.status == 413
    assert body.read_bytes <= MAX_BODY_BYTES + 1


def test_a_body_of_exactly_the_limit_is_accepted(slack: SlackHarness) -> None:
    text = json.dumps(URL_VERIFICATION)
    padded = text + " " * (MAX_BODY_BYTES - len(text))
    reply = call(slack, padded.encode(), signed_headers(padded, JSON))
    assert reply.status == 200
    assert "c-123" in reply.body
    over = padded + " "
    assert call(slack, over.encode(), signed_headers(over, JSON)).status == 413


# Signature before parsing ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b"{not json", JSON),
        (b"[1, 2, 3]", JSON),
        (b"payload=%7Bnot-json", FORM),
    ],
)
def test_unsigned_bodies_are_refused_with_401_before_parsing(
    slack: SlackHarness, no_tracebacks: None, body: bytes, content_type: str
) -> None:
    reply = call(slack, body, {"Content-Type": content_type})
    assert reply.status == 401
    forged = call(slack, body, signed_headers(body, content_type, secret="forged"))
    assert forged.status == 401
    assert slack.fake.calls() == []


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b"{not json", JSON),
        (b"[1, 2, 3]", JSON),
        (b"payload=%7Bnot-json", FORM),
        (b"\xff\xfe\x00 not utf-8", FORM),
    ],
)
def test_signed_malformed_bodies_get_400_without_a_traceback(
    slack: SlackHarness, no_tracebacks: None, body: bytes, content_type: str
) -> None:
    reply = call(slack, body, signed_headers(body, content_type))
    assert reply.status == 400
    assert slack.fake.calls() == []


def test_a_body_that_is_not_utf8_gets_401_unsigned_and_400_signed(
    slack: SlackHarness, no_tracebacks: None
) -> None:
    body = b"payload=\xff\xfe\x00"
    assert call(slack, body, {"Content-Type": FORM}).status == 401
    assert call(slack, body, signed_headers(body, FORM)).status == 400
    assert slack.fake.calls() == []


@pytest.mark.parametrize(
    "headers",
    [
        {"X-Slack-Request-Timestamp": "not-a-number", "X-Slack-Signature": "v0=00"},
        {"X-Slack-Request-Timestamp": "9" * 5000, "X-Slack-Signature": "v0=00"},
        {"X-Slack-Request-Timestamp": "1700000000", "X-Slack-Signature": "v0=é"},
    ],
)
def test_garbage_signature_headers_get_401(
    slack: SlackHarness, no_tracebacks: None, headers: dict[str, str]
) -> None:
    body = slash_command_body("/dialog", "hjälp", PROCESS_SUPPORT, DEFAULT_TEAM_ID, CHANNEL)
    reply = call(slack, body.encode(), {"Content-Type": FORM, **headers})
    assert reply.status == 401


@pytest.mark.parametrize("length", ["abc", "-5", "1e3", "٣"])
def test_malformed_content_length_gets_400(
    slack: SlackHarness, no_tracebacks: None, length: str
) -> None:
    body = json.dumps(URL_VERIFICATION)
    reply = call(slack, body.encode(), signed_headers(body, JSON), content_length=length)
    assert reply.status == 400


def test_a_body_shorter_than_its_content_length_gets_400(
    slack: SlackHarness, no_tracebacks: None
) -> None:
    body = json.dumps(URL_VERIFICATION)
    headers = signed_headers(body, JSON)
    reply = call(slack, body.encode(), headers, content_length=str(len(body) + 10))
    assert reply.status == 400


# Over real HTTP (waitress, as `dialogbot serve` runs it) --------------------------------


class CountingChannel(HTTPChannel):
    """waitress's connection, counting the bytes it reads from the socket."""

    bytes_in = 0
    lock = threading.Lock()

    def recv(self, buffer_size: int) -> bytes:
        data: bytes = super().recv(buffer_size)
        with CountingChannel.lock:
            CountingChannel.bytes_in += len(data)
        return data


@pytest.fixture
def server(slack: SlackHarness) -> Iterator[int]:
    srv = create_server(slack.wsgi, host="127.0.0.1", port=0, threads=2)
    srv.channel_class = CountingChannel  # type: ignore[union-attr]
    CountingChannel.bytes_in = 0
    with serving(srv) as port:
        yield port


def post_streamed(port: int, head: bytes, pieces: Iterator[bytes]) -> tuple[int, int]:
    """Send ``head`` and then ``pieces`` until the server stops taking them; returns the
    status line's code and the bytes of body sent."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=30)
    answer: list[bytes] = []

    def read() -> None:
        try:
            while chunk := sock.recv(4096):
                answer.append(chunk)
        except OSError:
            pass

    reader = threading.Thread(target=read)
    reader.start()
    sent = 0
    try:
        sock.sendall(head)
        for piece in pieces:
            sock.sendall(piece)
            sent += len(piece)
    except OSError:  # the server refused and closed the connection
        pass
    finally:
        reader.join(timeout=30)
        sock.close()
    status_line = b"".join(answer).split(b"\r\n", 1)[0]
    return int(status_line.split()[1]), sent


def test_server_refuses_a_declared_50_mb_body_with_413_before_reading_it(
    server: int, no_tracebacks: None
) -> None:
    head = (
        "POST /slack/events HTTP/1.1\r\nHost: bot\r\nContent-Type: application/json\r\n"
        f"Content-Length: {BIG}\r\n\r\n"
    ).encode()
    status, _sent = post_streamed(server, head, (b" " * 65536 for _ in range(BIG // 65536)))
    assert status == 413
    assert CountingChannel.bytes_in <= MAX_BODY_BYTES


def test_server_refuses_a_chunked_50_mb_body_after_reading_at_most_the_limit(
    server: int, no_tracebacks: None
) -> None:
    head = (
        b"POST /slack/events HTTP/1.1\r\nHost: bot\r\nContent-Type: application/json\r\n"
        b"Transfer-Encoding: chunked\r\n\r\n"
    )
    piece = b"10000\r\n" + b" " * 65536 + b"\r\n"
    status, sent = post_streamed(server, head, (piece for _ in range(BIG // 65536)))
    assert status == 413
    assert CountingChannel.bytes_in <= MAX_BODY_BYTES + 64 * 1024 + 4096
    assert sent < BIG


def test_server_answers_malformed_unsigned_json_with_401_and_no_traceback(
    server: int, no_tracebacks: None
) -> None:
    body = b"{not json at all"
    head = (
        "POST /slack/events HTTP/1.1\r\nHost: bot\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    ).encode()
    status, _sent = post_streamed(server, head, iter([body]))
    assert status == 401
