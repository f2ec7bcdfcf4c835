"""Dialog templates (frågemallar): a documented YAML format validated with pydantic.

A template is data. It is loaded and validated once; a round stores a snapshot
of the exact version it started with (see :mod:`storage.models`).
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from bot.errors import UnknownTemplate
from bot.safe_yaml import UserFileError, load_yaml, read_user_file
from bot.text_input import ID_MAX, KEY_MAX

Phase = Literal[
    "planering", "avstamning", "resultat", "verksamhetside", "mandatperiod", "workshop", "annan"
]
QuestionKind = Literal["text", "activities", "activity_followup"]
LANGUAGES = ("sv", "en")
MAX_TEMPLATE_BYTES = 256 * 1024
"""Largest template file accepted (the shipped ones are a few KB)."""
TEXT_MAX = 4000
"""Longest question, hint, name or description text of a template."""


class TemplateError(Exception):
    """A template file is malformed; the message names the file, the field and the expectation."""

    def __init__(self, path: str, problems: list[str]) -> None:
        self.path = path
        self.problems = problems
        super().__init__(f"{path}: " + "; ".join(problems))


class LocalText(BaseModel):
    """A user-facing text in Swedish (required) and English (optional)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    sv: str = Field(min_length=1, max_length=TEXT_MAX)
    en: str | None = Field(default=None, max_length=TEXT_MAX)

    def get(self, lang: str) -> str:
        """Return the text in ``lang``, falling back to Swedish."""
        if lang == "en" and self.en:
            return self.en
        return self.sv


class Question(BaseModel):
    """One question of a template, with its method-support hint (metodstöd)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    key: str = Field(
        pattern=r"^[a-z0-9_]+$", max_length=KEY_MAX, description="stable id, lowercase a-z, 0-9, _"
    )
    text: LocalText
    hint: LocalText | None = None
    kind: QuestionKind = "text"
    refers_to: tuple[str, ...] = Field(
        default=(), description="earlier answers shown as context, as 'template.question'"
    )
    context_scope: Literal["latest", "year"] = Field(
        default="latest",
        description="which earlier rounds refers_to shows: the unit's latest round of the "
        "referenced template, or that round and every other one in its calendar year",
    )
    level: str | None = Field(
        default=None,
        pattern=r"^[a-z0-9_-]+$",
        max_length=KEY_MAX,
        description="the organisation level (key) whose managers this question is for",
    )
    synthesis: bool = Field(
        default=False,
        description="the branch's own synthesis (vad säger helheten), shown in the summary "
        "above the answers of the units below; needs a level",
    )

    @model_validator(mode="after")
    def _synthesis_has_level(self) -> Question:
        if self.synthesis and self.level is None:
            raise ValueError("synthesis: true needs a level (e.g. level: avdelning)")
        return self

    @field_validator("refers_to")
    @classmethod
    def _refs_are_qualified(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for ref in value:
            if ref.count(".") != 1:
                raise ValueError(f"expected 'template.question', got {ref!r}")
        return value


class DialogTemplate(BaseModel):
    """A whole dialog template: phase, overarching question and ordered questions."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    key: str = Field(pattern=r"^[a-z0-9_-]+$", max_length=KEY_MAX)
    version: int = Field(ge=1, le=ID_MAX)
    phase: Phase
    name: LocalText
    overarching_question: LocalText | None = None
    description: LocalText | None = None
    questions: tuple[Question, ...] = Field(min_length=1)
    activity_followup: bool = Field(
        default=False,
        description="ask about each of the unit's open activities before the questions",
    )

    @model_validator(mode="after")
    def _unique_question_keys(self) -> DialogTemplate:
        seen: set[str] = set()
        for q in self.questions:
            if q.key in seen:
                raise ValueError(f"questions: duplicate question key {q.key!r}")
            seen.add(q.key)
        return self

    def question(self, key: str) -> Question:
        """Return the question with ``key``."""
        for q in self.questions:
            if q.key == key:
                return q
        raise KeyError(key)

    def canonical_json(self) -> str:
        """A stable JSON form used for snapshots and content hashes."""
        return json.dumps(self.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)

    def content_hash(self) -> str:
        """SHA-256 of the canonical JSON: two files with equal content hash alike."""
        return hashlib.sha256(self.canonical_json().encode("utf-8")).hexdigest()


def _format_loc(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else part
    return out or "(top level)"


def _describe(error: Any) -> str:
    where = _format_loc(tuple(error["loc"]))
    msg = error["msg"]
    if error["type"] == "extra_forbidden":
        msg = "unknown field (check the spelling; see dialog_templates/README.md)"
    elif error["type"] == "missing":
        msg = "field required"
    return f"field {where}: {msg}"


def parse_template(data: object, source: str) -> DialogTemplate:
    """Validate already-parsed YAML data as a template; ``source`` names it in errors."""
    if not isinstance(data, dict):
        raise TemplateError(source, ["expected a mapping at the top level"])
    try:
        return DialogTemplate.model_validate(data)
    except ValidationError as exc:
        raise TemplateError(source, [_describe(e) for e in exc.errors()]) from None


def load_template_file(path: Path) -> DialogTemplate:
    """Load and validate one template file, raising :class:`TemplateError` on any problem."""
    try:
        data = load_yaml(read_user_file(path, MAX_TEMPLATE_BYTES))
    except UserFileError as exc:
        raise TemplateError(str(path), [str(exc)]) from None
    template = parse_template(data, str(path))
    if path.stem != template.key:
        raise TemplateError(
            str(path), [f"field key: expected {path.stem!r} (the file name), got {template.key!r}"]
        )
    return template


def builtin_template_dir() -> Path:
    """The directory of the templates shipped in the ``dialog_templates`` package."""
    return Path(str(resources.files("dialog_templates")))


def template_dirs() -> list[Path]:
    """Built-in templates plus any directories in ``DIALOGBOT_TEMPLATE_DIRS`` (os.pathsep)."""
    dirs = [builtin_template_dir()]
    extra = os.environ.get("DIALOGBOT_TEMPLATE_DIRS", "")
    dirs.extend(Path(p) for p in extra.split(os.pathsep) if p)
    return dirs


@dataclass(frozen=True)
class TemplateCatalog:
    """All templates known to the bot, by key."""

    templates: dict[str, DialogTemplate]

    @classmethod
    def load(cls, dirs: Iterable[Path] | None = None) -> TemplateCatalog:
        """Load every ``*.yaml`` template from ``dirs`` (later directories override)."""
        found: dict[str, DialogTemplate] = {}
        for d in dirs if dirs is not None else template_dirs():
            for path in sorted(Path(d).glob("*.yaml")):
                template = load_template_file(path)
                found[template.key] = template
        return cls(found)

    def get(self, key: str) -> DialogTemplate:
        """Return a template by key, or raise :class:`UnknownTemplate` naming the choices."""
        normalized = normalize_key(key)
        for t in self.templates.values():
            if normalize_key(t.key) == normalized:
                return t
        raise UnknownTemplate(key, self.templates)

    def __iter__(self) -> Iterator[DialogTemplate]:
        return iter(sorted(self.templates.values(), key=lambda t: t.key))


_FOLD = str.maketrans({"å": "a", "ä": "a", "ö": "o", "é": "e", "Å": "a", "Ä": "a", "Ö": "o"})


def normalize_key(text: str) -> str:
    """Case- and diacritic-insensitive form: 'Avstämning' and 'avstamning' match."""
    return text.strip().lower().translate(_FOLD)
