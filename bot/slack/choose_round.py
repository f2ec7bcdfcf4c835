"""Which round is a top-level DM for? When a person has several rounds open in DM delivery,
a message outside their threads could answer any of them: nothing is stored, and the bot
asks with one button per round. The button carries the message (its ts, and its text when
it fits in a button value), so the click stores exactly what was written in the chosen
round, under the message's own key (a second click changes nothing). What a button
carries is shared with Teams (:mod:`bot.domain.round_choice`).
"""

from __future__ import annotations

import json

from slack_sdk.models.blocks import ActionsBlock, ButtonElement, SectionBlock

from bot.domain.results import Participant
from bot.domain.round_choice import Choice, data, from_data
from bot.escaping import mrkdwn
from bot.i18n import t
from bot.slack.blocks import Message, clip

#: ``action_id`` prefix of the buttons (one per round; ids must differ within a block).
ACTION_CHOOSE_ROUND = "dialog_choose_round"
#: Slack's limit on a button value.
MAX_VALUE = 2000
MAX_CHOICES = 25


def encode(participation_id: int, channel: str, ts: str, text: str) -> str:
    """The value of a button choosing ``participation_id`` for the message ``ts``."""
    value = json.dumps(data(participation_id, channel, ts, text))
    if len(value) <= MAX_VALUE:
        return value
    return json.dumps(data(participation_id, channel, ts, None))


def decode(value: str) -> Choice | None:
    """The choice in a button value; None when it is not one of ours."""
    try:
        return from_data(json.loads(value))
    except ValueError:
        return None


def question(
    lang: str, titles: list[tuple[Participant, str]], channel: str, ts: str, text: str
) -> Message:
    """The question with one button per open round (its title)."""
    prompt = t(lang, "outbox-and-races.which_round")
    buttons = [
        ButtonElement(
            text=clip(title, 75),
            action_id=f"{ACTION_CHOOSE_ROUND}:{n}",
            value=encode(participant.participation_id, channel, ts, text),
        )
        for n, (participant, title) in enumerate(titles[:MAX_CHOICES])
    ]
    blocks = [SectionBlock(text=mrkdwn(prompt)).to_dict()]
    for start in range(0, len(buttons), 5):
        blocks.append(ActionsBlock(elements=buttons[start : start + 5]).to_dict())
    return Message(mrkdwn(prompt), blocks)
