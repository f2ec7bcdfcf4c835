"""Buttons: under a question (skip, form, finish) and on the App Home tab."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient

from bot.domain.errors import DialogError
from bot.i18n import t
from bot.slack import blocks, button_values, home, operations
from bot.slack.context import SlackContext, error_text, slack_context
from bot.slack.conversation import Conversation

log = logging.getLogger(__name__)


def _message_of(body: dict[str, Any]) -> tuple[str, str]:
    """The channel and ts of the message whose button was clicked."""
    container = body.get("container") or {}
    channel = str(container.get("channel_id") or (body.get("channel") or {}).get("id") or "")
    message_ts = str(container.get("message_ts") or (body.get("message") or {}).get("ts") or "")
    return channel, message_ts


def _thread_of(body: dict[str, Any]) -> str:
    """The thread of the message whose button was clicked ("" outside a thread)."""
    container = body.get("container") or {}
    return str(container.get("thread_ts") or (body.get("message") or {}).get("thread_ts") or "")


def _nonce(action: dict[str, Any], body: dict[str, Any]) -> str:
    """What makes one click distinct from the next (Slack repeats it on a retry)."""
    return str(action.get("action_ts") or body.get("trigger_id") or "")


def _bad_value(
    ctx: SlackContext, conversation: Conversation, workspace: str, body: dict[str, Any]
) -> None:
    """A button under a message whose value cannot be read: a private note, nothing else."""
    log.warning("unreadable button value in %s", workspace)
    channel, message_ts = _message_of(body)
    if not channel:
        return
    user = str(body["user"]["id"])
    key = f"slack:action:{channel}:{message_ts}:{user}:{_nonce(body['actions'][0], body)}:bad"
    text = t(ctx.lang_for(workspace, user), "buttons.bad_value")
    conversation.note(channel, user, _thread_of(body), key, text)


@dataclass(frozen=True)
class _Press:
    """A click on a button under a message, read once."""

    ctx: SlackContext
    workspace: str
    action: dict[str, Any]
    channel: str
    message_ts: str
    conversation: Conversation
    user: str

    @classmethod
    def of(cls, body: dict[str, Any], client: WebClient, context: BoltContext) -> _Press:
        ctx = slack_context(context)
        workspace = operations.workspace_of(context, body)
        channel, message_ts = _message_of(body)
        return cls(
            ctx,
            workspace,
            body["actions"][0],
            channel,
            message_ts,
            Conversation(ctx, client, workspace),
            str(body["user"]["id"]),
        )


def question_button(
    ack: Ack, body: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    ack()
    press = _Press.of(body, client, context)
    ctx, workspace, action = press.ctx, press.workspace, press.action
    pressed = button_values.parse_question(action.get("value"))
    if pressed is None:
        _bad_value(ctx, press.conversation, workspace, body)
        return
    participant = press.conversation.button(
        str(action["action_id"]),
        pressed,
        press.user,
        press.channel,
        press.message_ts,
        _nonce(action, body),
    )
    if participant is None or action["action_id"] != blocks.ACTION_FORM:
        return
    questions = ctx.services.queries.questions_of(workspace, participant.participation_id)
    answers = ctx.services.queries.answers_of(workspace, participant.participation_id)
    view = blocks.form_modal(
        questions, answers, participant.lang, {"p": participant.participation_id}
    )
    client.views_open(trigger_id=body["trigger_id"], view=view)


def activities_button(
    ack: Ack, body: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    ack()
    press = _Press.of(body, client, context)
    ctx, workspace, action = press.ctx, press.workspace, press.action
    participation_id = button_values.parse_id(action.get("value"))
    if participation_id is None:
        _bad_value(ctx, press.conversation, workspace, body)
        return
    participant = press.conversation.activities_button(
        str(action["action_id"]), participation_id, press.user, press.channel, press.message_ts
    )
    if participant is None or action["action_id"] != blocks.ACTION_CORRECT_ACTIVITIES:
        return
    proposed = [
        a
        for a in ctx.services.activities.activities(workspace, participant.unit_key)
        if a.round_id == participant.round_id
    ]
    view = blocks.activities_modal(proposed, participant.lang, {"p": participant.participation_id})
    client.views_open(trigger_id=body["trigger_id"], view=view)


def home_button(ack: Ack, body: dict[str, Any], client: WebClient, context: BoltContext) -> None:
    ctx = slack_context(context)
    ack()
    workspace = operations.workspace_of(context, body)
    user = str(body["user"]["id"])
    action = body["actions"][0]
    nonce = _nonce(action, body)
    round_id = button_values.parse_id(action.get("value"))
    if round_id is None:
        lang = ctx.lang_for(workspace, user)
        text = t(lang, "buttons.bad_home_value")
        ctx.poster.post(client, workspace, f"home:{nonce}:bad", channel=user, text=text)
        return
    try:
        if action["action_id"] == blocks.HOME_REMIND:
            operations.remind(ctx, client, workspace, user, round_id, nonce)
        elif action["action_id"] == blocks.HOME_CLOSE:
            operations.close(ctx, client, workspace, user, round_id)
        else:
            operations.repost_summary(ctx, client, workspace, user, round_id, nonce)
    except DialogError as err:
        lang = ctx.lang_for(workspace, user)
        ctx.poster.post(
            client, workspace, f"home:{nonce}:error", channel=user, text=error_text(lang, err)
        )
    home.publish_home(ctx, client, workspace, user)


def register(app: App) -> None:
    """Register the button listeners."""
    app.action(blocks.ACTION_FORM)(question_button)
    app.action(blocks.ACTION_FINISH)(question_button)
    app.action(blocks.ACTION_SKIP)(question_button)
    app.action(blocks.ACTION_CORRECT_ACTIVITIES)(activities_button)
    app.action(blocks.ACTION_CONFIRM_ACTIVITIES)(activities_button)
    app.action(blocks.HOME_REPOST)(home_button)
    app.action(blocks.HOME_CLOSE)(home_button)
    app.action(blocks.HOME_REMIND)(home_button)
