"""Use cases of rounds: start and close them, remember where they live, and who may."""

from __future__ import annotations

from collections.abc import Collection
from random import SystemRandom
from typing import Any

from bot import absence_roster
from bot.domain import access
from bot.domain.absence import ABSENT
from bot.domain.anonymity import Respondent, day_start, plan_pools
from bot.domain.collation import swedish_sorted
from bot.domain.commands import StartRound
from bot.domain.errors import InvalidInput, NoParticipants, TextTooLong, UnknownRound
from bot.domain.org_tree import OrgTree
from bot.domain.results import Participant, QuestionPrompt, RoundStarted, UnitChoice
from bot.domain.states import ParticipationState, RoundEvent, RoundState, is_open, round_after
from bot.domain.templates import DialogTemplate, normalize_key
from bot.domain.text_input import REF_MAX, TITLE_MAX, clean_text, clip
from bot.input_errors import check_level
from bot.services.kernel import ServiceKernel
from bot.services.participation import ANSWERED, ParticipationKernel, info, reads, writes
from bot.summary import RoundSummary
from storage.models import Round, TemplateSnapshot, Unit
from storage.repository import Repository


class Rounds:
    """Starting and closing rounds, and the facts adapters keep about them.

    Args:
        kernel: the shared unit-of-work plumbing.
    """

    def __init__(self, kernel: ServiceKernel) -> None:
        self.kernel = kernel
        self.flow = ParticipationKernel(kernel)

    def start_round(self, workspace: str, cmd: StartRound) -> RoundStarted:
        """Create a round and a participation for every manager of the chosen units.

        An anonymous round is always delivered privately (``dm``), whatever was asked:
        answering in a thread of the group's channel would show who said what.
        """
        template = self.kernel.catalog.get(cmd.template)
        if cmd.lang not in ("sv", "en"):
            raise InvalidInput(f"lang={cmd.lang}")
        if cmd.delivery not in ("channel", "dm"):
            raise InvalidInput(f"delivery={cmd.delivery}")
        typed_title = clean_text(cmd.title).strip()
        if len(typed_title) > TITLE_MAX:
            raise TextTooLong("title", len(typed_title), TITLE_MAX)
        if len(cmd.group_ref) > REF_MAX:
            raise TextTooLong("group", len(cmd.group_ref), REF_MAX)
        return self.kernel.transaction(
            workspace, lambda repo: self._start(repo, cmd, template, typed_title)
        )

    def _start(
        self, repo: Repository, cmd: StartRound, template: DialogTemplate, typed_title: str
    ) -> RoundStarted:
        if cmd.external_key:
            existing = repo.round_by_external_key(cmd.external_key)
            if existing is not None:
                return self._started(repo, existing, [], already=True)
        tree, chosen = self.checked_start(repo, cmd)
        snapshot = self._snapshot(repo, template)
        now = self.kernel.now()
        title = typed_title or _default_title(template, cmd, tree)
        pairs = [
            (unit, person, status)
            for unit, person, status in absence_roster.respondents(repo, chosen, now)
            if template.questions_for(unit.level_key)
        ]
        if cmd.anonymous:
            # Participation ids must not reveal the units in organisation order.
            SystemRandom().shuffle(pairs)
        round_ = Round(
            workspace_id=repo.workspace_id,
            template_snapshot_id=snapshot.id,
            title=clip(title, TITLE_MAX),
            status=RoundState.OPEN,
            group_ref=cmd.group_ref,
            delivery="dm" if cmd.anonymous else cmd.delivery,
            anonymous=cmd.anonymous,
            anonymity_k=repo.anonymity_k() if cmd.anonymous else None,
            invited_unit_ids=sorted(u.id for u in chosen) if cmd.anonymous else None,
            lang=cmd.lang,
            deadline_at=cmd.deadline_at,
            created_by=cmd.started_by,
            created_at=now,
            external_key=cmd.external_key,
        )
        round_.template = snapshot
        repo.add(round_)
        repo.flush()
        without_manager = [unit.name for unit in chosen if not unit.managers]
        if not pairs:
            raise NoParticipants(u.name for u in chosen)
        repo.add_participations(
            round_,
            [
                (unit.id, person.id, ParticipationState(status).value)
                for unit, person, status in pairs
            ],
        )
        return self._started(repo, round_, without_manager, already=False)

    def checked_start(self, repo: Repository, cmd: StartRound) -> tuple[OrgTree[Any], list[Unit]]:
        """The checks of a start that write nothing: the starter's role, the level, the
        units (each must exist, and together they must bring a unit to ask); the
        organisation and the chosen units."""
        if cmd.started_by is not None:
            self.flow.require_organiser(repo, cmd.started_by, "start")
        tree = OrgTree(repo.units())
        if cmd.level is not None:
            check_level(cmd.level, [lv.key for lv in repo.levels()])
        return tree, select_units(tree, cmd)

    def _started(
        self, repo: Repository, round_: Round, without: list[str], *, already: bool
    ) -> RoundStarted:
        template = self.kernel.template_of(round_)
        pairs: list[tuple[Participant, QuestionPrompt]] = []
        for p in round_.participations:
            if p.status == ABSENT:  # away without a deputy: asked when back
                continue
            prompt = self.flow.prompt(repo, p, template, round_)
            if prompt is None:
                prompt = self.flow.prompt_at(repo, p, template, round_, 0)
            participant = self.flow.participant(p, template)
            pairs.append((absence_roster.on_behalf(participant, p), prompt))
        return RoundStarted(
            round=info(round_, template),
            participants=pairs,
            units_without_manager=without,
            already_existed=already,
        )

    def _snapshot(self, repo: Repository, template: DialogTemplate) -> TemplateSnapshot:
        digest = template.content_hash()
        snap = repo.snapshot(template.key, template.version, digest)
        if snap is None:
            snap = TemplateSnapshot(
                workspace_id=repo.workspace_id,
                key=template.key,
                version=template.version,
                content_hash=digest,
                body=template.model_dump(mode="json"),
                created_at=self.kernel.now(),
            )
            repo.add(snap)
            repo.flush()
        return snap

    @reads
    def is_organiser(self, repo: Repository, chat_id: str) -> bool:
        """True when the person may start, remind and close rounds."""
        person = repo.person(chat_id)
        return person is not None and access.is_organiser(person.roles)

    @reads
    def person_names(self, repo: Repository, chat_ids: Collection[str]) -> dict[str, str]:
        """The organisation's names for these chat ids (ids of no known person are left out)."""
        people = (repo.person(chat_id) for chat_id in sorted(chat_ids))
        return {p.chat_id: p.name for p in people if p is not None}

    @reads
    def unit_choices(self, repo: Repository) -> tuple[list[tuple[str, str]], list[UnitChoice]]:
        """The workspace's levels (key, name; top first) and its units with their level's
        name, in Swedish order: what a start form offers."""
        levels = [(lv.key, lv.name) for lv in repo.levels()]
        names = dict(levels)
        units = [
            UnitChoice(u.key, u.name, names.get(u.level_key, u.level_key))
            for u in swedish_sorted(repo.units(), lambda u: u.name)
        ]
        return levels, units

    @reads
    def require_organiser(self, repo: Repository, chat_id: str, action: str) -> None:
        """Refuse ``action`` (remind, close, export, re-post) to people without the role."""
        self.flow.require_organiser(repo, chat_id, action)

    @writes
    def set_thread(self, repo: Repository, participation_id: int, thread_ref: str) -> None:
        """Remember where a participant's conversation lives (a thread, a DM)."""
        p = self.flow.participation(repo, participation_id)
        if p.thread_ref != thread_ref:
            p.thread_ref = thread_ref

    @writes
    def set_announcement(self, repo: Repository, round_id: int, ref: str) -> None:
        """Remember the message that announced the round."""
        self.flow.round(repo, round_id).announcement_ref = ref

    @writes
    def close_round(
        self, repo: Repository, round_id: int, closed_by: str | None = None
    ) -> tuple[RoundSummary, bool]:
        """Close a round and return its summary, and whether this call closed it.

        Closing twice is harmless: the second call returns the same summary and False.
        """
        if closed_by is not None:
            self.flow.require_organiser(repo, closed_by, "close")
        round_ = repo.round(round_id, for_update=True)
        if round_ is None:
            raise UnknownRound(round_id)
        newly = is_open(round_.status)
        if newly:
            round_.status = round_after(round_.status, RoundEvent.CLOSE)
            round_.closed_at = self.kernel.now()
            round_.closed_by = closed_by
            if round_.anonymous:
                repo.flush()
                _anonymise(repo, round_)
        return self.flow.summary(repo, round_), newly

    @reads
    def invited_units(self, repo: Repository, round_id: int) -> list[str]:
        """Keys of the units a round was sent to (also after an anonymous round closed)."""
        round_ = self.flow.round(repo, round_id)
        ids = round_.invited_unit_ids or sorted({p.unit_id for p in round_.participations})
        tree = OrgTree(repo.units())
        return [tree.by_id[i].key for i in ids if i in tree.by_id]


