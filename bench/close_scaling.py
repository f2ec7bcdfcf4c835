"""Figure 6: closing a round and rendering its summary, 10,000 units against 1,000.

A round of ``planering`` (5 questions) in an organisation of N units (one manager each,
20 units per avdelning), every manager having answered every question; measured: closing
the round (which builds its summary) and rendering the summary as Markdown. Each size has
its own SQLite database with one round per repetition; the sizes run interleaved (1,000,
10,000, 1,000, …) after a warm-up round each, and each figure is the median of 3.
Target: the time at 10,000 units ≤ 12× the time at 1,000 (linear would be 10×).
"""

from __future__ import annotations

import gc
import statistics
import time
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import insert, select

from bench.harness import log, save_result
from bench.orgs import build_org
from bench.sql_per_answer import fresh_database
from bench.timing import load
from bot.domain.commands import StartRound
from bot.domain.templates import TemplateCatalog
from bot.services.container import Services, build_services
from bot.summary import render_summary
from storage.db import make_session_factory
from storage.models import Answer, Participation

SIZES = (1_000, 10_000)
REPEAT = 3


def _rounds(units: int, count: int) -> tuple[Services, list[int]]:
    """A database with ``count`` answered rounds over ``units`` units."""
    db = fresh_database(None)
    factory = make_session_factory(db)
    build_org(factory, "bench", units)
    services = build_services(factory, TemplateCatalog.load())
    template = services.kernel.catalog.get("planering")
    now = datetime.now(UTC)
    ids = []
    for n in range(count):
        started = services.rounds.start_round(
            "bench",
            StartRound("planering", ["forv"], f"#bench{n}", level="enhet", started_by="UPROC"),
        )
        round_id = started.round.round_id
        with factory() as session:
            pids = list(
                session.scalars(select(Participation.id).where(Participation.round_id == round_id))
            )
            session.execute(
                insert(Answer),
                [
                    {
                        "workspace_id": "bench",
                        "participation_id": pid,
                        "question_key": q.key,
                        "text": f"Svar från enhet {pid} på {q.key}: " + "ord " * 30,
                        "status": "answered",
                        "source_ref": f"c:{pid}:{q.key}",
                        "revision": 1,
                        "updated_at": now,
                    }
                    for pid in pids
                    for q in template.questions
                ],
            )
            session.commit()
        ids.append(round_id)
    return services, ids


def _close_and_render(services: Services, round_id: int) -> float:
    gc.collect()
    gc.disable()
    try:
        start = time.perf_counter()
        summary, closed = services.rounds.close_round("bench", round_id, closed_by="UPROC")
        render_summary(summary, "md")
        elapsed = time.perf_counter() - start
    finally:
        gc.enable()
    assert closed
    return elapsed


def main() -> dict[str, Any]:
    """Measure, print and save figure 6."""
    setups = {size: _rounds(size, REPEAT + 1) for size in SIZES}
    before = load()
    times: dict[int, list[float]] = {size: [] for size in SIZES}
    for n in range(REPEAT + 1):
        order = SIZES if n % 2 == 0 else tuple(reversed(SIZES))
        for size in order:
            services, ids = setups[size]
            elapsed = _close_and_render(services, ids[n])
            if n > 0:  # the first round of each size warms up
                times[size].append(elapsed)
    after = load()
    small, large = (statistics.median(times[size]) for size in SIZES)
    result = {
        "sizes": list(SIZES),
        "median_s": {str(size): statistics.median(times[size]) for size in SIZES},
        "times_s": {str(size): times[size] for size in SIZES},
        "ratio": large / small,
        "pass": large / small <= 12,
        "repeat": REPEAT,
        "load_before": before,
        "load_after": after,
    }
    log(
        f"figure 6: close + summary {small:.2f} s at {SIZES[0]:,} units, {large:.2f} s at "
        f"{SIZES[1]:,} ({result['ratio']:.1f}×)"
    )
    save_result("figure6_close_scaling", result)
    return result


if __name__ == "__main__":
    main()
