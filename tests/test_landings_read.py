"""A landing that records a next question's message also reads the participation's
question messages (one statement on PostgreSQL): the message it records now is among
them, with the answer its question already has (a participant who answered before the
landing was recorded), and recording the same landing again adds nothing."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, select
from support.sample import WORKSPACE

from bot.domain.commands import StartRound
from bot.services.container import Services
from storage.landings import ShownAt
from storage.models_question_messages import QuestionMessage


def _prompt_ref(services: Services, pid: int) -> str:
    prompt = services.queries.current_prompt(WORKSPACE, pid)
    assert prompt is not None
    return prompt.ref


def test_a_landing_finds_the_message_it_records_with_its_answer(services: Services) -> None:
    started = services.rounds.start_round(
        WORKSPACE,
        StartRound(
            "planering",
            ["Äldreomsorg"],
            "#x",
            level="enhet",
            deadline_at=datetime(2027, 5, 20, 15, tzinfo=UTC),
        ),
    )
    pid = services.queries.status(WORKSPACE, started.round.round_id).units[0].participants[0]
    pid_ = pid.participation_id
    first = _prompt_ref(services, pid_)
    services.landings.record(WORKSPACE, shown=[ShownAt(pid_, first, "slack", "D1", "1.1", 0)])
    services.answering.reply(WORKSPACE, pid_, "Svar 1", "slack:D1:2.1")
    second = _prompt_ref(services, pid_)
    # The second question is answered before its message's landing is recorded.
    services.answering.reply(WORKSPACE, pid_, "Svar 2", "slack:D1:2.2")
    landing = [ShownAt(pid_, second, "slack", "D1", "1.2", 1)]

    for _ in range(2):  # the same landing again (a replay) finds the same and adds nothing
        found = services.landings.record(WORKSPACE, shown=landing)
        assert [(c.question_ref, c.message_ts, c.state, c.answer) for c in found[pid_]] == [
            (first, "1.1", "answered", "Svar 1"),
            (second, "1.2", "answered", "Svar 2"),
        ]
    with services.kernel.unit_of_work(WORKSPACE) as uow:
        count = uow.session.scalar(
            select(func.count()).where(QuestionMessage.participation_id == pid_)
        )
    assert count == 2
