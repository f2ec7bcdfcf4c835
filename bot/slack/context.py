"""What every listener needs: the engine, the poster and a few helpers, in one object.

The listeners are module-level functions (importable and testable on their own); they
find this object in Bolt's per-request ``context``, where the :func:`provide` middleware
puts it (:func:`slack_context`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from slack_bolt import BoltContext, BoltRequest, BoltResponse
from slack_bolt.middleware import Middleware
from slack_sdk import WebClient
from slack_sdk.oauth.installation_store import InstallationStore

from bot.domain.errors import DialogError
from bot.escaping import mrkdwn
from bot.i18n import t
from bot.services.container import Services
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


class ContextProvider(Middleware):
    """The global middleware that puts the :class:`SlackContext` (and the installation
    store) in every request's context; also callable as ``provider(context, next)``."""

    def __init__(self, ctx: SlackContext, installations: InstallationStore | None) -> None:
        self.ctx = ctx
        self.installations = installations

    def __call__(self, context: BoltContext | dict[str, Any], next: Callable[[], object]) -> None:
        """Hand the context over, go on."""
        context[CONTEXT_KEY] = self.ctx
        context[INSTALLATIONS_KEY] = self.installations
        next()

    def process(
        self, *, req: BoltRequest, resp: BoltResponse, next: Callable[[], BoltResponse]
    ) -> BoltResponse | None:
        """As a Bolt middleware: called with the request directly, no keyword injection."""
        self(req.context, next)
        return None


def provide(ctx: SlackContext, installations: InstallationStore | None = None) -> ContextProvider:
    """A Bolt middleware that hands ``ctx`` (and the installation store) to every listener."""
    return ContextProvider(ctx, installations)


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
