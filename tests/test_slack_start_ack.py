"""A round start is acknowledged before the round is started: the command is stored as a
``start_round_now`` job before the ack (one cheap write), the round starts right after it,
and if the process dies in between the scheduler takes the job over and starts the round
exactly once (:mod:`bot.services.round_starts`, :mod:`bot.slack.round_start`)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from fakes.signing import DEFAULT_TEAM_ID
from support.slack import ANNA, CHANNEL, PROCESS_SUPPORT, SlackHarness, start_form_values, texts

from bench.orgs import build_org
from bot.clock import FixedClock
from bot.schedule.jobs import KIND_START_ROUND_NOW
from bot.schedule.scheduler import Scheduler
from bot.services.jobs import JobStore
from bot.services.round_starts import START_GRACE, START_LEASE, StartAccepted
from bot.slack import round_start
from bot.slack.app import build_notifier
from bot.slack.blocks import VIEW_START
from bot.wiring import Runtime
from storage.jobs import JobView

START = 'start avstamning enheter:"Äldreomsorg" kanal:<#C0LEDNING|ledning> deadline:2027-05-15'
POSTS = 1 + 2 * 3  # the announcement, and a thread opening and first question each


def _start_jobs(slack: SlackHarness, status: str | None = None) -> list[JobView]:
    store = JobStore(slack.services.kernel.session_factory, slack.services.kernel.clock)
    return [j for j in store.jobs(status=status) if j.kind == KIND_START_ROUND_NOW]


def _scheduler(slack: SlackHarness) -> Scheduler:
    """The leader's scheduler, posting to the fake Slack like ``dialogbot serve``'s."""
    runtime = Runtime(slack.db, slack.services)
    return Scheduler(slack.services, build_notifier(slack.config, runtime))


def _dms(slack: SlackHarness, user: str) -> list[str]:
    return texts(slack.posts(slack.fake.dm_channel_id(user)))


class Held:
    """Stands in for :func:`round_start.carry_out`: notes what was stored when the work
    after the ack began, and runs the real work only when released (or never: a crash)."""

    def __init__(self, slack: SlackHarness, run: bool = True, team: str = DEFAULT_TEAM_ID) -> None:
        self.slack = slack
        self.run = run
        self.team = team
        self.release = threading.Event()
        self.called = threading.Event()
        self.rounds_when_called: int | None = None
        self.calls: list[tuple[Any, ...]] = []
        self.real: Callable[..., None] = round_start.carry_out

    def rounds_seen(self) -> int | None:
        """How many rounds the work after the ack found when it began (waits for it)."""
        assert self.called.wait(10), "the work after the ack never began"
        return self.rounds_when_called

    def __call__(self, *args: Any, **kwargs: Any) -> None:
        self.calls.append(args)
        self.rounds_when_called = len(self.slack.services.queries.rounds(self.team))
        self.called.set()
        if self.run:
            self.release.wait(10)
            self.real(*args, **kwargs)


def test_a_start_is_acknowledged_before_the_round_exists_and_the_round_follows(
    slack: SlackHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    held = Held(slack)
    monkeypatch.setattr(round_start, "carry_out", held)
    reply = slack.command(START, wait=False)
    # The ack went out while the work after it is held: the command is stored, the
    # round is not there yet.
    assert reply.status == 200
    assert "Startar rundan" in reply.json()["text"]
    assert slack.services.queries.rounds(DEFAULT_TEAM_ID) == []
    [job] = _start_jobs(slack)
    assert job.status == "pending" and job.payload["units"] == ["Äldreomsorg"]
    assert held.rounds_seen() == 0
    held.release.set()
    slack.executor.wait_idle()
    # Right after the ack the round started, its fan-out went out and the starter heard.
    [info] = slack.services.queries.rounds(DEFAULT_TEAM_ID)
    assert "Runda 1" in slack.responses()[-1] and "3 deltagare" in slack.responses()[-1]
    assert len(slack.posts()) == POSTS
    assert [j.status for j in _start_jobs(slack)] == ["done"]
    assert info.group_ref == CHANNEL


def test_a_start_from_the_modal_is_acknowledged_before_the_round_exists(
    slack: SlackHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    held = Held(slack)
    monkeypatch.setattr(round_start, "carry_out", held)
    reply = slack.submit(
        VIEW_START, PROCESS_SUPPORT, start_form_values(["aldreomsorg"], "enhet"), wait=False
    )
    assert (reply.status, reply.body) == (200, "")  # the modal closes
    assert slack.services.queries.rounds(DEFAULT_TEAM_ID) == []
    held.release.set()
    slack.executor.wait_idle()
    assert len(slack.services.queries.rounds(DEFAULT_TEAM_ID)) == 1
    assert len(slack.posts()) == POSTS


def test_a_redelivered_start_starts_one_round(slack: SlackHarness) -> None:
    for _ in range(2):
        reply = slack.command(START, trigger_id="TRIG-ONCE")
        assert "Startar rundan" in reply.json()["text"]
    assert len(slack.services.queries.rounds(DEFAULT_TEAM_ID)) == 1
    assert all("Runda 1" in text for text in slack.responses())  # both told the same round
    assert len(slack.posts()) == POSTS
    assert len(_start_jobs(slack)) == 1
    # And a modal submission delivered twice.
    for _ in range(2):
        slack.submit(
            VIEW_START,
            PROCESS_SUPPORT,
            start_form_values(["hemtjanst-norr"], "enhet"),
            view_id="V0TWICE",
        )
    assert len(slack.services.queries.rounds(DEFAULT_TEAM_ID)) == 2


def test_a_start_redelivered_while_the_first_is_under_way_starts_one_round(
    slack: SlackHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    held = Held(slack)
    monkeypatch.setattr(round_start, "carry_out", held)
    slack.command(START, trigger_id="TRIG-RACE", wait=False)
    second_done = threading.Event()

    def second_start(*args: Any, **kwargs: Any) -> None:
        try:
            held.real(*args, **kwargs)
        finally:
            second_done.set()

    monkeypatch.setattr(round_start, "carry_out", second_start)
    second = slack.command(START, trigger_id="TRIG-RACE", wait=False)
    assert "Startar rundan" in second.json()["text"]
    assert second_done.wait(10)  # the second delivery's work ran to its end meanwhile
    held.release.set()
    slack.executor.wait_idle()
    assert len(slack.services.queries.rounds(DEFAULT_TEAM_ID)) == 1
    assert len(slack.posts()) == POSTS


def test_a_crash_between_the_ack_and_the_start_is_started_once_by_the_leader(
    slack: SlackHarness, monkeypatch: pytest.MonkeyPatch, clock: FixedClock
) -> None:
    crash = Held(slack, run=False)  # the process dies right after the ack
    monkeypatch.setattr(round_start, "carry_out", crash)
    reply = slack.command(START, trigger_id="TRIG-CRASH")
    assert "Startar rundan" in reply.json()["text"]
    assert slack.services.queries.rounds(DEFAULT_TEAM_ID) == []
    monkeypatch.setattr(round_start, "carry_out", crash.real)
    slack.restart()
    scheduler = _scheduler(slack)
    assert scheduler.run_due() == (0, 0)  # within the grace the accepting process has it
    clock.advance(START_GRACE + timedelta(seconds=1))
    assert scheduler.run_due() == (1, 0)
    [info] = slack.services.queries.rounds(DEFAULT_TEAM_ID)
    assert info.round_id == 1
    assert len(slack.posts()) == POSTS + 1  # and the DM below
    assert [j.status for j in _start_jobs(slack)] == ["done"]
    # The starter, whose response URL belonged to the dead process, hears by DM.
    [told] = _dms(slack, PROCESS_SUPPORT)
    assert "Runda 1" in told and "3 deltagare" in told
    # Nothing more on later ticks, nor when Slack's request comes again.
    clock.advance(START_LEASE * 2)
    assert scheduler.run_due() == (0, 0)
    slack.command(START, trigger_id="TRIG-CRASH")
    assert len(slack.services.queries.rounds(DEFAULT_TEAM_ID)) == 1
    assert len(slack.posts()) == POSTS + 1 and len(_dms(slack, PROCESS_SUPPORT)) == 1


def test_a_start_whose_worker_died_after_claiming_it_is_taken_over_after_the_lease(
    slack: SlackHarness, monkeypatch: pytest.MonkeyPatch, clock: FixedClock
) -> None:
    def claim_and_die(
        ctx: Any, client: Any, workspace: str, accepted: StartAccepted, *_: Any
    ) -> None:
        assert ctx.services.round_starts.claim(workspace, accepted.job_key) is not None

    monkeypatch.setattr(round_start, "carry_out", claim_and_die)
    slack.command(START)
    [job] = _start_jobs(slack)
    assert job.status == "running"
    scheduler = _scheduler(slack)
    clock.advance(START_GRACE + timedelta(seconds=1))
    assert scheduler.run_due() == (0, 0)  # still leased to the (dead) worker
    clock.advance(START_LEASE)
    assert scheduler.run_due() == (1, 0)
    assert len(slack.services.queries.rounds(DEFAULT_TEAM_ID)) == 1
    assert len(slack.posts()) == POSTS + 1  # the fan-out and the DM to the starter
    assert len(_dms(slack, PROCESS_SUPPORT)) == 1


def test_validation_errors_answer_in_the_ack_and_store_nothing(slack: SlackHarness) -> None:
    cases = {
        'start avstamning enheter:"Finns inte"': "Okänd enhet 'Finns inte'",
        'start finnsinte enheter:"Äldreomsorg"': "finnsinte",
        "start avstamning enheter:Äldreomsorg deadline:2027-05-01": "har redan passerat",
        'start avstamning forvaltningar:"Hemtjänst Norr"': "inga chefer",
    }
    for text, expected in cases.items():
        reply = slack.command(text)
        assert expected in reply.json()["text"], text
    assert "bara processtöd" in slack.command(START, user=ANNA).json()["text"]
    assert _start_jobs(slack) == []
    assert slack.services.queries.rounds(DEFAULT_TEAM_ID) == []
    assert slack.posts() == [] and slack.responses() == []


def test_a_start_refused_after_the_ack_is_reported_by_dm_once(
    slack: SlackHarness, monkeypatch: pytest.MonkeyPatch, clock: FixedClock
) -> None:
    # Accepted a minute before its deadline; by the time it runs, the deadline passed.
    soon = 'start avstamning enheter:"Äldreomsorg" kanal:C0LEDNING deadline:2027-05-03'
    clock.set(clock.now().replace(hour=14, minute=59))  # 16:59 in Stockholm
    held = Held(slack)
    monkeypatch.setattr(round_start, "carry_out", held)
    assert "Startar rundan" in slack.command(soon, wait=False).json()["text"]
    clock.advance(timedelta(minutes=2))
    held.release.set()
    slack.executor.wait_idle()
    assert slack.services.queries.rounds(DEFAULT_TEAM_ID) == []
    [told] = _dms(slack, PROCESS_SUPPORT)
    assert "kunde inte startas" in told and "har redan passerat" in told
    [job] = _start_jobs(slack)
    assert job.status == "done" and job.outcome == "refused: error.deadline_in_past"
    # The scheduler has nothing left to do with it.
    clock.advance(START_LEASE * 2)
    assert _scheduler(slack).run_due() == (0, 0)
    assert len(_dms(slack, PROCESS_SUPPORT)) == 1


def test_a_large_start_acks_before_the_start_work_ran(
    slack: SlackHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    team = "T0LARGE"
    build_org(slack.services.kernel.session_factory, team, 300)
    held = Held(slack, team=team)
    monkeypatch.setattr(round_start, "carry_out", held)
    text = f'start avstamning enheter:"Benchförvaltningen" kanal:<#{CHANNEL}|c> leverans:dm'
    reply = slack.command(text, user="UPROC", team=team, wait=False)
    assert "Startar rundan" in reply.json()["text"]
    assert slack.services.queries.rounds(team) == []
    assert held.rounds_seen() == 0
    held.release.set()
    slack.executor.wait_idle()
    [info] = slack.services.queries.rounds(team)
    assert slack.services.queries.status(team, info.round_id).round.round_id == info.round_id
    assert "300 deltagare" in slack.responses("UPROC", team)[-1]


def test_a_start_sends_its_first_threads_while_it_writes_the_others_and_each_once(
    slack: SlackHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(round_start, "HEAD_CHAINS", 1)  # one participant's posts first
    slack.command(START)
    posts = slack.posts()
    assert len(posts) == POSTS
    openings = [p.response["ts"] for p in posts if "thread_ts" not in p.args]
    questions = [p.args["thread_ts"] for p in posts if "thread_ts" in p.args]
    assert len(openings) == 1 + 3  # the announcement and a thread each
    assert len(questions) == 3 and set(questions) < set(openings)  # one question per thread
    assert [j.status for j in _start_jobs(slack)] == ["done"]
    assert "3 deltagare" in slack.responses()[-1]


def test_a_start_that_fails_writing_the_rest_of_its_fanout_is_completed_once_by_the_leader(
    slack: SlackHarness, monkeypatch: pytest.MonkeyPatch, clock: FixedClock
) -> None:
    from bot.slack.notifier import SlackNotifier

    monkeypatch.setattr(round_start, "HEAD_CHAINS", 1)

    def outage(self: SlackNotifier, plan: Any) -> Any:
        raise ConnectionError("the database went away")

    with monkeypatch.context() as during:
        during.setattr(SlackNotifier, "_plan_rest", outage)
        slack.command(START)
    # The first participant's thread went out; the start is not settled, so it runs again.
    assert len(slack.posts()) == 1 + 2
    [job] = _start_jobs(slack)
    assert job.status != "done"
    scheduler = _scheduler(slack)
    clock.advance(START_LEASE * 2)
    assert scheduler.run_due() == (1, 0)
    assert len(slack.services.queries.rounds(DEFAULT_TEAM_ID)) == 1
    told = (PROCESS_SUPPORT, slack.fake.dm_channel_id(PROCESS_SUPPORT))
    fanout = [p for p in slack.posts() if p.args["channel"] not in told]
    assert len(fanout) == POSTS  # every thread and first question once
    assert len(_dms(slack, PROCESS_SUPPORT)) == 1  # and the starter hears by DM
    assert (
        len({(p.args["channel"], p.args.get("thread_ts"), p.args["text"]) for p in fanout}) == POSTS
    )
    assert [j.status for j in _start_jobs(slack)] == ["done"]
