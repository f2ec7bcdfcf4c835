"""The yearly report of one unit, and the activity list a unit can ask for."""

from __future__ import annotations

import io
import itertools
from datetime import UTC, datetime

import pytest
from docx import Document

from bot.chain.errors import NoRoundsForReport
from bot.chain.report import build_unit_report, export_unit_report
from bot.clock import FixedClock
from bot.domain.commands import StartRound
from bot.services.container import Services

WS = "local"
ANNA = "U0ENHHTN"
_keys = itertools.count()


def dialog(services: Services, template: str, texts: list[str], anonymous: bool = False) -> int:
    started = services.rounds.start_round(
        WS,
        StartRound(template, ["hemtjanst-norr"], "#g", subtrees=False, anonymous=anonymous),
    )
    pid = started.participants[0][0].participation_id
    prompt = started.participants[0][1]
    while prompt.followup is not None:
        next_prompt = services.answering.reply(
            WS, pid, "pågår – budget saknas", f"k{next(_keys)}"
        ).prompt
        assert next_prompt is not None
        prompt = next_prompt
    for text in texts:
        services.answering.reply(WS, pid, text, f"k{next(_keys)}")
    services.rounds.close_round(WS, started.round.round_id)
    return started.round.round_id


def test_the_yearly_report_puts_the_years_dialogs_side_by_side(
    services: Services, clock: FixedClock
) -> None:
    clock.set(datetime(2027, 3, 1, 8, tzinfo=UTC))
    dialog(
        services,
        "planering",
        ["Uppdrag", "Nuläge", "Ram 42 mnkr", "- Ny bemanningsplan", "Kvalitet"],
    )
    clock.set(datetime(2027, 5, 3, 7, tzinfo=UTC))
    dialog(services, "avstamning", ["Sjukfrånvaron 8 %", "Analys T1", "- Hälsosamtal"])
    clock.set(datetime(2027, 9, 6, 7, tzinfo=UTC))
    dialog(services, "avstamning", ["Hemligt svar", "Analys T2"], anonymous=True)
    clock.set(datetime(2028, 2, 7, 8, tzinfo=UTC))
    dialog(services, "resultat", ["Utfall 2027 i balans"])

    document = build_unit_report(services, WS, "Hemtjänst Norr", 2027)
    assert document.title == "Årsrapport 2027: Hemtjänst Norr"
    content = export_unit_report(services, WS, "hemtjanst-norr", 2027, "docx")[0]
    doc = Document(io.BytesIO(content))
    overview, side_by_side, activities, counts = doc.tables
    assert [c.text for c in overview.columns[0].cells] == [
        "Mall", "Planeringsdialog", "Avstämningsdialog", "Avstämningsdialog",
    ]  # fmt: skip
    columns = [cell.text for cell in side_by_side.rows[0].cells]
    # planering and the named avstämning; the anonymous one is only listed (no empty
    # column), and resultat 2028 is next year's
    assert len(columns) == 2
    assert "Ram 42 mnkr" in columns[0] and "Sjukfrånvaron 8 %" in columns[1]
    assert [c.text for c in overview.rows[3].cells][-1] == "Anonym runda"
    assert "Hemligt svar" not in content.decode("latin-1")
    rows = [[c.text for c in row.cells] for row in activities.rows[1:]]
    assert [(r[0], r[2], r[3]) for r in rows] == [
        ("Ny bemanningsplan", "pågår", "budget saknas"),
        ("Hälsosamtal", "pågår", "budget saknas"),
    ]
    # Counted as they were at the end of 2027: the anonymous round in September followed
    # Hälsosamtal up too (privately; its documentation only counts the follow-ups), so
    # both were ongoing.
    assert [[c.text for c in row.cells] for row in counts.rows] == [
        ["Enhet", "planerade", "pågår", "klara", "stoppade", "totalt"],
        ["Hemtjänst Norr", "0", "2", "0", "0", "2"],
    ]
    html = export_unit_report(services, WS, "hemtjanst-norr", 2027, "html")[0].decode()
    assert html.count('<section class="column">') == 2
    assert (
        "Utfall 2027 i balans"
        in export_unit_report(services, WS, "hemtjanst-norr", 2028, "md")[0].decode()
    )
    with pytest.raises(NoRoundsForReport):
        build_unit_report(services, WS, "hemtjanst-norr", 2026)
