"""Run the once-per-installation duties (the scheduler, the post resender) in exactly one
process: the holder of the leader lock (:class:`storage.leader.LeaderLock`).

Every ``dialogbot serve`` process runs an :class:`Election` thread. The one that takes the
lock starts the duties; the others try again every ``interval_s`` and take over when the
leader exits, is killed or loses its database connection. A leader that loses the lock
stops its duties at its next check; until then, and while a new leader starts, two
processes may run them for a moment, which the duties tolerate (scheduled jobs and outbox
rows are claimed under leases), so leadership saves work and does not carry correctness.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from storage.leader import LeaderLock

log = logging.getLogger(__name__)

#: Starts the duties and returns what stops them.
Duties = Callable[[], Callable[[], None]]


class Election:
    """Holds or waits for the leader lock in a daemon thread; runs ``duties`` while it
    holds it."""

    def __init__(self, lock: LeaderLock, duties: Duties, interval_s: float = 2.0) -> None:
        self.lock = lock
        self.duties = duties
        self.interval_s = interval_s
        self._stop = threading.Event()
        self._stop_duties: Callable[[], None] | None = None
        self._leader = threading.Event()
        self._thread = threading.Thread(target=self._run, name="dialogbot-election", daemon=True)

    @property
    def is_leader(self) -> bool:
        """True while this process runs the duties."""
        return self._leader.is_set()

    def start(self) -> Election:
        """Start electing (the first attempt happens at once)."""
        self._thread.start()
        return self

    def wait_leader(self, timeout: float) -> bool:
        """Wait until this process leads (tests, start-up); True if it does."""
        return self._leader.wait(timeout)

    def stop(self, timeout: float = 15.0) -> None:
        """Stop the duties (if leading), give the lock up and end the thread."""
        self._stop.set()
        self._thread.join(timeout)

    def _run(self) -> None:
        try:
            while not self._stop.is_set():
                self._step()
                self._stop.wait(self.interval_s)
        finally:
            self._step_down("stopping")
            self.lock.close()

    def _step(self) -> None:
        if self._stop_duties is not None:
            if not self.lock.holds():
                self._step_down("lost the leader lock")
            return
        if self.lock.try_acquire():
            log.warning("this process is the leader: it runs the scheduler and the resender")
            try:
                self._stop_duties = self.duties()
            except Exception:
                log.exception("starting the leader's duties failed; giving the lock up")
                self.lock.release()
                return
            self._leader.set()

    def _step_down(self, why: str) -> None:
        stop, self._stop_duties = self._stop_duties, None
        self._leader.clear()
        if stop is not None:
            log.warning("no longer the leader (%s): scheduler and resender stopped", why)
            try:
                stop()
            except Exception:
                log.exception("stopping the leader's duties failed")
