"""A message in the Teams personal chat while several rounds are open for the person: it
answers the round of the question card it replies to, or else nothing is stored and a card
asks which round it is for (as on Slack). Over HTTP against the fake Bot Connector."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fakes.teams.connector import DEFAULT_TENANT
from fakes.teams.harness import TeamsHarness
from support.sample import load_sample_org

from bot.services.container import Services

CHANNEL = "19:ledning@thread.tacv2"
SUPPORT = "U0PROC01"
ANNA = "U0ENHHTN"  # manager of Hemtjänst Norr
VAREN = f'dialog start avstamning enheter:"Hemtjänst Norr" kanal:{CHANNEL} titel:"Våren"'
PLANEN = f'dialog start planering enheter:"Hemtjänst Norr" kanal:{CHANNEL} titel:"Planen"'
ASKED = "vilken ditt svar gäller"


@pytest.fixture
def teams(make_services: Callable[[], Services]) -> Iterator[TeamsHarness]:
    services = make_services()
    load_sample_org(services, DEFAULT_TENANT)
    with TeamsHarness(services) as harness:
        harness.fake.add_channel(CHANNEL)
        for user in (SUPPORT, ANNA):
            harness.install(user)
        yield harness


def _pid(h: TeamsHarness, round_id: int) -> int:
    status = h.services.queries.status(DEFAULT_TENANT, round_id)
    return status.units[0].participants[0].participation_id


def _answers(h: TeamsHarness, round_id: int) -> dict[str, str]:
    return h.services.queries.answers_of(DEFAULT_TENANT, _pid(h, round_id))


def _conv(h: TeamsHarness) -> str:
    conv = h.fake.personal_chat_of(f"29:{ANNA}")
    assert conv is not None
    return conv


def _write(h: TeamsHarness, text: str, **extra: Any) -> dict[str, Any]:
    """Anna writes in her personal chat; the activity, to deliver it again."""
    activity = h.activity(ANNA, _conv(h), text=text, extra=extra)
    assert h.post(activity).status_code == 200
    h.settle()
    return activity


def _with(h: TeamsHarness, text: str) -> list[dict[str, Any]]:
    return [m for m in h.chat(ANNA) if text in h.texts(m)]


def test_a_message_with_two_rounds_open_stores_nothing_and_asks_which_round(
    teams: TeamsHarness,
) -> None:
    h = teams
    h.say(SUPPORT, VAREN)
    _write(h, "Ett svar när en runda är öppen.")  # one round: stored at once
    assert _answers(h, 1) == {"hur_gar_det": "Ett svar när en runda är öppen."}

    h.say(SUPPORT, PLANEN)
    message = _write(h, "Det här svaret, [en länk](http://x) *fet* @Anna")
    assert _answers(h, 1) == {"hur_gar_det": "Ett svar när en runda är öppen."}
    assert _answers(h, 2) == {}
    [asked] = _with(h, ASKED)
    buttons = h.buttons(asked)
    assert list(buttons) == ["Våren", "Planen"]

    assert h.post(message).status_code == 200  # Teams delivers the message again
    h.settle()
    assert len(_with(h, ASKED)) == 1 and _answers(h, 2) == {}

    for _ in range(2):  # a double click stores once
        h.click(ANNA, buttons["Planen"])
    stored = {"grunduppdrag": "Det här svaret, [en länk](http://x) *fet* @Anna"}
    assert _answers(h, 2) == stored
    assert _answers(h, 1) == {"hur_gar_det": "Ett svar när en runda är öppen."}
    assert len(_with(h, "Sparat i rundan ”Planen”.")) == 1
    assert len(_with(h, "Fråga 2 av 5")) == 1, "the next question of that round, once"

    # The other button cannot store the same message in a second round.
    h.click(ANNA, buttons["Våren"])
    assert _answers(h, 1) == {"hur_gar_det": "Ett svar när en runda är öppen."}
    assert "redan sparat i rundan ”Planen”" in h.texts(h.chat(ANNA)[-1])
    assert h.fake.card_violations == []


def test_a_reply_to_a_question_card_answers_that_cards_round(teams: TeamsHarness) -> None:
    h = teams
    h.say(SUPPORT, VAREN)
    h.say(SUPPORT, PLANEN)
    [varen_card] = _with(h, "Fråga 1 av 3")
    [planen_card] = _with(h, "Fråga 1 av 5")

    _write(h, "Svar till våren", replyToId=varen_card["id"])
    assert _answers(h, 1) == {"hur_gar_det": "Svar till våren"}
    assert _answers(h, 2) == {}

    quoted = {"type": "quotedReply", "quotedReply": {"messageId": planen_card["id"]}}
    _write(h, "Svar till planen", entities=[quoted])
    assert _answers(h, 2) == {"grunduppdrag": "Svar till planen"}
    assert _answers(h, 1) == {"hur_gar_det": "Svar till våren"}
    assert _with(h, ASKED) == []


def test_a_long_message_is_asked_for_again_with_the_chosen_rounds_question(
    teams: TeamsHarness,
) -> None:
    h = teams
    h.say(SUPPORT, VAREN)
    h.say(SUPPORT, PLANEN)
    long_text = "Ett långt svar. " * 1_500  # ~24 000 characters: cannot ride on two buttons
    _write(h, long_text)
    [asked] = _with(h, ASKED)
    choice = h.buttons(asked)["Våren"]
    assert "t" not in choice

    h.click(ANNA, choice)
    assert _answers(h, 1) == {} and _answers(h, 2) == {}
    assert "för långt" in h.texts(h.chat(ANNA)[-2])
    again = h.chat(ANNA)[-1]
    assert "Fråga 1 av 3" in h.texts(again)
    _write(h, long_text, replyToId=again["id"])
    assert _answers(h, 1) == {"hur_gar_det": long_text.strip()}
    assert _answers(h, 2) == {}
    assert h.fake.card_violations == []
