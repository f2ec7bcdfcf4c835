"""Posts are paced per channel and per workspace instead of running into Slack's limits:
the token buckets of :mod:`bot.slack.pacing`, and the poster against a fake Slack that
enforces both limits (with latency) and injects 429 + Retry-After: nothing lost, nothing
doubled, and a 429 is waited out in the pacer, not in the client's retry handler."""

from __future__ import annotations

import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest
from fakes import FakeSlack
from fakes.signing import DEFAULT_TEAM_ID
from fakes.slack_api import DEFAULT_BOT_SCOPES
from sqlalchemy import Engine

from bot.clock import FixedClock
from bot.slack.notifier import FANOUT_WORKERS, RoundStartPlan, SlackNotifier
from bot.slack.pacing import Limits, Pacer
from bot.slack.poster import (
    LandingBatch,
    Planned,
    Posted,
    Poster,
    make_client,
    message_payload,
    reaction_payload,
)
from storage.db import make_session_factory
from storage.outbox import NewPost, OutboxStore

WS = DEFAULT_TEAM_ID


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def _pacer(**limits: float) -> tuple[Pacer, Clock]:
    clock = Clock()
    return Pacer(Limits(jitter_s=0.0, **limits), clock=clock), clock  # type: ignore[arg-type]


def test_a_channel_gets_its_burst_then_one_post_a_second() -> None:
    pacer, _clock = _pacer(per_channel_per_s=1.0, channel_burst=3)
    waits = [pacer.channel_slot(WS, "C1") for _ in range(6)]
    assert waits == pytest.approx([0, 0, 0, 1, 2, 3])
    # another channel is not held up by the first one's queue
    assert pacer.channel_slot(WS, "C2") == 0
    assert pacer.workspace_slot(WS) == 0


def test_wait_takes_the_channel_slot_then_the_workspace_slot() -> None:
    pacer, clock = _pacer(per_channel_per_s=1.0, channel_burst=1, per_workspace_per_s=2.0)
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        clock.now += seconds

    assert pacer.wait(WS, "C1", sleep) == 0
    assert pacer.wait(WS, "C1", sleep) == pytest.approx(1.0)
    assert slept == pytest.approx([1.0])


def test_the_workspace_limit_spaces_posts_across_channels() -> None:
    pacer, _clock = _pacer(per_workspace_per_s=10.0, workspace_burst=2)
    waits = [pacer.workspace_slot(WS) for _ in range(5)]
    assert waits == pytest.approx([0, 0, 0.1, 0.2, 0.3])
    assert pacer.workspace_slot("T0OTHER") == 0  # workspaces are apart


def test_buckets_refill_with_time() -> None:
    pacer, clock = _pacer(per_channel_per_s=1.0, channel_burst=2)
    assert [pacer.channel_slot(WS, "C1") for _ in range(3)] == pytest.approx([0, 0, 1])
    clock.now += 10
    assert [pacer.channel_slot(WS, "C1") for _ in range(3)] == pytest.approx([0, 0, 1])


def test_a_429_closes_the_channel_and_the_workspace_for_retry_after() -> None:
    pacer, _clock = _pacer(per_channel_per_s=1.0, channel_burst=3)
    pacer.penalise(WS, "C1", 5)
    assert pacer.channel_slot(WS, "C1") == pytest.approx(5)
    assert pacer.channel_slot(WS, "C2") == 0
    assert pacer.workspace_slot(WS) == pytest.approx(5)
    assert pacer.workspace_slot("T0OTHER") == 0


def test_a_users_dm_and_its_channel_id_share_a_bucket() -> None:
    pacer, _clock = _pacer(per_channel_per_s=1.0, channel_burst=2)
    pacer.alias(WS, "U1", "D1")
    waits = [pacer.channel_slot(WS, c) for c in ("U1", "D1", "U1")]
    assert waits == pytest.approx([0, 0, 1])


def test_jitter_is_kept_in_reserve() -> None:
    clock = Clock()
    pacer = Pacer(Limits(per_channel_per_s=1.0, channel_burst=3, jitter_s=0.25), clock=clock)
    waits = [pacer.channel_slot(WS, "C1") for _ in range(4)]
    assert waits == pytest.approx([0, 0, 0.25, 1.25])


