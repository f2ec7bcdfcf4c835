"""All use-case groups behind one object, built once in :mod:`bot.wiring` and handed to adapters."""

from __future__ import annotations

from bot.services.conversations import Conversations
from bot.services.kernel import ServiceKernel


class Services:
    """The service layer as adapters see it: one attribute per use-case group.

    Args:
        kernel: the shared unit-of-work plumbing (session factory, catalog, clock).
    """

    def __init__(self, kernel: ServiceKernel) -> None:
        self.kernel = kernel
        # One line per use-case group, e.g. ``self.absences = Absences(kernel)``.
        self.conversations = Conversations(kernel)
