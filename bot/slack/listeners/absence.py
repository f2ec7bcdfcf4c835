"""Absence from the App Home tab: the "Registrera frånvaro" button and modal, and an
absence's "Ta bort" button."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient

from bot.domain.absence import AlreadyRemoved
from bot.domain.errors import DialogError
from bot.i18n import t
from bot.slack import absence_home, blocks, home, operations
from bot.slack.button_values import parse_id
from bot.slack.context import error_text, slack_context

log = logging.getLogger(__name__)


def open_pressed(ack: Ack, body: dict[str, Any], client: WebClient, context: BoltContext) -> None:
    ctx = slack_context(context)
    ack()
    workspace = operations.workspace_of(context, body)
    user = str(body["user"]["id"])
    lang = ctx.lang_for(workspace, user)
    service = ctx.services.absences.in_zone(ctx.tz)
    organiser = ctx.services.rounds.is_organiser(workspace, user)
    client.views_open(
        trigger_id=str(body["trigger_id"]),
        view=absence_home.modal(lang, service.today(), organiser),
    )


def register_submitted(
    ack: Ack, body: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    ctx = slack_context(context)
    # Registered before the ack, so a refusal shows under its field and the modal
    # keeps what was chosen; the same period again is the same absence.
    workspace = operations.workspace_of(context, body)
    user = str(body["user"]["id"])
    lang = ctx.lang_for(workspace, user)
    wanted = absence_home.registration((body["view"].get("state") or {}).get("values") or {})
    missing = {
        field: t(lang, "absence.modal.bad_date")
        for field, day in (
            (absence_home.STARTS_ON, wanted.starts_on),
            (absence_home.ENDS_ON, wanted.ends_on),
        )
        if day is None
    }
    if missing or wanted.starts_on is None or wanted.ends_on is None:
        ack(response_action="errors", errors=missing)
        return
    try:
        period = ctx.services.absences.in_zone(ctx.tz).register(
            workspace,
            user,
            wanted.starts_on,
            wanted.ends_on,
            person=wanted.person,
            deputy=wanted.deputy,
        )
    except DialogError as err:
        field = absence_home.error_field(err, wanted)
        ack(
            response_action="errors",
            errors={field: blocks.clip(error_text(lang, err), 150)},
        )
        return
    ack()
    for person in dict.fromkeys((user, period.person)):
        home.publish_home(ctx, client, workspace, person)


def remove_pressed(ack: Ack, body: dict[str, Any], client: WebClient, context: BoltContext) -> None:
    ctx = slack_context(context)
    ack()
    workspace = operations.workspace_of(context, body)
    user = str(body["user"]["id"])
    action = (body.get("actions") or [{}])[0]
    absence_id = parse_id(action.get("value") if isinstance(action, dict) else None)
    person = user
    if absence_id is not None:
        try:
            person = (
                ctx.services.absences.in_zone(ctx.tz).withdraw(workspace, user, absence_id).person
            )
        except AlreadyRemoved:
            pass
        except DialogError as err:
            lang = ctx.lang_for(workspace, user)
            key = f"home:{body.get('trigger_id')}:absence-refused"
            ctx.poster.post(client, workspace, key, channel=user, text=error_text(lang, err))
    else:
        log.warning("an absence button without an absence id was pressed")
    for who in dict.fromkeys((user, person)):
        home.publish_home(ctx, client, workspace, who)


def register(app: App) -> None:
    """Register the absence buttons of the Home tab and the registration modal."""
    app.action(absence_home.OPEN)(open_pressed)
    app.view(absence_home.VIEW)(register_submitted)
    app.action(absence_home.REMOVE)(remove_pressed)
