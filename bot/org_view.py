"""A read-only picture of a workspace's organisation: the unit tree with levels and managers.

Built here from loaded units (pure); the use case is ``services.organisation.organisation``
(:class:`bot.services.organisation.Organisation`). Adapters render the plain :class:`OrgNode` values.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from bot.domain.collation import swedish_sorted
from bot.domain.org_tree import OrgTree

if TYPE_CHECKING:
    from collections.abc import Sequence

    from storage.models import Level, Unit


@dataclass(frozen=True)
class OrgNode:
    """One unit, its level's name, its managers as (chat id, name), and its children."""

    key: str
    name: str
    level: str
    managers: tuple[tuple[str, str], ...]
    children: list[OrgNode] = field(default_factory=list)


def org_nodes(level_rows: Sequence[Level], units: Sequence[Unit]) -> list[OrgNode]:
    """The top units with everything below them, in Swedish order (pure: loaded units
    with their managers)."""
    levels = {lv.key: lv.name for lv in level_rows}
    tree = OrgTree(units)
    seen: set[int] = set()

    def node(unit: Unit) -> OrgNode:
        seen.add(unit.id)
        below = [c for c in tree.children.get(unit.id, []) if c.id not in seen]
        children = swedish_sorted(below, lambda u: u.name)
        return OrgNode(
            key=unit.key,
            name=unit.name,
            level=levels.get(unit.level_key, unit.level_key),
            managers=tuple((p.chat_id, p.name) for p in unit.managers),
            children=[node(c) for c in children],
        )

    known = {u.id for u in units}
    roots = [u for u in units if u.parent_id is None or u.parent_id not in known]
    return [node(u) for u in swedish_sorted(roots, lambda u: u.name)]
