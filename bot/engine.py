"""The platform-neutral dialog engine.

Adapters (console, Slack, later Teams) call these methods with plain values and get
plain results back (:mod:`bot.results`). Every method is one unit of work: it reads,
changes and commits, so the database is the only state and a restart resumes each
participant exactly where they were. Every incoming message or action carries a
``message_key``; applying the same key twice changes nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Sequence
from dataclasses import replace
from random import SystemRandom
from typing import Any, TypeVar

from sqlalchemy.orm import Session, object_session, sessionmaker

from bot import absence_roster, access
from bot.absence import ABSENT
from bot.access import ORGANISER_ROLES, ReadScope
from bot.anonymity import Respondent, day_start, plan_pools
from bot.chain import activities as chain_activities
from bot.chain.context import branch_context, context_for
from bot.chain.errors import FollowupNotUnderstood, NoActivities
from bot.chain.followup import FOLLOWUP_KEY, followup_prompt
from bot.chain.splitting import parse_followup, split_activities
from bot.clock import Clock
from bot.collation import swedish_sorted
from bot.domain.commands import StartRound as StartRound  # re-exported: bot.domain.commands
from bot.errors import (
    EmptyAnswer,
    InvalidInput,
    NoParticipants,
    NoParticipation,
    NotAllowed,
    NothingToEdit,
    NotYourThread,
    QuestionNotCurrent,
    RoundClosed,
    TextTooLong,
    UnknownPerson,
    UnknownRound,
)
from bot.input_errors import check_level
from bot.logs import bind as bind_log_context
from bot.metrics import answer_stored
from bot.org_tree import OrgTree
from bot.ports import PostPlanner
from bot.results import (
    ActivityView,
    AnswerLine,
    ContextItem,
    Outcome,
    OutcomeKind,
    Participant,
    QuestionPrompt,
    RoundInfo,
    RoundStarted,
    RoundStatus,
    UnitChoice,
    UnitProgress,
)
from bot.services.container import Services
from bot.services.kernel import ServiceKernel
from bot.summary import RoundSummary, build_summary
from bot.templates import DialogTemplate, Question, TemplateCatalog, normalize_key
from bot.text_input import REF_MAX, TITLE_MAX, clean_text, clip
from storage.models import (
    Answer,
    AnswerRevision,
    Participation,
    Person,
    ProcessedMessage,
    Round,
    TemplateSnapshot,
    Unit,
)
from storage.models_chain import Activity
from storage.repository import Repository
from storage.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)


def _stored(outcome: Outcome) -> None:
    """Log and count a committed change of a participation (ids only, never the text)."""
    log.info(
        "%s stored (participation %s, question %s)",
        outcome.kind,
        outcome.participation_id,
        outcome.question_key,
    )
    if outcome.kind != "duplicate":
        answer_stored(outcome.kind)


T = TypeVar("T")

ANSWERED = "answered"
SKIPPED = "skipped"
WITHDRAWN = "withdrawn"


def normalize_role(role: str) -> str:
    """'Processtöd', 'processtod' and 'PROCESSTÖD' are the same role."""
    return normalize_key(role)


class DialogEngine:
    """Runs dialog rounds on top of a SQLAlchemy session factory."""

    def __init__(
        self,
        session_factory: sessionmaker[Session],
        catalog: TemplateCatalog,
        clock: Clock | None = None,
        max_attempts: int = 5,
    ) -> None:
        self.kernel = ServiceKernel(session_factory, catalog, clock, max_attempts)
        self.session_factory = session_factory
        self.catalog = catalog
        self.clock: Clock = self.kernel.clock
        self._transaction = self.kernel.transaction
        self._read = self.kernel.read
        self.template_of = self.kernel.template_of
        self._now = self.kernel.now
        self.services = Services(self.kernel)

    # Plumbing ---------------------------------------------------------------------

    def unit_of_work(self, workspace: str) -> UnitOfWork:
        """A new unit of work for ``workspace``."""
        return UnitOfWork(self.session_factory, workspace)

    # Rounds -----------------------------------------------------------------------

    def start_round(self, workspace: str, cmd: StartRound) -> RoundStarted:
        """Create a round and a participation for every manager of the chosen units.

        An anonymous round is always delivered privately (``dm``), whatever was asked:
        answering in a thread of the group's channel would show who said what.
        """
        template = self.catalog.get(cmd.template)
        if cmd.lang not in ("sv", "en"):
            raise InvalidInput(f"lang={cmd.lang}")
        if cmd.delivery not in ("channel", "dm"):
            raise InvalidInput(f"delivery={cmd.delivery}")
        typed_title = clean_text(cmd.title).strip()
        if len(typed_title) > TITLE_MAX:
            raise TextTooLong("title", len(typed_title), TITLE_MAX)
        if len(cmd.group_ref) > REF_MAX:
            raise TextTooLong("group", len(cmd.group_ref), REF_MAX)

        def work(repo: Repository) -> RoundStarted:
            if cmd.external_key:
                existing = repo.round_by_external_key(cmd.external_key)
                if existing is not None:
                    return self._started(repo, existing, [], already=True)
            if cmd.started_by is not None:
                self._require_organiser(repo, cmd.started_by, "start")
            tree = OrgTree(repo.units())
            if cmd.level is not None:
                check_level(cmd.level, [lv.key for lv in repo.levels()])
            chosen = self._select_units(tree, cmd)
            snapshot = self._snapshot(repo, template)
            now = self._now()
            title = typed_title or self._default_title(template, cmd, tree, chosen)
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
                status="open",
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
            for unit, person, status in pairs:
                p = Participation(
                    workspace_id=repo.workspace_id,
                    round_id=round_.id,
                    unit_id=unit.id,
                    person_id=person.id,
                    status=status,
                    position=0,
                )
                p.unit = unit
                p.person = person
                p.round = round_
                repo.add(p)
            if not round_.participations:
                raise NoParticipants(u.name for u in chosen)
            repo.flush()
            return self._started(repo, round_, without_manager, already=False)

        return self._transaction(workspace, work)

    def _started(
        self, repo: Repository, round_: Round, without: list[str], *, already: bool
    ) -> RoundStarted:
        template = self.template_of(round_)
        pairs: list[tuple[Participant, QuestionPrompt]] = []
        for p in round_.participations:
            if p.status == ABSENT:  # away without a deputy: asked when back
                continue
            prompt = self._prompt(p, template, round_)
            if prompt is None:
                prompt = self._prompt_at(p, template, round_, 0)
            pairs.append((absence_roster.on_behalf(self._participant(p, template), p), prompt))
        return RoundStarted(
            round=self._info(round_, template),
            participants=pairs,
            units_without_manager=without,
            already_existed=already,
        )

    def _select_units(self, tree: OrgTree[Any], cmd: StartRound) -> list[Unit]:
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

    def _default_title(
        self, template: DialogTemplate, cmd: StartRound, tree: OrgTree[Any], chosen: list[Unit]
    ) -> str:
        roots = [tree.find(ref).name for ref in cmd.units]
        return f"{template.name.get(cmd.lang)} — {', '.join(roots)}"

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
                created_at=self._now(),
            )
            repo.add(snap)
            repo.flush()
        return snap

    def _require_organiser(self, repo: Repository, chat_id: str, action: str) -> Person:
        person = repo.person(chat_id)
        if person is None or not access.is_organiser(person.roles):
            raise NotAllowed(action, ORGANISER_ROLES)
        return person

    def is_organiser(self, workspace: str, chat_id: str) -> bool:
        """True when the person may start, remind and close rounds."""

        def work(repo: Repository) -> bool:
            person = repo.person(chat_id)
            return person is not None and access.is_organiser(person.roles)

        return self._read(workspace, work)

    def person_names(self, workspace: str, chat_ids: Collection[str]) -> dict[str, str]:
        """The organisation's names for these chat ids (ids of no known person are left out)."""

        def work(repo: Repository) -> dict[str, str]:
            people = (repo.person(chat_id) for chat_id in sorted(chat_ids))
            return {p.chat_id: p.name for p in people if p is not None}

        return self._read(workspace, work)

    def unit_choices(self, workspace: str) -> tuple[list[tuple[str, str]], list[UnitChoice]]:
        """The workspace's levels (key, name; top first) and its units with their level's
        name, in Swedish order: what a start form offers."""

        def work(repo: Repository) -> tuple[list[tuple[str, str]], list[UnitChoice]]:
            levels = [(lv.key, lv.name) for lv in repo.levels()]
            names = dict(levels)
            units = [
                UnitChoice(u.key, u.name, names.get(u.level_key, u.level_key))
                for u in swedish_sorted(repo.units(), lambda u: u.name)
            ]
            return levels, units

        return self._read(workspace, work)

    def require_organiser(self, workspace: str, chat_id: str, action: str) -> None:
        """Refuse ``action`` (remind, close, export, re-post) to people without the role."""
        self._read(workspace, lambda repo: self._require_organiser(repo, chat_id, action))

    def set_thread(self, workspace: str, participation_id: int, thread_ref: str) -> None:
        """Remember where a participant's conversation lives (a thread, a DM)."""

        def work(repo: Repository) -> None:
            p = self._participation(repo, participation_id)
            if p.thread_ref != thread_ref:
                p.thread_ref = thread_ref

        self._transaction(workspace, work)

    def set_announcement(self, workspace: str, round_id: int, ref: str) -> None:
        """Remember the message that announced the round."""

        def work(repo: Repository) -> None:
            round_ = self._round(repo, round_id)
            round_.announcement_ref = ref

        self._transaction(workspace, work)

    def close_round(
        self, workspace: str, round_id: int, closed_by: str | None = None
    ) -> tuple[RoundSummary, bool]:
        """Close a round and return its summary, and whether this call closed it.

        Closing twice is harmless: the second call returns the same summary and False.
        """

        def work(repo: Repository) -> tuple[RoundSummary, bool]:
            if closed_by is not None:
                self._require_organiser(repo, closed_by, "close")
            round_ = repo.round(round_id, for_update=True)
            if round_ is None:
                raise UnknownRound(round_id)
            newly = round_.status != "closed"
            if newly:
                round_.status = "closed"
                round_.closed_at = self._now()
                round_.closed_by = closed_by
                if round_.anonymous:
                    repo.flush()
                    self._anonymise(repo, round_)
            return self._summary(repo, round_), newly

        return self._transaction(workspace, work)

    def _anonymise(self, repo: Repository, round_: Round) -> None:
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

    def invited_units(self, workspace: str, round_id: int) -> list[str]:
        """Keys of the units a round was sent to (also after an anonymous round closed)."""

        def work(repo: Repository) -> list[str]:
            round_ = self._round(repo, round_id)
            ids = round_.invited_unit_ids or sorted({p.unit_id for p in round_.participations})
            tree = OrgTree(repo.units())
            return [tree.by_id[i].key for i in ids if i in tree.by_id]

        return self._read(workspace, work)

    def summary(self, workspace: str, round_id: int) -> RoundSummary:
        """The summary of a round as it stands now (open or closed)."""
        return self._read(workspace, lambda repo: self._summary(repo, self._round(repo, round_id)))

    def _summary(self, repo: Repository, round_: Round) -> RoundSummary:
        template = self.template_of(round_)
        participations = repo.participations(round_.id)
        tree = OrgTree(repo.units())
        levels = {lv.key: lv.name for lv in repo.levels()}
        return build_summary(self._info(round_, template), template, participations, tree, levels)

    def rounds(self, workspace: str, status: str | None = None) -> list[RoundInfo]:
        """Rounds of the workspace, newest first."""

        def work(repo: Repository) -> list[RoundInfo]:
            return [self._info(r, self.template_of(r)) for r in repo.rounds(status)]

        return self._read(workspace, work)

    def round_info(self, workspace: str, round_id: int) -> RoundInfo:
        """Facts about one round."""

        def work(repo: Repository) -> RoundInfo:
            round_ = self._round(repo, round_id)
            return self._info(round_, self.template_of(round_))

        return self._read(workspace, work)

    def status(self, workspace: str, round_id: int) -> RoundStatus:
        """Progress per unit of a round."""

        def work(repo: Repository) -> RoundStatus:
            round_ = self._round(repo, round_id)
            template = self.template_of(round_)
            counts = repo.response_counts(round_id)
            by_unit: dict[int, list[Participant]] = {}
            units: dict[int, Unit] = {}
            for p in round_.participations:
                units[p.unit_id] = p.unit
                by_unit.setdefault(p.unit_id, []).append(
                    self._participant(p, template, answered=counts.get(p.id, 0))
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
            return RoundStatus(self._info(round_, template), progress)

        return self._read(workspace, work)

    # Reads as a person may see them (rules: bot/access.py) ---------------------------

    def _scope(self, repo: Repository, viewer: str, tree: OrgTree[Any] | None = None) -> ReadScope:
        return access.read_scope(repo.person(viewer), tree or OrgTree(repo.units()))

    def _readable_keys(self, workspace: str, viewer: str, what: str) -> frozenset[str] | None:
        """Keys of the units ``viewer`` may read; None for all; refused for none."""

        def work(repo: Repository) -> frozenset[str] | None:
            tree = OrgTree(repo.units())
            scope = self._scope(repo, viewer, tree)
            if scope.nothing:
                raise access.NoReadAccess(what)
            if scope.everything:
                return None
            return frozenset(tree.by_id[i].key for i in scope.unit_ids)

        return self._read(workspace, work)

    def status_for(self, workspace: str, round_id: int, viewer: str) -> RoundStatus:
        """A round's progress as ``viewer`` may see it: every unit for process supports
        and admins, the units of their branch for a manager; refused otherwise."""
        keys = self._readable_keys(workspace, viewer, f"#{round_id}")
        status = access.visible_status(self.status(workspace, round_id), keys)
        if not status.units:
            raise access.NoReadAccess(f"#{round_id}")
        return status

    def open_statuses_for(self, workspace: str, viewer: str) -> list[RoundStatus]:
        """Open rounds, newest first, each with the units ``viewer`` may see; rounds
        without any such unit are left out. Refused for people who may read nothing."""
        keys = self._readable_keys(workspace, viewer, "status")
        statuses = [
            access.visible_status(self.status(workspace, r.round_id), keys)
            for r in self.rounds(workspace, "open")
        ]
        return [s for s in statuses if s.units]

    def activities_for(
        self, workspace: str, unit: str, viewer: str, *, only_open: bool = False
    ) -> list[ActivityView]:
        """A unit's activities (key or name), if ``viewer`` may read that unit."""

        def work(repo: Repository) -> list[ActivityView]:
            tree = OrgTree(repo.units())
            scope = self._scope(repo, viewer, tree)
            if scope.nothing:
                raise access.NoReadAccess(unit)
            found = tree.find(unit)
            access.require_unit(scope, found)
            return chain_activities.unit_activities(repo, found.id, only_open=only_open)

        return self._read(workspace, work)

    def managed_unit_keys(self, workspace: str, chat_id: str) -> list[str]:
        """Keys of the units ``chat_id`` is listed as manager of."""

        def work(repo: Repository) -> list[str]:
            person = repo.person(chat_id)
            return (
                []
                if person is None
                else [
                    u.key
                    for u in swedish_sorted(
                        access.managed_units(person, repo.units()), lambda u: u.name
                    )
                ]
            )

        return self._read(workspace, work)

    def summary_for(self, workspace: str, round_id: int, viewer: str, action: str) -> RoundSummary:
        """A round's whole summary for an organiser's ``action`` (export, re-post)."""

        def work(repo: Repository) -> RoundSummary:
            self._require_organiser(repo, viewer, action)
            return self._summary(repo, self._round(repo, round_id))

        return self._read(workspace, work)

    # Participants -----------------------------------------------------------------

    def participant(self, workspace: str, participation_id: int) -> Participant:
        """One participation as plain data."""

        def work(repo: Repository) -> Participant:
            p = self._participation(repo, participation_id)
            return self._participant(p, self.template_of(p.round))

        return self._read(workspace, work)

    def participation_for_thread(self, workspace: str, thread_ref: str) -> Participant | None:
        """The participation whose conversation lives at ``thread_ref``, if any."""

        def work(repo: Repository) -> Participant | None:
            p = repo.participation_by_thread(thread_ref)
            return None if p is None else self._participant(p, self.template_of(p.round))

        return self._read(workspace, work)

    def pending_for(self, workspace: str, chat_id: str) -> list[tuple[Participant, QuestionPrompt]]:
        """A person's unfinished participations in open rounds (with how many questions
        they have answered), with their next question."""

        def work(repo: Repository) -> list[tuple[Participant, QuestionPrompt]]:
            if repo.person(chat_id) is None:
                raise UnknownPerson(chat_id, [p.chat_id for p in repo.people()])
            out: list[tuple[Participant, QuestionPrompt]] = []
            for p in repo.open_participations_of(chat_id):
                template = self.template_of(p.round)
                prompt = self._prompt(p, template, p.round, repo)
                if prompt is not None:
                    answered = repo.response_counts(p.round_id).get(p.id, 0)
                    out.append((self._participant(p, template, answered), prompt))
            return out

        return self._read(workspace, work)

    def open_participations_for(self, workspace: str, chat_id: str) -> list[Participant]:
        """A person's participations in open rounds, finished ones included (they may still
        change their answers until the round closes), with how many questions they have
        answered."""

        def work(repo: Repository) -> list[Participant]:
            if repo.person(chat_id) is None:
                raise UnknownPerson(chat_id, [p.chat_id for p in repo.people()])
            return [
                self._participant(
                    p,
                    self.template_of(p.round),
                    repo.response_counts(p.round_id).get(p.id, 0),
                )
                for p in repo.open_participations_of(chat_id, include_finished=True)
            ]

        return self._read(workspace, work)

    def answer_sheet(self, workspace: str, participation_id: int) -> list[AnswerLine]:
        """Every question of a participation with its current answer, in template order."""

        def work(repo: Repository) -> list[AnswerLine]:
            p = self._participation(repo, participation_id)
            return list(self._sheet(p, self.template_of(p.round)))

        return self._read(workspace, work)

    @staticmethod
    def _sheet(p: Participation, template: DialogTemplate) -> tuple[AnswerLine, ...]:
        """Every question the participant is asked, with their current answer (from its
        loaded answers), in template order."""
        lines = []
        for number, q in enumerate(own_questions(p, template), start=1):
            a = p.answer_to(q.key)
            status = a.status if a is not None else "unanswered"
            text = a.text if a is not None and a.status == ANSWERED else None
            lines.append(AnswerLine(number, q.key, q.text.get(p.round.lang), status, text))
        return tuple(lines)

    def questions_of(self, workspace: str, participation_id: int) -> tuple[Question, ...]:
        """The questions a participant is asked, in order (what their form shows)."""

        def work(repo: Repository) -> tuple[Question, ...]:
            p = self._participation(repo, participation_id)
            return own_questions(p, self.template_of(p.round))

        return self._read(workspace, work)

    def current_prompt(self, workspace: str, participation_id: int) -> QuestionPrompt | None:
        """The question a participant is on, or None when finished."""

        def work(repo: Repository) -> QuestionPrompt | None:
            p = self._participation(repo, participation_id)
            return self._prompt(p, self.template_of(p.round), p.round, repo)

        return self._read(workspace, work)

    def answers_of(self, workspace: str, participation_id: int) -> dict[str, str]:
        """Current answer texts of a participation by question key (answered only)."""

        def work(repo: Repository) -> dict[str, str]:
            return {
                a.question_key: a.text
                for a in repo.answers(participation_id)
                if a.status == ANSWERED
            }

        return self._read(workspace, work)

    # Answering --------------------------------------------------------------------

    def reply(
        self,
        workspace: str,
        participation_id: int,
        text: str,
        message_key: str,
        planner: PostPlanner | None = None,
    ) -> Outcome:
        """A participant's free-text reply: the answer to their current question. With a
        ``planner``, what it calls for is written to the outbox in the same transaction."""

        def work(repo: Repository) -> Outcome:
            p, seen = repo.participation_and_seen(participation_id, message_key)
            if p is None:
                raise NoParticipation(str(participation_id))
            return replace(self._reply(repo, p, seen, text, message_key), lang=p.round.lang)

        return self._transaction(workspace, work, planner)

    def _reply(
        self, repo: Repository, p: Participation, seen: bool, text: str, message_key: str
    ) -> Outcome:
        p, template, early = self._question_change(repo, p, seen, message_key)
        if early is not None:
            return early
        cleaned = _require_text(text)
        pending = self._pending_followups(repo, p, template)
        if pending:
            return self._followed_up(repo, p, template, pending[0], cleaned, message_key)
        question = own_questions(p, template)[p.position]
        self._store(repo, p, question.key, cleaned, ANSWERED, message_key)
        return self._advance(repo, p, template, "answered", question.key, message_key)

    def reply_in_thread(
        self,
        workspace: str,
        thread_ref: str,
        chat_id: str,
        text: str,
        message_key: str,
        planner: PostPlanner | None = None,
    ) -> Outcome | None:
        """A reply in the conversation at ``thread_ref`` by ``chat_id``: the answer to the
        current question of the participation living there. None when no participation
        lives there; :class:`NotYourThread` when someone else wrote. Looking up the thread
        and recognising a replay take one statement together. The outcome carries the
        round's language for the adapter's reply."""

        def work(repo: Repository) -> Outcome | None:
            p, seen = repo.participation_by_thread_and_seen(thread_ref, message_key)
            if p is None:
                return None
            if p.person is None or p.person.chat_id != chat_id:
                raise NotYourThread(p.person.name if p.person else "")
            return replace(self._reply(repo, p, seen, text, message_key), lang=p.round.lang)

        return self._transaction(workspace, work, planner)

    def skip(
        self,
        workspace: str,
        participation_id: int,
        message_key: str,
        question_key: str | None = None,
    ) -> Outcome:
        """Skip the current question. With ``question_key`` (a button's question, see
        :attr:`QuestionPrompt.ref`) only that question, and :class:`QuestionNotCurrent`
        when it is not the current one; ``""`` is a button that does not say."""

        def work(repo: Repository) -> Outcome:
            p, template, early = self._begin_question(repo, participation_id, message_key)
            if early is not None:
                return early
            self._require_current(repo, p, template, question_key)
            pending = self._pending_followups(repo, p, template)
            if pending:
                return self._followed_up(repo, p, template, pending[0], None, message_key)
            question = own_questions(p, template)[p.position]
            existing = p.answer_to(question.key)
            if existing is None or existing.status != ANSWERED:
                self._store(repo, p, question.key, "", SKIPPED, message_key)
            return self._advance(repo, p, template, "skipped", question.key, message_key)

        return self._transaction(workspace, work)

    def back(self, workspace: str, participation_id: int, message_key: str) -> Outcome:
        """Go back to the previous question (its earlier answer is shown and kept)."""

        def work(repo: Repository) -> Outcome:
            p, template, dup = self._begin(repo, participation_id, message_key)
            if dup is not None:
                return dup
            p.position = max(0, min(p.position, len(own_questions(p, template))) - 1)
            p.status = "answering"
            p.finished_at = None
            self._mark(repo, message_key, p, "back")
            return Outcome("back", p.id, self._prompt(p, template, p.round, repo))

        return self._transaction(workspace, work)

    def finish(
        self,
        workspace: str,
        participation_id: int,
        message_key: str,
        question_key: str | None = None,
    ) -> Outcome:
        """The participant is done; unanswered questions stay unanswered. With
        ``question_key`` (the button's question) :class:`QuestionNotCurrent` unless it is
        the current question."""

        def work(repo: Repository) -> Outcome:
            p, template, dup = self._begin(repo, participation_id, message_key)
            if dup is not None:
                return dup
            if p.status != "finished":
                self._require_current(repo, p, template, question_key)
                p.status = "finished"
                p.finished_at = self._now()
            self._mark(repo, message_key, p, "finished")
            return Outcome(
                "finished",
                p.id,
                None,
                finished=True,
                sheet=self._sheet(p, self.template_of(p.round)),
            )

        return self._transaction(workspace, work)

    def edit_by_source(
        self,
        workspace: str,
        source_ref: str,
        text: str,
        message_key: str,
        planner: PostPlanner | None = None,
    ) -> Outcome:
        """An edited chat message: update the answer that came from it."""

        def work(repo: Repository) -> Outcome:
            answer = repo.answer_by_source(source_ref)
            if answer is None:
                raise NothingToEdit(source_ref)
            return self._edit(repo, answer.participation_id, answer.question_key, text, message_key)

        return self._transaction(workspace, work, planner)

    def edit_question(
        self, workspace: str, participation_id: int, number: int, text: str, message_key: str
    ) -> Outcome:
        """Replace the answer to question ``number`` (1-based) without moving on."""

        def work(repo: Repository) -> Outcome:
            p = self._participation(repo, participation_id)
            questions = own_questions(p, self.template_of(p.round))
            if not 1 <= number <= len(questions):
                raise InvalidInput(f"1–{len(questions)}")
            return self._edit(repo, participation_id, questions[number - 1].key, text, message_key)

        return self._transaction(workspace, work)

    def _edit(
        self, repo: Repository, participation_id: int, question_key: str, text: str, key: str
    ) -> Outcome:
        p, template, dup = self._begin(repo, participation_id, key)
        if dup is not None:
            return dup
        cleaned = _require_text(text)
        self._store(repo, p, question_key, cleaned, ANSWERED, key, keep_source=True)
        self._mark(repo, key, p, "edited")
        return self._with_drafts(
            repo,
            p,
            template,
            Outcome(
                "edited",
                p.id,
                self._prompt(p, template, p.round),
                question_key,
                question_number=_number_of(own_questions(p, template), question_key),
            ),
        )

    def withdraw_by_source(
        self,
        workspace: str,
        source_ref: str,
        message_key: str,
        planner: PostPlanner | None = None,
    ) -> Outcome:
        """A deleted chat message: withdraw the answer that came from it."""

        def work(repo: Repository) -> Outcome:
            answer = repo.answer_by_source(source_ref)
            if answer is None:
                raise NothingToEdit(source_ref)
            p, template, dup = self._begin(repo, answer.participation_id, message_key)
            if dup is not None:
                return dup
            if answer.status != WITHDRAWN:
                self._store(repo, p, answer.question_key, "", WITHDRAWN, message_key, True)
            self._mark(repo, message_key, p, "withdrawn")
            return Outcome(
                "withdrawn",
                p.id,
                self._prompt(p, template, p.round),
                answer.question_key,
                question_number=_number_of(own_questions(p, template), answer.question_key),
            )

        return self._transaction(workspace, work, planner)

    def submit_form(
        self, workspace: str, participation_id: int, answers: dict[str, str], message_key: str
    ) -> Outcome:
        """Answers from a form (all remaining questions at once). Empty fields are left as
        they were; the participant finishes when every question has an answer or a skip."""

        def work(repo: Repository) -> Outcome:
            p, template, dup = self._begin(repo, participation_id, message_key)
            if dup is not None:
                return dup
            current = {a.question_key: a for a in repo.answers(p.id)}
            done = {k for k, a in current.items() if a.status in (ANSWERED, SKIPPED)}
            questions = own_questions(p, template)
            for q in questions:
                text = clean_text(answers.get(q.key) or "").strip()
                old = current.get(q.key)
                if text and (old is None or old.status != ANSWERED or old.text != text):
                    self._store(repo, p, q.key, text, ANSWERED, message_key, keep_source=True)
                    done.add(q.key)
            open_index = next(
                (i for i, q in enumerate(questions) if q.key not in done),
                len(questions),
            )
            p.position = open_index
            if open_index >= len(questions):
                if p.status != "finished":
                    p.status = "finished"
                    p.finished_at = self._now()
            else:
                p.status = "answering"
                p.started_at = p.started_at or self._now()
            self._mark(repo, message_key, p, "form_saved")
            finished = p.status == "finished"
            return self._with_drafts(
                repo,
                p,
                template,
                Outcome("form_saved", p.id, self._prompt(p, template, p.round), finished=finished),
            )

        return self._transaction(workspace, work)

    # Internals --------------------------------------------------------------------

    def _begin(
        self, repo: Repository, participation_id: int, message_key: str
    ) -> tuple[Participation, DialogTemplate, Outcome | None]:
        """Load a participation for a change; detect replays and closed rounds."""
        p, seen = repo.participation_and_seen(participation_id, message_key)
        if p is None:
            raise NoParticipation(str(participation_id))
        return self._change(p, seen)

    def _change(
        self, p: Participation, seen: bool
    ) -> tuple[Participation, DialogTemplate, Outcome | None]:
        """A replayed message gets a ``duplicate`` outcome; a closed round refuses changes."""
        bind_log_context(round=p.round_id, participation=p.id)
        template = self.template_of(p.round)
        if seen:
            return p, template, Outcome("duplicate", p.id, self._prompt(p, template, p.round))
        if p.round.status != "open":
            raise RoundClosed(p.round_id)
        return p, template, None

    def _begin_question(
        self, repo: Repository, participation_id: int, message_key: str
    ) -> tuple[Participation, DialogTemplate, Outcome | None]:
        """:meth:`_begin` for commands about the current question (see :meth:`_question_change`)."""
        p, seen = repo.participation_and_seen(participation_id, message_key)
        if p is None:
            raise NoParticipation(str(participation_id))
        return self._question_change(repo, p, seen, message_key)

    def _question_change(
        self, repo: Repository, p: Participation, seen: bool, message_key: str
    ) -> tuple[Participation, DialogTemplate, Outcome | None]:
        """:meth:`_change`, and a participant who has finished gets an ``already_finished``
        outcome (recorded, so replays agree)."""
        p, template, dup = self._change(p, seen)
        if dup is None and (
            p.status == "finished" or p.position >= len(own_questions(p, template))
        ):
            self._mark(repo, message_key, p, "already_finished")
            return p, template, Outcome("already_finished", p.id, None)
        return p, template, dup

    def _store(
        self,
        repo: Repository,
        p: Participation,
        question_key: str,
        text: str,
        status: str,
        source: str,
        keep_source: bool = False,
    ) -> None:
        now = self._now()
        answer = p.answer_to(question_key)
        if answer is None:
            answer = Answer(
                workspace_id=repo.workspace_id,
                participation_id=p.id,
                question_key=question_key,
                text=text,
                status=status,
                source_ref=source,
                revision=1,
                updated_at=now,
            )
            p.answers.append(answer)
        else:
            answer.revision += 1
            answer.text = text
            answer.status = status
            answer.updated_at = now
            if not keep_source or answer.source_ref is None:
                answer.source_ref = source
        revision = AnswerRevision(
            revision=answer.revision, text=text, status=status, source_ref=source, created_at=now
        )
        revision.answer = answer
        repo.session.add(revision)
        if self._is_activities_question(p, question_key):
            chain_activities.record_answer(repo, p, question_key, now)

    def _advance(
        self,
        repo: Repository,
        p: Participation,
        template: DialogTemplate,
        kind: OutcomeKind,
        question_key: str,
        message_key: str,
    ) -> Outcome:
        now = self._now()
        number = p.position + 1
        p.position += 1
        p.started_at = p.started_at or now
        finished = p.position >= len(own_questions(p, template))
        if finished:
            p.status = "finished"
            p.finished_at = now
        else:
            p.status = "answering"
        self._mark(repo, message_key, p, kind)
        return self._with_drafts(
            repo,
            p,
            template,
            Outcome(
                kind,
                p.id,
                self._prompt(p, template, p.round),
                question_key,
                finished,
                number,
                sheet=self._sheet(p, template) if finished else (),
            ),
        )

    def _require_current(
        self,
        repo: Repository,
        p: Participation,
        template: DialogTemplate,
        question_key: str | None,
    ) -> None:
        """Refuse a button whose question (``question_key``) is not the current one."""
        if question_key is None:
            return
        current = self._prompt(p, template, p.round, repo)
        if current is not None and current.ref == question_key:
            return
        number = next(
            (i for i, q in enumerate(own_questions(p, template), 1) if q.key == question_key),
            None,
        )
        answer = p.answer_to(question_key) if number is not None else None
        raise QuestionNotCurrent(
            number,
            current.number if current is not None else None,
            answered=answer is not None and answer.status == ANSWERED,
        )

    def _mark(self, repo: Repository, key: str, p: Participation, outcome: str) -> None:
        repo.add(
            ProcessedMessage(
                workspace_id=repo.workspace_id,
                message_key=key,
                participation_id=p.id,
                outcome=outcome,
                created_at=self._now(),
            )
        )

    def _participation(self, repo: Repository, participation_id: int) -> Participation:
        p = repo.participation(participation_id)
        if p is None:
            raise NoParticipation(str(participation_id))
        return p

    def _round(self, repo: Repository, round_id: int) -> Round:
        round_ = repo.round(round_id)
        if round_ is None:
            raise UnknownRound(round_id)
        return round_

    def _prompt(
        self,
        p: Participation,
        template: DialogTemplate,
        round_: Round,
        repo: Repository | None = None,
    ) -> QuestionPrompt | None:
        """The participant's current question; with ``repo``, include their earlier answer."""
        questions = own_questions(p, template)
        if p.status == "finished" or p.position >= len(questions):
            return None
        if template.activity_followup:
            pending = self._pending_followups(repo or self._repo_of(p), p, template)
            if pending:
                return followup_prompt(
                    p.id,
                    round_.id,
                    p.position,
                    len(questions),
                    round_.lang,
                    chain_activities.view(pending[0]),
                    len(pending),
                )
        previous = None
        if repo is not None:
            earlier = p.answer_to(questions[p.position].key)
            if earlier is not None and earlier.status == ANSWERED:
                previous = earlier.text
        return self._prompt_at(p, template, round_, p.position, previous)

    def _prompt_at(
        self,
        p: Participation,
        template: DialogTemplate,
        round_: Round,
        index: int,
        previous: str | None = None,
    ) -> QuestionPrompt:
        questions = own_questions(p, template)
        q = questions[index]
        return QuestionPrompt(
            participation_id=p.id,
            round_id=round_.id,
            index=index,
            total=len(questions),
            question_key=q.key,
            text=q.text.get(round_.lang),
            hint=q.hint.get(round_.lang) if q.hint else None,
            previous_answer=previous,
            lang=round_.lang,
            context=self._context(p, template, q),
        )

    def _context(
        self, p: Participation, template: DialogTemplate, q: Question
    ) -> tuple[ContextItem, ...]:
        """What a prompt of ``q`` shows as context: the unit's earlier answers it refers
        to, and for a branch's synthesis what the units below have answered so far
        (never in an anonymous round)."""
        repo = self._repo_of(p)
        earlier = context_for(repo, p, q, self.template_of) if q.refers_to else ()
        if not q.synthesis or p.round.anonymous:
            return earlier
        below = branch_context(p, repo.participations(p.round_id), OrgTree(repo.units()), template)
        return earlier + below

    def _participant(
        self, p: Participation, template: DialogTemplate, answered: int = 0
    ) -> Participant:
        return Participant(
            participation_id=p.id,
            round_id=p.round_id,
            chat_id=p.person.chat_id if p.person else "",
            name=p.person.name if p.person else "",
            unit_key=p.unit.key,
            unit_name=p.unit.name,
            status=p.status,
            thread_ref=p.thread_ref,
            lang=p.round.lang,
            answered=answered,
            total=len(own_questions(p, template)),
        )

    def _info(self, round_: Round, template: DialogTemplate) -> RoundInfo:
        return RoundInfo(
            round_id=round_.id,
            workspace_id=round_.workspace_id,
            title=round_.title,
            template_key=template.key,
            template_version=template.version,
            template_name=template.name.get(round_.lang),
            overarching_question=(
                template.overarching_question.get(round_.lang)
                if template.overarching_question
                else None
            ),
            status=round_.status,
            group_ref=round_.group_ref,
            delivery=round_.delivery,
            anonymous=round_.anonymous,
            lang=round_.lang,
            deadline_at=round_.deadline_at,
            created_at=round_.created_at,
            closed_at=round_.closed_at,
            created_by=round_.created_by,
            question_count=len(template.questions),
            announcement_ref=round_.announcement_ref,
            anonymity_k=round_.anonymity_k,
            closed_by=round_.closed_by,
        )

    # Dialog chain: activities and their follow-up (bot/chain) ------------------------

    def confirm_activities(
        self, workspace: str, participation_id: int, message_key: str
    ) -> Outcome:
        """The manager confirms the activities read from their answers: they become open."""

        def work(repo: Repository) -> Outcome:
            p, template, dup = self._begin(repo, participation_id, message_key)
            if dup is not None:
                return dup
            views = chain_activities.confirm(repo, p, _activity_keys(template), self._now())
            if not views:
                raise NoActivities()
            self._mark(repo, message_key, p, "activities_confirmed")
            return Outcome(
                "activities_confirmed",
                p.id,
                self._prompt(p, template, p.round, repo),
                activities=tuple(views),
            )

        return self._transaction(workspace, work)

    def correct_activities(
        self,
        workspace: str,
        participation_id: int,
        text: str,
        message_key: str,
        question_key: str | None = None,
    ) -> Outcome:
        """Replace the activities read from an answer with a corrected list (re-split).

        Without ``question_key`` the activities question answered last is corrected.
        The corrected items are confirmed at once; the answer text itself is kept.
        """

        def work(repo: Repository) -> Outcome:
            p, template, dup = self._begin(repo, participation_id, message_key)
            if dup is not None:
                return dup
            drafts = split_activities(_require_text(text))
            if not drafts:
                raise EmptyAnswer()
            keys = _activity_keys(template)
            if question_key is not None and question_key not in keys:
                raise InvalidInput(question_key)
            key = question_key or chain_activities.latest_activity_question(repo, p, keys)
            if key is None or p.answer_to(key) is None:
                raise NoActivities()
            views = chain_activities.correct(repo, p, key, drafts, self._now())
            self._mark(repo, message_key, p, "activities_corrected")
            return Outcome(
                "activities_corrected",
                p.id,
                self._prompt(p, template, p.round, repo),
                key,
                activities=tuple(views),
            )

        return self._transaction(workspace, work)

    def followup_activity(
        self,
        workspace: str,
        participation_id: int,
        activity_id: int,
        text: str | None,
        message_key: str,
    ) -> Outcome:
        """Answer the follow-up of one open activity (e.g. from a button); None skips it."""

        def work(repo: Repository) -> Outcome:
            p, template, dup = self._begin(repo, participation_id, message_key)
            if dup is not None:
                return dup
            pending = self._pending_followups(repo, p, template)
            activity = next((a for a in pending if a.id == activity_id), None)
            if activity is None:
                raise InvalidInput(f"activity {activity_id}")
            cleaned = None if text is None else _require_text(text)
            return self._followed_up(repo, p, template, activity, cleaned, message_key)

        return self._transaction(workspace, work)

    def activities(
        self, workspace: str, unit: str, *, only_open: bool = False
    ) -> list[ActivityView]:
        """A unit's tracked activities (unit key or name), oldest first."""

        def work(repo: Repository) -> list[ActivityView]:
            found = OrgTree(repo.units()).find(unit)
            return chain_activities.unit_activities(repo, found.id, only_open=only_open)

        return self._read(workspace, work)

    def _repo_of(self, p: Participation) -> Repository:
        session = object_session(p)
        assert session is not None, "participation outside a unit of work"
        return Repository(session, p.workspace_id)

    def _is_activities_question(self, p: Participation, question_key: str) -> bool:
        template = self.template_of(p.round)
        return any(q.key == question_key and q.kind == "activities" for q in template.questions)

    def _pending_followups(
        self, repo: Repository, p: Participation, template: DialogTemplate
    ) -> list[Activity]:
        # Follow-ups come before the normal questions, so only a participant still on the
        # first question can have any; this keeps the answer path free of the lookup.
        if not template.activity_followup or p.status == "finished" or p.position > 0:
            return []
        return chain_activities.pending_followups(repo, p)

    def _followed_up(
        self,
        repo: Repository,
        p: Participation,
        template: DialogTemplate,
        activity: Activity,
        text: str | None,
        message_key: str,
    ) -> Outcome:
        status: str | None = None
        note = ""
        if text is not None:
            parsed = parse_followup(text)
            if parsed is None:
                raise FollowupNotUnderstood(text)
            status, note = parsed.status, parsed.note
        now = self._now()
        view = chain_activities.record_followup(repo, p, activity, status, note, now)
        p.started_at = p.started_at or now
        p.status = "answering"
        self._mark(repo, message_key, p, "followed_up" if text is not None else "skipped")
        repo.flush()
        return Outcome(
            "followed_up" if text is not None else "skipped",
            p.id,
            self._prompt(p, template, p.round, repo),
            FOLLOWUP_KEY,
            activities=(view,),
        )

    def _with_drafts(
        self, repo: Repository, p: Participation, template: DialogTemplate, outcome: Outcome
    ) -> Outcome:
        """Attach the proposed activities of the answer just stored, for confirmation."""
        keys = _activity_keys(template)
        if outcome.kind not in ("answered", "edited", "form_saved"):
            return outcome
        if outcome.question_key is not None:
            keys &= {outcome.question_key}
        if not keys:
            return outcome
        views = [
            v
            for v in chain_activities.activities_of_participation(repo, p, keys)
            if v.status == chain_activities.PROPOSED
        ]
        if not views:
            return outcome
        return replace(outcome, activities=tuple(views), activities_to_confirm=True)


def _activity_keys(template: DialogTemplate) -> set[str]:
    return {q.key for q in template.questions if q.kind == "activities"}


def own_questions(p: Participation, template: DialogTemplate) -> tuple[Question, ...]:
    """The questions ``p``'s manager is asked (:meth:`DialogTemplate.questions_for` their
    unit's level): positions, numbers ("Fråga n av m", ``/ändra N``) and totals count
    only these."""
    return template.questions_for(p.unit.level_key)


def _number_of(questions: Sequence[Question], question_key: str) -> int | None:
    return next((i for i, q in enumerate(questions, 1) if q.key == question_key), None)


def _require_text(text: str) -> str:
    """Typed text as stored: cleaned (see :func:`bot.text_input.clean_text`), stripped,
    and not empty."""
    cleaned = clean_text(text).strip()
    if not cleaned:
        raise EmptyAnswer()
    return cleaned
