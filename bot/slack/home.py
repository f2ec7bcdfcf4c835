"""The App Home tab, rebuilt from the engine each time it is opened or changed."""

from __future__ import annotations

import logging
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from bot.access import NoReadAccess
from bot.errors import UnknownPerson
from bot.i18n import t
from bot.results import RoundStatus
from bot.slack import blocks
from bot.slack.context import SlackContext
from bot.slack.notifier import split_thread_ref

log = logging.getLogger(__name__)


def permalink(client: WebClient, ref: str | None) -> str | None:
    """A link to a stored thread, or None if Slack cannot give one."""
    if not ref:
        return None
    channel, ts = split_thread_ref(ref)
    try:
        link = client.chat_getPermalink(channel=channel, message_ts=ts).get("permalink")
    except (SlackApiError, SlackClientError) as err:
        log.info("no permalink for %s: %s", ref, err)
        return None
    return str(link) if link else None


def pending_items(
    ctx: SlackContext, client: WebClient, workspace: str, user: str
) -> list[blocks.PendingItem]:
    """A person's unanswered rounds with links to their threads."""
    try:
        pending = ctx.engine.pending_for(workspace, user)
    except UnknownPerson:
        return []
    titles: dict[int, str] = {}
    items: list[blocks.PendingItem] = []
    for participant, prompt in pending:
        if participant.round_id not in titles:
            titles[participant.round_id] = ctx.engine.round_info(
                workspace, participant.round_id
            ).title
        items.append(
            blocks.PendingItem(
                title=titles[participant.round_id],
                unit_name=participant.unit_name,
                progress=t(prompt.lang, "progress", n=prompt.number, total=prompt.total),
                link=permalink(client, participant.thread_ref),
            )
        )
    return items


def branch_blocks(lang: str, tz: str, statuses: list[RoundStatus]) -> list[dict[str, Any]]:
    """A manager's view of open rounds in their branch: progress only, no buttons."""
    if not statuses:
        return []
    out: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": t(lang, "access.home.branch")}}
    ]
    for status in statuses[:10]:
        out.append({"type": "divider"})
        out.append(
            {
                "type": "section",
                "text": {"type": "mrkdwn", "text": blocks.status_text(status, tz)},
            }
        )
    return out


def publish_home(ctx: SlackContext, client: WebClient, workspace: str, user: str) -> None:
    """Publish the Home tab for ``user``: every open round with actions for process
    supports; pending questions and the progress of open rounds in their branch (read
    only) for managers; for anyone else only their own pending questions. What each
    person may see is decided by the engine (:mod:`bot.access`)."""
    engine = ctx.engine
    lang = ctx.lang_for(workspace, user)
    organiser = engine.is_organiser(workspace, user)
    branch: list[RoundStatus] = []
    if organiser:
        open_rounds: list[RoundStatus] | None = engine.open_statuses_for(workspace, user)
    else:
        open_rounds = None
        try:
            branch = engine.open_statuses_for(workspace, user)
        except NoReadAccess:
            branch = []
    closed = engine.rounds(workspace, "closed")[:5] if organiser else []
    view = blocks.home_view(
        lang, ctx.tz, open_rounds, closed, pending_items(ctx, client, workspace, user)
    )
    extra = branch_blocks(lang, ctx.tz, branch)
    if extra:
        view["blocks"] = (view["blocks"] + extra)[: blocks.MAX_VIEW_BLOCKS]
    client.views_publish(user_id=user, view=view)
