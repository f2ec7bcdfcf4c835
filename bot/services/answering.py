"""Use cases of answering: a participant's replies, skips, edits, forms and "done".

Every incoming message or action carries a ``message_key``; applying the same key twice
changes nothing (the second gets a ``duplicate`` outcome). The hot path is
:meth:`Answering.reply_in_thread`: looking up the thread and recognising a replay take
one statement, and the posts the outcome calls for are planned in the same transaction.
"""

from __future__ import annotations

from dataclasses import replace

from bot.chain.activities import has_pending_followups, record_stored_answer
from bot.chain.context import context_of
from bot.domain.errors import InvalidInput, NoParticipation, NothingToEdit, NotYourThread
from bot.domain.results import ActivityView, AnswerLine, ContextItem, Outcome, QuestionPrompt
from bot.domain.states import ParticipationEvent, is_finished, is_open, participation_after
from bot.domain.templates import Question
from bot.domain.text_input import clean_text
from bot.logs import bind as bind_log_context
from bot.ports import PostPlanner
from bot.services.kernel import ServiceKernel
from bot.services.participation import (
    ANSWERED,
    SKIPPED,
    WITHDRAWN,
    ParticipationKernel,
    activity_keys,
    move,
    number_of,
    own_questions,
    plain_sheet,
    require_text,
    sheet,
    writes,
)
from bot.services.question_messages import answered_messages
from storage.answer_path import AnswerRow, AnswerState, AnswerWrite
from storage.models import Participation
from storage.repository import Repository


