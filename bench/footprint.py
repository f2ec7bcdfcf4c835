"""Figure 5: idle footprint of ``dialogbot serve`` (HTTP mode, scheduler on, PostgreSQL).

Startup time is from spawning the process to the first ``GET /healthz`` answer (it
connects to the database, checks the migrations, calls auth.test on the fake Slack and
starts the scheduler); the floor is ``python -c "import slack_bolt, sqlalchemy"`` run to
completion. RSS is read from /proc after 5 s of idling; for comparison, the RSS of a
process that has just imported slack_bolt and sqlalchemy. Medians of three runs after a
warm-up start. The server runs with a bytecode cache, as the CLI's children do (below).
Also in CPU time (the server's own, read from /proc when ``/healthz`` first answers)
against the CPU of importing :data:`SERVE_FLOOR`, run to completion between the starts:
``python -c "import slack_bolt, sqlalchemy"`` leaves out psycopg, waitress,
pydantic-settings and the rest serve cannot start without, about half of their import
time, and wall time on a loaded machine mostly measures the load.

Also the CLI's start, two commands each against the import floor of the third-party
packages it loads, all four run to completion, interleaved, 1 warm-up + 7 runs each; wall
time and CPU time (user + system, from ``getrusage``; less disturbed by other load) as
medians. ``dialogbot --help`` builds the parser only: it imports the configuration
(pydantic-settings) and nothing a command needs, so its floor is :data:`HELP_FLOOR`. A
typical command, ``dialogbot round list`` on a migrated, empty SQLite database, loads
exactly the packages of :data:`CLI_FLOOR` (the database, Rich, the configuration, the
YAML, dates, metrics). The children run with a bytecode cache (in the run directory; the warm-up
fills it) as an installed wheel has, and as the dependencies in site-packages have: with
``PYTHONDONTWRITEBYTECODE`` set, our ~150 modules were compiled from source at every start
while the floor's were not. Target: ≤ 1.5× for both.

For the idle RSS, also the RSS of a process that has only imported what ``serve`` needs
while idle (:data:`SERVE_FLOOR`): Bolt and its WSGI adapter, the ORM, psycopg, waitress,
the configuration, the metrics, the template files' YAML and the schedule's dates.
"""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.harness import RUN_DIR, FakeSlackProc, bench_database, log, save_result, start_bot
from bench.timing import load, process_cpu

RUNS = 3
IDLE_SECONDS = 5.0
CLI_RUNS = 7
#: The third-party packages a typical CLI command (``round list``) imports (database,
#: output, configuration, YAML, dates, metrics), imported and nothing else. ICU and Jinja
#: were in it while every start loaded them; they now load with the first sort and the
#: first summary, and ``dateutil.rrule`` with the schedule's code, which ``round list``
#: no longer imports: a floor holds only what the command loads.
CLI_FLOOR = (
    "import sqlalchemy.orm, rich.console, pydantic_settings, yaml, dateutil.parser, "
    "prometheus_client"
)
#: What ``dialogbot --help`` imports of them: the configuration (pydantic-settings).
HELP_FLOOR = "import pydantic_settings"
#: What ``serve`` (HTTP, PostgreSQL, scheduler) needs loaded while it idles.
SERVE_FLOOR = (
    "import slack_bolt, slack_bolt.adapter.wsgi, sqlalchemy.orm, psycopg, waitress, "
    "pydantic_settings, prometheus_client, yaml, dateutil.rrule"
)


