"""Client-side pacing of Slack posts: stay under the rate limits instead of hitting them.

Slack allows ``chat.postMessage`` about one message per second per channel (short bursts
allowed) and keeps a workspace-wide limit besides. :class:`Pacer` holds one token bucket
per channel and one per workspace, written as GCRA (a "theoretical arrival time" per
bucket): :meth:`Pacer.reserve` books the earliest moment a post may go out in *both* its
channel's and its workspace's bucket and returns how long to wait for it, so concurrent
senders queue in the order they asked, each bucket is never exceeded, and nothing spins.

A 429 that still happens (another process posting, a limit lower than configured) is fed
back with :meth:`Pacer.penalise`: the channel's and the workspace's buckets are closed until
Retry-After has passed, so every sender waits once instead of each retrying on its own.

The pacer is per process. The fan-out, the resender and the listeners of one process
share it; another process posting into the same channel at the same time is caught by
the 429 feedback.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

#: Methods that the per-channel posting limit applies to.
PACED_METHODS = frozenset({"chat.postMessage"})


@dataclass(frozen=True)
class Limits:
    """Posting rates: per channel and per workspace, each with a burst (bucket size)."""

    per_channel_per_s: float = 1.0
    channel_burst: int = 3
    #: Slack publishes no number for its workspace-wide limit: an assumption, to be set
    #: per installation (``DIALOGBOT_SLACK_WORKSPACE_RATE``); a 429 slows down anyway.
    per_workspace_per_s: float = 20.0
    workspace_burst: int = 20
    #: How much earlier than sent a post may reach Slack (latency jitter, scheduling): the
    #: buckets keep that much burst in reserve, so a post that overtakes the previous one
    #: on the way still finds a token.
    jitter_s: float = 0.25


@dataclass
class _Bucket:
    interval: float  # seconds per token
    tolerance: float  # (burst - 1) * interval: how far ahead of time a post may go
    tat: float = 0.0  # theoretical arrival time of the next conforming post


@dataclass
class Pacer:
    """Token buckets per (workspace, channel) and per workspace, shared by the threads of
    one process. ``clock`` is monotonic seconds (injectable for tests)."""

    limits: Limits = field(default_factory=Limits)
    clock: Callable[[], float] = time.monotonic
    _buckets: dict[tuple[str, ...], _Bucket] = field(default_factory=dict)
    _aliases: dict[tuple[str, str], str] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def alias(self, workspace: str, name: str, channel: str) -> None:
        """A post to ``name`` (a user id: their DM) landed in ``channel``: pace both as one."""
        if name != channel:
            with self._lock:
                if len(self._aliases) > 100_000:
                    self._aliases.clear()
                self._aliases[(workspace, name)] = channel

    def _bucket(self, key: tuple[str, ...]) -> _Bucket:
        bucket = self._buckets.get(key)
        if bucket is None:
            if len(key) == 1:
                rate, burst = self.limits.per_workspace_per_s, self.limits.workspace_burst
            else:
                rate, burst = self.limits.per_channel_per_s, self.limits.channel_burst
            interval = 1.0 / rate if rate > 0 else 0.0
            tolerance = max(0.0, (burst - 1) * interval - self.limits.jitter_s)
            bucket = self._buckets[key] = _Bucket(interval, tolerance)
        return bucket

    def channel_slot(self, workspace: str, channel: str) -> float:
        """Book the next slot of ``channel``; seconds to wait for it."""
        with self._lock:
            channel = self._aliases.get((workspace, channel), channel)
            return self._book(self._bucket((workspace, channel)))

    def workspace_slot(self, workspace: str) -> float:
        """Book the next slot of the workspace; seconds to wait for it. Booked once the
        post's channel slot has come, so posts queued for a busy channel do not hold
        back the workspace's other channels."""
        with self._lock:
            return self._book(self._bucket((workspace,)))

    def wait(
        self, workspace: str, channel: str, sleep: Callable[[float], None] = time.sleep
    ) -> float:
        """Wait for the channel's slot, then the workspace's; the seconds waited."""
        waited = 0.0
        for delay in (self.channel_slot(workspace, channel), None):
            if delay is None:
                delay = self.workspace_slot(workspace)
            if delay > 0:
                sleep(delay)
                waited += delay
        return waited

    def _book(self, bucket: _Bucket) -> float:
        now = self.clock()
        at = max(now, bucket.tat - bucket.tolerance)
        bucket.tat = max(bucket.tat, at) + bucket.interval
        if len(self._buckets) > 10_000:
            self._forget(now)
        return at - now

    def penalise(self, workspace: str, channel: str, retry_after_s: float) -> None:
        """Slack answered 429: no post to ``channel`` before ``retry_after_s`` from now."""
        with self._lock:
            channel = self._aliases.get((workspace, channel), channel)
            bucket = self._bucket((workspace, channel))
            bucket.tat = max(bucket.tat, self.clock() + retry_after_s + bucket.tolerance)
            # Slack does not say which limit it was (the channel's, the workspace's, another
            # process's posts): the whole workspace waits Retry-After, as Slack asks.
            wide = self._bucket((workspace,))
            wide.tat = max(wide.tat, self.clock() + retry_after_s + wide.tolerance)

    def seconds_for(self, posts: int, in_one_channel: int) -> float:
        """How long the limits stretch ``posts`` (``in_one_channel`` of them in the busiest
        channel) at least: what a lease for sending them must cover."""
        limits = self.limits
        return max(
            max(0, in_one_channel - limits.channel_burst) / limits.per_channel_per_s,
            max(0, posts - limits.workspace_burst) / limits.per_workspace_per_s,
        )

    def _forget(self, now: float) -> None:
        """Drop buckets that are full again (their history no longer matters)."""
        for key in [k for k, b in self._buckets.items() if b.tat <= now]:
            del self._buckets[key]
