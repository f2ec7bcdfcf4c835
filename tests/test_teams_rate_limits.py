"""Teams' rate limits: a fan-out to 200 managers stays inside the limits per conversation
and per tenant, and loses or doubles nothing under injected 429s, 412s and gateway
errors. Time is virtual (the fake, the limiter and the sender share one clock), so the
test measures the pacing without waiting for it."""

from __future__ import annotations

import random
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

import pytest
from fakes.teams.connector import DEFAULT_TENANT, FakeConnector
from fakes.teams.harness import TeamsHarness
from support.sample import big_org

from bot.domain.commands import StartRound
from bot.org_import import load_org_file
from bot.services.container import Services
from bot.services.conversations import NewPost
from bot.teams import cards
from bot.teams.rate import RateLimiter

MANAGERS = 200
CHANNEL = "19:ledning@thread.tacv2"


class VirtualClock:
    """Seconds that pass only when someone sleeps."""

    def __init__(self) -> None:
        self.t = 1000.0
        self._lock = threading.Lock()

    def now(self) -> float:
        """The current virtual time."""
        return self.t

    def sleep(self, seconds: float) -> None:
        """Let ``seconds`` pass."""
        with self._lock:
            self.t += max(0.0, seconds)


@pytest.fixture
def teams(
    make_services: Callable[[], Services], tmp_path: Path
) -> Iterator[tuple[TeamsHarness, VirtualClock]]:
    """The bot for an organisation of 200 managers, on virtual time."""
    vc = VirtualClock()
    services = make_services()
    path = big_org(tmp_path / "org.yaml", MANAGERS)
    services.organisation.import_org(DEFAULT_TENANT, load_org_file(path), str(path))
    fake = FakeConnector(clock=vc.now, tenant_per_second=30).start()
    limiter = RateLimiter(30, clock=vc.now, sleep=vc.sleep)
    with TeamsHarness(services, fake, limiter=limiter, sleep=vc.sleep, fanout_workers=1) as harness:
        fake.add_channel(CHANNEL)
        yield harness, vc


def _windows_ok(times: list[float], window: float, allowed: int) -> bool:
    times = sorted(times)
    start = 0
    for end, t in enumerate(times):
        while times[start] <= t - window:
            start += 1
        if end - start + 1 > allowed:
            return False
    return True


def test_fan_out_to_200_managers_under_injected_faults(
    teams: tuple[TeamsHarness, VirtualClock],
) -> None:
    h, vc = teams
    fake = h.fake
    fake.fail_next(429, 5, retry_after=1, path_contains="/activities")
    fake.fail_next(412, 1, path_contains="/activities")
    fake.fail_next(502, 2, method="POST", path_contains="/v3/conversations")
    fake.fail_next(504, 2, path_contains="/activities")
    started_at = vc.now()
    started = h.services.rounds.start_round(
        DEFAULT_TENANT,
        StartRound("avstamning", ["forv"], CHANNEL, level="enhet", started_by="P0"),
    )
    assert len(started.participants) == MANAGERS
    # A 429 whose Retry-After is long reschedules the row instead of waiting in place.
    fake.fail_next(429, 1, retry_after=60, path_contains="/activities")
    h.bot.notifier.round_started(started)
    elapsed = vc.now() - started_at

    # The rescheduled row goes out once it is due (the resender's next pass).
    resent = 0
    for _ in range(3):
        h.services.kernel.clock.advance(timedelta(seconds=61))  # type: ignore[attr-defined]
        resent += h.bot.sender.resend_due()
    assert resent >= 1

    cards_per_manager: Counter[int] = Counter()
    for i in range(MANAGERS):
        chat = h.chat(f"M{i:03d}")
        cards_per_manager[len([m for m in chat if h.card_of(m) is not None])] += 1
    assert cards_per_manager == {1: MANAGERS}, "every manager got exactly one question"
    assert len(fake.messages(CHANNEL)) == 1, "one announcement"

    assert fake.limit_hits == [], "the client never went over a limit"
    assert fake.spec_violations == [] and fake.card_violations == []
    ok = [c for c in fake.calls if c.status < 300]
    assert _windows_ok([c.at for c in ok], 1.0, 30)
    per_conversation: dict[str, list[float]] = defaultdict(list)
    for c in ok:
        if c.conversation is not None:
            per_conversation[c.conversation].append(c.at)
    assert all(
        _windows_ok(ts, 1.0, 7) and _windows_ok(ts, 30.0, 60) for ts in per_conversation.values()
    )
    # 200 chats created and 200 cards posted, at most 30 calls a second.
    assert elapsed >= (2 * MANAGERS) / 30 - 1


