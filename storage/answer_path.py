"""The answer hot path in SQLAlchemy Core: a participation as plain data, and the writes of
one stored answer (with the outbox rows it calls for) in one round trip on PostgreSQL.

The ORM path (:meth:`storage.repository.Repository.participation_and_seen` and the unit of
work's flush) costs several statements and most of the CPU of an answer; this module
keeps the same guarantees with prebuilt statements whose compiled form SQLAlchemy caches:

- the load takes the round ``FOR KEY SHARE`` (a close waits) and tells whether the message
  key was applied already, like the ORM load;
- the writes check the participation's version counter (a concurrent change raises
  :class:`~sqlalchemy.orm.exc.StaleDataError`, so the unit of work is retried) and insert the
  message key into ``processed_messages`` (a concurrent replay violates its unique
  constraint: :class:`~sqlalchemy.exc.IntegrityError`, retried as well);
- on PostgreSQL the participation update, the answer, its revision, the message key and the
  outbox rows are one statement (data-modifying CTEs); SQLite runs them one by one, in the
  same transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Insert,
    Select,
    Update,
    bindparam,
    exists,
    func,
    insert,
    literal,
    select,
    union_all,
    update,
)
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from storage.db import core_execute, table_of
from storage.models import (
    Answer,
    AnswerRevision,
    Participation,
    Person,
    ProcessedMessage,
    Round,
    TemplateSnapshot,
    Unit,
)
from storage.models_outbox import POST_PENDING, ChatPost
from storage.models_question_messages import OPEN, QuestionMessage
from storage.outbox import NewPost, insert_pending, unique_posts

_P = table_of(Participation)
_R = table_of(Round)
_U = table_of(Unit)
_PE = table_of(Person)
_A = table_of(Answer)
_AR = table_of(AnswerRevision)
_PM = table_of(ProcessedMessage)
_CP = table_of(ChatPost)
_TS = table_of(TemplateSnapshot)
_QM = table_of(QuestionMessage)


@dataclass(frozen=True)
class AnswerRow:
    """A participation's current answer to one question, as loaded."""

    id: int
    question_key: str
    status: str
    text: str
    revision: int


@dataclass(frozen=True)
class OpenMessage:
    """A recorded message that shows a question of the participation with its buttons."""

    id: int
    question_key: str
    platform: str
    conversation: str
    message_ts: str
    #: What it shows (always :data:`~storage.models_question_messages.OPEN` here).
    shown: str = OPEN


@dataclass(frozen=True)
class AnswerState:
    """A participation, its round, unit and person, its answers, its open question
    messages and whether the message key was applied already: what storing an answer
    needs, as plain data."""

    participation_id: int
    round_id: int
    unit_id: int
    status: str
    position: int
    started_at: datetime | None
    finished_at: datetime | None
    version: int
    level_key: str
    person_chat_id: str | None
    person_name: str | None
    round_status: str
    round_lang: str
    round_anonymous: bool
    round_created_at: datetime
    template_snapshot_id: int
    seen: bool
    answers: tuple[AnswerRow, ...]
    #: The participation's question messages that show their question as open.
    open_messages: tuple[OpenMessage, ...] = ()

    def answer_to(self, question_key: str) -> AnswerRow | None:
        """The loaded answer to ``question_key``, or None."""
        return next((a for a in self.answers if a.question_key == question_key), None)


@dataclass(frozen=True)
class AnswerWrite:
    """The writes of one stored answer: the participation moves on (from ``version``), the
    answer is inserted (``answer_id`` None) or gets a new revision, the revision row is
    added and ``message_key`` recorded with ``outcome``."""

    workspace_id: str
    participation_id: int
    version: int
    status: str
    position: int
    started_at: datetime | None
    finished_at: datetime | None
    question_key: str
    text: str
    answer_status: str
    message_key: str
    outcome: str
    answer_id: int | None
    now: datetime


