"""Queries on :class:`storage.models_question_messages.QuestionMessage`, scoped by workspace."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import Integer, Row, String, and_, bindparam, case, select, update
from sqlalchemy.orm import Session, joinedload

from storage.db import core_execute, table_of
from storage.models import Answer, Participation, Round, Unit
from storage.models_question_messages import OPEN, QuestionMessage


class QuestionMessageRepository:
    """Where question messages were posted, for one workspace inside a unit of work."""

    def __init__(self, session: Session, workspace_id: str) -> None:
        self.session = session
        self.workspace_id = workspace_id

    def add(
        self,
        participation_id: int,
        question_key: str,
        platform: str,
        conversation: str,
        message_ts: str,
        now: datetime,
    ) -> QuestionMessage:
        """Record a freshly posted question message (showing the question and its buttons)."""
        row = QuestionMessage(
            workspace_id=self.workspace_id,
            participation_id=participation_id,
            question_key=question_key,
            platform=platform,
            conversation=conversation,
            message_ts=message_ts,
            shown=OPEN,
            created_at=now,
        )
        self.session.add(row)
        return row

    def exists(self, platform: str, conversation: str, message_ts: str) -> bool:
        """Whether the message ``message_ts`` in ``conversation`` is recorded already."""
        stmt = select(QuestionMessage.id).where(
            QuestionMessage.workspace_id == self.workspace_id,
            QuestionMessage.platform == platform,
            QuestionMessage.conversation == conversation,
            QuestionMessage.message_ts == message_ts,
        )
        return self.session.scalars(stmt).first() is not None

    def participation_of(self, message_id: int) -> int | None:
        """The participation whose question the message ``message_id`` shows."""
        stmt = select(QuestionMessage.participation_id).where(
            QuestionMessage.workspace_id == self.workspace_id, QuestionMessage.id == message_id
        )
        return self.session.scalars(stmt).first()

    def of_participation(
        self, participation_id: int, platform: str
    ) -> tuple[Participation | None, list[QuestionMessage]]:
        """A participation (with its round, template and answers) and its recorded messages
        on ``platform``, oldest first, in one statement; (None, []) without messages."""
        rows = (
            self.session.execute(
                select(QuestionMessage, Participation)
                .join(Participation, Participation.id == QuestionMessage.participation_id)
                .options(
                    # The template comes from the kernel's cache by snapshot id: not its
                    # stored body (JSON) with every refresh.
                    joinedload(Participation.round).lazyload(Round.template),
                    joinedload(Participation.answers),
                )
                .where(
                    QuestionMessage.workspace_id == self.workspace_id,
                    QuestionMessage.participation_id == participation_id,
                    QuestionMessage.platform == platform,
                    Participation.workspace_id == self.workspace_id,
                )
                .order_by(QuestionMessage.id)
            )
            .unique()
            .all()
        )
        if not rows:
            return None, []
        return rows[0][1], [message for message, _ in rows]

    def shown_by(self, participation_id: int, platform: str) -> MessagesShown | None:
        """What :meth:`of_participation` tells about the messages, without the ORM: the
        participation's place, its round and unit, and each message with the current
        answer to its question, in one prebuilt statement; None without messages."""
        rows = (
            self.session.connection()
            .execute(
                _SHOWN_BY, {"w": self.workspace_id, "pid": participation_id, "platform": platform}
            )
            .all()
        )
        return messages_shown(rows)

    def set_shown(self, message_id: int, shown: str) -> None:
        """Remember what the message shows now (a Core statement built once: no ORM
        bulk-update machinery for one row)."""
        params = {"w": self.workspace_id, **states_parameters({message_id: shown})}
        core_execute(self.session, set_states(1), params)


@cache
def set_states(n: int) -> Any:
    """What ``n`` question messages show now (``:sm<i>`` shows ``:ss<i>``, workspace
    ``:w``; parameters from :func:`states_parameters`), built once per ``n`` (usually 1;
    also one part of a landing's statement, :mod:`storage.landings`): ids as plain
    parameters, which the planner looks up in the primary key (a JSON array it would
    take for 100 rows, and might rather scan a year of messages)."""
    table = table_of(QuestionMessage)
    ids = [bindparam(f"sm{i}", type_=Integer) for i in range(n)]
    shown = case(*((table.c.id == ids[i], bindparam(f"ss{i}", type_=String)) for i in range(n)))
    return (
        update(table)
        .where(table.c.workspace_id == bindparam("w"), table.c.id.in_(ids))
        .values(shown=shown)
    )


def states_parameters(states: Mapping[int, str]) -> dict[str, Any]:
    """The parameters of :func:`set_states` for ``states`` (message id → what it shows)."""
    params: dict[str, Any] = {}
    for i, (message, state) in enumerate(states.items()):
        params[f"sm{i}"], params[f"ss{i}"] = message, state
    return params


@dataclass(frozen=True)
class MessageShown:
    """A recorded question message and the current answer to its question (if any)."""

    id: int
    question_key: str
    shown: str
    conversation: str
    message_ts: str
    answer_status: str | None
    answer_revision: int | None
    answer_text: str | None


@dataclass(frozen=True)
class MessagesShown:
    """A participation's recorded question messages with what decides what they show."""

    position: int
    status: str
    level_key: str
    round_status: str
    lang: str
    template_snapshot_id: int
    messages: list[MessageShown]


def messages_shown(rows: Sequence[Row[Any]]) -> MessagesShown | None:
    """A :class:`MessagesShown` from rows with :data:`_SHOWN_BY`'s columns (one
    participation's, oldest message first); None without rows."""
    if not rows:
        return None
    first = rows[0]
    return MessagesShown(
        position=int(first.position),
        status=str(first.p_status),
        level_key=str(first.level_key),
        round_status=str(first.r_status),
        lang=str(first.lang),
        template_snapshot_id=int(first.template_snapshot_id),
        messages=[
            MessageShown(
                int(r.id),
                str(r.question_key),
                str(r.shown),
                str(r.conversation),
                str(r.message_ts),
                None if r.a_status is None else str(r.a_status),
                None if r.revision is None else int(r.revision),
                None if r.text is None else str(r.text),
            )
            for r in rows
        ],
    )


def shown_by_select(qm: Any, of: Callable[[Any], Any], *where: Any) -> Any:
    """:data:`_SHOWN_BY`'s columns over ``qm`` (question messages: the table, or rows of
    its columns) of the participations whose id matches ``of`` (a condition on an id
    column, put on both tables: the planner then finds the participations by their
    primary key) and ``where``, with the current answer to each message's question, its
    participation (of workspace ``:w``), unit and round; by participation, oldest
    message first."""
    p = table_of(Participation)
    u = table_of(Unit)
    r = table_of(Round)
    a = table_of(Answer)
    return (
        select(
            qm.c.id,
            qm.c.participation_id,
            qm.c.question_key,
            qm.c.shown,
            qm.c.conversation,
            qm.c.message_ts,
            a.c.status.label("a_status"),
            a.c.revision,
            a.c.text,
            p.c.position,
            p.c.status.label("p_status"),
            u.c.level_key,
            r.c.status.label("r_status"),
            r.c.lang,
            r.c.template_snapshot_id,
        )
        .select_from(
            qm.join(p, p.c.id == qm.c.participation_id)
            .join(u, u.c.id == p.c.unit_id)
            .join(r, r.c.id == p.c.round_id)
            .outerjoin(
                a,
                and_(
                    a.c.participation_id == qm.c.participation_id,
                    a.c.question_key == qm.c.question_key,
                ),
            )
        )
        .where(of(qm.c.participation_id), of(p.c.id), *where, p.c.workspace_id == bindparam("w"))
        .order_by(qm.c.participation_id, qm.c.id)
    )


def _shown_by() -> Any:
    qm = table_of(QuestionMessage)
    return shown_by_select(
        qm,
        lambda pid: pid == bindparam("pid"),
        qm.c.workspace_id == bindparam("w"),
        qm.c.platform == bindparam("platform"),
    )


_SHOWN_BY = _shown_by()
