"""A post the core asks a chat platform to make, before the outbox stores it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
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


def occasion_key(given: str | None, now: datetime) -> str:
    """The post-key part that keeps one reminder (or digest) round apart from the next:
    ``given`` (e.g. the trigger of a ``/dialog remind``), else the hour of ``now``, so the
    same reminder goes out at most once an hour."""
    return given or now.strftime("%Y%m%d%H")
