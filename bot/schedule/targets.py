"""Which receiving units a scheduled round occurrence starts a round for (pure)."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

from bot.domain.org_tree import OrgTree
from bot.domain.templates import normalize_key
from storage.models import Unit

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Target:
    """A receiving unit a scheduled round is started for.

    Attributes:
        unit_key: The receiving unit's key.
        unit_name: Its name (in the round's title).
        group_ref: Where its round is announced.
    """

    unit_key: str
    unit_name: str
    group_ref: str


def receiving_targets(
    units: Sequence[Unit], receiving: str, answering: str, default_group: str | None
) -> list[Target]:
    """Units on the ``receiving`` level that have units on the ``answering`` level with
    managers below them (levels compared as keys), in the order of ``units``.

    Args:
        units: Every unit of the workspace, with their managers.
        receiving: The receiving level.
        answering: The answering level.
        default_group: Channel for receiving units without their own ``channel_ref``
            (else the unit's key).

    Returns:
        The targets.
    """
    tree = OrgTree(units)
    targets = []
    for unit in units:
        if normalize_key(unit.level_key) != normalize_key(receiving):
            continue
        answering_units = [
            u
            for u in tree.subtree(unit)
            if normalize_key(u.level_key) == normalize_key(answering) and u.managers
        ]
        if not answering_units:
            log.info("no %s with a manager under %s; nothing to start", answering, unit.name)
            continue
        group = unit.channel_ref or default_group or unit.key
        targets.append(Target(unit.key, unit.name, group))
    return targets
