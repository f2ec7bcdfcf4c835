"""Personal data: everything stored about one person (right of access), erasing a
person's identity while the units' documentation stays (it must be archived), and the
retention purge of what is only kept for delivery (post contents, message keys).

The use cases are :class:`bot.services.personal_data.PersonalData`
(``services.personal_data``), one unit of work each; every query lives in
:mod:`storage.personal_data`. This module holds the pure parts: the retention setting,
the purge job, and how the stored rows become the export.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.config import current
from bot.domain.errors import DialogError
from bot.schedule.jobs import NewJob
from storage.models import Participation, Person
from storage.models_chain import Activity

PURGE_JOB_KIND = "purge"
PURGE_WORKSPACE = "*"
"""The daily purge is one job for all workspaces."""
RETENTION_VARIABLE = "DIALOGBOT_RETENTION_DAYS"
DEFAULT_RETENTION_DAYS = 90
"""Post contents and message keys older than this are purged unless configured."""


class RetentionSettingError(DialogError):
    """``DIALOGBOT_RETENTION_DAYS`` is not a positive number of days (or ``off``)."""

    key = "privacy.retention_invalid"

    def __init__(self, value: str) -> None:
        super().__init__(f"bad retention setting {value!r}", value=value)


def retention_days_from_env(env: Mapping[str, str] | None = None) -> int | None:
    """Days to keep post contents and message keys: ``DIALOGBOT_RETENTION_DAYS``
    (default 90); ``off`` keeps them for ever (None)."""
    raw = (current().retention_days if env is None else env.get(RETENTION_VARIABLE) or "").strip()
    if not raw:
        return DEFAULT_RETENTION_DAYS
    if raw.lower() in ("off", "never", "none"):
        return None
    try:
        days = int(raw)
    except ValueError:
        raise RetentionSettingError(raw) from None
    if days < 1:
        raise RetentionSettingError(raw)
    return days


def iso(moment: datetime | None) -> str | None:
    """A moment as ISO 8601 text (None stays None)."""
    return None if moment is None else moment.isoformat()


def owned_by(person: Person, activities: Sequence[Activity]) -> list[Activity]:
    """The activities whose owner (free text) names this person: their full name or chat
    id, compared without regard to case (Python's, which knows Å, Ä and Ö)."""
    names = {n.strip().casefold() for n in (person.name, person.chat_id, f"<@{person.chat_id}>")}
    return [a for a in activities if (a.owner or "").strip().casefold() in names]


def dm_channels(participations: list[Participation]) -> list[str]:
    """DM channels of a person's conversations (in channel delivery the thread is in a
    shared channel, which is not theirs)."""
    return sorted(
        {
            p.thread_ref.split(":", 1)[0]
            for p in participations
            if p.thread_ref and p.round.delivery == "dm"
        }
    )


def participation_data(
    p: Participation, keys: list[str], events: list[dict[str, Any]]
) -> dict[str, Any]:
    """One participation in a person's export, with its answers and their revisions."""
    round_ = p.round
    return {
        "round": {
            "id": round_.id,
            "title": round_.title,
            "template": round_.template.key,
            "status": round_.status,
            "created_at": iso(round_.created_at),
            "closed_at": iso(round_.closed_at),
        },
        "unit": {"key": p.unit.key, "name": p.unit.name},
        "status": p.status,
        "thread": p.thread_ref,
        "started_at": iso(p.started_at),
        "finished_at": iso(p.finished_at),
        "answers": [
            {
                "question": a.question_key,
                "text": a.text,
                "status": a.status,
                "revision": a.revision,
                "updated_at": iso(a.updated_at),
                "from_message": a.source_ref,
                "revisions": [
                    {
                        "revision": r.revision,
                        "text": r.text,
                        "status": r.status,
                        "from_message": r.source_ref,
                        "created_at": iso(r.created_at),
                    }
                    for r in a.revisions
                ],
            }
            for a in p.answers
        ],
        "activity_changes": events,
        "message_keys": keys,
    }


@dataclass(frozen=True)
class Erased:
    """What erasing a person removed (``services.personal_data.erase_person``)."""

    participations: int
    message_keys: int
    activities: int
    posts: int


@dataclass(frozen=True)
class Purged:
    """What the retention purge removed (``services.personal_data.purge_expired``)."""

    before: datetime
    post_payloads: int
    message_keys: int

    def describe(self) -> str:
        """One line for operators."""
        return (
            f"purged {self.post_payloads} post payloads and {self.message_keys} message keys "
            f"older than {self.before.isoformat()}"
        )


def purge_job(now: datetime, days: int) -> NewJob:
    """Today's purge job for the scheduler: its key is the UTC date, so every replica
    plans the same job and it runs once a day."""
    return NewJob(
        workspace_id=PURGE_WORKSPACE,
        kind=PURGE_JOB_KIND,
        job_key=f"purge:{now.date().isoformat()}",
        due_at=now,
        payload={"days": days},
    )
