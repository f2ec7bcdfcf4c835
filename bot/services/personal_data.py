"""Use cases on personal data: a person's export (right of access), erasing a person's
identity, and the daily retention purge (pure parts in :mod:`bot.personal_data`, queries
in :mod:`storage.personal_data`)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from bot.domain.errors import UnknownPerson
from bot.personal_data import (
    Erased,
    Purged,
    dm_channels,
    iso,
    owned_by,
    participation_data,
)
from bot.services.kernel import ServiceKernel
from storage.all_workspaces import all_workspaces
from storage.repository import Repository


class PersonalData:
    """Access, erasure and retention of personal data.

    Args:
        kernel: The shared unit-of-work plumbing.
    """

    def __init__(self, kernel: ServiceKernel) -> None:
        self.kernel = kernel

    def export_person(self, workspace: str, chat_id: str) -> dict[str, Any]:
        """Everything stored about the person with ``chat_id``, as JSON-ready data.

        Answers are included for rounds that are not anonymous; for anonymous rounds only
        the fact of taking part is listed (closing such a round erases even that link).

        Raises:
            UnknownPerson: If nobody has that chat id.
        """
        now = self.kernel.now()

        def work(repo: Repository) -> dict[str, Any]:
            person = repo.person(chat_id)
            if person is None:
                raise UnknownPerson(chat_id, [p.chat_id for p in repo.people()])
            pd = repo.personal_data
            participations = list(pd.participations_of(person.id))
            named = [p for p in participations if not p.round.anonymous]
            pids = [p.id for p in named]
            keys: dict[int, list[str]] = {}
            for m in pd.message_keys_of(pids):
                keys.setdefault(m.participation_id or 0, []).append(m.message_key)
            events: dict[int, list[dict[str, Any]]] = {}
            for e in pd.activity_events_of(pids):
                events.setdefault(e.participation_id or 0, []).append(
                    {
                        "activity": e.activity.title,
                        "kind": e.kind,
                        "status": e.status,
                        "note": e.note,
                        "at": iso(e.created_at),
                    }
                )
            posts = pd.posts_addressed_to(chat_id, dm_channels(named))
            return {
                "workspace": workspace,
                "exported_at": iso(now),
                "person": {
                    "chat_id": person.chat_id,
                    "name": person.name,
                    "roles": list(person.roles),
                    "lang": person.lang,
                },
                "units_managed": [
                    {"key": u.key, "name": u.name, "level": u.level_key}
                    for u in pd.units_managed_by(person.id)
                ],
                "participations": [
                    participation_data(p, keys.get(p.id, []), events.get(p.id, [])) for p in named
                ],
                "anonymous_participations": [
                    {"round_id": p.round_id, "unit": p.unit.name, "status": p.status}
                    for p in participations
                    if p.round.anonymous
                ],
                "rounds_started": [
                    {"id": r.id, "title": r.title, "created_at": iso(r.created_at)}
                    for r in pd.rounds_started_by(chat_id)
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
                    for a in owned_by(person, pd.activities_with_owner())
                ],
                "absences": [
                    {
                        "starts_on": a.starts_on.isoformat(),
                        "ends_on": a.ends_on.isoformat(),
                        "deputy": a.deputy.chat_id if a.deputy is not None else None,
                        "created_by": a.created_by,
                    }
                    for a in repo.absences.of_person(person.id)
                ],
                "posts_addressed": [
                    {
                        "key": p.post_key,
                        "status": p.status,
                        "channel": p.channel,
                        "ts": p.ts,
                        "sent_at": iso(p.sent_at),
                        "payload": p.payload,
                    }
                    for p in posts
                ],
            }

        return self.kernel.read(workspace, work)

    def erase_person(self, workspace: str, chat_id: str) -> Erased:
        """Remove the identity of the person with ``chat_id`` (name, chat id, threads,
        message references, manager roles); their answers stay with their units.

        Raises:
            UnknownPerson: If nobody has that chat id.
        """

        def work(repo: Repository) -> Erased:
            person = repo.person(chat_id)
            if person is None:
                raise UnknownPerson(chat_id, [p.chat_id for p in repo.people()])
            pd = repo.personal_data
            participations = list(pd.participations_of(person.id))
            posts = pd.erase_posts_addressed_to(chat_id, dm_channels(participations))
            owned = [a.id for a in owned_by(person, pd.activities_with_owner())]
            counts = pd.erase_person(person, owned)
            return Erased(
                counts.get("participations", 0),
                counts.get("message_keys", 0),
                counts.get("activities", 0),
                posts,
            )

        return self.kernel.transaction(workspace, work)

    def purge_expired(self, days: int) -> Purged:
        """Purge post contents and applied message keys older than ``days``, in every
        workspace (idempotent)."""
        before = self.kernel.now() - timedelta(days=days)
        with all_workspaces(self.kernel.session_factory) as every:
            posts = every.purge_post_payloads(before)
            keys = every.purge_processed_messages(before)
        return Purged(before, posts, keys)
