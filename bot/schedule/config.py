"""The annual schedule (årsschema) of an organisation, as validated configuration.

A schedule is YAML like::

    timezone: Europe/Stockholm      # optional, default Europe/Stockholm
    send_hour: 9                    # local hour for starts and reminders, default 9
    deadline_hour: 17               # local hour at which deadlines fall, default 17
    country: SE                     # holiday calendar, default SE
    reminders: [P7D, P2D, P0D]      # or "7d", "2d", "0d": days before the deadline
    rounds:
      - key: avstamning-t1
        template: avstamning
        name: "Avstämningsdialog nämnd ↔ förvaltning (tertial 1)"
        answering_level: forvaltning
        receiving_level: namnd
        rrule: "FREQ=YEARLY;BYMONTH=5;BYDAY=1MO"
        deadline: 14d
        anonymous: false

Load it with :func:`load_schedule`; any problem raises
:class:`~bot.schedule.errors.ScheduleError` naming the file, the field path and
what was expected.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from functools import cached_property
from importlib import resources
from pathlib import Path
from typing import Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dateutil.rrule import rrule, rrulestr
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from bot.domain.org_problems import Term
from bot.domain.safe_yaml import UserFileError, load_yaml, read_user_file
from bot.schedule.calendar import (
    DEFAULT_COUNTRY,
    DEFAULT_END_HOUR,
    DEFAULT_SEND_HOUR,
    DEFAULT_TIMEZONE,
    validate_country,
)
from bot.schedule.errors import DOCUMENT, ScheduleError, ScheduleIssue, ScheduleProblem
from bot.schedule.preset import PRESET_FILENAME
from bot.schedule.preset import preset_path as preset_path
from bot.schedule.recurrence import never_fires

MAX_SCHEDULE_BYTES = 256 * 1024
"""Largest schedule file accepted (the preset is about 3 KB)."""

MAX_DEADLINE_DAYS = 365
"""Longest allowed time between the start of a round and its deadline."""

_SLUG = r"^[a-z0-9][a-z0-9_-]*$"
_SHORT_DURATION = re.compile(r"^(\d+)\s*([dw])$", re.IGNORECASE)
_ISO_DURATION = re.compile(r"^P(?:(\d+)W|(\d+)D|(\d+)W(\d+)D)$", re.IGNORECASE)
_RRULE_RANGES = {  # name: (negative values allowed, largest absolute value)
    "BYMONTH": (False, 12),
    "BYMONTHDAY": (True, 31),
    "BYYEARDAY": (True, 366),
    "BYWEEKNO": (True, 53),
    "BYSETPOS": (True, 366),
    "INTERVAL": (False, 366),
}
_ALLOWED_FREQS = {"YEARLY", "MONTHLY", "WEEKLY", "DAILY"}
_FORBIDDEN_RRULE_PARTS = {  # part: message key of why it is refused
    "DTSTART": "schedule.problem.rrule_dtstart",
    "COUNT": "schedule.problem.rrule_count",
    "BYHOUR": "schedule.problem.rrule_time_of_day",
    "BYMINUTE": "schedule.problem.rrule_time_of_day",
    "BYSECOND": "schedule.problem.rrule_time_of_day",
    "BYEASTER": "schedule.problem.rrule_byeaster",
}


def _bad_rrule(value: object, reason: str, **params: object) -> ScheduleProblem:
    return ScheduleProblem("schedule.problem.rrule", value=repr(value), reason=Term(reason, params))


def parse_days(value: object) -> int:
    """Parse a duration in whole days.

    Accepts ``"14d"``, ``"2w"``, ISO 8601 ``"P14D"``/``"P2W"``/``"P1W3D"`` and
    plain non-negative integers (days).

    Args:
        value: The raw configuration value.

    Returns:
        The number of days.

    Raises:
        ValueError: If the value is not such a duration.
    """
    if isinstance(value, bool):
        raise ScheduleProblem("schedule.problem.duration", value=repr(value))
    if isinstance(value, int):
        if value < 0:
            raise ScheduleProblem("schedule.problem.duration_negative", value=repr(value))
        return value
    if not isinstance(value, str):
        raise ScheduleProblem("schedule.problem.duration", value=repr(value))
    text = value.strip()
    short = _SHORT_DURATION.match(text)
    if short:
        amount = int(short.group(1))
        return amount * 7 if short.group(2).lower() == "w" else amount
    iso = _ISO_DURATION.match(text)
    if iso:
        weeks_only, days_only, weeks, days = iso.groups()
        if weeks_only is not None:
            return int(weeks_only) * 7
        if days_only is not None:
            return int(days_only)
        return int(weeks) * 7 + int(days)
    raise ScheduleProblem("schedule.problem.duration", value=repr(value))


def _normalise_rrule(value: object) -> str:
    """Validate RFC 5545 recurrence-rule text and return it without an ``RRULE:`` prefix."""
    if not isinstance(value, str) or not value.strip():
        raise _bad_rrule(value, "schedule.problem.rrule_expected")
    text = value.strip()
    if text.upper().startswith("RRULE:"):
        text = text[len("RRULE:") :].strip()
    if "\n" in text or ":" in text:
        raise _bad_rrule(value, "schedule.problem.rrule_one_line")
    parts = dict(
        (name.strip().upper(), val.strip().upper())
        for name, _, val in (part.partition("=") for part in text.split(";") if part.strip())
    )
    names = set(parts)
    for name, reason in _FORBIDDEN_RRULE_PARTS.items():
        if name in names:
            raise _bad_rrule(value, reason, part=name)
    if parts.get("UNTIL", "").endswith("Z"):
        raise _bad_rrule(value, "schedule.problem.rrule_until_z")
    for name, (signed, high) in _RRULE_RANGES.items():
        for item in filter(None, (piece.strip() for piece in parts.get(name, "").split(","))):
            try:
                number = int(item)
            except ValueError:
                continue  # left to dateutil's own parser below
            if not (1 <= abs(number) <= high and (signed or number > 0)):
                expected = f"±1..{high}" if signed else f"1..{high}"
                raise _bad_rrule(
                    value, "schedule.problem.rrule_range", name=name, item=item, expected=expected
                )
    try:
        rule = rrulestr(text, dtstart=datetime(2000, 1, 1))
    except (ValueError, TypeError, KeyError, IndexError, AttributeError) as exc:
        raise _bad_rrule(value, "schedule.problem.rrule_parse", detail=str(exc)) from exc
    if not isinstance(rule, rrule):  # pragma: no cover - rrulestr returns rrule for one line
        raise _bad_rrule(value, "schedule.problem.rrule_single")
    if parts.get("FREQ") not in _ALLOWED_FREQS:
        raise _bad_rrule(value, "schedule.problem.rrule_freq")
    if never_fires(text):
        raise _bad_rrule(value, "schedule.problem.rrule_never")
    return text


def _normalise_timezone(value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ScheduleProblem("schedule.problem.timezone", value=repr(value))
    name = value.strip()
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ScheduleProblem("schedule.problem.timezone", value=repr(name)) from exc
    return name


def _normalise_reminders(value: object) -> object:
    if isinstance(value, list | tuple):
        return tuple(value)
    raise ScheduleProblem("schedule.problem.reminders", value=repr(value))


Days = Annotated[int, BeforeValidator(parse_days)]
"""A duration in whole calendar days, parsed by :func:`parse_days`."""


class RoundConfig(BaseModel):
    """One recurring dialog round of the annual schedule.

    Attributes:
        key: Stable identifier of the round within the schedule (slug).
        template: Key of the dialog template (``planering``, ``avstamning``, ...).
        name: Human-readable name, shown to participants (Swedish).
        answering_level: Level key of the units whose managers answer.
        receiving_level: Level key of the group that receives the summary.
        rrule: RFC 5545 recurrence rule (one ``RRULE`` line, no ``DTSTART``);
            each occurrence's date is the nominal start date.
        deadline: Calendar days from the start to the deadline.
        anonymous: Whether answers are collected anonymously.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    key: str = Field(pattern=_SLUG, max_length=64)
    template: str = Field(pattern=_SLUG, max_length=64)
    name: str = Field(min_length=1, max_length=200)
    answering_level: str = Field(pattern=_SLUG, max_length=64)
    receiving_level: str = Field(pattern=_SLUG, max_length=64)
    rrule: Annotated[str, BeforeValidator(_normalise_rrule)]
    deadline: Annotated[Days, Field(ge=1, le=MAX_DEADLINE_DAYS)]
    anonymous: bool = False

    @field_validator("name")
    @classmethod
    def _strip_name(cls, value: str) -> str:
        stripped = value.strip()
        if not stripped:
            raise ScheduleProblem("schedule.problem.name_empty")
        return stripped

    @model_validator(mode="after")
    def _levels_differ(self) -> RoundConfig:
        if self.answering_level == self.receiving_level:
            raise ScheduleProblem("schedule.problem.same_levels", level=repr(self.answering_level))
        return self


