"""Figure 2: fan-out of ``/dialog start`` to 1,000 managers against Slack's rate limits.

The fake Slack (own process) answers every call after a round trip of 50–150 ms and
enforces chat.postMessage per channel (1 message/s, burst 3: Slack's "one message per
second per channel, short bursts allowed") and per workspace (``WORKSPACE_RATE``/s, burst
``WORKSPACE_BURST``: Slack keeps a workspace-wide limit without publishing a number, so this
is an assumption) plus the documented tier limits of the other methods, answering 429 +
Retry-After. The bot is ``dialogbot serve`` configured with the same limits
(``DIALOGBOT_SLACK_*``), which its poster paces to.

A round starts with a signed ``/dialog start``; the bot posts an announcement and, per
manager, a thread parent and the first question in it (2N + 1 posts). Measured: the ack,
the time from the ack to the last first question delivered (every manager must have
exactly one: none lost, none doubled), 429s received, and CPU seconds of the bot process,
the fake and this load-generating process, each read from /proc, over that time.

The floor is ``max(limits, N_posts × RTT / concurrency)``: the time the limits impose
(GCRA: ``(posts − burst) / rate`` for the busiest bucket) and the time the round trips
take with the fan-out's ``FANOUT_WORKERS`` posts in flight (mean RTT 100 ms).

Cases:

* ``dm``, 1,000 managers: every thread in the manager's own DM; the workspace limit binds.
* ``channel``, ``CHANNEL_MANAGERS`` managers: every thread hangs off a message in one
  channel. At 1 message/s 1,000 managers take 2,000 s, so this case runs time-compressed:
  the per-channel rate is ``COMPRESSED_CHANNEL_RATE``/s (burst 3) in the fake and the bot
  alike, and with fewer managers (the channel's limit binds all the same).
* ``channel``, ``REAL_CHANNEL_MANAGERS`` managers at Slack's real 1 message/s.

Every case runs ``REPETITIONS`` times, each in a fresh database, fake and bot process; the
cases are interleaved (one of each per repetition, in an order that rotates from one
repetition to the next), after a warm-up: a small DM case (``WARMUP_MANAGERS``) that is not
counted. Times, ratios and CPU are the medians of the repetitions (each repetition's value
kept with them); lost, doubled, 429s and posts left unsent are added up over all of them.

Target: ≤ 1.1× the floor, zero lost, zero doubled, ack ≤ 3 s, ≤ 2 ms of bot CPU per manager.

Run: ``python -m bench.fanout [--managers N] [--channel-managers N] [--real-managers N]
[--repetitions N] [--warmup N]`` (a smoke run: ``--managers 60 --channel-managers 40
--real-managers 4 --warmup 10``).
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
import uuid
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from fakes.signing import FORM, slash_command_body
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from bench.harness import (
    GROUP_CHANNEL,
    ORGANISER,
    TEAM,
    BenchDatabase,
    FakeSlackProc,
    admin_url,
    duplicate_posts,
    log,
    post_signed,
    save_result,
    start_bot,
)
from bench.orgs import build_org
from bench.timing import median_row, process_cpu, rotation
from bot.slack.notifier import FANOUT_WORKERS
from storage.db import make_engine, make_session_factory, upgrade

MANAGERS = 1_000
#: One channel, time-compressed: 200 managers are 401 posts, 40 s at 10/s (1,000 managers,
#: the single run's size before the repetitions, took 200 s).
CHANNEL_MANAGERS = 200
#: One channel at the real 1/s: 41 posts, 38 s (30 managers took 58 s).
REAL_CHANNEL_MANAGERS = 20
REPETITIONS = 3
WARMUP_MANAGERS = 100
#: Counted over all repetitions together (each must be 0), not as medians.
ADDED_UP = ("lost", "doubled", "participations_without_thread", "posts_not_sent", "post_429s")
CHANNEL_RATE = 1.0
CHANNEL_BURST = 3
COMPRESSED_CHANNEL_RATE = 10.0
WORKSPACE_RATE = 50.0
WORKSPACE_BURST = 50
LATENCY_MS = (50, 150)
MEAN_RTT_S = sum(LATENCY_MS) / 2 / 1000
TARGET_RATIO = 1.1
ACK_LIMIT_S = 3.0
CPU_PER_MANAGER_LIMIT_S = 0.002


def _self_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _load() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


class _FanoutDatabase(BenchDatabase):
    """A benchmark database outside the ``bench_*`` names that ``python -m bench`` drops at
    its start (another run on the same server must not drop this one mid-case)."""

    def __init__(self, label: str) -> None:
        self.name = f"fanoutbench_{label}_{uuid.uuid4().hex[:8]}"
        base = make_url(admin_url())
        self.url = base.set(database=self.name).render_as_string(hide_password=False)
        admin = create_engine(admin_url(), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{self.name}"'))
        admin.dispose()
        self.engine = make_engine(self.url)
        upgrade(self.engine)


@contextmanager
def _database(label: str) -> Iterator[BenchDatabase]:
    db = _FanoutDatabase(label)
    try:
        yield db
    finally:
        db.drop()


def _prompts(fake: FakeSlackProc) -> tuple[list[list[Any]], list[list[Any]], dict[str, int]]:
    data = fake.posts()
    delivered = [p for p in data["posts"] if p[3]]
    prompts = [p for p in delivered if p[1]]
    parents = [p for p in delivered if not p[1]]
    return prompts, parents, dict(data["statuses"])


def _wait_prompts(fake: FakeSlackProc, expected: int, quiet: float = 20.0) -> int:
    """Poll a cheap count once a second (the full record under the fake's lock would
    slow the fake down while it is being measured) until ``expected`` prompts arrived or
    none for ``quiet`` seconds; delivery times come from the fake's own record."""
    last, since = -1, time.monotonic()
    while True:
        count = int(fake.control("bench.prompt_count")["prompts"])
        if count >= expected:
            return count
        if count != last:
            last, since = count, time.monotonic()
        elif time.monotonic() - since > quiet:
            return count
        time.sleep(1.0)


