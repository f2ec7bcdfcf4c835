"""Documentation of a round for the process support: built from the round's summary,
its activities, follow-ups and evaluation, and rendered as Markdown, HTML or DOCX.

Anonymous rounds: the summary already lists answers per question and pool, without
names or units (see :mod:`bot.domain.anonymity`); the export says so in the document, leaves
out who did not answer (only a count), the unit of each activity, and any chat id.
Nothing in an export is joined to people in an anonymous round.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.chain.documents import (
    Block,
    Bullets,
    ExportDocument,
    Heading,
    Paragraph,
    Quote,
    Table,
)
from bot.domain.collation import sort_key, swedish_sorted
from bot.domain.formats import EXPORT_FORMATS, ExportFormat
from bot.domain.labels import unit_dash_person
from bot.domain.results import ActivityView
from bot.i18n import format_local, t
from bot.services.container import Services
from bot.summary import RoundSummary

EVALUATION_PREFIX = "evaluation:"


@dataclass(frozen=True)
class RoundRecord:
    """Everything the documentation of one round is made of."""

    summary: RoundSummary
    activities: list[ActivityView]
    followups: list[tuple[ActivityView, str, str]]
    evaluation: RoundSummary | None


def evaluation_key(round_id: int) -> str:
    """The external key of the evaluation round that belongs to ``round_id``."""
    return f"{EVALUATION_PREFIX}{round_id}"


def load_round_record(services: Services, workspace: str, round_id: int) -> RoundRecord:
    """Read a round's summary, activities, follow-ups and evaluation."""
    summary = services.queries.summary(workspace, round_id)
    read = services.reports.round_activities(workspace, round_id, evaluation_key(round_id))
    evaluation_id = read.evaluation_round_id
    evaluation = (
        services.queries.summary(workspace, evaluation_id) if evaluation_id is not None else None
    )
    return RoundRecord(summary, read.activities, read.followups, evaluation)


def status_label(status: str, lang: str) -> str:
    """An activity status in the user's language (klar, pågår, ...)."""
    return t(lang, f"chain.status.{status}")


def _row_key(row: tuple[str, ...]) -> tuple[bytes, ...]:
    """A table row's place in Swedish alphabetical order."""
    return tuple(sort_key(cell) for cell in row)


def _owner(a: ActivityView) -> str:
    return a.owner or "–"


def answer_blocks(summary: RoundSummary, first_level: int = 2) -> list[Block]:
    """The branches' syntheses, then answers per question, grouped by level with the
    roll-up counts (a branch only where someone in it answered the question)."""
    lang = summary.round.lang
    out: list[Block] = []
    if summary.syntheses:
        out.append(Heading(first_level, t(lang, "summary.synthesis")))
        several = len({syn.question for syn in summary.syntheses}) > 1
        for syn in summary.syntheses:
            who = f"{syn.unit_name} ({syn.level_name})"
            if syn.person_name:
                who += f" — {syn.person_name}"
            out.append(Heading(first_level + 1 + min(syn.depth, 2), who))
            if several:
                out.append(Paragraph(syn.question, emphasis=True))
            out.append(Quote(syn.text))
    for q in summary.questions:
        out.append(Heading(first_level, f"{q.number}. {q.text}"))
        for pool in q.pools:
            out.append(
                Heading(
                    first_level + 1,
                    t(
                        lang,
                        "anonymity.pool",
                        unit=pool.unit_name,
                        level=pool.level_name,
                        n=pool.respondents,
                    ),
                )
            )
            out.extend(Quote(text) for text in pool.texts)
            if pool.withheld:
                withheld = t(lang, "anonymity.withheld", n=pool.withheld, k=summary.anonymity_k)
                out.append(Paragraph(withheld, emphasis=True))
        for node in q.nodes:
            if node.has_children:
                counts = t(lang, "summary.answered_count", a=node.answered, b=node.total)
                out.append(
                    Heading(
                        first_level + 1 + min(node.depth, 2),
                        f"{node.unit_name} ({node.level_name}) — {counts}",
                    )
                )
            for e in node.entries:
                who = ""
                if e.unit_name:
                    who = e.unit_name + (f" ({e.person_name})" if e.person_name else "")
                if e.status == "answered":
                    if who:
                        out.append(Paragraph("", label=who))
                    out.append(Quote(e.text))
                else:
                    out.append(Paragraph(t(lang, "summary.skipped"), label=who, emphasis=True))
        if not q.answered:
            out.append(Paragraph(t(lang, "summary.no_answers"), emphasis=True))
    return out


