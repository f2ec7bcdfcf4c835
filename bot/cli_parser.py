"""The command line's argument parser, speaking the language of the run.

argparse writes its usage line and its errors in English. :class:`LocalisedParser`
(every sub-command's parser is one too) prints them through :mod:`bot.i18n` in the
language of the run: ``--lang`` when the command line has it, else the configured
language (``DIALOGBOT_LANG``, Swedish by default). argparse's own messages are matched
by their English wording (the few a user meets: a missing, unknown or ill-typed
argument); anything else is passed on as argparse wrote it. Help texts stay English.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from typing import IO, NoReturn

from bot.config import current
from bot.i18n import t

LANGUAGES = ("sv", "en")
_LANG: ContextVar[str | None] = ContextVar("dialogbot_cli_lang", default=None)

#: argparse's messages (Python 3.11) and the text that says the same: (pattern, key).
_MESSAGES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern, re.S), key)
    for pattern, key in (
        (r"the following arguments are required: (?P<names>.*)", "cli.argparse.required"),
        (r"unrecognized arguments: (?P<names>.*)", "cli.argparse.unrecognized"),
        (r"invalid choice: (?P<value>.*) \(choose from (?P<choices>.*)\)", "cli.argparse.choice"),
        (r"invalid (?P<type>\w+) value: (?P<value>.*)", "cli.argparse.type"),
        (r"expected one argument", "cli.argparse.one"),
        (r"expected at least one argument", "cli.argparse.at_least_one"),
        (r"not allowed with argument (?P<other>.*)", "cli.argparse.not_with"),
        (r"one of the arguments (?P<names>.*) is required", "cli.argparse.one_of"),
        (
            r"ambiguous option: (?P<option>\S+) could match (?P<matches>.*)",
            "cli.argparse.ambiguous",
        ),
    )
)
_ARGUMENT = re.compile(r"argument (?P<argument>[^:]+): (?P<message>.*)", re.S)


def cli_language() -> str:
    """The language of the command being parsed (``--lang``, else the configured one)."""
    return _LANG.get() or current().lang


def language_of(argv: Sequence[str], default: str) -> str:
    """The value of ``--lang`` in ``argv`` when it is a known language, else ``default``."""
    lang = default
    for i, word in enumerate(argv):
        if word == "--":
            break
        if word == "--lang" and i + 1 < len(argv):
            lang = argv[i + 1] if argv[i + 1] in LANGUAGES else lang
        elif word.startswith("--lang="):
            value = word.partition("=")[2]
            lang = value if value in LANGUAGES else lang
    return lang


@contextmanager
def speaking(lang: str) -> Iterator[None]:
    """Parse in ``lang`` while the block runs."""
    token = _LANG.set(lang)
    try:
        yield
    finally:
        _LANG.reset(token)


def argument_error(key: str, **params: object) -> argparse.ArgumentTypeError:
    """A refusal of an argument's value, told in the language of the run."""
    return argparse.ArgumentTypeError(t(cli_language(), key, **params))


def translate(message: str, lang: str) -> str:
    """One of argparse's error messages in ``lang`` (unknown ones as they are)."""
    argument = _ARGUMENT.fullmatch(message)
    if argument is not None:
        inner = translate(argument["message"], lang)
        return t(lang, "cli.argparse.argument", argument=argument["argument"], message=inner)
    for pattern, key in _MESSAGES:
        found = pattern.fullmatch(message)
        if found is not None:
            return t(lang, key, **found.groupdict())
    return message


class LocalisedParser(argparse.ArgumentParser):
    """An :class:`argparse.ArgumentParser` whose usage line and errors follow the
    language of the run (:func:`cli_language`)."""

    def format_usage(self) -> str:
        return self._localised(super().format_usage())

    def format_help(self) -> str:
        return self._localised(super().format_help())

    def _localised(self, text: str) -> str:
        prefix = "usage: "
        if text.startswith(prefix):
            return t(cli_language(), "cli.argparse.usage") + " " + text[len(prefix) :]
        return text

    def error(self, message: str) -> NoReturn:
        lang = cli_language()
        stderr: IO[str] = sys.stderr
        self.print_usage(stderr)
        text = t(lang, "cli.argparse.error", prog=self.prog, message=translate(message, lang))
        self.exit(2, text + "\n")
