"""The lean Web API calls of the poster (:mod:`bot.slack.web_post`: ``chat.postMessage``,
``reactions.add``, ``chat.update``) make the same requests as slack_sdk, against the fake
Web API (checked against Slack's spec), and fail the way slack_sdk fails, so the poster's
outbox and pacer handle them as before."""

from __future__ import annotations

import http.client
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.error import URLError

import pytest
from fakes import FakeSlack
from slack_sdk.errors import SlackApiError

from bot.slack import web_post
from bot.slack.poster import make_client

TOKEN = "xoxb-fake-token"


def _args(channel: str, text: str, **more: Any) -> dict[str, Any]:
    return {
        "channel": channel,
        "text": text,
        "unfurl_links": False,
        "unfurl_media": False,
        "metadata": {"event_type": "dialogbot_post", "event_payload": {"key": f"k:{text}"}},
        **more,
    }


def test_the_lean_post_is_the_request_slack_sdk_makes() -> None:
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": "Fråga *1* ✅"}}]
    with FakeSlack() as fake:
        client = make_client(fake.base_url, TOKEN)
        parent = web_post.call(client, "chat.postMessage", _args("C0ONE", "lean"))
        client.chat_postMessage(**_args("C0ONE", "sdk"))
        web_post.call(
            client,
            "chat.postMessage",
            _args("C0ONE", "svar åäö", blocks=blocks, thread_ts=parent["ts"]),
        )
        lean, sdk, threaded = fake.calls("chat.postMessage")
        assert fake.spec_violations == []
    assert parent["ok"] and parent["channel"] == "C0ONE" and parent["ts"]
    assert lean.args == {**sdk.args, "text": "lean", "metadata": _args("C0ONE", "lean")["metadata"]}
    for name in ("authorization", "content-type", "user-agent"):
        assert lean.headers[name] == sdk.headers[name]
    assert lean.token == sdk.token == TOKEN
    assert threaded.args["thread_ts"] == parent["ts"]
    assert threaded.arg_json("blocks") == blocks
    assert threaded.args["text"] == "svar åäö"


def test_the_lean_reaction_and_update_are_the_requests_slack_sdk_makes() -> None:
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": "~Fråga 1~ ✅"}}]
    with FakeSlack() as fake:
        client = make_client(fake.base_url, TOKEN)
        one = client.chat_postMessage(channel="C0ONE", text="ett")["ts"]
        two = client.chat_postMessage(channel="C0ONE", text="två")["ts"]
        lean_react = {"channel": "C0ONE", "name": "white_check_mark", "timestamp": one}
        web_post.call(client, "reactions.add", lean_react, form=True)
        client.reactions_add(channel="C0ONE", name="white_check_mark", timestamp=two)
        with pytest.raises(SlackApiError) as again:
            web_post.call(client, "reactions.add", lean_react, form=True)
        update = {"channel": "C0ONE", "ts": one, "text": "besvarad", "blocks": blocks}
        updated = web_post.call(client, "chat.update", update)
        client.chat_update(channel="C0ONE", ts=two, text="besvarad", blocks=blocks)
        lean_r, sdk_r, _ = fake.calls("reactions.add")
        lean_u, sdk_u = fake.calls("chat.update")
        assert fake.spec_violations == []
    assert again.value.response["error"] == "already_reacted"
    assert lean_r.args == {**sdk_r.args, "timestamp": one}
    assert lean_u.args == {**sdk_u.args, "ts": one}
    assert lean_u.arg_json("blocks") == blocks
    assert updated["ok"] and updated["ts"] == one
    for lean, sdk in ((lean_r, sdk_r), (lean_u, sdk_u)):
        for name in ("authorization", "content-type", "user-agent"):
            assert lean.headers[name] == sdk.headers[name]
    assert lean_r.headers["content-type"] == "application/x-www-form-urlencoded"


def test_a_refusal_and_a_429_surface_as_slack_sdk_raises_them() -> None:
    with FakeSlack() as fake:
        client = make_client(fake.base_url, TOKEN, retries=2, backoff=0.01)
        with pytest.raises(SlackApiError) as refused:
            web_post.call(client, "chat.postMessage", _args("", "no channel"))
        fake.fail_next("chat.postMessage", 429, times=1, retry_after=30)
        with pytest.raises(SlackApiError) as limited:
            web_post.call(client, "chat.postMessage", _args("C0ONE", "limited"))
        assert fake.delivered() == []
    assert refused.value.response.status_code == 200
    assert refused.value.response["error"] == "channel_not_found"
    # a long Retry-After is not waited out in the call: the poster reschedules the row
    assert limited.value.response.status_code == 429
    assert limited.value.response.headers["retry-after"] == "30"


def test_server_errors_are_retried_by_the_clients_handlers() -> None:
    with FakeSlack() as fake:
        fake.fail_next("chat.postMessage", 503, times=2)
        client = make_client(fake.base_url, TOKEN, retries=3, backoff=0.01)
        posted = web_post.call(client, "chat.postMessage", _args("C0ONE", "after two 503s"))
        statuses = [c.status for c in fake.calls("chat.postMessage")]
        fake.fail_next("chat.postMessage", 500, times=5)
        with pytest.raises(SlackApiError) as failed:
            web_post.call(client, "chat.postMessage", _args("C0ONE", "never"))
    assert posted["ok"] and statuses == [503, 503, 200]
    assert failed.value.response.status_code == 500


def test_a_dropped_keep_alive_connection_is_opened_again() -> None:
    with FakeSlack() as fake:
        client = make_client(fake.base_url, TOKEN, retries=2, backoff=0.01)
        web_post.call(client, "chat.postMessage", _args("C0ONE", "first"))
        for conn in web_post._local.connections.values():
            conn.sock.shutdown(socket.SHUT_RDWR)  # as a server closing an idle connection
        web_post.call(client, "chat.postMessage", _args("C0ONE", "second"))
        assert [c.args["text"] for c in fake.delivered()] == ["first", "second"]


