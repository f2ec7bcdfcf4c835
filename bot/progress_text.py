"""What is left of a participation, said the same way everywhere a manager looks:
``2 av 5 frågor kvar, sista dag fredag 15 maj 17:00`` (App Home, the console greeting,
reminders)."""

from __future__ import annotations

from datetime import datetime

from bot.i18n import DEFAULT_TZ, t
from bot.when import spoken


def left_text(
    lang: str, answered: int, total: int, deadline_at: datetime | None, tz: str = DEFAULT_TZ
) -> str:
    """How many questions are unanswered and, when the round has one, its deadline."""
    text = t(lang, "left.questions", left=max(total - answered, 0), total=total)
    if deadline_at is not None:
        text += t(lang, "left.deadline", when=spoken(deadline_at, lang, tz))
    return text
