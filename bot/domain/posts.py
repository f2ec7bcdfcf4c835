"""A post the core asks a chat platform to make, before the outbox stores it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class NewPost:
    """A post to be made: its key, what the platform call needs, and what it is about.

    ``round_id`` / ``participation_id`` are filled wherever known, so a round's posts can be
    found (and erased) by them.
    """

    key: str
    payload: dict[str, Any]
    channel: str | None = None
    round_id: int | None = None
    participation_id: int | None = None