def _load(which: ColumnElement[bool]) -> Select[Any]:
    seen = exists().where(
        _PM.c.workspace_id == bindparam("ws"), _PM.c.message_key == bindparam("key")
    )
    return (
        select(
            _P.c.id,
            _P.c.round_id,
            _P.c.status,
            _P.c.position,
            _P.c.started_at,
            _P.c.finished_at,
            _P.c.version,
            _U.c.level_key,
            _PE.c.chat_id,
            _PE.c.name,
            _R.c.status,
            _R.c.lang,
            _R.c.anonymous,
            _R.c.template_snapshot_id,
            seen.label("seen"),
            _P.c.unit_id,
            _R.c.created_at,
            _A.c.id,
            _A.c.question_key,
            _A.c.status,
            _A.c.text,
            _A.c.revision,
            _QM.c.id,
            _QM.c.question_key,
            _QM.c.platform,
            _QM.c.conversation,
            _QM.c.message_ts,
        )
        .select_from(
            _P.join(_R, _R.c.id == _P.c.round_id)
            .join(_U, _U.c.id == _P.c.unit_id)
            .outerjoin(_PE, _PE.c.id == _P.c.person_id)
            .outerjoin(_A, _A.c.participation_id == _P.c.id)
            # Usually one row: the message of the question being answered.
            .outerjoin(_QM, (_QM.c.participation_id == _P.c.id) & (_QM.c.shown == OPEN))
        )
        .where(_P.c.workspace_id == bindparam("ws"), which)
        .order_by(_P.c.id, _A.c.id, _QM.c.id)
        # FOR KEY SHARE of the round, as in the ORM load: closing the round (FOR UPDATE)
        # waits for the answer, answers do not block each other.
        .with_for_update(read=True, key_share=True, of=_R)
    )


_BY_THREAD = _load(_P.c.thread_ref == bindparam("ref"))
_BY_ID = _load(_P.c.id == bindparam("ref"))
_BODY = select(_TS.c.body).where(_TS.c.id == bindparam("sid"))


def load_by_thread(
    session: Session, workspace: str, thread_ref: str, message_key: str
) -> AnswerState | None:
    """The participation living in ``thread_ref`` (the first by id), or None."""
    return _state(session, _BY_THREAD, workspace, thread_ref, message_key)


def load_by_id(
    session: Session, workspace: str, participation_id: int, message_key: str
) -> AnswerState | None:
    """The participation ``participation_id`` of ``workspace``, or None."""
    return _state(session, _BY_ID, workspace, participation_id, message_key)


def _state(
    session: Session, stmt: Select[Any], workspace: str, ref: object, message_key: str
) -> AnswerState | None:
    rows = core_execute(session, stmt, {"ws": workspace, "ref": ref, "key": message_key})
    first: Any = None
    # A row per answer and open message (their product): each kept once, in order.
    answers: dict[int, AnswerRow] = {}
    messages: dict[int, OpenMessage] = {}
    for row in rows:
        if first is None:
            first = row
        elif row[0] != first[0]:
            break
        if row[17] is not None and row[17] not in answers:
            answers[row[17]] = AnswerRow(row[17], row[18], row[19], row[20] or "", row[21])
        if row[22] is not None and row[22] not in messages:
            messages[row[22]] = OpenMessage(row[22], row[23], row[24], row[25], row[26])
    if first is None:
        return None
    return AnswerState(
        participation_id=first[0],
        round_id=first[1],
        unit_id=first[15],
        status=first[2],
        position=first[3],
        started_at=first[4],
        finished_at=first[5],
        version=first[6],
        level_key=first[7],
        person_chat_id=first[8],
        person_name=first[9],
        round_status=first[10],
        round_lang=first[11],
        round_anonymous=bool(first[12]),
        round_created_at=first[16],
        template_snapshot_id=first[13],
        seen=bool(first[14]),
        answers=tuple(answers.values()),
        open_messages=tuple(sorted(messages.values(), key=lambda m: m.id)),
    )


def template_body(session: Session, snapshot_id: int) -> dict[str, Any] | None:
    """The stored body of template snapshot ``snapshot_id``."""
    body = core_execute(session, _BODY, {"sid": snapshot_id}).scalar_one_or_none()
    return dict(body) if body is not None else None


# Writes -------------------------------------------------------------------------------

