"""Commands: what an adapter asks the services to do, parsed once per adapter and checked
here, in one place, whichever adapter built them (Slack command text, the start modal,
the command line, the scheduler)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.domain.errors import InvalidInput, TextTooLong
from bot.domain.text_input import REF_MAX, TITLE_MAX, clean_text
from bot.input_errors import DeadlineInPast

LANGS = ("sv", "en")
DELIVERIES = ("channel", "dm")


class MissingField(InvalidInput):
    """A command without a value it cannot do without (``field``: ``template`` or
    ``units``); an adapter with a form shows it under that field."""

    def __init__(self, field: str) -> None:
        super().__init__(field)
        self.field = field


@dataclass(frozen=True)
class StartRound:
    """Command: start a dialog round. Constructing one checks everything that needs no
    database (:class:`MissingField`, :class:`~bot.domain.errors.InvalidInput`,
    :class:`~bot.domain.errors.TextTooLong`); :meth:`checked` adds the deadline, which needs the
    time. Whether the template, units and level exist is checked against the catalogue
    and the organisation when the round starts.

    Attributes:
        template: template key, e.g. ``avstamning``.
        units: unit keys or names; with ``subtrees`` each brings every unit below it.
        group_ref: where the receiving group is reached (a channel id, or any label).
        level: only units on this level answer (e.g. ``enhet``); None keeps all.
        subtrees: include units below the named ones.
        deadline_at: aware datetime, or None for no deadline.
        anonymous: answers are pooled without names or units (see :mod:`bot.domain.anonymity`),
            always delivered by DM (``delivery`` becomes ``dm``), and every link to
            people is erased at close.
        lang: ``sv`` or ``en`` for prompts and summaries.
        started_by: chat id of the person starting it (role checked), None for the operator.
        title: shown in announcements; derived from template and units when empty.
        delivery: ``channel`` (a thread per participant) or ``dm`` (forced for anonymous).
        external_key: idempotency key; starting twice with it returns the first round.
    """

    template: str
    units: Sequence[str]
    group_ref: str
    level: str | None = None
    subtrees: bool = True
    deadline_at: datetime | None = None
    anonymous: bool = False
    lang: str = "sv"
    started_by: str | None = None
    title: str = ""
    delivery: str = "channel"
    external_key: str | None = None

    def __post_init__(self) -> None:
        template = self.template.strip()
        if not template:
            raise MissingField("template")
        units = tuple(ref.strip() for ref in self.units if ref.strip())
        if not units:
            raise MissingField("units")
        if self.lang not in LANGS:
            raise InvalidInput(f"lang={self.lang}")
        if self.delivery not in DELIVERIES:
            raise InvalidInput(f"delivery={self.delivery}")
        typed_title = clean_text(self.title).strip()
        if len(typed_title) > TITLE_MAX:
            raise TextTooLong("title", len(typed_title), TITLE_MAX)
        if len(self.group_ref) > REF_MAX:
            raise TextTooLong("group", len(self.group_ref), REF_MAX)
        if self.deadline_at is not None and self.deadline_at.tzinfo is None:
            raise InvalidInput("deadline (no time zone)")
        level = self.level.strip() if self.level is not None else None
        object.__setattr__(self, "template", template)
        object.__setattr__(self, "units", units)
        object.__setattr__(self, "level", level or None)
        object.__setattr__(self, "title", typed_title)
        if self.anonymous:
            # Answering in a thread of the group's channel would show who said what.
            object.__setattr__(self, "delivery", "dm")

    def checked(self, now: datetime, tz: str) -> StartRound:
        """This command, refused with :class:`~bot.input_errors.DeadlineInPast` (the
        local time in ``tz``) when its deadline is not after ``now``."""
        if self.deadline_at is not None and self.deadline_at <= now:
            local = self.deadline_at.astimezone(ZoneInfo(tz)).strftime("%Y-%m-%d %H:%M")
            raise DeadlineInPast(local, self.deadline_at)
        return self


def start_payload(cmd: StartRound) -> dict[str, Any]:
    """``cmd`` as JSON-compatible data (a job's payload); :func:`start_from_payload`
    reads it back."""
    return {
        "template": cmd.template,
        "units": list(cmd.units),
        "group_ref": cmd.group_ref,
        "level": cmd.level,
        "subtrees": cmd.subtrees,
        "deadline_at": None if cmd.deadline_at is None else cmd.deadline_at.isoformat(),
        "anonymous": cmd.anonymous,
        "lang": cmd.lang,
        "started_by": cmd.started_by,
        "title": cmd.title,
        "delivery": cmd.delivery,
        "external_key": cmd.external_key,
    }


def start_from_payload(data: Mapping[str, Any]) -> StartRound:
    """The :class:`StartRound` that :func:`start_payload` stored (checked again as it is
    built)."""
    deadline = data.get("deadline_at")
    level = data.get("level")
    started_by = data.get("started_by")
    key = data.get("external_key")
    return StartRound(
        template=str(data["template"]),
        units=[str(u) for u in data["units"]],
        group_ref=str(data.get("group_ref") or ""),
        level=None if level is None else str(level),
        subtrees=bool(data.get("subtrees", True)),
        deadline_at=None if deadline is None else datetime.fromisoformat(str(deadline)),
        anonymous=bool(data.get("anonymous", False)),
        lang=str(data.get("lang") or "sv"),
        started_by=None if started_by is None else str(started_by),
        title=str(data.get("title") or ""),
        delivery=str(data.get("delivery") or "channel"),
        external_key=None if key is None else str(key),
    )
