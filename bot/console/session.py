"""One manager's conversation in the terminal, translated into service calls."""

from __future__ import annotations

import difflib
import itertools
import re
import uuid
from dataclasses import dataclass

from bot.chain.chat import render_activity_outcome_text
from bot.chain.context import render_context_text
from bot.domain.errors import DialogError, InvalidInput
from bot.domain.results import AnswerLine, Outcome, QuestionPrompt
from bot.i18n import t
from bot.services.container import Services

# Every spelling of every command, and what it does.
COMMANDS: dict[str, str] = {
    "/hoppa": "skip",
    "/skip": "skip",
    "/tillbaka": "back",
    "/back": "back",
    "/ändra": "edit",
    "/andra": "edit",
    "/edit": "edit",
    "/klar": "finish",
    "/done": "finish",
    "/finish": "finish",
    "/hjälp": "help",
    "/hjalp": "help",
    "/help": "help",
    "/?": "help",
    "/svar": "answers",
    "/answers": "answers",
    "/stämmer": "confirm",
    "/stammer": "confirm",
    "/confirm": "confirm",
    "/rätta": "correct",
    "/ratta": "correct",
    "/correct": "correct",
}
# The spellings offered as suggestions, per language.
SHOWN = {
    "sv": ["/hoppa", "/tillbaka", "/ändra", "/klar", "/hjälp", "/svar", "/stämmer", "/rätta"],
    "en": ["/skip", "/back", "/edit", "/done", "/help", "/answers", "/confirm", "/correct"],
}
YES = {"ja", "j", "japp", "jajamen", "stämmer", "det stämmer", "ok", "okej", "yes", "y", "correct"}
NO = {"nej", "n", "no", "stämmer inte"}

_COMMAND = re.compile(r"^(?P<cmd>/(?:[^\W\d_]\S*|\?))(?:\s+(?P<rest>.*))?$", re.DOTALL)
_EDIT_ARGS = re.compile(r"^(?P<n>\d+)(?:\s+(?P<text>.*))?$", re.DOTALL)