def _child_env(cache: Path) -> dict[str, str]:
    """This environment with a bytecode cache in ``cache`` (written by the warm-up)."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(cache)
    return env


def _timed_child(argv: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall and CPU seconds (user + system) of one child run to completion."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, env=env)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def cli_startup() -> dict[str, Any]:
    """``dialogbot --help`` and ``dialogbot round list`` against the import floors of what
    each loads, interleaved."""
    dialogbot = str(Path(sys.executable).with_name("dialogbot"))
    RUN_DIR.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=RUN_DIR) as tmp:
        env = _child_env(Path(tmp) / "pycache")
        db = f"sqlite:///{Path(tmp) / 'cli.db'}"
        subprocess.run(
            [dialogbot, "--db", db, "db", "upgrade"], check=True, stdout=subprocess.DEVNULL, env=env
        )
        cases = {
            "help_floor": [sys.executable, "-c", HELP_FLOOR],
            "help": [dialogbot, "--help"],
            "cmd_floor": [sys.executable, "-c", CLI_FLOOR],
            "cmd": [dialogbot, "--db", db, "round", "list"],
        }
        runs: dict[str, list[tuple[float, float]]] = {name: [] for name in cases}
        before = load()
        names = list(cases)
        for n in range(CLI_RUNS + 1):
            shift = n % len(names)
            for name in names[shift:] + names[:shift]:
                timing = _timed_child(cases[name], env)
                if n > 0:
                    runs[name].append(timing)
        after = load()
    wall = {name: statistics.median(w for w, _ in r) for name, r in runs.items()}
    cpu = {name: statistics.median(c for _, c in r) for name, r in runs.items()}
    return {
        "cli_wall_s": wall["help"],
        "cli_floor_wall_s": wall["help_floor"],
        "cli_cpu_s": cpu["help"],
        "cli_floor_cpu_s": cpu["help_floor"],
        "cli_ratio_wall": wall["help"] / wall["help_floor"],
        "cli_ratio_cpu": cpu["help"] / cpu["help_floor"],
        "cli_floor": HELP_FLOOR,
        "cmd_wall_s": wall["cmd"],
        "cmd_floor_wall_s": wall["cmd_floor"],
        "cmd_cpu_s": cpu["cmd"],
        "cmd_floor_cpu_s": cpu["cmd_floor"],
        "cmd_ratio_wall": wall["cmd"] / wall["cmd_floor"],
        "cmd_ratio_cpu": cpu["cmd"] / cpu["cmd_floor"],
        "cmd_floor": CLI_FLOOR,
        "cli_runs": CLI_RUNS,
        "load_before": before,
        "load_after": after,
    }


def _rss_after(code: str) -> int:
    """The RSS (kB) of a fresh interpreter after running ``code``, read by itself."""
    status = subprocess.run(
        [sys.executable, "-c", f"{code}; print(open('/proc/self/status').read())"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS:"))


def _floor_run() -> tuple[float, int, int]:
    """Wall time of the import floor, its RSS (kB) and the RSS of :data:`SERVE_FLOOR`."""
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", "import slack_bolt, sqlalchemy"], check=True)
    elapsed = time.perf_counter() - start
    return elapsed, _rss_after("import slack_bolt, sqlalchemy"), _rss_after(SERVE_FLOOR)


def run() -> dict[str, Any]:
    """Measure startup and idle RSS of the bot against the import floor."""
    floor: list[tuple[float, int, int]] = []
    floor_cpu: list[float] = []
    startups: list[float] = []
    startup_cpu: list[float] = []
    rss: list[int] = []
    fake = FakeSlackProc()
    RUN_DIR.mkdir(parents=True, exist_ok=True)
    try:
        with (
            tempfile.TemporaryDirectory(dir=RUN_DIR) as tmp,
            bench_database("idle") as db,
        ):
            env = _child_env(Path(tmp) / "pycache")
            cache = {
                "PYTHONPYCACHEPREFIX": env["PYTHONPYCACHEPREFIX"],
                "PYTHONDONTWRITEBYTECODE": "",
            }
            floor_argv = [sys.executable, "-c", SERVE_FLOOR]
            for n in range(RUNS + 1):
                floor_run = _floor_run()
                _, cpu = _timed_child(floor_argv, env)
                bot = start_bot(
                    db.url, fake.base_url, name=f"bot-idle-{n}", scheduler=True, env=cache
                )
                try:
                    ready = bot.wait_ready()
                    ready_cpu = process_cpu(bot.pid)
                    if n == 0:  # the warm-up fills the bytecode cache
                        continue
                    time.sleep(IDLE_SECONDS)
                    rss.append(bot.rss_kb())
                finally:
                    bot.stop()
                floor.append(floor_run)
                floor_cpu.append(cpu)
                startups.append(ready)
                startup_cpu.append(ready_cpu)
    finally:
        fake.stop()
    floor_s = statistics.median(f[0] for f in floor)
    startup_s = statistics.median(startups)
    result = {
        **cli_startup(),
        "startup_s": startup_s,
        "import_floor_s": floor_s,
        "startup_ratio": startup_s / floor_s,
        "startup_cpu_s": statistics.median(startup_cpu),
        "serve_floor_cpu_s": statistics.median(floor_cpu),
        "startup_ratio_cpu": statistics.median(startup_cpu) / statistics.median(floor_cpu),
        "idle_rss_mb": statistics.median(rss) / 1024,
        "import_floor_rss_mb": statistics.median(f[1] for f in floor) / 1024,
        "serve_floor_rss_mb": statistics.median(f[2] for f in floor) / 1024,
        "serve_floor": SERVE_FLOOR,
        "runs": RUNS,
    }
    log(
        f"figure 5: startup {startup_s:.2f} s ({result['startup_ratio']:.1f}× the import floor "
        f"{floor_s:.2f} s; CPU {result['startup_ratio_cpu']:.2f}× importing what serve needs), "
        f"idle RSS {result['idle_rss_mb']:.0f} MB (its dependencies "
        f"{result['serve_floor_rss_mb']:.0f} MB); dialogbot --help "
        f"{result['cli_ratio_cpu']:.2f}× its import floor (CPU), round list "
        f"{result['cmd_ratio_cpu']:.2f}×"
    )
    return result


def main() -> dict[str, Any]:
    """Run figure 5 and save its result."""
    result = run()
    save_result("figure5_footprint", result)
    return result


if __name__ == "__main__":
    main()
