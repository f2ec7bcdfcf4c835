"""What every listener needs: the engine, the poster and a few helpers, in one object.

The listeners are module-level functions (importable and testable on their own); they
find this object in Bolt's per-request ``context``, where the :func:`provide` middleware
puts it (:func:`slack_context`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from slack_bolt import BoltContext
from slack_sdk import WebClient
from slack_sdk.oauth.installation_store import InstallationStore

from bot.domain.errors import DialogError
from bot.escaping import mrkdwn
from bot.i18n import t
from bot.services.container import Services
from bot.slack.middleware import Next, RequestMiddleware
from bot.slack.notifier import SlackNotifier
from bot.slack.poster import Poster
from storage.outbox import OutboxStore

ClientProvider = Callable[[str], WebClient]
"""A WebClient (with the right bot token) for a workspace (team id)."""


@dataclass
class SlackContext:
    """Shared services of the Slack adapter, handed to every ``register(app, ctx)``."""

    services: Services
    poster: Poster
    store: OutboxStore
    tz: str
    clients: ClientProvider

    def notifier(
        self, client: WebClient | None = None, occasion: str | None = None
    ) -> SlackNotifier:
        """A notifier posting with ``client`` (a listener's) or the workspace's own client."""
        clients = self.clients if client is None else (lambda _ws: client)
        return SlackNotifier(self.services, self.poster, clients, self.tz, occasion)

    def lang_for(self, workspace: str, chat_id: str) -> str:
        """The language of a person in the organisation, Swedish when unknown."""
        return self.services.people.lang_of(workspace, chat_id)


#: Where :func:`provide` puts the :class:`SlackContext` in Bolt's request context.
CONTEXT_KEY = "dialogbot"
#: Where :func:`provide` puts the app's installation store (OAuth mode), if any.
INSTALLATIONS_KEY = "dialogbot_installation_store"


def provide(ctx: SlackContext, installations: InstallationStore | None = None) -> RequestMiddleware:
    """A Bolt middleware that hands ``ctx`` (and the installation store) to every listener."""

    def provide_context(_body: dict[str, Any], context: BoltContext, next: Next) -> None:
        context[CONTEXT_KEY] = ctx
        context[INSTALLATIONS_KEY] = installations
        next()

    return RequestMiddleware(provide_context)


def slack_context(context: BoltContext | dict[str, Any]) -> SlackContext:
    """The adapter's :class:`SlackContext` for this request (put there by :func:`provide`)."""
    found = context.get(CONTEXT_KEY)
    if not isinstance(found, SlackContext):
        raise RuntimeError("the provide() middleware is not registered on this app")
    return found


def installation_store_of(context: BoltContext | dict[str, Any]) -> InstallationStore | None:
    """The app's installation store (OAuth mode), None with one bot token."""
    store = context.get(INSTALLATIONS_KEY)
    return store if isinstance(store, InstallationStore) else None


def error_text(lang: str, err: DialogError) -> str:
    """A domain error as a friendly mrkdwn message; parameters (often typed by the user)
    are escaped."""
    return t(lang, err.key, **{k: mrkdwn(v) for k, v in err.params.items()})
