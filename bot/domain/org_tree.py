"""Helpers over the organisation tree: lookups, subtrees and ancestor paths."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Generic, TypeVar

from bot.domain.collation import swedish_sorted
from bot.domain.errors import UnknownUnit
from bot.domain.org_cycles import cycle_error
from bot.domain.shapes import UnitShape
from bot.domain.templates import normalize_key

MAX_LISTED_CHOICES = 15

Unit = TypeVar("Unit", bound=UnitShape)


class OrgTree(Generic[Unit]):
    """An in-memory view of a workspace's units (organisations have hundreds, not millions)."""

    def __init__(self, units: Sequence[Unit]) -> None:
        self.by_id: dict[int, Unit] = {u.id: u for u in units}
        self.children: dict[int | None, list[Unit]] = defaultdict(list)
        for u in units:
            self.children[u.parent_id].append(u)

    def find(self, ref: str) -> Unit:
        """A unit by key or (case/diacritic-insensitive) name."""
        wanted = normalize_key(ref)
        for u in self.by_id.values():
            if u.key == ref or normalize_key(u.key) == wanted:
                return u
        matches = [u for u in self.by_id.values() if normalize_key(u.name) == wanted]
        if len(matches) == 1:
            return matches[0]
        names = swedish_sorted((u.name for u in self.by_id.values()), str)
        if len(names) > MAX_LISTED_CHOICES:
            names = [*names[:MAX_LISTED_CHOICES], "…"]
        raise UnknownUnit(ref, names)

    def subtree(self, unit: Unit) -> list[Unit]:
        """``unit`` and every unit below it, depth first.

        Raises:
            OrgCycle: A unit below ``unit`` is also above it (a corrupt tree).
        """
        out: list[Unit] = []
        seen: set[int] = set()
        stack = [unit]
        while stack:
            current = stack.pop()
            if current.id in seen:
                raise self._cycle()
            seen.add(current.id)
            out.append(current)
            stack.extend(reversed(self.children.get(current.id, [])))
        return out

    def path(self, unit: Unit) -> list[Unit]:
        """Ancestors of ``unit`` from the top down to the unit itself.

        Raises:
            OrgCycle: ``unit`` is its own ancestor (a corrupt tree).
        """
        chain: list[Unit] = []
        current: Unit | None = unit
        seen: set[int] = set()
        while current is not None:
            if current.id in seen:
                raise self._cycle()
            seen.add(current.id)
            chain.append(current)
            current = self.by_id.get(current.parent_id) if current.parent_id else None
        return list(reversed(chain))

    def _cycle(self) -> Exception:
        return cycle_error({u.id: u.parent_id for u in self.by_id.values()}, self.by_id)

    def common_root(self, units: Iterable[Unit]) -> list[Unit]:
        """The path from the top to the lowest common ancestor of ``units``."""
        paths = [self.path(u) for u in units]
        if not paths:
            return []
        prefix = paths[0]
        for p in paths[1:]:
            n = 0
            while n < min(len(prefix), len(p)) and prefix[n].id == p[n].id:
                n += 1
            prefix = prefix[:n]
        return prefix
