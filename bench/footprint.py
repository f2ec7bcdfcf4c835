"""Figure 5: idle footprint of ``dialogbot serve`` (HTTP mode, scheduler on, PostgreSQL).

Startup time is from spawning the process to the first ``GET /healthz`` answer (it
connects to the database, checks the migrations, calls auth.test on the fake Slack and
starts the scheduler); the floor is ``python -c "import slack_bolt, sqlalchemy"`` run to
completion. RSS is read from /proc after 5 s of idling; for comparison, the RSS of a
process that has just imported slack_bolt and sqlalchemy. Medians of three runs. There is no numeric target: the figure is
reported.

Also the CLI's start: ``dialogbot --help`` (it imports what every command shares: the
models, the templates, the engine) against the import floor of its third-party
dependencies (:data:`CLI_FLOOR`), both run to completion, interleaved, 1 warm-up + 7 runs
each; wall time and CPU time (user + system, from ``getrusage``; less disturbed by other
load) as medians. Target: ≤ 1.5×.
"""

from __future__ import annotations

import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from bench.harness import FakeSlackProc, bench_database, log, save_result, start_bot
from bench.timing import load

RUNS = 3
IDLE_SECONDS = 5.0
CLI_RUNS = 7
#: The third-party packages a CLI command imports because it needs them (database, output,
#: templates, sorting, dates, metrics), imported and nothing else: the CLI's floor.
CLI_FLOOR = (
    "import sqlalchemy.orm, rich.console, jinja2, pydantic, yaml, icu, dateutil, prometheus_client"
)


def _timed_child(argv: list[str]) -> tuple[float, float]:
    """Wall and CPU seconds (user + system) of one child run to completion."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def cli_startup() -> dict[str, Any]:
    """``dialogbot --help`` against the import floor of its dependencies, interleaved."""
    dialogbot = str(Path(sys.executable).with_name("dialogbot"))
    cases = {"floor": [sys.executable, "-c", CLI_FLOOR], "cli": [dialogbot, "--help"]}
    runs: dict[str, list[tuple[float, float]]] = {name: [] for name in cases}
    before = load()
    for n in range(CLI_RUNS + 1):
        for name in list(cases) if n % 2 == 0 else list(reversed(cases)):
            timing = _timed_child(cases[name])
            if n > 0:
                runs[name].append(timing)
    after = load()
    wall = {name: statistics.median(w for w, _ in r) for name, r in runs.items()}
    cpu = {name: statistics.median(c for _, c in r) for name, r in runs.items()}
    return {
        "cli_wall_s": wall["cli"],
        "cli_floor_wall_s": wall["floor"],
        "cli_cpu_s": cpu["cli"],
        "cli_floor_cpu_s": cpu["floor"],
        "cli_ratio_wall": wall["cli"] / wall["floor"],
        "cli_ratio_cpu": cpu["cli"] / cpu["floor"],
        "cli_floor": CLI_FLOOR,
        "cli_runs": CLI_RUNS,
        "load_before": before,
        "load_after": after,
    }


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
        **cli_startup(),
        "startup_s": startup_s,
        "import_floor_s": floor_s,
        "startup_ratio": startup_s / floor_s,
        "idle_rss_mb": statistics.median(rss) / 1024,
        "import_floor_rss_mb": statistics.median(f[1] for f in floor) / 1024,
        "runs": RUNS,
    }
    log(
        f"figure 5: startup {startup_s:.2f} s ({result['startup_ratio']:.1f}× the import floor "
        f"{floor_s:.2f} s), idle RSS {result['idle_rss_mb']:.0f} MB; dialogbot --help "
        f"{result['cli_ratio_cpu']:.2f}× its import floor (CPU), {result['cli_ratio_wall']:.2f}× (wall)"
    )
    return result


def main() -> dict[str, Any]:
    """Run figure 5 and save its result."""
    result = run()
    save_result("figure5_footprint", result)
    return result


if __name__ == "__main__":
    main()
