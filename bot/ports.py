"""Outbound interface of the core: how the engine's results reach people.

The engine returns plain results; whoever acts on its own initiative (the scheduler,
the CLI) hands them to a :class:`Notifier`. Platform adapters implement it (Slack
posts messages, the console prints); tests use the in-memory fakes in ``tests/fakes``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from bot.domain.errors import DialogError
from bot.domain.posts import NewPost
from bot.domain.results import (
    Outcome,
    Participant,
    QuestionPrompt,
    RoundInfo,
    RoundStarted,
    RoundStatus,
)

if TYPE_CHECKING:
    from bot.summary import RoundSummary


class Notifier(Protocol):
    """Delivers what the core produced to the people concerned."""

    def round_started(self, started: RoundStarted) -> None:
        """Announce a round to its group and give each participant their first question."""

    def remind(
        self, info: RoundInfo, participant: Participant, prompt: QuestionPrompt | None
    ) -> None:
        """Remind one participant who has not finished."""

    def digest(self, status: RoundStatus, recipients: list[str]) -> None:
        """Tell process supports (chat ids) who is still missing in a round."""

    def summary_ready(self, summary: RoundSummary) -> None:
        """Post a closed round's summary to its receiving group."""

    def schedule_failed(
        self, workspace: str, recipients: list[str], reason: str, lang: str
    ) -> None:
        """Tell process supports (chat ids) that the workspace's schedule cannot be planned."""


@runtime_checkable
class StartReporter(Protocol):
    """Tells the person who started a round how the start went, when it was carried out
    after the ack by another process than the one that answered (the scheduler taking a
    start over), or was refused after the ack. A notifier may implement it too."""

    def start_succeeded(self, started: RoundStarted, chat_id: str) -> None:
        """The round started (say so once, however often this is called)."""

    def start_refused(self, workspace: str, chat_id: str, key: str, error: DialogError) -> None:
        """The start accepted under ``key`` was refused (say so once per ``key``)."""


class PostPlanner(Protocol):
    """Says what must be posted after an outcome, so the engine writes it to the outbox in
    the same transaction as the change (the payloads are opaque to the engine)."""

    lease: timedelta
    #: The chat platform the posts go to (the outbox's ``platform`` column).
    platform: str

    def posts_for(self, outcome: Outcome) -> Sequence[NewPost]:
        """The posts ``outcome`` calls for, in order."""
        ...

    def planned(self, keys: set[str], lease_until: datetime) -> None:
        """After the commit: the keys this process wrote (and holds until ``lease_until``)."""
        ...
