"""The Slack adapter's edge for logs and metrics: a global middleware, registered first,
that starts each request's log context (workspace, Slack's event id or the interaction's
trigger id, the kind of request), so every line logged while handling it — in the request
and after the ack — can be traced back to the incoming event."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import App, BoltContext
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)
from slack_sdk.http_retry.handler import RetryHandler
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState

from bot import logs, metrics
from bot.slack.middleware import Next, RequestMiddleware

log = logging.getLogger(__name__)


def kind_of(body: dict[str, Any]) -> str:
    """``event:message``, ``command``, ``action``, ``view``, ``options`` … of a request."""
    kind = str(body.get("type") or "")
    if kind == "event_callback":
        return f"event:{(body.get('event') or {}).get('type') or 'unknown'}"
    if body.get("command"):
        return "command"
    return {
        "block_actions": "action",
        "view_submission": "view",
        "view_closed": "view",
        "block_suggestion": "options",
    }.get(kind, kind or "unknown")


def _team(body: dict[str, Any]) -> str | None:
    team = body.get("team_id") or (body.get("team") or {}).get("id")
    return str(team) if team else None


def log_context(body: dict[str, Any], context: BoltContext, next: Next) -> None:
    """Start the request's log context, log its arrival, go on."""
    logs.clear()
    kind = kind_of(body)
    logs.bind(
        workspace=_team(body),
        event_id=body.get("event_id"),
        request=body.get("trigger_id"),
        kind=kind,
    )
    log.info("%s received", kind)
    next()


def register(app: App) -> None:
    """Register the middleware on ``app`` (before any other)."""
    app.middleware(RequestMiddleware(log_context))


class CountingRetryHandler(RetryHandler):
    """Wraps a slack_sdk retry handler and counts the retries it decides on."""

    def __init__(self, inner: RetryHandler, reason: str) -> None:
        super().__init__(inner.max_retry_count, inner.interval_calculator)
        self.inner = inner
        self.reason = reason

    def can_retry(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        """Ask the wrapped handler; count a yes (and every 429 seen)."""
        if response is not None and response.status_code == 429 and self.reason == "ratelimited":
            metrics.RATE_LIMITED.inc()
        retry = self.inner.can_retry(state=state, request=request, response=response, error=error)
        if retry:
            metrics.RETRIES.labels(self.reason).inc()
        return retry

    def prepare_for_next_attempt(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> None:
        """Let the wrapped handler wait as it would."""
        self.inner.prepare_for_next_attempt(
            state=state, request=request, response=response, error=error
        )


def counted(handlers: list[RetryHandler]) -> list[RetryHandler]:
    """slack_sdk retry handlers that count what they do (see :class:`CountingRetryHandler`)."""
    return [CountingRetryHandler(h, _reason(h)) for h in handlers]


def _reason(handler: RetryHandler) -> str:
    """What a retry by ``handler`` (a slack_sdk built-in or a subclass of one) is for."""
    if isinstance(handler, ConnectionErrorRetryHandler):
        return "connection"
    if isinstance(handler, RateLimitErrorRetryHandler):
        return "ratelimited"
    if isinstance(handler, ServerErrorRetryHandler):
        return "server_error"
    return "other"