class AnnualSchedule(BaseModel):
    """An organisation's annual schedule (årsschema).

    Attributes:
        timezone: IANA time zone in which all wall-clock reasoning happens.
        country: ISO country code of the holiday calendar.
        send_hour: Local hour at which rounds start and reminders are sent.
        deadline_hour: Local hour on the deadline day at which answers are due
            (end of the business day).
        reminders: Days before the deadline at which reminders go out; ``0``
            is the morning of the deadline day.
        rounds: The recurring rounds.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    timezone: Annotated[str, BeforeValidator(_normalise_timezone)] = DEFAULT_TIMEZONE
    country: str = DEFAULT_COUNTRY
    send_hour: int = Field(default=DEFAULT_SEND_HOUR, ge=0, le=23)
    deadline_hour: int = Field(default=DEFAULT_END_HOUR, ge=1, le=23)
    reminders: Annotated[
        tuple[Annotated[Days, Field(le=MAX_DEADLINE_DAYS)], ...],
        BeforeValidator(_normalise_reminders),
    ] = (7, 2, 0)
    rounds: tuple[RoundConfig, ...] = ()

    @field_validator("country")
    @classmethod
    def _known_country(cls, value: str) -> str:
        try:
            return validate_country(value)
        except ValueError:
            raise ScheduleProblem("schedule.problem.country", value=repr(value)) from None

    @field_validator("rounds")
    @classmethod
    def _unique_keys(cls, rounds: tuple[RoundConfig, ...]) -> tuple[RoundConfig, ...]:
        seen: set[str] = set()
        for item in rounds:
            if item.key in seen:
                raise ScheduleProblem("schedule.problem.duplicate_key", name=repr(item.key))
            seen.add(item.key)
        return rounds

    @model_validator(mode="after")
    def _hours_in_order(self) -> AnnualSchedule:
        if self.send_hour >= self.deadline_hour:
            raise ScheduleProblem(
                "schedule.problem.hours_order", send=self.send_hour, deadline=self.deadline_hour
            )
        return self

    @cached_property
    def tz(self) -> ZoneInfo:
        """The schedule's time zone as a ``ZoneInfo``."""
        return ZoneInfo(self.timezone)

    def round(self, key: str) -> RoundConfig:
        """Return the round with ``key``.

        Args:
            key: The round key.

        Returns:
            The round configuration.

        Raises:
            KeyError: If no round has that key.
        """
        for item in self.rounds:
            if item.key == key:
                return item
        raise KeyError(key)


