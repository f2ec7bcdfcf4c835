"""Chat texts for activities, neutral of the platform: user text goes through the
``escape`` the adapter passes (Slack's mrkdwn escaping in ``bot.slack.activities_text``,
plain text for terminals here)."""

from __future__ import annotations

from collections.abc import Callable

from bot.domain.results import ActivityView, Outcome
from bot.escaping import plain
from bot.i18n import t

Escape = Callable[[object], str]
"""Makes user text safe for the target format (renders literally, pings no one)."""

Emphasis = Callable[[str], str]
"""Marks text as emphasised in the target format (e.g. Slack's ``_italic_``)."""


def activity_line(
    a: ActivityView, lang: str, escape: Escape, status_style: Emphasis | None = None
) -> str:
    """One activity as a bullet line: title and owner, and, when ``status_style`` is given,
    its status (styled with it) and status note."""
    owner = t(lang, "chain.followup.owner", owner=escape(a.owner)) if a.owner else ""
    line = f"• {escape(a.title)}{owner}"
    if status_style is not None:
        line += f" — {status_style(t(lang, f'chain.status.{a.status}'))}"
        if a.status_note:
            line += f": {escape(a.status_note)}"
    return line


def render_activity_outcome_text(outcome: Outcome, lang: str = "sv") -> str:
    """:func:`render_activity_outcome` as plain text, for terminals."""
    return render_activity_outcome(outcome, lang, plain)


def render_activity_outcome(outcome: Outcome, lang: str, escape: Escape) -> str:
    """What to say about an outcome's activities: the list to confirm, the confirmed or
    corrected list, or the saved follow-up; empty when the outcome has none. User text is
    passed through ``escape``."""
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
    return "\n".join([head, *(activity_line(a, lang, escape) for a in items)])
