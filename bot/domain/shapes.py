"""What the pure domain reads of stored things, as structural types.

The domain never imports storage: it states the attributes it needs, and storage's
models (or any plain object, in tests) satisfy them without knowing these protocols.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol


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


class MemberShape(PersonShape, Protocol):
    """A person together with the chat id they are reached at."""

    @property
    def chat_id(self) -> str: ...


class AnswerShape(Protocol):
    """One stored answer."""

    @property
    def question_key(self) -> str: ...

    @property
    def status(self) -> str: ...

    @property
    def text(self) -> str: ...


class ParticipationShape(Protocol):
    """One unit's (and manager's) part in a round, with what the summary reads of it."""

    @property
    def id(self) -> int: ...

    @property
    def person_id(self) -> int | None: ...

    @property
    def unit_id(self) -> int: ...

    @property
    def status(self) -> str: ...

    @property
    def thread_ref(self) -> str | None: ...

    @property
    def unit(self) -> UnitShape: ...

    @property
    def person(self) -> MemberShape | None: ...

    @property
    def answers(self) -> Sequence[AnswerShape]: ...
