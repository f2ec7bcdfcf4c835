"""What every listener needs: the services, the poster and a few helpers, in one object."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from slack_sdk import WebClient

from bot.errors import DialogError
from bot.escaping import mrkdwn
from bot.i18n import DEFAULT_LANG, t
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
        with self.services.kernel.legacy_unit_of_work(workspace) as uow:
            person = uow.repo.person(chat_id)
            return (
                person.lang if person is not None and person.lang in ("sv", "en") else DEFAULT_LANG
            )


def error_text(lang: str, err: DialogError) -> str:
    """A domain error as a friendly mrkdwn message; parameters (often typed by the user)
    are escaped."""
    return t(lang, err.key, **{k: mrkdwn(v) for k, v in err.params.items()})
