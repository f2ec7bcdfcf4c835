"""What a button's ``value`` carries, written and read at the Slack edge.

A question's buttons carry the participation and the question they belong to
(``"17:hur_gar_det"``, see :attr:`bot.domain.results.QuestionPrompt.ref`), so a click on an old
message acts on its own question. Other buttons carry one id (a participation, a round).
Values come back from Slack as the client sent them, so anything may arrive: parsing
never raises, and ids outside the database's integer range are refused like text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.domain.errors import InvalidId
from bot.domain.text_input import parse_id as parse_typed_id

_REF = re.compile(r"[A-Za-z0-9_.\-]{1,160}")


@dataclass(frozen=True)
class QuestionButton:
    """A question button: its participation and question (None on buttons posted before
    buttons said which question they belong to)."""

    participation_id: int
    question_ref: str | None


def question_value(participation_id: int, question_ref: str) -> str:
    """The value of a question's buttons."""
    return f"{participation_id}:{question_ref}"


def parse_id(value: object) -> int | None:
    """A positive database id from a button value, or None (never raises)."""
    if not isinstance(value, str):
        return None
    try:
        return parse_typed_id(value, "button")
    except InvalidId:
        return None


def parse_question(value: object) -> QuestionButton | None:
    """A question button's value, or None when it is not one."""
    if not isinstance(value, str):
        return None
    head, sep, ref = value.strip().partition(":")
    participation_id = parse_id(head)
    if participation_id is None:
        return None
    if not sep:
        return QuestionButton(participation_id, None)
    if not _REF.fullmatch(ref):
        return None
    return QuestionButton(participation_id, ref)
