"""Figure 4: rendering the summary and the DOCX export for 2,000 participants × 5 questions.

The floor is a flat Jinja2 template writing the same 10,000 answers from the same prebuilt
summary (the dataclasses, not dicts), without escaping. *Ours* renders that prebuilt
summary with every text escaped for the format (Markdown, Slack mrkdwn), and writes the
DOCX from the prebuilt export document (the round's documentation). Floor and ours run
interleaved in one loop after a warm-up; each time is the median of 9 repetitions and each
ratio the median of the 9 ratios within a repetition
(:mod:`bench.timing`). For context: loading the round and building the roll-up, the whole
DOCX export (load, document, file), and the naive python-docx way of writing the answers.
Peak memory is tracemalloc's peak. Target: ≤ 3× the floor.
"""

from __future__ import annotations

import io
import statistics
import time
import tracemalloc
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from docx import Document
from jinja2 import Environment
from sqlalchemy import Engine, insert, select

from bench.orgs import build_org
from bench.sql_per_answer import fresh_database
from bench.timing import interleaved, load
from bot.chain.export import build_round_document, export_round, load_round_record
from bot.chain.export_docx import render_docx
from bot.domain.commands import StartRound
from bot.domain.templates import TemplateCatalog
from bot.i18n import format_local
from bot.services.container import Services, build_services
from bot.summary import render_summary
from storage.db import make_session_factory
from storage.models import Answer, Participation

PARTICIPANTS = 2_000
REPEAT = 9
FLAT = Environment().from_string(
    "{% for q in s.questions %}## {{ q.text }}\n{% for n in q.nodes %}{% for e in n.entries %}"
    "- {{ e.unit_name }} ({{ e.person_name }}): {{ e.text }}\n"
    "{% endfor %}{% endfor %}{% endfor %}"
)


def _paired(floor: list[float], ours: list[float]) -> float:
    return statistics.median(o / f for f, o in zip(floor, ours, strict=True))


def peak_mb(fn: Callable[[], Any]) -> float:
    """tracemalloc's peak while ``fn`` runs, in MB."""
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1] / 1e6
    finally:
        tracemalloc.stop()


def seed(participants: int = PARTICIPANTS) -> tuple[Services, int, Engine]:
    """A SQLite database with a round of ``participants`` who answered all 5 questions."""
    db = fresh_database(None)
    factory = make_session_factory(db)
    build_org(factory, "bench", participants)
    services = build_services(factory, TemplateCatalog.load())
    started = services.rounds.start_round(
        "bench", StartRound("planering", ["forv"], "#bench", level="enhet", started_by="UPROC")
    )
    template = services.kernel.catalog.get("planering")
    now = datetime.now(UTC)
    with factory() as session:
        pids = list(
            session.scalars(
                select(Participation.id).where(Participation.round_id == started.round.round_id)
            )
        )
        session.execute(
            insert(Answer),
            [
                {
                    "workspace_id": "bench",
                    "participation_id": pid,
                    "question_key": q.key,
                    "text": f"Svar från enhet {pid} på {q.key}: " + "ord " * 40,
                    "status": "answered",
                    "source_ref": f"b:{pid}:{q.key}",
                    "revision": 1,
                    "updated_at": now,
                }
                for pid in pids
                for q in template.questions
            ],
        )
        session.commit()
    return services, started.round.round_id, db


def main() -> dict[str, Any]:
    """Print and return the timings and ratios."""
    services, round_id, db = seed()
    summary = services.queries.summary("bench", round_id)
    record = load_round_record(services, "bench", round_id)
    document = build_round_document(record, format_local(services.kernel.clock.now()))
    data = {
        "questions": [
            {
                "text": q.text,
                "answers": [
                    {"unit": e.unit_name, "person": e.person_name, "text": e.text}
                    for n in q.nodes
                    for e in n.entries
                ],
            }
            for q in summary.questions
        ]
    }
    started = time.perf_counter()
    render_docx(document)  # builds and caches the template (once per process and language)
    first_docx_s = time.perf_counter() - started
    before = load()
    timed = interleaved(
        {
            "floor": lambda: FLAT.render(s=summary),
            "md": lambda: render_summary(summary, "md"),
            "mrkdwn": lambda: render_summary(summary, "mrkdwn"),
            "docx": lambda: render_docx(document),
        },
        repeat=REPEAT,
    )
    after = load()
    context = interleaved(
        {
            "load_and_build": lambda: services.queries.summary("bench", round_id),
            "docx_export": lambda: export_round(services, "bench", round_id, "docx"),
        },
        repeat=3,
    )
    bare_docx_s = interleaved({"bare_docx": lambda: bare_docx(data)}, repeat=1, warmup=0)
    db.dispose()
    floor_s = timed["floor"]["median_s"]
    floor_text = timed["floor"]["result"]
    rows: dict[str, Any] = {
        "floor_s": floor_s,
        "summary_md_s": timed["md"]["median_s"],
        "summary_mrkdwn_s": timed["mrkdwn"]["median_s"],
        "docx_s": timed["docx"]["median_s"],
        # The median of the ratios within each repetition (floor and ours run back to
        # back): steadier than a ratio of medians while the machine's load drifts.
        **{
            f"ratio_{key}": _paired(timed["floor"]["times_s"], timed[key]["times_s"])
            for key in ("md", "mrkdwn", "docx")
        },
        **{
            f"ratio_of_medians_{key}": timed[key]["median_s"] / floor_s
            for key in ("md", "mrkdwn", "docx")
        },
        "times_s": {name: c["times_s"] for name, c in timed.items()},
        "first_docx_s": first_docx_s,
        "load_and_build_s": context["load_and_build"]["median_s"],
        "docx_export_s": context["docx_export"]["median_s"],
        "bare_docx_s": bare_docx_s["bare_docx"]["median_s"],
        "peak_md_mb": peak_mb(lambda: render_summary(summary, "md")),
        "peak_docx_mb": peak_mb(lambda: render_docx(document)),
        "peak_floor_mb": peak_mb(lambda: FLAT.render(s=summary)),
        "floor_chars": float(len(floor_text)),
        "md_chars": float(len(timed["md"]["result"])),
        "docx_bytes": float(len(timed["docx"]["result"])),
        "answers": float(sum(len(n.entries) for q in summary.questions for n in q.nodes)),
        "repeat": REPEAT,
        "load_before": before,
        "load_after": after,
    }
    print(f"  flat Jinja2 floor: {floor_s * 1000:8.1f} ms (median of {REPEAT}, interleaved)")
    for key, label in (("md", "summary md"), ("mrkdwn", "summary mrkdwn"), ("docx", "DOCX")):
        print(
            f"  {label}: {timed[key]['median_s'] * 1000:8.1f} ms = "
            f"{rows['ratio_' + key]:.2f}× the floor"
        )
    print(
        f"  load + roll-up {rows['load_and_build_s'] * 1000:.1f} ms; whole DOCX export "
        f"{rows['docx_export_s'] * 1000:.1f} ms; naive python-docx {rows['bare_docx_s'] * 1000:.1f} ms;"
        f" first DOCX (template built) {first_docx_s * 1000:.1f} ms; load {before} → {after}"
    )
    return rows


def bare_docx(data: dict[str, Any]) -> bytes:
    """The naive python-docx way to write the same answers: the floor for the DOCX export."""
    doc = Document()
    for q in data["questions"]:
        doc.add_heading(q["text"], level=2)
        for a in q["answers"]:
            doc.add_paragraph(f"{a['unit']} ({a['person']}): {a['text']}")
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


if __name__ == "__main__":
    main()
