"""Events API: thread replies, edits and deletions of answers, and App Home.

Bolt acknowledges an event before its listener runs. Storing an answer is quick, and it
must not be lost once Slack has been told the event arrived, so the message events are
applied to the engine in a middleware that runs in the request, before the ack: when the
database is down the request fails (HTTP 500) and Slack delivers the event again. The
posting (reaction, next question) then happens in the listener, after the ack. The text
is turned into what the person typed (:mod:`bot.slack.inbound`) before it reaches the
engine.

A redelivered event is recognised in the database by its message key
(``slack:{channel}:{ts}``, with the edit's ts for edits), which the engine stores in the
same transaction as the answer; every post is claimed under a key derived from it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import App, BoltContext
from slack_sdk import WebClient

from bot.slack import home, inbound, operations
from bot.slack.context import SlackContext
from bot.slack.conversation import Conversation

log = logging.getLogger(__name__)

STEP = "dialog_step"


def register(app: App, ctx: SlackContext) -> None:
    """Register the message and app_home_opened listeners."""

    @app.middleware
    def store_before_ack(
        body: dict[str, Any], context: BoltContext, next: Callable[[], None]
    ) -> None:
        event = body.get("event") or {}
        if body.get("type") == "event_callback" and event.get("type") == "message":
            workspace = operations.workspace_of(context, body)
            client = context.client
            assert client is not None
            typed = inbound.typed_event(event, lambda ids: ctx.engine.person_names(workspace, ids))
            context[STEP] = Conversation(ctx, client, workspace).receive(typed)
        next()

    @app.event("message")
    def on_message(body: dict[str, Any], client: WebClient, context: BoltContext) -> None:
        workspace = operations.workspace_of(context, body)
        ctx.poster.resend_owed(client, workspace)
        step = context.get(STEP)
        if step is not None:
            Conversation(ctx, client, workspace).deliver(step)

    @app.event("app_home_opened")
    def on_home_opened(
        body: dict[str, Any], event: dict[str, Any], client: WebClient, context: BoltContext
    ) -> None:
        if event.get("tab") != "home":
            return
        home.publish_home(ctx, client, operations.workspace_of(context, body), str(event["user"]))
