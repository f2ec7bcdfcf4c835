"""Import an organisation (levels, units, people, roles) from YAML or CSV.

Imports are idempotent: units are matched by key and people by chat identity, so a
re-import updates rows and never duplicates them. Every row is checked before
anything is written; one bad row rejects the whole file with a message per row.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.domain.access import normalize_role
from bot.domain.org_cycles import find_cycles
from bot.domain.org_problems import OrgProblem, Place, kind_of
from bot.domain.safe_yaml import UserFileError, load_yaml, read_user_file
from bot.domain.templates import normalize_key
from bot.domain.text_input import KEY_MAX, MANAGER_TITLE_MAX, NAME_MAX, REF_MAX, clean_text
from bot.i18n import DEFAULT_LANG
from storage.models import Level, Person, Unit
from storage.repository import Repository

DEFAULT_LEVELS: tuple[tuple[str, str, str | None], ...] = (
    ("kommunfullmaktige", "Kommunfullmäktige", None),
    ("kommunstyrelse", "Kommunstyrelse", None),
    ("namnd", "Nämnd", None),
    ("forvaltning", "Förvaltning", "A-chef"),
    ("avdelning", "Avdelning", "B-chef"),
    ("enhet", "Enhet", "C-chef"),
)
KNOWN_ROLES = ("processtod", "chef", "admin")
LANGS = ("sv", "en")
CSV_FIELD_MAX = 10_000
"""Longest CSV cell read (names and keys are far shorter; anything longer is a broken file)."""


class OrgImportError(Exception):
    """The file has problems; nothing was imported. ``issues`` has one problem per row."""

    def __init__(self, source: str, issues: list[OrgProblem]) -> None:
        self.source = source
        self.issues = issues
        super().__init__(f"{source}: " + "; ".join(self.messages("en")))

    @property
    def problems(self) -> list[str]:
        """The problems in the default language (Swedish), one line each."""
        return self.messages(DEFAULT_LANG)

    def messages(self, lang: str) -> list[str]:
        """The problems in ``lang``, one line each."""
        return [issue.render(lang) for issue in self.issues]


@dataclass
class LevelRow:
    key: str
    name: str
    manager_title: str | None = None
    where: Place = field(default_factory=lambda: Place("level"))


@dataclass
class PersonRow:
    chat_id: str
    name: str
    roles: list[str]
    lang: str = "sv"
    where: Place = field(default_factory=lambda: Place("person"))


@dataclass
class UnitRow:
    key: str
    name: str
    level: str
    parent: str | None
    managers: list[str]
    channel: str | None = None
    where: Place = field(default_factory=lambda: Place("unit"))
    deputy: str | None = None


@dataclass
class OrgData:
    """Parsed, not yet validated against the database."""

    levels: list[LevelRow] = field(default_factory=list)
    people: list[PersonRow] = field(default_factory=list)
    units: list[UnitRow] = field(default_factory=list)


@dataclass
class ImportReport:
    """What an import changed."""

    created: dict[str, int] = field(default_factory=lambda: {"levels": 0, "units": 0, "people": 0})
    updated: dict[str, int] = field(default_factory=lambda: {"levels": 0, "units": 0, "people": 0})

    def describe(self) -> str:
        """One line for humans."""
        parts = [
            f"{kind}: {self.created[kind]} new, {self.updated[kind]} updated"
            for kind in ("levels", "units", "people")
        ]
        return "; ".join(parts)


def slugify(text: str) -> str:
    """A stable key from a name: 'Hemtjänst Norr' → 'hemtjanst-norr'."""
    return re.sub(r"[^a-z0-9]+", "-", normalize_key(text)).strip("-") or "unit"


class _Fields:
    """Reads one row's fields, collecting a problem for every value of the wrong shape."""

    def __init__(self, row: dict[Any, Any], where: Place, problems: list[OrgProblem]) -> None:
        self.row, self.where, self.problems = row, where, problems

    def text(self, name: str) -> str:
        value = self.row.get(name)
        if value is None:
            return ""
        if isinstance(value, str | int | float) and not isinstance(value, bool):
            return clean_text(str(value)).strip()
        self.problems.append(
            OrgProblem("org.problem.text", {"kind": kind_of(value)}, self.at(name))
        )
        return ""

    def items(self, name: str) -> list[str]:
        value = self.row.get(name)
        if value is None:
            return []
        if isinstance(value, list):
            out = []
            for item in value:
                if isinstance(item, str | int) and not isinstance(item, bool):
                    if str(item).strip():
                        out.append(clean_text(str(item)).strip())
                else:
                    self.problems.append(
                        OrgProblem("org.problem.list_item", {"kind": kind_of(item)}, self.at(name))
                    )
            return out
        if isinstance(value, str | int) and not isinstance(value, bool):
            return _split(value)
        self.problems.append(
            OrgProblem("org.problem.list", {"kind": kind_of(value)}, self.at(name))
        )
        return []

    def at(self, name: str) -> Place:
        return self.where.at(name)


