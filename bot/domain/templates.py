"""Dialog templates (frågemallar): a documented YAML format validated with pydantic.

A template is data. It is loaded and validated once; a round stores a snapshot
of the exact version it started with (see :mod:`storage.models`).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from bot.domain.errors import UnknownTemplate
from bot.domain.safe_yaml import UserFileError, load_trusted_yaml, load_yaml, read_user_file
from bot.domain.template_problems import Problem, from_pydantic
from bot.domain.text_input import ID_MAX, KEY_MAX

Phase = Literal[
    "planering", "avstamning", "resultat", "verksamhetside", "mandatperiod", "workshop", "annan"
]
QuestionKind = Literal["text", "activities", "activity_followup"]
MAX_TEMPLATE_BYTES = 256 * 1024
"""Largest template file accepted (the shipped ones are a few KB)."""
TEXT_MAX = 4000
"""Longest question, hint, name or description text of a template."""


class TemplateError(Exception):
    """A template file is malformed; the message names the file, the field and the expectation."""

    def __init__(self, path: str, issues: list[Problem]) -> None:
        self.path = path
        self.issues = issues
        super().__init__(f"{path}: " + "; ".join(self.problems))

    @property
    def problems(self) -> list[str]:
        """The problems in English, one line each."""
        return self.messages("en")

    def messages(self, lang: str) -> list[str]:
        """The problems in ``lang``, one line each."""
        return [issue.render(lang) for issue in self.issues]


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

    def question(self, key: str) -> Question:
        """Return the question with ``key``."""
        for q in self.questions:
            if q.key == key:
                return q
        raise KeyError(key)

    def questions_for(self, level_key: str | None) -> tuple[Question, ...]:
        """The questions asked of a manager of a unit at ``level_key``, in template order.

        When some question names that level, the manager gets exactly the questions with
        that level (e.g. an avdelning's synthesis); everyone else gets the questions that
        name no level. A template without any ``level`` asks everyone everything.
        """
        if level_key is not None and any(q.level == level_key for q in self.questions):
            return tuple(q for q in self.questions if q.level == level_key)
        return tuple(q for q in self.questions if q.level is None)

    def canonical_json(self) -> str:
        """A stable JSON form used for snapshots and content hashes."""
        return json.dumps(self.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)

    def content_hash(self) -> str:
        """SHA-256 of the canonical JSON: two files with equal content hash alike."""
        return hashlib.sha256(self.canonical_json().encode("utf-8")).hexdigest()


def _own_problems(template: DialogTemplate) -> list[Problem]:
    """Rules pydantic does not check: unique question keys, a level for every synthesis,
    'template.question' references."""
    keys = tuple(q.key for q in template.questions)
    problems: list[Problem] = []
    seen: set[str] = set()
    for i, q in enumerate(template.questions):
        if q.key in seen:
            problems.append(
                Problem(
                    "template.problem.duplicate_key", {"question": q.key}, ("questions", i), keys
                )
            )
        seen.add(q.key)
        if q.synthesis and q.level is None:
            problems.append(
                Problem("template.problem.synthesis_level", {}, ("questions", i, "level"), keys)
            )
        for j, ref in enumerate(q.refers_to):
            if ref.count(".") != 1 or not all(ref.split(".")):
                where = ("questions", i, "refers_to", j)
                problems.append(
                    Problem("template.problem.reference_form", {"ref": ref}, where, keys)
                )
    return problems


def parse_template(data: object, source: str) -> DialogTemplate:
    """Validate already-parsed YAML data as a template; ``source`` names it in errors."""
    if not isinstance(data, dict):
        raise TemplateError(source, [Problem("template.problem.not_mapping")])
    try:
        template = DialogTemplate.model_validate(data)
    except ValidationError as exc:
        raise TemplateError(source, [from_pydantic(e, data) for e in exc.errors()]) from None
    problems = _own_problems(template)
    if problems:
        raise TemplateError(source, problems)
    return template


def reference_problems(
    template: DialogTemplate, known: Mapping[str, DialogTemplate]
) -> list[Problem]:
    """Every ``refers_to`` of ``template`` that names no question of a ``known`` template."""
    keys = tuple(q.key for q in template.questions)
    problems: list[Problem] = []
    for i, q in enumerate(template.questions):
        for j, ref in enumerate(q.refers_to):
            target_key, _, question = ref.partition(".")
            target = known.get(target_key)
            if target is None:
                problems.append(
                    Problem(
                        "template.problem.reference_template",
                        {"ref": ref, "template": target_key, "known": ", ".join(sorted(known))},
                        ("questions", i, "refers_to", j),
                        keys,
                    )
                )
            elif question not in {tq.key for tq in target.questions}:
                problems.append(
                    Problem(
                        "template.problem.reference_question",
                        {
                            "ref": ref,
                            "template": target_key,
                            "known": ", ".join(tq.key for tq in target.questions),
                        },
                        ("questions", i, "refers_to", j),
                        keys,
                    )
                )
    return problems


def load_template_file(path: Path, *, builtin: bool = False) -> DialogTemplate:
    """Load and validate one template file, raising :class:`TemplateError` on any problem.
    A ``builtin`` one (shipped in ``dialog_templates``) is parsed on libyaml (see
    :func:`~bot.domain.safe_yaml.load_trusted_yaml`)."""
    load = load_trusted_yaml if builtin else load_yaml
    try:
        data = load(read_user_file(path, MAX_TEMPLATE_BYTES))
    except UserFileError as exc:
        raise TemplateError(str(path), [Problem(exc.key, exc.params)]) from None
    template = parse_template(data, str(path))
    if path.stem != template.key:
        raise TemplateError(
            str(path),
            [
                Problem(
                    "template.problem.key_file",
                    {"expected": path.stem, "actual": template.key},
                    ("key",),
                )
            ],
        )
    return template


def builtin_template_dir() -> Path:
    """The directory of the templates shipped in the ``dialog_templates`` package."""
    return Path(str(resources.files("dialog_templates")))


@dataclass(frozen=True)
class TemplateCatalog:
    """All templates known to the bot, by key."""

    templates: dict[str, DialogTemplate]

    @classmethod
    def load(cls, dirs: Iterable[Path] | None = None) -> TemplateCatalog:
        """Load every ``*.yaml`` template from ``dirs`` (later directories override; the
        built-in ones when None: the configured set is :func:`bot.config.load_catalog`)."""
        found: dict[str, DialogTemplate] = {}
        sources: dict[str, str] = {}
        builtin = builtin_template_dir()
        for d in dirs if dirs is not None else [builtin]:
            for path in sorted(Path(d).glob("*.yaml")):
                template = load_template_file(path, builtin=Path(d) == builtin)
                found[template.key] = template
                sources[template.key] = str(path)
        for key, template in found.items():
            problems = reference_problems(template, found)
            if problems:
                raise TemplateError(sources[key], problems)
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
