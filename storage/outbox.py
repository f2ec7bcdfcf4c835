"""Queries of the outbox (``chat_posts``): planning posts, claiming them under a lease,
recording the outcome, and taking over what a dead or failed sender left behind.

A row is sent only by the holder of its current lease (``claimed_until`` in the future):
whoever inserted it, or whoever took it over after the lease expired (a sender that died)
or after ``next_attempt_at`` (a send that failed). Every query is scoped by workspace,
except the resender's look-up of due rows, which serves every workspace.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any, Literal, Protocol

from sqlalchemy import (
    JSON,
    ColumnElement,
    Integer,
    Select,
    String,
    and_,
    any_,
    bindparam,
    func,
    literal,
    or_,
    select,
    update,
)
from sqlalchemy.orm import Session, aliased, sessionmaker

from bot.domain.posts import NewPost as NewPost  # re-exported: what the outbox stores
from storage.db import conflict_insert, core_execute, json_rows, table_of
from storage.models import ProcessedMessage
from storage.models_outbox import (
    LEASED,
    POST_DEAD,
    POST_FAILED,
    POST_PENDING,
    POST_SENT,
    RETRYING,
    ChatPost,
)


class Clock(Protocol):
    """Tells the current time (aware, UTC); ``bot.clock`` clocks fit."""

    def now(self) -> datetime:
        """The current time."""
        ...


class _SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


#: How long the process that wrote or took over a row may send it before others may.
DEFAULT_LEASE = timedelta(seconds=40)
#: After this many attempts a post is given up (``dead``).
DEFAULT_MAX_ATTEMPTS = 12


@dataclass(frozen=True)
class Claim:
    """The result of claiming a post key.

    ``state`` is ``new`` (the caller holds the lease until ``lease_until`` and must send
    it), ``sent`` (already delivered at ``channel``/``ts``) or ``busy`` (someone else holds
    it). ``taken_over`` is True when the lease of an earlier sender ran out while the row
    was pending: that sender may have posted it before it died, not before ``since`` (when
    the row was written) and not after ``until`` (when the lease taken over ran out; no
    holder before started an attempt later, see :class:`DuePost`).
    """

    state: Literal["new", "sent", "busy"]
    channel: str | None = None
    ts: str | None = None
    lease_until: datetime | None = None
    taken_over: bool = False
    since: datetime | None = None
    until: datetime | None = None


@dataclass(frozen=True)
class DuePost:
    """A row the resender took over: the caller holds it until ``lease_until``. It was
    written at ``since``: no earlier attempt can have been made before. ``until`` is when
    the lease it was taken from ran out (None for a failed row): every earlier holder's
    lease ended by then (a row is taken over only once its lease has run out), and a
    holder starts no attempt its lease cannot hold, so none was made after it."""

    workspace_id: str
    key: str
    payload: dict[str, Any]
    attempts: int
    lease_until: datetime
    taken_over: bool = False
    round_id: int | None = None
    participation_id: int | None = None
    since: datetime | None = None
    until: datetime | None = None


@dataclass(frozen=True)
class Landed:
    """Where a post went (a message ts, a file id)."""

    key: str
    channel: str | None
    ts: str | None


@dataclass
class OutboxStore:
    """The outbox of one platform, one short transaction per call."""

    session_factory: sessionmaker[Session]
    clock: Clock = field(default_factory=_SystemClock)
    lease: timedelta = DEFAULT_LEASE
    max_attempts: int = DEFAULT_MAX_ATTEMPTS
    platform: str = "slack"

    # Writing rows ------------------------------------------------------------------------

    def plan(
        self, workspace: str, posts: Sequence[NewPost], lease: timedelta | None = None
    ) -> tuple[set[str], datetime]:
        """Insert ``posts`` as ``pending`` in one statement, skipping keys that exist.

        Returns the keys inserted now (the caller holds their lease, by default
        :attr:`lease`, until the returned time and sends them) and the lease's end.
        """
        now = self.clock.now()
        until = now + (lease or self.lease)
        if not posts:
            return set(), until
        with self.session_factory() as session:
            inserted = insert_pending(session, workspace, posts, now, until, self.platform)
            session.commit()
        return inserted, until

    def claim(self, workspace: str, post: NewPost) -> Claim:
        """Claim ``post.key`` for sending now, or learn that it was (or is being) sent.

        A row that failed, was given up, or whose sender's lease ran out is taken over.
        """
        inserted, until = self.plan(workspace, [post])
        if inserted:
            return Claim("new", lease_until=until)
        now = self.clock.now()
        with self.session_factory() as session:
            row = self._row(session, workspace, post.key)
            if row is None:  # pragma: no cover - deleted in between
                return Claim("busy")
            if row.status == POST_SENT:
                return Claim("sent", row.channel, row.ts)
            if row.status == POST_PENDING and _after(row.claimed_until, now):
                return Claim("busy")
            # Read before the update below, which also changes the loaded row.
            taken_over, since, ended = row.status == POST_PENDING, row.created_at, row.claimed_until
            taken = session.execute(
                update(ChatPost)
                .where(
                    ChatPost.id == row.id,
                    ChatPost.status == row.status,
                    ChatPost.attempts == row.attempts,
                )
                .values(
                    status=POST_PENDING,
                    claimed_until=now + self.lease,
                    next_attempt_at=None,
                    attempts=ChatPost.attempts + 1,
                    payload=post.payload,
                )
            )
            session.commit()
            if _rowcount(taken) != 1:
                return Claim("busy")
            return Claim(
                "new",
                lease_until=now + self.lease,
                taken_over=taken_over,
                since=since,
                until=ended if taken_over else None,
            )

    # Recording outcomes ------------------------------------------------------------------

    def sent(self, workspace: str, landed: Sequence[Landed]) -> None:
        """Record delivered posts (one round trip for all of them)."""
        if not landed:
            return
        with self.session_factory() as session:
            mark_sent(session, workspace, landed, self.clock.now())
            session.commit()

    def failed(self, workspace: str, key: str, retry_in: timedelta | None = None) -> str:
        """Give a send up for now; it is due again after ``retry_in`` (exponential back-off
        by attempts when None), or ``dead`` after too many attempts. The new status."""
        now = self.clock.now()
        with self.session_factory() as session:
            row = self._row(session, workspace, key)
            if row is None or row.status == POST_SENT:
                return row.status if row is not None else POST_DEAD
            if row.attempts >= self.max_attempts:
                row.status = POST_DEAD
            else:
                wait = retry_in or timedelta(seconds=min(300, 5 * 2 ** (row.attempts - 1)))
                row.status = POST_FAILED
                row.next_attempt_at = now + wait
            row.claimed_until = None
            status = row.status
            session.commit()
            return status

    def dead(self, workspace: str, key: str) -> None:
        """Give a post up for good (the platform refused it); a later :meth:`claim` under
        the same key may still try again."""
        with self.session_factory() as session:
            session.execute(
                update(ChatPost)
                .where(
                    ChatPost.workspace_id == workspace,
                    ChatPost.post_key == key,
                    ChatPost.status != POST_SENT,
                )
                .values(status=POST_DEAD, claimed_until=None, next_attempt_at=None)
            )
            session.commit()

    # The resender ------------------------------------------------------------------------

    def take_over_due(self, limit: int = 50) -> list[DuePost]:
        """Claim rows nobody is sending: ``pending`` whose lease ran out (their sender
        died) and ``failed`` whose next attempt is due. On PostgreSQL concurrent resenders
        skip each other's rows (``FOR UPDATE SKIP LOCKED``)."""
        now = self.clock.now()
        until = now + self.lease
        with self.session_factory() as session:
            locking = session.get_bind().dialect.name == "postgresql"
            # The lease each row is taken from (the update below replaces it): its end
            # bounds when an earlier holder can have made the post.
            found = {
                int(i): (str(s), ended)
                for i, s, ended in session.execute(
                    due_rows(locking), {"on": self.platform, "now": now, "limit": limit}
                ).all()
            }
            if not found:
                session.commit()
                return []
            taken = session.execute(
                _take_over(),
                {"on": self.platform, "now": now, "until": until, "ids": list(found)},
            ).all()
            session.commit()
        return [
            DuePost(
                str(ws),
                str(key),
                dict(payload or {}),
                int(attempts),
                until,
                taken_over=found[int(rid)][0] == POST_PENDING,
                round_id=round_id,
                participation_id=participation_id,
                since=since,
                until=found[int(rid)][1],
            )
            for rid, ws, key, payload, attempts, round_id, participation_id, since in sorted(
                taken, key=lambda r: int(r[0])
            )
        ]

    # Reading -----------------------------------------------------------------------------

    def recorded(self, workspace: str, key: str) -> tuple[str | None, str | None] | None:
        """Where a delivered post went (channel, ts), or None if it was never delivered."""
        with self.session_factory() as session:
            row = self._row(session, workspace, key)
            if row is None or row.status != POST_SENT:
                return None
            return row.channel, row.ts

    def status(self, workspace: str, key: str) -> str | None:
        """The status of the post under ``key`` (None when there is none)."""
        with self.session_factory() as session:
            row = self._row(session, workspace, key)
            return None if row is None else row.status

    def superseded(self, workspace: str, message_key: str) -> bool:
        """True when a later message of the same participation was applied after
        ``message_key``: the participant has moved on (and that message's posts show the
        current question), so a replay of ``message_key`` must not post it again."""
        first = aliased(ProcessedMessage)
        later = aliased(ProcessedMessage)
        with self.session_factory() as session:
            found = session.scalars(
                select(later.id)
                .join(first, first.participation_id == later.participation_id)
                .where(
                    first.workspace_id == workspace,
                    first.message_key == message_key,
                    later.workspace_id == workspace,
                    later.id > first.id,
                )
                .limit(1)
            ).first()
            return found is not None

    def group_post_at(self, workspace: str, channel: str, ts: str) -> bool:
        """True when the post at ``channel``/``ts`` went to a whole group (an announcement,
        a summary, a digest): it belongs to no participant."""
        with self.session_factory() as session:
            return (
                session.scalars(
                    select(ChatPost.id)
                    .where(
                        ChatPost.workspace_id == workspace,
                        ChatPost.channel == channel,
                        ChatPost.ts == ts,
                        ChatPost.participation_id.is_(None),
                    )
                    .limit(1)
                ).first()
                is not None
            )

    def round_of_post(self, workspace: str, channel: str, ts: str) -> int | None:
        """The round of the participant's post at ``channel``/``ts`` (the message a
        participant's thread hangs off); posts to the whole group (announcement, summary)
        do not count, so talk in their threads stays nobody's business."""
        with self.session_factory() as session:
            return session.scalars(
                select(ChatPost.round_id)
                .where(
                    ChatPost.workspace_id == workspace,
                    ChatPost.channel == channel,
                    ChatPost.ts == ts,
                    ChatPost.round_id.is_not(None),
                    ChatPost.participation_id.is_not(None),
                )
                .limit(1)
            ).first()

    @staticmethod
    def _row(session: Session, workspace: str, key: str) -> ChatPost | None:
        return session.scalars(
            select(ChatPost).where(ChatPost.workspace_id == workspace, ChatPost.post_key == key)
        ).one_or_none()


