"""Recording where posts landed, many at once: what a fan-out learns as its posts go out."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from bot.services.kernel import ServiceKernel
from storage.landings import ShownAt
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
    ) -> None:
        """Remember participants' threads (participation id → thread ref), rounds'
        announcements (round id → ref) and question messages, in one transaction."""
        if not threads and not announcements and not shown:
            return

        def work(repo: Repository) -> None:
            repo.landings.set_threads(threads or {})
            repo.landings.set_announcements(announcements or {})
            repo.landings.add_question_messages(shown, self.kernel.now())

        self.kernel.transaction(workspace, work)
