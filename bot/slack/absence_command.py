"""``/dialog frånvaro …`` (``/dialog absence …``) on Slack (:mod:`bot.absence_command`).

The text is parsed as Slack delivers it, so a mention (``<@U…>``) still carries the
user id; every name shown is escaped for mrkdwn once.
"""

from __future__ import annotations

from bot import absence_command
from bot.escaping import mrkdwn
from bot.slack.context import SlackContext


def run(ctx: SlackContext, workspace: str, user: str, lang: str, raw: str, trigger_id: str) -> str:
    """Carry out the command text after ``frånvaro`` for ``user``; the reply (mrkdwn).
    ``trigger_id`` identifies the request, so a replayed removal removes nothing more."""
    return absence_command.run(
        ctx.services.absences.in_zone(ctx.tz),
        ctx.services.people,
        workspace,
        user,
        lang,
        raw,
        f"slack:absence:{trigger_id}",
        mrkdwn,
    )