class Answering:
    """What a participant does in a round.

    Args:
        kernel: the shared unit-of-work plumbing.
    """

    def __init__(self, kernel: ServiceKernel) -> None:
        self.kernel = kernel
        self.flow = ParticipationKernel(kernel)

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
            state = repo.answer_state(participation_id, message_key)
            if state is None:
                raise NoParticipation(str(participation_id))
            fast = self._plain_reply(repo, state, text, message_key, _platform(planner))
            if fast is not None:
                return fast
            p, seen = repo.participation_and_seen(participation_id, message_key)
            if p is None:  # pragma: no cover - deleted in between (the round is locked)
                raise NoParticipation(str(participation_id))
            return replace(self._reply(repo, p, seen, text, message_key), lang=p.round.lang)

        return self.kernel.transaction(workspace, work, planner)

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
            state = repo.answer_state_by_thread(thread_ref, message_key)
            if state is None:
                return None
            if state.person_chat_id is None or state.person_chat_id != chat_id:
                raise NotYourThread(state.person_name or "")
            fast = self._plain_reply(repo, state, text, message_key, _platform(planner))
            if fast is not None:
                return fast
            p, seen = repo.participation_by_thread_and_seen(thread_ref, message_key)
            if p is None:  # pragma: no cover - deleted in between (the round is locked)
                return None
            return replace(self._reply(repo, p, seen, text, message_key), lang=p.round.lang)

        return self.kernel.transaction(workspace, work, planner)

    def _plain_reply(
        self,
        repo: Repository,
        state: AnswerState,
        text: str,
        message_key: str,
        platform: str | None = None,
    ) -> Outcome | None:
        """The common answer without the ORM: a first delivery to an open round, a plain
        question or one read as activities, and a next question that needs no context. The
        writes of a plain answer are deferred to the end of the unit of work (one round
        trip with the outbox rows); an activities answer is written at once and its
        activities after it, in Core statements. None when the reply needs the full path
        (:meth:`_reply`): a replay, a closed round, a finished participant, follow-ups of
        activities, a next question with context. The question messages on ``platform``
        that the answer puts out of date come with the outcome (:attr:`Outcome.updates`)."""
        if state.seen or not is_open(state.round_status) or is_finished(state.status):
            return None
        template = self.kernel.template_by_snapshot(repo, state.template_snapshot_id)
        questions = template.questions_for(state.level_key)
        position = state.position
        if position >= len(questions):
            return None
        question = questions[position]
        reads_activities = question.kind == "activities" or question.key in activity_keys(template)
        number = position + 1
        finished = number >= len(questions)
        upcoming = None if finished else questions[number]
        if upcoming is not None and upcoming.synthesis:
            return None
        # Follow-ups of open activities come before the first question.
        if (
            template.activity_followup
            and position == 0
            and has_pending_followups(
                repo,
                state.unit_id,
                state.round_id,
                state.round_created_at,
            )
        ):
            return None
        bind_log_context(round=state.round_id, participation=state.participation_id)
        cleaned = require_text(text)
        now = self.kernel.now()
        lang = state.round_lang
        existing = state.answer_to(question.key)
        write = AnswerWrite(
            workspace_id=repo.workspace_id,
            participation_id=state.participation_id,
            version=state.version,
            status=participation_after(
                state.status,
                ParticipationEvent.FINISH if finished else ParticipationEvent.PROGRESS,
            ),
            position=number,
            started_at=state.started_at or now,
            finished_at=now if finished else state.finished_at,
            question_key=question.key,
            text=cleaned,
            answer_status=ANSWERED,
            message_key=message_key,
            outcome="answered",
            answer_id=existing.id if existing is not None else None,
            now=now,
        )
        proposed: tuple[ActivityView, ...] = ()
        if reads_activities:
            stored = repo.write_answer_now(write)
            proposed = tuple(
                record_stored_answer(
                    repo,
                    state,
                    stored,
                    question.key,
                    cleaned,
                    replace=existing is not None,
                    now=now,
                )
            )
        else:
            repo.defer_answer(write)
        prompt = None
        if upcoming is not None:
            prompt = QuestionPrompt(
                participation_id=state.participation_id,
                round_id=state.round_id,
                index=number,
                total=len(questions),
                question_key=upcoming.key,
                text=upcoming.text.get(lang),
                hint=upcoming.hint.get(lang) if upcoming.hint else None,
                previous_answer=None,
                lang=lang,
                context=self._context(repo, state, upcoming),
            )
        lines: tuple[AnswerLine, ...] = ()
        if finished:
            lines = plain_sheet(state, questions, lang, question.key, cleaned)
        shown = [m for m in state.open_messages if m.platform == platform]
        updates = answered_messages(
            shown,
            questions,
            None if upcoming is None else upcoming.key,
            lang,
            question.key,
            (ANSWERED, 1 if existing is None else existing.revision + 1, cleaned),
            lambda key: _as_shown(state.answer_to(key)),
        )
        return Outcome(
            "answered",
            state.participation_id,
            prompt,
            question.key,
            finished,
            number,
            sheet=lines,
            lang=lang,
            activities=proposed,
            activities_to_confirm=bool(proposed),
            updates=updates,
        )

    def _context(
        self, repo: Repository, state: AnswerState, question: Question
    ) -> tuple[ContextItem, ...]:
        """The earlier answers ``question`` refers to (see :meth:`ParticipationKernel.context`;
        synthesis questions take the full path)."""
        if not question.refers_to:
            return ()
        round_ = self.flow.round(repo, state.round_id)
        return context_of(repo, state.unit_id, round_, question)

    def _reply(
        self, repo: Repository, p: Participation, seen: bool, text: str, message_key: str
    ) -> Outcome:
        p, template, early = self.flow.question_change(repo, p, seen, message_key)
        if early is not None:
            return early
        cleaned = require_text(text)
        pending = self.flow.pending_followups(repo, p, template)
        if pending:
            return self.flow.followed_up(repo, p, template, pending[0], cleaned, message_key)
        question = own_questions(p, template)[p.position]
        recorded = self.flow.store(repo, p, question.key, cleaned, ANSWERED, message_key)
        return self.flow.advance(repo, p, template, "answered", question.key, message_key, recorded)

    @writes
    def skip(
        self,
        repo: Repository,
        participation_id: int,
        message_key: str,
        question_key: str | None = None,
    ) -> Outcome:
        """Skip the current question. With ``question_key`` (a button's question, see
        :attr:`QuestionPrompt.ref`) only that question, and :class:`QuestionNotCurrent`
        when it is not the current one; ``""`` is a button that does not say."""
        p, template, early = self.flow.begin_question(repo, participation_id, message_key)
        if early is not None:
            return early
        self.flow.require_current(repo, p, template, question_key)
        pending = self.flow.pending_followups(repo, p, template)
        if pending:
            return self.flow.followed_up(repo, p, template, pending[0], None, message_key)
        question = own_questions(p, template)[p.position]
        existing = p.answer_to(question.key)
        if existing is None or existing.status != ANSWERED:
            self.flow.store(repo, p, question.key, "", SKIPPED, message_key)
        return self.flow.advance(repo, p, template, "skipped", question.key, message_key)

    @writes
    def back(self, repo: Repository, participation_id: int, message_key: str) -> Outcome:
        """Go back to the previous question (its earlier answer is shown and kept)."""
        p, template, dup = self.flow.begin(repo, participation_id, message_key)
        if dup is not None:
            return dup
        p.position = max(0, min(p.position, len(own_questions(p, template))) - 1)
        move(p, ParticipationEvent.REOPEN)
        p.finished_at = None
        self.flow.mark(repo, message_key, p, "back")
        return Outcome(
            "back", p.id, self.flow.prompt(repo, p, template, p.round, with_previous=True)
        )

    @writes
    def finish(
        self,
        repo: Repository,
        participation_id: int,
        message_key: str,
        question_key: str | None = None,
    ) -> Outcome:
        """The participant is done; unanswered questions stay unanswered. With
        ``question_key`` (the button's question) :class:`QuestionNotCurrent` unless it is
        the current question."""
        p, template, dup = self.flow.begin(repo, participation_id, message_key)
        if dup is not None:
            return dup
        if not is_finished(p.status):
            self.flow.require_current(repo, p, template, question_key)
            move(p, ParticipationEvent.FINISH)
            p.finished_at = self.kernel.now()
        self.flow.mark(repo, message_key, p, "finished")
        return Outcome(
            "finished",
            p.id,
            None,
            finished=True,
            sheet=sheet(p, self.kernel.template_of(p.round)),
        )

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

        return self.kernel.transaction(workspace, work, planner)

    @writes
    def edit_question(
        self, repo: Repository, participation_id: int, number: int, text: str, message_key: str
    ) -> Outcome:
        """Replace the answer to question ``number`` (1-based) without moving on."""
        p = self.flow.participation(repo, participation_id)
        questions = own_questions(p, self.kernel.template_of(p.round))
        if not 1 <= number <= len(questions):
            raise InvalidInput(f"1–{len(questions)}")
        return self._edit(repo, participation_id, questions[number - 1].key, text, message_key)

    def _edit(
        self, repo: Repository, participation_id: int, question_key: str, text: str, key: str
    ) -> Outcome:
        p, template, dup = self.flow.begin(repo, participation_id, key)
        if dup is not None:
            return dup
        cleaned = require_text(text)
        recorded = self.flow.store(repo, p, question_key, cleaned, ANSWERED, key, keep_source=True)
        self.flow.mark(repo, key, p, "edited")
        return self.flow.with_drafts(
            repo,
            p,
            template,
            Outcome(
                "edited",
                p.id,
                self.flow.prompt(repo, p, template, p.round),
                question_key,
                question_number=number_of(own_questions(p, template), question_key),
            ),
            recorded,
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
            p, template, dup = self.flow.begin(repo, answer.participation_id, message_key)
            if dup is not None:
                return dup
            if answer.status != WITHDRAWN:
                self.flow.store(repo, p, answer.question_key, "", WITHDRAWN, message_key, True)
            self.flow.mark(repo, message_key, p, "withdrawn")
            return Outcome(
                "withdrawn",
                p.id,
                self.flow.prompt(repo, p, template, p.round),
                answer.question_key,
                question_number=number_of(own_questions(p, template), answer.question_key),
            )

        return self.kernel.transaction(workspace, work, planner)

    @writes
    def submit_form(
        self, repo: Repository, participation_id: int, answers: dict[str, str], message_key: str
    ) -> Outcome:
        """Answers from a form (all remaining questions at once). Empty fields are left as
        they were; the participant finishes when every question has an answer or a skip."""
        p, template, dup = self.flow.begin(repo, participation_id, message_key)
        if dup is not None:
            return dup
        current = {a.question_key: a for a in repo.answers(p.id)}
        done = {k for k, a in current.items() if a.status in (ANSWERED, SKIPPED)}
        questions = own_questions(p, template)
        for q in questions:
            text = clean_text(answers.get(q.key) or "").strip()
            old = current.get(q.key)
            if text and (old is None or old.status != ANSWERED or old.text != text):
                self.flow.store(repo, p, q.key, text, ANSWERED, message_key, keep_source=True)
                done.add(q.key)
        open_index = next(
            (i for i, q in enumerate(questions) if q.key not in done),
            len(questions),
        )
        p.position = open_index
        if open_index >= len(questions):
            if not is_finished(p.status):
                move(p, ParticipationEvent.FINISH)
                p.finished_at = self.kernel.now()
        else:
            was_finished = is_finished(p.status)
            move(p, ParticipationEvent.REOPEN if was_finished else ParticipationEvent.PROGRESS)
            p.started_at = p.started_at or self.kernel.now()
        self.flow.mark(repo, message_key, p, "form_saved")
        finished = is_finished(p.status)
        return self.flow.with_drafts(
            repo,
            p,
            template,
            Outcome(
                "form_saved", p.id, self.flow.prompt(repo, p, template, p.round), finished=finished
            ),
        )


def _platform(planner: PostPlanner | None) -> str | None:
    """The platform whose question messages an outcome's posts update (None: no posts)."""
    return None if planner is None else planner.platform


def _as_shown(answer: AnswerRow | None) -> tuple[str, int | None, str | None] | None:
    """A stored answer as a question message shows it: status, revision, text."""
    return None if answer is None else (answer.status, answer.revision, answer.text)
