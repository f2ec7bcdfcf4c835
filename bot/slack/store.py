"""Database records of the Slack adapter: outgoing posts claimed under unique keys, and
handled event ids. Every query is scoped by workspace (Slack team id)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Literal

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from bot.clock import Clock, SystemClock
from storage.models import SlackPost

PENDING = "pending"
SENT = "sent"
FAILED = "failed"


@dataclass(frozen=True)
class Claim:
    """The result of claiming a post key.

    ``state`` is ``new`` (the caller must send it now), ``sent`` (already delivered:
    ``channel``/``ts`` say where) or ``busy`` (another worker is sending it right now).
    """

    state: Literal["new", "sent", "busy"]
    channel: str | None = None
    ts: str | None = None


@dataclass(frozen=True)
class FailedPost:
    """A post that still failed after the client's retries, kept for a later attempt."""

    post_key: str
    payload: dict[str, Any]
    attempts: int


class SlackStore:
    """Post claims and handled events, one short transaction each.

    A claim is written *before* calling Slack and completed after, so two deliveries of
    the same event racing each other post once. A claim left ``pending`` by a crashed
    worker is taken over after ``stale_after``.
    """

    def __init__(
        self,
        session_factory: sessionmaker[Session],
        clock: Clock | None = None,
        stale_after: timedelta = timedelta(seconds=120),
    ) -> None:
        self.session_factory = session_factory
        self.clock: Clock = clock or SystemClock()
        self.stale_after = stale_after

    def claim(
        self, workspace: str, key: str, channel: str | None, payload: dict[str, Any]
    ) -> Claim:
        """Claim ``key`` for sending, or learn that it was (or is being) sent."""
        now = self.clock.now()
        with self.session_factory() as session:
            # Most keys are new: insert first (one statement) and look only on a conflict.
            session.add(
                SlackPost(
                    workspace_id=workspace,
                    post_key=key,
                    status=PENDING,
                    channel=channel,
                    payload=payload,
                    attempts=1,
                    claimed_at=now,
                )
            )
            try:
                session.commit()
                return Claim("new")
            except IntegrityError:
                session.rollback()
            row = self._row(session, workspace, key)
            if row is None:  # pragma: no cover - deleted in between
                return Claim("busy")
            if row.status == SENT:
                return Claim("sent", row.channel, row.ts)
            if row.status == PENDING and row.claimed_at > now - self.stale_after:
                return Claim("busy")
            taken = session.execute(
                update(SlackPost)
                .where(SlackPost.id == row.id, SlackPost.claimed_at == row.claimed_at)
                .values(
                    status=PENDING,
                    claimed_at=now,
                    attempts=SlackPost.attempts + 1,
                    payload=payload,
                )
            )
            session.commit()
            return Claim("new") if _rowcount(taken) == 1 else Claim("busy")

    def sent(self, workspace: str, key: str, channel: str | None, ts: str | None) -> None:
        """Complete a claim: the post is delivered at ``channel``/``ts``."""
        with self.session_factory() as session:
            session.execute(
                update(SlackPost)
                .where(SlackPost.workspace_id == workspace, SlackPost.post_key == key)
                .values(status=SENT, channel=channel, ts=ts, sent_at=self.clock.now())
            )
            session.commit()

    def failed(self, workspace: str, key: str) -> None:
        """Give a claim up after the client's retries; :meth:`failed_posts` returns it."""
        with self.session_factory() as session:
            session.execute(
                update(SlackPost)
                .where(SlackPost.workspace_id == workspace, SlackPost.post_key == key)
                .values(status=FAILED)
            )
            session.commit()

    def release(self, workspace: str, key: str) -> None:
        """Forget a claim whose post Slack refused for good (nothing to retry)."""
        with self.session_factory() as session:
            row = self._row(session, workspace, key)
            if row is not None and row.status != SENT:
                session.delete(row)
                session.commit()

    def recorded(self, workspace: str, key: str) -> tuple[str | None, str | None] | None:
        """Where a delivered post went (channel, ts), or None if it was never delivered."""
        with self.session_factory() as session:
            row = self._row(session, workspace, key)
            if row is None or row.status != SENT:
                return None
            return row.channel, row.ts

    def failed_posts(self, workspace: str, limit: int = 20) -> list[FailedPost]:
        """Posts of ``workspace`` waiting for another attempt, oldest first."""
        with self.session_factory() as session:
            rows = session.scalars(
                select(SlackPost)
                .where(SlackPost.workspace_id == workspace, SlackPost.status == FAILED)
                .order_by(SlackPost.id)
                .limit(limit)
            ).all()
            return [FailedPost(r.post_key, dict(r.payload or {}), r.attempts) for r in rows]

    def workspaces_with_failed_posts(self) -> list[str]:
        """Workspaces that have posts waiting for another attempt."""
        with self.session_factory() as session:
            return list(
                session.scalars(
                    select(SlackPost.workspace_id).where(SlackPost.status == FAILED).distinct()
                )
            )

    @staticmethod
    def _row(session: Session, workspace: str, key: str) -> SlackPost | None:
        return session.scalars(
            select(SlackPost).where(SlackPost.workspace_id == workspace, SlackPost.post_key == key)
        ).one_or_none()


def _rowcount(result: object) -> int:
    return int(getattr(result, "rowcount", 0))
