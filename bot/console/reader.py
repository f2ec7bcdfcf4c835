"""Reading a manager's input in `dialogbot chat`: whole answers, never line fragments.

In a terminal, :class:`TerminalReader` uses prompt_toolkit: Enter sends, a pasted text
(bracketed paste) is inserted whole with its line breaks, and Alt+Enter (or Esc, Enter)
types a line break. From a pipe or a file, :class:`PipeReader` reads a simple line
protocol: an answer is one or more lines and ends at an empty line, at a line with only
``.``, at a line that is a command by itself (``/hoppa``, ``/klar``, …; it is handled
next), or at the end of input. A command line takes effect at once; ``/ändra N`` and
``/rätta`` take the lines after them as their text.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Protocol, TextIO

from prompt_toolkit import PromptSession
from prompt_toolkit.input import Input
from prompt_toolkit.key_binding import KeyBindings, KeyPressEvent
from prompt_toolkit.output import Output

END_OF_ANSWER = "."


class InputReader(Protocol):
    """Where `dialogbot chat` gets the manager's input from."""

    def read_answer(self, is_complete: Callable[[str], bool]) -> str | None:
        """The next whole input (possibly several lines), or None at the end of input."""
        ...

    def read_line(self, label: str) -> str | None:
        """One line after showing ``label`` (a chat id, a choice), or None at the end."""
        ...


class PipeReader:
    """The line protocol for input that is not a terminal (see the module docstring)."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self._pushed_back: str | None = None

    def _line(self) -> str | None:
        if self._pushed_back is not None:
            line, self._pushed_back = self._pushed_back, None
            return line
        read = self.stream.readline()
        return None if read == "" else read.rstrip("\r\n")

    def read_answer(self, is_complete: Callable[[str], bool]) -> str | None:
        """Lines up to an empty line, a lone ``.`` or the end of input."""
        first = self._line()
        while first is not None and first.strip() in ("", END_OF_ANSWER):
            first = self._line()
        if first is None:
            return None
        if is_complete(first):
            return first
        lines = [first]
        while (line := self._line()) is not None and line.strip() not in ("", END_OF_ANSWER):
            if line.lstrip().startswith("/") and is_complete(line):
                self._pushed_back = line
                break
            lines.append(line)
        return "\n".join(lines)

    def read_line(self, label: str) -> str | None:
        """The next line (the label is not shown: nobody reads a pipe's prompts)."""
        return self._line()


class TerminalReader:
    """prompt_toolkit input: Enter sends, pastes stay whole, Alt+Enter breaks the line."""

    def __init__(self, input: Input | None = None, output: Output | None = None) -> None:
        bindings = KeyBindings()

        @bindings.add("escape", "enter")
        def _newline(event: KeyPressEvent) -> None:
            event.current_buffer.insert_text("\n")

        self._answers: PromptSession[str] = PromptSession(
            key_bindings=bindings, input=input, output=output, prompt_continuation="  "
        )
        self._lines: PromptSession[str] = PromptSession(input=input, output=output)

    def read_answer(self, is_complete: Callable[[str], bool]) -> str | None:
        """One answer as sent with Enter; None on Ctrl-D or Ctrl-C."""
        try:
            return self._answers.prompt("> ")
        except (EOFError, KeyboardInterrupt):
            return None

    def read_line(self, label: str) -> str | None:
        """One line after ``label``; None on Ctrl-D or Ctrl-C."""
        try:
            return self._lines.prompt(f"{label}: ")
        except (EOFError, KeyboardInterrupt):
            return None


def default_reader() -> InputReader:
    """prompt_toolkit in a terminal, the line protocol otherwise."""
    if sys.stdin.isatty() and sys.stdout.isatty():
        return TerminalReader()
    return PipeReader(sys.stdin)
