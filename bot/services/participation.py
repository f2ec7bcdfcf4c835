"""The participation kernel every answering use case shares.

Loading a participation for a change (replays and closed rounds), storing an answer,
moving on, recording the message key, and building the plain results (prompts,
participants, round facts). These steps run inside a unit of work opened by a use case
(:mod:`bot.services.answering`, :mod:`bot.services.activities` …) and get its
:class:`~storage.repository.Repository` explicitly; none opens one itself.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any, Concatenate, ParamSpec, Protocol, TypeVar

from bot.chain import activities as chain_activities
from bot.chain.context import branch_context, context_for
from bot.chain.errors import FollowupNotUnderstood
from bot.chain.followup import FOLLOWUP_KEY, followup_prompt
from bot.domain import access
from bot.domain.access import ORGANISER_ROLES, ReadScope
from bot.domain.errors import (
    EmptyAnswer,
    NoParticipation,
    NotAllowed,
    QuestionNotCurrent,
    RoundClosed,
    UnknownRound,
)
from bot.domain.org_tree import OrgTree
from bot.domain.results import (
    ActivityView,
    AnswerLine,
    ContextItem,
    Outcome,
    OutcomeKind,
    Participant,
    QuestionPrompt,
    RoundInfo,
)
from bot.domain.splitting import parse_followup
from bot.domain.states import (
    ParticipationEvent,
    is_finished,
    is_open,
    participation_after,
)
from bot.domain.templates import DialogTemplate, Question
from bot.domain.text_input import clean_text
from bot.logs import bind as bind_log_context
from bot.services.kernel import ServiceKernel
from storage.models import Answer, AnswerRevision, Participation, Person, ProcessedMessage, Round
from storage.models_chain import Activity
from storage.repository import Repository

if TYPE_CHECKING:
    from bot.summary import RoundSummary
    from storage.answer_path import AnswerState

ANSWERED = "answered"
SKIPPED = "skipped"
WITHDRAWN = "withdrawn"

T = TypeVar("T")
P = ParamSpec("P")


class UseCases(Protocol):
    """What :func:`writes` and :func:`reads` need of a use-case group."""

    kernel: ServiceKernel


G = TypeVar("G", bound=UseCases)


def writes(
    method: Callable[Concatenate[G, Repository, P], T],
) -> Callable[Concatenate[G, str, P], T]:
    """Make ``method(self, repo, ...)`` a public ``method(self, workspace, ...)`` that
    runs as one committed unit of work of ``workspace`` (retried on write conflicts)."""

    @functools.wraps(method)
    def run(self: G, workspace: str, /, *args: P.args, **kwargs: P.kwargs) -> T:
        return self.kernel.transaction(workspace, lambda repo: method(self, repo, *args, **kwargs))

    return run


def reads(
    method: Callable[Concatenate[G, Repository, P], T],
) -> Callable[Concatenate[G, str, P], T]:
    """Make ``method(self, repo, ...)`` a public ``method(self, workspace, ...)`` that
    runs as one read-only unit of work of ``workspace`` (nothing is committed)."""

    @functools.wraps(method)
    def run(self: G, workspace: str, /, *args: P.args, **kwargs: P.kwargs) -> T:
        return self.kernel.read(workspace, lambda repo: method(self, repo, *args, **kwargs))

    return run


def own_questions(p: Participation, template: DialogTemplate) -> tuple[Question, ...]:
    """The questions ``p``'s manager is asked (:meth:`DialogTemplate.questions_for` their
    unit's level): positions, numbers ("Fråga n av m", ``/ändra N``) and totals count
    only these."""
    return template.questions_for(p.unit.level_key)


def number_of(questions: Sequence[Question], question_key: str) -> int | None:
    """The 1-based number of ``question_key`` among ``questions``, or None."""
    return next((i for i, q in enumerate(questions, 1) if q.key == question_key), None)


def require_text(text: str) -> str:
    """Typed text as stored: cleaned (see :func:`bot.domain.text_input.clean_text`), stripped,
    and not empty."""
    cleaned = clean_text(text).strip()
    if not cleaned:
        raise EmptyAnswer()
    return cleaned


def activity_keys(template: DialogTemplate) -> set[str]:
    """Keys of the template's questions whose answers are read as activities."""
    return {q.key for q in template.questions if q.kind == "activities"}


