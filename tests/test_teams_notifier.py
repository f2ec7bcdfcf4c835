"""The scheduler's port on Teams: reminders, digests, schedule problems and summaries go
out through :class:`bot.teams.notifier.TeamsNotifier`; a long summary is split into cards
that each fit Teams' message size and validate as Adaptive Cards 1.5."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator

import pytest
from fakes.teams.connector import DEFAULT_TENANT, MAX_ACTIVITY_BYTES, card_errors
from fakes.teams.harness import TeamsHarness
from support.sample import load_sample_org

from bot.domain.commands import StartRound
from bot.ports import Notifier
from bot.services.container import Services
from bot.teams import cards

CHANNEL = "19:ledning@thread.tacv2"


@pytest.fixture
def teams(make_services: Callable[[], Services]) -> Iterator[TeamsHarness]:
    """The Teams bot on the sample organisation."""
    services = make_services()
    load_sample_org(services, DEFAULT_TENANT)
    with TeamsHarness(services) as harness:
        harness.fake.add_channel(CHANNEL)
        yield harness


def test_the_notifier_port_on_teams(teams: TeamsHarness, caplog: pytest.LogCaptureFixture) -> None:
    h = teams
    notifier: Notifier = h.bot.notifier
    started = h.services.rounds.start_round(
        DEFAULT_TENANT, StartRound("avstamning", ["Äldreomsorg"], CHANNEL, level="enhet")
    )
    notifier.round_started(started)
    participant, _ = started.participants[0]
    caplog.set_level(logging.DEBUG)
    h.say(participant.chat_id, "Hemligt svar om budgeten")
    info = h.services.queries.round_info(DEFAULT_TENANT, started.round.round_id)

    current = h.services.queries.current_prompt(DEFAULT_TENANT, participant.participation_id)
    fresh = h.services.queries.participant(DEFAULT_TENANT, participant.participation_id)
    notifier.remind(info, fresh, current)
    notifier.remind(info, fresh, current)  # the same hour: sent once
    reminders = [m for m in h.chat(participant.chat_id) if "Påminnelse om" in h.texts(m)]
    assert len(reminders) == 1 and "Fråga 2 av 3" in h.texts(reminders[0])

    status = h.services.queries.status(DEFAULT_TENANT, info.round_id)
    notifier.digest(status, ["U0PROC01"])
    assert "inte svarat klart" in h.texts(h.chat("U0PROC01")[-1])
    notifier.schedule_failed(DEFAULT_TENANT, ["U0PROC01"], "trasigt <schema>", "sv")
    assert "trasigt" in h.texts(h.chat("U0PROC01")[-1])

    summary, _ = h.services.rounds.close_round(DEFAULT_TENANT, info.round_id)
    notifier.summary_ready(summary)
    notifier.summary_ready(summary)  # again: nothing twice
    posted = h.fake.messages(CHANNEL)
    assert len(posted) == 2  # the announcement and the summary
    assert "Hemligt svar om budgeten" in h.texts(posted[1])
    assert h.fake.card_violations == [] and h.fake.spec_violations == []
    assert "Hemligt svar" not in caplog.text, "answer text never reaches the log"


def test_a_long_summary_is_split_into_cards_that_fit() -> None:
    paragraphs = [f"## Fråga {n}\n\n" + ("Ett långt svar med åäö. " * 400) for n in range(12)]
    parts = cards.summary_cards("\n\n".join(paragraphs), "Avstämning", "sv")
    assert len(parts) > 1
    for n, card in enumerate(parts, 1):
        activity = cards.message(cards=[card])
        assert len(json.dumps(activity).encode()) < MAX_ACTIVITY_BYTES * 0.8
        assert card_errors(card) == []
        assert f"(del {n} av {len(parts)})" in card["body"][0]["text"]
    text = "".join(b["text"] for card in parts for b in card["body"][1:])
    assert text.count("Ett långt svar") == 12 * 400
