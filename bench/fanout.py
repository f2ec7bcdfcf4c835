"""Figure 2: fan-out of ``/dialog start`` against the fake Slack's rate limits.

The fake enforces 1 chat.postMessage per second per channel with a burst of ``BURST``
(Slack: "one message per second per channel, short bursts allowed") and the documented
tier limits of the other methods, answering 429 with Retry-After. A round starts with
a signed ``/dialog start`` from the process support; the bot posts an announcement in the
group channel and, per manager, a thread parent and the first question in it. Measured:
the ack of the command, and the time from the command to the last first question
delivered; then every manager must have exactly one first question (none lost, none
doubled).

Two cases:

* ``dm`` delivery, 1,000 managers: every thread is in the manager's own DM, so the two
  posts per DM fit in the burst and the limits impose (almost) no wait. The floor is then
  measured: a bare ``WebClient`` (the bot's retry handlers) making the same 2,001 posts
  one after another against a second fake with the same limits.
* ``channel`` delivery: every thread hangs off a message in one channel, so 1 + 2N posts
  share one channel's 1 msg/s. For 1,000 managers that is ≥ 2,000 s, so this case runs
  with ``CHANNEL_MANAGERS`` managers and the floor is the one the limit imposes,
  ``(1 + 2N − burst) / 1 msg/s``.

* ``dm`` delivery with burst 1, ``STRICT_DM_MANAGERS`` managers: the second post in every
  DM has to wait 1 s; DMs are independent, so the limits impose 1 s in all.

Target: prompts delivered within 1.1× of the floor, zero lost, zero doubled, ack ≤ 3 s.
"""

from __future__ import annotations

import time
from typing import Any

from bench.harness import (
    GROUP_CHANNEL,
    TEAM,
    FakeSlackProc,
    bench_database,
    duplicate_posts,
    log,
    save_result,
    slash_command,
    start_bot,
)
from bench.orgs import build_org
from bot.slack.poster import make_client
from storage.db import make_session_factory

BURST = 3
DM_MANAGERS = 1_000
CHANNEL_MANAGERS = 30
STRICT_DM_MANAGERS = 20
TARGET_RATIO = 1.1
ACK_LIMIT_S = 3.0


def _prompts(fake: FakeSlackProc) -> tuple[list[list[Any]], list[list[Any]], dict[str, int]]:
    data = fake.posts()
    delivered = [p for p in data["posts"] if p[3]]
    prompts = [p for p in delivered if p[1]]
    parents = [p for p in delivered if not p[1]]
    return prompts, parents, dict(data["statuses"])


def _wait_prompts(fake: FakeSlackProc, expected: int, quiet: float = 20.0) -> list[list[Any]]:
    last, since = -1, time.monotonic()
    while True:
        prompts, _, _ = _prompts(fake)
        if len(prompts) >= expected:
            return prompts
        if len(prompts) != last:
            last, since = len(prompts), time.monotonic()
        elif time.monotonic() - since > quiet:
            return prompts
        time.sleep(0.5)


def _limits(fake: FakeSlackProc, burst: int = BURST) -> None:
    fake.control("bench.rate_limits", per_channel_post_per_s=1.0, burst=burst, tiers="true")


def _transport_floor(managers: int) -> float:
    """Seconds a bare WebClient needs for the same posts, one after another."""
    fake = FakeSlackProc()
    try:
        _limits(fake)
        client = make_client(fake.base_url, "xoxb-floor")
        start = time.perf_counter()
        client.chat_postMessage(channel=GROUP_CHANNEL, text="Rundan har startat")
        for n in range(managers):
            user = f"U{n:07d}"
            parent = client.chat_postMessage(channel=user, text=f"<@{user}> din tråd")
            client.chat_postMessage(
                channel=str(parent["channel"]), thread_ts=str(parent["ts"]), text="Fråga 1 av 5"
            )
        return time.perf_counter() - start
    finally:
        fake.stop()


def _case(delivery: str, managers: int, burst: int = BURST) -> dict[str, Any]:
    fake = FakeSlackProc()
    try:
        with bench_database(f"fanout_{delivery}") as db:
            build_org(make_session_factory(db.engine), TEAM, managers)
            _limits(fake, burst)
            bot = start_bot(db.url, fake.base_url, name=f"bot-fanout-{delivery}")
            try:
                bot.wait_ready()
                text = (
                    f'start planering enheter:"Benchförvaltningen" '
                    f"kanal:<#{GROUP_CHANNEL}|bench> leverans:{delivery}"
                )
                start_wall = time.time()
                ack_s = slash_command(bot.port, text, fake.base_url.replace("/api/", "/response/r"))
                log(f"figure 2 ({delivery}, {managers}): start acked in {ack_s * 1000:.0f} ms")
                prompts = _wait_prompts(fake, managers)
                time.sleep(2.0)  # anything still arriving would be a duplicate
                prompts, parents, statuses = _prompts(fake)
                unthreaded = int(
                    db.scalar("SELECT count(*) FROM participations WHERE thread_ref IS NULL")
                )
            finally:
                bot.stop()
    finally:
        fake.stop()
    last = max((p[4] for p in prompts), default=start_wall)
    threads = {(p[0], p[1]) for p in prompts}
    return {
        "managers": managers,
        "delivery": delivery,
        "burst": burst,
        "ack_s": ack_s,
        "elapsed_s": last - start_wall,
        "prompts_delivered": len(prompts),
        "threads_with_prompt": len(threads),
        "parents_delivered": len(parents),
        "lost": managers - len(threads),
        "doubled": duplicate_posts(prompts) + max(0, len(prompts) - len(threads)),
        "participations_without_thread": unthreaded,
        "statuses": statuses,
    }


def run() -> dict[str, Any]:
    """Both cases with their floors."""
    dm = _case("dm", DM_MANAGERS)
    dm["limits_floor_s"] = max(0.0, (2 - BURST) / 1.0)
    dm["floor_s"] = _transport_floor(DM_MANAGERS)
    dm["floor_kind"] = "measured: bare WebClient, same posts, sequential"
    channel = _case("channel", CHANNEL_MANAGERS)
    channel["limits_floor_s"] = (1 + 2 * CHANNEL_MANAGERS - BURST) / 1.0
    channel["floor_s"] = channel["limits_floor_s"]
    channel["floor_kind"] = "imposed: (1 + 2N - burst) / 1 msg/s in one channel"
    dm_strict = _case("dm", STRICT_DM_MANAGERS, burst=1)
    dm_strict["limits_floor_s"] = 1.0
    dm_strict["floor_s"] = 1.0
    dm_strict["floor_kind"] = "imposed: second post per DM 1 s after the first, DMs in parallel"
    for case in (dm, channel, dm_strict):
        case["ratio"] = case["elapsed_s"] / case["floor_s"]
        case["pass"] = bool(
            case["ratio"] <= TARGET_RATIO
            and case["lost"] == 0
            and case["doubled"] == 0
            and case["ack_s"] <= ACK_LIMIT_S
        )
        log(
            f"figure 2 ({case['delivery']}): {case['elapsed_s']:.1f} s vs floor "
            f"{case['floor_s']:.1f} s = {case['ratio']:.2f}×, lost {case['lost']}, "
            f"doubled {case['doubled']}"
        )
    return {
        "burst": BURST,
        "dm": dm,
        "channel": channel,
        "dm_burst1": dm_strict,
        "pass": dm["pass"] and channel["pass"] and dm_strict["pass"],
    }


def main() -> dict[str, Any]:
    """Run figure 2 and save its result."""
    result = run()
    save_result("figure2_fanout", result)
    return result


if __name__ == "__main__":
    main()
