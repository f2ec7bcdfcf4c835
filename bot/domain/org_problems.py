"""Problems found in an organisation file, as message keys rendered in the run's language.

The importer collects :class:`OrgProblem` values (a message key, its parameters and the
place in the file); the CLI renders each as one line with :meth:`OrgProblem.render`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from bot.i18n import t


@dataclass(frozen=True)
class Term:
    """A parameter that is itself a message (such as the kind of a value), translated too."""

    key: str
    params: Mapping[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class Place:
    """Where in the file: a CSV row, a YAML section, or an item of a section.

    ``kind`` is ``row``, ``section``, ``level``, ``person`` or ``unit``; ``n`` is the row
    number, or the item's position counted from 1; ``label`` names the item (its name or
    id), ``field`` the field inside it and ``name`` the section.
    """

    kind: str
    n: int = 0
    label: str | None = None
    field: str | None = None
    name: str = ""

    def at(self, field: str) -> Place:
        """The same place, narrowed to one of its fields."""
        return Place(self.kind, self.n, self.label, field, self.name)

    def labelled(self, label: str) -> Place:
        """The same place, naming its item."""
        return Place(self.kind, self.n, label, self.field, self.name)

    def render(self, lang: str) -> str:
        """The place in ``lang``: "rad 3 (Hemtjänst)", "enhet 2, fältet deputy"."""
        label = f" ({self.label})" if self.label is not None else ""
        text = t(lang, f"org.place.{self.kind}", n=self.n, name=self.name, label=label)
        if self.field:
            text += ", " + t(lang, "org.place.field", name=self.field)
        return text


@dataclass(frozen=True)
class OrgProblem:
    """One problem of an organisation file: what (a message key and parameters) and where."""

    key: str
    params: Mapping[str, object] = field(default_factory=dict)
    place: Place | None = None

    def render(self, lang: str) -> str:
        """The problem as one line in ``lang``."""
        params = {
            name: t(lang, value.key, **value.params) if isinstance(value, Term) else value
            for name, value in self.params.items()
        }
        what = t(lang, self.key, **params)
        return f"{self.place.render(lang)}: {what}" if self.place is not None else what


def kind_of(value: Any) -> Term:
    """The kind of a YAML value, as a term ("a mapping", "a number", …)."""
    if isinstance(value, bool):
        return Term("org.kind.bool")
    if isinstance(value, dict):
        return Term("org.kind.mapping")
    if isinstance(value, list):
        return Term("org.kind.list")
    if isinstance(value, int | float):
        return Term("org.kind.number")
    if isinstance(value, datetime | date):
        return Term("org.kind.date")
    if isinstance(value, str):
        return Term("org.kind.text")
    return Term("org.kind.other", {"name": type(value).__name__})
