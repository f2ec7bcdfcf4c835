"""Fault injection and Slack-like rate limiting (HTTP 429 with ``Retry-After``)."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

from .records import Reply

SLACK_TIER_LIMITS_PER_MINUTE: dict[str, int] = {
    "auth.test": 100,
    "chat.update": 50,
    "chat.delete": 50,
    "chat.postEphemeral": 100,
    "reactions.add": 50,
    "reactions.remove": 20,
    "views.open": 100,
    "views.update": 100,
    "views.publish": 100,
    "views.push": 100,
    "conversations.open": 50,
    "conversations.info": 50,
    "conversations.history": 50,
    "conversations.replies": 50,
    "users.info": 100,
    "files.getUploadURLExternal": 20,
    "files.completeUploadExternal": 20,
    "files.info": 50,
}


@dataclass
class _Fault:
    status: int
    remaining: int | None  # None: until `until`
    until: float | None
    methods: frozenset[str] | None  # None: all methods
    retry_after: int | None


@dataclass
class _Bucket:
    tokens: float
    updated: float


@dataclass
class _RateLimits:
    per_channel_post_per_s: float | None
    burst: int
    method_per_minute: dict[str, int]
    buckets: dict[tuple[str, ...], _Bucket] = field(default_factory=dict)
    workspace_post_per_s: float | None = None
    workspace_burst: int = 1


def _fault_error(status: int) -> str:
    return {
        429: "ratelimited",
        500: "internal_error",
        502: "bad_gateway",
        503: "service_unavailable",
    }.get(status, "fatal_error")


def _retry_after(status: int, retry_after: int | None) -> int | None:
    if retry_after is not None:
        return retry_after
    return 1 if status == 429 else None


class Faults:
    """Pending fault injections and the rate-limit buckets (not thread-safe: the fake
    calls it with its lock held)."""

    def __init__(self) -> None:
        self._faults: list[_Fault] = []
        self._limits: _RateLimits | None = None

    def fail_next(self, method: str, status: int, times: int, retry_after: int | None) -> None:
        """Answer the next ``times`` calls of ``method`` with HTTP ``status``."""
        if times < 1:
            raise ValueError("times must be >= 1")
        self._faults.append(
            _Fault(status, times, None, frozenset({method}), _retry_after(status, retry_after))
        )

    def fail_for(
        self, seconds: float, status: int, methods: set[str] | None, retry_after: int
    ) -> None:
        """Fail every matching call (all methods if ``methods`` is None) for ``seconds``."""
        self._faults.append(
            _Fault(
                status,
                None,
                time.monotonic() + seconds,
                frozenset(methods) if methods is not None else None,
                retry_after,
            )
        )

    def clear(self) -> None:
        """Drop all pending fault injections."""
        self._faults.clear()

    def limit(
        self,
        per_channel_post_per_s: float | None,
        burst: int,
        method_per_minute: dict[str, int] | None,
        workspace_post_per_s: float | None = None,
        workspace_burst: int = 1,
    ) -> None:
        """Enable rate limiting (see :meth:`FakeSlack.rate_limits`)."""
        if burst < 1:
            raise ValueError("burst must be >= 1")
        self._limits = _RateLimits(
            per_channel_post_per_s,
            burst,
            dict(method_per_minute or {}),
            workspace_post_per_s=workspace_post_per_s,
            workspace_burst=max(1, workspace_burst),
        )

    def unlimit(self) -> None:
        """Turn rate limiting off again."""
        self._limits = None

    def take(self, method: str, now: float) -> Reply | None:
        """The injected failure for this call of ``method``, if one is pending."""
        for fault in list(self._faults):
            if fault.until is not None and now >= fault.until:
                self._faults.remove(fault)
                continue
            if fault.methods is not None and method not in fault.methods:
                continue
            if fault.remaining is not None:
                fault.remaining -= 1
                if fault.remaining <= 0:
                    self._faults.remove(fault)
            headers = {}
            if fault.retry_after is not None:
                headers["Retry-After"] = str(fault.retry_after)
            return Reply(fault.status, {"ok": False, "error": _fault_error(fault.status)}, headers)
        return None

    def rate_limited(
        self, token: str, method: str, channel: str | None, now: float
    ) -> Reply | None:
        """A 429 answer if this call is over its limit; ``channel`` is the resolved channel
        of a chat.postMessage (None for other methods)."""
        limits = self._limits
        if limits is None:
            return None
        wait = 0.0
        wide = limits.workspace_post_per_s if channel is not None else None
        if channel is not None and limits.per_channel_post_per_s:
            # A call refused by the workspace's limit takes no token of its channel.
            wait = self._bucket_wait(
                ("post", token, channel),
                limits.per_channel_post_per_s,
                limits.burst,
                now,
                consume=not wide,
            )
        if not wait and wide:
            wait = self._bucket_wait(("workspace", token), wide, limits.workspace_burst, now)
            if not wait and channel is not None and limits.per_channel_post_per_s:
                limits.buckets[("post", token, channel)].tokens -= 1.0
        per_minute = limits.method_per_minute.get(method)
        if not wait and per_minute:
            wait = self._bucket_wait(
                ("method", token, method), per_minute / 60.0, float(per_minute), now
            )
        if not wait:
            return None
        retry_after = max(1, math.ceil(wait))
        return Reply(429, {"ok": False, "error": "ratelimited"}, {"Retry-After": str(retry_after)})

    def _bucket_wait(
        self,
        key: tuple[str, ...],
        rate: float,
        capacity: float,
        now: float,
        consume: bool = True,
    ) -> float:
        assert self._limits is not None
        bucket = self._limits.buckets.get(key)
        if bucket is None:
            bucket = self._limits.buckets[key] = _Bucket(capacity, now)
        bucket.tokens = min(capacity, bucket.tokens + max(0.0, now - bucket.updated) * rate)
        bucket.updated = max(bucket.updated, now)
        if bucket.tokens >= 1.0:
            if consume:
                bucket.tokens -= 1.0
            return 0.0
        return (1.0 - bucket.tokens) / rate if rate > 0 else 60.0
