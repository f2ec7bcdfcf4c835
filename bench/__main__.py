"""``python -m bench [PART …]``: run the figures and fault drills and write BENCHMARKS.md.

Parts: ``figure1`` … ``figure7``, ``drills`` (all eight) or one drill by name
(``drill_retries``, ``drill_kill9``, ``drill_replicas``, ``drill_slack_outage``,
``drill_pg_restart``, ``drill_crash_after_ack``, ``drill_form_outage``,
``drill_backup_restore``), and ``report`` (only re-render BENCHMARKS.md from the saved
results). Without arguments everything runs (about 25 minutes on 2 cores).

Needs PostgreSQL: ``$DIALOGBOT_BENCH_DATABASE_URL`` (default
``postgresql://postgres@127.0.0.1:5432/test``); every part creates a database of its own
and drops it afterwards. Each name is recorded before it is created, and only recorded
names are ever dropped (leftovers of an interrupted run at the next start).
"""

from __future__ import annotations

import os
import sys
import traceback
from collections.abc import Callable
from typing import Any

from bench import ack_latency, drills, fanout, footprint, report, sql_per_slack_answer
from bench.harness import admin_url, drop_leftover_databases, log, save_result


def _figure3() -> dict[str, Any]:
    from bench import sql_per_answer

    os.environ.setdefault("DIALOGBOT_BENCH_DATABASE_URL", admin_url())
    try:
        rows = sql_per_answer.main()
    finally:
        _drop_lead_schemas()
    values = [per for _, per in rows]
    save_result(
        "figure3_sql_per_answer",
        {
            "rows": [[size, per] for size, per in rows],
            "pass": max(values) - min(values) < 0.5 and max(values) <= 8,
        },
    )
    return sql_per_slack_answer.main()


def _drop_lead_schemas() -> None:
    """``sql_per_answer.fresh_database`` leaves its schemas until exit; drop the ones this
    run recorded (and only those) now."""
    drop_leftover_databases()


def _figure4() -> dict[str, Any]:
    from bench import summary_render

    rows = summary_render.main()
    ratios = [rows["ratio_md"], rows["ratio_mrkdwn"], rows["ratio_docx"]]
    result = {"rows": rows, "pass": max(ratios) <= 3}
    save_result("figure4_summary_render", result)
    return result


def _figure6() -> dict[str, Any]:
    from bench import close_scaling

    return close_scaling.main()


def _drills() -> dict[str, Any]:
    return dict(drills.main())


def _figure7() -> dict[str, Any]:
    from bench import teams_fanout

    return teams_fanout.main()


PARTS: dict[str, Callable[[], Any]] = {
    "figure1": ack_latency.main,
    "figure2": fanout.main,
    "figure3": _figure3,
    "figure4": _figure4,
    "figure5": footprint.main,
    "figure6": _figure6,
    "figure7": _figure7,
    "drills": _drills,
}


def _run(name: str) -> bool:
    log(f"== {name}")
    try:
        if name in PARTS:
            PARTS[name]()
        else:
            drills.main([name])
        return True
    except Exception:
        log(f"{name} failed:\n{traceback.format_exc()}")
        save_result(f"error_{name}", {"traceback": traceback.format_exc()})
        return False


def main(argv: list[str]) -> int:
    """Run the parts named in ``argv`` (all by default) and write BENCHMARKS.md."""
    names = [a for a in argv if a != "report"]
    unknown = [n for n in names if n not in PARTS and n not in drills.DRILLS]
    if unknown:
        print(__doc__)
        print(f"unknown part(s): {', '.join(unknown)}", file=sys.stderr)
        return 2
    if not argv:
        names = list(PARTS)
    if names:
        drop_leftover_databases()
    ok = all([_run(name) for name in names])
    path = report.write()
    log(f"wrote {path}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