def _sent_statement() -> Any:
    table = table_of(ChatPost)
    return (
        update(table)
        .where(table.c.workspace_id == bindparam("w"), table.c.post_key == bindparam("k"))
        .values(
            status=POST_SENT,
            channel=bindparam("c"),
            ts=bindparam("t"),
            sent_at=bindparam("now"),
            claimed_until=None,
            next_attempt_at=None,
        )
    )


def _due() -> ColumnElement[bool]:
    """Rows of ``:on`` (a platform) nobody is sending at ``:now``: ``pending`` whose
    lease ran out, ``failed`` whose next attempt is due (each found in its partial index)."""
    now = bindparam("now", type_=ChatPost.claimed_until.type)
    return and_(
        ChatPost.platform == bindparam("on", type_=String),
        or_(
            and_(LEASED, ChatPost.claimed_until < now),
            and_(RETRYING, ChatPost.next_attempt_at <= now),
        ),
    )


@cache
def due_rows(locking: bool) -> Select[int, str, datetime | None]:
    """The first ``:limit`` due rows (:func:`_due`) with their status and lease; with
    ``locking`` (PostgreSQL) rows another resender holds are skipped. Built once."""
    query = (
        select(ChatPost.id, ChatPost.status, ChatPost.claimed_until)
        .where(_due())
        .order_by(ChatPost.id)
        .limit(bindparam("limit", type_=Integer))
    )
    return query.with_for_update(skip_locked=True) if locking else query


