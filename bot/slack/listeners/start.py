"""Starting a round from the Home tab's button, and the start modal's unit type-ahead."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient

from bot.domain.errors import DialogError
from bot.slack import home, operations
from bot.slack.context import error_text, slack_context
from bot.slack.start_form import open_start_modal, unit_suggestions


def start_pressed(ack: Ack, body: dict[str, Any], client: WebClient, context: BoltContext) -> None:
    ctx = slack_context(context)
    ack()
    workspace = operations.workspace_of(context, body)
    user = str(body["user"]["id"])
    lang = ctx.lang_for(workspace, user)
    try:
        operations.require_organiser(ctx, workspace, user, "start")
    except DialogError as err:
        key = f"home:{body.get('trigger_id')}:start-refused"
        ctx.poster.post(client, workspace, key, channel=user, text=error_text(lang, err))
        return
    open_start_modal(ctx, client, workspace, lang, str(body["trigger_id"]), "")


def units_typed(ack: Ack, body: dict[str, Any], context: BoltContext) -> None:
    ctx = slack_context(context)
    workspace = operations.workspace_of(context, body)
    user = str((body.get("user") or {}).get("id") or "")
    typed = str(body.get("value") or "")
    ack(options=unit_suggestions(ctx, workspace, user, typed))


def register(app: App) -> None:
    """Register the Home tab's start button and the units field's options."""
    app.action(home.HOME_START)(start_pressed)
    app.options({"block_id": "units", "action_id": "value"})(units_typed)
