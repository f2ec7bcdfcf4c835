"""Every outgoing Teams call goes through :class:`TeamsSender`, on top of the outbox
(``chat_posts`` with ``platform = 'teams'``, reached through
``services.conversations.outbox('teams')``).

A post is written ``pending`` before whatever caused it is acknowledged, sent after the
ack by the process holding its lease, and taken over by the resender when that process
died or the send failed. Each call is made inside the client-side
:class:`~bot.teams.rate.RateLimiter` (``with limiter.call(…)``), which waits until the call
fits Teams' limits per conversation and per tenant and counts it from its answer; a 429, 412, 502
or 504 that still happens is retried in place when its ``Retry-After`` (or the jittered
back-off) is short, otherwise the row is rescheduled. 403 (the app is not installed for
the person), 413 and other refusals give the post up (``dead``) and are logged with the
key only, never the text.

Payloads (opaque to the outbox):

* ``{"op": "send", "user": AAD_ID, "activity": {...}}`` — the person's personal chat
  (its conversation reference, or a new 1:1 chat created with ``POST /v3/conversations``);
* ``{"op": "send", "conversation": ID, "activity": {...}}`` — a known conversation;
* ``{"op": "channel", "channel": ID, "activity": {...}}`` — a new post in a channel;
* ``{"op": "send", "thread_of": KEY, "activity": {...}}`` — a reply in the thread another
  post opened (waits until that one has landed);
* ``{"op": "update", "conversation": ID, "activity_id": ID, "activity": {...}}`` — PUT;
* optional ``shows`` (``{"pid", "ref"}``: the card shows that question) and ``settles``
  (``{"card_id", "token"}``: the update brings that card up to date).
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Protocol

from bot.services.conversations import ConversationRef, DuePost, Landed, NewPost
from bot.teams.deps import Services
from bot.teams.rate import RateLimiter

log = logging.getLogger(__name__)

PLATFORM = "teams"
#: Statuses worth another attempt (throttled, precondition, gateway problems).
RETRYABLE = frozenset({425, 429, 412, 500, 502, 503, 504})
#: The longest wait (seconds) done in place; longer ones reschedule the row.
MAX_INLINE_WAIT = 5.0
INLINE_ATTEMPTS = 6


class ConnectorError(Exception):
    """The Connector refused a call (``status``; ``retry_after`` seconds when it said)."""

    def __init__(self, status: int, retry_after: float | None = None, code: str = "") -> None:
        super().__init__(f"HTTP {status} {code}".strip())
        self.status = status
        self.retry_after = retry_after
        self.code = code


class Connector(Protocol):
    """The Bot Connector calls the sender makes (:class:`bot.teams.sdk.SdkConnector`)."""

    def create_personal(self, service_url: str, tenant: str, user_ref: str) -> str:
        """Create (or get) the 1:1 chat with ``user_ref``; its conversation id."""
        ...

    def create_channel_post(
        self, service_url: str, tenant: str, channel: str, activity: dict[str, Any]
    ) -> tuple[str, str]:
        """Start a thread in ``channel``; (the thread's conversation id, the activity id)."""
        ...

    def send(self, service_url: str, conversation: str, activity: dict[str, Any]) -> str:
        """Post ``activity``; its id."""
        ...

    def update(
        self, service_url: str, conversation: str, activity_id: str, activity: dict[str, Any]
    ) -> None:
        """Replace activity ``activity_id``."""
        ...


@dataclass(frozen=True)
class Planned:
    """Posts written to the outbox; ``mine`` are the keys this process sends."""

    workspace: str
    posts: tuple[NewPost, ...] = ()
    mine: frozenset[str] = frozenset()


class TeamsSender:
    """Plans, sends and resends Teams posts.

    Args:
        services: the service layer (outbox, conversation references, cards).
        connector: the Bot Connector calls.
        limiter: client-side rate limits.
        service_url: where conversations without a stored service URL are reached.
        sleep: how to wait between attempts (tests pass a virtual clock's).
    """

    def __init__(
        self,
        services: Services,
        connector: Connector,
        limiter: RateLimiter,
        service_url: str,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.services = services
        self.outbox = services.conversations.outbox(PLATFORM)
        self.connector = connector
        self.limiter = limiter
        self.service_url = service_url
        self.sleep = sleep
        self.retried = 0
        #: Personal chats being created ahead of posting (:meth:`open_personal_chats`).
        self._opening: dict[tuple[str, str], Future[str | None]] = {}
        self._opening_lock = threading.Lock()

    # Planning and sending -----------------------------------------------------------

    def plan(
        self, workspace: str, posts: Sequence[NewPost], lease: timedelta | None = None
    ) -> Planned:
        """Write ``posts`` as pending rows; what this process must send."""
        mine = self.outbox.plan(workspace, posts, lease)
        return Planned(workspace, tuple(posts), frozenset(mine))

    def send_planned(self, planned: Planned) -> None:
        """Send the planned posts this process holds, in order."""
        for post in planned.posts:
            if post.key in planned.mine:
                self.deliver(planned.workspace, post)

    def send_now(self, workspace: str, posts: Sequence[NewPost]) -> None:
        """Plan and send at once."""
        self.send_planned(self.plan(workspace, posts))

    def post(self, workspace: str, post: NewPost) -> Landed | None:
        """Claim ``post`` and send it unless it was (or is being) sent."""
        claim = self.outbox.claim(workspace, post)
        if claim.state == "sent":
            return Landed(post.key, claim.channel, claim.ts)
        if claim.state == "busy":
            return None
        return self.deliver(workspace, post)

    def resend_due(self, limit: int = 50) -> int:
        """Send rows whose sender died or whose retry is due; how many were taken."""
        due: list[DuePost] = self.outbox.take_over_due(limit)
        for row in due:
            post = NewPost(row.key, row.payload, None, row.round_id, row.participation_id)
            self.deliver(row.workspace_id, post)
        return len(due)

    def open_personal_chats(
        self, workspace: str, users: Sequence[str], workers: int
    ) -> Callable[[], None]:
        """Create, in ``workers`` background threads, the personal chats of ``users`` the
        bot has no reference for yet, ahead of posting to them (a round start's, while
        the round is being stored). Nothing is posted, and Teams gives the same chat when
        one is created again, so this is safe whatever happens next; a post to one of
        them takes the chat from here instead of creating it. Returns the function that
        ends it (chats not begun by then are left to the posts)."""
        pool = ThreadPoolExecutor(workers, thread_name_prefix="dialogbot-teams-open")

        def open_one(user: str) -> str | None:
            if self.services.conversations.reference(workspace, PLATFORM, user) is not None:
                return None
            with self.limiter.call(workspace):
                return self.connector.create_personal(
                    self.service_url, workspace, f"8:orgid:{user}"
                )

        mine: list[tuple[str, str]] = []
        with self._opening_lock:
            for user in users:
                key = (workspace, user)
                if key not in self._opening:
                    self._opening[key] = pool.submit(open_one, user)
                    mine.append(key)

        def close() -> None:
            with self._opening_lock:
                for key in mine:
                    left = self._opening.pop(key, None)
                    if left is not None:
                        left.cancel()
            pool.shutdown(wait=True)

        return close

    def _opened(self, workspace: str, user: str) -> str | None:
        """The personal chat :meth:`open_personal_chats` created for ``user`` (waiting for
        it when under way), or None: not asked for, not begun, or it failed."""
        with self._opening_lock:
            opening = self._opening.pop((workspace, user), None)
        if opening is None or opening.cancel():
            return None
        try:
            return opening.result()
        except Exception:  # the post's own call shows what is wrong
            return None

    def deliver(self, workspace: str, post: NewPost) -> Landed | None:
        """Make the call for one held row and record the outcome."""
        payload = post.payload
        for attempt in range(INLINE_ATTEMPTS):
            try:
                conversation, activity_id = self._call(workspace, payload)
            except ConnectorError as err:
                if err.status not in RETRYABLE:
                    log.warning("teams post %s refused: HTTP %s %s", post.key, err.status, err.code)
                    self.outbox.dead(workspace, post.key)
                    return None
                wait = err.retry_after
                if wait is None:
                    wait = min(30.0, 0.5 * 2**attempt) * (0.5 + random.random())
                if wait > MAX_INLINE_WAIT or attempt == INLINE_ATTEMPTS - 1:
                    log.info("teams post %s rescheduled after HTTP %s", post.key, err.status)
                    self.outbox.failed(workspace, post.key, timedelta(seconds=max(1.0, wait)))
                    return None
                self.retried += 1
                self.sleep(wait)
                continue
            landed = Landed(post.key, conversation, activity_id)
            self.outbox.sent(workspace, [landed])
            self._landed(workspace, payload, conversation, activity_id)
            return landed
        return None  # pragma: no cover - the loop returns

    # Calls --------------------------------------------------------------------------

    def _call(self, workspace: str, payload: dict[str, Any]) -> tuple[str, str]:
        op = payload.get("op")
        activity = dict(payload.get("activity") or {})
        if op == "update":
            conversation = str(payload["conversation"])
            url = str(payload.get("service_url") or self.service_url)
            with self.limiter.call(workspace, conversation):
                self.connector.update(url, conversation, str(payload["activity_id"]), activity)
            return conversation, str(payload["activity_id"])
        if op == "channel":
            channel = str(payload["channel"])
            with self.limiter.call(workspace, channel):
                return self.connector.create_channel_post(
                    self.service_url, workspace, channel, activity
                )
        conversation, url = self._conversation(workspace, payload)
        with self.limiter.call(workspace, conversation):
            return conversation, self.connector.send(url, conversation, activity)

    def _conversation(self, workspace: str, payload: dict[str, Any]) -> tuple[str, str]:
        if payload.get("thread_of"):
            where = self.outbox.recorded(workspace, str(payload["thread_of"]))
            if where is None or not where[0]:
                raise ConnectorError(425, 10.0, "ThreadNotYetPosted")
            return str(where[0]), self.service_url
        if payload.get("conversation"):
            url = str(payload.get("service_url") or self.service_url)
            return str(payload["conversation"]), url
        user = str(payload["user"])
        ref = self.services.conversations.reference(workspace, PLATFORM, user)
        if ref is not None:
            return ref.conversation_id, ref.service_url
        user_ref = f"8:orgid:{user}"
        conversation = self._opened(workspace, user)
        if conversation is None:
            with self.limiter.call(workspace):
                conversation = self.connector.create_personal(self.service_url, workspace, user_ref)
        self.services.conversations.remember(
            workspace,
            PLATFORM,
            ConversationRef(user, user_ref, conversation, self.service_url),
        )
        return conversation, self.service_url

    def _landed(
        self, workspace: str, payload: dict[str, Any], conversation: str, activity_id: str
    ) -> None:
        shows = payload.get("shows")
        if isinstance(shows, dict):
            self.services.conversations.record_card(
                workspace, PLATFORM, int(shows["pid"]), str(shows["ref"]), conversation, activity_id
            )
        settles = payload.get("settles")
        if isinstance(settles, dict):
            self.services.conversations.card_shown(
                workspace, int(settles["card_id"]), str(settles["token"])
            )
