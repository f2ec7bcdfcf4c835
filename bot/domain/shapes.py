"""What the pure domain reads of stored things, as structural types.

The domain never imports storage: it states the attributes it needs, and storage's
models (or any plain object, in tests) satisfy them without knowing these protocols.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple, Protocol


class PersonShape(Protocol):
    """A person of the organisation, as the access rules see one."""

    @property
    def id(self) -> int: ...

    @property
    def name(self) -> str: ...

    @property
    def roles(self) -> list[str]: ...


class UnitShape(Protocol):
    """A unit of the organisation tree, as the tree walks and summaries see one."""

    @property
    def id(self) -> int: ...

    @property
    def key(self) -> str: ...

    @property
    def name(self) -> str: ...

    @property
    def level_key(self) -> str: ...

    @property
    def parent_id(self) -> int | None: ...


class ManagedUnitShape(UnitShape, Protocol):
    """A unit together with its managers."""

    @property
    def managers(self) -> Sequence[PersonShape]: ...


class UnitRow(NamedTuple):
    """A unit as plain values (a :class:`UnitShape`), read without the ORM."""

    id: int
    key: str
    name: str
    level_key: str
    parent_id: int | None


#: One participation of a round as its summary reads it, a plain tuple read without the
#: ORM: (id, person_id, unit_id, status, thread_ref, person's name, person's chat id); the
#: person's name and chat id are None when no person is linked (an anonymous round after
#: close).
ParticipationRow = tuple[int, int | None, int, str, str | None, str | None, str | None]

#: One stored answer of a round, a plain tuple: (participation_id, question_key, status,
#: text).
AnswerRow = tuple[int, str, str, str]


class SummaryRows(NamedTuple):
    """What a round's summary is built from: its participations (by id), their answers,
    and every unit of the workspace (by id)."""

    participations: Sequence[ParticipationRow]
    answers: Sequence[AnswerRow]
    units: Sequence[UnitRow]