HELP_TEXT = {
    "sv": (
        "Skriv ditt svar och tryck Enter. Ett inklistrat svar med flera rader blir ett svar;\n"
        "en ny rad skriver du med Alt+Enter (eller Esc, Enter). Kommandon:\n"
        "  /hoppa            hoppa över frågan (ett sparat svar behålls)\n"
        "  /tillbaka         gå tillbaka till förra frågan\n"
        "  /ändra N text     ersätt svaret på fråga N\n"
        "  /svar             visa dina svar\n"
        "  /stämmer          bekräfta listan med aktiviteter\n"
        "  /rätta lista      rätta listan med aktiviteter (en per rad)\n"
        "  /klar             avsluta (obesvarade frågor lämnas tomma)\n"
        "  /hjälp            visa den här hjälpen\n"
        "Ett svar som börjar med / skriver du med två: //text. Från en fil eller pipe\n"
        "slutar ett svar vid en tom rad, en rad med bara en punkt (.) eller ett kommando."
    ),
    "en": (
        "Type your answer and press Enter. A pasted answer of several lines is one answer;\n"
        "type a new line with Alt+Enter (or Esc, Enter). Commands:\n"
        "  /skip             skip the question (a saved answer is kept)\n"
        "  /back             go back to the previous question\n"
        "  /edit N text      replace your answer to question N\n"
        "  /answers          list your answers\n"
        "  /confirm          confirm the list of activities\n"
        "  /correct list     correct the list of activities (one per line)\n"
        "  /done             finish (unanswered questions stay empty)\n"
        "  /help             show this help\n"
        "To answer with text that starts with /, type two: //text. From a file or a pipe\n"
        "an answer ends at an empty line, a line with only a full stop (.) or a command."
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


def render_answer_sheet(sheet: list[AnswerLine], lang: str) -> str:
    """Every question with its answer (indented), for a manager who looks back."""
    lines: list[str] = []
    for item in sheet:
        lines.append(f"{item.number}. {item.question}")
        if item.answer is not None:
            lines.extend(f"   {line}" for line in item.answer.splitlines())
        else:
            key = "skipped" if item.status == "skipped" else "unanswered"
            lines.append(f"   {t(lang, f'console.sheet.{key}')}")
    return "\n".join(lines)


def parse_command(text: str) -> tuple[str, str] | None:
    """``(command as typed, the text after it)`` when ``text`` is a command, else None.

    A command is a ``/`` followed by a letter (or ``/?``); ``//text`` is an answer.
    """
    match = _COMMAND.match(text)
    if match is None:
        return None
    return match.group("cmd").lower(), (match.group("rest") or "").strip()


@dataclass
class ConsoleReply:
    """What the terminal should show after one line of input."""

    lines: list[str]
    done: bool
    outcome: Outcome | None = None


class ConsoleSession:
    """Translates typed answers and commands into service calls for one participation."""

    def __init__(
        self,
        services: Services,
        workspace: str,
        participation_id: int,
        lang: str = "sv",
        key_prefix: str | None = None,
    ) -> None:
        self.services = services
        self.workspace = workspace
        self.participation_id = participation_id
        self.lang = lang
        self._prefix = key_prefix or f"console:{uuid.uuid4().hex}"
        self._counter = itertools.count(1)
        # The activities question whose read-back list waits for "ja" or a corrected list.
        self._confirming: str | None = None
        self._awaiting_list = False
        self._finish_after_list = False

    def next_key(self) -> str:
        """A fresh message key for the next line (console messages have no platform id)."""
        return f"{self._prefix}:{self.participation_id}:{next(self._counter)}"

    @property
    def confirming(self) -> bool:
        """True while a read-back list of activities waits for confirmation or a correction."""
        return self._confirming is not None

    def opening(self) -> list[str]:
        """The current question; a manager who has finished sees their answers instead."""
        prompt = self.services.queries.current_prompt(self.workspace, self.participation_id)
        if prompt is not None:
            return [render_prompt(prompt)]
        sheet = self.services.queries.answer_sheet(self.workspace, self.participation_id)
        return [
            t(self.lang, "console.welcome_back"),
            render_answer_sheet(sheet, self.lang),
            t(self.lang, "console.sheet.howto"),
        ]

    def is_complete(self, first_line: str) -> bool:
        """Whether ``first_line`` is a whole input by itself (a command without text, or a
        yes to a read-back list), so a line-by-line reader need not wait for more lines."""
        text = first_line.strip()
        if self._confirming is not None and text.lower() in YES | NO:
            return True
        parsed = parse_command(text)
        if parsed is None:
            return False
        command, rest = parsed
        action = COMMANDS.get(command)
        if action == "edit":
            return _EDIT_ARGS.match(rest) is None
        return action != "correct"

    def handle(self, line: str, message_key: str | None = None) -> ConsoleReply:
        """Apply one input (a whole, possibly multi-line answer or a command);
        ``message_key`` lets callers replay an input deliberately."""
        key = message_key or self.next_key()
        text = line.strip()
        parsed = parse_command(text)
        if parsed is None and text.startswith("//"):
            text = text[1:]
        try:
            if self._confirming is not None:
                reply = self._about_list(text, parsed, key)
                if reply is not None:
                    return reply
            if parsed is None:
                return self._describe(
                    self.services.answering.reply(self.workspace, self.participation_id, text, key)
                )
            return self._command(parsed[0], parsed[1], key)
        except DialogError as err:
            return ConsoleReply([t(self.lang, err.key, **err.params)], False)

    # Commands ---------------------------------------------------------------------

    def _command(self, command: str, rest: str, key: str) -> ConsoleReply:
        action = COMMANDS.get(command)
        ws, pid = self.workspace, self.participation_id
        if action is None:
            return ConsoleReply([self._unknown(command)], False)
        if action == "help":
            return ConsoleReply([HELP_TEXT.get(self.lang, HELP_TEXT["sv"])], False)
        if action == "answers":
            sheet = self.services.queries.answer_sheet(ws, pid)
            return ConsoleReply(
                [t(self.lang, "console.your_answers"), render_answer_sheet(sheet, self.lang)], False
            )
        if action == "skip":
            before = self.services.queries.current_prompt(ws, pid)
            outcome = self.services.answering.skip(ws, pid, key)
            kept = before is not None and before.followup is None and before.previous_answer
            if kept and outcome.kind == "skipped" and before is not None:
                return self._describe(outcome, t(self.lang, "console.skip_kept", n=before.number))
            return self._describe(outcome)
        if action == "back":
            return self._describe(self.services.answering.back(ws, pid, key))
        if action == "finish":
            return self._describe(self.services.answering.finish(ws, pid, key))
        if action == "edit":
            return self._edit(command, rest, key)
        if action == "confirm":
            return self._list_done(self.services.activities.confirm_activities(ws, pid, key))
        if not rest:
            self._confirming = self._confirming or ""
            self._awaiting_list = True
            return ConsoleReply([t(self.lang, "console.correct_usage", command=command)], False)
        return self._list_done(
            self.services.activities.correct_activities(
                ws, pid, rest, key, self._confirming or None
            )
        )

    def _unknown(self, command: str) -> str:
        shown = SHOWN.get(self.lang, SHOWN["sv"])
        close = difflib.get_close_matches(command, shown, n=1, cutoff=0.5) or [
            alias for alias in difflib.get_close_matches(command, list(COMMANDS), n=1, cutoff=0.6)
        ]
        suggestion = t(self.lang, "console.did_you_mean", command=close[0]) if close else ""
        return t(self.lang, "console.unknown_command", command=command, suggestion=suggestion)

    def _edit(self, command: str, rest: str, key: str) -> ConsoleReply:
        args = _EDIT_ARGS.match(rest)
        total = self.services.queries.participant(self.workspace, self.participation_id).total
        usage = t(self.lang, "console.edit_usage", command=command, total=total)
        if args is None or not (args.group("text") or "").strip():
            return ConsoleReply([usage], False)
        try:
            outcome = self.services.answering.edit_question(
                self.workspace, self.participation_id, int(args.group("n")), args.group("text"), key
            )
        except InvalidInput:
            return ConsoleReply([usage], False)
        return self._describe(outcome)

    # The read-back list of activities -----------------------------------------------

    def _about_list(
        self, text: str, parsed: tuple[str, str] | None, key: str
    ) -> ConsoleReply | None:
        """Input while a read-back list waits; None lets the input be handled as usual
        (help and listings keep the list waiting, other commands leave it a proposal)."""
        ws, pid = self.workspace, self.participation_id
        action = COMMANDS.get(parsed[0]) if parsed else None
        if parsed is None and not self._awaiting_list and text.lower() in YES:
            action = "confirm"
        if action == "confirm":
            return self._list_done(self.services.activities.confirm_activities(ws, pid, key))
        if parsed is None and text.lower() in NO:
            self._awaiting_list = True
            return ConsoleReply([t(self.lang, "console.activities.write_list")], False)
        if parsed is None or (action == "correct" and parsed[1]):
            corrected = parsed[1] if parsed else text
            outcome = self.services.activities.correct_activities(
                ws, pid, corrected, key, self._confirming or None
            )
            return self._list_done(outcome)
        if action == "skip":
            return self._resume([t(self.lang, "console.activities.left")], None)
        if action in ("help", "answers", "correct") or action is None:
            return None
        self._clear_list()
        return None

    def _list_done(self, outcome: Outcome) -> ConsoleReply:
        lines = [render_activity_outcome_text(outcome, self.lang)]
        return self._resume([line for line in lines if line], outcome)

    def _resume(self, lines: list[str], outcome: Outcome | None) -> ConsoleReply:
        """Leave the read-back list and show where the conversation stands."""
        finish = self._finish_after_list
        self._clear_list()
        if outcome is not None and outcome.kind == "duplicate":
            return ConsoleReply(lines, False, outcome)
        prompt = (
            outcome.prompt
            if outcome is not None
            else self.services.queries.current_prompt(self.workspace, self.participation_id)
        )
        if prompt is not None:
            return ConsoleReply([*lines, render_prompt(prompt)], False, outcome)
        if finish:
            return ConsoleReply([*lines, t(self.lang, "finished")], True, outcome)
        return ConsoleReply(lines, False, outcome)

    def _clear_list(self) -> None:
        self._confirming = None
        self._awaiting_list = False
        self._finish_after_list = False

    # Outcomes ---------------------------------------------------------------------

    def _describe(self, outcome: Outcome, instead: str | None = None) -> ConsoleReply:
        lang = self.lang
        lines: list[str] = []
        if instead is not None:
            lines.append(instead)
        elif outcome.kind == "edited":
            lines.append(t(lang, "edited", n=outcome.question_number))
        elif outcome.kind == "skipped":
            lines.append(t(lang, "skipped"))
        elif outcome.kind == "already_finished":
            lines.append(t(lang, "console.already_finished"))
        elif outcome.kind == "answered":
            lines.append("✓ " + t(lang, "answered"))
        if outcome.kind == "duplicate":
            return ConsoleReply(lines, False, outcome)
        about_activities = render_activity_outcome_text(outcome, lang)
        if about_activities:
            lines.append(about_activities)
        if outcome.activities_to_confirm:
            self._confirming = outcome.question_key or ""
            self._awaiting_list = False
            self._finish_after_list = outcome.finished
            lines.append(t(lang, "console.activities.ask"))
            return ConsoleReply(lines, False, outcome)
        if outcome.kind in ("edited", "already_finished"):
            return ConsoleReply(lines, False, outcome)
        if outcome.prompt is not None:
            lines.append(render_prompt(outcome.prompt))
            return ConsoleReply(lines, False, outcome)
        lines.append(t(lang, "finished"))
        return ConsoleReply(lines, True, outcome)
