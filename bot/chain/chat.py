"""Chat texts for activities (Slack mrkdwn, user text escaped) for the adapters to post."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from bot.escaping import mrkdwn, plain
from bot.i18n import t
from bot.results import ActivityView, Outcome


def _line(
    a: ActivityView, lang: str, with_status: bool, escape: Callable[[object], str] = mrkdwn
) -> str:
    owner = t(lang, "chain.followup.owner", owner=escape(a.owner)) if a.owner else ""
    line = f"• {escape(a.title)}{owner}"
    if with_status:
        line += f" — _{t(lang, f'chain.status.{a.status}')}_"
        if a.status_note:
            line += f": {escape(a.status_note)}"
    return line


def render_activities_mrkdwn(activities: Sequence[ActivityView], lang: str = "sv") -> str:
    """A unit's activity list with status, e.g. for ``/dialog aktiviteter``."""
    if not activities:
        return t(lang, "chain.activities.none")
    title = t(lang, "chain.activities.title", unit=mrkdwn(activities[0].unit_name))
    return "\n".join([f"*{title}*", *(_line(a, lang, True) for a in activities)])


def render_activity_outcome_mrkdwn(outcome: Outcome, lang: str = "sv") -> str:
    """What to say about an outcome's activities: the list to confirm, the confirmed or
    corrected list, or the saved follow-up; empty when the outcome has none."""
    return render_activity_outcome(outcome, lang, mrkdwn)


def render_activity_outcome_text(outcome: Outcome, lang: str = "sv") -> str:
    """:func:`render_activity_outcome_mrkdwn` as plain text, for terminals."""
    return render_activity_outcome(outcome, lang, plain)


def render_activity_outcome(outcome: Outcome, lang: str, escape: Callable[[object], str]) -> str:
    """The activity text of an outcome with user text passed through ``escape``."""
    items = outcome.activities
    if not items:
        return ""
    if outcome.kind == "followed_up":
        a = items[0]
        status = t(lang, f"chain.status.{a.status}")
        return t(lang, "chain.followup.saved", title=escape(a.title), status=status)
    if outcome.activities_to_confirm:
        head = t(lang, "chain.activities.to_confirm", n=len(items))
    elif outcome.kind == "activities_corrected":
        head = t(lang, "chain.activities.corrected", n=len(items))
    elif outcome.kind == "activities_confirmed":
        head = t(lang, "chain.activities.confirmed")
    else:
        return ""
    return "\n".join([head, *(_line(a, lang, False, escape) for a in items)])
