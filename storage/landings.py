"""Where posts landed, recorded for many posts in one statement each: participants'
threads, round announcements and the messages that show a question (a fan-out records a
batch of these instead of one transaction per post)."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import (
    Integer,
    String,
    Table,
    any_,
    bindparam,
    func,
    literal,
    select,
    union_all,
    update,
)
from sqlalchemy.orm import Session

from storage.db import core_execute, json_rows, table_of
from storage.models import Participation, Round
from storage.models_question_messages import OPEN, QuestionMessage
from storage.outbox import Landed, mark_sent, sent_parameters, sent_statement_pg
from storage.question_messages import (
    MessagesShown,
    QuestionMessageRepository,
    messages_shown,
    set_states,
    shown_by_select,
    states_parameters,
)


@dataclass(frozen=True)
class ShownAt:
    """A posted message that shows a question of a participation (with its buttons)."""

    participation_id: int
    question_ref: str
    platform: str
    conversation: str
    message_ts: str
    #: The question's position among the participant's questions, when known: above 0
    #: for a next question posted after an answer, whose landing also finds what the
    #: participation's other question messages need.
    index: int | None = None


class LandingRepository:
    """Batch writes of landed posts for one workspace inside a unit of work."""

    def __init__(self, session: Session, workspace_id: str) -> None:
        self.session = session
        self.workspace_id = workspace_id

    def set_threads(self, refs: Mapping[int, str]) -> None:
        """Set ``thread_ref`` of participations (by id), one executemany statement. The
        version counter is left alone: no other column changes, so concurrent answers to
        the same participation need not retry."""
        self._set(table_of(Participation), "thread_ref", refs)

    def set_announcements(self, refs: Mapping[int, str]) -> None:
        """Set ``announcement_ref`` of rounds (by id)."""
        self._set(table_of(Round), "announcement_ref", refs)

    def _set(self, table: Table, column: str, refs: Mapping[int, str]) -> None:
        """One statement execution on PostgreSQL (the refs as two arrays, as a fan-out's
        landing flush records hundreds of threads); one statement with many parameter
        sets on SQLite."""
        if not refs:
            return
        if self._dialect() == "postgresql":
            core_execute(
                self.session,
                _set_refs_pg(table, column),
                {"w": self.workspace_id, "ids": list(refs), "refs": list(refs.values())},
            )
            return
        core_execute(
            self.session,
            _set_refs(table, column),
            [
                {"w": self.workspace_id, "row_id": row_id, "ref": ref}
                for row_id, ref in refs.items()
            ],
        )

    def record(
        self,
        sent: Sequence[Landed],
        shown: Sequence[ShownAt],
        now: datetime,
        *,
        lazy: bool = False,
        read: Mapping[int, str] | None = None,
        states: Mapping[int, str] | None = None,
    ) -> dict[int, MessagesShown | None]:
        """Mark landed outbox rows ``sent``, record the question messages ``shown`` (ones
        recorded before, by a replay or a concurrent delivery, are skipped) and what
        updated ones show now (``states``: message id → state); with ``lazy``, this
        transaction's commit does not wait for the disk (:func:`_commit_lazily`). Returns,
        for the participations in ``read`` (id → platform), their question messages on
        that platform as they are now, those just recorded and updated included
        (:meth:`QuestionMessageRepository.shown_by`). On PostgreSQL one statement
        (data-modifying CTEs, the rows as JSON), on SQLite one per part."""
        read = read or {}
        states = states or {}
        platforms = set(read.values())
        postgres = self._dialect() == "postgresql"
        if postgres and len(platforms) <= 1:
            if not (sent or shown or lazy or read or states):
                return {}
            return self._record_pg(
                sent, shown, now, lazy, (list(read), platforms.pop()) if read else None, states
            )
        if postgres:  # several platforms to read: recorded in one statement, read one by one
            self._record_pg(sent, shown, now, lazy, None, states)
        else:
            mark_sent(self.session, self.workspace_id, sent, now)
            self._add_question_messages(shown, now)
            if states:
                params = {"w": self.workspace_id, **states_parameters(states)}
                core_execute(self.session, set_states(len(states)), params)
        messages = QuestionMessageRepository(self.session, self.workspace_id)
        return {pid: messages.shown_by(pid, platform) for pid, platform in read.items()}

    def _record_pg(
        self,
        sent: Sequence[Landed],
        shown: Sequence[ShownAt],
        now: datetime,
        lazy: bool,
        read: tuple[list[int], str] | None,
        states: Mapping[int, str],
    ) -> dict[int, MessagesShown | None]:
        rows = [
            {
                "participation_id": s.participation_id,
                "question_key": s.question_ref,
                "platform": s.platform,
                "conversation": s.conversation,
                "message_ts": s.message_ts,
            }
            for s in shown
        ]
        params = {
            **sent_parameters(self.workspace_id, sent, now),
            "new_messages": json.dumps(rows),
        }
        params.update(states_parameters(states))
        if read is None:
            core_execute(self.session, _record_pg(lazy, len(states)), params).close()
            return {}
        pids, platform = read
        params.update(pids=pids, on_platform=platform)
        found = core_execute(self.session, _record_and_read_pg(lazy, len(states)), params).all()
        return {
            pid: _now_showing(
                messages_shown([r for r in found if r.participation_id == pid]), states
            )
            for pid in pids
        }

    def shown_after_update(
        self, message_id: int, shown: str, sent: Sequence[Landed], now: datetime
    ) -> None:
        """The question message ``message_id`` shows ``shown`` now, made so by the update
        whose outbox rows ``sent`` landed: both recorded, and this transaction's commit does
        not wait for the disk (:func:`_commit_lazily`). One statement on PostgreSQL."""
        self.record(sent, (), now, lazy=True, states={message_id: shown})

    def _add_question_messages(self, shown: Sequence[ShownAt], now: datetime) -> None:
        """Record question messages in one multi-row insert; ones recorded before (a
        replay, a concurrent delivery) are skipped."""
        if not shown:
            return
        rows = [
            {
                "workspace_id": self.workspace_id,
                "participation_id": s.participation_id,
                "question_key": s.question_ref,
                "platform": s.platform,
                "conversation": s.conversation,
                "message_ts": s.message_ts,
                "shown": OPEN,
                "created_at": now,
            }
            for s in shown
        ]
        # Many parameter sets for one statement compiled once (sent as multi-row inserts).
        core_execute(self.session, _add_messages(), rows)

    def _dialect(self) -> str:
        return self.session.get_bind().dialect.name


def _commit_lazily(*writes: Any) -> Any:
    """``writes`` (data-modifying statements) as CTEs of one statement that also lets the
    transaction's commit return before its WAL reaches the disk: ``set_config(…, true)``
    is ``SET LOCAL synchronous_commit = off``, for this transaction only. A crash of the
    database server may lose such a commit, never corrupt it: for bookkeeping that can be
    recovered from elsewhere (``bench/NOTES.md``, "After the ack"). SQLite has no such
    setting."""
    ctes = [w.cte(f"write_{n}") for n, w in enumerate(writes)]
    return select(func.set_config("synchronous_commit", "off", True)).add_cte(*ctes)


def _now_showing(found: MessagesShown | None, states: Mapping[int, str]) -> MessagesShown | None:
    """``found`` (read in the statement that set ``states``, which it does not see) with
    the states just set."""
    if found is None or not states:
        return found
    messages = [replace(m, shown=states.get(m.id, m.shown)) for m in found.messages]
    return replace(found, messages=messages)


@cache
def _record_pg(lazy: bool, states: int) -> Any:
    """:meth:`LandingRepository.record` on PostgreSQL: the posts marked sent, the
    question messages inserted and the states of ``states`` updated ones set, in one
    statement, built once per variant."""
    writes = [sent_statement_pg(), _add_messages_json()]
    if states:
        writes.append(set_states(states))
    if lazy:
        return _commit_lazily(*writes)
    return writes[0].add_cte(*(w.cte(f"write_{n}") for n, w in enumerate(writes[1:], 1)))


@cache
def _record_and_read_pg(lazy: bool, states: int) -> Any:
    """:func:`_record_pg` and, in the same statement, the question messages of the
    participations ``:pids`` on ``:on_platform`` as
    :data:`storage.question_messages._SHOWN_BY` reads them. The messages inserted here
    are returned by their CTE (a statement does not see its CTEs' writes), the others
    read as they were before it. With ``lazy`` the rows carry the ``set_config`` (none
    found: the commit waits for the disk, as it would have without). It also sets the
    states of ``states`` updated messages (the rows read do not show them:
    :func:`_now_showing`)."""
    table = table_of(QuestionMessage)

    def columns(rows: Any) -> list[Any]:
        return [
            rows.c.id,
            rows.c.participation_id,
            rows.c.question_key,
            rows.c.shown,
            rows.c.conversation,
            rows.c.message_ts,
            rows.c.platform,
            rows.c.workspace_id,
        ]

    from sqlalchemy.dialects import postgresql

    pids = bindparam("pids", type_=postgresql.ARRAY(Integer))
    added = _add_messages_json().returning(*columns(table)).cte("added")
    before = select(*columns(table)).where(
        table.c.workspace_id == bindparam("w"), table.c.participation_id == any_(pids)
    )
    now_added = select(*columns(added)).where(added.c.participation_id == any_(pids))
    messages = union_all(before, now_added).subquery("qm")
    statement = shown_by_select(
        messages, lambda pid: pid == any_(pids), messages.c.platform == bindparam("on_platform")
    )
    if lazy:
        statement = statement.add_columns(
            func.set_config("synchronous_commit", "off", True).label("lazy")
        )
    if states:
        statement = statement.add_cte(set_states(states).cte("states_set"))
    return statement.add_cte(sent_statement_pg().cte("sent"))


@cache
def _add_messages_json() -> Any:
    """Question messages from a JSON array (``:new_messages``, read by
    ``json_to_recordset``) for :func:`_record_pg`: the same text for any number of rows;
    ones recorded before are skipped. (The landing statements' parameters are named
    after no column of the tables they update: SQLAlchemy would add such a parameter to
    an UPDATE's SET clause.)"""
    from sqlalchemy.dialects import postgresql

    table = table_of(QuestionMessage)
    rows = json_rows(
        "new_messages",
        "shown_rows",
        participation_id=Integer,
        question_key=String,
        platform=String,
        conversation=String,
        message_ts=String,
    )
    columns = {
        "workspace_id": bindparam("w", type_=String),
        "participation_id": rows.c.participation_id,
        "question_key": rows.c.question_key,
        "platform": rows.c.platform,
        "conversation": rows.c.conversation,
        "message_ts": rows.c.message_ts,
        "shown": literal(OPEN),
        "created_at": bindparam("now", type_=table.c.created_at.type),
    }
    return (
        postgresql.insert(table)
        .from_select(list(columns), select(*columns.values()))
        .on_conflict_do_nothing(
            index_elements=["conversation", "message_ts", "platform", "workspace_id"]
        )
    )


@cache
def _set_refs(table: Table, column: str) -> Any:
    """``UPDATE table SET column = :ref WHERE id = :row_id`` (many parameter sets)."""
    return (
        update(table)
        .where(table.c.id == bindparam("row_id"), table.c.workspace_id == bindparam("w"))
        .values({column: bindparam("ref")})
    )


@cache
def _set_refs_pg(table: Table, column: str) -> Any:
    """:func:`_set_refs` on PostgreSQL: ``UPDATE … FROM unnest(ids, refs)``, one statement
    execution for any number of rows."""
    from sqlalchemy.dialects import postgresql

    rows = (
        func.unnest(
            bindparam("ids", type_=postgresql.ARRAY(Integer)),
            bindparam("refs", type_=postgresql.ARRAY(String)),
        )
        .table_valued("row_id", "ref")
        .render_derived(name="refs")
    )
    return (
        update(table)
        .where(table.c.id == rows.c.row_id, table.c.workspace_id == bindparam("w"))
        .values({column: rows.c.ref})
    )


@cache
def _add_messages() -> Any:
    """Question messages from many parameter sets on SQLite (:func:`_add_messages_json`
    on PostgreSQL)."""
    from sqlalchemy.dialects import sqlite

    table = table_of(QuestionMessage)
    return sqlite.insert(table).on_conflict_do_nothing(
        index_elements=["conversation", "message_ts", "platform", "workspace_id"]
    )
