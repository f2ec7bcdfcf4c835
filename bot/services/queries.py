"""Read-only use cases: rounds, their progress and summaries, participations and answers
(as a person may see them where a viewer is given; rules: :mod:`bot.domain.access`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.domain import access
from bot.domain.collation import swedish_sorted
from bot.domain.errors import UnknownPerson
from bot.domain.org_tree import OrgTree
from bot.domain.results import (
    AnswerLine,
    Participant,
    QuestionPrompt,
    RoundInfo,
    RoundStatus,
    UnitProgress,
)
from bot.domain.states import RoundState
from bot.domain.templates import Question
from bot.services.kernel import ServiceKernel
from bot.services.participation import (
    ANSWERED,
    ParticipationKernel,
    info,
    own_questions,
    reads,
    sheet,
)
from storage.models import Round, Unit
from storage.repository import Repository

if TYPE_CHECKING:
    from bot.summary import RoundSummary


class Queries:
    """What adapters show: each method one read-only unit of work.

    Args:
        kernel: the shared unit-of-work plumbing.
    """

    def __init__(self, kernel: ServiceKernel) -> None:
        self.kernel = kernel
        self.flow = ParticipationKernel(kernel)

    # Rounds -----------------------------------------------------------------------

    @reads
    def summary(self, repo: Repository, round_id: int) -> RoundSummary:
        """The summary of a round as it stands now (open or closed)."""
        return self.flow.summary(repo, self.flow.round(repo, round_id))

    @reads
    def summary_for(
        self, repo: Repository, round_id: int, viewer: str, action: str
    ) -> RoundSummary:
        """A round's whole summary for an organiser's ``action`` (export, re-post)."""
        self.flow.require_organiser(repo, viewer, action)
        return self.flow.summary(repo, self.flow.round(repo, round_id))

    @reads
    def rounds(self, repo: Repository, status: str | None = None) -> list[RoundInfo]:
        """Rounds of the workspace, newest first."""
        return [info(r, self.kernel.template_of(r)) for r in repo.rounds(status)]

    @reads
    def round_info(self, repo: Repository, round_id: int) -> RoundInfo:
        """Facts about one round."""
        round_ = self.flow.round(repo, round_id)
        return info(round_, self.kernel.template_of(round_))

    @reads
    def status(self, repo: Repository, round_id: int) -> RoundStatus:
        """Progress per unit of a round."""
        return self._status(repo, self.flow.round(repo, round_id))

    def _status(self, repo: Repository, round_: Round) -> RoundStatus:
        template = self.kernel.template_of(round_)
        counts = repo.response_counts(round_.id)
        by_unit: dict[int, list[Participant]] = {}
        units: dict[int, Unit] = {}
        for p in round_.participations:
            units[p.unit_id] = p.unit
            by_unit.setdefault(p.unit_id, []).append(
                self.flow.participant(p, template, answered=counts.get(p.id, 0))
            )
        progress = swedish_sorted(
            (
                UnitProgress(
                    units[uid].key,
                    units[uid].name,
                    units[uid].level_key,
                    swedish_sorted(ps, lambda p: p.name),
                )
                for uid, ps in by_unit.items()
            ),
            lambda u: u.unit_name,
        )
        return RoundStatus(info(round_, template), progress)

    # Reads as a person may see them (rules: bot/domain/access.py) ---------------------------

    def _readable_keys(self, repo: Repository, viewer: str, what: str) -> frozenset[str] | None:
        """Keys of the units ``viewer`` may read; None for all; refused for none."""
        tree = OrgTree(repo.units())
        scope = self.flow.scope(repo, viewer, tree)
        if scope.nothing:
            raise access.NoReadAccess(what)
        if scope.everything:
            return None
        return frozenset(tree.by_id[i].key for i in scope.unit_ids)

    @reads
    def status_for(self, repo: Repository, round_id: int, viewer: str) -> RoundStatus:
        """A round's progress as ``viewer`` may see it: every unit for process supports
        and admins, the units of their branch for a manager; refused otherwise."""
        keys = self._readable_keys(repo, viewer, f"#{round_id}")
        status = access.visible_status(self._status(repo, self.flow.round(repo, round_id)), keys)
        if not status.units:
            raise access.NoReadAccess(f"#{round_id}")
        return status

    @reads
    def open_statuses_for(self, repo: Repository, viewer: str) -> list[RoundStatus]:
        """Open rounds, newest first, each with the units ``viewer`` may see; rounds
        without any such unit are left out. Refused for people who may read nothing."""
        keys = self._readable_keys(repo, viewer, "status")
        statuses = [
            access.visible_status(self._status(repo, r), keys) for r in repo.rounds(RoundState.OPEN)
        ]
        return [s for s in statuses if s.units]

    @reads
    def managed_unit_keys(self, repo: Repository, chat_id: str) -> list[str]:
        """Keys of the units ``chat_id`` is listed as manager of."""
        person = repo.person(chat_id)
        if person is None:
            return []
        managed = access.managed_units(person, repo.units())
        return [u.key for u in swedish_sorted(managed, lambda u: u.name)]

    # Participants -----------------------------------------------------------------

    @reads
    def participant(self, repo: Repository, participation_id: int) -> Participant:
        """One participation as plain data."""
        p = self.flow.participation(repo, participation_id)
        return self.flow.participant(p, self.kernel.template_of(p.round))

    @reads
    def participation_for_thread(self, repo: Repository, thread_ref: str) -> Participant | None:
        """The participation whose conversation lives at ``thread_ref``, if any."""
        p = repo.participation_by_thread(thread_ref)
        return None if p is None else self.flow.participant(p, self.kernel.template_of(p.round))

    @reads
    def pending_for(
        self, repo: Repository, chat_id: str
    ) -> list[tuple[Participant, QuestionPrompt]]:
        """A person's unfinished participations in open rounds (with how many questions
        they have answered), with their next question."""
        if repo.person(chat_id) is None:
            raise UnknownPerson(chat_id, [p.chat_id for p in repo.people()])
        out: list[tuple[Participant, QuestionPrompt]] = []
        for p in repo.open_participations_of(chat_id):
            template = self.kernel.template_of(p.round)
            prompt = self.flow.prompt(repo, p, template, p.round, with_previous=True)
            if prompt is not None:
                answered = repo.response_counts(p.round_id).get(p.id, 0)
                out.append((self.flow.participant(p, template, answered), prompt))
        return out

    @reads
    def open_participations_for(self, repo: Repository, chat_id: str) -> list[Participant]:
        """A person's participations in open rounds, finished ones included (they may still
        change their answers until the round closes), with how many questions they have
        answered."""
        if repo.person(chat_id) is None:
            raise UnknownPerson(chat_id, [p.chat_id for p in repo.people()])
        return [
            self.flow.participant(
                p,
                self.kernel.template_of(p.round),
                repo.response_counts(p.round_id).get(p.id, 0),
            )
            for p in repo.open_participations_of(chat_id, include_finished=True)
        ]

    @reads
    def answer_sheet(self, repo: Repository, participation_id: int) -> list[AnswerLine]:
        """Every question of a participation with its current answer, in template order."""
        p = self.flow.participation(repo, participation_id)
        return list(sheet(p, self.kernel.template_of(p.round)))

    @reads
    def questions_of(self, repo: Repository, participation_id: int) -> tuple[Question, ...]:
        """The questions a participant is asked, in order (what their form shows)."""
        p = self.flow.participation(repo, participation_id)
        return own_questions(p, self.kernel.template_of(p.round))

    @reads
    def current_prompt(self, repo: Repository, participation_id: int) -> QuestionPrompt | None:
        """The question a participant is on, or None when finished."""
        p = self.flow.participation(repo, participation_id)
        template = self.kernel.template_of(p.round)
        return self.flow.prompt(repo, p, template, p.round, with_previous=True)

    @reads
    def answers_of(self, repo: Repository, participation_id: int) -> dict[str, str]:
        """Current answer texts of a participation by question key (answered only)."""
        return {
            a.question_key: a.text for a in repo.answers(participation_id) if a.status == ANSWERED
        }
