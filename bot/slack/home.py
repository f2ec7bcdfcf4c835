"""The App Home tab, rebuilt from the engine each time it is opened or changed."""

from __future__ import annotations

import logging
from typing import Any

from slack_sdk import WebClient

from bot.domain.access import NoReadAccess
from bot.domain.errors import UnknownPerson
from bot.domain.results import RoundInfo, RoundStatus
from bot.escaping import mrkdwn
from bot.i18n import t
from bot.progress_text import left_text
from bot.schedule.upcoming import Upcoming, upcoming_rounds
from bot.slack import absence_home, blocks
from bot.slack.context import SlackContext
from bot.slack.links import permalink
from bot.when import spoken

log = logging.getLogger(__name__)

HOME_START = "home_start"


def pending_items(
    ctx: SlackContext, client: WebClient, workspace: str, user: str
) -> list[blocks.PendingItem]:
    """A person's unanswered rounds: how many questions are left, the deadline and a link
    to their thread."""
    try:
        pending = ctx.services.queries.pending_for(workspace, user)
    except UnknownPerson:
        return []
    infos: dict[int, RoundInfo] = {}
    items: list[blocks.PendingItem] = []
    for participant, prompt in pending:
        if participant.round_id not in infos:
            infos[participant.round_id] = ctx.services.queries.round_info(
                workspace, participant.round_id
            )
        info = infos[participant.round_id]
        items.append(
            blocks.PendingItem(
                title=info.title,
                unit_name=participant.unit_name,
                progress=left_text(
                    prompt.lang, participant.answered, participant.total, info.deadline_at, ctx.tz
                ),
                link=permalink(client, participant.thread_ref),
            )
        )
    return items


def start_button(lang: str) -> dict[str, Any]:
    """The "Starta runda" button on a process support's Home (opens the start modal)."""
    return {
        "type": "actions",
        "block_id": "home_start",
        "elements": [
            {
                "type": "button",
                "action_id": HOME_START,
                "style": "primary",
                "text": {"type": "plain_text", "text": t(lang, "home.start_button")},
                "value": "start",
            }
        ],
    }


def upcoming_blocks(lang: str, tz: str, upcoming: Upcoming) -> list[dict[str, Any]]:
    """The next rounds of the annual schedule, with start and deadline."""
    if upcoming.problem is not None:
        text = t(lang, "home.upcoming_broken", reason=mrkdwn(upcoming.problem))
    elif not upcoming.rounds:
        text = t(lang, "home.upcoming_none")
    else:
        text = "\n".join(
            "• "
            + t(
                lang,
                "home.upcoming_line",
                name=mrkdwn(planned.name),
                start=spoken(planned.starts_at, lang, tz, with_year=True),
                deadline=spoken(planned.deadline_at, lang, tz, with_year=True),
            )
            for planned in upcoming.rounds
        )
    return [
        {"type": "header", "text": {"type": "plain_text", "text": t(lang, "home.upcoming")}},
        {"type": "section", "text": {"type": "mrkdwn", "text": blocks.clip(text, 3000)}},
    ]


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
    """Publish the Home tab for ``user``: for process supports a "Starta runda" button,
    every open round with its response rate, deadline and actions, and the next rounds of
    the annual schedule; pending questions (what is left, the deadline) and the progress of open rounds in their branch (read
    only) and their absences for managers (every upcoming absence for process supports,
    with a "Registrera frånvaro" button); for anyone else only their own pending questions. What each
    person may see is decided by the engine (:mod:`bot.domain.access`)."""
    services = ctx.services
    lang = ctx.lang_for(workspace, user)
    organiser = services.rounds.is_organiser(workspace, user)
    branch: list[RoundStatus] = []
    if organiser:
        open_rounds: list[RoundStatus] | None = services.queries.open_statuses_for(workspace, user)
    else:
        open_rounds = None
        try:
            branch = services.queries.open_statuses_for(workspace, user)
        except NoReadAccess:
            branch = []
    closed = services.queries.rounds(workspace, "closed")[:5] if organiser else []
    view = blocks.home_view(
        lang, ctx.tz, open_rounds, closed, pending_items(ctx, client, workspace, user)
    )
    if organiser:
        upcoming = upcoming_rounds(services, workspace, services.kernel.clock.now(), lang=lang)
        view["blocks"] = [
            *view["blocks"][:2],
            start_button(lang),
            *view["blocks"][2:],
            *upcoming_blocks(lang, ctx.tz, upcoming),
        ][: blocks.MAX_VIEW_BLOCKS]
    extra = branch_blocks(lang, ctx.tz, branch)
    if extra:
        view["blocks"] = (view["blocks"] + extra)[: blocks.MAX_VIEW_BLOCKS]
    absences = services.absences.in_zone(ctx.tz).overview(workspace, user)
    if absences is not None:
        section = absence_home.section(lang, absences)
        view["blocks"] = view["blocks"][: blocks.MAX_VIEW_BLOCKS - len(section)] + section
    client.views_publish(user_id=user, view=view)
