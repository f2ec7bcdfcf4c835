"""The yearly report of one unit: its dialogs of a calendar year side by side.

Every round the unit took part in that was started in the year (local time) is listed,
and each round the unit answered becomes a column with its answers — planering,
avstämningar, resultat and any other dialog, oldest first — followed by the unit's
activities and their status. Answers of anonymous rounds are not shown per unit (only
that the round took place); evaluations and rounds without an answer get no column.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot.chain.documents import (
    Block,
    Column,
    Columns,
    ExportDocument,
    Heading,
    Paragraph,
    Quote,
    Table,
)
from bot.chain.export import EVALUATION_PREFIX, activity_blocks, render
from bot.chain.report_counts import activity_count_blocks
from bot.domain.formats import ExportFormat
from bot.i18n import DEFAULT_TZ, format_local, t
from bot.services.container import Services
from bot.services.reports import ReportRound


def build_unit_report(
    services: Services,
    workspace: str,
    unit: str,
    year: int,
    lang: str = "sv",
    tz: str = DEFAULT_TZ,
) -> ExportDocument:
    """The report for ``unit`` (key or name) and calendar ``year``.

    Raises:
        UnknownUnit: If ``unit`` matches no unit.
        NoRoundsForReport: If the unit took part in no round that year.
    """
    zone = ZoneInfo(tz)
    start = datetime(year, 1, 1, tzinfo=zone)
    end = datetime(year + 1, 1, 1, tzinfo=zone)
    found = services.reports.unit_year(workspace, unit, year, tz)
    overview: list[tuple[str, ...]] = []
    columns: list[Column] = []
    for round_ in found.rounds:
        template = round_.template
        name = template.name.get(lang)
        when = format_local(round_.created_at, lang, tz)[:10]
        questions = template.questions_for(found.level_key)
        answered = {key for key, _ in round_.answers}
        overview.append(
            (
                name,
                round_.title,
                when,
                t(lang, f"summary.status.{round_.status}"),
                t(lang, "summary.anonymous")
                if round_.anonymous
                else f"{len(answered)}/{len(questions)}",
            )
        )
        if not _has_column(round_, answered):
            continue
        blocks: list[Block] = [Paragraph(round_.title, emphasis=True)]
        for number, q in enumerate(questions, 1):
            blocks.append(Heading(2, f"{number}. {q.text.get(lang)}"))
            texts = [text for key, text in round_.answers if key == q.key]
            blocks.extend(Quote(text) for text in texts)
            if not texts:
                blocks.append(Paragraph(t(lang, "export.no_answer"), emphasis=True))
        columns.append(Column(f"{name} {when}", tuple(blocks)))

    activities = [
        a
        for a in found.activities
        if a.created_at < end and (a.created_at >= start or a.updated_at >= start)
    ]
    unit_name, unit_key = found.unit_name, found.unit_key

    body: list[Block] = [
        Paragraph(t(lang, "export.report_intro", year=year)),
        Heading(1, t(lang, "export.dialogs")),
        Table(
            (
                t(lang, "summary.template"),
                t(lang, "summary.round"),
                t(lang, "export.date"),
                t(lang, "export.status"),
                t(lang, "export.answered"),
            ),
            tuple(overview),
        ),
        Columns(tuple(columns)),
        Heading(1, t(lang, "export.activities")),
        *activity_blocks(activities, lang),
        Heading(2, t(lang, "history.activities.heading")),
        *activity_count_blocks(services, workspace, unit_key, year, lang, tz),
    ]
    return ExportDocument(
        title=t(lang, "export.report_title", year=year, unit=unit_name),
        subtitle=unit_name,
        generated=t(
            lang, "export.generated", when=format_local(services.kernel.clock.now(), lang, tz)
        ),
        lang=lang,
        blocks=tuple(body),
        filename=f"arsrapport-{year}-{unit_key}",
    )


def _has_column(round_: ReportRound, answered: set[str]) -> bool:
    """Whether a round gets a column of answers: not when the unit answered nothing, nor
    for an evaluation of another round or an anonymous round (both only listed)."""
    evaluation = (round_.external_key or "").startswith(EVALUATION_PREFIX)
    return bool(answered) and not evaluation and not round_.anonymous


def export_unit_report(
    services: Services,
    workspace: str,
    unit: str,
    year: int,
    fmt: ExportFormat,
    lang: str = "sv",
    tz: str = DEFAULT_TZ,
) -> tuple[bytes, str]:
    """The yearly report as file content and a file name (for CLI and Slack)."""
    document = build_unit_report(services, workspace, unit, year, lang, tz)
    return render(document, fmt), f"{document.filename}.{fmt}"