def rate_table(summary: RoundSummary) -> Table:
    """Response rates as a nested table: förvaltning → avdelning → enhet, each branch
    with the totals of the units and managers below it (and a total row when the
    round has several top units)."""
    lang = summary.round.lang
    rates = summary.rates
    rows = [
        (
            r.unit_name,
            r.level_name,
            f"{r.responded}/{r.total}",
            f"{r.people_responded}/{r.people}",
        )
        for r in rates
    ]
    depths = [r.depth for r in rates]
    totals = [r.has_children for r in rates]
    tops = [r for r in rates if r.depth == 0]
    if len(tops) > 1:
        rows.append(
            (
                t(lang, "summary.total"),
                "",
                f"{sum(r.responded for r in tops)}/{sum(r.total for r in tops)}",
                f"{summary.responded}/{summary.participants}",
            )
        )
        depths.append(0)
        totals.append(True)
    return Table(
        (
            t(lang, "export.unit"),
            t(lang, "export.level"),
            t(lang, "summary.rate_units"),
            t(lang, "summary.rate_people"),
        ),
        tuple(rows),
        depths=tuple(depths),
        totals=tuple(totals),
    )


def _facts(summary: RoundSummary) -> tuple[tuple[str, str], ...]:
    r = summary.round
    lang = r.lang
    end = r.closed_at or r.deadline_at
    facts = [
        (t(lang, "summary.round"), f"{r.round_id} ({t(lang, 'summary.status.' + r.status)})"),
        (
            t(lang, "summary.template"),
            f"{r.template_name} ({r.template_key} v{r.template_version})",
        ),
        (t(lang, "export.period"), f"{format_local(r.created_at)} – {format_local(end)}"),
        (t(lang, "export.group"), r.group_ref),
        (t(lang, "export.participants"), str(summary.participants)),
        (
            t(lang, "summary.response_rate"),
            t(lang, "summary.of", a=summary.responded, b=summary.participants)
            + f" ({summary.rate_percent} %)",
        ),
    ]
    if r.anonymous:
        facts.append((t(lang, "summary.anonymous"), "✓"))
    return tuple(facts)