def _field_path(loc: tuple[int | str, ...]) -> str:
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        elif part.startswith("function-") or part in {"tuple[...]"}:
            continue
        else:
            path += f".{part}" if path else part
    return path or DOCUMENT


def _allowed_fields(model: type[BaseModel]) -> str:
    return ", ".join(model.model_fields)


_PYDANTIC_KEYS = {  # pydantic error type: (message key, the ctx values it shows)
    "missing": ("schedule.problem.missing", ()),
    "string_pattern_mismatch": ("schedule.problem.key_pattern", ()),
    "greater_than_equal": ("schedule.problem.at_least", ("ge",)),
    "less_than_equal": ("schedule.problem.at_most", ("le",)),
    "string_too_short": ("schedule.problem.too_short", ("min_length",)),
    "string_too_long": ("schedule.problem.too_long", ("max_length",)),
    "int_type": ("schedule.problem.not_int", ()),
    "int_parsing": ("schedule.problem.not_int", ()),
    "int_from_float": ("schedule.problem.not_int", ()),
    "bool_type": ("schedule.problem.not_bool", ()),
    "bool_parsing": ("schedule.problem.not_bool", ()),
    "string_type": ("schedule.problem.not_text", ()),
    "tuple_type": ("schedule.problem.not_list", ()),
    "model_type": ("schedule.problem.not_a_mapping", ()),
}


