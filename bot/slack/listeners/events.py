"""Events API: thread replies, edits and deletions of answers, and App Home.

Bolt acknowledges events before these listeners run (in the executor), so the work
here happens after the ack. A delivery whose event id was handled before is skipped;
everything else is idempotent through message keys and post keys anyway.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import App, BoltContext
from slack_sdk import WebClient

from bot.slack import home, operations
from bot.slack.context import SlackContext
from bot.slack.conversation import Conversation

log = logging.getLogger(__name__)

#: Message subtypes that are a person writing something (others are joins, topics, ...).
REPLY_SUBTYPES = (None, "thread_broadcast", "file_share")


def register(app: App, ctx: SlackContext) -> None:
    """Register the message and app_home_opened listeners."""

    @app.event("message")
    def on_message(
        body: dict[str, Any], event: dict[str, Any], client: WebClient, context: BoltContext
    ) -> None:
        workspace = operations.workspace_of(context, body)
        event_id = str(body.get("event_id") or "")
        if event_id and ctx.store.event_handled(workspace, event_id):
            log.info("event %s was handled before; skipping the retry", event_id)
            return
        ctx.poster.resend_failed(client, workspace)
        handle_message(Conversation(ctx, client, workspace), event)
        if event_id:
            ctx.store.mark_event(workspace, event_id)

    @app.event("app_home_opened")
    def on_home_opened(
        body: dict[str, Any], event: dict[str, Any], client: WebClient, context: BoltContext
    ) -> None:
        if event.get("tab") != "home":
            return
        home.publish_home(ctx, client, operations.workspace_of(context, body), str(event["user"]))


def handle_message(conversation: Conversation, event: dict[str, Any]) -> None:
    """Route one message event by subtype."""
    subtype = event.get("subtype")
    channel = str(event.get("channel") or "")
    if subtype == "message_changed":
        message = event.get("message") or {}
        if message.get("bot_id") or not message.get("edited") or not message.get("ts"):
            return  # our own updates, or reply-count changes of a parent message
        conversation.edit(
            channel,
            str(message["ts"]),
            str(message["edited"].get("ts") or event.get("ts")),
            str(message.get("text") or ""),
        )
    elif subtype == "message_deleted":
        deleted = str(
            event.get("deleted_ts") or (event.get("previous_message") or {}).get("ts") or ""
        )
        if deleted:
            conversation.delete(channel, deleted)
    elif subtype in REPLY_SUBTYPES:
        if event.get("bot_id") or not event.get("user"):
            return
        thread_ts = event.get("thread_ts")
        im = event.get("channel_type") == "im"
        if not thread_ts and not im:
            return  # top-level channel chatter is none of our business
        conversation.reply(
            channel,
            str(thread_ts) if thread_ts else None,
            str(event["ts"]),
            str(event["user"]),
            str(event.get("text") or ""),
            im,
        )
