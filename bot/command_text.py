"""Parsing of the dialog command text (``dialog start …``), shared by every chat platform:
quote-aware, Swedish and English keys. How a channel is written is the platform's business
(a parser passed to :func:`parse_start`)."""

from __future__ import annotations

import shlex
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from bot.domain.commands import StartRound
from bot.domain.errors import InvalidInput
from bot.domain.templates import normalize_key
from bot.domain.text_input import parse_id
from bot.domain.timeparse import parse_deadline

#: Sub-command words (Swedish and English) mapped to the canonical action.
ACTIONS = {
    "start": "start",
    "starta": "start",
    "status": "status",
    "remind": "remind",
    "paminn": "remind",
    "påminn": "remind",
    "close": "close",
    "stang": "close",
    "stäng": "close",
    "mina": "mine",
    "mine": "mine",
    "help": "help",
    "hjalp": "help",
    "hjälp": "help",
    "aktiviteter": "activities",
    "activities": "activities",
    "export": "export",
    "exportera": "export",
    "frånvaro": "absence",
    "franvaro": "absence",
    "absence": "absence",
}

#: Unit keys: which level answers below the named units (None: the whole subtree).
UNIT_KEYS: dict[str, str | None] = {
    "units": None,
    "enheter": "enhet",
    "avdelningar": "avdelning",
    "forvaltningar": "forvaltning",
}

_QUOTES = str.maketrans({"“": '"', "”": '"', "„": '"', "’": "'", "‘": "'"})
_YES = {"ja", "yes", "true", "1", "j", "y"}
_NO = {"nej", "no", "false", "0", "n"}


@dataclass(frozen=True)
class Command:
    """A slash command split into its action and the rest of the text."""

    action: str
    rest: str


@dataclass(frozen=True)
class StartArgs:
    """What ``/dialog start …`` asked for."""

    template: str
    units: list[str]
    level: str | None
    channel: str | None
    deadline_at: datetime | None
    anonymous: bool = False
    lang: str | None = None
    delivery: str = "channel"
    title: str = ""
    extra: dict[str, str] = field(default_factory=dict)

    def command(
        self,
        *,
        channel_here: str | None,
        lang: str,
        started_by: str,
        external_key: str,
        delivery: str | None = None,
    ) -> StartRound:
        """The start command: in ``kanal:`` or else ``channel_here`` (the group channel it
        was typed in; None in a private chat), in ``lang:`` or else ``lang``."""
        channel = self.channel or channel_here
        if not channel:
            raise InvalidInput("kanal:")
        return StartRound(
            template=self.template,
            units=self.units,
            group_ref=channel,
            level=self.level,
            subtrees=True,
            deadline_at=self.deadline_at,
            anonymous=self.anonymous,
            lang=self.lang or lang,
            started_by=started_by,
            title=self.title,
            delivery=delivery or self.delivery,
            external_key=external_key,
        )


def split_command(text: str) -> Command:
    """The action word and the rest; unknown or empty text means ``help``."""
    stripped = text.strip()
    word, _, rest = stripped.partition(" ")
    action = ACTIONS.get(word.lower())
    if action is None:
        return Command("help", stripped)
    return Command(action, rest.strip())


def parse_round_id(text: str) -> int | None:
    """An optional round number (``7`` or ``#7``) after status/remind/close."""
    if not text.strip().lstrip("#"):
        return None
    return parse_id(text, "round")


def parse_bool(value: str) -> bool:
    """``ja``/``nej`` (and English) as a boolean."""
    lowered = value.strip().lower()
    if lowered in _YES:
        return True
    if lowered in _NO:
        return False
    raise InvalidInput(f"{value!r} (ja/nej)")


def _tokens(text: str) -> list[str]:
    lexer = shlex.shlex(text.translate(_QUOTES), posix=True)
    lexer.whitespace_split = True
    lexer.commenters = ""
    try:
        return list(lexer)
    except ValueError as err:  # an unclosed quote
        raise InvalidInput(f"{text!r}: {err}") from None


def _split_units(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


def parse_start(text: str, tz: str, parse_channel: Callable[[str], str]) -> StartArgs:
    """Parse the text after ``start``.

    Example: ``avstamning enheter:"Socialförvaltningen" kanal:<#C1|ledning>
    deadline:2027-05-15 anonym:ja lang:en leverans:dm``. The first word without a colon
    is the template (or ``mall:``/``template:``); ``kanal:`` goes through
    ``parse_channel`` (the platform's channel syntax). ``enheter:"X"`` means the units on
    level *enhet* within X's subtree, ``avdelningar:``/``forvaltningar:`` likewise, and
    ``units:"X"`` all of X's subtree. Several units are separated by commas.
    """
    template: str | None = None
    units: list[str] = []
    level: str | None = None
    channel: str | None = None
    deadline: datetime | None = None
    anonymous = False
    lang: str | None = None
    delivery = "channel"
    title = ""
    for token in _tokens(text):
        key, sep, value = token.partition(":")
        if not sep:
            if template is None:
                template = token
                continue
            raise InvalidInput(token)
        name = normalize_key(key)
        if name in UNIT_KEYS:
            wanted = UNIT_KEYS[name]
            if units and wanted != level:
                raise InvalidInput(f"{key}: (one unit level per round)")
            level = wanted
            units.extend(_split_units(value))
        elif name in ("mall", "template"):
            template = value
        elif name in ("kanal", "channel"):
            channel = parse_channel(value)
        elif name in ("deadline", "sista_dag", "sistadag"):
            deadline = parse_deadline(value, tz)
        elif name in ("anonym", "anonymous"):
            anonymous = parse_bool(value)
        elif name in ("lang", "sprak", "language"):
            lang = value.strip().lower()
            if lang not in ("sv", "en"):
                raise InvalidInput(f"lang:{value} (sv/en)")
        elif name in ("leverans", "delivery"):
            lowered = value.strip().lower()
            if lowered in ("dm", "direkt", "direktmeddelande"):
                delivery = "dm"
            elif lowered in ("kanal", "channel", "trad", "tråd", "thread"):
                delivery = "channel"
            else:
                raise InvalidInput(f"leverans:{value} (kanal/dm)")
        elif name in ("titel", "title"):
            title = value.strip()
        else:
            raise InvalidInput(f"{key}:")
    if not template:
        raise InvalidInput('mall (t.ex. /dialog start avstamning enheter:"…")')
    if not units:
        raise InvalidInput('enheter:"…" / units:"…"')
    return StartArgs(template, units, level, channel, deadline, anonymous, lang, delivery, title)
