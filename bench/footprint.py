"""Figure 5: idle footprint of ``dialogbot serve`` (HTTP mode, scheduler on, PostgreSQL).

Startup time is from spawning the process to the first ``GET /healthz`` answer (it
connects to the database, checks the migrations, calls auth.test on the fake Slack and
starts the scheduler); the floor is ``python -c "import slack_bolt, sqlalchemy"`` run to
completion. RSS is read from /proc after 5 s of idling; for comparison, the RSS of a
process that has just imported slack_bolt and sqlalchemy. Medians of three runs. There is no numeric target: the figure is
reported.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from typing import Any

from bench.harness import FakeSlackProc, bench_database, log, save_result, start_bot

RUNS = 3
IDLE_SECONDS = 5.0


def _floor_run() -> tuple[float, int]:
    """Wall time of the import floor, and its RSS (kB) read by itself after the imports."""
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", "import slack_bolt, sqlalchemy"], check=True)
    elapsed = time.perf_counter() - start
    status = subprocess.run(
        [
            sys.executable,
            "-c",
            "import slack_bolt, sqlalchemy; print(open('/proc/self/status').read())",
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    rss = next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS:"))
    return elapsed, rss


def run() -> dict[str, Any]:
    """Measure startup and idle RSS of the bot against the import floor."""
    floor = [_floor_run() for _ in range(RUNS)]
    startups: list[float] = []
    rss: list[int] = []
    fake = FakeSlackProc()
    try:
        with bench_database("idle") as db:
            for n in range(RUNS):
                bot = start_bot(db.url, fake.base_url, name=f"bot-idle-{n}", scheduler=True)
                try:
                    startups.append(bot.wait_ready())
                    time.sleep(IDLE_SECONDS)
                    rss.append(bot.rss_kb())
                finally:
                    bot.stop()
    finally:
        fake.stop()
    floor_s = statistics.median(f[0] for f in floor)
    startup_s = statistics.median(startups)
    result = {
        "startup_s": startup_s,
        "import_floor_s": floor_s,
        "startup_ratio": startup_s / floor_s,
        "idle_rss_mb": statistics.median(rss) / 1024,
        "import_floor_rss_mb": statistics.median(f[1] for f in floor) / 1024,
        "runs": RUNS,
    }
    log(
        f"figure 5: startup {startup_s:.2f} s ({result['startup_ratio']:.1f}× the import floor "
        f"{floor_s:.2f} s), idle RSS {result['idle_rss_mb']:.0f} MB"
    )
    return result


def main() -> dict[str, Any]:
    """Run figure 5 and save its result."""
    result = run()
    save_result("figure5_footprint", result)
    return result


if __name__ == "__main__":
    main()
