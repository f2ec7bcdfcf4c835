"""What the process support is told about a round start (mrkdwn, escaped)."""

from __future__ import annotations

from bot.domain.errors import DialogError
from bot.domain.results import RoundStarted
from bot.escaping import mrkdwn
from bot.i18n import t


def started_text(lang: str, started: RoundStarted) -> str:
    """The round started: its number, title, participants and channel, and the units
    that have nobody to ask."""
    info = started.round
    text = t(
        lang,
        "slack.started",
        round_id=info.round_id,
        title=mrkdwn(info.title),
        count=len(started.participants),
        channel=info.group_ref,
    )
    if started.units_without_manager:
        text += "\n" + t(
            lang, "slack.no_manager", units=mrkdwn(", ".join(started.units_without_manager))
        )
    return text


def refused_text(lang: str, err: DialogError) -> str:
    """A start refused after the ack, with the reason (parameters escaped)."""
    reason = t(lang, err.key, **{k: mrkdwn(v) for k, v in err.params.items()})
    return t(lang, "slack.start_failed", reason=reason)
