"""The app leaving a workspace: ``app_uninstalled`` and ``tokens_revoked``.

The installation (with its encrypted tokens) is deleted from the installation store, and
when the bot token is gone every scheduled job of the workspace is stopped. Both steps
are idempotent, so a redelivered event changes nothing.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import App, BoltContext

from bot.slack import operations
from bot.slack.context import installation_store_of, slack_context

log = logging.getLogger(__name__)


def on_uninstalled(body: dict[str, Any], context: BoltContext) -> None:
    ctx = slack_context(context)
    workspace = operations.workspace_of(context, body)
    store = installation_store_of(context)
    if store is not None:
        store.delete_all(enterprise_id=context.enterprise_id, team_id=workspace)
    ctx.services.workspaces.stop(workspace)


def on_tokens_revoked(body: dict[str, Any], event: dict[str, Any], context: BoltContext) -> None:
    ctx = slack_context(context)
    workspace = operations.workspace_of(context, body)
    tokens = event.get("tokens") or {}
    store = installation_store_of(context)
    if store is not None:
        for user_id in tokens.get("oauth") or []:
            store.delete_installation(
                enterprise_id=context.enterprise_id, team_id=workspace, user_id=str(user_id)
            )
    if tokens.get("bot"):
        if store is not None:
            store.delete_bot(enterprise_id=context.enterprise_id, team_id=workspace)
        ctx.services.workspaces.stop(workspace)


def register(app: App) -> None:
    """Register the uninstall and token revocation listeners."""
    app.event("app_uninstalled")(on_uninstalled)
    app.event("tokens_revoked")(on_tokens_revoked)
