"""Activity texts in Slack mrkdwn (user text escaped), built on the platform-neutral
renderers of :mod:`bot.chain.chat`."""

from __future__ import annotations

from collections.abc import Sequence

from bot.chain.chat import activity_line, render_activity_outcome
from bot.domain.results import ActivityView, Outcome
from bot.escaping import mrkdwn
from bot.i18n import t


def _italic(text: str) -> str:
    return f"_{text}_"


def render_activities_mrkdwn(activities: Sequence[ActivityView], lang: str = "sv") -> str:
    """A unit's activity list with status, e.g. for ``/dialog aktiviteter``."""
    if not activities:
        return t(lang, "chain.activities.none")
    title = t(lang, "chain.activities.title", unit=mrkdwn(activities[0].unit_name))
    return "\n".join([f"*{title}*", *(activity_line(a, lang, mrkdwn, _italic) for a in activities)])


def render_activity_outcome_mrkdwn(outcome: Outcome, lang: str = "sv") -> str:
    """What to say about an outcome's activities (see :func:`render_activity_outcome`), in
    mrkdwn; empty when the outcome has none."""
    return render_activity_outcome(outcome, lang, mrkdwn)
