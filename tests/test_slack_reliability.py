"""Duplicate deliveries, rate limits, server errors, crashes and restarts never lose an
answer or post anything twice."""

from __future__ import annotations

import re
import threading
from datetime import timedelta

from fakes.signing import DEFAULT_TEAM_ID, message_event, next_ts
from support.slack import ANNA, CHANNEL, TOKEN, SlackHarness, texts

from bot.clock import FixedClock
from bot.domain.templates import TemplateCatalog
from bot.services.container import build_services
from bot.slack.poster import Poster, make_client, resend_loop
from storage.db import make_engine, make_session_factory
from storage.outbox import OutboxStore

QUESTION = re.compile(r"^Fråga \d av \d")
START = 'start avstamning enheter:"Hemtjänst Norr" kanal:<#C0LEDNING|ledning>'


def _started(slack: SlackHarness) -> tuple[str, int]:
    slack.command(START)
    thread = slack.thread_of(ANNA)
    pid = slack.services.queries.rounds(DEFAULT_TEAM_ID)[0].round_id
    participant = slack.services.queries.status(DEFAULT_TEAM_ID, pid).units[0].participants[0]
    return thread, participant.participation_id


def _questions(slack: SlackHarness, thread: str) -> list[str]:
    """The progress lines ("Fråga 2 av 3") of the questions posted in a thread."""
    return [m.group(0) for t in texts(slack.posts(CHANNEL, thread)) if (m := QUESTION.match(t))]


def test_same_event_three_times_gives_one_answer_and_one_post(slack: SlackHarness) -> None:
    thread, pid = _started(slack)
    event = message_event(text="Det går bra", user=ANNA, channel=CHANNEL, thread_ts=thread)
    for retry in range(3):
        slack.event(event, event_id="Ev0SAME", retry=retry)
    # A Socket Mode reconnect may redeliver the message under a new envelope id.
    slack.event(event, event_id="Ev0OTHER")
    assert slack.services.queries.answers_of(DEFAULT_TEAM_ID, pid) == {"hur_gar_det": "Det går bra"}
    assert len(slack.fake.calls("reactions.add")) <= 2
    assert len(slack.fake.delivered("reactions.add")) == 1
    assert _questions(slack, thread).count("Fråga 2 av 3") == 1


def test_concurrent_duplicates_post_once(slack: SlackHarness) -> None:
    thread, pid = _started(slack)
    event = message_event(text="Samtidigt", user=ANNA, channel=CHANNEL, thread_ts=thread)
    workers = [
        threading.Thread(target=slack.event, args=(event,), kwargs={"event_id": f"Ev0C{i}"})
        for i in range(3)
    ]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    slack.executor.wait_idle()
    assert slack.services.queries.answers_of(DEFAULT_TEAM_ID, pid) == {"hur_gar_det": "Samtidigt"}
    assert _questions(slack, thread).count("Fråga 2 av 3") == 1


def test_crash_between_commit_and_post_heals_on_slacks_retry(slack: SlackHarness) -> None:
    thread, pid = _started(slack)
    ts = next_ts()
    # The process stored the answer, then died before posting the next question.
    slack.services.answering.reply(DEFAULT_TEAM_ID, pid, "Stabilt", f"slack:{CHANNEL}:{ts}")
    assert "Fråga 2 av 3" not in _questions(slack, thread)
    event = message_event(text="Stabilt", user=ANNA, channel=CHANNEL, thread_ts=thread, ts=ts)
    slack.event(event, event_id="Ev0CRASH", retry=1)
    slack.event(event, event_id="Ev0CRASH", retry=2)
    assert _questions(slack, thread).count("Fråga 2 av 3") == 1
    assert slack.services.queries.answers_of(DEFAULT_TEAM_ID, pid) == {"hur_gar_det": "Stabilt"}


def test_rate_limit_and_server_error_are_retried_without_loss(slack: SlackHarness) -> None:
    thread, _pid = _started(slack)
    slack.fake.fail_next("chat.postMessage", 429, retry_after=0)
    slack.say(ANNA, "Svar ett", thread)
    slack.fake.fail_next("chat.postMessage", 500, times=2)
    slack.say(ANNA, "Svar två", thread)
    statuses = [c.status for c in slack.fake.calls("chat.postMessage")]
    assert statuses.count(429) == 1 and statuses.count(500) == 2
    assert _questions(slack, thread)[-2:] == ["Fråga 2 av 3", "Fråga 3 av 3"]


