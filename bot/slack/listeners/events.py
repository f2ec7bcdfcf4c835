"""Events API: thread replies, edits and deletions of answers, and App Home.

Bolt acknowledges an event before its listener runs. Storing an answer is quick, and it
must not be lost once Slack has been told the event arrived, so the message events are
applied to the engine in a middleware that runs in the request, before the ack, and what
they call for (reaction, next question) is written to the outbox right after, still
before the ack: when the database is down the request fails (HTTP 500) and Slack
delivers the event again. The listener sends those posts after the ack; if the process
dies first, the resender sends them once their lease has run out. The text
is turned into what the person typed (:mod:`bot.slack.inbound`) before it reaches the
engine.

A redelivered event is recognised in the database by its message key
(``slack:{channel}:{ts}``, with the edit's ts for edits), which the engine stores in the
same transaction as the answer; a replay gets a ``duplicate`` outcome with the current
question and plans the same post keys again, so an answer stored by a process that died
before planning its posts still gets them.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import App, BoltContext
from slack_sdk import WebClient

from bot.slack import home, inbound, operations
from bot.slack.context import slack_context
from bot.slack.conversation import Conversation
from bot.slack.middleware import Next, RequestMiddleware

log = logging.getLogger(__name__)

STEP = "dialog_step"


def store_before_ack(body: dict[str, Any], context: BoltContext, next: Next) -> None:
    ctx = slack_context(context)
    event = body.get("event") or {}
    if body.get("type") == "event_callback" and event.get("type") == "message":
        workspace = operations.workspace_of(context, body)
        client = context.client
        assert client is not None
        conversation = Conversation(ctx, client, workspace)
        typed = inbound.typed_event(event, lambda ids: ctx.services.people.names(workspace, ids))
        step = conversation.receive(typed, context.bot_user_id)
        if step is not None:
            context[STEP] = conversation.plan(step)
    next()


def on_message(body: dict[str, Any], client: WebClient, context: BoltContext) -> None:
    ctx = slack_context(context)
    planned = context.get(STEP)
    if planned is not None:
        Conversation(ctx, client, operations.workspace_of(context, body)).deliver(planned)


def on_home_opened(
    body: dict[str, Any], event: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    ctx = slack_context(context)
    if event.get("tab") != "home":
        return
    home.publish_home(ctx, client, operations.workspace_of(context, body), str(event["user"]))


def register(app: App) -> None:
    """Register the message and app_home_opened listeners."""
    app.middleware(RequestMiddleware(store_before_ack))
    app.event("message")(on_message)
    app.event("app_home_opened")(on_home_opened)
