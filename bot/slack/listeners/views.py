"""Modal submissions: starting a round, and the answer form."""

from __future__ import annotations

import json
import logging
from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient
from sqlalchemy.exc import SQLAlchemyError

from bot.domain.commands import MissingField, StartRound
from bot.domain.errors import DialogError, NoParticipation
from bot.domain.results import Participant
from bot.domain.timeparse import parse_deadline
from bot.i18n import DEFAULT_LANG, t
from bot.input_errors import DeadlineInPast
from bot.slack import blocks, operations, round_start
from bot.slack.context import SlackContext, slack_context
from bot.slack.conversation import Conversation
from bot.slack.start_form import past_deadline_error

log = logging.getLogger(__name__)


def _value(values: dict[str, Any], block: str) -> dict[str, Any]:
    return dict((values.get(block) or {}).get("value") or {})


def start_command(values: dict[str, Any], user: str, view_id: str, tz: str) -> StartRound:
    """The StartRound command from the start modal's state values."""
    template = (_value(values, "template").get("selected_option") or {}).get("value")
    units = [o["value"] for o in _value(values, "units").get("selected_options") or []]
    level = (_value(values, "level").get("selected_option") or {}).get("value")
    channel = _value(values, "channel").get("selected_conversation")
    deadline = _value(values, "deadline").get("selected_date")
    anonymous = bool(_value(values, "anonymous").get("selected_options"))
    lang = (_value(values, "lang").get("selected_option") or {}).get("value") or "sv"
    delivery = (_value(values, "delivery").get("selected_option") or {}).get("value") or "channel"
    return StartRound(
        template=str(template or ""),
        units=units,
        group_ref=str(channel or ""),
        level=level,
        subtrees=True,
        deadline_at=parse_deadline(deadline, tz) if deadline else None,
        anonymous=anonymous,
        lang=lang,
        started_by=user,
        delivery=delivery,
        external_key=f"slack:view:{view_id}",
    )


def start_refusal(err: DialogError, lang: str, tz: str) -> tuple[str, str]:
    """The start modal's field and message for a refused start (this adapter's edge)."""
    if isinstance(err, DeadlineInPast) and err.at is not None:
        return "deadline", past_deadline_error(err.at, lang, tz)
    if isinstance(err, MissingField) and err.field == "units":
        return "units", t(lang, "slack.field.required")
    return "units", t(lang, err.key, **{k: str(v) for k, v in err.params.items()})


def _submitter_participant(
    ctx: SlackContext, workspace: str, body: dict[str, Any]
) -> Participant | None:
    """The participation a modal was opened for (its private metadata), if the person
    submitting it is that participant."""
    meta = json.loads(body["view"].get("private_metadata") or "{}")
    try:
        participant = ctx.services.queries.participant(workspace, int(meta["p"]))
    except (NoParticipation, KeyError, ValueError):
        return None
    if participant.chat_id != str(body["user"]["id"]):
        log.warning(
            "a modal of participation %s was submitted by another user",
            participant.participation_id,
        )
        return None
    return participant


def start_submitted(
    ack: Ack, body: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    ctx = slack_context(context)
    workspace = operations.workspace_of(context, body)
    user = str(body["user"]["id"])
    view = body["view"]
    lang = ctx.lang_for(workspace, user)
    # Only the command is stored before the ack (the checks that need no writing show a
    # refusal in the modal); the round, which takes seconds for a thousand managers,
    # starts right after it. A redelivered submission finds the same job or round.
    try:
        cmd = start_command(view["state"]["values"], user, str(view["id"]), ctx.tz)
        cmd = cmd.checked(ctx.services.kernel.clock.now(), ctx.tz)
        accepted = ctx.services.round_starts.accept(workspace, cmd)
    except DialogError as err:
        field, message = start_refusal(err, lang, ctx.tz)
        ack(response_action="errors", errors={field: blocks.clip(message, 150)})
        return
    ack()
    round_start.carry_out(ctx, client, workspace, accepted, cmd)


def activities_submitted(
    ack: Ack, body: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    ctx = slack_context(context)
    view = body["view"]
    field = (view["state"]["values"].get("activities") or {}).get("list") or {}
    text = str(field.get("value") or "")
    if not text.strip():
        lang = ctx.lang_for(operations.workspace_of(context, body), str(body["user"]["id"]))
        ack(response_action="errors", errors={"activities": t(lang, "error.empty_answer")})
        return
    ack()
    workspace = operations.workspace_of(context, body)
    participant = _submitter_participant(ctx, workspace, body)
    if participant is None:
        return
    Conversation(ctx, client, workspace).activities_corrected(participant, text, str(view["id"]))


def form_submitted(ack: Ack, body: dict[str, Any], client: WebClient, context: BoltContext) -> None:
    ctx = slack_context(context)
    # Stored before the ack, like thread replies: an acknowledged form is a stored
    # form. A refusal or an unreachable database shows in the modal, which keeps
    # what was typed.
    workspace = operations.workspace_of(context, body)
    view = body["view"]
    answers: dict[str, str] = {}
    for block_id, fields in (view.get("state") or {}).get("values", {}).items():
        if block_id.startswith("q:"):
            answers[block_id[2:]] = str((fields.get("answer") or {}).get("value") or "")
    conversation = Conversation(ctx, client, workspace)
    lang = DEFAULT_LANG
    try:
        participant = _submitter_participant(ctx, workspace, body)
        if participant is None:
            ack()
            return
        lang = participant.lang
        planned = conversation.store_form(participant, answers, str(view["id"]))
    except DialogError as err:
        _refuse_form(ack, answers, t(lang, err.key, **{k: str(v) for k, v in err.params.items()}))
        return
    except SQLAlchemyError as err:
        log.warning("form not stored, database unavailable: %s", type(err).__name__)
        _refuse_form(ack, answers, t(lang, "outbox-and-races.form_unavailable"))
        return
    ack()
    conversation.deliver(planned)


def register(app: App) -> None:
    """Register the view submission listeners."""
    app.view(blocks.VIEW_START)(start_submitted)
    app.view(blocks.VIEW_ACTIVITIES)(activities_submitted)
    app.view(blocks.VIEW_FORM)(form_submitted)


def _refuse_form(ack: Ack, answers: dict[str, str], message: str) -> None:
    """Keep the form open with ``message`` under its first field (the typed text stays)."""
    if not answers:
        raise RuntimeError("a form without fields cannot show an error")
    first = next(iter(answers))
    ack(response_action="errors", errors={f"q:{first}": blocks.clip(message, 150)})