def floors(managers: int, delivery: str, channel_rate: float) -> dict[str, float]:
    """What the limits impose and what the round trips take, for ``2N + 1`` posts."""
    posts = 2 * managers + 1
    wide = max(0, posts - WORKSPACE_BURST) / WORKSPACE_RATE
    if delivery == "channel":
        limits = max(wide, max(0, posts - CHANNEL_BURST) / channel_rate)
    else:
        limits = wide  # two posts per DM fit in its burst
    rtt = posts * MEAN_RTT_S / FANOUT_WORKERS
    return {"limits_floor_s": limits, "rtt_floor_s": rtt, "floor_s": max(limits, rtt)}


def _case(delivery: str, managers: int, channel_rate: float) -> dict[str, Any]:
    fake = FakeSlackProc()
    try:
        with _database(delivery) as db:
            build_org(make_session_factory(db.engine), TEAM, managers)
            fake.control(
                "bench.rate_limits",
                per_channel_post_per_s=channel_rate,
                burst=CHANNEL_BURST,
                tiers="true",
                workspace_post_per_s=WORKSPACE_RATE,
                workspace_burst=WORKSPACE_BURST,
            )
            fake.control("bench.latency", low_ms=LATENCY_MS[0], high_ms=LATENCY_MS[1])
            limits = {
                "DIALOGBOT_SLACK_CHANNEL_RATE": str(channel_rate),
                "DIALOGBOT_SLACK_CHANNEL_BURST": str(CHANNEL_BURST),
                "DIALOGBOT_SLACK_WORKSPACE_RATE": str(WORKSPACE_RATE),
                "DIALOGBOT_SLACK_WORKSPACE_BURST": str(WORKSPACE_BURST),
            }
            bot = start_bot(db.url, fake.base_url, name=f"bot-fanout-{delivery}", env=limits)
            try:
                bot.wait_ready()
                time.sleep(1.0)  # start-up settles (auth.test, leader election)
                text = (
                    f'start planering enheter:"Benchförvaltningen" '
                    f"kanal:<#{GROUP_CHANNEL}|bench> leverans:{delivery}"
                )
                load_before = _load()
                cpu0 = (process_cpu(bot.pid), process_cpu(fake.pid), _self_cpu())
                start_wall = time.time()
                body = slash_command_body(
                    "/dialog",
                    text,
                    ORGANISER,
                    TEAM,
                    GROUP_CHANNEL,
                    None,
                    fake.base_url.replace("/api/", "/response/r"),
                )
                # Bolt answers 404 when the listener has not acknowledged after 3 s; only
                # the checked command is stored before the ack (the round and its outbox
                # rows right after it), and the fan-out is measured from the ack.
                ack_status, _, ack_s = post_signed(bot.port, body, FORM)
                acked_wall = time.time()
                log(
                    f"figure 2 ({delivery}, {managers}): start answered {ack_status} after "
                    f"{ack_s * 1000:.0f} ms"
                )
                _wait_prompts(fake, managers)
                cpu1 = (process_cpu(bot.pid), process_cpu(fake.pid), _self_cpu())
                time.sleep(2.0)  # anything still arriving would be a duplicate
                prompts, parents, statuses = _prompts(fake)
                unthreaded = int(
                    db.scalar("SELECT count(*) FROM participations WHERE thread_ref IS NULL")
                )
                unsent = int(db.scalar("SELECT count(*) FROM chat_posts WHERE status <> 'sent'"))
            finally:
                bot.stop()
    finally:
        fake.stop()
    last = max((p[4] for p in prompts), default=start_wall)
    threads = {(p[0], p[1]) for p in prompts}
    bot_cpu, fake_cpu, load_cpu = (b - a for a, b in zip(cpu0, cpu1, strict=True))
    limited = sum(n for k, n in statuses.items() if k.startswith("chat.postMessage 429"))
    floor = floors(managers, delivery, channel_rate)
    return {
        "managers": managers,
        "delivery": delivery,
        "channel_rate": channel_rate,
        "ack_s": ack_s,
        "ack_status": ack_status,
        "elapsed_s": last - acked_wall,
        "from_command_s": last - start_wall,
        "prompts_delivered": len(prompts),
        "threads_with_prompt": len(threads),
        "parents_delivered": len(parents),
        "lost": managers - len(threads),
        "doubled": duplicate_posts(prompts) + max(0, len(prompts) - len(threads)),
        "participations_without_thread": unthreaded,
        "posts_not_sent": unsent,
        "post_429s": limited,
        "statuses": statuses,
        "bot_cpu_s": bot_cpu,
        "bot_cpu_per_manager_ms": bot_cpu / managers * 1000,
        "fake_cpu_s": fake_cpu,
        "loadgen_cpu_s": load_cpu,
        "loadavg_before": load_before,
        "loadavg_after": _load(),
        **floor,
        "ratio": (last - acked_wall) / floor["floor_s"],
    }