def test_post_failing_after_all_retries_is_sent_later_by_the_resender(
    slack: SlackHarness, clock: FixedClock
) -> None:
    thread, _pid = _started(slack)
    slack.fake.fail_next("chat.postMessage", 503, times=20)
    slack.say(ANNA, "Svar under driftstörning", thread)
    assert "Fråga 2 av 3" not in _questions(slack, thread)
    slack.fake.clear_faults()
    assert _resend(slack) == 0  # not due yet: the next attempt waits (back-off)
    clock.advance(timedelta(seconds=30))
    assert _resend(slack) == 1
    assert _resend(slack) == 0
    assert _questions(slack, thread).count("Fråga 2 av 3") == 1


def test_restart_mid_round_continues_where_the_manager_was(slack: SlackHarness) -> None:
    thread, pid = _started(slack)
    first = slack.say(ANNA, "Före omstarten", thread)
    slack.restart()
    slack.say(ANNA, "Efter omstarten", thread)
    # Slack retries the first answer after the restart: nothing changes.
    slack.event(
        message_event(text="Före omstarten", user=ANNA, channel=CHANNEL, thread_ts=thread, ts=first)
    )
    assert slack.services.queries.answers_of(DEFAULT_TEAM_ID, pid) == {
        "hur_gar_det": "Före omstarten",
        "analys": "Efter omstarten",
    }
    assert _questions(slack, thread) == [
        "Fråga 1 av 3",
        "Fråga 2 av 3",
        "Fråga 3 av 3",
    ]


def test_an_answer_is_stored_before_the_ack_so_an_outage_gets_a_retry(
    slack: SlackHarness, catalog: TemplateCatalog, clock: FixedClock
) -> None:
    thread, pid = _started(slack)
    working = slack.make_services
    unreachable = make_engine("postgresql://postgres@127.0.0.1:1/test", pool_pre_ping=False)
    slack.make_services = lambda: build_services(make_session_factory(unreachable), catalog, clock)
    slack.restart()
    event = message_event(text="Det går bra", user=ANNA, channel=CHANNEL, thread_ts=thread)
    assert slack.event(event, event_id="Ev0DOWN").status == 500  # not acknowledged
    assert not _questions(slack, thread)[1:]

    slack.make_services = working
    slack.restart()
    assert slack.event(event, event_id="Ev0DOWN", retry=1).status == 200
    assert slack.services.queries.answers_of(DEFAULT_TEAM_ID, pid) == {"hur_gar_det": "Det går bra"}
    assert _questions(slack, thread) == ["Fråga 1 av 3", "Fråga 2 av 3"]


def test_posts_failed_by_another_replica_are_resent_without_any_event(
    slack: SlackHarness, clock: FixedClock
) -> None:
    store = OutboxStore(slack.services.kernel.session_factory, clock)
    client = make_client(slack.fake.base_url, TOKEN, retries=1, backoff=0.01)
    slack.fake.fail_for(60, 503, methods={"chat.postMessage"})
    assert Poster(store).post(client, DEFAULT_TEAM_ID, "k:1", channel=CHANNEL, text="Hej") is None
    slack.fake.clear_faults()
    assert not slack.fake.delivered("chat.postMessage")
    clock.advance(timedelta(seconds=30))

    other_replica = Poster(store)
    stop = threading.Event()
    loop = threading.Thread(
        target=resend_loop, args=(other_replica, lambda _ws: client, stop, 0.05)
    )
    loop.start()
    try:
        slack.fake.wait_for("chat.postMessage", timeout=5)
    finally:
        stop.set()
        loop.join()
    assert [c.args["text"] for c in slack.fake.delivered("chat.postMessage")] == ["Hej"]
    assert store.status(DEFAULT_TEAM_ID, "k:1") == "sent"


def _resend(slack: SlackHarness) -> int:
    """One pass of the resender of another process on the same database."""
    client = make_client(slack.fake.base_url, TOKEN, retries=1, backoff=0.01)
    store = OutboxStore(slack.services.kernel.session_factory, slack.services.kernel.clock)
    return Poster(store).resend_due(lambda _ws: client)