@contextmanager
def _scripted(answers: list[bytes]) -> Iterator[str]:
    """An HTTP server on loopback that answers each request on one connection with the
    next of ``answers`` (raw bytes), for framing the fake does not produce."""
    server = socket.create_server(("127.0.0.1", 0))
    port = server.getsockname()[1]

    def serve() -> None:
        conn, _ = server.accept()
        with conn, conn.makefile("rb") as reader:
            for answer in answers:
                length = 0
                while (line := reader.readline()) not in (b"\r\n", b""):
                    if line.lower().startswith(b"content-length:"):
                        length = int(line.split(b":")[1])
                reader.read(length)
                conn.sendall(answer)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{port}/api/"
    finally:
        server.close()
        thread.join(5)


def test_chunked_answers_and_answers_that_are_not_json_are_read() -> None:
    body = b'{"ok": true, "channel": "C1", "ts": "1.000100"}'
    chunked = (
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
        + b"%x\r\n%s\r\n" % (10, body[:10])
        + b"%x\r\n%s\r\n" % (len(body) - 10, body[10:])
        + b"0\r\n\r\n"
    )
    html = b"<html>Bad gateway</html>"
    bad_gateway = b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: %d\r\n\r\n%s" % (len(html), html)
    with _scripted([chunked, bad_gateway]) as url:
        client = make_client(url, TOKEN, retries=0)
        posted = web_post.call(client, "chat.postMessage", _args("C1", "chunked"))
        with pytest.raises(SlackApiError) as failed:
            web_post.call(client, "chat.postMessage", _args("C1", "gateway"))
    assert posted["ts"] == "1.000100"
    assert failed.value.response.status_code == 502
    assert "non-JSON" in failed.value.response["error"]


class _Captured:
    """A socket that keeps what http.client sends."""

    def __init__(self) -> None:
        self.sent = b""

    def sendall(self, data: bytes) -> None:
        self.sent += data


@pytest.mark.parametrize(
    ("conn", "headers"),
    [
        (http.client.HTTPConnection("127.0.0.1", 8765), {"Content-Type": "application/json"}),
        (
            http.client.HTTPSConnection("slack.com"),
            {"User-Agent": "x/1", "Authorization": "Bearer xoxb-1", "Content-Type": "a/b"},
        ),
        (http.client.HTTPSConnection("[::1]", 8443), {"Accept-Encoding": "gzip", "X-A": "b"}),
    ],
)
def test_a_lean_request_is_the_bytes_http_client_sends(
    conn: http.client.HTTPConnection, headers: dict[str, str]
) -> None:
    body = '{"text": "åäö"}'.encode()
    captured = _Captured()
    conn.sock = captured
    conn.request("POST", "/api/chat.postMessage", body=body, headers=headers)
    assert (
        web_post._request(web_post._host(conn), "/api/chat.postMessage", headers, body)
        == captured.sent
    )
    with pytest.raises(ValueError):
        web_post._request("h", "/api/x", {"X-A": "b\r\nX-B: c"}, body)


def test_continue_http_1_0_and_an_answer_read_to_its_close() -> None:
    body = b'{"ok": true, "channel": "C1", "ts": "1.000200"}'
    answer = (
        b"HTTP/1.1 100 Continue\r\n\r\n"
        b"HTTP/1.0 200 OK\r\nContent-Type: application/json\r\nX-A: 1\r\nx-a:  2 \r\n\r\n" + body
    )
    with _scripted([answer]) as url:
        client = make_client(url, TOKEN, retries=0)
        posted = web_post.call(client, "chat.postMessage", _args("C1", "to the close"))
        netloc = url.split("/")[2]
        assert ("http", netloc) not in web_post._local.connections  # the server closed it
    assert posted["ts"] == "1.000200"
    assert posted.headers["x-a"] == "2 "  # the last of a repeated header, as http.client
    assert posted.headers["content-type"] == "application/json"


@pytest.mark.parametrize(
    "answer",
    [
        # an obsolete folded header line: llhttp refuses it (http.client would join it)
        b"HTTP/1.1 200 OK\r\nX-Folded: a\r\n b\r\nContent-Length: 2\r\n\r\n{}",
        b"SMTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}",  # not HTTP
        b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: h2c\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nContent-Length: 20\r\n\r\n{}",  # closed before its end
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n",  # no last chunk
        b"HTTP/1.1 200 O",  # closed in the status line
        # more header lines than http.client takes
        b"HTTP/1.1 200 OK\r\n"
        + b"".join(b"X-%d: v\r\n" % n for n in range(101))
        + b"Content-Length: 2\r\n\r\n{}",
        b"",  # closed without an answer
    ],
)
def test_an_answer_that_is_not_http_or_ends_early_is_a_connection_error(answer: bytes) -> None:
    with _scripted([answer]) as url:
        client = make_client(url, TOKEN, retries=0)
        with pytest.raises(URLError):
            web_post.call(client, "chat.postMessage", _args("C1", "bad answer"))
        assert ("http", url.split("/")[2]) not in web_post._local.connections  # dropped


def test_bytes_after_the_answer_drop_the_connection() -> None:
    body = b'{"ok": true, "channel": "C1", "ts": "1.000300"}'
    answer = b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%sHTTP/1.1 200" % (len(body), body)
    with _scripted([answer]) as url:
        client = make_client(url, TOKEN, retries=0)
        posted = web_post.call(client, "chat.postMessage", _args("C1", "and more"))
        assert ("http", url.split("/")[2]) not in web_post._local.connections
    assert posted["ts"] == "1.000300"
