"""The floor of figure 1: a bare Bolt app that only acknowledges, on the same server stack
as ``dialogbot serve`` (Bolt's WSGI adapter on waitress, the same thread count).

Run: ``python -m bench.floor_app --port N [--threads 8]`` with ``SLACK_SIGNING_SECRET``,
``SLACK_BOT_TOKEN`` and ``SLACK_API_URL`` set like for the bot.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import waitress
from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk import WebClient

if TYPE_CHECKING:
    from wsgiref.types import StartResponse, WSGIEnvironment


def build() -> App:
    """A Bolt app whose only listener acknowledges message events and does nothing."""
    app = App(
        signing_secret=os.environ["SLACK_SIGNING_SECRET"],
        client=WebClient(base_url=os.environ["SLACK_API_URL"], token=os.environ["SLACK_BOT_TOKEN"]),
        token_verification_enabled=False,
        process_before_response=False,
    )

    @app.event("message")
    def ignore(body: dict[str, Any]) -> None:
        """Events are acknowledged automatically; nothing else happens."""

    return app


def main() -> None:
    """Serve the floor app until killed."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--threads", type=int, default=8)
    args = parser.parse_args()
    slack = SlackRequestHandler(build())

    def application(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == "/healthz":
            start_response("200 OK", [("Content-Type", "text/plain")])
            return [b"ok\n"]
        return slack(environ, start_response)

    waitress.serve(application, host="127.0.0.1", port=args.port, threads=args.threads)


if __name__ == "__main__":
    main()
