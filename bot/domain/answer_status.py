"""The status of one stored answer to one question."""

from __future__ import annotations

from enum import StrEnum


class AnswerStatus(StrEnum):
    """What became of a question for one participant.

    ``withheld`` is set when an anonymous round closes: the text stays out of every
    summary and export because too few people answered in its pool.
    """

    ANSWERED = "answered"
    SKIPPED = "skipped"
    WITHDRAWN = "withdrawn"
    WITHHELD = "withheld"


#: Statuses that count as having answered (the text may be withheld).
GIVEN = frozenset({AnswerStatus.ANSWERED, AnswerStatus.WITHHELD})
