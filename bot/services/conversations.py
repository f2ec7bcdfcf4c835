"""Use cases of chat platforms without threads of their own (Teams): where each person is
reached, which card shows which question, people's chat ids, and the platform's outbox.

Adapters call these and never see a session; the outbox is the same ``chat_posts`` table
the Slack adapter uses, with its own ``platform``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from bot.services.kernel import ServiceKernel
from storage.conversations import CardRef, ConversationRef
from storage.outbox import Claim, DuePost, Landed, NewPost, OutboxStore
from storage.repository import Repository

__all__ = [
    "CardRef",
    "Claim",
    "ConversationRef",
    "Conversations",
    "DuePost",
    "Landed",
    "NewPost",
    "PlatformOutbox",
]


class PlatformOutbox:
    """The outbox (``chat_posts``) of one platform: plan, claim, record, resend.

    Args:
        kernel: the shared unit-of-work plumbing (its session factory and clock).
        platform: the ``platform`` column of the rows (``teams``).
    """

    def __init__(self, kernel: ServiceKernel, platform: str) -> None:
        self.platform = platform
        self._store = OutboxStore(kernel.session_factory, kernel.clock, platform=platform)

    @property
    def lease(self) -> timedelta:
        """How long the writer of a row may send it before the resender takes it over."""
        return self._store.lease

    def plan(
        self, workspace: str, posts: Sequence[NewPost], lease: timedelta | None = None
    ) -> set[str]:
        """Write ``posts`` as pending rows (existing keys skipped); the keys this call holds."""
        inserted, _ = self._store.plan(workspace, posts, lease)
        return inserted

    def claim(self, workspace: str, post: NewPost) -> Claim:
        """Claim ``post`` to send it now, or learn it was (or is being) sent."""
        return self._store.claim(workspace, post)

    def sent(self, workspace: str, landed: Sequence[Landed]) -> None:
        """Record delivered posts."""
        self._store.sent(workspace, landed)

    def failed(self, workspace: str, key: str, retry_in: timedelta | None = None) -> str:
        """A send failed for now; due again after ``retry_in`` (or the back-off)."""
        return self._store.failed(workspace, key, retry_in)

    def dead(self, workspace: str, key: str) -> None:
        """Give a post up for good (the platform refused it)."""
        self._store.dead(workspace, key)

    def take_over_due(self, limit: int = 50) -> list[DuePost]:
        """Rows of this platform nobody is sending (lease ran out, or retry due)."""
        return self._store.take_over_due(limit)

    def recorded(self, workspace: str, key: str) -> tuple[str | None, str | None] | None:
        """Where a delivered post went (conversation, activity id), or None."""
        return self._store.recorded(workspace, key)

    def status(self, workspace: str, key: str) -> str | None:
        """The status of the post under ``key``."""
        return self._store.status(workspace, key)


class Conversations:
    """Conversation references, question cards and chat ids, one transaction per call."""

    def __init__(self, kernel: ServiceKernel) -> None:
        self.kernel = kernel
        self._outboxes: dict[str, PlatformOutbox] = {}

    def outbox(self, platform: str) -> PlatformOutbox:
        """The outbox of ``platform`` (one object per platform)."""
        if platform not in self._outboxes:
            self._outboxes[platform] = PlatformOutbox(self.kernel, platform)
        return self._outboxes[platform]

    def remember(self, workspace: str, platform: str, ref: ConversationRef) -> bool:
        """Store where ``ref.chat_id`` is reached; True when it was new or changed."""
        now = self.kernel.now()
        return self.kernel.transaction(
            workspace, lambda repo: repo.conversations.put(platform, ref, now)
        )

    def reference(self, workspace: str, platform: str, chat_id: str) -> ConversationRef | None:
        """Where ``chat_id`` is reached, if known."""
        return self.kernel.read(workspace, lambda repo: repo.conversations.get(platform, chat_id))

    def owner_of(
        self, workspace: str, platform: str, conversation_id: str
    ) -> ConversationRef | None:
        """The person whose personal chat ``conversation_id`` is."""
        return self.kernel.read(
            workspace, lambda repo: repo.conversations.by_conversation(platform, conversation_id)
        )

    def record_card(
        self,
        workspace: str,
        platform: str,
        participation_id: int,
        question_ref: str,
        conversation_id: str,
        activity_id: str,
    ) -> None:
        """Remember that ``activity_id`` shows question ``question_ref`` with its buttons."""
        now = self.kernel.now()

        def work(repo: Repository) -> None:
            repo.conversations.add_card(
                platform, participation_id, question_ref, conversation_id, activity_id, now
            )

        self.kernel.transaction(workspace, work)

    def cards(self, workspace: str, platform: str, participation_id: int) -> list[CardRef]:
        """The participation's question cards, oldest first."""
        return self.kernel.read(
            workspace, lambda repo: repo.conversations.cards(platform, participation_id)
        )

    def card_at(
        self, workspace: str, platform: str, conversation_id: str, activity_id: str
    ) -> CardRef | None:
        """The question card posted as ``activity_id``."""
        return self.kernel.read(
            workspace,
            lambda repo: repo.conversations.card_at(platform, conversation_id, activity_id),
        )

    def card_shown(self, workspace: str, card_id: int, shown: str) -> None:
        """Remember what a card shows now (so it is updated once per change)."""
        self.kernel.transaction(
            workspace, lambda repo: repo.conversations.set_card_shown(card_id, shown)
        )

    def rename_people(self, workspace: str, mapping: dict[str, str]) -> list[tuple[str, str]]:
        """Replace people's chat ids (e-mail → Entra object id); the renames made."""
        return self.kernel.transaction(
            workspace, lambda repo: repo.conversations.rename_people(mapping)
        )

    def chat_ids(self, workspace: str) -> list[str]:
        """Every person's chat id in the workspace."""
        return self.kernel.read(workspace, lambda repo: repo.conversations.chat_ids())