@cache
def _take_over() -> Any:
    """Lease the rows ``:ids`` that are still due (:func:`_due`) until ``:until`` and
    return what sending them needs. Built once."""
    return (
        update(ChatPost)
        .where(ChatPost.id.in_(bindparam("ids", expanding=True)), _due())
        .values(
            status=POST_PENDING,
            claimed_until=bindparam("until", type_=ChatPost.claimed_until.type),
            next_attempt_at=None,
            attempts=ChatPost.attempts + 1,
        )
        .returning(
            ChatPost.id,
            ChatPost.workspace_id,
            ChatPost.post_key,
            ChatPost.payload,
            ChatPost.attempts,
            ChatPost.round_id,
            ChatPost.participation_id,
            ChatPost.created_at,
        )
        .execution_options(synchronize_session=False)
    )


@cache
def sent_statement_pg() -> Any:
    """:func:`_sent_statement` for PostgreSQL: the landed posts as one JSON array read by
    ``json_to_recordset`` into one ``UPDATE … FROM``, one statement execution for any
    number of posts (an executemany runs the statement once per post on the server, each
    with its own parse of parameters, ~0.1 ms per post in a fan-out's landing flush).
    One JSON document, encoded in C (:func:`sent_parameters`): as three ``text[]``
    parameters psycopg dumped every element in Python. The keys are also matched as an
    array (``post_key = ANY(ARRAY(SELECT …))``): the planner takes a JSON array for 100
    rows and, against a table of a year's sent posts, would rather read all of them than
    look 100 keys up (measured: 5–8 ms of PostgreSQL per answer at 15,000 posts, against
    1.5–1.8). Built once, at its first use (a command on SQLite loads no PostgreSQL
    dialect)."""
    table = table_of(ChatPost)
    landed = json_rows("landed", "landed", post_key=String, channel=String, ts=String)
    keys = json_rows("landed", "keys", post_key=String)
    return (
        update(table)
        .where(
            table.c.workspace_id == bindparam("w"),
            table.c.post_key == landed.c.post_key,
            table.c.post_key == any_(func.array(select(keys.c.post_key).scalar_subquery())),
        )
        .values(
            status=POST_SENT,
            channel=landed.c.channel,
            ts=landed.c.ts,
            sent_at=bindparam("now", type_=table.c.sent_at.type),
            claimed_until=None,
            next_attempt_at=None,
        )
    )


