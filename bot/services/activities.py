"""Use cases of the dialog chain's activities (:mod:`bot.chain`): confirming and
correcting the activities read from answers, and reading a unit's activities."""

from __future__ import annotations

from bot.chain import activities as chain_activities
from bot.chain.errors import NoActivities
from bot.domain import access
from bot.domain.errors import EmptyAnswer, InvalidInput
from bot.domain.org_tree import OrgTree
from bot.domain.results import ActivityView, Outcome
from bot.domain.splitting import split_activities
from bot.services.kernel import ServiceKernel
from bot.services.participation import (
    ParticipationKernel,
    activity_keys,
    reads,
    require_text,
    writes,
)
from storage.repository import Repository


class Activities:
    """Activities read from answers, and their follow-up.

    Args:
        kernel: the shared unit-of-work plumbing.
    """

    def __init__(self, kernel: ServiceKernel) -> None:
        self.kernel = kernel
        self.flow = ParticipationKernel(kernel)

    @writes
    def confirm_activities(
        self, repo: Repository, participation_id: int, message_key: str
    ) -> Outcome:
        """The manager confirms the activities read from their answers: they become open."""
        p, template, dup = self.flow.begin(repo, participation_id, message_key)
        if dup is not None:
            return dup
        views = chain_activities.confirm(repo, p, activity_keys(template), self.kernel.now())
        if not views:
            raise NoActivities()
        self.flow.mark(repo, message_key, p, "activities_confirmed")
        return Outcome(
            "activities_confirmed",
            p.id,
            self.flow.prompt(repo, p, template, p.round, with_previous=True),
            activities=tuple(views),
        )

    @writes
    def correct_activities(
        self,
        repo: Repository,
        participation_id: int,
        text: str,
        message_key: str,
        question_key: str | None = None,
    ) -> Outcome:
        """Replace the activities read from an answer with a corrected list (re-split).

        Without ``question_key`` the activities question answered last is corrected.
        The corrected items are confirmed at once; the answer text itself is kept.
        """
        p, template, dup = self.flow.begin(repo, participation_id, message_key)
        if dup is not None:
            return dup
        drafts = split_activities(require_text(text))
        if not drafts:
            raise EmptyAnswer()
        keys = activity_keys(template)
        if question_key is not None and question_key not in keys:
            raise InvalidInput(question_key)
        key = question_key or chain_activities.latest_activity_question(repo, p, keys)
        if key is None or p.answer_to(key) is None:
            raise NoActivities()
        views = chain_activities.correct(repo, p, key, drafts, self.kernel.now())
        self.flow.mark(repo, message_key, p, "activities_corrected")
        return Outcome(
            "activities_corrected",
            p.id,
            self.flow.prompt(repo, p, template, p.round, with_previous=True),
            key,
            activities=tuple(views),
        )

    @reads
    def activities(
        self, repo: Repository, unit: str, *, only_open: bool = False
    ) -> list[ActivityView]:
        """A unit's tracked activities (unit key or name), oldest first."""
        found = OrgTree(repo.units()).find(unit)
        return chain_activities.unit_activities(repo, found.id, only_open=only_open)

    @reads
    def activities_for(
        self, repo: Repository, unit: str, viewer: str, *, only_open: bool = False
    ) -> list[ActivityView]:
        """A unit's activities (key or name), if ``viewer`` may read that unit."""
        tree = OrgTree(repo.units())
        scope = self.flow.scope(repo, viewer, tree)
        if scope.nothing:
            raise access.NoReadAccess(unit)
        found = tree.find(unit)
        access.require_unit(scope, found)
        return chain_activities.unit_activities(repo, found.id, only_open=only_open)
