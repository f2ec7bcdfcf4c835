"""Erasing every trace that ties an answer to a person when an anonymous round closes.

What a closed anonymous round keeps: the answers (texts of pools with at least ``k``
respondents), each under a participation that points at its *pool* unit and at no person,
with no thread and no chat message, and with times truncated to the day. What it drops:
the participations' person and thread, the texts of pools below ``k``, the applied message
keys (they held the DM channel and the answer's ts), every outgoing post in the
participants' threads, and the activities of withheld answers. The units' own activities
followed up in the round keep their new status, with the time of the change truncated too.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, or_, select
from sqlalchemy.orm import Session

from bot.domain.answer_status import AnswerStatus
from storage.models import (
    Answer,
    AnswerRevision,
    Participation,
    ProcessedMessage,
    Unit,
)
from storage.models_chain import Activity, ActivityEvent
from storage.models_outbox import ChatPost
from storage.models_question_messages import QuestionMessage

#: Answer status of a text erased at close because its pool had fewer than k respondents.
WITHHELD = AnswerStatus.WITHHELD

Coarsen = Callable[[datetime | None], datetime | None]


@dataclass(frozen=True)
class PostTrace:
    """What identifies the outgoing posts of one participation.

    ``thread_ref`` is ``channel:thread_ts`` of the participant's conversation (a DM thread
    in anonymous rounds), None when it was never opened.
    """

    participation_id: int
    thread_ref: str | None


def erase_post_traces(
    session: Session,
    workspace_id: str,
    round_id: int,
    traces: Sequence[PostTrace],
    messages: Collection[tuple[str, str]] = (),
) -> int:
    """Delete the outgoing posts that belong to the participations in ``traces``.

    A post belongs to a participation when its key names it (``round:R:thread:P``,
    ``round:R:first:P``, ``remind:R:P:…``) or when it went to (or is owed to) its thread:
    the thread's parent message itself, and every message posted with that
    ``thread_ts`` in that channel (questions, confirmations, refusals, keyed by the
    answer's ``slack:{channel}:{ts}``). Their payloads name the person and the unit, and
    their keys hold the DM channel and the answer's ts. After close nothing is owed in
    these threads, and replays of their events find no participation any more, so no
    claim is needed to keep them from posting twice. ``messages`` are (channel, ts) of
    messages that showed the participations' questions: their updates go too. Returns the
    number of rows deleted.
    """
    shown = set(messages)
    exact: set[str] = set()
    prefixes: list[str] = []
    threads: set[tuple[str, str]] = set()
    for trace in traces:
        exact.add(f"round:{round_id}:thread:{trace.participation_id}")
        exact.add(f"round:{round_id}:first:{trace.participation_id}")
        prefixes.append(f"remind:{round_id}:{trace.participation_id}:")
        if trace.thread_ref:
            channel, _, ts = trace.thread_ref.partition(":")
            threads.add((channel, ts))
    if not exact and not threads:
        return 0
    pids = [trace.participation_id for trace in traces]
    conditions = [
        ChatPost.participation_id.in_(pids),
        ChatPost.post_key.in_(exact),
        *(ChatPost.post_key.startswith(p, autoescape=True) for p in prefixes),
    ]
    channels = {c for c, _ in threads | shown}
    if channels:
        conditions.append(ChatPost.channel.in_(channels))
    rows = session.scalars(
        select(ChatPost).where(ChatPost.workspace_id == workspace_id, or_(*conditions))
    ).all()
    doomed = [
        row.id
        for row in rows
        if row.participation_id in pids
        or row.post_key in exact
        or any(row.post_key.startswith(p) for p in prefixes)
        or (row.channel or "", row.ts or "") in threads | shown
        or (row.channel or "", str((row.payload or {}).get("thread_ts") or "")) in threads
    ]
    if doomed:
        session.execute(delete(ChatPost).where(ChatPost.id.in_(doomed)))
    return len(doomed)


def anonymise_round(
    session: Session,
    workspace_id: str,
    round_id: int,
    pool_of: Mapping[int, int],
    withheld: Collection[int],
    top_unit_id: int | None,
    coarsen: Coarsen,
) -> None:
    """Erase every link between people and answers of a closed anonymous round.

    Args:
        pool_of: participation id → the unit its answers are pooled under (non-
            respondents: the top of the round).
        top_unit_id: where activities whose answer is gone are pooled.
        withheld: participations whose pool has fewer than k respondents: their texts
            are erased (status ``withheld``, only counted) with the activities read
            from them.
        coarsen: truncates a time so it cannot be matched against chat logs.
    """
    participations = session.scalars(
        select(Participation).where(
            Participation.workspace_id == workspace_id, Participation.round_id == round_id
        )
    ).all()
    pids = [p.id for p in participations]
    shown = session.execute(
        select(QuestionMessage.conversation, QuestionMessage.message_ts).where(
            QuestionMessage.workspace_id == workspace_id,
            QuestionMessage.participation_id.in_(pids),
        )
    ).all()
    erase_post_traces(
        session,
        workspace_id,
        round_id,
        [PostTrace(p.id, p.thread_ref) for p in participations],
        {(c, ts) for c, ts in shown},
    )
    session.execute(
        delete(QuestionMessage).where(
            QuestionMessage.workspace_id == workspace_id,
            QuestionMessage.participation_id.in_(pids),
        )
    )
    session.execute(
        delete(ProcessedMessage).where(
            ProcessedMessage.workspace_id == workspace_id,
            ProcessedMessage.participation_id.in_(pids),
        )
    )
    answers = session.scalars(select(Answer).where(Answer.participation_id.in_(pids))).all()
    erased = [a.id for a in answers if a.participation_id in withheld and a.status == "answered"]
    if erased:
        session.execute(delete(Activity).where(Activity.answer_id.in_(erased)))
        session.execute(delete(AnswerRevision).where(AnswerRevision.answer_id.in_(erased)))
    by_answer = {a.id: a for a in answers}
    for answer in answers:
        answer.source_ref = None
        answer.updated_at = coarsen(answer.updated_at) or answer.updated_at
        if answer.id in erased:
            answer.text = ""
            answer.status = WITHHELD
    revisions = session.scalars(
        select(AnswerRevision).where(AnswerRevision.answer_id.in_(list(by_answer)))
    ).all()
    for revision in revisions:
        revision.source_ref = None
        revision.created_at = coarsen(revision.created_at) or revision.created_at
    activities = session.scalars(select(Activity).where(Activity.round_id == round_id)).all()
    for activity in activities:
        owner = by_answer.get(activity.answer_id) if activity.answer_id else None
        unit = pool_of.get(owner.participation_id) if owner is not None else top_unit_id
        if unit is not None:
            activity.unit = session.get_one(Unit, unit)
        activity.created_at = coarsen(activity.created_at) or activity.created_at
        activity.updated_at = coarsen(activity.updated_at) or activity.updated_at
    events = session.scalars(
        select(ActivityEvent).where(
            or_(
                ActivityEvent.round_id == round_id,
                ActivityEvent.activity_id.in_([a.id for a in activities]),
            )
        )
    ).all()
    own = {a.id for a in activities}
    for event in events:
        event.participation_id = None
        event.created_at = coarsen(event.created_at) or event.created_at
        if event.activity_id not in own:  # a unit's activity followed up in this round
            followed = event.activity
            followed.updated_at = coarsen(followed.updated_at) or followed.updated_at
    for p in participations:
        p.person_id = None
        p.person = None
        p.thread_ref = None
        p.unit = session.get_one(Unit, pool_of.get(p.id, p.unit_id))
        p.started_at = coarsen(p.started_at)
        p.finished_at = coarsen(p.finished_at)
    session.flush()
    session.expire_all()
