"""Client-side rate limits of Teams, so a fan-out does not run into 429s.

Per bot and conversation Teams allows 7 messages a second, 8 in two seconds, 60 in 30
seconds and 1,800 an hour; per app and tenant about 30 requests a second. The limiter
keeps, per conversation and per tenant, the calls in flight and the times their answers
came back (sliding windows), and makes a caller wait until one more call fits.

A call is counted from the moment its *answer* arrived, and while it is in flight it
counts as if it were in every window. Teams counts a call somewhere between sending and
answering, so a call that came back more than a window ago cannot be in Teams' window of
a call sent now, however long either of them travelled: the limit holds whatever the
jitter, and what it costs is one round trip per window instead of a fixed margin.
``margin`` (seconds added to every window, 0 by default) is for a service that counts
less exactly than that.
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict, deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager

#: (window seconds, calls allowed) per conversation.
CONVERSATION_LIMITS: tuple[tuple[float, int], ...] = (
    (1.0, 7),
    (2.0, 8),
    (30.0, 60),
    (3600.0, 1800),
)
#: The longest wait for a call in flight to come back before looking again (real time).
IN_FLIGHT_WAIT_S = 0.25

Limits = tuple[tuple[float, int], ...]


class RateLimiter:
    """Sliding-window limits per conversation and per tenant.

    Args:
        tenant_per_second: calls per second for a whole tenant.
        clock: monotonic seconds; sleep: how to wait (tests pass a virtual clock).
        conversation_limits: (window seconds, calls allowed) per conversation.
        margin: seconds added to every window.
    """

    def __init__(
        self,
        tenant_per_second: int = 30,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        conversation_limits: Limits = CONVERSATION_LIMITS,
        margin: float = 0.0,
    ) -> None:
        self.tenant_limits: Limits = ((1.0, tenant_per_second),)
        self.conversation_limits = conversation_limits
        self.clock = clock
        self.sleep = sleep
        self.margin = margin
        self._lock = threading.Lock()
        #: Notified whenever a call comes back (waiters blocked by calls in flight).
        self._back = threading.Condition(self._lock)
        #: Per key: when the answers of finished calls came back (in order).
        self._done: dict[str, deque[float]] = defaultdict(deque)
        #: Per key: calls sent and not answered yet.
        self._in_flight: dict[str, int] = defaultdict(int)
        self.waited = 0.0

    @contextmanager
    def call(self, tenant: str, conversation: str | None = None) -> Iterator[None]:
        """Wait until a call for ``tenant`` (sending to ``conversation``) fits, and count
        it as in flight while the ``with`` block makes it; when the block ends (answer or
        error) the call is counted from that moment."""
        keys = self._keys(tenant, conversation)
        self._acquire(keys)
        try:
            yield
        finally:
            with self._lock:
                now = self.clock()
                for key, _ in keys:
                    self._in_flight[key] -= 1
                    self._done[key].append(now)
                self._back.notify_all()

    def _keys(self, tenant: str, conversation: str | None) -> list[tuple[str, Limits]]:
        keys: list[tuple[str, Limits]] = [(f"t:{tenant}", self.tenant_limits)]
        if conversation is not None:
            keys.append((f"c:{conversation}", self.conversation_limits))
        return keys

    def _acquire(self, keys: list[tuple[str, Limits]]) -> None:
        while True:
            with self._lock:
                now = self.clock()
                waits = [self._wait(key, limits, now) for key, limits in keys]
                wait = None if None in waits else max(w for w in waits if w is not None)
                if wait == 0:
                    for key, _ in keys:
                        self._in_flight[key] += 1
                    return
                if wait is None:
                    # Only a call coming back can make room: wait for one (never on the
                    # injected clock, which only moves when someone sleeps on it).
                    self._back.wait(IN_FLIGHT_WAIT_S)
                    self.waited += self.clock() - now
                    continue
            self.waited += wait
            self.sleep(wait)

    def _wait(self, key: str, limits: Limits, now: float) -> float | None:
        """Seconds until one more call for ``key`` fits (0: it fits now; None: not before a
        call in flight comes back)."""
        done = self._done[key]
        longest = max(window for window, _ in limits) + self.margin
        while done and done[0] <= now - longest:
            done.popleft()
        in_flight = self._in_flight[key]
        wait = 0.0
        for bare, allowed in limits:
            window = bare + self.margin
            inside = [t for t in done if t > now - window]
            over = in_flight + len(inside) - allowed + 1
            if over <= 0:
                continue
            if over > len(inside):
                return None
            # The finished call that must leave the window before one more fits.
            wait = max(wait, inside[over - 1] + window - now + 1e-6)
        return wait