_MOVE: Update = (
    update(_P)
    .where(_P.c.id == bindparam("pid"), _P.c.version == bindparam("v"))
    .values(
        status=bindparam("pstatus"),
        position=bindparam("position"),
        started_at=bindparam("started_at"),
        finished_at=bindparam("finished_at"),
        version=_P.c.version + 1,
    )
)
_NEW_ANSWER: Insert = insert(_A).values(
    workspace_id=bindparam("ws"),
    participation_id=bindparam("pid"),
    question_key=bindparam("qk"),
    text=bindparam("text"),
    status=bindparam("astatus"),
    source_ref=bindparam("key"),
    revision=1,
    updated_at=bindparam("now"),
)
_NEXT_REVISION: Update = (
    update(_A)
    .where(_A.c.id == bindparam("aid"))
    .values(
        revision=_A.c.revision + 1,
        text=bindparam("text"),
        status=bindparam("astatus"),
        source_ref=bindparam("key"),
        updated_at=bindparam("now"),
    )
)
_MARK: Insert = insert(_PM).values(
    workspace_id=bindparam("ws"),
    message_key=bindparam("key"),
    participation_id=bindparam("pid"),
    outcome=bindparam("outcome"),
    created_at=bindparam("now"),
)


def _revision_from(answer: Any) -> Insert:
    return insert(_AR).from_select(
        ["answer_id", "revision", "text", "status", "source_ref", "created_at"],
        select(
            answer.c.id,
            answer.c.revision,
            bindparam("text", type_=_AR.c.text.type),
            bindparam("astatus", type_=_AR.c.status.type),
            bindparam("key", type_=_AR.c.source_ref.type),
            bindparam("now", type_=_AR.c.created_at.type),
        ),
    )


_POST_COLUMNS = (
    "workspace_id",
    "platform",
    "post_key",
    "round_id",
    "participation_id",
    "status",
    "payload",
    "attempts",
    "claimed_until",
    "created_at",
    "channel",
)


def _posts_insert(n: int) -> Insert:
    """``INSERT … SELECT`` of ``n`` rows (a multi-row ``VALUES`` is not cacheable in
    SQLAlchemy, this is), skipping existing keys, returning the keys inserted."""
    from sqlalchemy.dialects import postgresql

    def param(name: str, column: str) -> Any:
        return bindparam(name, type_=_CP.c[column].type)

    rows = [
        select(
            param("ws", "workspace_id"),
            param("platform", "platform"),
            param(f"k{i}", "post_key"),
            param(f"r{i}", "round_id"),
            param(f"p{i}", "participation_id"),
            literal(POST_PENDING, _CP.c.status.type),
            param(f"pl{i}", "payload"),
            literal(1, _CP.c.attempts.type),
            param("until", "claimed_until"),
            param("pnow", "created_at"),
            param(f"c{i}", "channel"),
        )
        for i in range(n)
    ]
    source = rows[0] if n == 1 else union_all(*rows)
    return (
        postgresql.insert(_CP)
        .from_select(_POST_COLUMNS, source)
        .on_conflict_do_nothing(index_elements=["workspace_id", "post_key"])
        .returning(_CP.c.post_key)
    )


_ONE_TRIP: dict[tuple[bool, int], Select[Any]] = {}


def _one_trip(new_answer: bool, posts: int) -> Select[Any]:
    """The PostgreSQL statement for an answer (new or a new revision) and ``posts`` outbox
    rows: every write a CTE, the result the number of participations moved and the post
    keys inserted. Built once per shape."""
    key = (new_answer, posts)
    stmt = _ONE_TRIP.get(key)
    if stmt is not None:
        return stmt
    moved = _MOVE.returning(_P.c.id).cte("moved")
    answer_dml = _NEW_ANSWER if new_answer else _NEXT_REVISION
    answer = answer_dml.returning(_A.c.id, _A.c.revision).cte("answer")
    revision = _revision_from(answer).cte("revision")
    mark = _MARK.cte("mark")
    count = select(func.count()).select_from(moved).scalar_subquery()
    columns: list[Any] = [count.label("moved")]
    ctes: list[Any] = [moved, answer, revision, mark]
    if posts:
        outbox = _posts_insert(posts).cte("outbox")
        ctes.append(outbox)
        columns.append(select(func.array_agg(outbox.c.post_key)).scalar_subquery().label("keys"))
    stmt = select(*columns).add_cte(*ctes)
    _ONE_TRIP[key] = stmt
    return stmt


