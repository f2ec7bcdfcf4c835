"""Tracked activities (åtgärder): recorded from answers, confirmed, followed up.

"Ord måste bli handling": an answer to a question of kind ``activities`` becomes a
list of proposed activities for the unit (see :mod:`bot.domain.splitting`). The
manager confirms the list or replaces it with a corrected one; the unit's next round
whose template has ``activity_followup: true`` asks about every activity that is
still open, before the ordinary questions.

These functions work inside the caller's unit of work (a :class:`Repository`, whose
``activities`` property holds every query, :class:`storage.activities.ActivityRepository`);
the service calls them and commits. In anonymous rounds no event records the
participation it came from.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from bot.domain.results import ActivityView
from bot.domain.splitting import ActivityDraft, split_activities
from storage.activities import NewActivity
from storage.models import Answer, Participation
from storage.models_chain import Activity, ActivityEvent
from storage.repository import Repository

if TYPE_CHECKING:
    from storage.answer_path import AnswerState, StoredAnswer

PROPOSED = "proposed"
OPEN = "open"
IN_PROGRESS = "in_progress"
DONE = "done"
STOPPED = "stopped"
OPEN_STATUSES = (PROPOSED, OPEN, IN_PROGRESS)
STATUSES = (PROPOSED, OPEN, IN_PROGRESS, DONE, STOPPED)
FOLLOWUP = "followup"
FOLLOWUP_SKIPPED = "skipped"


def view(activity: Activity) -> ActivityView:
    """An activity as plain data."""
    return ActivityView(
        activity_id=activity.id,
        unit_key=activity.unit.key,
        unit_name=activity.unit.name,
        round_id=activity.round_id,
        question_key=activity.question_key,
        title=activity.title,
        owner=activity.owner,
        status=activity.status,
        status_note=activity.status_note,
        created_at=activity.created_at,
        updated_at=activity.updated_at,
    )


def _event(
    repo: Repository,
    activity: Activity,
    p: Participation | None,
    kind: str,
    now: datetime,
    note: str = "",
) -> None:
    anonymous = p is None or p.round.anonymous
    event = ActivityEvent(
        workspace_id=repo.workspace_id,
        round_id=p.round_id if p is not None else None,
        participation_id=None if anonymous or p is None else p.id,
        kind=kind,
        status=activity.status,
        note=note,
        created_at=now,
    )
    activity.events.append(event)


def _insert(
    repo: Repository,
    p: Participation,
    answer: Answer,
    drafts: Sequence[ActivityDraft],
    status: str,
    kind: str,
    now: datetime,
) -> list[ActivityView]:
    """Insert one activity per draft, each with its event of ``kind``; their views."""
    return _insert_rows(
        repo,
        _Origin(
            p.unit_id,
            p.unit.key,
            p.unit.name,
            p.round_id,
            None if p.round.anonymous else p.id,
            answer.id,
            answer.question_key,
        ),
        drafts,
        status,
        kind,
        now,
    )


@dataclass(frozen=True)
class _Origin:
    """Where new activities come from: the unit, the round (the participation unless the
    round is anonymous) and the answer."""

    unit_id: int
    unit_key: str
    unit_name: str
    round_id: int
    participation_id: int | None
    answer_id: int
    question_key: str


def _insert_rows(
    repo: Repository,
    origin: _Origin,
    drafts: Sequence[ActivityDraft],
    status: str,
    kind: str,
    now: datetime,
) -> list[ActivityView]:
    ids = repo.activities.insert(
        [
            NewActivity(
                unit_id=origin.unit_id,
                round_id=origin.round_id,
                answer_id=origin.answer_id,
                question_key=origin.question_key,
                position=position,
                title=draft.title,
                owner=draft.owner,
                status=status,
                event_kind=kind,
                event_round_id=origin.round_id,
                event_participation_id=origin.participation_id,
            )
            for position, draft in enumerate(drafts)
        ],
        now,
    )
    return [
        ActivityView(
            activity_id=activity_id,
            unit_key=origin.unit_key,
            unit_name=origin.unit_name,
            round_id=origin.round_id,
            question_key=origin.question_key,
            title=draft.title,
            owner=draft.owner,
            status=status,
            status_note="",
            created_at=now,
            updated_at=now,
        )
        for activity_id, draft in zip(ids, drafts, strict=True)
    ]


def _of_answer(repo: Repository, answer_id: int) -> list[Activity]:
    return repo.activities.of_answer(answer_id)


def _drop(repo: Repository, answer_id: int) -> None:
    repo.activities.drop_of_answer(answer_id)


def record_answer(
    repo: Repository, p: Participation, question_key: str, now: datetime
) -> list[ActivityView]:
    """Re-derive the proposed activities of an answer that was just stored or changed;
    the activities it has now (in order).

    An answered question gets one proposed activity per item; a skipped or withdrawn
    answer gets none.
    """
    repo.flush()
    answer = p.answer_to(question_key)
    if answer is None:
        return []
    if answer.revision > 1:  # a first revision was inserted just now: nothing refers to it
        _drop(repo, answer.id)
    if answer.status != "answered":
        return []
    return _insert(repo, p, answer, split_activities(answer.text), PROPOSED, "proposed", now)


def record_stored_answer(
    repo: Repository,
    state: AnswerState,
    stored: StoredAnswer,
    question_key: str,
    text: str,
    *,
    replace: bool,
    now: datetime,
) -> list[ActivityView]:
    """:func:`record_answer` for an answer ``text`` just written from plain data (the
    answer path without the ORM): its proposed activities; ``replace`` drops those an
    earlier revision had."""
    if replace:
        _drop(repo, stored.answer_id)
    origin = _Origin(
        state.unit_id,
        stored.unit_key,
        stored.unit_name,
        state.round_id,
        None if state.round_anonymous else state.participation_id,
        stored.answer_id,
        question_key,
    )
    return _insert_rows(repo, origin, split_activities(text), PROPOSED, "proposed", now)


def _activity_answers(repo: Repository, p: Participation, kinds: set[str]) -> list[Answer]:
    return sorted(
        (a for a in repo.answers(p.id) if a.question_key in kinds and a.status == "answered"),
        key=lambda a: (a.updated_at, a.id),
    )


def activities_of_participation(
    repo: Repository, p: Participation, question_keys: set[str]
) -> list[ActivityView]:
    """The activities derived from a participation's answers, in answer order."""
    out: list[ActivityView] = []
    for answer in _activity_answers(repo, p, question_keys):
        out.extend(view(a) for a in _of_answer(repo, answer.id))
    return out


