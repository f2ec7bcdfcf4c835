"""A read-only picture of a workspace's organisation: the unit tree with levels and managers.

A small service function over :class:`~bot.services.container.Services` (it opens its own unit of
work); adapters render the plain :class:`OrgNode` values it returns.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from bot.collation import swedish_sorted
from bot.org_tree import OrgTree

if TYPE_CHECKING:
    from bot.services.container import Services
    from storage.models import Unit


@dataclass(frozen=True)
class OrgNode:
    """One unit, its level's name, its managers as (chat id, name), and its children."""

    key: str
    name: str
    level: str
    managers: tuple[tuple[str, str], ...]
    children: list[OrgNode] = field(default_factory=list)


def organisation(services: Services, workspace: str) -> list[OrgNode]:
    """The top units of ``workspace`` with everything below them, in Swedish order."""
    with services.kernel.legacy_unit_of_work(workspace) as uow:
        levels = {lv.key: lv.name for lv in uow.repo.levels()}
        units = uow.repo.units()
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
