"""Client-side rate limits of Teams, so a fan-out does not run into 429s.

Per bot and conversation Teams allows 7 messages a second, 8 in two seconds, 60 in 30
seconds and 1,800 an hour; per app and tenant about 30 requests a second. The limiter
keeps the times of recent calls per conversation and per tenant (sliding windows, so no
window is ever exceeded) and makes a caller wait until its call fits. Each window is
counted ``margin`` seconds longer than Teams counts it: a call is timed here a little
before Teams receives it, and calls sent in parallel may arrive closer together than they
left.
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict, deque
from collections.abc import Callable

#: (window seconds, calls allowed) per conversation.
CONVERSATION_LIMITS: tuple[tuple[float, int], ...] = (
    (1.0, 7),
    (2.0, 8),
    (30.0, 60),
    (3600.0, 1800),
)


class RateLimiter:
    """Sliding-window limits per conversation and per tenant.

    Args:
        tenant_per_second: calls per second for a whole tenant.
        clock: monotonic seconds; sleep: how to wait (tests pass a virtual clock).
        margin: seconds added to every window (safety against jitter).
    """

    def __init__(
        self,
        tenant_per_second: int = 30,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        conversation_limits: tuple[tuple[float, int], ...] = CONVERSATION_LIMITS,
        margin: float = 0.1,
    ) -> None:
        self.tenant_limits = ((1.0, tenant_per_second),)
        self.conversation_limits = conversation_limits
        self.clock = clock
        self.sleep = sleep
        self.margin = margin
        self._lock = threading.Lock()
        self._calls: dict[str, deque[float]] = defaultdict(deque)
        self.waited = 0.0

    def acquire(self, tenant: str, conversation: str | None = None) -> None:
        """Wait until a call for ``tenant`` (sending to ``conversation``) fits, then count it."""
        keys: list[tuple[str, tuple[tuple[float, int], ...]]] = [
            (f"t:{tenant}", self.tenant_limits)
        ]
        if conversation is not None:
            keys.append((f"c:{conversation}", self.conversation_limits))
        while True:
            with self._lock:
                now = self.clock()
                wait = max(self._wait(key, limits, now) for key, limits in keys)
                if wait <= 0:
                    for key, _ in keys:
                        self._calls[key].append(now)
                    return
            self.waited += wait
            self.sleep(wait)

    def _wait(self, key: str, limits: tuple[tuple[float, int], ...], now: float) -> float:
        calls = self._calls[key]
        longest = max(window for window, _ in limits) + self.margin
        while calls and calls[0] <= now - longest:
            calls.popleft()
        wait = 0.0
        for bare, allowed in limits:
            window = bare + self.margin
            inside = [t for t in calls if t > now - window]
            if len(inside) >= allowed:
                # The oldest call that must leave the window before one more fits.
                wait = max(wait, inside[len(inside) - allowed] + window - now + 1e-3)
        return wait
