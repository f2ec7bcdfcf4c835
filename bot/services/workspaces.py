"""Use cases on a workspace as a whole: what happens when the app leaves it."""

from __future__ import annotations

import logging

from bot.services.kernel import ServiceKernel

log = logging.getLogger(__name__)


class Workspaces:
    """A workspace's life with the app.

    Args:
        kernel: The shared unit-of-work plumbing.
    """

    def __init__(self, kernel: ServiceKernel) -> None:
        self.kernel = kernel

    def stop(self, workspace: str) -> int:
        """Stop every scheduled job of ``workspace`` (uninstalled, or its bot token
        revoked): its schedule is removed and its pending jobs and deadline closes are
        cancelled. Its rounds, answers and documentation stay. Idempotent; returns the
        jobs cancelled."""
        now = self.kernel.now()
        cancelled = self.kernel.transaction(
            workspace, lambda repo: repo.schedule.cancel_all_jobs(now)
        )
        log.info("workspace %s: the app left; %d scheduled jobs cancelled", workspace, cancelled)
        return cancelled
