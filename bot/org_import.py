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

import yaml

from bot.engine import normalize_role
from bot.templates import normalize_key
from storage.models import Level, Person, Unit
from storage.unit_of_work import UnitOfWork

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


class OrgImportError(Exception):
    """The file has problems; nothing was imported. ``problems`` has one line per row."""

    def __init__(self, source: str, problems: list[str]) -> None:
        self.source = source
        self.problems = problems
        super().__init__(f"{source}: " + "; ".join(problems))


@dataclass
class LevelRow:
    key: str
    name: str
    manager_title: str | None = None


@dataclass
class PersonRow:
    chat_id: str
    name: str
    roles: list[str]
    lang: str = "sv"


@dataclass
class UnitRow:
    key: str
    name: str
    level: str
    parent: str | None
    managers: list[str]
    channel: str | None = None
    where: str = ""


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


def _split(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, list):
        return [str(v).strip() for v in value if str(v).strip()]
    return [v.strip() for v in re.split(r"[;,]", str(value)) if v.strip()]


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def parse_yaml(text: str, source: str) -> OrgData:
    """Parse the YAML organisation format (see README)."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark else ""
        raise OrgImportError(source, [f"not valid YAML{where}"]) from None
    if not isinstance(data, dict):
        raise OrgImportError(source, ["expected a mapping with levels, people and units"])
    unknown = set(data) - {"levels", "people", "units"}
    if unknown:
        raise OrgImportError(
            source,
            [f"unknown section(s) {', '.join(sorted(unknown))}; expected levels, people, units"],
        )
    out = OrgData()
    problems: list[str] = []
    for i, row in enumerate(data.get("levels") or []):
        if not isinstance(row, dict) or not _text(row.get("key")):
            problems.append(f"levels[{i}]: needs key and name")
            continue
        out.levels.append(
            LevelRow(
                _text(row["key"]),
                _text(row.get("name")) or _text(row["key"]),
                row.get("manager_title"),
            )
        )
    for i, row in enumerate(data.get("people") or []):
        if not isinstance(row, dict):
            problems.append(f"people[{i}]: expected a mapping with id, name, roles")
            continue
        out.people.append(
            PersonRow(
                _text(row.get("id")),
                _text(row.get("name")),
                _split(row.get("roles")),
                _text(row.get("lang")) or "sv",
            )
        )
    for i, row in enumerate(data.get("units") or []):
        if not isinstance(row, dict):
            problems.append(f"units[{i}]: expected a mapping with name, level, parent, managers")
            continue
        name = _text(row.get("name"))
        out.units.append(
            UnitRow(
                key=_text(row.get("key")) or slugify(name),
                name=name,
                level=_text(row.get("level")),
                parent=_text(row.get("parent")) or None,
                managers=_split(row.get("managers")),
                channel=_text(row.get("channel")) or None,
                where=f"units[{i}]",
            )
        )
    if problems:
        raise OrgImportError(source, problems)
    return out


def parse_csv(text: str, source: str) -> OrgData:
    """Parse a CSV of units (``key,name,level,parent,managers``) or of people
    (``id,name,roles,lang``); lists inside a cell are separated by ``;``."""
    sample = text[:2048]
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.DictReader(io.StringIO(text), dialect=dialect)
    header = {normalize_key(h) for h in (reader.fieldnames or [])}
    out = OrgData()
    if "level" in header or "niva" in header:
        for n, row in enumerate(reader, start=2):
            r = {normalize_key(k): (v or "").strip() for k, v in row.items() if k}
            name = r.get("name") or r.get("namn") or ""
            out.units.append(
                UnitRow(
                    key=r.get("key") or slugify(name),
                    name=name,
                    level=r.get("level") or r.get("niva") or "",
                    parent=r.get("parent") or r.get("overordnad") or None,
                    managers=_split(r.get("managers") or r.get("chefer")),
                    channel=r.get("channel") or r.get("kanal") or None,
                    where=f"row {n}",
                )
            )
    elif "roles" in header or "roller" in header:
        for row in reader:
            r = {normalize_key(k): (v or "").strip() for k, v in row.items() if k}
            out.people.append(
                PersonRow(
                    r.get("id") or "",
                    r.get("name") or r.get("namn") or "",
                    _split(r.get("roles") or r.get("roller")),
                    r.get("lang") or "sv",
                )
            )
    else:
        raise OrgImportError(
            source,
            [
                "header must have 'level' (a units file: key,name,level,parent,managers) "
                "or 'roles' (a people file: id,name,roles,lang)"
            ],
        )
    return out


def load_org_file(path: Path) -> OrgData:
    """Parse a YAML or CSV organisation file."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise OrgImportError(str(path), [f"cannot read file: {exc.strerror}"]) from None
    if path.suffix.lower() == ".csv":
        return parse_csv(text, str(path))
    return parse_yaml(text, str(path))


def import_org(uow: UnitOfWork, data: OrgData, source: str) -> ImportReport:
    """Validate ``data`` against itself and the database, then upsert it and commit."""
    repo = uow.repo
    report = ImportReport()
    problems: list[str] = []

    existing_levels = {lv.key: lv for lv in repo.levels()}
    if not existing_levels and not data.levels:
        data.levels = [LevelRow(k, n, m) for k, n, m in DEFAULT_LEVELS]
    level_keys = set(existing_levels) | {lv.key for lv in data.levels}

    people = {p.chat_id: p for p in repo.people()}
    person_ids = set(people) | {p.chat_id for p in data.people}
    for i, p in enumerate(data.people):
        where = f"people[{i}] ({p.chat_id or '?'})"
        if not p.chat_id:
            problems.append(f"{where}: id (chat identity) is required")
        if not p.name:
            problems.append(f"{where}: name is required")
        bad = [r for r in p.roles if normalize_role(r) not in KNOWN_ROLES]
        if bad:
            problems.append(
                f"{where}: unknown role(s) {', '.join(bad)}; known: {', '.join(KNOWN_ROLES)}"
            )
        if p.lang not in LANGS:
            problems.append(f"{where}: lang must be one of {', '.join(LANGS)}, got {p.lang!r}")

    units = {u.key: u for u in repo.units()}
    unit_refs = {u.key for u in data.units} | set(units)
    names = {normalize_key(u.name): u.key for u in units.values()}
    names.update({normalize_key(u.name): u.key for u in data.units})
    seen_keys: set[str] = set()
    for u in data.units:
        if not u.name:
            problems.append(f"{u.where}: name is required")
        if u.key in seen_keys:
            problems.append(f"{u.where}: duplicate unit key {u.key!r}")
        seen_keys.add(u.key)
        if normalize_key(u.level) not in {normalize_key(k) for k in level_keys}:
            problems.append(
                f"{u.where} ({u.name}): unknown level {u.level!r}; known: {', '.join(sorted(level_keys))}"
            )
        if u.parent and u.parent not in unit_refs and normalize_key(u.parent) not in names:
            problems.append(f"{u.where} ({u.name}): unknown parent {u.parent!r}")
        for m in u.managers:
            if m not in person_ids:
                problems.append(
                    f"{u.where} ({u.name}): unknown manager {m!r} (add them under people)"
                )
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
        parent_key = u.parent if u.parent in units else names.get(normalize_key(u.parent or ""))
        unit.parent_id = units[parent_key].id if parent_key else None
        unit.managers = [people[m] for m in u.managers]
    uow.commit()
    return report
