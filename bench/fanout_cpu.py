"""CPU of a round start's fan-out in one process, per phase (issue 13, target 5).

``python -m bench.fanout_cpu [cpu|profile] [MANAGERS] [LATENCY_LOW_MS LATENCY_HIGH_MS]``

Runs what the listener runs after the ack of ``/dialog start`` (``round_start.carry_out``:
claim the accepted start, start the round, write the fan-out to the outbox, send it) against
the fake Slack in its own process (no rate limits, pacing at 10,000/s so nothing waits), on
a PostgreSQL database of its own (``$DIALOGBOT_BENCH_DATABASE_URL``). ``cpu`` prints this
process's CPU (all threads) per manager for starting the round (claim, start, plan) and for
sending; ``profile`` runs the fan-out with one sending thread under cProfile and prints the
top functions by own time and by cumulative time.
"""

from __future__ import annotations

import cProfile
import io
import os
import pstats
import resource
import sys
import time
from concurrent.futures import Executor, Future
from pathlib import Path
from typing import Any

from bench import fanout
from bench.fake_slack_server import TOKEN
from bench.harness import GROUP_CHANNEL, ORGANISER, TEAM, FakeSlackProc
from bench.orgs import build_org
from bot import logs
from bot.domain.commands import StartRound
from bot.slack import notifier as notifier_module
from bot.slack import round_start
from bot.slack.app import build_context
from bot.slack.config import SlackConfig
from bot.slack.pacing import Limits
from bot.slack.poster import make_client
from bot.wiring import build_runtime
from storage.db import make_session_factory


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


class _Inline(Executor):
    """Runs what is submitted in the calling thread, in order, when the pool shuts down
    (so cProfile sees the fan-out; the fan-out's senders take their work from a queue
    that is full by then)."""

    def __init__(self, *_: Any, **__: Any) -> None:
        self._queued: list[tuple[Future[Any], Any, tuple[Any, ...], dict[str, Any]]] = []

    def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> Future[Any]:
        future: Future[Any] = Future()
        self._queued.append((future, fn, args, kwargs))
        return future

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        queued, self._queued = self._queued, []
        for future, fn, args, kwargs in queued:
            try:
                future.set_result(fn(*args, **kwargs))
            except Exception as exc:
                future.set_exception(exc)


def run(mode: str, managers: int, latency: tuple[int, int]) -> dict[str, float]:
    """One fan-out of ``managers``; CPU seconds per phase."""
    fake = FakeSlackProc()
    try:
        with fanout._database("cpu") as db:
            build_org(make_session_factory(db.engine), TEAM, managers)
            fake.control("bench.no_rate_limits")
            if latency[1] > 0:
                fake.control("bench.latency", low_ms=latency[0], high_ms=latency[1])
            config = SlackConfig(
                signing_secret="x",
                bot_token=TOKEN,
                api_url=fake.base_url,
                pacing=Limits(10_000.0, 10_000, 10_000.0, 10_000),
            )
            runtime = build_runtime(db.url)
            client = make_client(config.api_url, config.bot_token)
            ctx = build_context(config, runtime, client)
            cmd = StartRound(
                "planering",
                ["Benchförvaltningen"],
                GROUP_CHANNEL,
                level="enhet",
                started_by=ORGANISER,
                delivery="dm",
                external_key=f"cpu-{time.time()}",
            )
            accepted = ctx.services.round_starts.accept(TEAM, cmd)
            phases: dict[str, float] = {}
            begun = [time.perf_counter()]
            notifier = ctx.notifier

            def timed_notifier(c: Any) -> Any:
                n = notifier(c)
                plan = n.plan_round_start
                send = n.send_round_start

                def timed_plan(started: Any, **kwargs: Any) -> Any:
                    t0, w0 = _cpu(), time.perf_counter()
                    phases["start_wall"] = w0 - begun[0]
                    try:
                        return plan(started, **kwargs)
                    finally:
                        phases["plan"] = _cpu() - t0
                        phases["plan_wall"] = time.perf_counter() - w0

                def timed_send(p: Any, written: Any = None) -> Any:
                    phases["until_send_wall"] = time.perf_counter() - begun[0]
                    t0 = _cpu()
                    try:
                        return send(p, written)
                    finally:
                        phases["send"] = _cpu() - t0

                n.plan_round_start = timed_plan  # type: ignore[method-assign]
                n.send_round_start = timed_send  # type: ignore[method-assign,assignment]
                return n

            ctx.notifier = timed_notifier  # type: ignore[method-assign,assignment]
            profiler = cProfile.Profile(time.process_time) if mode == "profile" else None
            if profiler is not None:
                setattr(notifier_module, "ThreadPoolExecutor", _Inline)  # noqa: B010
            t0, w0 = _cpu(), time.perf_counter()
            begun[0] = w0
            if profiler is not None:
                profiler.enable()
            round_start.carry_out(ctx, client, TEAM, accepted, cmd)
            if profiler is not None:
                profiler.disable()
            total, wall = _cpu() - t0, time.perf_counter() - w0
            sent = int(db.scalar("SELECT count(*) FROM chat_posts WHERE status = 'sent'"))
            runtime.db.dispose()
    finally:
        fake.stop()
    phases["start"] = total - phases.get("plan", 0.0) - phases.get("send", 0.0)
    walls = {k: v for k, v in phases.items() if k.endswith("_wall")}
    result = {
        "sent": float(sent),
        "wall_s": wall,
        **walls,
        "total_ms_per_manager": total / managers * 1000,
        **{f"{k}_ms_per_manager": v / managers * 1000 for k, v in phases.items() if k not in walls},
    }
    if profiler is not None:
        for order in ("tottime", "cumulative"):
            out = io.StringIO()
            pstats.Stats(profiler, stream=out).sort_stats(order).print_stats(110)
            print(out.getvalue())
    return result


def main() -> None:
    """Command line: see the module docstring."""
    devnull = Path(os.devnull).open("w")  # noqa: SIM115 - the log stream for the whole run
    logs.configure("json", "WARNING", devnull)  # as serve logs (no -v)
    mode = sys.argv[1] if len(sys.argv) > 1 else "cpu"
    managers = int(sys.argv[2]) if len(sys.argv) > 2 else 1_000
    latency = (int(sys.argv[3]), int(sys.argv[4])) if len(sys.argv) > 4 else (0, 0)
    result = run(mode, managers, latency)
    load = Path("/proc/loadavg").read_text().split()[:3]
    print(" ".join(f"{k}={v:.3f}" for k, v in result.items()), "load", *load, flush=True)


if __name__ == "__main__":
    main()
