"""CPU and SQL per answered thread reply, in process, split at the ack (issue 13, target 1).

Signed thread-reply events go through the real Bolt app (WSGI, in this process) one at a
time, against the in-process fake Slack, on a PostgreSQL database of its own (round of
``planering``, five questions, every participant with a DM thread). After a warm-up, two
phases are measured:

- ``first``: each participant answers question 1 (the ✅ reaction and question 2 are
  posted; no earlier question message is recorded, as in a seeded round);
- ``later``: the same participants answer question 2 (reaction, question 3, and the
  message of question 2 is updated to "answered" with ``chat.update``), as in every
  answer but the first of a real round (figure 1 answers five questions);
- ``activities`` (with ``--activities``): after answering question 3 (not measured), they
  answer question 4, ``utvecklingsmal``, whose answer is read as activities (reaction, a
  confirmation listing them with buttons, question 5).

For each phase: CPU ms per answer of the request thread (signature, Bolt, the store
before the ack), of the listener thread (everything after the ack), of the whole process
(the fake Slack's threads included) and of the process without the fake's threads; SQL
statements and commits per answer on each side of the ack (SQLAlchemy events), and
the CPU of the PostgreSQL backends serving the bench database (same machine).

Run: ``python -m bench.answer_cpu [--managers 60] [--warmup 20] [--activities] [--profile]``
with ``$DIALOGBOT_BENCH_DATABASE_URL`` (default ``postgresql://postgres@127.0.0.1:5432/test``);
``--profile`` prints the cProfile of the last phase (request thread, then listener thread)
instead of timing it. Prints one JSON object; nothing is written to ``bench/results``.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import resource
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any

from fakes import FakeSlack
from fakes.signing import event_callback_body, message_event
from sqlalchemy import event

from bench.harness import SECRET, TEAM, Thread, bench_database, seed_rounds
from bench.sql_per_slack_answer import _deliver
from bench.timing import process_cpu
from bot.slack.app import build_app, wsgi_app
from bot.slack.config import SlackConfig
from bot.slack.executor import TrackingExecutor
from bot.slack.pacing import Limits
from bot.wiring import build_runtime

TOKEN = "xoxb-answer-cpu"
#: ``planering``'s question 4 (``utvecklingsmal``, kind ``activities``) and an answer to it:
#: a heading and three activities, two with an owner.
ACTIVITIES_QUESTION = 4
ACTIVITIES_TEXT = (
    "Mål 1: Minskad sjukfrånvaro\n"
    "- Hälsosamtal med alla medarbetare (ansvarig: Anna)\n"
    "- Se över schemaläggningen – ansvarig Karin\n"
    "- Följa upp korttidsfrånvaron varje månad"
)
LISTENER = "dialogbot-slack"


def _thread_cpu(ident: int | None) -> float:
    """CPU seconds of a live thread (0 when it is gone)."""
    if ident is None:
        return 0.0
    try:
        return time.clock_gettime(time.pthread_getcpuclockid(ident))
    except (OSError, ProcessLookupError):
        return 0.0


def _process_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _listener_cpu() -> float:
    return sum(_thread_cpu(t.ident) for t in threading.enumerate() if t.name.startswith(LISTENER))


class ProfilingExecutor(TrackingExecutor):
    """Runs each listener task under one shared profiler while ``profiler`` is set."""

    profiler: cProfile.Profile | None = None

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        def run() -> Any:
            prof = self.profiler
            if prof is None:
                return fn(*args, **kwargs)
            prof.enable()
            try:
                return fn(*args, **kwargs)
            finally:
                prof.disable()

        return super().submit(run)


def main() -> None:
    """Print CPU and SQL per answer before and after the ack, as JSON."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--managers", type=int, default=60)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--activities", action="store_true")
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    with bench_database("answercpu") as db, FakeSlack(default_token=TOKEN) as fake:
        threads = seed_rounds(db, args.managers + args.warmup, 1, template="planering")[0]
        executor = ProfilingExecutor(max_workers=4)
        config = SlackConfig(
            signing_secret=SECRET,
            bot_token=TOKEN,
            api_url=fake.base_url,
            # As in production (pacing on, keep-alive transport), told the fake's limits:
            # none workspace-wide.
            pacing=Limits(per_workspace_per_s=10_000, workspace_burst=10_000),
        )
        # The bot's engine and services as ``serve`` builds them (no pre-ping on checkout;
        # the bench's own engine pings for its checks and would add a round trip to every
        # transaction of the bot).
        runtime = build_runtime(db.url)
        app = build_app(config, runtime, executor=executor, token_verification=False)
        wsgi = wsgi_app(app, config.signing_secret)
        counts: dict[str, int] = {}

        def side() -> str:
            return "after" if threading.current_thread().name.startswith(LISTENER) else "before"

        def on_statement(*_args: object) -> None:
            key = f"{side()}_statements"
            counts[key] = counts.get(key, 0) + 1

        def on_commit(*_args: object) -> None:
            key = f"{side()}_commits"
            counts[key] = counts.get(key, 0) + 1

        event.listen(runtime.db, "before_cursor_execute", on_statement)
        event.listen(runtime.db, "commit", on_commit)
        serial = [0]

        request_profiler: list[cProfile.Profile] = []

        def answer(t: Thread, q: int) -> None:
            serial[0] += 1
            text = ACTIVITIES_TEXT if q == ACTIVITIES_QUESTION else f"Svar {q} från {t.chat_id}"
            body = event_callback_body(
                message_event(
                    text=text,
                    user=t.chat_id,
                    channel=t.channel,
                    ts=f"1800000000.{serial[0]:06d}",
                    thread_ts=t.thread_ts,
                ),
                TEAM,
            )
            if request_profiler:
                request_profiler[0].enable()
            try:
                status = _deliver(wsgi, body)
            finally:
                if request_profiler:
                    request_profiler[0].disable()
            if status != 200:
                raise RuntimeError("the bot refused a signed event")
            executor.wait_idle()

        def pg_cpu() -> float:
            """CPU seconds of the PostgreSQL backends serving this database (the bot's
            pooled connections live through a phase; this look-up uses one of them)."""
            pids = [
                int(pid)
                for (pid,) in db.rows(
                    "SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
                )
            ]
            return sum(_proc_cpu(pid) for pid in pids)

        warm, measured = threads[: args.warmup], threads[args.warmup :]
        phases = [("first", 1), ("later", 2)]
        if args.activities:
            phases.append(("activities", ACTIVITIES_QUESTION))
        for _, question in phases:
            for t in warm:
                if question == ACTIVITIES_QUESTION:
                    answer(t, question - 1)
                answer(t, question)
        result: dict[str, Any] = {"managers": len(measured), "load_1min": _load()}
        for phase, question in phases:
            if question == ACTIVITIES_QUESTION:
                for t in measured:
                    answer(t, question - 1)
            if args.profile and phase == phases[-1][0]:
                executor.profiler = cProfile.Profile(time.thread_time)
                request_profiler.append(cProfile.Profile(time.thread_time))
            counts.clear()
            pg0 = pg_cpu()
            main_id = threading.get_ident()
            cpu0 = (_thread_cpu(main_id), _listener_cpu(), _process_cpu())
            for t in measured:
                answer(t, question)
            cpu1 = (_thread_cpu(main_id), _listener_cpu(), _process_cpu())
            n = len(measured)
            request_ms, listener_ms, process_ms = (
                (b - a) * 1000 / n for a, b in zip(cpu0, cpu1, strict=True)
            )
            pg_ms = (pg_cpu() - pg0) * 1000 / n
            result[phase] = {
                "request_thread_cpu_ms": round(request_ms, 2),
                "listener_thread_cpu_ms": round(listener_ms, 2),
                "process_cpu_ms": round(process_ms, 2),
                "bot_threads_cpu_ms": round(request_ms + listener_ms, 2),
                **{k: round(v / n, 2) for k, v in sorted(counts.items())},
                "postgres_backends_cpu_ms": round(pg_ms, 2),
            }
        executor.shutdown()
        runtime.db.dispose()
        posted = len(fake.calls("chat.postMessage"))
        updated = len(fake.calls("chat.update"))
        result["posts"] = {"chat.postMessage": posted, "chat.update": updated}
        print(json.dumps(result, indent=1))
        for profiler in [*request_profiler, executor.profiler]:
            if profiler is None:
                continue
            out = io.StringIO()
            stats = pstats.Stats(profiler, stream=out)
            stats.sort_stats(os.environ.get("ANSWER_CPU_SORT", "cumulative")).print_stats(
                int(os.environ.get("ANSWER_CPU_LINES", "45"))
            )
            print(out.getvalue())


def _proc_cpu(pid: int) -> float:
    """CPU seconds (user + system) of another process on this machine (0 when gone)."""
    try:
        return process_cpu(pid)
    except OSError:
        return 0.0


def _load() -> float:
    with open("/proc/loadavg") as f:
        return float(f.read().split()[0])


if __name__ == "__main__":
    main()
