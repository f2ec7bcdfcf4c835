"""The start modal: opening it with a suggested deadline, the units it finds as the
process support types, and the check that the deadline lies ahead."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from slack_sdk import WebClient

from bot.i18n import t
from bot.slack import blocks
from bot.slack.context import SlackContext
from bot.unit_search import matching_units
from bot.when import spoken

#: The suggested deadline: this many days ahead (answers are due at 17:00 that day).
SUGGESTED_DAYS = 14


def suggested_deadline(now: datetime, tz: str) -> date:
    """The day two weeks from ``now`` in local time."""
    return now.astimezone(ZoneInfo(tz)).date() + timedelta(days=SUGGESTED_DAYS)


def open_start_modal(
    ctx: SlackContext, client: WebClient, workspace: str, lang: str, trigger_id: str, channel: str
) -> None:
    """Open the start modal with the workspace's templates and levels."""
    choices = ctx.services.starting.choices(workspace)
    view = blocks.start_modal(
        choices.templates,
        choices.levels,
        lang,
        channel if channel and not channel.startswith("D") else None,
        suggested_deadline(ctx.services.kernel.clock.now(), ctx.tz),
    )
    client.views_open(trigger_id=trigger_id, view=view)


def unit_suggestions(
    ctx: SlackContext, workspace: str, user: str, typed: str
) -> list[dict[str, Any]]:
    """The options for what ``user`` typed in the units field: matching units in Swedish
    order, at most 100; none for people who may not start rounds."""
    units = ctx.services.starting.units_for(workspace, user)
    return blocks.unit_options(matching_units(units, typed, blocks.MAX_OPTIONS))


def past_deadline_error(deadline_at: datetime, lang: str, tz: str) -> str:
    """What to say under the deadline field when the chosen deadline has already passed."""
    return t(lang, "start.deadline_past", when=spoken(deadline_at, lang, tz))