def test_lease_covers_what_the_limits_impose() -> None:
    pacer = Pacer(
        Limits(per_channel_per_s=1.0, channel_burst=3, per_workspace_per_s=50, workspace_burst=50)
    )
    assert pacer.seconds_for(posts=2001, in_one_channel=2001) == pytest.approx(1998)
    assert pacer.seconds_for(posts=2001, in_one_channel=3) == pytest.approx((2001 - 50) / 50)


# Against the fake ------------------------------------------------------------------------

CHANNEL_RATE = 10.0
CHANNEL_BURST = 4
WORKSPACE_RATE = 40.0
WORKSPACE_BURST = 12
#: Latency jitter plus thread scheduling on a busy test machine: kept in reserve.
JITTER_S = 0.2


def _limited_fake(fake: FakeSlack) -> None:
    fake.rate_limits(
        per_channel_post_per_s=CHANNEL_RATE,
        burst=CHANNEL_BURST,
        workspace_post_per_s=WORKSPACE_RATE,
        workspace_burst=WORKSPACE_BURST,
    )
    fake.latency(0.002, 0.01)


def _poster(db: Engine, clock: FixedClock | None = None) -> Poster:
    limits = Limits(
        per_channel_per_s=CHANNEL_RATE,
        channel_burst=CHANNEL_BURST,
        per_workspace_per_s=WORKSPACE_RATE,
        workspace_burst=WORKSPACE_BURST,
        jitter_s=JITTER_S,
    )
    factory = make_session_factory(db)
    store = OutboxStore(factory) if clock is None else OutboxStore(factory, clock=clock)
    return Poster(store, pacer=Pacer(limits), keep_alive=True)


def _fan_out(poster: Poster, fake: FakeSlack, posts: list[NewPost]) -> float:
    client = make_client(fake.base_url, "xoxb-fake-token", retries=4, backoff=0.01)
    planned = poster.plan(WS, posts)
    batch = LandingBatch(poster)
    started = time.monotonic()
    with ThreadPoolExecutor(8) as pool:
        list(
            pool.map(
                lambda post: poster.send_planned(
                    client, planned.__class__(WS, (post,), planned.mine, planned.lease_until), batch
                ),
                posts,
            )
        )
    batch.flush()
    return time.monotonic() - started


def _posts(channels: list[str], per_channel: int) -> list[NewPost]:
    return [
        NewPost(f"k:{ch}:{n}", message_payload(ch, f"{ch} {n}"), ch)
        for n in range(per_channel)
        for ch in channels
    ]


def test_one_channel_is_paced_to_its_limit_without_a_429(db: Engine) -> None:
    with FakeSlack() as fake:
        _limited_fake(fake)
        poster = _poster(db)
        elapsed = _fan_out(poster, fake, _posts(["C0ONE"], 20))
        statuses = [c.status for c in fake.calls("chat.postMessage")]
    assert statuses.count(200) == 20 and 429 not in statuses
    assert elapsed >= (20 - CHANNEL_BURST) / CHANNEL_RATE * 0.95
    sent = {p.key: poster.store.status(WS, p.key) for p in _posts(["C0ONE"], 20)}
    assert set(sent.values()) == {"sent"}


def test_many_dms_are_paced_to_the_workspace_limit(db: Engine) -> None:
    with FakeSlack() as fake:
        _limited_fake(fake)
        channels = [f"D{n:04d}" for n in range(40)]
        elapsed = _fan_out(_poster(db), fake, _posts(channels, 2))
        statuses = [c.status for c in fake.calls("chat.postMessage")]
    assert statuses.count(200) == 80 and 429 not in statuses
    assert elapsed >= (80 - WORKSPACE_BURST) / WORKSPACE_RATE * 0.95


def test_injected_429s_lose_and_double_nothing_and_wait_in_the_pacer(db: Engine) -> None:
    with FakeSlack() as fake:
        _limited_fake(fake)
        fake.fail_next("chat.postMessage", 429, times=3, retry_after=1)
        posts = _posts(["C0ONE", "D0001", "D0002"], 4)
        poster = _poster(db)
        sleeps: list[float] = []
        original = time.sleep
        lock = threading.Lock()

        def recording_sleep(seconds: float) -> None:
            with lock:
                sleeps.append(seconds)
            original(seconds)

        with pytest.MonkeyPatch.context() as mp:
            mp.setattr("bot.slack.poster.time.sleep", recording_sleep)
            elapsed = _fan_out(poster, fake, posts)
        delivered = [c.args["text"] for c in fake.delivered()]
        limited = [c for c in fake.calls("chat.postMessage") if c.status == 429]
    assert len(limited) == 3
    assert sorted(delivered) == sorted(p.payload["text"] for p in posts)  # each exactly once
    assert {poster.store.status(WS, p.key) for p in posts} == {"sent"}
    assert elapsed >= 1.0  # Retry-After was honoured ...
    assert any(s >= 0.5 for s in sleeps)  # ... by the pacer's wait, not the client's retry


