"""All outgoing Slack calls that change something go through :class:`Poster`, on top of
the outbox (:mod:`storage.outbox`, table ``chat_posts``).

Each post has a key derived from what caused it (``slack:C1:1712.0001:next``). What an
incoming event calls for is written as ``pending`` rows *before* the event is acknowledged
(:meth:`Poster.plan`), under a lease held by the writing process, and sent after the ack
(:meth:`Poster.send_planned`). A replayed event plans the same keys (nothing new is
inserted), a second replica never sends a row whose lease another holds, and a process
killed after the ack leaves rows the resender (:func:`resend_loop`) takes over once their
lease expires. Direct calls (:meth:`Poster.post` and friends) claim the row and send at
once.

With a :class:`~bot.slack.pacing.Pacer` (production), posts are paced per channel and per
workspace before they are made, so Slack's limits are met instead of hit; a 429 that still
comes is fed back to the pacer (the channel waits out Retry-After once, for every sender)
and the post is tried again within its lease. Without a pacer, Slack's 429 is waited out in
the client only when Retry-After is short. Either way a long Retry-After fails the row with
its next attempt at Retry-After, so no thread sleeps past its lease; a 429 means the post was
not made, so trying again can neither lose nor double it. A row whose earlier holder died
while sending (or got no answer in time) is first looked for by the post key in the message
metadata: a thread post in its thread, a thread opening (a top-level post) in its channel's
or DM's history while it can have been made, so it is not posted twice.

What landed is recorded in batches (:class:`LandingBatch`): one statement marks many rows
sent, and one transaction (``on_landed_many``) records many threads and question messages.
"""

from __future__ import annotations

import base64
import io
import logging
import re
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast
from urllib.error import HTTPError, URLError
from urllib.parse import urlsplit
from urllib.request import Request

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)
from slack_sdk.http_retry.builtin_interval_calculators import BackoffRetryIntervalCalculator
from slack_sdk.http_retry.handler import RetryHandler
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState

from bot import logs, metrics
from bot.domain.results import QuestionMessageChange
from bot.slack import observe, web_post
from bot.slack.pacing import PACED_METHODS, Pacer
from storage.outbox import DuePost, Landed, NewPost, OutboxStore

log = logging.getLogger(__name__)

#: Slack errors that another attempt cannot fix: the post is given up, not kept.
PERMANENT_ERRORS = frozenset(
    {
        "channel_not_found",
        "not_in_channel",
        "is_archived",
        "invalid_blocks",
        "invalid_arguments",
        "msg_too_long",
        "no_text",
        "user_not_found",
        "cannot_dm_bot",
        "account_inactive",
        "invalid_auth",
        "token_revoked",
    }
)
#: Message metadata type carrying the post key (finds a post a dead sender made).
METADATA_TYPE = "dialogbot_post"
#: The longest Retry-After waited out inside a call; longer ones reschedule the row.
MAX_RETRY_AFTER_S = 5


#: Seconds one Web API attempt may take (the client's timeout).
ATTEMPT_S = 10
#: A top-level post is looked for in its channel's history from this long before its row
#: was written to this long (plus an attempt) after the lease it was taken from ran out
#: (our clock against Slack's, and Slack finishing a call after the client gave up)...
HISTORY_MARGIN = timedelta(minutes=2)
#: ... reading at most this many pages of this many messages (newest first); a window
#: busier than that is not searched further (:meth:`Poster._find_opening`).
HISTORY_PAGES = 10
HISTORY_PAGE_SIZE = 200
#: A conversation id (public or private channel, DM, group DM), not a user id.
_CONVERSATION_ID = re.compile(r"^[CDG][A-Z0-9]+$")
#: A user id: ``chat.postMessage`` posts to it in the app's DM with the user.
_USER_ID = re.compile(r"^[UW][A-Z0-9]+$")
#: ``conversations.open`` errors after which no DM can be looked in, so the post is made
#: without a look: a user who cannot be DMed refuses the post as well, and
#: ``missing_scope`` is an install from before the ``im:write`` scope (it posts as before).
_NO_DM = frozenset(
    {
        "missing_scope",
        "user_not_found",
        "user_not_visible",
        "user_disabled",
        "cannot_dm_bot",
        "method_not_supported_for_channel_type",
    }
)

_lease = threading.local()


def _paced() -> bool:
    """True while a paced sender makes the call: it handles a 429 itself (the pacer)."""
    return bool(getattr(_lease, "paced", False))


def _may_attempt(wait_s: float = 0.0) -> bool:
    """True when an attempt started after ``wait_s`` would end inside the current lease:
    the sender holding a row never calls Slack for it once the resender may take it over."""
    deadline = getattr(_lease, "deadline", None)
    return deadline is None or time.monotonic() + wait_s + ATTEMPT_S < deadline


