"""Drives the Slack adapter in tests: a Bolt app on a test database, fed correctly signed
HTTP requests through the real WSGI application (``bot.slack.app.wsgi_app``), calling the
local fake of the Slack Web API. After each request the harness waits until the after-ack
work is done (``TrackingExecutor.wait_idle``), so tests never sleep.

The ``fake``, ``slack`` and ``multi`` fixtures (``tests/conftest.py``) build it.
"""

from __future__ import annotations

import io
import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from fakes import FakeSlack, RecordedCall
from fakes.signing import (
    DEFAULT_TEAM_ID,
    FORM,
    JSON,
    block_actions_body,
    event_callback_body,
    message_event,
    next_ts,
    sign,
    slash_command_body,
    view_submission_body,
)
from slack_bolt import App
from sqlalchemy import Engine

from bot.services.container import Services
from bot.slack.app import build_app, wsgi_app
from bot.slack.config import SlackConfig
from bot.slack.executor import TrackingExecutor
from bot.wiring import Runtime

SECRET = "test-signing-secret"
TOKEN = "xoxb-fake-token"
CHANNEL = "C0LEDNING"
PROCESS_SUPPORT = "U0PROC01"
ANNA = "U0ENHHTN"  # Hemtjänst Norr
BJORN = "U0ENHHTS"  # Hemtjänst Syd
CECILIA = "U0ENHSOL"  # Solgården
CHEF_OUTSIDE = "U0ENHEKS"  # Ekskolan, not in the Äldreomsorg round


@dataclass
class Reply:
    """An HTTP response of the app."""

    status: int
    body: str
    headers: dict[str, str] = field(default_factory=dict)
    all_headers: list[tuple[str, str]] = field(default_factory=list)

    def json(self) -> Any:
        return json.loads(self.body) if self.body else None


