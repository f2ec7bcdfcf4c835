"""Cycles in the organisation tree: found on import, and reported by any tree walk that
meets one in a database written before imports refused them."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypeVar

from bot.domain.errors import OrgCycle
from bot.domain.shapes import UnitShape

K = TypeVar("K", int, str)


def find_cycles(parents: Mapping[K, K | None]) -> list[list[K]]:
    """Every cycle in a child → parent map, each as its members in parent order,
    starting from its smallest member; a tree has none. Linear in the number of nodes."""
    state: dict[K, int] = {}  # 1: on the current walk, 2: done
    cycles: list[list[K]] = []
    for start in sorted(parents):
        walk: list[K] = []
        node: K | None = start
        while node is not None and node in parents and node not in state:
            state[node] = 1
            walk.append(node)
            node = parents[node]
        if node is not None and state.get(node) == 1:
            cycle = walk[walk.index(node) :]
            low = cycle.index(min(cycle))
            cycles.append(cycle[low:] + cycle[:low])
        for visited in walk:
            state[visited] = 2
    return cycles


def cycle_error(parents: Mapping[int, int | None], units: Mapping[int, UnitShape]) -> OrgCycle:
    """The error naming the first cycle of ``parents`` (``A → B → A``)."""
    cycles = find_cycles(parents) or [[next(iter(units))]]
    first = cycles[0]
    return OrgCycle([units[i].name for i in [*first, first[0]]])