def test_a_long_retry_after_reschedules_the_post(db: Engine) -> None:
    with FakeSlack() as fake:
        fake.fail_next("chat.postMessage", 429, times=1, retry_after=30)
        poster = _poster(db)
        posts = _posts(["C0ONE"], 1)
        _fan_out(poster, fake, posts)
        assert fake.delivered() == []
    assert poster.store.status(WS, posts[0].key) == "failed"


def test_the_keep_alive_transport_retries_server_errors_and_reports_refusals(
    db: Engine,
) -> None:
    with FakeSlack() as fake:
        fake.fail_next("chat.postMessage", 503, times=2)
        poster = _poster(db)
        posts = _posts(["C0ONE"], 2)
        _fan_out(poster, fake, posts)
        assert sorted(c.args["text"] for c in fake.delivered()) == ["C0ONE 0", "C0ONE 1"]
        statuses = [c.status for c in fake.calls("chat.postMessage")]
        assert statuses.count(503) == 2
        refused = [NewPost("k:bad", message_payload("", "no channel"), "")]
        _fan_out(poster, fake, refused)
    assert {poster.store.status(WS, p.key) for p in posts} == {"sent"}
    assert poster.store.status(WS, "k:bad") == "dead"


@pytest.mark.parametrize("keep_alive", [True, False], ids=["keep-alive", "urllib"])
def test_a_post_whose_answer_came_too_late_is_made_once(db: Engine, keep_alive: bool) -> None:
    """Slack made the post but answered after the client gave up (a timeout): trying again
    at once would post it twice. The row is left under its lease, and once that has run out
    the resender finds the post in its thread (by the key in the metadata)."""
    with FakeSlack() as fake:
        fake.latency(0.6, 0.6)  # handled 0.3 s after the call, answered 0.3 s later
        clock = FixedClock(datetime.now(UTC))
        poster = _poster(db, clock)
        poster.keep_alive = keep_alive
        slow = make_client(fake.base_url, "xoxb-fake-token", retries=4, backoff=0.01)
        # The client gives up before Slack has even made the post (slack_sdk types the
        # timeout as int; urllib and http.client take seconds as a float).
        slow.timeout = 0.1  # type: ignore[assignment]
        post = NewPost("k:late", message_payload("C0ONE", "Fråga 2", thread_ts="1.000001"), "C0ONE")
        planned = poster.plan(WS, [post])
        assert poster.send_planned(slow, planned) == 0  # no answer: it may or may not be there
        fake.wait_for("chat.postMessage", 1)
        time.sleep(1.0)  # every attempt the client made has reached the fake by now
        assert [c.args["text"] for c in fake.delivered()] == ["Fråga 2"]
        assert poster.store.status(WS, "k:late") == "pending"

        fake.latency(0, 0)
        clock.advance(timedelta(minutes=5))  # the lease ran out
        client = make_client(fake.base_url, "xoxb-fake-token", retries=4, backoff=0.01)
        assert poster.resend_due(lambda _ws: client) == 0
        assert [c.args["text"] for c in fake.delivered()] == ["Fråga 2"]
    assert poster.store.status(WS, "k:late") == "sent"


