"""The thread pool that runs work after the ack, and can tell when it is idle."""

from __future__ import annotations

import contextvars
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, ParamSpec, TypeVar

P = ParamSpec("P")
T = TypeVar("T")


class TrackingExecutor(ThreadPoolExecutor):
    """A ``ThreadPoolExecutor`` that counts unfinished tasks.

    Bolt runs listeners here after acknowledging a request. :meth:`wait_idle` lets a
    graceful shutdown (and a test) wait until every acknowledged request is handled,
    including work submitted by work that was already running.
    """

    def __init__(self, max_workers: int = 16) -> None:
        super().__init__(max_workers=max_workers, thread_name_prefix="dialogbot-slack")
        self._pending = 0
        self._idle = threading.Condition()

    def submit(self, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> Future[T]:
        """Schedule ``fn`` in a copy of the caller's context (so log fields carry over)
        and count it until it has finished."""
        with self._idle:
            self._pending += 1
        try:
            context = contextvars.copy_context()
            future = super().submit(lambda: context.run(fn, *args, **kwargs))
        except BaseException:
            self._done(None)
            raise
        future.add_done_callback(self._done)
        return future

    def _done(self, _future: Future[Any] | None) -> None:
        with self._idle:
            self._pending -= 1
            if self._pending == 0:
                self._idle.notify_all()

    def wait_idle(self, timeout: float = 10.0) -> None:
        """Block until no task is queued or running; ``TimeoutError`` after ``timeout``."""
        with self._idle:
            if not self._idle.wait_for(lambda: self._pending == 0, timeout):
                raise TimeoutError(f"{self._pending} Slack task(s) still running")
