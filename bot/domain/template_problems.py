"""Template validation problems in words a process support understands, in sv and en.

pydantic reports ``questions.1.text.sv`` and "Tuple should have at least 1 item"; a
template author reads "question 2 (hur_gar_det), the Swedish text (sv): is missing".
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from bot.i18n import t

#: Fields of a template and of a question, as the README names them.
FIELDS = frozenset(
    {
        "key",
        "version",
        "phase",
        "name",
        "overarching_question",
        "description",
        "questions",
        "activity_followup",
        "text",
        "hint",
        "kind",
        "refers_to",
        "context_scope",
    }
)


@dataclass(frozen=True)
class Problem:
    """One problem: where (path in the file) and what (a message key and its parameters)."""

    key: str
    params: Mapping[str, object] = field(default_factory=dict)
    where: tuple[int | str, ...] = ()
    question_keys: tuple[str, ...] = ()

    def render(self, lang: str) -> str:
        """The problem as one line in ``lang``."""
        what = t(lang, self.key, **self.params)
        place = describe_place(self.where, self.question_keys, lang)
        return f"{place}: {what}" if place else what


def describe_place(loc: Sequence[int | str], question_keys: Sequence[str], lang: str) -> str:
    """``('questions', 1, 'text', 'sv')`` as "question 2 (hur_gar_det), field text, Swedish"."""
    parts: list[str] = []
    items = list(loc)
    i = 0
    while i < len(items):
        part = items[i]
        nxt = items[i + 1] if i + 1 < len(items) else None
        if part == "questions" and isinstance(nxt, int):
            qkey = question_keys[nxt] if nxt < len(question_keys) else ""
            label = t(lang, "template.place.question", n=nxt + 1)
            parts.append(f"{label} ({qkey})" if qkey else label)
            i += 2
            continue
        if part == "refers_to" and isinstance(nxt, int):
            parts.append(t(lang, "template.place.reference", n=nxt + 1))
            i += 2
            continue
        if part in ("sv", "en") and i == len(items) - 1 and i > 0:
            parts.append(t(lang, f"template.place.{part}"))
        elif isinstance(part, str) and part in FIELDS:
            parts.append(t(lang, "template.place.field", name=part))
        elif isinstance(part, int):
            parts.append(t(lang, "template.place.item", n=part + 1))
        else:
            parts.append(t(lang, "template.place.field", name=str(part)))
        i += 1
    return ", ".join(parts)


def _allowed(pattern: str) -> str:
    return "a–z, 0–9, _, -" if "-" in pattern else "a–z, 0–9, _"


def from_pydantic(error: Mapping[str, Any], data: object) -> Problem:
    """A :class:`Problem` from one of pydantic's ``ValidationError.errors()``."""
    loc = tuple(error["loc"])
    kind = error["type"]
    ctx = error.get("ctx") or {}
    value = error.get("input")
    keys = question_keys(data)
    if kind == "extra_forbidden":
        return Problem("template.problem.unknown_field", {}, loc, keys)
    if kind == "missing":
        return Problem("template.problem.missing", {}, loc, keys)
    if kind in ("too_short", "string_too_short"):
        return Problem("template.problem.too_short", {"n": ctx.get("min_length", 1)}, loc, keys)
    if kind in ("too_long", "string_too_long"):
        return Problem("template.problem.too_long", {"n": ctx.get("max_length", 0)}, loc, keys)
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return Problem("template.problem.whole_number", {"value": value}, loc, keys)
    if kind == "greater_than_equal":
        return Problem("template.problem.at_least", {"n": ctx.get("ge")}, loc, keys)
    if kind == "literal_error":
        expected = str(ctx.get("expected", "")).replace("'", "").replace(" or ", ", ")
        return Problem("template.problem.one_of", {"choices": expected, "value": value}, loc, keys)
    if kind == "string_pattern_mismatch":
        allowed = _allowed(str(ctx.get("pattern", "")))
        return Problem("template.problem.pattern", {"value": value, "allowed": allowed}, loc, keys)
    if (
        kind in ("model_type", "model_attributes_type", "dict_type")
        and loc
        and loc[-1]
        in (
            "name",
            "text",
            "hint",
            "overarching_question",
            "description",
        )
    ):
        return Problem("template.problem.local_text", {}, loc, keys)
    if kind == "string_type":
        return Problem("template.problem.text", {}, loc, keys)
    if kind in ("tuple_type", "list_type"):
        return Problem("template.problem.list", {}, loc, keys)
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        return Problem("template.problem.mapping", {}, loc, keys)
    if kind in ("bool_parsing", "bool_type"):
        return Problem("template.problem.yes_no", {}, loc, keys)
    return Problem("template.problem.other", {"detail": error.get("msg", kind)}, loc, keys)


def question_keys(data: object) -> tuple[str, ...]:
    """The question keys as written in the file (for naming questions in messages)."""
    if not isinstance(data, Mapping):
        return ()
    questions = data.get("questions")
    if not isinstance(questions, list | tuple):
        return ()
    return tuple(str(q.get("key", "")) if isinstance(q, Mapping) else "" for q in questions)