class SlackHarness:
    """A Bolt app on a test database, driven with signed requests through WSGI."""

    def __init__(
        self,
        fake: FakeSlack,
        db: Engine,
        make_services: Callable[[], Services],
        *,
        config: SlackConfig | None = None,
    ) -> None:
        self.fake = fake
        self.db = db
        self.make_services = make_services
        self.config = config or SlackConfig(
            signing_secret=SECRET,
            bot_token=TOKEN,
            api_url=fake.base_url,
            retries=4,
            backoff=0.01,
        )
        self.start()

    def start(self) -> None:
        """Build (or rebuild, for a restart) the engine, app and WSGI application."""
        self.services = self.make_services()
        self.executor = TrackingExecutor(max_workers=8)
        self.app: App = build_app(
            self.config,
            Runtime(self.db, self.services),
            executor=self.executor,
            token_verification=False,
        )
        self.wsgi = wsgi_app(self.app, self.config.signing_secret)

    def restart(self) -> None:
        """Stop after the work in flight, and start a fresh process on the same database."""
        self.executor.wait_idle()
        self.executor.shutdown()
        self.start()

    def close(self) -> None:
        self.executor.wait_idle()
        self.executor.shutdown()

    # Raw HTTP --------------------------------------------------------------------------

    def http(
        self,
        method: str,
        path: str,
        body: str = "",
        headers: dict[str, str] | None = None,
        wait: bool = True,
        query: str = "",
    ) -> Reply:
        raw = body.encode("utf-8")
        environ: dict[str, Any] = {
            "REQUEST_METHOD": method,
            "PATH_INFO": path,
            "QUERY_STRING": query,
            "SERVER_NAME": "testserver",
            "SERVER_PORT": "80",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "wsgi.url_scheme": "http",
            "wsgi.input": io.BytesIO(raw),
            "wsgi.errors": io.StringIO(),
            "CONTENT_LENGTH": str(len(raw)),
        }
        for name, value in (headers or {}).items():
            key = name.upper().replace("-", "_")
            environ[key if key in ("CONTENT_TYPE",) else f"HTTP_{key}"] = value
        captured: dict[str, Any] = {}

        def start_response(status: str, response_headers: list[tuple[str, str]], *_: Any) -> Any:
            captured["status"] = int(status.split()[0])
            captured["headers"] = {k.lower(): v for k, v in response_headers}
            captured["all_headers"] = response_headers
            return lambda _data: None

        chunks = self.wsgi(environ, start_response)
        text = b"".join(chunks).decode("utf-8")
        if wait:
            self.executor.wait_idle()
        return Reply(captured["status"], text, captured["headers"], captured["all_headers"])

    def signed(
        self,
        body: str,
        content_type: str,
        *,
        timestamp: int | None = None,
        extra: dict[str, str] | None = None,
        secret: str = SECRET,
        wait: bool = True,
    ) -> Reply:
        headers = sign(body, secret, timestamp, content_type=content_type)
        headers.update(extra or {})
        return self.http("POST", "/slack/events", body, headers, wait=wait)

    # Slack-shaped requests -------------------------------------------------------------

    def command(
        self,
        text: str,
        user: str = PROCESS_SUPPORT,
        channel: str = CHANNEL,
        team: str = DEFAULT_TEAM_ID,
        trigger_id: str | None = None,
        wait: bool = True,
    ) -> Reply:
        """``/dialog text``; with ``wait=False`` the reply (the ack) comes back without
        waiting for the work after the ack."""
        body = slash_command_body(
            "/dialog",
            text,
            user,
            team,
            channel,
            trigger_id,
            self.fake.response_url(f"{team}-{user}"),
        )
        return self.signed(body, FORM, wait=wait)

    def event(
        self,
        event: dict[str, Any],
        team: str = DEFAULT_TEAM_ID,
        event_id: str | None = None,
        retry: int = 0,
    ) -> Reply:
        body = event_callback_body(event, team, event_id)
        extra = (
            {"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"}
            if retry
            else {}
        )
        return self.signed(body, JSON, extra=extra)

    def say(
        self,
        user: str,
        text: str,
        thread_ts: str | None,
        channel: str = CHANNEL,
        team: str = DEFAULT_TEAM_ID,
        ts: str | None = None,
    ) -> str:
        """A person writes ``text`` in a thread; returns the message ts."""
        message_ts = ts or next_ts()
        self.event(
            message_event(
                text=text,
                user=user,
                channel=channel,
                ts=message_ts,
                thread_ts=thread_ts,
                team=team,
            ),
            team,
        )
        return message_ts

    def click(
        self,
        action_id: str,
        value: str,
        user: str,
        *,
        channel: str = CHANNEL,
        message_ts: str | None = None,
        thread_ts: str | None = None,
        team: str = DEFAULT_TEAM_ID,
        view: dict[str, Any] | None = None,
    ) -> Reply:
        body = block_actions_body(
            action_id=action_id,
            value=value,
            user_id=user,
            team_id=team,
            channel_id=None if view else channel,
            message_ts=message_ts,
            thread_ts=thread_ts,
            view=view,
        )
        return self.signed(body, FORM)

    def submit(
        self,
        callback_id: str,
        user: str,
        values: dict[str, dict[str, dict[str, Any]]],
        private_metadata: str = "",
        team: str = DEFAULT_TEAM_ID,
        view_id: str | None = None,
        wait: bool = True,
    ) -> Reply:
        body = view_submission_body(
            callback_id=callback_id,
            user_id=user,
            team_id=team,
            state_values=values,
            private_metadata=private_metadata,
            view_id=view_id,
        )
        return self.signed(body, FORM, wait=wait)

    # Reading what the bot did ----------------------------------------------------------

    def posts(self, channel: str | None = None, thread_ts: str | None = None) -> list[RecordedCall]:
        """Delivered chat.postMessage calls, optionally in one channel / thread."""
        found = self.fake.delivered("chat.postMessage")
        if channel is not None:
            found = [c for c in found if c.response.get("channel") == channel]
        if thread_ts is not None:
            found = [c for c in found if c.args.get("thread_ts") == thread_ts]
        return found

    def thread_of(self, user: str, channel: str = CHANNEL) -> str:
        """The ts of the parent message of ``user``'s thread (the intro mentions them)."""
        for call in self.posts(channel):
            if f"<@{user}>" in str(call.args.get("text")) and not call.args.get("thread_ts"):
                return str(call.response["ts"])
        raise AssertionError(f"no thread for {user}")

    def responses(self, user: str = PROCESS_SUPPORT, team: str = DEFAULT_TEAM_ID) -> list[str]:
        """Texts sent through the slash command's response_url (ephemeral answers)."""
        return [
            str(c.args.get("text"))
            for c in self.fake.calls("response_url")
            if c.args.get("response_url_key") == f"{team}-{user}"
        ]