def build_round_document(record: RoundRecord, generated_at: str) -> ExportDocument:
    """The documentation of one round (pure)."""
    summary = record.summary
    r = summary.round
    lang = r.lang
    anonymous = r.anonymous
    blocks: list[Block] = []

    if not anonymous and len(summary.rates) > 1:
        blocks.append(Heading(1, t(lang, "export.rates")))
        blocks.append(rate_table(summary))

    blocks.append(Heading(1, t(lang, "export.answers")))
    if anonymous:
        blocks.append(Paragraph(t(lang, "anonymity.explained", k=summary.anonymity_k)))
    blocks.extend(answer_blocks(summary))

    blocks.append(Heading(1, t(lang, "export.activities")))
    if anonymous and r.status != "closed":
        # Until the close, activities of groups below k are still stored with their texts.
        blocks.append(Paragraph(t(lang, "anonymity.activities_after_close"), emphasis=True))
    else:
        blocks.append(_activity_table(record.activities, lang, anonymous))

    if record.followups and anonymous:
        # Each title is a unit's own activity from a named round: listing them (in any
        # order) would tell which units answered this round. Only how many.
        blocks.append(Heading(1, t(lang, "export.followups")))
        blocks.append(Paragraph(t(lang, "export.followups_anonymous", n=len(record.followups))))
    elif record.followups:
        blocks.append(Heading(1, t(lang, "export.followups")))
        header: tuple[str, ...] = (
            t(lang, "export.activity"),
            t(lang, "export.status"),
            t(lang, "export.note"),
        )
        followed = swedish_sorted(record.followups, lambda f: f[0].unit_name)
        rows: list[tuple[str, ...]] = [
            (a.title, status_label(s, lang), note or "–") for a, s, note in followed
        ]
        header = (t(lang, "export.unit"), *header)
        rows = [(a.unit_name, *row) for (a, _, _), row in zip(followed, rows, strict=True)]
        blocks.append(Table(header, tuple(rows)))

    blocks.append(Heading(1, t(lang, "export.evaluation")))
    if record.evaluation is None:
        blocks.append(Paragraph(t(lang, "export.evaluation_none"), emphasis=True))
    else:
        ev = record.evaluation
        blocks.append(
            Paragraph(
                t(lang, "summary.of", a=ev.responded, b=ev.participants)
                + f" ({ev.rate_percent} %)",
                label=t(lang, "summary.response_rate"),
            )
        )
        if ev.anonymous:
            blocks.append(Paragraph(t(lang, "anonymity.explained", k=ev.anonymity_k)))
        blocks.extend(answer_blocks(ev))

    blocks.append(Heading(1, t(lang, "summary.not_answered")))
    if not summary.not_responded:
        blocks.append(Paragraph(t(lang, "summary.none_missing")))
    elif anonymous:
        blocks.append(Paragraph(t(lang, "summary.anonymous_missing", n=summary.not_responded)))
    else:
        blocks.append(
            Bullets(tuple(unit_dash_person(m.unit_name, m.person_name) for m in summary.missing))
        )

    subtitle = r.template_name + (f" — {r.overarching_question}" if r.overarching_question else "")
    return ExportDocument(
        title=t(lang, "export.title", title=r.title),
        subtitle=subtitle,
        generated=t(lang, "export.generated", when=generated_at),
        lang=lang,
        facts=_facts(summary),
        blocks=tuple(blocks),
        filename=f"dialog-{r.round_id}-{r.template_key}",
    )


def _activity_table(activities: list[ActivityView], lang: str, anonymous: bool) -> Block:
    if not activities:
        return Paragraph(t(lang, "chain.activities.none"), emphasis=True)
    header: tuple[str, ...] = (
        t(lang, "export.activity"),
        t(lang, "export.owner"),
        t(lang, "export.status"),
    )
    activities = swedish_sorted(activities, lambda a: a.unit_name)  # each unit's own order kept
    rows = [(a.title, _owner(a), status_label(a.status, lang)) for a in activities]
    if anonymous:
        rows.sort(key=_row_key)
        return Table(header, tuple(rows))
    return Table(
        (t(lang, "export.unit"), *header),
        tuple((a.unit_name, *row) for a, row in zip(activities, rows, strict=True)),
    )


def activity_blocks(activities: list[ActivityView], lang: str) -> list[Block]:
    """A unit's activities as a table with status and comment."""
    if not activities:
        return [Paragraph(t(lang, "chain.activities.none"), emphasis=True)]
    return [
        Table(
            (
                t(lang, "export.activity"),
                t(lang, "export.owner"),
                t(lang, "export.status"),
                t(lang, "export.note"),
                t(lang, "export.date"),
            ),
            tuple(
                (
                    a.title,
                    _owner(a),
                    status_label(a.status, lang),
                    a.status_note or "–",
                    format_local(a.created_at)[:10],
                )
                for a in activities
            ),
        )
    ]


def render(document: ExportDocument, fmt: ExportFormat) -> bytes:
    """Render a document as UTF-8 Markdown or HTML, or as DOCX bytes."""
    if fmt == "docx":
        from bot.chain.export_docx import render_docx

        return render_docx(document)
    if fmt in ("md", "html"):
        from bot.chain.export_jinja import render_text

        return render_text(document, fmt).encode("utf-8")
    raise ValueError(f"unknown export format {fmt!r}; choose one of {', '.join(EXPORT_FORMATS)}")


def export_round(
    services: Services, workspace: str, round_id: int, fmt: ExportFormat
) -> tuple[bytes, str]:
    """The documentation of a round as file content and a file name (for CLI and Slack)."""
    record = load_round_record(services, workspace, round_id)
    document = build_round_document(record, format_local(services.kernel.clock.now()))
    return render(document, fmt), f"{document.filename}.{fmt}"