def test_many_posts_to_one_conversation_are_paced(
    teams: tuple[TeamsHarness, VirtualClock],
) -> None:
    h, vc = teams
    conversation = h.fake.add_personal_chat("29:M000")
    posts = [
        NewPost(
            f"test:{n}",
            {"op": "send", "conversation": conversation, "activity": cards.message(text=f"{n}")},
            conversation,
        )
        for n in range(70)
    ]
    started_at = vc.now()
    h.bot.sender.send_now(DEFAULT_TENANT, posts)
    assert [m["text"] for m in h.fake.messages(conversation)] == [str(n) for n in range(70)]
    assert h.fake.limit_hits == []
    # 60 messages in 30 s, then the rest: the 61st waits for the window to move.
    assert vc.now() - started_at >= 30.0


def test_refusals_give_a_post_up_and_others_go_on(
    teams: tuple[TeamsHarness, VirtualClock],
) -> None:
    h, _ = teams
    h.fake.without_app.add("8:orgid:M001")
    started = h.services.rounds.start_round(
        DEFAULT_TENANT,
        StartRound("avstamning", ["e000", "e001", "e002"], CHANNEL, subtrees=False),
    )
    h.bot.notifier.round_started(started)
    assert h.chat("M001") == []
    assert len(h.chat("M000")) == 1 and len(h.chat("M002")) == 1
    pid = next(p.participation_id for p, _ in started.participants if p.chat_id == "M001")
    key = f"round:{started.round.round_id}:first:{pid}"
    assert h.bot.sender.outbox.status(DEFAULT_TENANT, key) == "dead"

    conversation = h.fake.personal_chat_of("29:M000")
    assert conversation is not None
    huge = cards.message(text="x" * 120_000)
    h.bot.sender.send_now(
        DEFAULT_TENANT,
        [NewPost("test:huge", {"op": "send", "conversation": conversation, "activity": huge})],
    )
    assert h.bot.sender.outbox.status(DEFAULT_TENANT, "test:huge") == "dead"


def test_no_window_at_teams_is_exceeded_whatever_the_delay_on_the_way() -> None:
    """Teams counts a call somewhere between its sending and its answer. Calls delayed on
    the way (a busy event loop, the network) arrive closer together than they left, so the
    limiter counts each call from its answer, and while it is in flight as inside every
    window: no second at Teams holds more than 30 calls for the tenant or 7 for one
    conversation (real time, 8 threads, a quarter of the calls 0.25 s late)."""
    limiter = RateLimiter(30)
    arrivals: list[float] = []
    in_conversation: list[float] = []
    lock = threading.Lock()
    late = random.Random(19)
    delays = [late.choice((0.0, 0.0, 0.0, 0.25)) for _ in range(80)]

    def call(n: int) -> None:
        conversation = "a:busy" if n % 8 == 0 else None
        with limiter.call(DEFAULT_TENANT, conversation):
            time.sleep(delays[n])  # on the way
            with lock:
                arrivals.append(time.monotonic())
                if conversation is not None:
                    in_conversation.append(arrivals[-1])
            time.sleep(0.005)  # the answer on its way back

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(call, range(len(delays))))
    assert len(arrivals) == len(delays)
    assert _windows_ok(arrivals, 1.0, 30)
    assert _windows_ok(in_conversation, 1.0, 7) and _windows_ok(in_conversation, 2.0, 8)
    # And the pace is the limit's: 80 calls take little more than (80 - 30) / 30 s.
    assert max(arrivals) - min(arrivals) < 5.0