def _split(value: Any) -> list[str]:
    if value is None:
        return []
    return [clean_text(v).strip() for v in re.split(r"[;,]", str(value)) if v.strip()]


def _section(data: dict[Any, Any], name: str, problems: list[OrgProblem]) -> list[Any]:
    value = data.get(name)
    if value is None:
        return []
    if not isinstance(value, list):
        problems.append(
            OrgProblem(
                "org.problem.section_list", {"kind": kind_of(value)}, Place("section", name=name)
            )
        )
        return []
    return value


def parse_yaml(text: str, source: str) -> OrgData:
    """Parse the YAML organisation format (see README)."""
    try:
        data = load_yaml(text)
    except UserFileError as exc:
        raise OrgImportError(source, [OrgProblem(exc.key, exc.params)]) from None
    if not isinstance(data, dict):
        raise OrgImportError(source, [OrgProblem("org.problem.not_mapping")])
    unknown = {str(k) for k in data} - {"levels", "people", "units"}
    if unknown:
        names = ", ".join(sorted(unknown))
        raise OrgImportError(source, [OrgProblem("org.problem.unknown_sections", {"names": names})])
    out = OrgData()
    problems: list[OrgProblem] = []
    for i, row in enumerate(_section(data, "levels", problems)):
        place = Place("level", i + 1)
        if not isinstance(row, dict):
            problems.append(OrgProblem("org.problem.level_shape", place=place))
            continue
        fields = _Fields(row, place, problems)
        known = len(problems)
        key = fields.text("key")
        if not key:
            if len(problems) == known:  # missing rather than of the wrong shape
                problems.append(OrgProblem("org.problem.level_shape", place=place))
            continue
        out.levels.append(
            LevelRow(
                key,
                fields.text("name") or key,
                fields.text("manager_title") or None,
                where=place,
            )
        )
    for i, row in enumerate(_section(data, "people", problems)):
        place = Place("person", i + 1)
        if not isinstance(row, dict):
            problems.append(OrgProblem("org.problem.person_shape", place=place))
            continue
        fields = _Fields(row, place, problems)
        chat_id = fields.text("id")
        out.people.append(
            PersonRow(
                chat_id,
                fields.text("name"),
                fields.items("roles"),
                fields.text("lang") or "sv",
                where=place.labelled(chat_id or "?"),
            )
        )
    for i, row in enumerate(_section(data, "units", problems)):
        place = Place("unit", i + 1)
        if not isinstance(row, dict):
            problems.append(OrgProblem("org.problem.unit_shape", place=place))
            continue
        fields = _Fields(row, place, problems)
        name = fields.text("name")
        out.units.append(
            UnitRow(
                key=fields.text("key") or slugify(name),
                name=name,
                level=fields.text("level"),
                parent=fields.text("parent") or None,
                managers=fields.items("managers"),
                channel=fields.text("channel") or None,
                where=place,
                deputy=fields.text("deputy") or None,
            )
        )
    if problems:
        raise OrgImportError(source, problems)
    return out


def parse_csv(text: str, source: str) -> OrgData:
    """Parse a CSV of units (``key,name,level,parent,managers``) or of people
    (``id,name,roles,lang``); lists inside a cell are separated by ``;``."""
    text = clean_text(text)
    sample = text[:2048]
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    limit = csv.field_size_limit()
    csv.field_size_limit(CSV_FIELD_MAX)
    reader = csv.DictReader(io.StringIO(text), dialect=dialect)
    try:
        return _read_csv(reader, source)
    except csv.Error as exc:
        place = Place("row", reader.reader.line_num or 1)
        if "field larger than field limit" in str(exc):
            problem = OrgProblem("org.problem.csv_field", {"n": CSV_FIELD_MAX}, place)
        else:
            problem = OrgProblem("org.problem.csv", {"detail": exc}, place)
        raise OrgImportError(source, [problem]) from None
    finally:
        csv.field_size_limit(limit)


