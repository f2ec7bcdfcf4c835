"""Figures 1, 2 and 7 repeat every step or case, interleave the systems in an order that
rotates per repetition, and report the median of the repetitions (each repetition's value
kept beside it); their verdicts are taken from the medians, while anything lost, doubled or
refused in any repetition still fails the figure."""

from __future__ import annotations

import math
from typing import Any

from bench import ack_latency, fanout, teams_fanout
from bench.ack_latency import SystemRun
from bench.report import _figure1, _figure2, _figure7
from bench.timing import median_row, rotation

SYSTEMS = ("ack", "insert", "lean", "bot", "workers")


def test_each_system_goes_first_once_and_keeps_its_neighbours() -> None:
    orders = [rotation(SYSTEMS, n) for n in range(len(SYSTEMS))]

    assert [order[0] for order in orders] == list(SYSTEMS)
    assert all(sorted(order) == sorted(SYSTEMS) for order in orders)
    assert orders[1] == ["insert", "lean", "bot", "workers", "ack"]
    assert rotation(SYSTEMS, len(SYSTEMS)) == list(SYSTEMS)


def test_a_row_is_the_median_of_its_repetitions_with_each_value_kept() -> None:
    row = median_row(
        [
            {"p99_ms": 30.0, "acked": 100, "name": "bot", "ok": True},
            {"p99_ms": 900.0, "acked": 100, "name": "bot", "ok": True},
            {"p99_ms": 20.0, "acked": 98, "name": "bot", "ok": False},
        ]
    )

    assert row["p99_ms"] == 30.0  # one slow repetition does not decide
    assert row["runs"]["p99_ms"] == [30.0, 900.0, 20.0]
    assert row["acked"] == 100
    assert row["repetitions"] == 3
    assert "name" not in row and "ok" not in row


def test_a_repetition_without_a_value_is_left_out_of_the_median() -> None:
    row = median_row([{"p99_ms": float("nan")}, {"p99_ms": 10.0}, {"p99_ms": 30.0}])

    assert row["p99_ms"] == 20.0
    assert math.isnan(median_row([{"p99_ms": float("nan")}])["p99_ms"])


def _row(p99: float, cpu: float, processed: float, pg: float = 1.0) -> dict[str, float]:
    return {
        "p50_ms": p99 / 2,
        "p99_ms": p99,
        "cpu_ms_per_answer": cpu,
        "pg_ms_per_answer": pg,
        "processed_per_s": processed,
    }


def _clean_totals(posts: int = 0) -> dict[str, Any]:
    return {
        "acked": posts,
        "stored": posts,
        "lost": 0,
        "stored_not_acked": 0,
        "doubled_answers": 0,
        "post_keys_sent": posts,
        "posts_not_sent": {},
        "fake_statuses": {},
    }


def _post(thread: str, key: str) -> list[Any]:
    return ["D1", thread, f"fråga i {thread}", True, 1.0, key]


def test_figure_1_verdicts_use_the_medians_of_the_repetitions() -> None:
    floor = [
        SystemRun({100: _row(10.0, 5.0, 100.0), 200: _row(10.0, 5.0, 200.0)}, {}, [])
        for _ in range(3)
    ]
    # One repetition of the bot was disturbed (slow, costly); the other two meet the targets.
    bot = [
        SystemRun(
            {100: _row(12.0, 6.0, 100.0), 200: _row(250.0, 6.0, 195.0)},
            _clean_totals(1),
            [_post("1.0", "k1")],
        ),
        SystemRun(
            {100: _row(5000.0, 40.0, 30.0), 200: _row(9000.0, 40.0, 40.0)},
            _clean_totals(1),
            [_post("2.0", "k2")],
        ),
        SystemRun(
            {100: _row(14.0, 7.0, 100.0), 200: _row(280.0, 7.0, 190.0)},
            _clean_totals(1),
            [_post("3.0", "k3")],
        ),
    ]
    floors = {mode: ack_latency.step_medians(floor) for mode in ack_latency.FLOORS}

    result = ack_latency._verdict(
        floors, ack_latency.step_medians(bot), ack_latency.bot_totals(bot)
    )

    assert result["p99_ratio_at_100"] == 1.4  # median 14 ms against 10 ms
    assert result["cpu_ratio_at_100"] == 1.4  # median 7 ms against 5 ms
    assert result["sustained_rate"] == 200
    assert result["pass"] is True
    assert result["bot"]["100"]["runs"]["p99_ms"] == [12.0, 5000.0, 14.0]


def test_a_rate_run_by_only_one_repetition_does_not_count_as_sustained() -> None:
    fast = SystemRun(
        {200: _row(10.0, 5.0, 200.0), 300: _row(10.0, 5.0, 300.0)}, _clean_totals(), []
    )
    saturated = SystemRun({200: _row(900.0, 5.0, 100.0)}, _clean_totals(), [])

    rows = ack_latency.step_medians([saturated, fast, saturated])

    assert rows[300]["repetitions"] == 1
    floors = {mode: rows for mode in ack_latency.FLOORS}
    verdict = ack_latency._verdict(floors, rows, ack_latency.bot_totals([fast]))
    assert verdict["sustained_rate"] == 0