def sent_parameters(workspace: str, landed: Sequence[Landed], now: datetime) -> dict[str, Any]:
    """The parameters of :func:`sent_statement_pg` for ``landed``."""
    rows = [{"post_key": x.key, "channel": x.channel, "ts": x.ts} for x in landed]
    return {"w": workspace, "now": now, "landed": json.dumps(rows)}


#: Built once: SQLAlchemy finds their compiled form in the cache without rebuilding them.
_SENT = _sent_statement()


def mark_sent(session: Session, workspace: str, landed: Sequence[Landed], now: datetime) -> None:
    """Record delivered posts in the session's transaction: one statement execution on
    PostgreSQL (the posts as arrays), one statement with many parameter sets on SQLite."""
    if not landed:
        return
    if session.get_bind().dialect.name == "postgresql":
        core_execute(session, sent_statement_pg(), sent_parameters(workspace, landed, now))
        return
    core_execute(
        session,
        _SENT,
        [{"w": workspace, "k": x.key, "c": x.channel, "t": x.ts, "now": now} for x in landed],
    )


def insert_pending(
    session: Session,
    workspace: str,
    posts: Sequence[NewPost],
    now: datetime,
    lease_until: datetime,
    platform: str = "slack",
) -> set[str]:
    """Insert ``posts`` as ``pending`` rows leased until ``lease_until`` in the session's
    transaction (one statement, existing keys skipped); the keys inserted."""
    if not posts:
        return set()
    if session.get_bind().dialect.name == "postgresql":
        return _insert_pending_pg(
            session, workspace, unique_posts(posts), now, lease_until, platform
        )
    rows = [
        {
            "workspace_id": workspace,
            "platform": platform,
            "post_key": p.key,
            "round_id": p.round_id,
            "participation_id": p.participation_id,
            "status": POST_PENDING,
            "payload": p.payload,
            "attempts": 1,
            "claimed_until": lease_until,
            "created_at": now,
            "channel": p.channel,
        }
        for p in unique_posts(posts)
    ]
    statement = _insert_new(session.get_bind().dialect.name)
    result = core_execute(session, statement, rows)
    return {str(key) for key in result.scalars().all()}