@pytest.mark.parametrize("to", ["C0ONE", "U0ANNA"], ids=["channel", "dm"])
@pytest.mark.parametrize("keep_alive", [True, False], ids=["keep-alive", "urllib"])
def test_a_thread_opening_whose_answer_came_too_late_is_made_once_and_gets_its_replies(
    db: Engine, keep_alive: bool, to: str
) -> None:
    """A top-level post (a participant's thread opening) that Slack made after the client
    gave up has no thread to look in: the resender finds it in the conversation's history
    (by the key in the metadata; a manager's DM, posted to their user id, by the DM's id
    from conversations.open), records it as landed, and its first question goes into that
    thread instead of a second opening."""
    with FakeSlack() as fake:
        clock = FixedClock(datetime.now(UTC))
        fake.state.ts_base = int(clock.now().timestamp())  # Slack's clock agrees with ours
        fake.latency(0.6, 0.6)
        poster = _poster(db, clock)
        poster.keep_alive = keep_alive
        slow = make_client(fake.base_url, "xoxb-fake-token", retries=4, backoff=0.01)
        slow.timeout = 0.1  # type: ignore[assignment]
        fake.state.messages[("C0ONE", fake.state.next_ts())] = {"type": "message", "text": "Hej"}
        opening = NewPost("k:open", message_payload(to, "Din tråd"), to)
        first = {**message_payload("", "Fråga 1"), "channel": to, "thread_of": "k:open"}
        planned = poster.plan(WS, [opening, NewPost("k:first", first, to)])
        assert poster.send_planned(slow, planned) == 0
        fake.wait_for("chat.postMessage", 1)
        time.sleep(1.0)  # every attempt the client made has reached the fake by now
        assert [c.args["text"] for c in fake.delivered()] == ["Din tråd"]

        fake.latency(0, 0)
        clock.advance(timedelta(minutes=5))  # the lease ran out
        client = make_client(fake.base_url, "xoxb-fake-token", retries=4, backoff=0.01)
        assert poster.resend_due(lambda _ws: client) == 1  # the question, not the opening
        opened, asked = fake.delivered()
        assert [opened.args["text"], asked.args["text"]] == ["Din tråd", "Fråga 1"]
        where = opened.response["channel"]
        assert (asked.response["channel"], asked.args["thread_ts"]) == (
            where,
            opened.response["ts"],
        )
        assert poster.resend_due(lambda _ws: client) == 0
        assert not fake.spec_violations
    assert poster.store.recorded(WS, "k:open") == (where, opened.response["ts"])


def test_a_dm_opening_of_an_install_without_im_write_is_still_sent(db: Engine) -> None:
    """A workspace installed before the bot asked for ``im:write`` cannot learn its DM ids
    (conversations.open answers missing_scope): a DM opening taken over from a dead sender
    is posted as before the look existed, not held back for ever."""
    with FakeSlack() as fake:
        fake.set_scopes("xoxb-fake-token", tuple(s for s in DEFAULT_BOT_SCOPES if s != "im:write"))
        clock = FixedClock(datetime.now(UTC))
        poster = _poster(db, clock)
        client = make_client(fake.base_url, "xoxb-fake-token", retries=1, backoff=0.01)
        poster.plan(WS, [NewPost("k:old", message_payload("U0ANNA", "Din tråd"), "U0ANNA")])
        clock.advance(timedelta(minutes=5))  # its sender died before posting
        assert poster.resend_due(lambda _ws: client) == 1
        [opened] = fake.delivered()
        assert [c.response["error"] for c in fake.calls("conversations.open")] == ["missing_scope"]
    assert poster.store.recorded(WS, "k:old") == (opened.response["channel"], opened.response["ts"])


@pytest.mark.parametrize("via", ["resender", "direct post"])
@pytest.mark.parametrize("flood_at", ["before", "after"])
def test_an_opening_in_a_flooded_channel_is_found_and_made_once(
    db: Engine, flood_at: str, via: str
) -> None:
    """More messages than are read (10 pages of 200) before or after the time a thread
    opening whose sender died can have landed in: only that time is searched (from its
    row's writing to the end of its lease), so the opening is found and not made again,
    and the row does not wait pass after pass (the resender, or a direct post of the same
    key taking the row over)."""
    with FakeSlack() as fake:
        clock = FixedClock(datetime.now(UTC))
        poster = _poster(db, clock)
        client = make_client(fake.base_url, "xoxb-fake-token", retries=1, backoff=0.01)

        def flood(at: datetime) -> None:
            fake.state.ts_base, fake.state.ts_seq = int(at.timestamp()), 0
            for _ in range(2_100):
                ts = fake.state.next_ts()
                fake.state.messages[("C0BUSY", ts)] = {"type": "message", "text": "x", "ts": ts}

        if flood_at == "before":
            flood(clock.now() - timedelta(hours=1))
        fake.state.ts_base, fake.state.ts_seq = int(clock.now().timestamp()), 0
        opening = NewPost("k:busy", message_payload("C0BUSY", "Din tråd"), "C0BUSY")
        planned = poster.plan(WS, [opening])
        posted = make_client(fake.base_url, "xoxb-fake-token", retries=1, backoff=0.01)
        posted.chat_postMessage(  # made by the sender, which died before it was recorded
            channel="C0BUSY",
            text="Din tråd",
            metadata={"event_type": "dialogbot_post", "event_payload": {"key": "k:busy"}},
        )
        assert planned.mine == {"k:busy"}
        clock.advance(timedelta(hours=1))  # long after its lease ran out ...
        if flood_at == "after":
            flood(clock.now() - timedelta(minutes=10))  # ... the channel got busy
        if via == "resender":
            assert poster.resend_due(lambda _ws: client) == 0
        else:
            found = poster.post(client, WS, "k:busy", channel="C0BUSY", text="Din tråd")
            assert found is not None
            assert found == Posted("C0BUSY", fake.delivered()[0].response["ts"])
        assert [c.args["text"] for c in fake.delivered()] == ["Din tråd"]
        assert poster.store.status(WS, "k:busy") == "sent"
        assert not fake.spec_violations


