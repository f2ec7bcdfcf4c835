"""Figure 1: ack latency and sustained answers/s over HTTP on PostgreSQL.

500 managers answer seeded rounds (planering, 5 questions; one DM thread per manager and
round): thread-reply events, correctly signed, sent open-loop from a separate process at
rising rates for a fixed time per step. The same steps go first to the floor, a bare Bolt
app on the same server stack that only acknowledges. For the bot, every step is followed
by a drain: the answers stored and their ``updated_at`` give the rate the bot really
processed (it acknowledges before the work, so the ack alone says nothing about keeping
up). The bot is saturated when it processes less than 90 % of the offered rate; steps
above the target rate (200/s) are not run then. At the end, answers stored must equal acknowledged deliveries,
with no Slack message stored twice and no post made twice.

Target: p99 within 1.5× of the floor at 200 answers/s (2 cores), zero lost or duplicated.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bench.harness import (
    FakeSlackProc,
    LoadResult,
    answer_plan,
    bench_database,
    doubled_answers,
    duplicate_posts,
    log,
    percentile,
    run_load,
    save_result,
    seed_rounds,
    settled_posts,
    start_bot,
    start_floor,
    stored_answers,
    wait_stored,
)

MANAGERS = 500
QUESTIONS = 5
STEPS = (50, 100, 200, 300, 400)
STEP_SECONDS = 10.0
TARGET_RATE = 200
TARGET_RATIO = 1.5


def _latency(result: LoadResult) -> dict[str, float]:
    lat = result.latencies()
    return {
        "p50_ms": percentile(lat, 50) * 1000,
        "p99_ms": percentile(lat, 99) * 1000,
        "acked": float(result.acked),
        "sent": float(len(result.rows)),
    }


def _last_stored(db: Any) -> float:
    value = db.scalar("SELECT max(updated_at) FROM answers")
    return value.timestamp() if isinstance(value, datetime) else 0.0


def run(steps: tuple[int, ...] = STEPS, seconds: float = STEP_SECONDS) -> dict[str, Any]:
    """Measure the floor and the bot step by step; return the figure's data."""
    needed = int(sum(steps) * seconds)
    rounds_needed = -(-needed // (MANAGERS * QUESTIONS))
    fake = FakeSlackProc()
    try:
        with bench_database("ack") as db:
            log(f"figure 1: seeding {MANAGERS} managers × {rounds_needed} rounds")
            rounds = seed_rounds(db, MANAGERS, rounds_needed)
            plan = answer_plan(rounds, QUESTIONS, "ack")
            floor_steps = _floor(fake, plan, steps, seconds)
            bot_steps, totals = _bot(fake, db, plan, steps, seconds)
    finally:
        fake.stop()
    return _verdict(floor_steps, bot_steps, totals)


def _floor(
    fake: FakeSlackProc, plan: list[list[str]], steps: tuple[int, ...], seconds: float
) -> dict[int, dict[str, float]]:
    floor = start_floor(fake.base_url)
    out: dict[int, dict[str, float]] = {}
    try:
        floor.wait_ready()
        for rate in steps:
            items = plan[: int(rate * seconds)]
            result = run_load(floor.port, items, rate, name=f"floor-{rate}")
            out[rate] = _latency(result)
            out[rate]["answers_per_s"] = result.acked / seconds
            log(
                f"  floor {rate}/s: p50 {out[rate]['p50_ms']:.1f} ms p99 {out[rate]['p99_ms']:.1f} ms"
            )
    finally:
        floor.stop()
    return out


def _bot(
    fake: FakeSlackProc,
    db: Any,
    plan: list[list[str]],
    steps: tuple[int, ...],
    seconds: float,
) -> tuple[dict[int, dict[str, float]], dict[str, Any]]:
    bot = start_bot(db.url, fake.base_url, name="bot-ack")
    out: dict[int, dict[str, float]] = {}
    acked_total = 0
    offset = 0
    try:
        bot.wait_ready()
        for rate in steps:
            items = plan[offset : offset + int(rate * seconds)]
            offset += len(items)
            result = run_load(bot.port, items, rate, name=f"bot-{rate}")
            acked_total += result.acked
            stored = wait_stored(db, acked_total, None, timeout=20)
            processed = result.acked / max(1e-9, _last_stored(db) - result.started)
            row = _latency(result)
            row["answers_per_s"] = min(processed, result.acked / seconds)
            row["processed_per_s"] = processed
            row["stored_total"] = float(stored)
            out[rate] = row
            log(
                f"  bot {rate}/s: p50 {row['p50_ms']:.1f} ms p99 {row['p99_ms']:.1f} ms, "
                f"processed {processed:.0f}/s, stored {stored}/{acked_total}"
            )
            if processed < 0.9 * rate or result.acked < len(items):
                log(f"  bot saturated at {rate}/s")
                if rate >= TARGET_RATE:
                    break
        stored = stored_answers(db)
        posts = settled_posts(fake, stored)
    finally:
        bot.stop()
    totals = {
        "acked": acked_total,
        "stored": stored,
        "lost": max(0, acked_total - stored),
        "stored_not_acked": max(0, stored - acked_total),
        "doubled_answers": doubled_answers(db),
        "posts_delivered": sum(1 for p in posts["posts"] if p[3]),
        "doubled_posts": duplicate_posts(posts["posts"]),
        "fake_statuses": posts["statuses"],
    }
    return out, totals


def _verdict(
    floor: dict[int, dict[str, float]], bot: dict[int, dict[str, float]], totals: dict[str, Any]
) -> dict[str, Any]:
    saturation = max((r for r, row in bot.items() if row["processed_per_s"] >= 0.9 * r), default=0)
    at_target = bot.get(TARGET_RATE)
    ratio = (
        at_target["p99_ms"] / floor[TARGET_RATE]["p99_ms"]
        if at_target is not None and TARGET_RATE in floor
        else float("nan")
    )
    sustained_ok = at_target is not None and at_target["processed_per_s"] >= 0.9 * TARGET_RATE
    clean = totals["lost"] == 0 and totals["doubled_answers"] == 0 and totals["doubled_posts"] == 0
    return {
        "floor": {str(k): v for k, v in floor.items()},
        "bot": {str(k): v for k, v in bot.items()},
        "totals": totals,
        "sustained_rate": saturation,
        "p99_ratio_at_target": ratio,
        "pass": bool(ratio <= TARGET_RATIO and sustained_ok and clean),
        "managers": MANAGERS,
        "step_seconds": STEP_SECONDS,
    }


def main() -> dict[str, Any]:
    """Run figure 1 and save its result."""
    result = run()
    save_result("figure1_ack_latency", result)
    return result


if __name__ == "__main__":
    main()
