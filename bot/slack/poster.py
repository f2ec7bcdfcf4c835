"""All outgoing Slack calls that change something go through :class:`Poster`.

Each post has a key derived from what caused it (``slack:C1:1712.0001:next``). The key
is claimed in the database before calling Slack and completed after, so a replayed
event, a Socket Mode reconnect or a second replica never posts twice, and a crash
between the engine's commit and the post heals on Slack's retry (the key was never
recorded, so it is posted then). Rate limits (429 + Retry-After) and server errors are
retried by the client's retry handlers; a post that still fails is kept and sent again
by :meth:`Poster.resend_failed`.
"""

from __future__ import annotations

import base64
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)
from slack_sdk.http_retry.builtin_interval_calculators import BackoffRetryIntervalCalculator
from slack_sdk.http_retry.handler import RetryHandler

from bot import metrics
from bot.slack import observe
from bot.slack.store import SlackStore

log = logging.getLogger(__name__)

#: Slack errors that another attempt cannot fix: the post is dropped, not kept.
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


def retry_handlers(retries: int = 6, backoff: float = 0.5) -> list[RetryHandler]:
    """Retry connection errors, 429 (after Retry-After) and 500/503 (exponential back-off)."""
    interval = BackoffRetryIntervalCalculator(backoff_factor=backoff)
    return [
        ConnectionErrorRetryHandler(max_retry_count=retries, interval_calculator=interval),
        RateLimitErrorRetryHandler(max_retry_count=retries),
        ServerErrorRetryHandler(max_retry_count=retries, interval_calculator=interval),
    ]


def make_client(
    api_url: str, token: str | None = None, retries: int = 6, backoff: float = 0.5
) -> WebClient:
    """A WebClient for ``api_url`` (Slack, GovSlack or a test fake) with retry handlers."""
    handlers = observe.counted(retry_handlers(retries, backoff))
    return WebClient(base_url=api_url, token=token, retry_handlers=handlers)


@dataclass(frozen=True)
class Posted:
    """Where a post went."""

    channel: str
    ts: str


class Poster:
    """Deduplicated, retried posting to Slack for any workspace."""

    def __init__(self, store: SlackStore) -> None:
        self.store = store
        self._lock = threading.Lock()
        self._owed: set[str] = set()

    def resend_owed(self, client: WebClient, workspace: str) -> int:
        """:meth:`resend_failed`, only when this process failed a post of ``workspace``
        since the last try: the answer path does not query for failed posts otherwise.
        Posts failed elsewhere are resent by :func:`resend_loop`."""
        with self._lock:
            if workspace not in self._owed:
                return 0
            self._owed.discard(workspace)
        return self.resend_failed(client, workspace)

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
    ) -> Posted | None:
        """Post a message once per ``key``; return where it is (also when posted before).

        Returns None when another worker is posting it right now or Slack refused it.
        With ``resend=False`` a failed post is not kept for :meth:`resend_failed`.
        """
        payload: dict[str, Any] = {"method": "chat.postMessage", "channel": channel, "text": text}
        if blocks is not None:
            payload["blocks"] = blocks
        if thread_ts is not None:
            payload["thread_ts"] = thread_ts
        payload["resend"] = resend
        claim = self.store.claim(workspace, key, channel, payload)
        if claim.state == "sent":
            return Posted(claim.channel or channel, claim.ts or "")
        if claim.state == "busy":
            return None
        return self._send(client, workspace, key, payload)

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
        payload: dict[str, Any] = {
            "method": "chat.postEphemeral",
            "channel": channel,
            "user": user,
            "text": text,
            "resend": False,
        }
        if thread_ts is not None:
            payload["thread_ts"] = thread_ts
        if self.store.claim(workspace, key, channel, payload).state == "new":
            self._send(client, workspace, key, payload)

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
        claim = self.store.claim(workspace, key, channel, payload)
        if claim.state != "new":
            return claim.ts
        posted = self._send(client, workspace, key, payload)
        return posted.ts if posted else None

    def react(self, client: WebClient, channel: str, ts: str, name: str) -> None:
        """Add a reaction; Slack itself refuses a second identical one (already_reacted)."""
        try:
            client.reactions_add(channel=channel, timestamp=ts, name=name)
        except SlackApiError as err:
            if err.response.get("error") != "already_reacted":
                log.warning("reaction %s on %s/%s failed: %s", name, channel, ts, err)
        except SlackClientError as err:
            log.warning("reaction %s on %s/%s failed: %s", name, channel, ts, err)

    def _failed(self, workspace: str, key: str) -> None:
        self.store.failed(workspace, key)
        with self._lock:
            self._owed.add(workspace)

    def resend_failed(self, client: WebClient, workspace: str, limit: int = 20) -> int:
        """Try the posts of ``workspace`` that failed earlier again; return how many went out."""
        sent = 0
        for failed in self.store.failed_posts(workspace, limit):
            claim = self.store.claim(workspace, failed.post_key, None, failed.payload)
            if claim.state == "new" and self._send(
                client, workspace, failed.post_key, failed.payload
            ):
                sent += 1
        return sent

    def _send(
        self, client: WebClient, workspace: str, key: str, payload: dict[str, Any]
    ) -> Posted | None:
        method = payload["method"]
        try:
            if method == "chat.postMessage":
                args = {
                    k: payload[k]
                    for k in ("channel", "text", "blocks", "thread_ts")
                    if k in payload
                }
                resp = client.chat_postMessage(**args, unfurl_links=False, unfurl_media=False)
                posted = Posted(str(resp["channel"]), str(resp["ts"]))
            elif method == "chat.postEphemeral":
                eph = {
                    k: payload[k] for k in ("channel", "user", "text", "thread_ts") if k in payload
                }
                resp = client.chat_postEphemeral(**eph)
                posted = Posted(str(payload["channel"]), str(resp.get("message_ts") or ""))
            elif method == "files_upload_v2":
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
                file_id = str((resp.get("file") or {}).get("id") or "")
                posted = Posted(str(payload["channel"]), file_id)
            else:  # pragma: no cover - payloads are built in this module only
                raise ValueError(f"unknown post method {method}")
        except SlackApiError as err:
            error = str(err.response.get("error") or "")
            if error in PERMANENT_ERRORS or not payload.get("resend", True):
                log.error("Slack refused %s (%s): %s", key, method, error)
                metrics.post_done("refused")
                self.store.release(workspace, key)
            else:
                log.warning(
                    "%s for %s failed after retries (%s); kept for later", method, key, error
                )
                metrics.post_done("failed")
                self._failed(workspace, key)
            return None
        except SlackClientError as err:
            log.warning("%s for %s failed (%s); kept for later", method, key, err)
            metrics.post_done("failed")
            self._failed(workspace, key)
            return None
        self.store.sent(workspace, key, posted.channel, posted.ts)
        log.info("posted %s (%s) to %s at %s", key, method, posted.channel, posted.ts)
        metrics.post_done("sent")
        return posted


def resend_loop(
    poster: Poster, clients: Callable[[str], WebClient], stop: threading.Event, interval_s: float
) -> None:
    """Every ``interval_s``, send again the failed posts of every workspace (those a
    replica gave up on after Slack's outage, also when no further event arrives)."""
    while not stop.wait(interval_s):
        for workspace in poster.store.workspaces_with_failed_posts():
            try:
                poster.resend_failed(clients(workspace), workspace)
            except Exception:
                log.exception("resending failed posts of %s failed", workspace)
