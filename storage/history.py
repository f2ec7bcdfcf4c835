"""Queries over many rounds: the answer history and the response rates of a period.

:class:`HistoryRepository` (``repo.history`` of a
:class:`~storage.repository.Repository`) runs inside the caller's unit of work, is scoped to
its workspace and returns plain rows.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from storage.anonymise import WITHHELD
from storage.models import Answer, Participation, Person, Round, TemplateSnapshot
from storage.models_chain import Activity, ActivityEvent


@dataclass(frozen=True)
class RoundRow:
    """A round as the history needs it.

    Attributes:
        round_id: The round's id.
        title: Its title.
        anonymous: Whether its answers are anonymous.
        status: ``open`` or ``closed``.
        lang: The round's language.
        created_at: When it started (UTC).
        deadline_at: When answers were due (UTC), if set.
        template_key: The template's key.
        template_body: The template snapshot the round started with.
        anonymity_k: The fewest respondents per pool, for anonymous rounds (None: the
            default).
        invited_unit_ids: Anonymous rounds: the units invited (kept when the links
            to units are erased at close); None for other rounds.
    """

    round_id: int
    title: str
    anonymous: bool
    status: str
    lang: str
    created_at: datetime
    deadline_at: datetime | None
    template_key: str
    template_body: dict[str, Any]
    anonymity_k: int | None = None
    invited_unit_ids: list[int] | None = None


@dataclass(frozen=True)
class AnswerRow:
    """One current, answered answer with where it came from.

    Attributes:
        round_id: The round.
        unit_id: The unit answered for.
        person_name: The manager who answered; None once an anonymous round erased it.
        question_key: The question.
        text: The answer as typed.
        answered_at: When it was last changed (UTC).
        participation_id: The participation it belongs to.
    """

    round_id: int
    unit_id: int
    person_name: str | None
    question_key: str
    text: str
    answered_at: datetime
    participation_id: int


@dataclass(frozen=True)
class ParticipationRow:
    """One participation's outcome, for response rates.

    Attributes:
        round_id: The round.
        unit_id: The unit (in a closed anonymous round: the pool's unit).
        finished: Whether the manager finished answering.
        finished_at: When (UTC), if they did.
        participation_id: The participation.
        person_id: The manager; None once an anonymous round erased it.
        responded: Whether any answer was given (answered, or withheld at close).
    """

    round_id: int
    unit_id: int
    finished: bool
    finished_at: datetime | None
    participation_id: int = 0
    person_id: int | None = None
    responded: bool = False


def _round_row(round_: Round, snapshot: TemplateSnapshot) -> RoundRow:
    return RoundRow(
        round_id=round_.id,
        title=round_.title,
        anonymous=round_.anonymous,
        status=round_.status,
        lang=round_.lang,
        created_at=round_.created_at,
        deadline_at=round_.deadline_at,
        template_key=snapshot.key,
        template_body=snapshot.body,
        anonymity_k=round_.anonymity_k,
        invited_unit_ids=round_.invited_unit_ids,
    )


@dataclass(frozen=True)
class ActivityStatusRow:
    """One recorded status of an activity.

    Attributes:
        activity_id: The activity.
        unit_id: Its unit.
        status: The status it got.
        at: When (UTC).
        anonymous: It was named in an anonymous round (its unit is then the pool's
            once the round closed).
        round_open: The round it was named in is still open.
    """

    activity_id: int
    unit_id: int
    status: str
    at: datetime
    anonymous: bool = False
    round_open: bool = False


class HistoryRepository:
    """Queries over many rounds of one workspace inside a unit of work."""

    def __init__(self, session: Session, workspace_id: str) -> None:
        self.session = session
        self.workspace_id = workspace_id

    def rounds_between(
        self, start: datetime, end: datetime, template_key: str | None = None
    ) -> list[RoundRow]:
        """Rounds started in ``[start, end)``, oldest first.

        Args:
            start: Inclusive lower bound of the start (aware).
            end: Exclusive upper bound (aware).
            template_key: Only rounds of this template.

        Returns:
            The rounds with their template snapshots.
        """
        stmt = (
            select(Round, TemplateSnapshot)
            .join(TemplateSnapshot, TemplateSnapshot.id == Round.template_snapshot_id)
            .where(
                Round.workspace_id == self.workspace_id,
                Round.created_at >= start,
                Round.created_at < end,
            )
            .order_by(Round.created_at, Round.id)
        )
        if template_key is not None:
            stmt = stmt.where(TemplateSnapshot.key == template_key)
        return [_round_row(r, s) for r, s in self.session.execute(stmt).all()]

    def answers_of_rounds(
        self, round_ids: Collection[int], unit_ids: Collection[int] | None = None
    ) -> list[AnswerRow]:
        """The answered (not skipped or withdrawn) answers of some rounds.

        Args:
            round_ids: The rounds.
            unit_ids: Only answers for these units (None: all units).

        Returns:
            The answers, by round, participation and answer id.
        """
        if not round_ids:
            return []
        stmt = (
            select(
                Participation.round_id,
                Participation.unit_id,
                Person.name,
                Answer.question_key,
                Answer.text,
                Answer.updated_at,
                Participation.id,
            )
            .join(Participation, Participation.id == Answer.participation_id)
            .outerjoin(Person, Person.id == Participation.person_id)
            .where(
                Participation.workspace_id == self.workspace_id,
                Participation.round_id.in_(round_ids),
                Answer.status == "answered",
            )
            .order_by(Participation.round_id, Participation.id, Answer.id)
        )
        if unit_ids is not None:
            stmt = stmt.where(Participation.unit_id.in_(unit_ids))
        return [AnswerRow(*row) for row in self.session.execute(stmt).all()]

    def participations_of_rounds(self, round_ids: Collection[int]) -> list[ParticipationRow]:
        """Every participation of some rounds, finished or not.

        Args:
            round_ids: The rounds.

        Returns:
            The participations, by round and id.
        """
        if not round_ids:
            return []
        responded = exists().where(
            Answer.participation_id == Participation.id, Answer.status.in_(("answered", WITHHELD))
        )
        stmt = (
            select(
                Participation.round_id,
                Participation.unit_id,
                Participation.status,
                Participation.finished_at,
                Participation.id,
                Participation.person_id,
                responded,
            )
            .where(
                Participation.workspace_id == self.workspace_id,
                Participation.round_id.in_(round_ids),
            )
            .order_by(Participation.round_id, Participation.id)
        )
        return [
            ParticipationRow(
                round_id, unit_id, status == "finished", at, pid, person, bool(responded)
            )
            for round_id, unit_id, status, at, pid, person, responded in self.session.execute(stmt)
        ]

    def activity_statuses_before(self, end: datetime) -> list[ActivityStatusRow]:
        """Every status change of the activities created before ``end``, up to ``end``.

        Args:
            end: Exclusive upper bound (aware).

        Returns:
            The changes, by activity and then in the order they happened.
        """
        stmt = (
            select(
                Activity.id,
                Activity.unit_id,
                ActivityEvent.status,
                ActivityEvent.created_at,
                Round.anonymous,
                Round.status == "open",
            )
            .join(ActivityEvent, ActivityEvent.activity_id == Activity.id)
            .join(Round, Round.id == Activity.round_id)
            .where(
                Activity.workspace_id == self.workspace_id,
                Activity.created_at < end,
                ActivityEvent.created_at < end,
            )
            .order_by(Activity.id, ActivityEvent.created_at, ActivityEvent.id)
        )
        return [ActivityStatusRow(*row) for row in self.session.execute(stmt).all()]