def _read_csv(reader: csv.DictReader[str], source: str) -> OrgData:
    header = {normalize_key(h) for h in (reader.fieldnames or [])}
    out = OrgData()
    if "level" in header or "niva" in header:
        for n, row in enumerate(reader, start=2):
            r = {normalize_key(k): _cell(v) for k, v in row.items() if k}
            name = r.get("name") or r.get("namn") or ""
            out.units.append(
                UnitRow(
                    key=r.get("key") or slugify(name),
                    name=name,
                    level=r.get("level") or r.get("niva") or "",
                    parent=r.get("parent") or r.get("overordnad") or None,
                    managers=_split(r.get("managers") or r.get("chefer")),
                    channel=r.get("channel") or r.get("kanal") or None,
                    where=Place("row", n),
                    deputy=r.get("deputy") or r.get("ersattare") or None,
                )
            )
    elif "roles" in header or "roller" in header:
        for n, row in enumerate(reader, start=2):
            r = {normalize_key(k): _cell(v) for k, v in row.items() if k}
            out.people.append(
                PersonRow(
                    r.get("id") or "",
                    r.get("name") or r.get("namn") or "",
                    _split(r.get("roles") or r.get("roller")),
                    r.get("lang") or "sv",
                    where=Place("row", n, r.get("id") or "?"),
                )
            )
    else:
        raise OrgImportError(source, [OrgProblem("org.problem.csv_header")])
    return out


def _cell(value: Any) -> str:
    # DictReader puts surplus cells of a row in a list under the key None (dropped above).
    return value.strip() if isinstance(value, str) else ""


def load_org_file(path: Path) -> OrgData:
    """Parse a YAML or CSV organisation file (size-capped, UTF-8)."""
    try:
        text = read_user_file(path)
    except UserFileError as exc:
        raise OrgImportError(str(path), [OrgProblem(exc.key, exc.params)]) from None
    if path.suffix.lower() == ".csv":
        return parse_csv(text, str(path))
    return parse_yaml(text, str(path))


def _label(name: str) -> str:
    return name if len(name) <= 40 else name[:40] + "…"


def _check_lengths(
    problems: list[OrgProblem], where: Place, *fields: tuple[str, str | None, int]
) -> None:
    for name, value, limit in fields:
        if value is not None and len(value) > limit:
            params = {"field": name, "n": len(value), "limit": limit}
            problems.append(OrgProblem("org.problem.too_long", params, where))


def _parent_key(u: UnitRow, unit_refs: set[str], names: dict[str, str]) -> str | None:
    if not u.parent:
        return None
    return u.parent if u.parent in unit_refs else names.get(normalize_key(u.parent))


def _cycles(
    data: OrgData, units: dict[str, Unit], unit_refs: set[str], names: dict[str, str]
) -> list[OrgProblem]:
    """One problem per cycle the tree would have after the import (``A → B → A``)."""
    parents: dict[str, str | None] = {
        key: unit.parent.key if unit.parent is not None else None for key, unit in units.items()
    }
    label = {key: unit.name for key, unit in units.items()}
    for u in data.units:
        parents[u.key] = _parent_key(u, unit_refs, names)
        label[u.key] = u.name or u.key
    return [
        OrgProblem(
            "org.problem.cycle", {"path": " → ".join(label.get(k, k) for k in [*cycle, cycle[0]])}
        )
        for cycle in find_cycles(parents)
    ]