class ShortRateLimitRetryHandler(RateLimitErrorRetryHandler):
    """Retries a 429 only when its Retry-After is short (and the lease allows it); a long
    one surfaces as an error so the outbox reschedules the post instead of a thread
    sleeping past its lease."""

    def __init__(self, max_retry_count: int, max_wait_s: int = MAX_RETRY_AFTER_S) -> None:
        super().__init__(max_retry_count=max_retry_count)
        self.max_wait_s = max_wait_s

    def _can_retry(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        if response is None or response.status_code != 429 or _paced():
            return False
        wait = _retry_after(response.headers)
        return wait <= self.max_wait_s and _may_attempt(wait + 1)


class _WithinLease(RetryHandler):
    """Lets the handler it is mixed into retry only while the lease allows the back-off
    and another attempt."""

    def _can_retry(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        wait = self.interval_calculator.calculate_sleep_duration(state.current_attempt)
        return super()._can_retry(
            state=state, request=request, response=response, error=error
        ) and _may_attempt(wait)


class LeasedServerErrorRetryHandler(_WithinLease, ServerErrorRetryHandler):
    """Retries 500/503 with back-off while the lease allows another attempt."""


class LeasedConnectionErrorRetryHandler(_WithinLease, ConnectionErrorRetryHandler):
    """Retries connection errors with back-off while the lease allows another attempt."""


#: chat.update errors that mean this message can never be updated (nothing to retry).
UPDATE_IMPOSSIBLE = frozenset({"message_not_found", "cant_update_message", "edit_window_closed"})


def retry_handlers(retries: int = 6, backoff: float = 0.5) -> list[RetryHandler]:
    """Retry connection errors, short 429s (after Retry-After) and 500/503 (exponential
    back-off), as long as an outbox row's lease leaves time for the attempt."""
    interval = BackoffRetryIntervalCalculator(backoff_factor=backoff)
    return [
        LeasedConnectionErrorRetryHandler(max_retry_count=retries, interval_calculator=interval),
        ShortRateLimitRetryHandler(max_retry_count=retries),
        LeasedServerErrorRetryHandler(max_retry_count=retries, interval_calculator=interval),
    ]


def make_client(
    api_url: str, token: str | None = None, retries: int = 6, backoff: float = 0.5
) -> WebClient:
    """A WebClient for ``api_url`` (Slack, GovSlack or a test fake) with retry handlers."""
    return WebClient(
        base_url=api_url,
        token=token,
        timeout=ATTEMPT_S,
        retry_handlers=observe.counted(retry_handlers(retries, backoff)),
    )


class KeepAliveWebClient(WebClient):
    """A WebClient that keeps one HTTP connection per thread and host open between calls
    (slack_sdk's urllib transport opens and closes a TCP/TLS connection per call, which
    costs more CPU than the call itself in a fan-out). Errors surface exactly as urllib
    raises them (HTTPError for 4xx/5xx, URLError for connection trouble, a timeout waiting
    for the answer as it is: not retried, the call may have been made), so slack_sdk's
    retry handlers and the poster's handling see no difference."""

    def _perform_urllib_http_request_internal(self, url: str, req: Request) -> dict[str, Any]:
        parts = urlsplit(url)
        if self.proxy is not None or parts.scheme not in ("http", "https"):
            return super()._perform_urllib_http_request_internal(url, req)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        data = cast(bytes | None, req.data)  # slack_sdk's requests carry bytes
        resp, body = web_post.exchange(
            self, (parts.scheme, parts.netloc), path, dict(req.header_items()), data
        )
        if resp.status >= 400:
            raise HTTPError(url, resp.status, resp.reason, resp.headers, io.BytesIO(body))
        charset = resp.headers.get_content_charset() or "utf-8"
        return {"status": resp.status, "headers": resp.headers, "body": body.decode(charset)}


def keep_alive(client: WebClient) -> WebClient:
    """``client``'s settings (token, URL, team, retry handlers) on a keep-alive transport;
    one per distinct setting, shared by the threads of this process."""
    team = client.default_params.get("team_id")
    key = (client.base_url, client.token, team, id(client.retry_handlers))
    with _keep_alive_lock:
        found = _keep_alive.get(key)
        if found is None:
            if len(_keep_alive) > 1000:
                _keep_alive.clear()
            found = _keep_alive[key] = KeepAliveWebClient(
                base_url=client.base_url,
                token=client.token,
                timeout=client.timeout,
                ssl=client.ssl,
                proxy=client.proxy,
                headers=dict(client.headers),
                team_id=team,
                retry_handlers=client.retry_handlers,
                logger=client._logger,
            )
        return found


_keep_alive: dict[tuple[Any, ...], WebClient] = {}
_keep_alive_lock = threading.Lock()


class LookupFailed(Exception):
    """A thread could not be read to check whether a post is already there."""


@dataclass(frozen=True)
class Posted:
    """Where a post went."""

    channel: str
    ts: str


@dataclass(frozen=True)
class Planned:
    """Posts written to the outbox before an ack; ``mine`` are the keys this process holds
    (until ``lease_until``) and sends after the ack."""

    workspace: str
    posts: tuple[NewPost, ...] = ()
    mine: frozenset[str] = frozenset()
    lease_until: datetime | None = None
    #: Question messages to update after the posts, their claims written with them
    #: (:func:`bot.slack.question_updates.make_planned`).
    updates: tuple[QuestionMessageChange, ...] = ()


def message_payload(
    channel: str,
    text: str,
    blocks: list[dict[str, Any]] | None = None,
    thread_ts: str | None = None,
    resend: bool = True,
) -> dict[str, Any]:
    """What ``chat.postMessage`` needs, as stored in the outbox."""
    payload: dict[str, Any] = {"method": "chat.postMessage", "channel": channel, "text": text}
    if blocks is not None:
        payload["blocks"] = blocks
    if thread_ts is not None:
        payload["thread_ts"] = thread_ts
    payload["resend"] = resend
    return payload


def reaction_payload(channel: str, ts: str, name: str) -> dict[str, Any]:
    """What ``reactions.add`` needs, as stored in the outbox."""
    return {"method": "reactions.add", "channel": channel, "timestamp": ts, "name": name}


#: One landed post as the batch hook gets it: key, stored payload, where it went.
LandedPost = tuple[str, dict[str, Any], "Posted"]


class LandingBatch:
    """Landed posts of one sender (a fan-out), recorded together: every ``max_items`` posts
    or ``max_age_s`` seconds (the check runs as posts land), and at :meth:`flush`. A sender
    that dies before a flush leaves its last posts ``pending``; before sending a message
    again the resender looks for it by its key: a thread post in its thread, a thread
    opening (top-level, in a channel or a user's DM) in that conversation's history while
    it can have been made. Only an opening whose window holds more messages than are
    searched (:data:`HISTORY_PAGES`) may then be posted a second time."""

    def __init__(
        self, poster: Poster, max_items: int = 200, max_age_s: float = 1.0, updates: Any = None
    ) -> None:
        self.poster = poster
        self.max_items = max_items
        self.max_age_s = max_age_s
        #: Passed to :attr:`Poster.on_landed_many` with each batch (opaque here: the
        #: listener's claims of the question-message updates a landing finds).
        self.updates = updates
        self._items: list[tuple[str, Landed, dict[str, Any]]] = []
        self._since: float | None = None
        self._lock = threading.Lock()
        #: What the recorded batches found about participations' question messages, by
        #: participation (opaque here: what :attr:`Poster.on_landed_many` returned).
        self.found: dict[int, Any] = {}

    def add(self, workspace: str, key: str, payload: dict[str, Any], posted: Posted) -> None:
        """Record ``posted`` with the next flush (which may be now)."""
        with self._lock:
            self._items.append((workspace, Landed(key, posted.channel, posted.ts), payload))
            now = time.monotonic()
            if self._since is None:
                self._since = now
            due = len(self._items) >= self.max_items or now - self._since >= self.max_age_s
            taken = self._take() if due else []
        self._record(taken)

    def flush(self) -> None:
        """Record everything added so far."""
        with self._lock:
            taken = self._take()
        self._record(taken)

    def _record(self, taken: list[tuple[str, Landed, dict[str, Any]]]) -> None:
        if taken:
            found = self.poster.record_landed(taken, self.updates)
            with self._lock:
                self.found.update(found)

    def _take(self) -> list[tuple[str, Landed, dict[str, Any]]]:
        taken, self._items, self._since = self._items, [], None
        return taken


@dataclass
class Poster:
    """Deduplicated, crash-safe posting to Slack for any workspace."""

    store: OutboxStore
    #: Marks landed posts of one workspace sent and tells the engine where they went (a
    #: participant's thread, an announcement, a question message), in one transaction,
    #: whoever sent them (listener, fan-out, resender); returns what it found about
    #: participations' question messages (by participation; the caller of
    #: :meth:`send_planned` reads it from its :class:`LandingBatch`). Its third argument is
    #: the batch's :attr:`LandingBatch.updates` (None for most). When None, the rows are
    #: only marked sent by :attr:`store`.
    on_landed_many: Callable[[str, list[LandedPost], Any], Mapping[int, Any]] | None = None
    #: Called with the client, the workspace and the key of a ``chat.update`` the
    #: resender gives up (its claim keeps no content): rebuilds it from the database.
    on_update_given_up: Callable[[WebClient, str, str], None] | None = None
    #: Paces posts per channel and workspace (None: no pacing, 429s waited out in the
    #: client as before).
    pacer: Pacer | None = None
    #: How often a paced post is tried again after a 429 within one send.
    rate_limit_retries: int = 6
    #: Send with a keep-alive transport (:func:`keep_alive`) instead of a connection per
    #: call.
    keep_alive: bool = False

    def record_landed(
        self, items: Sequence[tuple[str, Landed, dict[str, Any]]], updates: Any = None
    ) -> dict[int, Any]:
        """Mark landed posts sent and tell the engine where they went: one transaction per
        workspace with :attr:`on_landed_many` (what it found about participations'
        question messages is returned); else one statement per workspace. If that
        transaction fails, the rows are still marked sent (one statement), so nothing
        that landed is sent again."""
        by_workspace: dict[str, list[tuple[Landed, dict[str, Any]]]] = {}
        for workspace, landed, payload in items:
            by_workspace.setdefault(workspace, []).append((landed, payload))
        found: dict[int, Any] = {}
        for workspace, group in by_workspace.items():
            posts = [(x.key, payload, Posted(x.channel or "", x.ts or "")) for x, payload in group]
            if self.on_landed_many is not None:
                try:
                    found.update(self.on_landed_many(workspace, posts, updates))
                    continue
                except Exception:
                    log.exception("bookkeeping after %d posts landed failed", len(posts))
            self.store.sent(workspace, [landed for landed, _ in group])
        return found

    # Before and after an ack ---------------------------------------------------------------

    def plan(
        self, workspace: str, posts: Sequence[NewPost], lease: timedelta | None = None
    ) -> Planned:
        """Write ``posts`` as pending rows (one statement); call before acknowledging."""
        mine, until = self.store.plan(workspace, posts, lease)
        return Planned(workspace, tuple(posts), frozenset(mine), until)

    def send_planned(
        self, client: WebClient, planned: Planned, batch: LandingBatch | None = None
    ) -> int:
        """Send the planned rows this process holds, in order; how many went out. Rows held
        by others (a replica, an earlier delivery) are theirs or the resender's. A post
        that goes in the thread of another (``thread_of``) waits for that one to land.
        What landed is recorded in ``batch`` (a fan-out shares one), else in one batch at
        the end."""
        own = batch is None
        landing = batch if batch is not None else LandingBatch(self, max_items=1_000_000)
        where: dict[str, Posted] = {}
        try:
            for post in planned.posts:
                if post.key not in planned.mine:
                    continue
                if planned.lease_until is None or not self._lease_holds(planned.lease_until):
                    log.warning(
                        "lease of %s ran out before sending; the resender takes it", post.key
                    )
                    break
                payload = self._in_thread(planned.workspace, post.payload, where)
                if payload is None:
                    continue  # its thread did not open: the resender sends it once it has
                posted = self._send(
                    client,
                    planned.workspace,
                    post.key,
                    payload,
                    planned.lease_until,
                    record=False,
                )
                if posted is not None:
                    where[post.key] = posted
                    landing.add(planned.workspace, post.key, post.payload, posted)
        finally:
            if own:
                landing.flush()
        return len(where)

    def _in_thread(
        self, workspace: str, payload: dict[str, Any], where: dict[str, Posted]
    ) -> dict[str, Any] | None:
        """``payload`` placed in the thread of the post it depends on (None while that one
        has not landed); payloads without a dependency unchanged."""
        parent_key = payload.get("thread_of")
        if parent_key is None:
            return payload
        parent = where.get(str(parent_key))
        if parent is None:
            recorded = self.store.recorded(workspace, str(parent_key))
            if recorded is None or not recorded[0] or not recorded[1]:
                return None
            parent = Posted(recorded[0], recorded[1])
        return {**payload, "channel": parent.channel, "thread_ts": parent.ts}

    # Direct posting -------------------------------------------------------------------------

    def post(
        self,
        client: WebClient,
        workspace: str,
        key: str,
        *,
        channel: str,
        text: str,
        blocks: list[dict[str, Any]] | None = None,
        thread_ts: str | None = None,
        resend: bool = True,
        round_id: int | None = None,
        participation_id: int | None = None,
    ) -> Posted | None:
        """Post a message once per ``key``; return where it is (also when posted before).

        Returns None when another worker is posting it right now or Slack refused it.
        With ``resend=False`` a failed post is given up rather than sent again later.
        """
        payload = message_payload(channel, text, blocks, thread_ts, resend)
        post = NewPost(key, payload, channel, round_id, participation_id)
        claim = self.store.claim(workspace, post)
        if claim.state == "sent":
            return Posted(claim.channel or channel, claim.ts or "")
        if claim.state == "busy":
            return None
        if claim.taken_over:
            try:
                found = self._find_landed(
                    client, key, payload, since=claim.since, until=claim.until
                )
            except LookupFailed:
                log.info("could not check whether %s was posted; left for later", key)
                return None
            if found is not None:
                self.record_landed([(workspace, Landed(key, found.channel, found.ts), payload)])
                return found
        return self._send(client, workspace, key, payload, claim.lease_until)

    def ephemeral(
        self,
        client: WebClient,
        workspace: str,
        key: str,
        *,
        channel: str,
        user: str,
        text: str,
        thread_ts: str | None = None,
    ) -> None:
        """Show ``text`` to ``user`` only, once per ``key``."""
        payload = ephemeral_payload(channel, user, text, thread_ts)
        claim = self.store.claim(workspace, NewPost(key, payload, channel))
        if claim.state == "new":
            self._send(client, workspace, key, payload, claim.lease_until)

    def upload(
        self,
        client: WebClient,
        workspace: str,
        key: str,
        *,
        channel: str,
        filename: str,
        content: str | bytes,
        title: str,
        comment: str | None = None,
    ) -> str | None:
        """Upload a file to ``channel`` once per ``key`` (files_upload_v2); its file id.

        Binary content (a DOCX) is kept base64-encoded in the durable payload.
        """
        payload: dict[str, Any] = {
            "method": "files_upload_v2",
            "channel": channel,
            "filename": filename,
            "title": title,
            "initial_comment": comment,
            "resend": True,
        }
        if isinstance(content, bytes):
            payload["content_b64"] = base64.b64encode(content).decode("ascii")
        else:
            payload["content"] = content
        claim = self.store.claim(workspace, NewPost(key, payload, channel))
        if claim.state != "new":
            return claim.ts
        posted = self._send(client, workspace, key, payload, claim.lease_until)
        return posted.ts if posted else None

    def update(
        self,
        client: WebClient,
        workspace: str,
        key: str,
        *,
        channel: str,
        ts: str,
        text: str,
        blocks: list[dict[str, Any]] | None = None,
        record: bool = True,
        claimed_until: datetime | None = None,
    ) -> bool:
        """Replace the message ``ts`` in ``channel`` once per ``key`` (``chat.update``).

        True when the message shows it, now or since an earlier call with ``key`` (or
        can never be updated: deleted, too old); False when another worker is updating
        it right now or the update failed. The claim keeps no content (it may hold an
        answer) and is not resent: a failed update is given up (``dead``), so the
        caller's next attempt with the same key tries again. With ``record=False`` the
        caller marks the row sent after a True (``Landed(key, channel, ts)``, with its own
        bookkeeping; a row sent before is marked again, which changes nothing it shows).
        With ``claimed_until`` the caller holds the row already, until then (it wrote it
        as ``pending``, :func:`update_post`, in a transaction of its own); it is claimed
        as usual if that lease leaves no time for the call.
        """
        if claimed_until is None or not self._lease_holds(claimed_until):
            claim = self.store.claim(workspace, update_post(key, channel, ts))
            if claim.state != "new":
                return claim.state == "sent"
        try:
            if self.keep_alive and web_post.usable(client):
                args: dict[str, Any] = {"channel": channel, "ts": ts, "text": text}
                if blocks is not None:
                    args["blocks"] = blocks
                web_post.call(client, "chat.update", args)
            else:
                client.chat_update(channel=channel, ts=ts, text=text, blocks=blocks)
        except SlackApiError as err:
            error = str(err.response.get("error") or "")
            log.warning("chat.update for %s refused: %s", key, error)
            if error in PERMANENT_ERRORS or error in UPDATE_IMPOSSIBLE:
                if record:
                    self.store.sent(workspace, [Landed(key, channel, ts)])
                return True
            self.store.dead(workspace, key)
            return False
        except SlackClientError as err:
            log.warning("chat.update for %s failed: %s", key, type(err).__name__)
            self.store.dead(workspace, key)
            return False
        if record:
            self.store.sent(workspace, [Landed(key, channel, ts)])
        return True

    def react(self, client: WebClient, channel: str, ts: str, name: str) -> None:
        """Add a reaction now, outside the outbox (Slack refuses a second identical one)."""
        try:
            client.reactions_add(channel=channel, timestamp=ts, name=name)
        except SlackApiError as err:
            if err.response.get("error") != "already_reacted":
                log.warning("reaction %s on %s/%s failed: %s", name, channel, ts, err)
        except SlackClientError as err:
            log.warning("reaction %s on %s/%s failed: %s", name, channel, ts, err)

    # The resender ---------------------------------------------------------------------------

    def resend_due(self, clients: Callable[[str], WebClient], limit: int = 50) -> int:
        """Take over and send the rows nobody is sending (a dead sender's, failed ones that
        are due), for every workspace; how many went out."""
        sent = 0
        seen: dict[tuple[str, str], list[dict[str, Any]]] = {}
        for due in self.store.take_over_due(limit):
            with logs.scope(
                workspace=due.workspace_id,
                round=due.round_id,
                participation=due.participation_id,
                kind="resend",
            ):
                sent += self._resend(clients, due, seen)
        return sent

    def _resend(
        self,
        clients: Callable[[str], WebClient],
        due: DuePost,
        seen: dict[tuple[str, str], list[dict[str, Any]]],
    ) -> int:
        """Send one row taken over by :meth:`resend_due`; 1 when it went out."""
        if not due.payload.get("resend", True) and due.taken_over:
            # Posted with resend=False (a private note, a thread opened by a reminder,
            # which the next reminder opens again): not sent blind after a crash. An
            # update is made again from what the database says the message must show.
            self.store.dead(due.workspace_id, due.key)
            if due.payload.get("method") == "chat.update" and self.on_update_given_up:
                try:
                    client = clients(due.workspace_id)
                except LookupError:  # uninstalled: nothing to update
                    return 0
                self.on_update_given_up(client, due.workspace_id, due.key)
            return 0
        try:
            client = clients(due.workspace_id)
        except LookupError as err:
            log.warning("no client for %s: %s", due.workspace_id, err)
            self.store.failed(due.workspace_id, due.key)
            metrics.post_done("failed")
            return 0
        payload = self._in_thread(due.workspace_id, due.payload, {})
        if payload is None:
            return 0  # its thread has not opened yet: a later pass
        if due.taken_over:
            try:
                found = self._find_landed(
                    client, due.key, payload, seen, since=due.since, until=due.until
                )
            except LookupFailed:
                # Its lease runs out again and a later pass looks once more.
                log.info("could not check whether %s was posted; left for later", due.key)
                return 0
            if found is not None:
                self.record_landed(
                    [(due.workspace_id, Landed(due.key, found.channel, found.ts), due.payload)]
                )
                return 0
        if not self._lease_holds(due.lease_until):
            return 0
        return int(
            self._send(client, due.workspace_id, due.key, payload, due.lease_until) is not None
        )

    # Internals ------------------------------------------------------------------------------

    def _pace(self, workspace: str, key: str, channel: str, lease_until: datetime | None) -> bool:
        """Wait for the channel's and then the workspace's next slot; False (the row failed,
        due again when its slot comes) when the wait would outlast the lease."""
        assert self.pacer is not None
        for slot in ("channel", "workspace"):
            delay = (
                self.pacer.channel_slot(workspace, channel)
                if slot == "channel"
                else self.pacer.workspace_slot(workspace)
            )
            if delay <= 0:
                continue
            if lease_until is not None and not self._lease_holds(lease_until, extra_s=delay):
                status = self.store.failed(workspace, key, timedelta(seconds=delay + 1))
                log.info("%s waits %.1f s for its %s; %s", key, delay, slot, status)
                return False
            time.sleep(delay)
        return True

    def _lease_holds(self, until: datetime, extra_s: float = 0.0) -> bool:
        """True when there is time left in the lease for an attempt (after ``extra_s``)."""
        return bool(self.store.clock.now() + timedelta(seconds=ATTEMPT_S + extra_s) < until)

    def _find_landed(
        self,
        client: WebClient,
        key: str,
        payload: dict[str, Any],
        seen: dict[tuple[str, str], list[dict[str, Any]]] | None = None,
        *,
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> Posted | None:
        """A message an earlier (dead or unanswered) sender already posted under ``key``:
        in its thread, or for a top-level post in its conversation between ``since`` (when
        its row was written) and ``until`` (when the lease it was taken from ran out;
        :meth:`_find_opening`). One look at each thread per resend pass (``seen``).
        :class:`LookupFailed` when it could not be read: the row is then left to a later
        pass, never posted blind."""
        if payload.get("method") != "chat.postMessage":
            return None
        if not payload.get("thread_ts"):
            channel = str(payload.get("channel") or "")
            return self._find_opening(client, key, channel, since, until, seen)
        where = (str(payload["channel"]), str(payload["thread_ts"]))
        messages = None if seen is None else seen.get(where)
        if messages is None:
            try:
                resp = client.conversations_replies(
                    channel=where[0], ts=where[1], include_all_metadata=True, limit=1000
                )
            except SlackApiError as err:
                if err.response.get("error") == "thread_not_found":
                    return None
                raise LookupFailed(key) from err
            except SlackClientError as err:
                raise LookupFailed(key) from err
            messages = list(resp.get("messages") or [])
            if seen is not None:
                seen[where] = messages
        return _carrying(messages, key, where[0])

    def _find_opening(
        self,
        client: WebClient,
        key: str,
        channel: str,
        since: datetime | None,
        until: datetime | None,
        seen: dict[tuple[str, str], list[dict[str, Any]]] | None,
    ) -> Posted | None:
        """A top-level post (a thread opening) made under ``key`` in ``channel`` (a user
        id: their DM, :meth:`_dm_of`), read with ``conversations.history`` (with metadata)
        in the window it can have landed in: from ``since`` (its row was written, before
        any attempt) minus :data:`HISTORY_MARGIN` to ``until`` (the lease it was taken
        from ran out; no attempt started later) plus :data:`ATTEMPT_S` and the margin.
        One look per conversation and window per resend pass (``seen``). With no known
        ``since`` it cannot be looked for: None.

        At most :data:`HISTORY_PAGES` pages are read. A window that holds more (a very
        busy channel while a lease ran) is not searched to its end: the post is then made
        again, with a warning, rather than held back pass after pass with no end, since
        a post that is never made is worse than one that, rarely, is made twice."""
        if since is None:
            return None
        if _USER_ID.match(channel):
            channel = self._dm_of(client, key, channel, seen)
        if not _CONVERSATION_ID.match(channel):
            return None
        oldest = f"{(since - HISTORY_MARGIN).timestamp():.6f}"
        latest = (
            None
            if until is None
            else f"{(until + timedelta(seconds=ATTEMPT_S) + HISTORY_MARGIN).timestamp():.6f}"
        )
        where = (channel, f"window:{oldest}:{latest}")
        messages = None if seen is None else seen.get(where)
        if messages is None:
            messages = []
            cursor: str | None = None
            for _ in range(HISTORY_PAGES):
                try:
                    resp = client.conversations_history(
                        channel=channel,
                        oldest=oldest,
                        latest=latest,
                        include_all_metadata=True,
                        limit=HISTORY_PAGE_SIZE,
                        cursor=cursor,
                    )
                except SlackApiError as err:
                    if err.response.get("error") in ("channel_not_found", "not_in_channel"):
                        return None  # nothing can have been posted there
                    raise LookupFailed(key) from err
                except (SlackClientError, TimeoutError, URLError) as err:
                    raise LookupFailed(key) from err
                page = list(resp.get("messages") or [])
                found = _carrying(page, key, channel)
                if found is not None:
                    return found
                messages.extend(page)
                cursor = str((resp.get("response_metadata") or {}).get("next_cursor") or "")
                if not resp.get("has_more") or not cursor:
                    break
            else:
                log.warning(
                    "%s: more than %d messages in %s while it can have landed; made without "
                    "looking further",
                    key,
                    len(messages),
                    channel,
                )
            if seen is not None:
                seen[where] = messages
        return _carrying(messages, key, channel)

    def _dm_of(
        self,
        client: WebClient,
        key: str,
        user: str,
        seen: dict[tuple[str, str], list[dict[str, Any]]] | None,
    ) -> str:
        """The id of the app's DM with ``user`` (where a post to the user lands):
        ``conversations.open`` (scope ``im:write``), once per user and resend pass
        (``seen``). "" when no DM can be looked in (:data:`_NO_DM`);
        :class:`LookupFailed` when Slack could not be asked now."""
        where = (user, "dm")
        known = None if seen is None else seen.get(where)
        if known is not None:
            return str(known[0]["id"]) if known else ""
        dm = ""
        try:
            resp = client.conversations_open(users=user)
            dm = str((resp.get("channel") or {}).get("id") or "")
        except SlackApiError as err:
            error = str(err.response.get("error") or "")
            if error not in _NO_DM:
                raise LookupFailed(key) from err
            log.warning("%s: the DM it went to cannot be looked in (%s)", key, error)
        except (SlackClientError, TimeoutError, URLError) as err:
            raise LookupFailed(key) from err
        if seen is not None:
            seen[where] = [{"id": dm}] if dm else []
        return dm

    def _send(
        self,
        client: WebClient,
        workspace: str,
        key: str,
        payload: dict[str, Any],
        lease_until: datetime | None,
        *,
        record: bool = True,
    ) -> Posted | None:
        """Make the call within the lease (paced, if this poster paces); record the
        outcome (with ``record=False`` a success is left to the caller, who records a
        batch)."""
        method = payload["method"]
        paced = self.pacer is not None and method in PACED_METHODS
        channel = str(payload.get("channel") or "")
        limited = 0
        while True:
            if paced and not self._pace(workspace, key, channel, lease_until):
                return None
            left = (
                0.0
                if lease_until is None
                else (lease_until - self.store.clock.now()).total_seconds()
            )
            _lease.deadline = time.monotonic() + left
            _lease.paced = paced
            try:
                posted = _call(
                    keep_alive(client) if self.keep_alive else client,
                    key,
                    payload,
                    lean=self.keep_alive,
                )
            except SlackApiError as err:
                error = str(err.response.get("error") or "")
                if paced and err.response.status_code == 429:
                    assert self.pacer is not None
                    wait_s = _retry_after(err.response.headers)
                    self.pacer.penalise(workspace, channel, wait_s)
                    limited += 1
                    if (
                        limited <= self.rate_limit_retries
                        and wait_s <= MAX_RETRY_AFTER_S
                        and (lease_until is None or self._lease_holds(lease_until, wait_s))
                    ):
                        metrics.RETRIES.labels("ratelimited").inc()
                        continue  # not posted: the pacer waits Retry-After, then again
                if method == "reactions.add" and error == "already_reacted":
                    posted = Posted(str(payload["channel"]), str(payload["timestamp"]))
                elif error in PERMANENT_ERRORS or not payload.get("resend", True):
                    log.error("Slack refused %s (%s): %s", key, method, error)
                    metrics.post_done("refused")
                    self.store.dead(workspace, key)
                    return None
                else:
                    wait = None
                    if err.response.status_code == 429:
                        wait = timedelta(seconds=_retry_after(err.response.headers) + 1)
                    status = self.store.failed(workspace, key, wait)
                    log.warning("%s for %s failed (%s); %s", method, key, error, status)
                    metrics.post_done("failed")
                    return None
            except SlackClientError as err:
                status = self.store.failed(workspace, key)
                log.warning("%s for %s failed (%s); %s", method, key, type(err).__name__, status)
                metrics.post_done("failed")
                return None
            except (TimeoutError, URLError) as err:
                # No answer in time, or the connection failed beyond the retries: Slack may
                # have made it, so it is not tried again blind. The row stays pending; once
                # its lease ran out the resender looks for its key.
                log.warning("%s for %s: %s; left to the resender", method, key, type(err).__name__)
                metrics.post_done("failed")
                return None
            finally:
                _lease.deadline = None
                _lease.paced = False
            break
        if paced and channel and posted.channel:
            assert self.pacer is not None
            self.pacer.alias(workspace, channel, posted.channel)
        log.info("posted %s (%s) to %s at %s", key, method, posted.channel, posted.ts)
        metrics.post_done("sent")
        if record:
            self.record_landed([(workspace, Landed(key, posted.channel, posted.ts), payload)])
        return posted


def update_post(key: str, channel: str, ts: str) -> NewPost:
    """The outbox row that claims a ``chat.update`` (:meth:`Poster.update`): no content
    (it may hold an answer), never resent."""
    payload = {"method": "chat.update", "channel": channel, "ts": ts, "resend": False}
    return NewPost(key, payload, channel)


def ephemeral_payload(
    channel: str, user: str, text: str, thread_ts: str | None = None
) -> dict[str, Any]:
    """What ``chat.postEphemeral`` needs, as stored in the outbox."""
    payload: dict[str, Any] = {
        "method": "chat.postEphemeral",
        "channel": channel,
        "user": user,
        "text": text,
        "resend": False,
    }
    if thread_ts is not None:
        payload["thread_ts"] = thread_ts
    return payload


def _call(client: WebClient, key: str, payload: dict[str, Any], *, lean: bool = False) -> Posted:
    """Make the call ``payload`` describes; with ``lean`` a ``chat.postMessage`` or a
    ``reactions.add`` goes through :func:`bot.slack.web_post.call` (same request and
    errors, less CPU)."""
    method = payload["method"]
    lean = lean and web_post.usable(client)
    if method == "chat.postMessage":
        args: dict[str, Any] = {
            k: payload[k] for k in ("channel", "text", "blocks", "thread_ts") if k in payload
        }
        args["unfurl_links"] = False
        args["unfurl_media"] = False
        args["metadata"] = {"event_type": METADATA_TYPE, "event_payload": {"key": key}}
        resp = web_post.call(client, method, args) if lean else client.chat_postMessage(**args)
        return Posted(str(resp["channel"]), str(resp["ts"]))
    if method == "chat.postEphemeral":
        eph = {k: payload[k] for k in ("channel", "user", "text", "thread_ts") if k in payload}
        resp = client.chat_postEphemeral(**eph)
        return Posted(str(payload["channel"]), str(resp.get("message_ts") or ""))
    if method == "reactions.add":
        reaction = {k: payload[k] for k in ("channel", "name", "timestamp")}
        if lean:
            web_post.call(client, method, reaction, form=True)
        else:
            client.reactions_add(**reaction)
        return Posted(str(payload["channel"]), str(payload["timestamp"]))
    if method == "files_upload_v2":
        resp = client.files_upload_v2(
            channel=payload["channel"],
            filename=payload["filename"],
            content=(
                base64.b64decode(payload["content_b64"])
                if "content_b64" in payload
                else payload["content"]
            ),
            title=payload["title"],
            initial_comment=payload.get("initial_comment"),
        )
        return Posted(str(payload["channel"]), str((resp.get("file") or {}).get("id") or ""))
    raise ValueError(f"unknown post method {method}")  # pragma: no cover - built here only


def _carrying(messages: Sequence[Mapping[str, Any]], key: str, channel: str) -> Posted | None:
    """Where the message among ``messages`` whose metadata carries ``key`` is, if any."""
    for message in messages:
        meta = message.get("metadata") or {}
        if (
            meta.get("event_type") == METADATA_TYPE
            and (meta.get("event_payload") or {}).get("key") == key
        ):
            return Posted(channel, str(message["ts"]))
    return None


def _retry_after(headers: dict[str, Any]) -> int:
    for name, value in headers.items():
        if name.lower() == "retry-after":
            raw = value[0] if isinstance(value, list) else value
            try:
                return int(raw)
            except (TypeError, ValueError):
                return 1
    return 1


def resend_loop(
    poster: Poster, clients: Callable[[str], WebClient], stop: threading.Event, interval_s: float
) -> None:
    """Every ``interval_s``, take over and send what nobody is sending: rows whose sender
    died (lease expired) and failed rows whose next attempt is due, of every workspace."""
    while not stop.wait(interval_s):
        try:
            while poster.resend_due(clients) and not stop.is_set():
                pass
        except Exception:
            log.exception("resending posts failed")
