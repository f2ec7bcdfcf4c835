"""Who may read what: the one policy every read path goes through.

Pure functions over a person's roles and the organisation tree; the engine calls them
inside its units of work (:meth:`bot.services.queries.Queries.status_for` and friends), so
every adapter (Slack commands, App Home, buttons) gets the same answer.

The rules (also in the README):

* process supports (``processtod``) and admins see everything and may act on rounds
  (remind, close, export, re-post a summary);
* a manager — a person listed as manager of a unit — sees the units they manage and
  every unit below them (their branch), and nothing else;
* everyone else, including people who are not in the organisation, sees nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import TypeVar

from bot.domain.errors import DialogError, NotAllowed
from bot.domain.org_tree import OrgTree
from bot.domain.results import RoundStatus
from bot.domain.shapes import ManagedUnitShape, PersonShape, UnitShape
from bot.domain.templates import normalize_key

MU = TypeVar("MU", bound=ManagedUnitShape)

ORGANISER_ROLES = ("processtod", "admin")
"""Roles that see all rounds and may start, remind, close and export them."""


class NoReadAccess(DialogError):
    """The person may not read what they asked for (a friendly refusal)."""

    key = "access.denied"

    def __init__(self, what: str) -> None:
        super().__init__(f"no read access: {what}", what=what)


@dataclass(frozen=True)
class ReadScope:
    """What one person may read in a workspace.

    Attributes:
        everything: a process support or admin.
        unit_ids: the units a manager may read (their own and everything below).
    """

    everything: bool
    unit_ids: frozenset[int]

    @property
    def nothing(self) -> bool:
        """True when the person may read nothing at all."""
        return not self.everything and not self.unit_ids

    def sees(self, unit_id: int) -> bool:
        """Whether the unit with ``unit_id`` is readable."""
        return self.everything or unit_id in self.unit_ids


NO_SCOPE = ReadScope(False, frozenset())


def normalize_role(role: str) -> str:
    """'Processtöd', 'processtod' and 'PROCESSTÖD' are the same role."""
    return normalize_key(role)


def is_organiser(roles: Iterable[str]) -> bool:
    """True for roles that include ``processtod`` or ``admin`` (spelled any way)."""
    return any(normalize_key(r) in ORGANISER_ROLES for r in roles)


def managed_units(person: PersonShape, units: Iterable[MU]) -> list[MU]:
    """The units ``person`` is listed as manager of."""
    return [u for u in units if any(m.id == person.id for m in u.managers)]


def read_scope(person: PersonShape | None, tree: OrgTree[MU]) -> ReadScope:
    """The read scope of ``person`` (None: not in the organisation) over ``tree``."""
    if person is None:
        return NO_SCOPE
    if is_organiser(person.roles):
        return ReadScope(True, frozenset())
    visible: set[int] = set()
    for unit in managed_units(person, tree.by_id.values()):
        visible.update(u.id for u in tree.subtree(unit))
    return ReadScope(False, frozenset(visible))


def visible_status(status: RoundStatus, unit_keys: frozenset[str] | None) -> RoundStatus:
    """``status`` with only the units whose keys are in ``unit_keys`` (None: all)."""
    if unit_keys is None:
        return status
    return replace(status, units=[u for u in status.units if u.unit_key in unit_keys])


def require_unit(scope: ReadScope, unit: UnitShape) -> None:
    """Refuse reading ``unit`` outside ``scope``."""
    if not scope.sees(unit.id):
        raise NoReadAccess(unit.name)


def require_organiser(scope: ReadScope, action: str) -> None:
    """Refuse acting on whole rounds (remind, close, export, re-post) without the role."""
    if not scope.everything:
        raise NotAllowed(action, ORGANISER_ROLES)
