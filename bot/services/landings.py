"""Recording where posts landed, many at once: what a fan-out learns as its posts go out,
and what the posts after an answer leave to record (one transaction for both)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from bot.domain.states import is_finished
from bot.services.kernel import ServiceKernel
from storage.landings import ShownAt
from storage.models_question_messages import OPEN
from storage.outbox import Landed
from storage.repository import Repository


class Landings:
    """Batch bookkeeping of landed posts, one transaction per call."""

    def __init__(self, kernel: ServiceKernel) -> None:
        self.kernel = kernel

    def record(
        self,
        workspace: str,
        threads: Mapping[int, str] | None = None,
        announcements: Mapping[int, str] | None = None,
        shown: Sequence[ShownAt] = (),
        sent: Sequence[Landed] = (),
        *,
        lazy_commit: bool = False,
    ) -> frozenset[int]:
        """Mark landed outbox rows sent (``sent``) and remember participants' threads
        (participation id → thread ref), rounds' announcements (round id → ref) and
        question messages, in one transaction.

        Returns the participations among ``shown`` whose question messages need no
        update: every message recorded for them shows, with its buttons, the question
        just shown (``ShownAt.index`` known), and the participant is still on it. With
        ``lazy_commit`` the commit does not wait for the disk (PostgreSQL): for posts the
        resender finds again if a database crash loses it (see ``bench/NOTES.md``)."""
        if not threads and not announcements and not shown and not sent:
            return frozenset()

        def work(repo: Repository) -> frozenset[int]:
            landings = repo.landings
            if lazy_commit:
                landings.commit_lazily()
            landings.mark_sent(sent, self.kernel.now())
            landings.set_threads(threads or {})
            landings.set_announcements(announcements or {})
            landings.add_question_messages(shown, self.kernel.now())
            return _up_to_date(repo, shown)

        return self.kernel.transaction(workspace, work)


def _up_to_date(repo: Repository, shown: Sequence[ShownAt]) -> frozenset[int]:
    """Participations of ``shown`` whose every recorded message on its platform shows the
    question just shown, open, and whose participant is still at that question: what
    :meth:`bot.services.question_messages.QuestionMessages.changed` would find nothing
    to update for (its full check runs for every other participation)."""
    just: dict[int, ShownAt | None] = {}
    for s in shown:
        # One message per participation, of a template question after an answer.
        known = s.index is not None and s.index > 0
        just[s.participation_id] = None if s.participation_id in just or not known else s
    candidates = {pid: s for pid, s in just.items() if s is not None}
    if not candidates:
        return frozenset()
    platforms = {s.platform for s in candidates.values()}
    if len(platforms) != 1:
        return frozenset()
    fine = set(candidates)
    for row in repo.landings.messages_of(sorted(candidates), platforms.pop()):
        s = candidates[row.participation_id]
        if (
            row.question_ref != s.question_ref
            or row.shown != OPEN
            or row.position != s.index
            or is_finished(row.status)
        ):
            fine.discard(row.participation_id)
    return frozenset(fine)
