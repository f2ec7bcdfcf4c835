"""The rows a round's summary is built from, read as plain tuples.

A summary reads every participation of a round with its person and answers, and every
unit of the workspace. As ORM instances that was eight objects per participant of a
five-question round (80,000 for 10,000 units), each with its identity-map entry and
instance state, which made closing a large round grow faster than the round; as plain
rows it is three statements whose tuples go straight into the summary's own values
(bench/NOTES.md, section 7).
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.domain.shapes import SummaryRows, UnitRow
from storage.models import Answer, Participation, Person, Unit


def summary_rows(session: Session, workspace_id: str, round_id: int) -> SummaryRows:
    """The participations of ``round_id`` (ordered by id) with their person's name and
    chat id, their answers, and every unit of the workspace (ordered by id)."""
    participations = (
        select(
            Participation.id,
            Participation.person_id,
            Participation.unit_id,
            Participation.status,
            Participation.thread_ref,
            Person.name,
            Person.chat_id,
        )
        .outerjoin(Person, Person.id == Participation.person_id)
        .where(Participation.workspace_id == workspace_id, Participation.round_id == round_id)
        .order_by(Participation.id)
    )
    answers = (
        select(Answer.participation_id, Answer.question_key, Answer.status, Answer.text)
        .join(Participation, Participation.id == Answer.participation_id)
        .where(Participation.workspace_id == workspace_id, Participation.round_id == round_id)
    )
    units = (
        select(Unit.id, Unit.key, Unit.name, Unit.level_key, Unit.parent_id)
        .where(Unit.workspace_id == workspace_id)
        .order_by(Unit.id)
    )
    # Past the ORM's result layer (a Row per fetched tuple, nothing more), so what the unit
    # of work has changed is flushed first, as the ORM would before a query.
    session.flush()
    connection = session.connection()
    return SummaryRows(
        participations=connection.execute(participations).all(),
        answers=connection.execute(answers).all(),
        units=list(map(UnitRow._make, connection.execute(units).all())),
    )
