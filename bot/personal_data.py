"""Personal data: everything stored about one person (right of access), erasing a
person's identity while the units' documentation stays (it must be archived), and the
retention purge of what is only kept for delivery (post contents, message keys).

Each function is one unit of work; every query lives in :mod:`storage.personal_data`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from bot.errors import DialogError, UnknownPerson
from bot.schedule.jobs import NewJob
from bot.services.container import Services
from storage import personal_data as queries
from storage.absences import AbsenceRepository
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
    raw = ((os.environ if env is None else env).get(RETENTION_VARIABLE) or "").strip()
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


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()


def _owned_by(session: Session, workspace: str, person: Person) -> list[Activity]:
    """Activities whose owner (free text) names this person: their full name or chat id,
    compared without regard to case (Python's, which knows Å, Ä and Ö)."""
    names = {n.strip().casefold() for n in (person.name, person.chat_id, f"<@{person.chat_id}>")}
    return [
        a
        for a in queries.activities_with_owner(session, workspace)
        if (a.owner or "").strip().casefold() in names
    ]


def _dm_channels(participations: list[Participation]) -> list[str]:
    """DM channels of a person's conversations (in channel delivery the thread is in a
    shared channel, which is not theirs)."""
    return sorted(
        {
            p.thread_ref.split(":", 1)[0]
            for p in participations
            if p.thread_ref and p.round.delivery == "dm"
        }
    )


def _participation(
    p: Participation, keys: list[str], events: list[dict[str, Any]]
) -> dict[str, Any]:
    round_ = p.round
    return {
        "round": {
            "id": round_.id,
            "title": round_.title,
            "template": round_.template.key,
            "status": round_.status,
            "created_at": _iso(round_.created_at),
            "closed_at": _iso(round_.closed_at),
        },
        "unit": {"key": p.unit.key, "name": p.unit.name},
        "status": p.status,
        "thread": p.thread_ref,
        "started_at": _iso(p.started_at),
        "finished_at": _iso(p.finished_at),
        "answers": [
            {
                "question": a.question_key,
                "text": a.text,
                "status": a.status,
                "revision": a.revision,
                "updated_at": _iso(a.updated_at),
                "from_message": a.source_ref,
                "revisions": [
                    {
                        "revision": r.revision,
                        "text": r.text,
                        "status": r.status,
                        "from_message": r.source_ref,
                        "created_at": _iso(r.created_at),
                    }
                    for r in a.revisions
                ],
            }
            for a in p.answers
        ],
        "activity_changes": events,
        "message_keys": keys,
    }


def export_person(services: Services, workspace: str, chat_id: str) -> dict[str, Any]:
    """Everything stored about the person with ``chat_id``, as JSON-ready data.

    Answers are included for rounds that are not anonymous; for anonymous rounds only
    the fact of taking part is listed (closing such a round erases even that link).
    """
    with services.kernel.legacy_unit_of_work(workspace) as uow:
        repo, session = uow.repo, uow.session
        person = repo.person(chat_id)
        if person is None:
            raise UnknownPerson(chat_id, [p.chat_id for p in repo.people()])
        participations = list(queries.participations_of(session, workspace, person.id))
        named = [p for p in participations if not p.round.anonymous]
        pids = [p.id for p in named]
        keys: dict[int, list[str]] = {}
        for m in queries.message_keys_of(session, pids):
            keys.setdefault(m.participation_id or 0, []).append(m.message_key)
        events: dict[int, list[dict[str, Any]]] = {}
        for e in queries.activity_events_of(session, pids):
            events.setdefault(e.participation_id or 0, []).append(
                {
                    "activity": e.activity.title,
                    "kind": e.kind,
                    "status": e.status,
                    "note": e.note,
                    "at": _iso(e.created_at),
                }
            )
        posts = queries.posts_addressed_to(session, workspace, chat_id, _dm_channels(named))
        return {
            "workspace": workspace,
            "exported_at": _iso(services.kernel.clock.now()),
            "person": {
                "chat_id": person.chat_id,
                "name": person.name,
                "roles": list(person.roles),
                "lang": person.lang,
            },
            "units_managed": [
                {"key": u.key, "name": u.name, "level": u.level_key}
                for u in queries.units_managed_by(session, workspace, person.id)
            ],
            "participations": [
                _participation(p, keys.get(p.id, []), events.get(p.id, [])) for p in named
            ],
            "anonymous_participations": [
                {"round_id": p.round_id, "unit": p.unit.name, "status": p.status}
                for p in participations
                if p.round.anonymous
            ],
            "rounds_started": [
                {"id": r.id, "title": r.title, "created_at": _iso(r.created_at)}
                for r in queries.rounds_started_by(session, workspace, chat_id)
            ],
            "activities_owned": [
                {
                    "unit": a.unit.name,
                    "title": a.title,
                    "owner": a.owner,
                    "status": a.status,
                    "note": a.status_note,
                    "round_id": a.round_id,
                }
                for a in _owned_by(session, workspace, person)
            ],
            "absences": [
                {
                    "starts_on": a.starts_on.isoformat(),
                    "ends_on": a.ends_on.isoformat(),
                    "deputy": a.deputy.chat_id if a.deputy is not None else None,
                    "created_by": a.created_by,
                }
                for a in AbsenceRepository(session, workspace).of_person(person.id)
            ],
            "posts_addressed": [
                {
                    "key": p.post_key,
                    "status": p.status,
                    "channel": p.channel,
                    "ts": p.ts,
                    "sent_at": _iso(p.sent_at),
                    "payload": p.payload,
                }
                for p in posts
            ],
        }


@dataclass(frozen=True)
class Erased:
    """What :func:`erase_person` removed."""

    participations: int
    message_keys: int
    activities: int
    posts: int


def erase_person(services: Services, workspace: str, chat_id: str) -> Erased:
    """Remove the identity of the person with ``chat_id`` (name, chat id, threads,
    message references, manager roles); their answers stay with their units."""
    with services.kernel.legacy_unit_of_work(workspace) as uow:
        person = uow.repo.person(chat_id)
        if person is None:
            raise UnknownPerson(chat_id, [p.chat_id for p in uow.repo.people()])
        participations = list(queries.participations_of(uow.session, workspace, person.id))
        posts = queries.erase_posts_addressed_to(
            uow.session, workspace, chat_id, _dm_channels(participations)
        )
        owned = [a.id for a in _owned_by(uow.session, workspace, person)]
        counts = queries.erase_person(uow.session, workspace, person, owned)
        uow.commit()
    return Erased(
        counts.get("participations", 0),
        counts.get("message_keys", 0),
        counts.get("activities", 0),
        posts,
    )


@dataclass(frozen=True)
class Purged:
    """What :func:`purge_expired` removed."""

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


def purge_expired(services: Services, days: int) -> Purged:
    """Purge post contents and applied message keys older than ``days``, in every
    workspace (idempotent)."""
    before = services.kernel.clock.now() - timedelta(days=days)
    with services.kernel.session_factory() as session, session.begin():
        posts = queries.purge_post_payloads(session, before)
        keys = queries.purge_processed_messages(session, before)
    return Purged(before, posts, keys)
