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


class ParticipationRow(NamedTuple):
    """One participation of a round as its summary reads it, read without the ORM.

    ``person_name`` and ``chat_id`` are None when no person is linked (an anonymous
    round after close)."""

    id: int
    person_id: int | None
    unit_id: int
    status: str
    thread_ref: str | None
    person_name: str | None
    chat_id: str | None


class AnswerRow(NamedTuple):
    """One stored answer of a round, read without the ORM."""

    participation_id: int
    question_key: str
    status: str
    text: str


class SummaryRows(NamedTuple):
    """What a round's summary is built from: its participations (by id), their answers,
    and every unit of the workspace (by id)."""

    participations: list[ParticipationRow]
    answers: list[AnswerRow]
    units: list[UnitRow]
