"""In-memory fakes of the core's outbound port :class:`bot.ports.Notifier`."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from bot.clock import FixedClock
from bot.domain.results import Participant, QuestionPrompt, RoundInfo, RoundStarted, RoundStatus
from bot.summary import RoundSummary


@dataclass
class RecordingNotifier:
    """A notifier that remembers every call (the in-memory fake of the Notifier port)."""

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


class ClockedNotifier(RecordingNotifier):
    """A recording notifier that also notes the clock time of every reminder and digest."""

    def __init__(self, clock: FixedClock) -> None:
        super().__init__()
        self.clock = clock
        self.reminded_at: list[datetime] = []
        self.digested_at: list[datetime] = []

    def remind(
        self, info: RoundInfo, participant: Participant, prompt: QuestionPrompt | None
    ) -> None:
        """Record a reminder and when it was sent."""
        super().remind(info, participant, prompt)
        self.reminded_at.append(self.clock.now())

    def digest(self, status: RoundStatus, recipients: list[str]) -> None:
        """Record a digest and when it was sent."""
        super().digest(status, recipients)
        self.digested_at.append(self.clock.now())