def _params(write: AnswerWrite) -> dict[str, Any]:
    return {
        "ws": write.workspace_id,
        "pid": write.participation_id,
        "v": write.version,
        "pstatus": write.status,
        "position": write.position,
        "started_at": write.started_at,
        "finished_at": write.finished_at,
        "qk": write.question_key,
        "text": write.text,
        "astatus": write.answer_status,
        "key": write.message_key,
        "outcome": write.outcome,
        "aid": write.answer_id,
        "now": write.now,
    }


def write_answer(
    session: Session,
    write: AnswerWrite,
    posts: Sequence[NewPost],
    now: datetime,
    lease_until: datetime,
    platform: str = "slack",
) -> set[str]:
    """Apply ``write`` and insert ``posts`` as ``pending`` outbox rows leased until
    ``lease_until`` (existing keys skipped), in the session's transaction; the post keys
    inserted. :class:`StaleDataError` when the participation changed since it was loaded."""
    params = _params(write)
    conn = session.connection()
    if conn.dialect.name != "postgresql":
        return _write_one_by_one(session, write, params, posts, now, lease_until, platform)
    unique = unique_posts(posts)
    params["platform"] = platform
    params["until"] = lease_until
    params["pnow"] = now
    for i, post in enumerate(unique):
        params[f"k{i}"] = post.key
        params[f"r{i}"] = post.round_id
        params[f"p{i}"] = post.participation_id
        params[f"pl{i}"] = post.payload
        params[f"c{i}"] = post.channel
    row = conn.execute(_one_trip(write.answer_id is None, len(unique)), params).one()
    if row[0] != 1:
        raise StaleDataError(f"participation {write.participation_id} changed meanwhile")
    return set(row[1] or ()) if unique else set()


_STORED = (
    select(_A.c.id, _U.c.key, _U.c.name)
    .select_from(_A.join(_P, _P.c.id == _A.c.participation_id).join(_U, _U.c.id == _P.c.unit_id))
    .where(_A.c.participation_id == bindparam("pid"), _A.c.question_key == bindparam("qk"))
)


@dataclass(frozen=True)
class StoredAnswer:
    """An answer just written, and its participation's unit, for what refers to it."""

    answer_id: int
    unit_key: str
    unit_name: str


def write_answer_now(session: Session, write: AnswerWrite) -> StoredAnswer:
    """Apply ``write`` at once, without outbox rows (those follow in a statement of their
    own), for an answer that other rows refer to (activities); the answer's id and unit.
    :class:`StaleDataError` as in :func:`write_answer`."""
    write_answer(session, write, (), write.now, write.now)
    row = (
        session.connection()
        .execute(_STORED, {"pid": write.participation_id, "qk": write.question_key})
        .one()
    )
    return StoredAnswer(row[0], row[1], row[2])


_NEW_ANSWER_RETURNING = _NEW_ANSWER.returning(_A.c.id, _A.c.revision)
_NEXT_REVISION_RETURNING = _NEXT_REVISION.returning(_A.c.id, _A.c.revision)
_REVISION: Insert = insert(_AR).values(
    answer_id=bindparam("aid"),
    revision=bindparam("revision"),
    text=bindparam("text"),
    status=bindparam("astatus"),
    source_ref=bindparam("key"),
    created_at=bindparam("now"),
)


def _write_one_by_one(
    session: Session,
    write: AnswerWrite,
    params: dict[str, Any],
    posts: Sequence[NewPost],
    now: datetime,
    lease_until: datetime,
    platform: str,
) -> set[str]:
    conn = session.connection()
    moved = conn.execute(_MOVE, params)
    if moved.rowcount != 1:
        raise StaleDataError(f"participation {write.participation_id} changed meanwhile")
    answer = _NEW_ANSWER_RETURNING if write.answer_id is None else _NEXT_REVISION_RETURNING
    answer_id, revision = conn.execute(answer, params).one()
    conn.execute(_REVISION, {**params, "aid": answer_id, "revision": revision})
    conn.execute(_MARK, params)
    return insert_pending(session, write.workspace_id, posts, now, lease_until, platform)
