"""Domain errors raised by the core and translated into friendly replies at the edge."""

from __future__ import annotations

from collections.abc import Iterable


class DialogError(Exception):
    """Base class for every error the core raises on purpose.

    Each error carries a message key and parameters so that adapters can render
    it in the user's language with :func:`bot.i18n.t`.
    """

    key = "error.generic"

    def __init__(self, detail: str = "", **params: object) -> None:
        super().__init__(detail or self.key)
        self.params: dict[str, object] = dict(params)
        self.detail = detail


def _choices(known: Iterable[str]) -> str:
    # ICU is loaded when a message lists choices, not by every importer of the errors.
    from bot.domain.collation import swedish_sorted

    items = swedish_sorted(set(known), str)
    return ", ".join(items) if items else "-"


class UnknownTemplate(DialogError):
    """No dialog template with that key exists."""

    key = "error.unknown_template"

    def __init__(self, name: str, known: Iterable[str]) -> None:
        super().__init__(f"unknown template {name!r}", name=name, known=_choices(known))


class UnknownUnit(DialogError):
    """No organisational unit with that key or name exists in the workspace."""

    key = "error.unknown_unit"

    def __init__(self, name: str, known: Iterable[str]) -> None:
        super().__init__(f"unknown unit {name!r}", name=name, known=_choices(known))


class UnknownPerson(DialogError):
    """No person with that chat identity exists in the workspace."""

    key = "error.unknown_person"

    def __init__(self, name: str, known: Iterable[str]) -> None:
        super().__init__(f"unknown user {name!r}", name=name, known=_choices(known))


class UnknownRound(DialogError):
    """No round with that id exists in the workspace."""

    key = "error.unknown_round"

    def __init__(self, round_id: object) -> None:
        super().__init__(f"unknown round {round_id!r}", round_id=round_id)


class NoParticipation(DialogError):
    """The person takes no part in that round."""

    key = "error.no_participation"


class EmptyAnswer(DialogError):
    """An answer with no visible text was refused."""

    key = "error.empty_answer"


class RoundClosed(DialogError):
    """The round is closed; answers are no longer accepted."""

    key = "error.round_closed"

    def __init__(self, round_id: object) -> None:
        super().__init__(f"round {round_id} is closed", round_id=round_id)


class NotAllowed(DialogError):
    """The person lacks the role needed for that action."""

    key = "error.not_allowed"

    def __init__(self, action: str, needed: Iterable[str]) -> None:
        super().__init__(f"not allowed: {action}", action=action, needed=_choices(needed))


class NoParticipants(DialogError):
    """A round was requested for units that have no managers."""

    key = "error.no_participants"

    def __init__(self, units: Iterable[str]) -> None:
        super().__init__("no managers for the chosen units", units=_choices(units))


class NothingToEdit(DialogError):
    """An edit referred to a message that was never stored as an answer."""

    key = "error.nothing_to_edit"


class InvalidInput(DialogError):
    """Input that cannot be understood (a bad date, a malformed option)."""

    key = "error.invalid_input"

    def __init__(self, what: str) -> None:
        super().__init__(what, what=what)


class InvalidId(InvalidInput):
    """A typed id (a round number) that is not a number or cannot exist."""

    key = "error.invalid_id"

    def __init__(self, what: str, value: str, maximum: int) -> None:
        DialogError.__init__(
            self, f"invalid {what} id {value!r}", what=what, value=value, max=maximum
        )


class OrgCycle(DialogError):
    """The organisation tree has a unit that is its own ancestor."""

    key = "error.org_cycle"

    def __init__(self, units: list[str]) -> None:
        super().__init__("cycle: " + " → ".join(units), units=" → ".join(units))


class TextTooLong(DialogError):
    """A typed title or reference longer than the database holds (``what``: ``title``
    or ``group``, each with its own message)."""

    key = "error.too_long.title"

    def __init__(self, what: str, length: int, maximum: int) -> None:
        super().__init__(f"{what} too long", length=length, max=maximum)
        self.key = f"error.too_long.{what}"


class NotYourThread(DialogError):
    """Someone wrote in a thread that belongs to another participant."""

    key = "not_your_thread"

    def __init__(self, owner: str) -> None:
        super().__init__("not your thread", name=owner)


class QuestionNotCurrent(DialogError):
    """A button acted on a question that is not the participant's current question.

    ``number`` is the 1-based number of the question the button belongs to (None when the
    button does not say), ``current`` that of the current question (None when the
    participant has finished), ``answered`` whether the button's question has an answer,
    which stays as it is.
    """

    key = "error.question_not_current"

    def __init__(self, number: int | None, current: int | None, answered: bool = False) -> None:
        super().__init__(
            f"question {number} is not the current question {current}",
            n=number if number is not None else "?",
            current=current if current is not None else "-",
        )
        self.number = number
        self.current = current
        self.answered = answered
        if current is None:
            self.key = "error.question_not_current_finished"
        elif number is None:
            self.key = "error.button_outdated"
        elif answered:
            self.key = "error.question_answered_not_current"


class IllegalTransition(DialogError):
    """A participation or round was asked to change state in a way the state table
    (:mod:`bot.domain.states`) does not allow. A bug rather than a user mistake, so the
    edge shows the generic message."""

    key = "error.generic"

    def __init__(self, what: str, state: object, event: object) -> None:
        super().__init__(f"{what} in state {state!s} cannot {event!s}", what=what, state=str(state))
        self.what = what
        self.state = str(state)
        self.event = str(event)
