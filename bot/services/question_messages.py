"""Question messages: where each question was shown, and what those messages should show now.

A platform adapter records every message that shows a question with its buttons
(:meth:`QuestionMessages.record`). After anything that changes a participation (an
answer, a skip, an edit, a form, "done"), it asks :meth:`QuestionMessages.changed` which
of those messages now show something out of date, updates them on its platform and
confirms with :meth:`QuestionMessages.shown`. The state a message shows is a token such
as ``answered:2`` (the answer's revision), so a message is updated once per change and a
refresh that was interrupted is completed by the next one.

This is service code (one unit of work per call, through the kernel); it knows no platform.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Protocol, TypeVar

from bot.chain import activities as chain_activities
from bot.chain.followup import FOLLOWUP_KEY
from bot.domain.results import QuestionMessageChange, QuestionPrompt, QuestionState
from bot.domain.states import is_finished
from bot.domain.templates import DialogTemplate, Question
from bot.services.kernel import ServiceKernel
from bot.services.participation import has_no_current_question, own_questions
from storage.models import Participation
from storage.models_question_messages import OPEN
from storage.outbox import Landed
from storage.question_messages import MessagesShown
from storage.repository import Repository

if TYPE_CHECKING:
    from storage.answer_path import OpenMessage

#: What :meth:`QuestionMessages.changed` needs to show the current prompt again: the
#: participation's current question as the answering use cases render it.
CurrentPrompt = Callable[[str, int], QuestionPrompt | None]


class QuestionMessages:
    """Records question messages and works out which of them are out of date."""

    def __init__(self, kernel: ServiceKernel) -> None:
        self.kernel = kernel

    def record(
        self,
        workspace: str,
        participation_id: int,
        question_ref: str,
        platform: str,
        conversation: str,
        ts: str,
    ) -> None:
        """Remember that message ``ts`` in ``conversation`` shows the question
        ``question_ref`` (:attr:`QuestionPrompt.ref`) of a participation with its buttons.
        Recording the same message again changes nothing."""

        def work(repo: Repository) -> None:
            messages = repo.question_messages
            # Recorded before (a replay); a concurrent delivery conflicts at commit and
            # the retry finds the row.
            if not messages.exists(platform, conversation, ts):
                messages.add(
                    participation_id, question_ref, platform, conversation, ts, self.kernel.now()
                )

        self.kernel.transaction(workspace, work)

    def participation_of(self, workspace: str, message_id: int) -> int | None:
        """The participation whose question the recorded message ``message_id`` shows
        (None once it is forgotten: the round closed anonymous, the person erased)."""
        return self.kernel.read(
            workspace, lambda repo: repo.question_messages.participation_of(message_id)
        )

    def changed(
        self,
        workspace: str,
        participation_id: int,
        platform: str,
        current_prompt: CurrentPrompt,
        current: QuestionPrompt | None = None,
    ) -> list[QuestionMessageChange]:
        """The participation's question messages on ``platform`` whose state changed since
        they were last updated (none once the round is closed). ``current``, the prompt
        just shown, spares the work when only its own messages exist; ``current_prompt``
        (the answering use case of that name) renders a question shown again."""

        def work(repo: Repository) -> list[QuestionMessageChange]:
            found = repo.question_messages.shown_by(participation_id, platform)
            return self._changes(repo, participation_id, platform, current, found)

        changes = self.kernel.read(workspace, work)
        return self.with_prompts(workspace, participation_id, changes, current_prompt)

    def changes_in(
        self,
        repo: Repository,
        participation_id: int,
        platform: str,
        found: MessagesShown | None,
    ) -> list[QuestionMessageChange]:
        """:meth:`changed` inside a unit of work the caller opened (for
        :class:`bot.services.landings.Landings`), from the messages it ``found`` there
        (:meth:`storage.question_messages.QuestionMessageRepository.shown_by`), without
        the prompt of a question shown again: pass the result through
        :meth:`with_prompts`."""
        return self._changes(repo, participation_id, platform, None, found)

    def with_prompts(
        self,
        workspace: str,
        participation_id: int,
        changes: list[QuestionMessageChange],
        current_prompt: CurrentPrompt,
    ) -> list[QuestionMessageChange]:
        """``changes`` with the current prompt on the messages that show it again."""
        if any(c.state == "open" for c in changes):
            # Shown again with its buttons (e.g. after going back): the full current prompt.
            prompt = current_prompt(workspace, participation_id)
            changes = [
                replace(c, prompt=prompt) if c.state == "open" else c
                for c in changes
                if c.state != "open" or (prompt is not None and prompt.ref == c.question_ref)
            ]
        return changes

    def _changes(
        self,
        repo: Repository,
        participation_id: int,
        platform: str,
        current: QuestionPrompt | None,
        found: MessagesShown | None,
    ) -> list[QuestionMessageChange]:
        """The changes from the messages ``found``
        (:meth:`storage.question_messages.QuestionMessageRepository.shown_by`), through the
        ORM only when the participant may be on an activity follow-up."""
        quick = self._changes_without_orm(repo, current, found)
        if quick is not None:
            return quick
        return self._changes_orm(repo, participation_id, platform, current)

    def _changes_without_orm(
        self, repo: Repository, current: QuestionPrompt | None, found: MessagesShown | None
    ) -> list[QuestionMessageChange] | None:
        """:meth:`_changes_orm` from the messages ``found`` (one Core statement); None when
        the participant may be on an activity follow-up (that needs the ORM path)."""
        if found is None or found.round_status != "open":
            return []
        rows = found.messages
        if all(
            current is not None and r.question_key == current.ref and r.shown == OPEN for r in rows
        ):
            return []
        template = self.kernel.template_by_snapshot(repo, found.template_snapshot_id)
        questions = template.questions_for(found.level_key)
        if is_finished(found.status) or found.position >= len(questions):
            now_current = None
        elif template.activity_followup and found.position == 0:
            return None
        else:
            now_current = questions[found.position].key
        return _out_of_date(
            rows,
            questions,
            now_current,
            found.lang,
            lambda row: (
                None
                if row.answer_status is None
                else (row.answer_status, row.answer_revision, row.answer_text)
            ),
        )

    def _changes_orm(
        self,
        repo: Repository,
        participation_id: int,
        platform: str,
        current: QuestionPrompt | None,
    ) -> list[QuestionMessageChange]:
        p, rows = repo.question_messages.of_participation(participation_id, platform)
        if p is None or p.round.status != "open":
            return []
        if all(
            current is not None and r.question_key == current.ref and r.shown == OPEN for r in rows
        ):
            return []
        template = self.kernel.template_of(p.round)
        now_current = _current_ref(repo, p, template)

        def answer_of(row: _MessageRow) -> _Answer | None:
            answer = p.answer_to(row.question_key)
            return None if answer is None else (answer.status, answer.revision, answer.text)

        return _out_of_date(rows, own_questions(p, template), now_current, p.round.lang, answer_of)

    def shown(
        self, workspace: str, message_id: int, token: str, sent: Sequence[Landed] = ()
    ) -> None:
        """The message ``message_id`` now shows ``token``; ``sent``, the outbox rows of the
        update that made it so, are marked sent in the same transaction. Its commit does
        not wait for the disk (PostgreSQL): if a database crash loses it, the update's
        row is given up by the resender (it is never resent) and the next refresh
        updates the message again, to the same content."""

        def work(repo: Repository) -> None:
            if sent:
                repo.landings.shown_after_update(message_id, token, sent, self.kernel.now())
            else:
                repo.question_messages.set_shown(message_id, token)

        self.kernel.transaction(workspace, work)


_STATES: dict[str, QuestionState] = {
    "answered": "answered",
    "skipped": "skipped",
    "withdrawn": "withdrawn",
}


def _current_ref(repo: Repository, p: Participation, template: DialogTemplate) -> str | None:
    """The :attr:`QuestionPrompt.ref` of the question the participant is on, if any."""
    questions = own_questions(p, template)
    if has_no_current_question(p, questions):
        return None
    if template.activity_followup and p.position == 0:
        pending = chain_activities.pending_followups(repo, p)
        if pending:
            return f"{FOLLOWUP_KEY}.{pending[0].id}"
    return questions[p.position].key


#: An answer as a question message shows it: status, revision, text.
_Answer = tuple[str, int | None, str | None]


class _MessageRow(Protocol):
    """What :func:`_out_of_date` reads of a posted question message (ORM row or Core row)."""

    @property
    def id(self) -> int: ...
    @property
    def question_key(self) -> str: ...
    @property
    def shown(self) -> str | None: ...
    @property
    def conversation(self) -> str: ...
    @property
    def message_ts(self) -> str: ...


_R = TypeVar("_R", bound=_MessageRow)


def answered_messages(
    shown: Sequence[OpenMessage],
    questions: Sequence[Question],
    now_current: str | None,
    lang: str,
    answered: str,
    answer: _Answer,
    earlier: Callable[[str], _Answer | None],
) -> tuple[QuestionMessageChange, ...]:
    """What the open question messages ``shown`` must show once the question ``answered``
    got ``answer`` (status, revision, text) and the participant is on ``now_current``
    (None: finished); ``earlier`` gives the stored answer to another question. For the
    answering use cases, inside the answer's transaction."""

    def answer_of(row: OpenMessage) -> _Answer | None:
        return answer if row.question_key == answered else earlier(row.question_key)

    return tuple(_out_of_date(shown, questions, now_current, lang, answer_of))


