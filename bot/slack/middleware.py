"""Global Bolt middleware without Bolt's per-call keyword injection."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt import BoltContext, BoltRequest, BoltResponse
from slack_bolt.middleware import Middleware

Next = Callable[[], object]
"""Bolt's ``next``: runs the rest of the chain."""

Handler = Callable[[dict[str, Any], BoltContext, Next], None]
"""A global middleware's work: the request's parsed body, its Bolt context and ``next``."""


class RequestMiddleware(Middleware):
    """A global Bolt middleware that calls ``handler(body, context, next)``.

    Every request passes every global middleware. Bolt runs a plain function middleware
    through its keyword injection, which first builds every argument any listener could
    ask for (the payload's views, ``say``, ``respond`` …, ~10 µs) and then picks the ones
    the function names; this hands the two that ours use over directly.
    """

    def __init__(self, handler: Handler) -> None:
        self.handler = handler

    def process(
        self, *, req: BoltRequest, resp: BoltResponse, next: Callable[[], BoltResponse]
    ) -> BoltResponse | None:
        """Run the handler; like a function middleware, it answers nothing itself."""
        self.handler(req.body, req.context, next)
        return None

    @property
    def name(self) -> str:
        """The handler's name, for Bolt's debug log."""
        return f"{self.handler.__module__}.{self.handler.__qualname__}"