def import_org(repo: Repository, data: OrgData, source: str) -> ImportReport:
    """Validate ``data`` against itself and the database, then upsert it (the caller's
    unit of work commits: :meth:`bot.services.organisation.Organisation.import_org`)."""
    report = ImportReport()
    problems: list[OrgProblem] = []

    existing_levels = {lv.key: lv for lv in repo.levels()}
    if not existing_levels and not data.levels:
        data.levels = [LevelRow(k, n, m) for k, n, m in DEFAULT_LEVELS]
    level_keys = set(existing_levels) | {lv.key for lv in data.levels}

    seen_levels: set[str] = set()
    for lv in data.levels:
        if lv.key in seen_levels:
            problems.append(OrgProblem("org.problem.duplicate_level", {"value": lv.key}, lv.where))
        seen_levels.add(lv.key)
        _check_lengths(
            problems,
            lv.where,
            ("key", lv.key, KEY_MAX),
            ("name", lv.name, NAME_MAX),
            ("manager_title", lv.manager_title, MANAGER_TITLE_MAX),
        )

    people = {p.chat_id: p for p in repo.people()}
    person_ids = set(people) | {p.chat_id for p in data.people}
    seen_people: set[str] = set()
    for p in data.people:
        where = p.where
        if not p.chat_id:
            problems.append(OrgProblem("org.problem.id_required", place=where))
        elif p.chat_id in seen_people:
            problems.append(OrgProblem("org.problem.duplicate_person", {"id": p.chat_id}, where))
        seen_people.add(p.chat_id)
        if not p.name:
            problems.append(OrgProblem("org.problem.name_required", place=where))
        _check_lengths(problems, where, ("id", p.chat_id, REF_MAX), ("name", p.name, NAME_MAX))
        bad = [r for r in p.roles if normalize_role(r) not in KNOWN_ROLES]
        if bad:
            params = {"roles": ", ".join(bad), "known": ", ".join(KNOWN_ROLES)}
            problems.append(OrgProblem("org.problem.unknown_roles", params, where))
        if p.lang not in LANGS:
            params = {"known": ", ".join(LANGS), "value": p.lang}
            problems.append(OrgProblem("org.problem.lang", params, where))

    units = {u.key: u for u in repo.units()}
    unit_refs = {u.key for u in data.units} | set(units)
    names = {normalize_key(u.name): u.key for u in units.values()}
    names.update({normalize_key(u.name): u.key for u in data.units})
    seen_keys: set[str] = set()
    for u in data.units:
        named = u.where.labelled(_label(u.name))
        if not u.name:
            problems.append(OrgProblem("org.problem.name_required", place=u.where))
        if u.key in seen_keys:
            problems.append(OrgProblem("org.problem.duplicate_unit", {"value": u.key}, u.where))
        seen_keys.add(u.key)
        _check_lengths(
            problems,
            named,
            ("key", u.key, KEY_MAX),
            ("name", u.name, NAME_MAX),
            ("channel", u.channel, REF_MAX),
        )
        if normalize_key(u.level) not in {normalize_key(k) for k in level_keys}:
            params = {"value": u.level, "known": ", ".join(sorted(level_keys))}
            problems.append(OrgProblem("org.problem.unknown_level", params, named))
        if u.parent and u.parent not in unit_refs and normalize_key(u.parent) not in names:
            problems.append(OrgProblem("org.problem.unknown_parent", {"value": u.parent}, named))
        for m in u.managers:
            if m not in person_ids:
                problems.append(OrgProblem("org.problem.unknown_manager", {"value": m}, named))
        if u.deputy and u.deputy not in person_ids:
            problems.append(OrgProblem("org.problem.unknown_deputy", {"value": u.deputy}, named))
    if not problems:
        problems.extend(_cycles(data, units, unit_refs, names))
    if problems:
        raise OrgImportError(source, problems)

    for rank, lv in enumerate(data.levels or []):
        level = existing_levels.get(lv.key)
        if level is None:
            repo.add(Level(key=lv.key, name=lv.name, rank=rank, manager_title=lv.manager_title))
            report.created["levels"] += 1
        else:
            level.name, level.rank, level.manager_title = lv.name, rank, lv.manager_title
            report.updated["levels"] += 1

    for p in data.people:
        roles = sorted({normalize_role(r) for r in p.roles})
        person = people.get(p.chat_id)
        if person is None:
            person = Person(chat_id=p.chat_id, name=p.name, roles=roles, lang=p.lang)
            repo.add(person)
            people[p.chat_id] = person
            report.created["people"] += 1
        else:
            person.name, person.roles, person.lang = p.name, roles, p.lang
            report.updated["people"] += 1
    repo.flush()

    level_by_norm = {normalize_key(k): k for k in level_keys}
    for u in data.units:
        unit = units.get(u.key)
        level_key = level_by_norm[normalize_key(u.level)]
        if unit is None:
            unit = Unit(key=u.key, name=u.name, level_key=level_key, channel_ref=u.channel)
            repo.add(unit)
            units[u.key] = unit
            report.created["units"] += 1
        else:
            unit.name, unit.level_key, unit.channel_ref = u.name, level_key, u.channel
            report.updated["units"] += 1
    repo.flush()
    for u in data.units:
        unit = units[u.key]
        parent_key = _parent_key(u, set(units), names)
        unit.parent_id = units[parent_key].id if parent_key else None
        unit.managers = [people[m] for m in u.managers]
        unit.deputy = people[u.deputy] if u.deputy else None
    repo.flush()
    return report