def test_a_flood_while_the_opening_can_have_landed_makes_it_post_rather_than_wait(
    db: Engine,
) -> None:
    """When even the window the post can have landed in holds more than is read, the
    resender posts it (one more opening at worst) instead of leaving it for ever."""
    with FakeSlack() as fake:
        clock = FixedClock(datetime.now(UTC))
        poster = _poster(db, clock)
        client = make_client(fake.base_url, "xoxb-fake-token", retries=1, backoff=0.01)
        poster.plan(WS, [NewPost("k:loud", message_payload("C0LOUD", "Din tråd"), "C0LOUD")])
        fake.state.ts_base = int(clock.now().timestamp())
        for _ in range(2_100):
            ts = fake.state.next_ts()
            fake.state.messages[("C0LOUD", ts)] = {"type": "message", "text": "x", "ts": ts}
        clock.advance(timedelta(minutes=5))
        assert poster.resend_due(lambda _ws: client) == 1
        assert poster.resend_due(lambda _ws: client) == 0
        assert [c.args["text"] for c in fake.delivered()] == ["Din tråd"]
    assert poster.store.status(WS, "k:loud") == "sent"


@pytest.mark.parametrize("keep_alive", [True, False], ids=["keep-alive", "urllib"])
def test_a_post_slack_cannot_be_reached_for_stays_in_the_outbox(
    db: Engine, keep_alive: bool
) -> None:
    """Slack unreachable beyond the client's retries: the send reports nothing posted (no
    exception out of the listener or the fan-out) and the post waits for the resender."""
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    poster = _poster(db)
    poster.keep_alive = keep_alive
    client = make_client(
        f"http://127.0.0.1:{port}/api/", "xoxb-fake-token", retries=1, backoff=0.01
    )
    post = NewPost("k:away", message_payload("C0ONE", "Fråga 2", thread_ts="1.000001"), "C0ONE")
    assert poster.send_planned(client, poster.plan(WS, [post])) == 0
    assert poster.store.status(WS, "k:away") == "pending"


# The ✅ reaction and the question message's update on the keep-alive (lean) path -----------


def _reaction(ts: str = "1.000002") -> NewPost:
    return NewPost(
        f"slack:C0ONE:{ts}:react", reaction_payload("C0ONE", ts, "white_check_mark"), "C0ONE"
    )


@pytest.mark.parametrize("keep_alive", [True, False], ids=["keep-alive", "urllib"])
def test_a_reaction_whose_answer_came_too_late_is_made_once(db: Engine, keep_alive: bool) -> None:
    """Slack added the ✅ but answered after the client gave up: not tried again at once.
    Once the lease has run out the resender adds it again, Slack refuses the second one
    (``already_reacted``), and that counts as done."""
    with FakeSlack() as fake:
        fake.latency(0.6, 0.6)
        clock = FixedClock(datetime.now(UTC))
        poster = _poster(db, clock)
        poster.keep_alive = keep_alive
        slow = make_client(fake.base_url, "xoxb-fake-token", retries=4, backoff=0.01)
        slow.timeout = 0.1  # type: ignore[assignment]
        react = _reaction()
        assert poster.send_planned(slow, poster.plan(WS, [react])) == 0
        fake.wait_for("reactions.add", 1)
        time.sleep(1.0)  # every attempt the client made has reached the fake by now
        assert len(fake.delivered("reactions.add")) == 1
        assert poster.store.status(WS, react.key) == "pending"

        fake.latency(0, 0)
        clock.advance(timedelta(minutes=5))  # the lease ran out
        client = make_client(fake.base_url, "xoxb-fake-token", retries=4, backoff=0.01)
        assert poster.resend_due(lambda _ws: client) == 1
        calls = fake.calls("reactions.add")
        assert len(fake.state.reactions) == 1
    assert [c.ok for c in calls] == [True, False]
    assert calls[-1].response["error"] == "already_reacted"
    assert poster.store.status(WS, react.key) == "sent"


