"""The ``/dialog`` slash command: start, status, remind, close, mina, help."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient

from bot.chain.export import export_round
from bot.domain.commands import StartRound
from bot.domain.errors import DialogError
from bot.domain.formats import EXPORT_FORMATS, ExportFormat
from bot.escaping import mrkdwn
from bot.i18n import t
from bot.slack import absence_command, blocks, home, inbound, operations, round_start
from bot.slack.activities_text import render_activities_mrkdwn
from bot.slack.command_text import Command, parse_round_id, parse_start, split_command
from bot.slack.context import SlackContext, error_text, slack_context
from bot.slack.start_form import open_start_modal

log = logging.getLogger(__name__)


def dialog_command(
    ack: Ack, body: dict[str, Any], client: WebClient, context: BoltContext, respond: Respond
) -> None:
    ctx = slack_context(context)
    workspace = operations.workspace_of(context, body)
    command = split_command(
        inbound.command_text(
            str(body.get("text") or ""),
            lambda ids: ctx.services.people.names(workspace, ids),
        )
    )
    user = str(body["user_id"])
    lang = ctx.lang_for(workspace, user)
    if command.action == "help":
        ack(text=t(lang, "slack.help"), response_type="ephemeral")
        return
    if command.action == "start" and command.rest.strip():
        # Only the command is stored before the ack (one short transaction; the common
        # refusals answer in the ack): a round of a thousand managers takes seconds to
        # start, longer than Slack waits. The round starts right after the ack.
        try:
            cmd = _start_command(ctx, workspace, user, lang, command.rest, body)
            accepted = ctx.services.round_starts.accept(workspace, cmd)
        except DialogError as err:
            ack(text=error_text(lang, err), response_type="ephemeral")
            return
        ack(text=t(lang, "slack.starting"), response_type="ephemeral")
        round_start.carry_out(ctx, client, workspace, accepted, cmd, respond, lang)
        return
    ack()
    try:
        text = _run(ctx, client, workspace, user, lang, command, body)
    except DialogError as err:
        text = error_text(lang, err)
    if text:
        respond(text=text, response_type="ephemeral", replace_original=False)


def register(app: App) -> None:
    """Register the ``/dialog`` command."""
    app.command("/dialog")(dialog_command)


def _run(
    ctx: SlackContext,
    client: WebClient,
    workspace: str,
    user: str,
    lang: str,
    command: Command,
    body: dict[str, Any],
) -> str | None:
    if command.action == "start":
        return _start(ctx, client, workspace, user, lang, command.rest, body)
    if command.action == "status":
        return _status(ctx, workspace, user, parse_round_id(command.rest))
    if command.action == "remind":
        info, count = operations.remind(
            ctx, client, workspace, user, parse_round_id(command.rest), str(body["trigger_id"])
        )
        return t(lang, "slack.reminded", count=count, round_id=info.round_id)
    if command.action == "close":
        info, newly = operations.close(ctx, client, workspace, user, parse_round_id(command.rest))
        key = "slack.closed" if newly else "slack.already_closed"
        return t(lang, key, round_id=info.round_id, channel=info.group_ref)
    if command.action == "mine":
        items = home.pending_items(ctx, client, workspace, user)
        if not items:
            return t(lang, "slack.mine_none")
        return t(lang, "slack.mine_header") + "\n" + blocks.pending_lines(items, lang)
    if command.action == "activities":
        return _activities(ctx, workspace, user, lang, command.rest)
    if command.action == "export":
        return _export(ctx, client, workspace, user, lang, command.rest)
    if command.action == "absence":  # parsed as delivered: mentions keep their user ids
        raw = split_command(str(body.get("text") or "")).rest
        return absence_command.run(ctx, workspace, user, lang, raw, str(body["trigger_id"]))
    raise AssertionError(command.action)  # pragma: no cover - split_command knows them all


def _activities(ctx: SlackContext, workspace: str, user: str, lang: str, rest: str) -> str:
    """A unit's activities: the named unit, or the units the user manages."""
    units = (
        [rest.strip()] if rest.strip() else ctx.services.queries.managed_unit_keys(workspace, user)
    )
    if not units:
        return t(lang, "slack.activities_which_unit")
    return "\n\n".join(
        render_activities_mrkdwn(
            ctx.services.activities.activities_for(workspace, unit, user), lang
        )
        for unit in units
    )


def _export(
    ctx: SlackContext, client: WebClient, workspace: str, user: str, lang: str, rest: str
) -> str:
    """Post a round's documentation (md, html or docx) to its receiving channel."""
    operations.require_organiser(ctx, workspace, user, "export")
    words = rest.split()
    fmt: ExportFormat = next((f for f in EXPORT_FORMATS if f in (w.lower() for w in words)), "docx")
    numbers = [w for w in words if w.lower() not in EXPORT_FORMATS]
    info = operations.resolve_round(
        ctx, workspace, parse_round_id(numbers[0] if numbers else ""), "export"
    )
    content, filename = export_round(ctx.services, workspace, info.round_id, fmt)
    ctx.poster.upload(
        client,
        workspace,
        f"round:{info.round_id}:export:{fmt}:{ctx.services.kernel.clock.now():%Y%m%d%H%M}",
        channel=info.group_ref,
        filename=filename,
        content=content if fmt == "docx" else content.decode("utf-8"),
        title=filename,
        comment=t(lang, "slack.export_comment", title=mrkdwn(info.title)),
    )
    return t(lang, "slack.export_posted", round_id=info.round_id, channel=info.group_ref)


def _start(
    ctx: SlackContext,
    client: WebClient,
    workspace: str,
    user: str,
    lang: str,
    rest: str,
    body: dict[str, Any],
) -> str | None:
    """``/dialog start`` without arguments: the start modal."""
    operations.require_organiser(ctx, workspace, user, "start")
    channel_here = str(body.get("channel_id") or "")
    open_start_modal(ctx, client, workspace, lang, str(body["trigger_id"]), channel_here)
    return None


def _start_command(
    ctx: SlackContext,
    workspace: str,
    user: str,
    lang: str,
    rest: str,
    body: dict[str, Any],
) -> StartRound:
    """The start command of the text form, checked as far as it can be without the
    database. The trigger id keys the round, so a repeated request starts nothing new."""
    operations.require_organiser(ctx, workspace, user, "start")  # before the text's errors
    here = str(body.get("channel_id") or "")
    command = parse_start(rest, ctx.tz).command(
        channel_here=None if here.startswith("D") else here,
        lang=lang,
        started_by=user,
        external_key=f"slack:command:{body['trigger_id']}",
    )
    return command.checked(ctx.services.kernel.clock.now(), ctx.tz)


def _status(ctx: SlackContext, workspace: str, user: str, round_id: int | None) -> str:
    """Progress as the user may see it (the engine applies the read rules)."""
    if round_id is not None:
        statuses = [ctx.services.queries.status_for(workspace, round_id, user)]
    else:
        statuses = ctx.services.queries.open_statuses_for(workspace, user)
        if not statuses:
            raise operations.NoOpenRound()
    return "\n\n".join(blocks.status_text(status, ctx.tz) for status in statuses[:10])
