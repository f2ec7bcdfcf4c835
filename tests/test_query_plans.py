"""The answer path's lookups use the index that finds their row, even on PostgreSQL
tables without statistics (a new install, autovacuum off or not yet run).

An install has one workspace, so an index leading with ``workspace_id`` narrows nothing;
without statistics the planner cannot know that and, with such an index available, may
scan the whole workspace for a lookup by id, post key or participation, and keep that
plan in the connection's prepared statement while the table grows (migration 0018)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import Connection, Engine

from storage.landings import _record_and_read_pg, _record_pg
from storage.outbox import _SENT, due_rows, sent_statement_pg
from storage.question_messages import _SHOWN_BY, set_states

#: One landed post, as :func:`storage.outbox.sent_parameters` passes it.
_LANDED = '[{"post_key": "post", "channel": "D1", "ts": "1.2"}]'

#: A landing that records a question message and reads the participation's messages.
_READ = {
    "w": "T1",
    "landed": _LANDED,
    "new_messages": '[{"participation_id": 7, "question_key": "q2", "platform": "slack",'
    ' "conversation": "D1", "message_ts": "1.3"}]',
    "now": None,
    "pids": [7],
    "on_platform": "slack",
}


#: What an updated question message shows now, as a landing passes it.
_STATES = {"sm0": 7, "ss0": "answered:1"}


def _plan(db: Engine, stmt: Any, params: dict[str, Any]) -> str:
    with db.connect() as conn:
        plan = _explain(conn, stmt, params)
        conn.rollback()
    return plan


def _explain(conn: Connection, stmt: Any, params: dict[str, Any]) -> str:
    """PostgreSQL's plan for ``stmt`` with ``params``, in ``conn``'s transaction."""
    compiled = stmt.compile(dialect=conn.dialect)
    rows = conn.exec_driver_sql("EXPLAIN " + str(compiled), {**compiled.params, **params})
    return "\n".join(row[0] for row in rows)


@pytest.mark.parametrize(
    ("stmt", "params", "index"),
    [
        (set_states(1), {"w": "T1", "sm0": 7, "ss0": "answered"}, "pk_question_messages"),
        (
            _SHOWN_BY,
            {"w": "T1", "pid": 7, "platform": "slack"},
            "ix_question_messages_participation_id",
        ),
        (_SHOWN_BY, {"w": "T1", "pid": 7, "platform": "slack"}, "pk_participations"),
        (
            _SENT,
            {"w": "T1", "k": "post", "c": "D1", "t": "1.2", "now": None},
            "uq_chat_posts_post_key_workspace_id",
        ),
        (
            sent_statement_pg(),
            {"w": "T1", "landed": _LANDED, "now": None},
            "uq_chat_posts_post_key_workspace_id",
        ),
        (
            _record_pg(True, 0),
            {"w": "T1", "landed": _LANDED, "new_messages": "[]", "now": None},
            "uq_chat_posts_post_key_workspace_id",
        ),
        (
            _record_and_read_pg(True, 0),
            _READ,
            "uq_chat_posts_post_key_workspace_id",
        ),
        (_record_and_read_pg(True, 0), _READ, "ix_question_messages_participation_id"),
        (_record_and_read_pg(True, 0), _READ, "pk_participations"),
        (
            _record_pg(True, 1),
            {"w": "T1", "landed": _LANDED, "new_messages": "[]", "now": None, **_STATES},
            "pk_question_messages",
        ),
        (
            _record_pg(True, 1),
            {"w": "T1", "landed": _LANDED, "new_messages": "[]", "now": None, **_STATES},
            "uq_chat_posts_post_key_workspace_id",
        ),
        (_record_and_read_pg(True, 1), {**_READ, **_STATES}, "pk_question_messages"),
        (
            _record_and_read_pg(True, 1),
            {**_READ, **_STATES},
            "uq_chat_posts_post_key_workspace_id",
        ),
    ],
)
def test_lookups_on_the_answer_path_use_their_own_index(
    db: Engine, stmt: Any, params: dict[str, Any], index: str
) -> None:
    if db.dialect.name != "postgresql":
        pytest.skip("query plans are PostgreSQL's")
    plan = _plan(db, stmt, params)
    assert index in plan, plan
    if index.startswith("uq_chat_posts"):
        assert "post_key" in _index_cond(plan, index), plan


def _index_cond(plan: str, index: str) -> str:
    """The ``Index Cond`` of the (bitmap) scan of ``index`` in ``plan`` (empty if none)."""
    lines = plan.splitlines()
    for i, line in enumerate(lines):
        if f"using {index} " in line or f"Scan on {index} " in line:
            return next((x for x in lines[i + 1 : i + 3] if "Index Cond" in x), "")
    return ""


#: A landing's parameters: one landed post (:data:`_LANDED`), no question message.
_LANDING = {"w": "T1", "landed": _LANDED, "new_messages": "[]", "now": None}


@pytest.mark.parametrize(
    ("stmt", "params"),
    [
        (sent_statement_pg(), _LANDING),
        (_record_pg(True, 0), _LANDING),
        (_record_and_read_pg(True, 0), {**_LANDING, **_READ}),
    ],
    ids=["sent", "record", "record_and_read"],
)
def test_a_landing_finds_its_posts_by_key_in_a_year_of_sent_posts(
    db: Engine, stmt: Any, params: dict[str, Any]
) -> None:
    """With statistics on a table of sent posts (a year of one municipality's rounds), a
    landing still finds its post by key instead of reading every post: the planner
    takes a JSON array for 100 rows, and 100 key lookups cost more than a scan of ~20,000
    rows. (Inserted, analysed and explained in one transaction, rolled back: other tests
    keep a table without statistics.)"""
    if db.dialect.name != "postgresql":
        pytest.skip("query plans are PostgreSQL's")
    with db.connect() as conn:
        conn.exec_driver_sql(
            "INSERT INTO chat_posts (workspace_id, platform, post_key, status, attempts,"
            " created_at, channel, ts) SELECT 'T1', 'slack', 'slack:D' || g || ':react', 'sent',"
            " 1, now(), 'D' || g, '1.' || g FROM generate_series(1, 20000) AS g"
        )
        conn.exec_driver_sql("ANALYZE chat_posts")
        plan = _explain(conn, stmt, params)
        conn.rollback()
    assert "Seq Scan on chat_posts" not in plan, plan
    assert "post_key" in _index_cond(plan, "uq_chat_posts_post_key_workspace_id"), plan


@pytest.mark.parametrize("lazy", [True, False], ids=["lazy", "synchronous"])
def test_a_landing_finds_the_updated_message_by_id_in_a_year_of_question_messages(
    db: Engine, lazy: bool
) -> None:
    """The state an updated question message shows now is set by id, not by reading every
    message: the ids come as a JSON array, which the planner takes for 100 rows."""
    if db.dialect.name != "postgresql":
        pytest.skip("query plans are PostgreSQL's")
    with db.connect() as conn:
        # Messages of 20,000 participations that this test does not need to exist.
        conn.exec_driver_sql("SET LOCAL session_replication_role = replica")
        conn.exec_driver_sql(
            "INSERT INTO question_messages (workspace_id, participation_id, question_key,"
            " platform, conversation, message_ts, shown, created_at) SELECT 'T1', g, 'q',"
            " 'slack', 'D' || g, '1.' || g, 'answered:1', now() FROM generate_series(1, 20000) g"
        )
        conn.exec_driver_sql("ANALYZE question_messages")
        plan = _explain(
            conn,
            _record_pg(lazy, 1),
            {**_LANDING, **_STATES},
        )
        conn.rollback()
    assert "Seq Scan on question_messages" not in plan, plan
    assert "pk_question_messages" in plan, plan


def test_the_resender_finds_due_posts_among_a_year_of_sent_posts(db: Engine) -> None:
    """The resender's look for posts nobody is sending reads the partial indexes of
    ``pending`` and ``failed`` rows, not the year of sent posts beside them, even in a
    generic plan (a prepared statement's plan is kept for the life of the connection)."""
    if db.dialect.name != "postgresql":
        pytest.skip("query plans are PostgreSQL's")
    now = datetime(2027, 5, 3, 7, 0, tzinfo=UTC)
    with db.connect() as conn:
        conn.exec_driver_sql(
            "INSERT INTO chat_posts (workspace_id, platform, post_key, status, attempts,"
            " created_at, channel, ts, claimed_until, next_attempt_at)"
            " SELECT 'T1', 'slack', 'post' || g,"
            " CASE WHEN mod(g, 5000) = 0 THEN 'pending' WHEN mod(g, 7000) = 0 THEN 'failed'"
            " ELSE 'sent' END, 1, %(now)s, 'D1', '1.' || g,"
            " CASE WHEN mod(g, 5000) = 0 THEN %(now)s END, CASE WHEN mod(g, 7000) = 0 THEN %(now)s END"
            " FROM generate_series(1, 20000) AS g",
            {"now": now},
        )
        conn.exec_driver_sql("ANALYZE chat_posts")
        conn.exec_driver_sql("SET LOCAL plan_cache_mode = force_generic_plan")
        plan = _explain(conn, due_rows(False), {"on": "slack", "now": now, "limit": 50})
        conn.rollback()
    assert "Seq Scan on chat_posts" not in plan, plan
    assert "ix_chat_posts_lease" in plan, plan
    assert "ix_chat_posts_due" in plan, plan
