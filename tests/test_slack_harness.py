"""Tests of the Slack adapter's HTTP edge itself: signatures, health check, the waitress
server. (The harness the other tests/test_slack_*.py files use is ``support/slack.py``.)
"""

from __future__ import annotations

import http.client
import json
import time
from urllib.parse import urlencode

import waitress.server
from fakes.signing import (
    DEFAULT_TEAM_ID,
    FORM,
    JSON,
    event_callback_body,
    message_event,
    sign,
    slash_command_body,
)
from support.slack import ANNA, CHANNEL, PROCESS_SUPPORT, SECRET, SlackHarness, serving

# Tests of the HTTP edge --------------------------------------------------------------


def test_health_check_answers_without_signature(slack: SlackHarness) -> None:
    reply = slack.http("GET", "/healthz")
    assert (reply.status, reply.body) == (200, "ok\n")


def test_forged_signature_is_refused_with_401(slack: SlackHarness) -> None:
    body = slash_command_body("/dialog", "status", PROCESS_SUPPORT, DEFAULT_TEAM_ID, CHANNEL)
    reply = slack.signed(body, FORM, secret="not-the-secret")
    assert reply.status == 401
    assert slack.fake.calls() == []


def test_tampered_body_is_refused_with_401(slack: SlackHarness) -> None:
    body = event_callback_body(
        message_event(text="hej", user=ANNA, channel=CHANNEL, thread_ts="1.1"), DEFAULT_TEAM_ID
    )
    headers = sign(body, SECRET, content_type=JSON)
    reply = slack.http("POST", "/slack/events", body.replace("hej", "<!channel>"), headers)
    assert reply.status == 401


def test_stale_signature_is_refused_with_401(slack: SlackHarness) -> None:
    body = slash_command_body("/dialog", "help", PROCESS_SUPPORT, DEFAULT_TEAM_ID, CHANNEL)
    reply = slack.signed(body, FORM, timestamp=int(time.time()) - 301)
    assert reply.status == 401


def test_missing_signature_is_refused_with_401(slack: SlackHarness) -> None:
    body = slash_command_body("/dialog", "help", PROCESS_SUPPORT, DEFAULT_TEAM_ID, CHANNEL)
    reply = slack.http("POST", "/slack/events", body, {"Content-Type": FORM})
    assert reply.status == 401


def test_url_verification_handshake(slack: SlackHarness) -> None:
    body = json.dumps({"token": "x", "challenge": "c-123", "type": "url_verification"})
    reply = slack.signed(body, JSON)
    assert reply.status == 200
    assert "c-123" in reply.body


def test_waitress_serves_the_app_over_real_http(slack: SlackHarness) -> None:
    server = waitress.server.create_server(slack.wsgi, host="127.0.0.1", port=0, threads=4)
    with serving(server) as port:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        conn.request("GET", "/healthz")
        assert conn.getresponse().read() == b"ok\n"
        body = urlencode(
            {
                "team_id": DEFAULT_TEAM_ID,
                "user_id": PROCESS_SUPPORT,
                "channel_id": CHANNEL,
                "command": "/dialog",
                "text": "hjälp",
                "trigger_id": "1.2.x",
                "response_url": slack.fake.response_url(),
            }
        )
        conn.request("POST", "/slack/events", body, sign(body, SECRET, content_type=FORM))
        response = conn.getresponse()
        assert response.status == 200
        assert "/dialog start" in json.loads(response.read())["text"]
        conn.request("POST", "/slack/events", body, sign(body, "forged", content_type=FORM))
        forged = conn.getresponse()
        forged.read()
        assert forged.status == 401
        conn.close()