def confirm(
    repo: Repository, p: Participation, question_keys: set[str], now: datetime
) -> list[ActivityView]:
    """Confirm every proposed activity of the participation: they become open."""
    out: list[ActivityView] = []
    for answer in _activity_answers(repo, p, question_keys):
        for activity in _of_answer(repo, answer.id):
            if activity.status == PROPOSED:
                activity.status = OPEN
                activity.updated_at = now
                _event(repo, activity, p, "confirmed", now)
            out.append(view(activity))
    return out


def correct(
    repo: Repository,
    p: Participation,
    question_key: str,
    drafts: Sequence[ActivityDraft],
    now: datetime,
) -> list[ActivityView]:
    """Replace the activities of one answer with a corrected list (confirmed at once)."""
    answer = p.answer_to(question_key)
    if answer is None:
        return []
    _drop(repo, answer.id)
    return _insert(repo, p, answer, drafts, OPEN, "corrected", now)


def latest_activity_question(
    repo: Repository, p: Participation, question_keys: set[str]
) -> str | None:
    """The activities question the participation answered most recently."""
    answers = _activity_answers(repo, p, question_keys)
    return answers[-1].question_key if answers else None


def pending_followups(repo: Repository, p: Participation) -> list[Activity]:
    """Open activities of the unit from earlier named rounds not yet followed up in this
    round.

    An anonymous round asks them too: it is delivered privately (DM), the prompt says that
    the reply is stored with the unit's activity, and the round's summary and documentation
    only count the follow-ups (:func:`bot.chain.export.build_round_document`), so nothing
    posted to the group tells whose activities were followed up. Activities named in an
    anonymous round belong to its pool after the close and are never asked of one unit.
    """
    return repo.activities.pending_followups(
        p.unit_id, p.round, (FOLLOWUP, FOLLOWUP_SKIPPED), OPEN_STATUSES
    )


def has_pending_followups(
    repo: Repository, unit_id: int, round_id: int, round_created_at: datetime
) -> bool:
    """Whether :func:`pending_followups` would find any for the unit in that round."""
    return repo.activities.has_pending_followups(
        unit_id, round_id, round_created_at, (FOLLOWUP, FOLLOWUP_SKIPPED), OPEN_STATUSES
    )


def record_followup(
    repo: Repository,
    p: Participation,
    activity: Activity,
    status: str | None,
    note: str,
    now: datetime,
) -> ActivityView:
    """Store a follow-up reply (``status`` None: skipped, the status stays as it was)."""
    if status is not None:
        activity.status = status
        activity.status_note = note
        activity.updated_at = now
    _event(repo, activity, p, FOLLOWUP if status is not None else FOLLOWUP_SKIPPED, now, note)
    return view(activity)


def unit_activities(
    repo: Repository, unit_id: int, *, only_open: bool = False
) -> list[ActivityView]:
    """A unit's activities, oldest first."""
    statuses = OPEN_STATUSES if only_open else None
    return [view(a) for a in repo.activities.of_unit(unit_id, statuses)]


def round_activities(repo: Repository, round_id: int) -> list[ActivityView]:
    """Activities named in a round, by unit and position."""
    return [view(a) for a in repo.activities.of_round(round_id)]


def followups_in_round(repo: Repository, round_id: int) -> list[tuple[ActivityView, str, str]]:
    """Activities followed up in a round: (activity, status given, note)."""
    events = repo.activities.events_in_round(round_id, FOLLOWUP)
    return [(view(e.activity), e.status, e.note) for e in events]