def _issue_message(error: Mapping[str, Any]) -> tuple[str, dict[str, object]]:
    """The message key and parameters of one pydantic error."""
    kind = error.get("type", "")
    loc = tuple(error.get("loc", ()))
    ctx = error.get("ctx") or {}
    problem = ctx.get("error")
    if isinstance(problem, ScheduleProblem):
        return problem.key, dict(problem.params)
    if kind == "extra_forbidden":
        model: type[BaseModel] = RoundConfig if "rounds" in loc else AnnualSchedule
        return "schedule.problem.unknown_field", {"fields": _allowed_fields(model)}
    key, shown = _PYDANTIC_KEYS.get(kind, ("schedule.problem.other", ()))
    params: dict[str, object] = {name: ctx.get(name) for name in shown}
    if key == "schedule.problem.other":
        params["detail"] = str(error.get("msg", "invalid value"))
    shows_input = kind != "missing" and "input" in error
    params["got"] = (
        Term("schedule.problem.got", {"value": repr(error["input"])}) if shows_input else ""
    )
    return key, params


def parse_schedule(data: object, source: str = "<schedule>") -> AnnualSchedule:
    """Validate already-parsed YAML/JSON data as an annual schedule.

    Args:
        data: The parsed document (a mapping).
        source: Name used in error messages, usually the file path.

    Returns:
        The validated schedule.

    Raises:
        ScheduleError: If the data is not a valid schedule.
    """
    if data is None:
        raise ScheduleError.single(source, DOCUMENT, "schedule.problem.empty")
    if not isinstance(data, Mapping):
        raise ScheduleError.single(
            source, DOCUMENT, "schedule.problem.not_mapping", kind=type(data).__name__
        )
    try:
        return AnnualSchedule.model_validate(data)
    except ValidationError as exc:
        issues = [
            ScheduleIssue(_field_path(tuple(err["loc"])), *_issue_message(err))
            for err in exc.errors(include_url=False)
        ]
        raise ScheduleError(source, issues) from None


def load_schedule_text(text: str, source: str = "<schedule>") -> AnnualSchedule:
    """Parse and validate schedule YAML given as text.

    Args:
        text: The YAML document.
        source: Name used in error messages, usually the file path.

    Returns:
        The validated schedule.

    Raises:
        ScheduleError: If the text is not valid YAML or not a valid schedule.
    """
    try:
        data = load_yaml(text)
    except UserFileError as exc:
        raise ScheduleError.single(source, DOCUMENT, exc.key, **exc.params) from None
    return parse_schedule(data, source)


def load_schedule(path: str | Path) -> AnnualSchedule:
    """Load and validate an annual schedule from a YAML file.

    Args:
        path: The file to read.

    Returns:
        The validated schedule.

    Raises:
        ScheduleError: If the file cannot be read, is not valid YAML, or is not
            a valid schedule. The message names the file, the field path (e.g.
            ``rounds[2].rrule``) and what was expected.
    """
    file = Path(path)
    try:
        text = read_user_file(file, MAX_SCHEDULE_BYTES)
    except UserFileError as exc:
        raise ScheduleError.single(str(file), DOCUMENT, exc.key, **exc.params) from None
    return load_schedule_text(text, str(file))


def load_preset() -> AnnualSchedule:
    """Load the bundled årsschema preset (the schedule of the governance model).

    Returns:
        The validated preset schedule.
    """
    text = resources.files("bot.schedule").joinpath(PRESET_FILENAME).read_text(encoding="utf-8")
    return load_schedule_text(text, PRESET_FILENAME)
