"""What happens to a workspace's scheduled work when the app leaves it."""

from __future__ import annotations

import logging

from bot.services.container import Services
from storage.installations import cancel_workspace_jobs

log = logging.getLogger(__name__)


def stop_workspace(services: Services, workspace: str) -> int:
    """Stop every scheduled job of ``workspace`` (uninstalled, or its bot token revoked):
    its schedule is removed and its pending jobs and deadline closes are cancelled. Its
    rounds, answers and documentation stay. Idempotent; returns the jobs cancelled."""
    with services.kernel.legacy_unit_of_work(workspace) as uow:
        cancelled = cancel_workspace_jobs(uow.session, workspace, services.kernel.clock.now())
        uow.commit()
    log.info("workspace %s: the app left; %d scheduled jobs cancelled", workspace, cancelled)
    return cancelled