def test_a_post_made_again_in_a_later_repetition_counts_as_doubled() -> None:
    first = SystemRun({}, _clean_totals(1), [_post("1.0", "k1")])
    again = SystemRun({}, _clean_totals(1), [_post("1.0", "k1")])

    totals = ack_latency.bot_totals([first, again])

    assert totals["posts_delivered"] == 2
    assert totals["doubled_posts"] == 1
    assert totals["doubled_post_keys"] == 1
    assert ack_latency.lean_totals([first, again])["doubled_post_keys"] == 1


def _fanout_case(ratio: float, **changes: Any) -> dict[str, Any]:
    case = {
        "managers": 1000,
        "delivery": "dm",
        "channel_rate": 1.0,
        "ack_s": 0.1,
        "ack_status": 200,
        "elapsed_s": 39.0 * ratio,
        "from_command_s": 39.0 * ratio + 0.1,
        "lost": 0,
        "doubled": 0,
        "participations_without_thread": 0,
        "posts_not_sent": 0,
        "post_429s": 0,
        "statuses": {"chat.postMessage 200": 2001},
        "bot_cpu_s": 1.5,
        "bot_cpu_per_manager_ms": 1.5,
        "fake_cpu_s": 2.0,
        "loadgen_cpu_s": 0.0,
        "loadavg_before": "1.0 1.0 1.0",
        "loadavg_after": "2.0 1.0 1.0",
        "limits_floor_s": 39.0,
        "rtt_floor_s": 12.5,
        "floor_s": 39.0,
        "ratio": ratio,
    }
    return {**case, **changes}


def test_figure_2_takes_the_median_time_and_adds_up_what_went_wrong() -> None:
    case = fanout.combine([_fanout_case(1.02), _fanout_case(1.6), _fanout_case(1.05)])

    assert case["ratio"] == 1.05
    assert case["runs"]["ratio"] == [1.02, 1.6, 1.05]
    assert case["statuses"] == {"chat.postMessage 200": 6003}
    assert case["pass"] is True
    assert "(1.02–1.60)×" in _figure2({"dm": case, "pass": True, "repetitions": 3})

    lost_once = fanout.combine(
        [_fanout_case(1.02), _fanout_case(1.02, lost=1), _fanout_case(1.02, doubled=2)]
    )
    assert (lost_once["lost"], lost_once["doubled"], lost_once["pass"]) == (1, 2, False)

    refused_once = fanout.combine(
        [_fanout_case(1.02), _fanout_case(1.02, ack_status=404), _fanout_case(1.02)]
    )
    assert (refused_once["ack_status"], refused_once["pass"]) == (404, False)


def _teams_run(elapsed: float, **changes: Any) -> dict[str, Any]:
    run = {
        "managers": 200,
        "connector_calls": 401,
        "ack_s": 0.04,
        "elapsed_s": elapsed,
        "floor_s": 12.37,
        "ratio": round(elapsed / 12.37, 2),
        "lost": 0,
        "doubled": 0,
        "limit_hits": 0,
        "spec_violations": 0,
        "limiter_wait_s": 98.0,
        "limit_kinds": [],
    }
    return {**run, **changes}


def test_figure_7_takes_the_median_and_fails_on_a_429_in_any_repetition() -> None:
    result = teams_fanout.combine([_teams_run(13.6), _teams_run(20.0), _teams_run(13.9)])

    assert (result["elapsed_s"], result["pass"]) == (13.9, True)
    assert "13.90 (13.60–20.00) s" in _figure7({**result, "repetitions": 3})

    limited = teams_fanout.combine(
        [_teams_run(13.6), _teams_run(13.6, limit_hits=1, limit_kinds=["tenant"]), _teams_run(13.6)]
    )
    assert (limited["limit_hits"], limited["limit_kinds"], limited["pass"]) == (
        1,
        ["tenant"],
        False,
    )


def test_the_report_shows_how_many_repetitions_ran_a_step() -> None:
    full = SystemRun({50: _row(10.0, 5.0, 50.0), 200: _row(10.0, 5.0, 200.0)}, _clean_totals(), [])
    more = SystemRun(
        {50: _row(10.0, 5.0, 50.0), 200: _row(10.0, 5.0, 200.0), 300: _row(10.0, 5.0, 300.0)},
        _clean_totals(),
        [],
    )
    rows = ack_latency.step_medians([full, more, full])
    result = ack_latency._verdict(
        {mode: rows for mode in ack_latency.FLOORS}, rows, ack_latency.bot_totals([full])
    )
    result["repetitions"] = 3

    text = _figure1(result)

    assert "| 300 | **bot** (1 of 3 runs) |" in text
    assert "| 50 | **bot** | 5.0 | 10.0 (10.0–10.0) |" in text
