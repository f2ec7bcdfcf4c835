"""The state table of participations and rounds (bot/domain/states.py)."""

from __future__ import annotations

import pytest

from bot.domain.errors import IllegalTransition
from bot.domain.states import (
    PARTICIPATION_TRANSITIONS,
    ParticipationEvent,
    ParticipationState,
    RoundEvent,
    RoundState,
    is_finished,
    participation_after,
    round_after,
)

P = ParticipationState
E = ParticipationEvent


def test_stored_strings_are_the_states() -> None:
    assert P("finished") is P.FINISHED
    stored_participation: str = "invited"
    stored_round: str = "open"
    assert stored_participation == P.INVITED and stored_round == RoundState.OPEN
    assert is_finished("finished") and not is_finished("answering")


@pytest.mark.parametrize(
    ("state", "event", "after"),
    [
        ("invited", E.PROGRESS, P.ANSWERING),
        ("answering", E.FINISH, P.FINISHED),
        ("finished", E.REOPEN, P.ANSWERING),
        ("invited", E.AWAY, P.ABSENT),
        ("absent", E.RETURN, P.INVITED),
    ],
)
def test_allowed_participation_changes(state: str, event: ParticipationEvent, after: P) -> None:
    assert participation_after(state, event) is after


@pytest.mark.parametrize(
    ("state", "event"),
    [
        ("finished", E.FINISH),
        ("finished", E.PROGRESS),
        ("answering", E.AWAY),
        ("invited", E.RETURN),
        ("unknown", E.PROGRESS),
    ],
)
def test_illegal_participation_changes_are_refused(state: str, event: ParticipationEvent) -> None:
    assert (P(state) if state in set(P) else state, event) not in PARTICIPATION_TRANSITIONS
    with pytest.raises(IllegalTransition):
        participation_after(state, event)


def test_a_round_closes_once() -> None:
    assert round_after("open", RoundEvent.CLOSE) is RoundState.CLOSED
    with pytest.raises(IllegalTransition):
        round_after("closed", RoundEvent.CLOSE)