def has_no_current_question(p: Participation, questions: Sequence[Question]) -> bool:
    """True when the participant is finished or past their last question."""
    return is_finished(p.status) or p.position >= len(questions)


def move(p: Participation, event: ParticipationEvent) -> None:
    """Change ``p``'s state by ``event`` (the table in :mod:`bot.domain.states`)."""
    p.status = participation_after(p.status, event)


class ParticipationKernel:
    """The steps the use cases share, all inside a unit of work they opened.

    Args:
        kernel: the service kernel (clock and templates).
    """

    def __init__(self, kernel: ServiceKernel) -> None:
        self.kernel = kernel

    # Loading ----------------------------------------------------------------------

    def participation(self, repo: Repository, participation_id: int) -> Participation:
        """The participation, or :class:`NoParticipation`."""
        p = repo.participation(participation_id)
        if p is None:
            raise NoParticipation(str(participation_id))
        return p

    def round(self, repo: Repository, round_id: int) -> Round:
        """The round, or :class:`UnknownRound`."""
        round_ = repo.round(round_id)
        if round_ is None:
            raise UnknownRound(round_id)
        return round_

    def require_organiser(self, repo: Repository, chat_id: str, action: str) -> Person:
        """The person, if they may start, remind and close rounds; else :class:`NotAllowed`."""
        person = repo.person(chat_id)
        if person is None or not access.is_organiser(person.roles):
            raise NotAllowed(action, ORGANISER_ROLES)
        return person

    def scope(self, repo: Repository, viewer: str, tree: OrgTree[Any] | None = None) -> ReadScope:
        """What ``viewer`` may read (rules: :mod:`bot.domain.access`)."""
        return access.read_scope(repo.person(viewer), tree or OrgTree(repo.units()))

    def begin(
        self, repo: Repository, participation_id: int, message_key: str
    ) -> tuple[Participation, DialogTemplate, Outcome | None]:
        """Load a participation for a change; detect replays and closed rounds."""
        p, seen = repo.participation_and_seen(participation_id, message_key)
        if p is None:
            raise NoParticipation(str(participation_id))
        return self.change(repo, p, seen)

    def change(
        self, repo: Repository, p: Participation, seen: bool
    ) -> tuple[Participation, DialogTemplate, Outcome | None]:
        """A replayed message gets a ``duplicate`` outcome; a closed round refuses changes."""
        bind_log_context(round=p.round_id, participation=p.id)
        template = self.kernel.template_of(p.round)
        if seen:
            return p, template, Outcome("duplicate", p.id, self.prompt(repo, p, template, p.round))
        if not is_open(p.round.status):
            raise RoundClosed(p.round_id)
        return p, template, None

    def begin_question(
        self, repo: Repository, participation_id: int, message_key: str
    ) -> tuple[Participation, DialogTemplate, Outcome | None]:
        """:meth:`begin` for commands about the current question (see :meth:`question_change`)."""
        p, seen = repo.participation_and_seen(participation_id, message_key)
        if p is None:
            raise NoParticipation(str(participation_id))
        return self.question_change(repo, p, seen, message_key)

    def question_change(
        self, repo: Repository, p: Participation, seen: bool, message_key: str
    ) -> tuple[Participation, DialogTemplate, Outcome | None]:
        """:meth:`change`, and a participant who has finished gets an ``already_finished``
        outcome (recorded, so replays agree)."""
        p, template, dup = self.change(repo, p, seen)
        if dup is None and has_no_current_question(p, own_questions(p, template)):
            self.mark(repo, message_key, p, "already_finished")
            return p, template, Outcome("already_finished", p.id, None)
        return p, template, dup

    # Changing ---------------------------------------------------------------------

    def store(
        self,
        repo: Repository,
        p: Participation,
        question_key: str,
        text: str,
        status: str,
        source: str,
        keep_source: bool = False,
    ) -> list[ActivityView] | None:
        """Store an answer (a new one or a new revision) and its revision row. For a
        question read as activities, the activities the answer has now; else None."""
        now = self.kernel.now()
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
        repo.add(revision)
        if not self.is_activities_question(p, question_key):
            return None
        return chain_activities.record_answer(repo, p, question_key, now)

    def advance(
        self,
        repo: Repository,
        p: Participation,
        template: DialogTemplate,
        kind: OutcomeKind,
        question_key: str,
        message_key: str,
        recorded: Sequence[ActivityView] | None = None,
    ) -> Outcome:
        """Move past the current question; finish after the last one. ``recorded``: what
        :meth:`store` returned for ``question_key``, if it was stored just now."""
        now = self.kernel.now()
        number = p.position + 1
        p.position += 1
        p.started_at = p.started_at or now
        finished = p.position >= len(own_questions(p, template))
        if finished:
            move(p, ParticipationEvent.FINISH)
            p.finished_at = now
        else:
            move(p, ParticipationEvent.PROGRESS)
        self.mark(repo, message_key, p, kind)
        return self.with_drafts(
            repo,
            p,
            template,
            Outcome(
                kind,
                p.id,
                self.prompt(repo, p, template, p.round),
                question_key,
                finished,
                number,
                sheet=sheet(p, template) if finished else (),
            ),
            recorded,
        )

    def require_current(
        self,
        repo: Repository,
        p: Participation,
        template: DialogTemplate,
        question_key: str | None,
    ) -> None:
        """Refuse a button whose question (``question_key``) is not the current one."""
        if question_key is None:
            return
        current = self.prompt(repo, p, template, p.round, with_previous=True)
        if current is not None and current.ref == question_key:
            return
        number = number_of(own_questions(p, template), question_key)
        answer = p.answer_to(question_key) if number is not None else None
        raise QuestionNotCurrent(
            number,
            current.number if current is not None else None,
            answered=answer is not None and answer.status == ANSWERED,
        )

    def mark(self, repo: Repository, key: str, p: Participation, outcome: str) -> None:
        """Record that message ``key`` was applied to ``p`` (replays become duplicates)."""
        repo.add(
            ProcessedMessage(
                workspace_id=repo.workspace_id,
                message_key=key,
                participation_id=p.id,
                outcome=outcome,
                created_at=self.kernel.now(),
            )
        )

    # Prompts ----------------------------------------------------------------------

    def prompt(
        self,
        repo: Repository,
        p: Participation,
        template: DialogTemplate,
        round_: Round,
        *,
        with_previous: bool = False,
    ) -> QuestionPrompt | None:
        """The participant's current question; ``with_previous`` includes their earlier
        answer to it."""
        questions = own_questions(p, template)
        if has_no_current_question(p, questions):
            return None
        if template.activity_followup:
            pending = self.pending_followups(repo, p, template)
            if pending:
                return followup_prompt(
                    p.id,
                    round_.id,
                    p.position,
                    len(questions),
                    round_.lang,
                    chain_activities.view(pending[0]),
                    len(pending),
                    anonymous=round_.anonymous,
                )
        previous = None
        if with_previous:
            earlier = p.answer_to(questions[p.position].key)
            if earlier is not None and earlier.status == ANSWERED:
                previous = earlier.text
        return self.prompt_at(repo, p, template, round_, p.position, previous)

    def prompt_at(
        self,
        repo: Repository,
        p: Participation,
        template: DialogTemplate,
        round_: Round,
        index: int,
        previous: str | None = None,
    ) -> QuestionPrompt:
        """The prompt of the participant's question number ``index`` (0-based)."""
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
            context=self.context(repo, p, template, q),
        )

    def context(
        self, repo: Repository, p: Participation, template: DialogTemplate, q: Question
    ) -> tuple[ContextItem, ...]:
        """What a prompt of ``q`` shows as context: the unit's earlier answers it refers
        to, and for a branch's synthesis what the units below have answered so far
        (never in an anonymous round)."""
        earlier = context_for(repo, p, q) if q.refers_to else ()
        if not q.synthesis or p.round.anonymous:
            return earlier
        below = branch_context(p, repo.participations(p.round_id), OrgTree(repo.units()), template)
        return earlier + below

    # Plain results ----------------------------------------------------------------

    def participant(
        self, p: Participation, template: DialogTemplate, answered: int = 0
    ) -> Participant:
        """A participation as plain data."""
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

    def summary(self, repo: Repository, round_: Round) -> RoundSummary:
        """The summary of a loaded round as it stands now."""
        from bot.summary import build_summary

        template = self.kernel.template_of(round_)
        levels = {lv.key: lv.name for lv in repo.levels()}
        return build_summary(info(round_, template), template, repo.summary_rows(round_.id), levels)

    # Activities (bot/chain) -------------------------------------------------------

    def is_activities_question(self, p: Participation, question_key: str) -> bool:
        """True when ``question_key`` is read as activities in ``p``'s round."""
        template = self.kernel.template_of(p.round)
        return any(q.key == question_key and q.kind == "activities" for q in template.questions)

    def pending_followups(
        self, repo: Repository, p: Participation, template: DialogTemplate
    ) -> list[Activity]:
        """The open activities the participant is asked to follow up first."""
        # Follow-ups come before the normal questions, so only a participant still on the
        # first question can have any; this keeps the answer path free of the lookup.
        if not template.activity_followup or is_finished(p.status) or p.position > 0:
            return []
        return chain_activities.pending_followups(repo, p)

    def followed_up(
        self,
        repo: Repository,
        p: Participation,
        template: DialogTemplate,
        activity: Activity,
        text: str | None,
        message_key: str,
    ) -> Outcome:
        """Record the follow-up of ``activity`` (None skips it)."""
        status: str | None = None
        note = ""
        if text is not None:
            parsed = parse_followup(text)
            if parsed is None:
                raise FollowupNotUnderstood(text)
            status, note = parsed.status, parsed.note
        now = self.kernel.now()
        view = chain_activities.record_followup(repo, p, activity, status, note, now)
        p.started_at = p.started_at or now
        move(p, ParticipationEvent.PROGRESS)
        self.mark(repo, message_key, p, "followed_up" if text is not None else "skipped")
        repo.flush()
        return Outcome(
            "followed_up" if text is not None else "skipped",
            p.id,
            self.prompt(repo, p, template, p.round, with_previous=True),
            FOLLOWUP_KEY,
            activities=(view,),
        )

    def with_drafts(
        self,
        repo: Repository,
        p: Participation,
        template: DialogTemplate,
        outcome: Outcome,
        recorded: Sequence[ActivityView] | None = None,
    ) -> Outcome:
        """Attach the proposed activities of the answer just stored, for confirmation.
        ``recorded``: the activities :meth:`store` returned for ``outcome.question_key``
        (spares reading them back); None reads them."""
        keys = activity_keys(template)
        if outcome.kind not in ("answered", "edited", "form_saved"):
            return outcome
        if outcome.question_key is not None:
            keys &= {outcome.question_key}
        if not keys:
            return outcome
        found = (
            chain_activities.activities_of_participation(repo, p, keys)
            if recorded is None or outcome.question_key is None
            else recorded
        )
        views = [v for v in found if v.status == chain_activities.PROPOSED]
        if not views:
            return outcome
        return replace(outcome, activities=tuple(views), activities_to_confirm=True)


