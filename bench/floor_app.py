"""The floors of figure 1, on the same server stack as ``dialogbot serve`` (Bolt's WSGI
adapter on waitress, the same thread count):

- ``ack``: a bare Bolt app that only acknowledges;
- ``insert``: Bolt and one ``INSERT`` + ``COMMIT`` before the ack (the least a bot that
  stores before it acknowledges can do);
- ``lean``: the same visible work as the bot, written plainly: the answer stored before
  the ack (idempotent by message key), then the claims of its posts (one ``INSERT`` +
  ``COMMIT``), the ✅ reaction, the next question (with its post key in the message
  metadata, as the bot sends it) and, after a thread's first answer, the update of the
  message of the question just answered (``chat.update``: answered, no buttons), whose
  place it finds where it recorded the question before (one statement + ``COMMIT`` that
  records the new one). Its next question always reads "Nästa fråga", so its posts in one
  thread have the same text: they are told apart by the post key.

The two with a database use psycopg directly, one connection per server thread, on
``DIALOGBOT_DATABASE_URL``.

Run: ``python -m bench.floor_app --port N [--threads 8] [--mode ack|insert|lean]`` with
``SLACK_SIGNING_SECRET``, ``SLACK_BOT_TOKEN`` and ``SLACK_API_URL`` set like for the bot.
"""

from __future__ import annotations

import argparse
import os
import threading
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

import psycopg
import waitress
from slack_bolt import App, BoltContext
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk import WebClient

if TYPE_CHECKING:
    from wsgiref.types import StartResponse, WSGIEnvironment


SCHEMA = (
    "CREATE TABLE IF NOT EXISTS floor_answers (id serial PRIMARY KEY, message_key text UNIQUE,"
    " thread text, body text, created_at timestamptz DEFAULT now())",
    "CREATE TABLE IF NOT EXISTS floor_posts (post_key text PRIMARY KEY,"
    " created_at timestamptz DEFAULT now())",
    "CREATE TABLE IF NOT EXISTS floor_questions (thread text PRIMARY KEY, ts text)",
)
#: Records where a thread's latest question landed; returns where the one before was.
SHOWN = (
    "WITH before AS (SELECT ts FROM floor_questions WHERE thread = %(thread)s FOR UPDATE),"
    " now AS (INSERT INTO floor_questions (thread, ts) VALUES (%(thread)s, %(ts)s)"
    " ON CONFLICT (thread) DO UPDATE SET ts = excluded.ts)"
    " SELECT ts FROM before"
)


class Connections:
    """One psycopg connection per thread (waitress's request threads, Bolt's listener
    threads), opened on first use."""

    def __init__(self, url: str) -> None:
        self.url = url.replace("postgresql+psycopg://", "postgresql://")
        self.local = threading.local()

    def get(self) -> psycopg.Connection[Any]:
        """This thread's connection."""
        conn: psycopg.Connection[Any] | None = getattr(self.local, "conn", None)
        if conn is None:
            conn = psycopg.connect(self.url)
            self.local.conn = conn
        return conn

    def setup(self) -> None:
        """Create the floor's tables."""
        with psycopg.connect(self.url, autocommit=True) as conn:
            for statement in SCHEMA:
                conn.execute(statement)


def build(mode: str = "ack", connections: Connections | None = None) -> App:
    """The floor app of ``mode`` (see the module docstring)."""
    app = App(
        signing_secret=os.environ["SLACK_SIGNING_SECRET"],
        client=WebClient(base_url=os.environ["SLACK_API_URL"], token=os.environ["SLACK_BOT_TOKEN"]),
        token_verification_enabled=False,
        process_before_response=False,
    )

    if mode != "ack":
        assert connections is not None
        db = connections

        @app.middleware
        def store(body: dict[str, Any], context: BoltContext, next: Callable[[], None]) -> None:
            """The answer, stored before the ack (a redelivery changes nothing)."""
            event = body.get("event") or {}
            if event.get("type") == "message" and event.get("thread_ts"):
                conn = db.get()
                conn.execute(
                    "INSERT INTO floor_answers (message_key, thread, body) VALUES (%s, %s, %s)"
                    " ON CONFLICT (message_key) DO NOTHING",
                    (
                        f"slack:{event.get('channel')}:{event.get('ts')}",
                        event.get("thread_ts"),
                        event.get("text"),
                    ),
                )
                conn.commit()
            next()

    if mode == "lean":
        assert connections is not None
        posts = connections

        @app.event("message")
        def follow_up(body: dict[str, Any], client: WebClient) -> None:
            """After the ack: the post claims, the reaction, the next question and the
            update of the answered question's message."""
            event = body.get("event") or {}
            channel, ts = str(event.get("channel")), str(event.get("ts"))
            thread = str(event.get("thread_ts"))
            key = f"slack:{channel}:{ts}:next"
            conn = posts.get()
            conn.execute(
                "INSERT INTO floor_posts (post_key) VALUES (%s), (%s) ON CONFLICT DO NOTHING",
                (key, f"slack:{channel}:{ts}:update"),
            )
            conn.commit()
            client.reactions_add(channel=channel, timestamp=ts, name="white_check_mark")
            posted = client.chat_postMessage(
                channel=channel,
                thread_ts=thread,
                text="Nästa fråga",
                metadata={"event_type": "dialogbot_post", "event_payload": {"key": key}},
            )
            before = conn.execute(SHOWN, {"thread": thread, "ts": posted["ts"]}).fetchone()
            conn.commit()
            if before is not None:
                client.chat_update(channel=channel, ts=before[0], text="✓ Besvarad: Fråga")

    else:

        @app.event("message")
        def ignore(body: dict[str, Any]) -> None:
            """Events are acknowledged automatically; nothing else happens."""

    return app


def main() -> None:
    """Serve the floor app until killed."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--mode", choices=("ack", "insert", "lean"), default="ack")
    args = parser.parse_args()
    connections = None
    if args.mode != "ack":
        connections = Connections(os.environ["DIALOGBOT_DATABASE_URL"])
        connections.setup()
    slack = SlackRequestHandler(build(args.mode, connections))

    def application(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == "/healthz":
            start_response("200 OK", [("Content-Type", "text/plain")])
            return [b"ok\n"]
        return slack(environ, start_response)

    waitress.serve(application, host="127.0.0.1", port=args.port, threads=args.threads)


if __name__ == "__main__":
    main()