def select_units(tree: OrgTree[Any], cmd: StartRound) -> list[Any]:
    """The units ``cmd`` names (with their subtrees, on its level); refused with
    :class:`~bot.domain.errors.UnknownUnit` or, when none is left, :class:`NoParticipants`."""
    if not cmd.units:
        raise InvalidInput("units")
    chosen: dict[int, Unit] = {}
    for ref in cmd.units:
        unit = tree.find(ref)
        for u in tree.subtree(unit) if cmd.subtrees else [unit]:
            if cmd.level is None or normalize_key(u.level_key) == normalize_key(cmd.level):
                chosen.setdefault(u.id, u)
    if not chosen:
        raise NoParticipants(cmd.units)
    return list(chosen.values())


def _default_title(template: DialogTemplate, cmd: StartRound, tree: OrgTree[Any]) -> str:
    roots = [tree.find(ref).name for ref in cmd.units]
    return f"{template.name.get(cmd.lang)} — {', '.join(roots)}"


def _anonymise(repo: Repository, round_: Round) -> None:
    """Pool the answers of a closing anonymous round (who answered is still known
    here) and erase every link between people and answers."""
    if round_.anonymity_k is None:  # started before rounds kept their k
        round_.anonymity_k = repo.anonymity_k()
    participations = repo.participations(round_.id)
    plan = plan_pools(
        [
            Respondent(
                p.id,
                p.unit_id,
                p.person_id,
                any(a.status == ANSWERED for a in p.answers),
            )
            for p in participations
        ],
        OrgTree(repo.units()),
        round_.anonymity_k,
    )
    repo.anonymise_round(round_.id, plan.pool_of, plan.withheld, plan.top_unit_id, day_start)