def _insert_pending_pg(
    session: Session,
    workspace: str,
    posts: Sequence[NewPost],
    now: datetime,
    lease_until: datetime,
    platform: str,
) -> set[str]:
    """:func:`insert_pending` on PostgreSQL: the rows as one JSON array read by
    ``json_to_recordset`` into one ``INSERT … SELECT``, so the statement's text is the same
    for any number of posts (compiled and parsed once; the multi-row ``VALUES`` of a
    2,001-post fan-out cost ~50 ms per 1,000 rows just to turn into the driver's query).
    One JSON document, encoded in C: as a ``text[]`` parameter, psycopg escaped every
    quote of every payload with a regular expression in Python (~0.1 ms per post)."""
    rows = [
        {
            "post_key": p.key,
            "round_id": p.round_id,
            "participation_id": p.participation_id,
            "payload": p.payload,
            "channel": p.channel,
        }
        for p in posts
    ]
    result = core_execute(
        session,
        _pending_from_json(),
        {
            "workspace": workspace,
            "platform": platform,
            "status": POST_PENDING,
            "lease_until": lease_until,
            "now": now,
            "rows": json.dumps(rows),
        },
    )
    return {str(key) for key in result.scalars().all()}


@cache
def _pending_from_json() -> Any:
    """The statement of :func:`_insert_pending_pg`, built once, at its first use."""
    from sqlalchemy.dialects import postgresql

    table = table_of(ChatPost)
    rows = json_rows(
        "rows",
        "new_posts",
        post_key=String,
        round_id=Integer,
        participation_id=Integer,
        payload=JSON,
        channel=String,
    )
    columns = {
        "workspace_id": bindparam("workspace", type_=String),
        "platform": bindparam("platform", type_=String),
        "post_key": rows.c.post_key,
        "round_id": rows.c.round_id,
        "participation_id": rows.c.participation_id,
        "status": bindparam("status", type_=String),
        "payload": rows.c.payload,
        "attempts": literal(1),
        "claimed_until": bindparam("lease_until", type_=table.c.claimed_until.type),
        "created_at": bindparam("now", type_=table.c.created_at.type),
        "channel": rows.c.channel,
    }
    return (
        postgresql.insert(table)
        .from_select(list(columns), select(*columns.values()))
        .on_conflict_do_nothing(index_elements=["workspace_id", "post_key"])
        .returning(table.c.post_key)
    )


@cache
def _insert_new(dialect: str) -> Any:
    """``INSERT … ON CONFLICT DO NOTHING RETURNING post_key`` for the backend, built once
    and run with many parameter sets: SQLAlchemy sends them as multi-row inserts of a
    statement compiled once (insertmanyvalues), not one statement with thousands of
    literals."""
    insert = conflict_insert(dialect)
    table = table_of(ChatPost)
    return (
        insert(table)
        .on_conflict_do_nothing(index_elements=["workspace_id", "post_key"])
        .returning(table.c.post_key)
    )


def unique_posts(posts: Sequence[NewPost]) -> list[NewPost]:
    """``posts`` without repeated keys, first one kept, in order."""
    seen: set[str] = set()
    out = []
    for p in posts:
        if p.key not in seen:
            seen.add(p.key)
            out.append(p)
    return out


def _after(moment: datetime | None, now: datetime) -> bool:
    return moment is not None and moment > now


def _rowcount(result: object) -> int:
    return int(getattr(result, "rowcount", 0))
