"""Where the synchronous service layer meets the asynchronous Teams SDK (the only place).

* Inbound: the SDK's handlers are coroutines on uvicorn's loop; :func:`call` runs a
  service call (one database transaction) in a worker thread and awaits it, so the
  answer is stored before the handler returns and the SDK answers HTTP 200.
* After the ack: :meth:`Bridge.after_ack` hands sending to a thread pool.
* Outbound: the outbox sender is synchronous (worker threads, the resender, the
  scheduler); :meth:`Bridge.run` runs an SDK coroutine on the bridge's own event loop
  (a daemon thread) and waits for its result.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Awaitable, Callable, Coroutine
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, ParamSpec, TypeVar

log = logging.getLogger(__name__)

T = TypeVar("T")
P = ParamSpec("P")


async def call(fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    """Run the synchronous ``fn`` in a worker thread and await its result."""
    return await asyncio.to_thread(fn, *args, **kwargs)


class Bridge:
    """An event loop for outbound SDK calls and a pool for work after the ack.

    Args:
        workers: threads sending after the ack.
    """

    def __init__(self, workers: int = 4) -> None:
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self._loop.run_forever, name="dialogbot-teams-loop", daemon=True
        )
        self._thread.start()
        self._pool = ThreadPoolExecutor(workers, thread_name_prefix="dialogbot-teams-send")
        self._busy = 0
        self._idle = threading.Condition()

    def run(self, make: Callable[[], Coroutine[Any, Any, T]], timeout: float = 30.0) -> T:
        """Run the coroutine ``make()`` on the bridge's loop; block until it is done."""
        future = asyncio.run_coroutine_threadsafe(make(), self._loop)
        return future.result(timeout)

    def after_ack(self, fn: Callable[[], object]) -> Future[object]:
        """Run ``fn`` in the sending pool (errors are logged; the resender retries)."""

        def guarded() -> object:
            try:
                return fn()
            except Exception:
                log.exception("sending after the ack failed; the resender takes over")
                return None
            finally:
                with self._idle:
                    self._busy -= 1
                    self._idle.notify_all()

        with self._idle:
            self._busy += 1
        return self._pool.submit(guarded)

    def drain(self, timeout: float = 60.0) -> bool:
        """Wait until the work handed to :meth:`after_ack` is done (tests, shutdown);
        False when it did not finish within ``timeout`` seconds."""
        with self._idle:
            return self._idle.wait_for(lambda: self._busy == 0, timeout)

    def close(self) -> None:
        """Stop the pool and the loop."""
        self._pool.shutdown(wait=True)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=5)


def run_sync(awaitable: Awaitable[T]) -> T:
    """Run ``awaitable`` to completion from synchronous code with no loop (the CLI)."""

    async def wrap() -> T:
        return await awaitable

    return asyncio.run(wrap())