def combine(runs: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """One case from its repetitions: the medians of the times, ratios and CPU (every
    repetition's value under ``runs``), lost, doubled, 429s and unsent posts added up, the
    worst ack status, the fake's statuses added up, and the verdict on those."""
    case = median_row(runs)
    for key in ADDED_UP:
        case[key] = sum(int(run[key]) for run in runs)
    case["delivery"] = runs[0]["delivery"]
    case["managers"] = runs[0]["managers"]
    case["ack_status"] = next((r["ack_status"] for r in runs if r["ack_status"] != 200), 200)
    statuses = Counter[str]()
    for run in runs:
        statuses.update(run["statuses"])
    case["statuses"] = dict(statuses)
    case["loadavg_before"] = runs[0]["loadavg_before"]
    case["loadavg_after"] = runs[-1]["loadavg_after"]
    case["loadavg"] = [[run["loadavg_before"], run["loadavg_after"]] for run in runs]
    case["cpu_pass"] = case["bot_cpu_per_manager_ms"] <= CPU_PER_MANAGER_LIMIT_S * 1000
    case["pass"] = bool(
        case["ratio"] <= TARGET_RATIO
        and case["lost"] == 0
        and case["doubled"] == 0
        and case["ack_s"] <= ACK_LIMIT_S
        and case["ack_status"] == 200
        and case["cpu_pass"]
    )
    return case


def run(
    managers: int = MANAGERS,
    channel_managers: int = CHANNEL_MANAGERS,
    real_managers: int = REAL_CHANNEL_MANAGERS,
    repetitions: int = REPETITIONS,
    warmup: int = WARMUP_MANAGERS,
) -> dict[str, Any]:
    """The three cases with their floors, interleaved, ``repetitions`` times each."""
    plan = {
        "dm": ("dm", managers, CHANNEL_RATE),
        "channel": ("channel", channel_managers, COMPRESSED_CHANNEL_RATE),
        "channel_real": ("channel", real_managers, CHANNEL_RATE),
    }
    if warmup:
        log(f"figure 2: warm-up (DM, {warmup} managers, not counted)")
        _case("dm", warmup, CHANNEL_RATE)
    runs: dict[str, list[dict[str, Any]]] = {name: [] for name in plan}
    order: list[list[str]] = []
    for repetition in range(repetitions):
        order.append(rotation(list(plan), repetition))
        for name in order[-1]:
            delivery, n, rate = plan[name]
            runs[name].append(case := _case(delivery, n, rate))
            log(
                f"figure 2 ({delivery}, {n}), repetition {repetition + 1} of {repetitions}: "
                f"{case['elapsed_s']:.1f} s vs floor {case['floor_s']:.1f} s = "
                f"{case['ratio']:.2f}×, lost {case['lost']}, doubled {case['doubled']}, "
                f"429s {case['post_429s']}, bot CPU {case['bot_cpu_per_manager_ms']:.2f} "
                "ms/manager"
            )
            # survives a later case's failure
            save_result(f"partial_figure2_{name}", combine(runs[name]))
    cases = {name: combine(runs[name]) for name in plan}
    for name, case in cases.items():
        log(
            f"figure 2 {name}: median {case['elapsed_s']:.1f} s = {case['ratio']:.2f}× the "
            f"floor, lost {case['lost']}, doubled {case['doubled']}, 429s "
            f"{case['post_429s']}, bot CPU {case['bot_cpu_per_manager_ms']:.2f} ms/manager"
        )
    return {
        "channel_burst": CHANNEL_BURST,
        "workspace_rate": WORKSPACE_RATE,
        "workspace_burst": WORKSPACE_BURST,
        "latency_ms": list(LATENCY_MS),
        "workers": FANOUT_WORKERS,
        "repetitions": repetitions,
        "warmup_managers": warmup,
        "order": order,
        **cases,
        "pass": all(c["pass"] for c in cases.values()),
    }


def main(
    managers: int = MANAGERS,
    channel_managers: int = CHANNEL_MANAGERS,
    real_managers: int = REAL_CHANNEL_MANAGERS,
    repetitions: int = REPETITIONS,
    warmup: int = WARMUP_MANAGERS,
) -> dict[str, Any]:
    """Run figure 2 and save its result."""
    result = run(managers, channel_managers, real_managers, repetitions, warmup)
    save_result("figure2_fanout", result)
    return result


def _cli(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.fanout")
    parser.add_argument("--managers", type=int, default=MANAGERS)
    parser.add_argument("--channel-managers", type=int, default=CHANNEL_MANAGERS)
    parser.add_argument("--real-managers", type=int, default=REAL_CHANNEL_MANAGERS)
    parser.add_argument("--repetitions", type=int, default=REPETITIONS)
    parser.add_argument("--warmup", type=int, default=WARMUP_MANAGERS)
    args = parser.parse_args(argv)
    main(args.managers, args.channel_managers, args.real_managers, args.repetitions, args.warmup)


if __name__ == "__main__":
    _cli(sys.argv[1:])
