"""One manager's conversation in the terminal, translated into engine calls."""

from __future__ import annotations

import itertools
import re
import uuid
from dataclasses import dataclass

from bot.chain.chat import render_activity_outcome_text
from bot.chain.context import render_context_text
from bot.engine import DialogEngine
from bot.errors import DialogError
from bot.i18n import t
from bot.results import Outcome, QuestionPrompt

SKIP = {"/hoppa", "/hoppa över", "/skip"}
BACK = {"/tillbaka", "/back"}
FINISH = {"/klar", "/done", "/finish"}
HELP = {"/hjälp", "/hjalp", "/help", "/?"}
EDIT = re.compile(r"^/(ändra|andra|edit)\s+(\d+)\s+(.+)$", re.DOTALL | re.IGNORECASE)

HELP_TEXT = {
    "sv": (
        "Skriv ditt svar och tryck Enter. Kommandon:\n"
        "  /hoppa            hoppa över frågan\n"
        "  /tillbaka         gå tillbaka till förra frågan\n"
        "  /ändra N text     ersätt svaret på fråga N\n"
        "  /klar             avsluta (obesvarade frågor lämnas tomma)\n"
        "  /hjälp            visa den här hjälpen"
    ),
    "en": (
        "Type your answer and press Enter. Commands:\n"
        "  /skip             skip the question\n"
        "  /back             go back to the previous question\n"
        "  /edit N text      replace your answer to question N\n"
        "  /done             finish (unanswered questions stay empty)\n"
        "  /help             show this help"
    ),
}


def render_prompt(prompt: QuestionPrompt) -> str:
    """A question as terminal text: progress, question, hint, earlier answer."""
    if prompt.followup is not None:
        progress = t(prompt.lang, "followup.progress", n=prompt.followup_remaining)
    else:
        progress = t(prompt.lang, "progress", n=prompt.number, total=prompt.total)
    lines = [f"[{progress}] {prompt.text}"]
    earlier = render_context_text(prompt)
    if earlier:
        lines.append(earlier)
    if prompt.hint:
        lines.append(f"  {t(prompt.lang, 'hint')}: {prompt.hint}")
    if prompt.previous_answer:
        lines.append(f"  {t(prompt.lang, 'previous_answer')}: {prompt.previous_answer}")
    return "\n".join(lines)


@dataclass
class ConsoleReply:
    """What the terminal should show after one line of input."""

    lines: list[str]
    done: bool
    outcome: Outcome | None = None


class ConsoleSession:
    """Translates typed lines into engine calls for one participation."""

    def __init__(
        self,
        engine: DialogEngine,
        workspace: str,
        participation_id: int,
        lang: str = "sv",
        key_prefix: str | None = None,
    ) -> None:
        self.engine = engine
        self.workspace = workspace
        self.participation_id = participation_id
        self.lang = lang
        self._prefix = key_prefix or f"console:{uuid.uuid4().hex}"
        self._counter = itertools.count(1)

    def next_key(self) -> str:
        """A fresh message key for the next line (console messages have no platform id)."""
        return f"{self._prefix}:{self.participation_id}:{next(self._counter)}"

    def opening(self) -> list[str]:
        """The current question, or a note that the participant is done."""
        prompt = self.engine.current_prompt(self.workspace, self.participation_id)
        return [render_prompt(prompt)] if prompt else [t(self.lang, "already_finished")]

    def handle(self, line: str, message_key: str | None = None) -> ConsoleReply:
        """Apply one typed line; ``message_key`` lets callers replay a line deliberately."""
        key = message_key or self.next_key()
        text = line.strip()
        lowered = text.lower()
        try:
            if lowered in HELP:
                return ConsoleReply([HELP_TEXT.get(self.lang, HELP_TEXT["sv"])], False)
            if lowered in SKIP:
                outcome = self.engine.skip(self.workspace, self.participation_id, key)
            elif lowered in BACK:
                outcome = self.engine.back(self.workspace, self.participation_id, key)
            elif lowered in FINISH:
                outcome = self.engine.finish(self.workspace, self.participation_id, key)
            elif (match := EDIT.match(text)) is not None:
                outcome = self.engine.edit_question(
                    self.workspace, self.participation_id, int(match.group(2)), match.group(3), key
                )
            else:
                outcome = self.engine.reply(self.workspace, self.participation_id, text, key)
        except DialogError as err:
            return ConsoleReply([t(self.lang, err.key, **err.params)], False)
        return self._describe(outcome)

    def _describe(self, outcome: Outcome) -> ConsoleReply:
        lang = self.lang
        lines: list[str] = []
        if outcome.kind == "edited":
            lines.append(t(lang, "edited", n=outcome.question_number))
        elif outcome.kind == "skipped":
            lines.append(t(lang, "skipped"))
        elif outcome.kind == "already_finished":
            lines.append(t(lang, "already_finished"))
        elif outcome.kind == "answered":
            lines.append("✓ " + t(lang, "answered"))
        about_activities = render_activity_outcome_text(outcome, lang)
        if about_activities and outcome.kind != "duplicate":
            lines.append(about_activities)
        if outcome.kind == "edited" or outcome.kind == "duplicate":
            return ConsoleReply(lines, False, outcome)
        if outcome.prompt is not None:
            lines.append(render_prompt(outcome.prompt))
            return ConsoleReply(lines, False, outcome)
        if outcome.kind != "already_finished":
            lines.append(t(lang, "finished"))
        return ConsoleReply(lines, True, outcome)
