"""The states of participations and rounds, and the one table of how they may change.

Storage keeps the plain string values (``"invited"``, ``"open"`` …); the enums are
:class:`~enum.StrEnum`, so a stored value compares equal to its member and no migration
is needed. Every change of a stored state goes through :func:`participation_after` or
:func:`round_after`, which refuse a change the table does not allow with
:class:`bot.domain.errors.IllegalTransition`.
"""

from __future__ import annotations

from enum import StrEnum

from bot.domain.errors import IllegalTransition


class ParticipationState(StrEnum):
    """Where one manager (or deputy) is in a round."""

    INVITED = "invited"
    """Asked, nothing answered yet."""
    ANSWERING = "answering"
    """Has answered, skipped or followed up at least once and is not done."""
    FINISHED = "finished"
    """Done: every question answered or skipped, or they said so ("klar")."""
    ABSENT = "absent"
    """Away without a deputy when the round began (no questions are sent)."""


class ParticipationEvent(StrEnum):
    """What happens to a participation."""

    PROGRESS = "progress"
    """A question was answered, skipped or followed up, and questions remain."""
    FINISH = "finish"
    """The last question was done, or the participant said they are done."""
    REOPEN = "reopen"
    """Back to an earlier question, or a form left a question open again."""
    AWAY = "away"
    """The manager is away without a deputy before answering anything."""
    RETURN = "return"
    """An away manager is back and gets the questions."""


class RoundState(StrEnum):
    """Whether a round takes answers."""

    OPEN = "open"
    CLOSED = "closed"


class RoundEvent(StrEnum):
    """What happens to a round."""

    CLOSE = "close"


_P = ParticipationState
_E = ParticipationEvent

PARTICIPATION_TRANSITIONS: dict[
    tuple[ParticipationState, ParticipationEvent], ParticipationState
] = {
    # A manager marked absent may still find the questions (console, "my questions").
    (_P.INVITED, _E.PROGRESS): _P.ANSWERING,
    (_P.ANSWERING, _E.PROGRESS): _P.ANSWERING,
    (_P.ABSENT, _E.PROGRESS): _P.ANSWERING,
    (_P.INVITED, _E.FINISH): _P.FINISHED,
    (_P.ANSWERING, _E.FINISH): _P.FINISHED,
    (_P.ABSENT, _E.FINISH): _P.FINISHED,
    (_P.INVITED, _E.REOPEN): _P.ANSWERING,
    (_P.ANSWERING, _E.REOPEN): _P.ANSWERING,
    (_P.FINISHED, _E.REOPEN): _P.ANSWERING,
    (_P.ABSENT, _E.REOPEN): _P.ANSWERING,
    (_P.INVITED, _E.AWAY): _P.ABSENT,
    (_P.ABSENT, _E.RETURN): _P.INVITED,
}
"""Every allowed change of a participation: (state, event) → new state."""

ROUND_TRANSITIONS: dict[tuple[RoundState, RoundEvent], RoundState] = {
    (RoundState.OPEN, RoundEvent.CLOSE): RoundState.CLOSED,
}
"""Every allowed change of a round: (state, event) → new state."""


def participation_after(state: str, event: ParticipationEvent) -> ParticipationState:
    """The participation state after ``event`` in ``state`` (a stored string or member).

    Raises:
        IllegalTransition: the table has no such change (e.g. finishing twice).
    """
    try:
        return PARTICIPATION_TRANSITIONS[(ParticipationState(state), event)]
    except (KeyError, ValueError):
        raise IllegalTransition("participation", state, event) from None


def round_after(state: str, event: RoundEvent) -> RoundState:
    """The round state after ``event`` in ``state`` (a stored string or member).

    Raises:
        IllegalTransition: the table has no such change (e.g. closing a closed round).
    """
    try:
        return ROUND_TRANSITIONS[(RoundState(state), event)]
    except (KeyError, ValueError):
        raise IllegalTransition("round", state, event) from None


def is_finished(state: str) -> bool:
    """True when a participation in ``state`` is done: the one way "finished" is tested."""
    return state == ParticipationState.FINISHED


def is_open(state: str) -> bool:
    """True when a round in ``state`` takes answers."""
    return state == RoundState.OPEN
