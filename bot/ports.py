"""Outbound interface of the core: how the engine's results reach people.

The engine returns plain results; whoever acts on its own initiative (the scheduler,
the CLI) hands them to a :class:`Notifier`. Platform adapters implement it (Slack
posts messages, the console prints); tests use :class:`RecordingNotifier`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol

from bot.results import Outcome, Participant, QuestionPrompt, RoundInfo, RoundStarted, RoundStatus
from bot.summary import RoundSummary
from storage.outbox import NewPost


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


class PostPlanner(Protocol):
    """Says what must be posted after an outcome, so the engine writes it to the outbox in
    the same transaction as the change (the payloads are opaque to the engine)."""

    lease: timedelta

    def posts_for(self, outcome: Outcome) -> Sequence[NewPost]:
        """The posts ``outcome`` calls for, in order."""
        ...

    def planned(self, keys: set[str], lease_until: datetime) -> None:
        """After the commit: the keys this process wrote (and holds until ``lease_until``)."""
        ...


@dataclass
class RecordingNotifier:
    """A notifier that remembers every call, for tests and dry runs."""

    started: list[RoundStarted] = field(default_factory=list)
    reminders: list[tuple[RoundInfo, Participant, QuestionPrompt | None]] = field(
        default_factory=list
    )
    digests: list[tuple[RoundStatus, list[str]]] = field(default_factory=list)
    summaries: list[RoundSummary] = field(default_factory=list)
    schedule_failures: list[tuple[str, list[str], str]] = field(default_factory=list)

    def round_started(self, started: RoundStarted) -> None:
        """Record an announcement."""
        self.started.append(started)

    def remind(
        self, info: RoundInfo, participant: Participant, prompt: QuestionPrompt | None
    ) -> None:
        """Record a reminder."""
        self.reminders.append((info, participant, prompt))

    def digest(self, status: RoundStatus, recipients: list[str]) -> None:
        """Record a digest."""
        self.digests.append((status, recipients))

    def summary_ready(self, summary: RoundSummary) -> None:
        """Record a summary."""
        self.summaries.append(summary)

    def schedule_failed(
        self, workspace: str, recipients: list[str], reason: str, lang: str
    ) -> None:
        """Record a report that a schedule cannot be planned."""
        self.schedule_failures.append((workspace, recipients, reason))