def texts(calls: list[RecordedCall]) -> list[str]:
    """The ``text`` of recorded posts plus the text of their blocks."""
    out = []
    for call in calls:
        parts = [str(call.args.get("text") or "")]
        for block in call.arg_json("blocks") or []:
            for key in ("text",):
                value = block.get(key)
                if isinstance(value, dict):
                    parts.append(str(value.get("text")))
            for element in block.get("elements") or []:
                if isinstance(element, dict) and isinstance(element.get("text"), str):
                    parts.append(element["text"])
        out.append("\n".join(parts))
    return out


def button_value(call: RecordedCall, action_id: str) -> str:
    """The value of the button ``action_id`` in a recorded post (as Slack sends it back)."""
    for block in call.arg_json("blocks") or []:
        for element in block.get("elements") or []:
            if isinstance(element, dict) and element.get("action_id") == action_id:
                return str(element["value"])
    raise AssertionError(f"no button {action_id}")


# Several workspaces in one app (OAuth mode): the ``multi`` fixture.
CLIENT_ID = "1111.2222"
TEAMS = {"T0AAA": "xoxb-aaa", "T0BBB": "xoxb-bbb"}
TOKEN_KEY = "0pTnGqKYVDn1xnLg4ZbW2hVq9z3Jcq8Cw6xH2vEw1Ys="


def start_form_values(
    units: list[str],
    level: str | None = None,
    delivery: str = "channel",
    anonymous: bool = False,
) -> dict[str, dict[str, dict[str, Any]]]:
    """The state values of a submitted start modal (template avstamning, the test channel,
    deadline 2027-11-01, Swedish)."""

    def select(value: str | None) -> dict[str, Any]:
        option = None if value is None else {"value": value}
        return {"value": {"type": "static_select", "selected_option": option}}

    chosen = [{"value": "anonymous"}] if anonymous else []
    return {
        "template": select("avstamning"),
        "units": {
            "value": {
                "type": "multi_static_select",
                "selected_options": [{"value": u} for u in units],
            }
        },
        "channel": {"value": {"type": "conversations_select", "selected_conversation": CHANNEL}},
        "deadline": {"value": {"type": "datepicker", "selected_date": "2027-11-01"}},
        "anonymous": {"value": {"type": "checkboxes", "selected_options": chosen}},
        "lang": select("sv"),
        "delivery": {"value": {"type": "radio_buttons", "selected_option": {"value": delivery}}},
        "level": select(level),
    }


@contextmanager
def serving(server: Any) -> Iterator[int]:
    """Run the waitress ``server`` in a thread while the block runs; yields its port.
    Waitress stops from another thread only by having its sockets closed under its
    loop's ``select()``: the loop's error about that is expected then, and only then."""
    closing = threading.Event()

    def run() -> None:
        try:
            server.run()
        except (OSError, ValueError):
            if not closing.is_set():
                raise

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    try:
        yield int(server.socket.getsockname()[1])
    finally:
        closing.set()
        server.close()
        thread.join(timeout=10)