@pytest.mark.parametrize("keep_alive", [True, False], ids=["keep-alive", "urllib"])
def test_a_429_on_a_reaction_is_waited_out_and_a_long_one_reschedules_it(
    db: Engine, keep_alive: bool
) -> None:
    with FakeSlack() as fake:
        poster = _poster(db)
        poster.keep_alive = keep_alive
        client = make_client(fake.base_url, "xoxb-fake-token", retries=4, backoff=0.01)
        fake.fail_next("reactions.add", 429, times=1, retry_after=1)
        short, long = _reaction("1.000002"), _reaction("1.000003")
        started = time.monotonic()
        assert poster.send_planned(client, poster.plan(WS, [short])) == 1
        waited = time.monotonic() - started
        fake.fail_next("reactions.add", 429, times=1, retry_after=30)
        assert poster.send_planned(client, poster.plan(WS, [long])) == 0
        statuses = [c.status for c in fake.calls("reactions.add")]
        assert len(fake.state.reactions) == 1
    assert statuses == [429, 200, 429]
    assert waited >= 1.0  # Retry-After was honoured
    assert poster.store.status(WS, short.key) == "sent"
    assert poster.store.status(WS, long.key) == "failed"  # its next attempt after Retry-After


@pytest.mark.parametrize("keep_alive", [True, False], ids=["keep-alive", "urllib"])
def test_a_question_message_is_updated_once_per_key_and_a_lost_message_is_given_up(
    db: Engine, keep_alive: bool
) -> None:
    with FakeSlack() as fake:
        poster = _poster(db)
        poster.keep_alive = keep_alive
        client = make_client(fake.base_url, "xoxb-fake-token", retries=4, backoff=0.01)
        ts = client.chat_postMessage(channel="C0ONE", text="Fråga 1 av 5")["ts"]
        fake.fail_next("chat.update", 503, times=1)
        for _ in range(2):  # a replay of the same state changes nothing
            assert poster.update(
                client, WS, "question:1:a", channel="C0ONE", ts=ts, text="Fråga 1 ✅"
            )
        gone = poster.update(
            client, WS, "question:2:a", channel="C0ONE", ts="9.000009", text="Fråga 2 ✅"
        )
        calls = fake.calls("chat.update")
        shown = fake.state.messages[("C0ONE", ts)]["text"]
    assert [c.status for c in calls] == [503, 200, 200]
    assert calls[-1].response["error"] == "message_not_found"
    assert gone  # a message that is gone can never show it: not tried again
    assert shown == "Fråga 1 ✅"
    assert poster.store.status(WS, "question:1:a") == "sent"


def test_a_fanout_sends_every_chain_on_its_threads_and_raises_the_first_failure() -> None:
    chains = tuple((NewPost(f"round:1:thread:{n}", {}, f"U{n}"),) for n in range(40))
    plan = RoundStartPlan(Planned("T1"), NewPost("round:1:announce", {}, "C1"), chains, "dm")
    sent: list[str] = []
    threads: set[str] = set()
    written: list[bool] = []

    def send(_planned: Planned, chain: tuple[NewPost, ...]) -> int:
        threads.add(threading.current_thread().name)
        if chain[0].key.endswith((":7", ":30")):
            raise RuntimeError(chain[0].key)
        time.sleep(0.001)
        sent.append(chain[0].key)
        return 1

    notifier = SlackNotifier.__new__(SlackNotifier)  # only the fan-out's threads are used
    with pytest.raises(RuntimeError, match=r"round:1:thread:7$"):
        notifier._send_in_parallel(plan, send, lambda: written.append(True), FANOUT_WORKERS)
    assert sorted(sent) == sorted(c[0].key for c in chains if not c[0].key.endswith((":7", ":30")))
    assert written == [True]
    assert 1 < len(threads) <= FANOUT_WORKERS
