"""Figure 1 compares systems step by step: each must answer the same questions at the same
step, or a step of one system measures a dearer question than the other's (the bot's n-th
reply in a thread answers question n; in ``planering`` question 4 costs about twice the
others)."""

from __future__ import annotations

from bench.ack_latency import AnswerSlices
from bench.harness import Thread, answer_plan

MANAGERS = 3
QUESTIONS = 5


def _plan(rounds: int) -> list[list[str]]:
    threads = [
        [Thread(r, r * MANAGERS + i, f"U{i}", f"D{i}", f"{r}.{i:06d}") for i in range(MANAGERS)]
        for r in range(rounds)
    ]
    return answer_plan(threads, QUESTIONS, "t")


def _questions_by_step(slices: AnswerSlices, steps: tuple[int, ...]) -> list[list[int]]:
    """The question each reply of one system answers, step by step (its n-th reply in a
    thread answers question n)."""
    slices.next_system()
    replies: dict[tuple[str, str], int] = {}
    out = []
    for n in steps:
        answered = []
        for channel, thread_ts, *_ in slices.take(n):
            replies[(channel, thread_ts)] = replies.get((channel, thread_ts), 0) + 1
            answered.append(replies[(channel, thread_ts)])
        out.append(answered)
    return out


def test_every_system_answers_the_same_questions_at_each_step() -> None:
    slices = AnswerSlices(_plan(12), MANAGERS * QUESTIONS)
    steps = (2, 4, 8)  # 14 answers: a system ends in the middle of a round
    first = _questions_by_step(slices, steps)
    for _system in range(3):
        assert _questions_by_step(slices, steps) == first
    assert first[0] == [1, 1]
    assert first[2] == [3, 3, 3, 4, 4, 4, 5, 5]
