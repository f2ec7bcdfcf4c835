"""The App Home tab, rebuilt from the engine each time it is opened or changed."""

from __future__ import annotations

import logging

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from bot.errors import UnknownPerson
from bot.i18n import t
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


def publish_home(ctx: SlackContext, client: WebClient, workspace: str, user: str) -> None:
    """Publish the Home tab for ``user``: rounds and actions for process supports,
    pending questions for managers."""
    engine = ctx.engine
    lang = ctx.lang_for(workspace, user)
    organiser = engine.is_organiser(workspace, user)
    open_rounds = (
        [engine.status(workspace, r.round_id) for r in engine.rounds(workspace, "open")]
        if organiser
        else None
    )
    closed = engine.rounds(workspace, "closed")[:5] if organiser else []
    view = blocks.home_view(
        lang, ctx.tz, open_rounds, closed, pending_items(ctx, client, workspace, user)
    )
    client.views_publish(user_id=user, view=view)
