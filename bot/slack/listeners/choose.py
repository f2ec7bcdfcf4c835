"""The buttons asking which open round a top-level DM was for (:mod:`bot.slack.choose_round`).

The chosen round's answer is stored before the click is acknowledged (as thread replies
are), and the posts it calls for are written to the outbox then; they are sent after.
"""

from __future__ import annotations

import re
from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient

from bot.slack import choose_round, operations
from bot.slack.context import slack_context
from bot.slack.conversation import Conversation


def round_chosen(ack: Ack, body: dict[str, Any], client: WebClient, context: BoltContext) -> None:
    ctx = slack_context(context)
    choice = choose_round.decode(str(body["actions"][0].get("value") or ""))
    if choice is None:
        ack()
        return
    conversation = Conversation(ctx, client, operations.workspace_of(context, body))
    planned = conversation.round_chosen(choice, str(body["user"]["id"]))
    ack()
    if planned is not None:
        conversation.deliver(planned)


def register(app: App) -> None:
    """Register the round-choice buttons."""
    app.action(re.compile(f"^{choose_round.ACTION_CHOOSE_ROUND}:"))(round_chosen)
