"""A :class:`bot.ports.Notifier` that prints, for ``dialogbot worker`` without Slack."""

from __future__ import annotations

from rich.console import Console

from bot.domain.absence import ABSENT, absent_line
from bot.domain.anonymity import DEFAULT_ANONYMITY_K, notice
from bot.domain.labels import person_and_unit
from bot.domain.results import Participant, QuestionPrompt, RoundInfo, RoundStarted, RoundStatus
from bot.i18n import format_local, t
from bot.progress_text import left_text
from bot.summary import RoundSummary, render_summary


class ConsoleNotifier:
    """Prints announcements, reminders, digests and summaries to a terminal.

    Everything is printed as plain text (no Rich markup), so names and answers can
    contain anything.
    """

    def __init__(self, out: Console | None = None, tz: str = "Europe/Stockholm") -> None:
        """Create the notifier.

        Args:
            out: Where to print (default: standard output).
            tz: Time zone for the times shown.
        """
        self.out = out or Console()
        self.tz = tz

    def _print(self, text: str) -> None:
        self.out.print(text, markup=False, highlight=False, emoji=False, soft_wrap=True)

    def _deadline(self, info: RoundInfo) -> str:
        return format_local(info.deadline_at, info.lang, self.tz)

    def round_started(self, started: RoundStarted) -> None:
        """Print the announcement and each participant's first question."""
        info = started.round
        deadline = (
            t(info.lang, "round.deadline", when=self._deadline(info)) if info.deadline_at else ""
        )
        self._print(
            f"[{info.group_ref}] "
            + t(
                info.lang,
                "round.announce",
                title=info.title,
                count=len(started.participants),
                deadline=deadline,
            )
        )
        if info.anonymous:
            self._print("  " + notice(info.lang, info.anonymity_k or DEFAULT_ANONYMITY_K))
        for participant, prompt in started.participants:
            self._print(
                "  "
                + t(
                    info.lang,
                    "round.thread_intro",
                    name=participant.name,
                    unit=participant.unit_name,
                    title=info.title,
                )
            )
            if participant.on_behalf_of:
                note = t(
                    info.lang,
                    "absence.on_behalf",
                    unit=participant.unit_name,
                    manager=participant.on_behalf_of,
                )
                self._print("  " + note)
            self._print("    " + self._question(info.lang, prompt))

    def remind(
        self, info: RoundInfo, participant: Participant, prompt: QuestionPrompt | None
    ) -> None:
        """Print a reminder to one participant: what is left, the deadline and the question
        they are on."""
        left = left_text(
            info.lang, participant.answered, participant.total, info.deadline_at, self.tz
        )
        self._print(
            t(
                info.lang,
                "reminder.console",
                name=participant.name,
                unit=participant.unit_name,
                title=info.title,
                left=left,
            )
        )
        if prompt is not None:
            self._print("  " + self._question(info.lang, prompt))

    def digest(self, status: RoundStatus, recipients: list[str]) -> None:
        """Print who is missing in a round (only a count for anonymous rounds)."""
        info = status.round
        missing = [p for p in status.unfinished if p.status != ABSENT]
        total = sum(len(unit.participants) for unit in status.units)
        params: dict[str, object] = {
            "recipients": ", ".join(recipients),
            "title": info.title,
            "missing": len(missing),
            "total": total,
        }
        away = absent_line(status, info.lang, lambda p: person_and_unit(p.name, p.unit_name))
        if info.anonymous:
            self._print(t(info.lang, "schedule.digest_anonymous", **params) + away)
            return
        names = ", ".join(person_and_unit(p.name, p.unit_name) for p in missing)
        self._print(t(info.lang, "schedule.digest", names=names, **params) + away)

    def summary_ready(self, summary: RoundSummary) -> None:
        """Print a closed round's summary as text."""
        info = summary.round
        self._print(t(info.lang, "schedule.summary_to", group=info.group_ref))
        self._print(render_summary(summary, "text"))

    def schedule_failed(
        self, workspace: str, recipients: list[str], reason: str, lang: str
    ) -> None:
        """Print that the workspace's schedule cannot be planned, for its process supports."""
        self._print(
            f"→ {', '.join(recipients)}: {t(lang, 'schedule.planning_failed', reason=reason)}"
        )

    def _question(self, lang: str, prompt: QuestionPrompt) -> str:
        return t(
            lang, "schedule.remind_question", n=prompt.number, total=prompt.total, text=prompt.text
        )