def _out_of_date(
    rows: Sequence[_R],
    questions: Sequence[Question],
    now_current: str | None,
    lang: str,
    answer_of: Callable[[_R], _Answer | None],
) -> list[QuestionMessageChange]:
    """The question messages whose shown state is out of date: the open question, a
    follow-up, an unanswered one, or an answer (status, revision, text) they no longer show."""
    numbers = {q.key: n for n, q in enumerate(questions, 1)}
    changes: list[QuestionMessageChange] = []
    for row in rows:
        ref = row.question_key
        number = numbers.get(ref, 0)
        answer = answer_of(row) if number else None
        state: QuestionState
        if ref == now_current:
            state, token = "open", OPEN
        elif ref.startswith(FOLLOWUP_KEY):
            state, token = "followed_up", "followed_up"
        elif not number:
            continue
        elif answer is None:
            state, token = "unanswered", "unanswered"
        else:
            state = _STATES.get(answer[0], "unanswered")
            token = f"{answer[0]}:{answer[1]}"
        if token == row.shown:
            continue
        changes.append(
            QuestionMessageChange(
                message_id=row.id,
                question_ref=ref,
                conversation=row.conversation,
                message_ts=row.message_ts,
                token=token,
                state=state,
                number=number,
                total=len(questions),
                question_text=questions[number - 1].text.get(lang) if number else "",
                answer=answer[2] if answer is not None and state == "answered" else None,
                lang=lang,
            )
        )
    return changes
