"""Recording where posts landed, many at once: what a fan-out learns as its posts go out,
and what the posts after an answer leave to record (one transaction for both)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Protocol

from bot.domain.results import QuestionMessageChange
from bot.services.kernel import ServiceKernel
from bot.services.question_messages import QuestionMessages
from storage.landings import ShownAt
from storage.outbox import Landed, NewPost
from storage.repository import Repository


class UpdateClaims(Protocol):
    """Claims the updates of the question messages a landing finds out of date, in the
    landing's transaction: the platform's outbox rows for those updates (opaque to the
    engine), written as ``pending`` under a lease the caller holds while it makes them."""

    lease: timedelta
    #: The chat platform the updates go to (the outbox's ``platform`` column).
    platform: str

    def posts_for(self, found: Mapping[int, Sequence[QuestionMessageChange]]) -> Sequence[NewPost]:
        """The outbox rows of the updates ``found`` (by participation) calls for."""
        ...

    def claimed(self, keys: set[str], lease_until: datetime) -> None:
        """After the commit: the keys written now (held until ``lease_until``)."""
        ...


class Landings:
    """Batch bookkeeping of landed posts, one transaction per call."""

    def __init__(self, kernel: ServiceKernel) -> None:
        self.kernel = kernel
        self._messages = QuestionMessages(kernel)

    def record(
        self,
        workspace: str,
        threads: Mapping[int, str] | None = None,
        announcements: Mapping[int, str] | None = None,
        shown: Sequence[ShownAt] = (),
        sent: Sequence[Landed] = (),
        *,
        lazy_commit: bool = False,
        updates: UpdateClaims | None = None,
        states: Mapping[int, str] | None = None,
    ) -> dict[int, list[QuestionMessageChange]]:
        """Mark landed outbox rows sent (``sent``) and remember participants' threads
        (participation id → thread ref), rounds' announcements (round id → ref), question
        messages and what updated ones show now (``states``: message id → state, the
        update among ``sent``), in one transaction.

        Returns, for the participations among ``shown`` whose question was shown after an
        answer (``ShownAt.index`` above 0), which of their question messages need an
        update (:meth:`QuestionMessages.changed` without the prompt of a question shown
        again; usually none, or the message of the question just answered). With
        ``lazy_commit`` the commit does not wait for the disk (PostgreSQL): for posts the
        resender finds again if a database crash loses it (see ``bench/NOTES.md``). With
        ``updates``, the updates those messages need are claimed in the same transaction
        (:class:`UpdateClaims`), instead of one transaction each before they are made."""
        if not threads and not announcements and not shown and not sent:
            return {}

        def work(repo: Repository) -> dict[int, list[QuestionMessageChange]]:
            landings = repo.landings
            read: dict[int, str] = {}
            for s in shown:
                if s.index is not None and s.index > 0:
                    read.setdefault(s.participation_id, s.platform)
            messages = landings.record(
                sent, shown, self.kernel.now(), lazy=lazy_commit, read=read, states=states
            )
            landings.set_threads(threads or {})
            landings.set_announcements(announcements or {})
            found = {
                pid: self._messages.changes_in(repo, pid, platform, messages[pid])
                for pid, platform in read.items()
            }
            if updates is not None and found:
                now = self.kernel.now()
                until = now + updates.lease
                mine = repo.write_pending(updates.posts_for(found), now, until, updates.platform)
                claimed.append((mine, until))
            return found

        claimed: list[tuple[set[str], datetime]] = []
        found = self.kernel.transaction(workspace, work)
        if updates is not None and claimed:
            updates.claimed(*claimed[-1])
        return found