def sheet(p: Participation, template: DialogTemplate) -> tuple[AnswerLine, ...]:
    """Every question the participant is asked, with their current answer (from its
    loaded answers), in template order."""
    lines = []
    for number, q in enumerate(own_questions(p, template), start=1):
        a = p.answer_to(q.key)
        status = a.status if a is not None else "unanswered"
        text = a.text if a is not None and a.status == ANSWERED else None
        lines.append(AnswerLine(number, q.key, q.text.get(p.round.lang), status, text))
    return tuple(lines)


def plain_sheet(
    state: AnswerState,
    questions: Sequence[Question],
    lang: str,
    question_key: str,
    text: str,
) -> tuple[AnswerLine, ...]:
    """:func:`sheet` of a participation loaded as plain data, just after ``text`` was
    stored as the answer to ``question_key``."""
    lines = []
    for number, q in enumerate(questions, start=1):
        if q.key == question_key:
            lines.append(AnswerLine(number, q.key, q.text.get(lang), ANSWERED, text))
            continue
        a = state.answer_to(q.key)
        status = a.status if a is not None else "unanswered"
        answer = a.text if a is not None and a.status == ANSWERED else None
        lines.append(AnswerLine(number, q.key, q.text.get(lang), status, answer))
    return tuple(lines)


def info(round_: Round, template: DialogTemplate) -> RoundInfo:
    """Facts about a loaded round as plain data."""
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
