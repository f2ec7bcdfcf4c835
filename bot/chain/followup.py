"""Follow-up of open activities in the unit's next dialog: the prompts and their replies.

A round whose template has ``activity_followup: true`` asks about each of the unit's
open activities from earlier rounds before the ordinary questions: "klar / pågår /
stoppad, och varför?". A reply like "pågår – väntar på budget" sets the status and
note; skipping leaves the status as it was. The participant's position among the
template's questions does not move while follow-ups are pending.
"""

from __future__ import annotations

from bot.domain.results import ActivityView, QuestionPrompt
from bot.i18n import t

#: ``question_key`` of follow-up prompts (never a template question key: those are a-z0-9_).
FOLLOWUP_KEY = "activity-followup"


def followup_prompt(
    participation_id: int,
    round_id: int,
    position: int,
    total: int,
    lang: str,
    activity: ActivityView,
    remaining: int,
    anonymous: bool = False,
) -> QuestionPrompt:
    """A prompt asking how an open activity went; in an anonymous round it says that the
    reply is stored with the unit's activity, not anonymously, and can be skipped."""
    owner = t(lang, "chain.followup.owner", owner=activity.owner) if activity.owner else ""
    text = t(lang, "chain.followup.question", title=activity.title, owner=owner)
    hint = t(lang, "chain.followup.hint")
    if anonymous:
        hint += " " + t(lang, "chain.followup.not_anonymous")
    return QuestionPrompt(
        participation_id=participation_id,
        round_id=round_id,
        index=position,
        total=total,
        question_key=FOLLOWUP_KEY,
        text=text,
        hint=hint,
        previous_answer=None,
        lang=lang,
        followup=activity,
        followup_remaining=remaining,
    )
