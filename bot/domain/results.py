"""Plain data the engine returns; adapters turn it into platform messages."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from bot.domain.states import ParticipationState, is_finished

OutcomeKind = Literal[
    "answered",
    "edited",
    "skipped",
    "back",
    "finished",
    "withdrawn",
    "duplicate",
    "already_finished",
    "form_saved",
    "followed_up",
    "activities_confirmed",
    "activities_corrected",
]


@dataclass(frozen=True)
class QuestionPrompt:
    """The question a participant should see next.

    ``context`` holds the unit's earlier answers this question refers to (render with
    :func:`bot.chain.context.render_context_mrkdwn`). A prompt with ``followup`` set asks
    about an open activity instead of a template question; ``followup_remaining`` counts
    the follow-ups left, this one included.
    """

    participation_id: int
    round_id: int
    index: int
    total: int
    question_key: str
    text: str
    hint: str | None
    previous_answer: str | None
    lang: str
    context: tuple[ContextItem, ...] = ()
    followup: ActivityView | None = None
    followup_remaining: int = 0

    @property
    def number(self) -> int:
        """1-based position, as shown to users ("Fråga 2 av 3")."""
        return self.index + 1

    @property
    def ref(self) -> str:
        """Which question this prompt asks, as buttons carry it: the question key, and for
        an activity follow-up also the activity (``activity-followup.12``)."""
        if self.followup is None:
            return self.question_key
        return f"{self.question_key}.{self.followup.activity_id}"


@dataclass(frozen=True)
class Participant:
    """Who answers for which unit in a round, and where their conversation lives."""

    participation_id: int
    round_id: int
    chat_id: str
    name: str
    unit_key: str
    unit_name: str
    status: str
    thread_ref: str | None
    lang: str
    answered: int = 0
    total: int = 0
    #: A deputy answering for an absent manager: that manager's name (else empty).
    on_behalf_of: str = ""


@dataclass(frozen=True)
class RoundInfo:
    """Facts about a round for announcements and listings."""

    round_id: int
    workspace_id: str
    title: str
    template_key: str
    template_version: int
    template_name: str
    overarching_question: str | None
    status: str
    group_ref: str
    delivery: str
    anonymous: bool
    lang: str
    deadline_at: datetime | None
    created_at: datetime
    closed_at: datetime | None
    created_by: str | None
    question_count: int
    announcement_ref: str | None
    #: Anonymous rounds: texts are shown only for pools of at least this many respondents.
    anonymity_k: int | None = None
    closed_by: str | None = None


#: What a recorded question message shows (see :class:`QuestionMessageChange`).
QuestionState = Literal["open", "answered", "skipped", "withdrawn", "unanswered", "followed_up"]


@dataclass(frozen=True)
class QuestionMessageChange:
    """A recorded question message that should now show ``state``.

    Attributes:
        message_id: the id of the recorded message.
        question_ref: the question the message shows (:attr:`QuestionPrompt.ref`).
        conversation, message_ts: where the message is on its platform.
        token: what the message will show (compared with what it shows now).
        state: ``open`` shows the question again with its buttons (``prompt``); the
            others show the question without buttons and what became of it.
        number, total: the question's 1-based number and the template's length
            (0 for an activity follow-up).
        question_text: the question in the round's language ("" for a follow-up).
        answer: the answer text for ``answered`` (user text: escape when rendering).
    """

    message_id: int
    question_ref: str
    conversation: str
    message_ts: str
    token: str
    state: QuestionState
    number: int
    total: int
    question_text: str
    answer: str | None
    lang: str
    prompt: QuestionPrompt | None = None


@dataclass(frozen=True)
class Outcome:
    """What happened to an incoming message or action, and what to show next."""

    kind: OutcomeKind
    participation_id: int
    prompt: QuestionPrompt | None
    question_key: str | None = None
    finished: bool = False
    question_number: int | None = None
    activities: tuple[ActivityView, ...] = ()
    activities_to_confirm: bool = False
    lang: str = "sv"
    #: When the participant has just finished: every question with its answer (a recap).
    sheet: tuple[AnswerLine, ...] = ()
    #: The participant's question messages on the planner's platform that this outcome
    #: put out of date (the message of the question just answered), found in the same
    #: transaction: the adapter claims their updates with its posts and makes them after
    #: the ack. Empty where the use case leaves them to the adapter's refresh.
    updates: tuple[QuestionMessageChange, ...] = ()


@dataclass(frozen=True)
class RoundStarted:
    """A started round and the first prompt for each participant."""

    round: RoundInfo
    participants: list[tuple[Participant, QuestionPrompt]]
    units_without_manager: list[str] = field(default_factory=list)
    already_existed: bool = False


@dataclass(frozen=True)
class UnitProgress:
    """Response progress for one unit in a round."""

    unit_key: str
    unit_name: str
    level_key: str
    participants: list[Participant]

    @property
    def responded(self) -> bool:
        """True when at least one manager of the unit has answered something."""
        return any(p.answered > 0 for p in self.participants)


@dataclass(frozen=True)
class RoundStatus:
    """An open or closed round with progress per unit."""

    round: RoundInfo
    units: list[UnitProgress]

    @property
    def responded_units(self) -> int:
        """Units with at least one answer."""
        return sum(1 for u in self.units if u.responded)

    @property
    def non_responders(self) -> list[Participant]:
        """Participants who have not answered anything yet (the absent left out)."""
        return [
            p
            for u in self.units
            for p in u.participants
            if p.answered == 0 and p.status != ParticipationState.ABSENT
        ]

    @property
    def absent(self) -> list[Participant]:
        """Participants marked absent (frånvarande) who have not answered."""
        return [
            p for u in self.units for p in u.participants if p.status == ParticipationState.ABSENT
        ]

    @property
    def unfinished(self) -> list[Participant]:
        """Participants who have not finished."""
        return [p for u in self.units for p in u.participants if not is_finished(p.status)]


@dataclass(frozen=True)
class ContextItem:
    """An earlier answer of the same unit that a question refers to (shown collapsed).

    Attributes:
        template_name: the earlier round's template, e.g. "Planeringsdialog".
        question_text: the earlier question.
        answer_text: what the unit answered (user text: escape when rendering).
        round_title: the earlier round's title.
        answered_at: when the answer was last changed (UTC).
    """

    template_name: str
    question_text: str
    answer_text: str
    round_title: str
    answered_at: datetime


@dataclass(frozen=True)
class ActivityView:
    """A tracked activity (åtgärd) of a unit.

    ``status`` is one of ``proposed`` (föreslagen, not yet confirmed by the manager),
    ``open``, ``in_progress``, ``done`` and ``stopped``.
    """

    activity_id: int
    unit_key: str
    unit_name: str
    round_id: int
    question_key: str
    title: str
    owner: str | None
    status: str
    status_note: str
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class AnswerLine:
    """One question of a participation and its current answer (``status`` is answered,
    skipped, withdrawn or unanswered; ``answer`` is set only when answered)."""

    number: int
    question_key: str
    question: str
    status: str
    answer: str | None


@dataclass(frozen=True)
class UnitChoice:
    """A unit as a start form offers it: key, name and the name of its level."""

    key: str
    name: str
    level_name: str
