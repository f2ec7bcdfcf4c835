"""Figure 4: rendering the summary and the DOCX export for 2,000 participants × 5 questions.

The floor is a bare Jinja2 render of the same answers (already in memory, no roll-up, no
escaping) measured in the same run. Our figure includes loading the round from the
database, building the roll-up and rendering. Peak memory is tracemalloc's peak.
Target: ≤ 3× the bare render.
"""

from __future__ import annotations

import gc
import io
import time
import tracemalloc
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from docx import Document
from jinja2 import Environment, PackageLoader
from sqlalchemy import insert, select

from bench.orgs import build_org
from bench.sql_per_answer import fresh_database
from bot.chain.export import export_round
from bot.domain.commands import StartRound
from bot.i18n import format_local, t
from bot.org_tree import OrgTree
from bot.services.container import build_services
from bot.summary import Format, build_summary, render_summary
from bot.templates import TemplateCatalog
from storage.db import make_session_factory
from storage.models import Answer, Participation

PARTICIPANTS = 2_000
BARE = Environment().from_string(
    "{% for q in questions %}## {{ q.text }}\n"
    "{% for a in q.answers %}- {{ a.unit }} ({{ a.person }}): {{ a.text }}\n{% endfor %}{% endfor %}"
)


def timed(fn: Callable[[], Any], repeat: int = 3) -> tuple[float, int, Any]:
    """Best wall time of ``repeat`` runs, tracemalloc peak of the last, and its result.

    Like :mod:`timeit`, the garbage collector is off while timing (for floor and ours alike),
    so a collection of unrelated objects does not land in one side's figure.
    """
    best = float("inf")
    result: Any = None
    peak = 0
    for i in range(repeat):
        if i == repeat - 1:
            tracemalloc.start()
        gc.collect()
        gc.disable()
        try:
            start = time.perf_counter()
            result = fn()
            best = min(best, time.perf_counter() - start)
        finally:
            gc.enable()
        if i == repeat - 1:
            peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
    return best, peak, result


def main() -> dict[str, float]:
    """Print and return the timings and ratios."""
    db = fresh_database(None)
    factory = make_session_factory(db)
    build_org(factory, "bench", PARTICIPANTS)
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
    summary = services.queries.summary("bench", started.round.round_id)
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
    round_id = started.round.round_id
    with services.kernel.unit_of_work("bench") as uow:
        round_ = uow.repo.round(round_id)
        assert round_ is not None
        participations = uow.repo.participations(round_id)
        tree = OrgTree(uow.repo.units())
        levels = {lv.key: lv.name for lv in uow.repo.levels()}
        info = services.queries.round_info("bench", round_id)

        def build_and_render(fmt: Format) -> str:
            return render_summary(build_summary(info, template, participations, tree, levels), fmt)

        bare_s, bare_peak, _ = timed(lambda: BARE.render(**data), 5)
        prebuilt = build_summary(info, template, participations, tree, levels)
        same_template = bare_environment().get_template("summary.md.j2")
        same_s, _, _ = timed(
            lambda: same_template.render(s=prebuilt, r=prebuilt.round, lang=prebuilt.round.lang), 5
        )
        md_s, md_peak, text = timed(lambda: build_and_render("md"), 5)
        mrkdwn_s, _, _ = timed(lambda: build_and_render("mrkdwn"), 5)
    load_s, _, _ = timed(lambda: services.queries.summary("bench", round_id))
    bare_docx_s, _, _ = timed(lambda: bare_docx(data), 1)
    docx_s, docx_peak, (content, _name) = timed(
        lambda: export_round(services, "bench", round_id, "docx"), 2
    )
    db.dispose()
    rows = {
        "bare_jinja_s": bare_s,
        "summary_md_s": md_s,
        "summary_mrkdwn_s": mrkdwn_s,
        "load_and_build_s": load_s,
        "docx_s": docx_s,
        "bare_docx_s": bare_docx_s,
        "same_template_bare_s": same_s,
        "ratio_md": md_s / bare_s,
        "ratio_md_vs_same_template": md_s / same_s,
        "ratio_mrkdwn": mrkdwn_s / bare_s,
        "ratio_docx_vs_jinja": docx_s / bare_s,
        "ratio_docx_vs_bare_docx": docx_s / bare_docx_s,
        "peak_md_mb": md_peak / 1e6,
        "peak_docx_mb": docx_peak / 1e6,
        "bare_peak_mb": bare_peak / 1e6,
        "md_chars": float(len(text)),
        "docx_bytes": float(len(content)),
    }
    print(f"  bare Jinja2 render (floor): {bare_s * 1000:8.1f} ms, peak {bare_peak / 1e6:6.1f} MB")
    print(
        f"  summary md (roll-up + escaped render): {md_s * 1000:8.1f} ms = {rows['ratio_md']:.2f}× floor,"
        f" peak {rows['peak_md_mb']:.1f} MB"
    )
    print(f"  summary mrkdwn: {mrkdwn_s * 1000:8.1f} ms = {rows['ratio_mrkdwn']:.2f}× floor")
    print(
        f"  the same summary.md.j2 in bare Jinja2 (no escaping, roll-up prebuilt): {same_s * 1000:8.1f} ms;"
        f" ours = {rows['ratio_md_vs_same_template']:.2f}× that"
    )
    print(f"  loading the round from the database + roll-up: {load_s * 1000:8.1f} ms")
    print(f"  bare python-docx (one add_paragraph per answer): {bare_docx_s * 1000:8.1f} ms")
    print(
        f"  DOCX export (load + document + styles): {docx_s * 1000:8.1f} ms ="
        f" {rows['ratio_docx_vs_jinja']:.1f}× the Jinja2 floor, {rows['ratio_docx_vs_bare_docx']:.2f}× bare"
        f" python-docx, peak {rows['peak_docx_mb']:.1f} MB, {len(content) / 1e6:.2f} MB file"
    )
    return rows


def bare_environment() -> Environment:
    """Our summary templates in plain Jinja2: no escaping finalize, plain helpers."""
    env = Environment(
        loader=PackageLoader("dialog_templates", "summaries"),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["quote"] = lambda text: "\n".join("> " + line for line in str(text).splitlines())
    env.filters["local"] = format_local
    env.globals["t"] = lambda key, lang, **kw: t(lang, key, **kw)
    env.globals["indent"] = lambda depth: "  " * depth
    env.globals["heading"] = lambda level: "#" * level
    env.globals["nest"] = lambda depth: "\u2003\u2003" * depth
    env.filters["trusted"] = str
    return env


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
