"""Which round a message is for, when a person has several rounds open in their personal
chat: the platform-neutral part of the question (Slack: :mod:`bot.slack.choose_round`,
Teams: :func:`bot.teams.cards.choose_round`).

Nothing is stored until the person picks a round. Each button carries the choice: the
participation, the message it answers (its conversation and id, so the answer is stored
under the message's own key and a second click changes nothing) and the message's text
when it is small enough to travel with the button (None: the person is asked to write it
again where the round is clear).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Choice:
    """A decoded button: the participation chosen, the message it answers, and its text
    (None when the text was too long to travel with the button)."""

    participation_id: int
    channel: str
    ts: str
    text: str | None


def data(participation_id: int, channel: str, ts: str, text: str | None) -> dict[str, Any]:
    """What a button choosing ``participation_id`` for the message ``ts`` carries."""
    out: dict[str, Any] = {"p": participation_id, "c": channel, "ts": ts}
    if text is not None:
        out["t"] = text
    return out


def from_data(value: Any) -> Choice | None:
    """The choice a button carried; None when it is not one of ours."""
    try:
        text = value.get("t")
        return Choice(
            int(value["p"]),
            str(value["c"]),
            str(value["ts"]),
            str(text) if isinstance(text, str) else None,
        )
    except (ValueError, TypeError, KeyError, AttributeError):
        return None
