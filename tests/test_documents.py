"""Summaries and exports as a reader sees them: the hierarchy without empty headings,
nested response rates, the branches' own syntheses, Slack Block Kit, an A4 Word file
in Swedish with named styles, and printable HTML."""

from __future__ import annotations

import io
import itertools
import re
import zipfile
from datetime import UTC, datetime

import pytest
from docx import Document
from sqlalchemy import Engine
from support.sample import load_sample_org

from bot.chain.context import render_context_mrkdwn, render_context_text
from bot.chain.documents import Heading, Table
from bot.chain.docx_styles import TOC_MIN_HEADINGS
from bot.chain.evaluation import send_evaluation
from bot.chain.export import build_round_document, export_round, load_round_record
from bot.chain.report import export_unit_report
from bot.clock import FixedClock
from bot.domain.commands import StartRound
from bot.domain.formats import FORMATS
from bot.domain.results import ContextItem, QuestionPrompt
from bot.domain.templates import DialogTemplate, TemplateCatalog, TemplateError, parse_template
from bot.services.container import Services, build_services
from bot.slack.blocks import MAX_MESSAGE_BLOCKS, MAX_SECTION_TEXT, summary_messages
from bot.summary import render_summary
from storage.db import make_session_factory

WS = "local"
_keys = itertools.count()
EMPTY_BRANCH = "Individ- och familjeomsorg (Avdelning) — 0/2"


def _key() -> str:
    return f"doc-{next(_keys)}"


def _answer(services: Services, pid: int, texts: list[str | None]) -> None:
    """Answer the questions in order (None skips), past any follow-up of activities."""
    prompt = services.queries.current_prompt(WS, pid)
    while prompt is not None and prompt.followup is not None:
        prompt = services.answering.reply(WS, pid, "pågår", _key()).prompt
    for text in texts:
        if text is None:
            services.answering.skip(WS, pid, _key())
        else:
            services.answering.reply(WS, pid, text, _key())


def social_round(services: Services, answer_size: int = 1) -> int:
    """Socialförvaltningen's enheter: only Äldreomsorg's answer; IFO's two do not."""
    started = services.rounds.start_round(
        WS,
        StartRound(
            "avstamning",
            ["Socialförvaltningen"],
            "#ledning",
            level="enhet",
            started_by="U0PROC01",
            title="Avstämning T1 2027",
        ),
    )
    pids = {p.chat_id: p.participation_id for p, _ in started.participants}
    filler = " ord" * answer_size
    _answer(services, pids["U0ENHHTN"], ["Budget i balans." + filler, "Vakanser." + filler])
    _answer(services, pids["U0ENHHTS"], ["Personalbrist." + filler])
    services.rounds.close_round(WS, started.round.round_id)
    return started.round.round_id


# No empty headings ------------------------------------------------------------------


def test_a_branch_appears_only_under_questions_someone_in_it_answered(
    services: Services,
) -> None:
    round_id = social_round(services)
    summary = services.queries.summary(WS, round_id)
    for fmt in FORMATS:
        text = render_summary(summary, fmt)
        body = text.replace("Barn och unga", "").replace("Försörjningsstöd", "")
        # IFO is named in the rate table and nowhere under the questions
        assert body.count("Individ- och familjeomsorg") <= 1, fmt
        assert "0/2 svarat" not in text, fmt
    md = render_summary(summary, "md")
    assert "#### Äldreomsorg (Avdelning) — 2/3 svarat" in md
    assert "#### Äldreomsorg (Avdelning) — 1/3 svarat" in md  # question 2: only Anna
    # the non-respondents in one place, at the end
    missing = md.split("## Ej svarat")[1]
    for name in ("Cecilia Öberg", "David Lund", "Elin Karlsson"):
        assert md.count(name) == 1 and name in missing
    html = export_round(services, WS, round_id, "html")[0].decode()
    assert EMPTY_BRANCH not in html and "0/2 svarat" not in html


# Response rates as a tree -----------------------------------------------------------


def test_the_rate_table_nests_förvaltning_avdelning_enhet_with_totals(
    services: Services,
) -> None:
    round_id = social_round(services)
    document = build_round_document(load_round_record(services, WS, round_id), "nu")
    table = next(b for b in document.blocks if isinstance(b, Table))
    rows = {
        row[0]: (row[1:], table.depth(i), table.is_total(i)) for i, row in enumerate(table.rows)
    }
    assert table.header == ("Enhet", "Nivå", "Enheter som svarat", "Chefer som svarat")
    assert rows["Socialförvaltningen"] == (("Förvaltning", "2/5", "2/5"), 0, True)
    assert rows["Äldreomsorg"] == (("Avdelning", "2/3", "2/3"), 1, True)
    assert rows["Individ- och familjeomsorg"] == (("Avdelning", "0/2", "0/2"), 1, True)
    assert rows["Hemtjänst Norr"] == (("Enhet", "1/1", "1/1"), 2, False)
    names = [row[0] for row in table.rows]
    assert names.index("Individ- och familjeomsorg") < names.index("Barn och unga")
    assert names.index("Barn och unga") < names.index("Äldreomsorg")  # Swedish order: Ä last
    assert names.index("Äldreomsorg") < names.index("Hemtjänst Norr")

    md = export_round(services, WS, round_id, "md")[0].decode()
    assert "| \u2003\u2003\u2003\u2003Hemtjänst Norr | Enhet | 1/1 | 1/1 |" in md
    assert "| \u2003\u2003**Äldreomsorg** | **Avdelning** | **2/3** | **2/3** |" in md
    html = export_round(services, WS, round_id, "html")[0].decode()
    assert '<tr class="depth-2"><td>Hemtjänst Norr</td>' in html
    assert '<tr class="depth-1 total"><td>Äldreomsorg</td>' in html
    doc = Document(io.BytesIO(export_round(services, WS, round_id, "docx")[0]))
    rate_rows = {
        row.cells[0].text: row.cells[0].paragraphs[0].style.name for row in doc.tables[1].rows
    }
    assert rate_rows["Hemtjänst Norr"] == "Dialogbot Table Level 2"
    assert rate_rows["Äldreomsorg"] == "Dialogbot Table Level 1"
    summary_md = render_summary(services.queries.summary(WS, round_id), "md")
    assert "| \u2003\u2003**Äldreomsorg** | Avdelning | 2/3 | 2/3 |" in summary_md


# The branches' own synthesis --------------------------------------------------------

HELHET = {
    "key": "helhet",
    "version": 1,
    "phase": "avstamning",
    "name": {"sv": "Avstämning med helhet"},
    "questions": [
        {"key": "hur_gar_det", "text": {"sv": "Hur går det?"}},
        {
            "key": "helheten",
            "text": {"sv": "Vad säger helheten?"},
            "level": "avdelning",
            "synthesis": True,
        },
    ],
}


def test_a_synthesis_question_needs_a_level() -> None:
    broken = {**HELHET, "questions": [{"key": "x", "text": {"sv": "X?"}, "synthesis": True}]}
    with pytest.raises(TemplateError, match="synthesis: true needs a level"):
        parse_template(broken, "helhet.yaml")


def test_the_branch_synthesis_is_shown_above_the_enheters_answers(
    db: Engine, catalog: TemplateCatalog, clock: FixedClock
) -> None:
    helhet: DialogTemplate = parse_template(HELHET, "helhet.yaml")
    services = build_services(
        make_session_factory(db), TemplateCatalog({**catalog.templates, "helhet": helhet}), clock
    )
    load_sample_org(services)
    started = services.rounds.start_round(
        WS, StartRound("helhet", ["Äldreomsorg"], "#aldreomsorg", started_by="U0PROC01")
    )
    pids = {p.chat_id: p.participation_id for p, _ in started.participants}
    _answer(services, pids["U0ENHHTN"], ["Kontinuiteten ökar."])
    _answer(services, pids["U0ENHHTS"], ["Tre vakanser."])
    _answer(services, pids["U0AVDAEL"], ["Helheten: bemanningen är vår gemensamma fråga."])
    summary = services.queries.summary(WS, started.round.round_id)

    assert [q.text for q in summary.questions] == ["Hur går det?"]
    md = render_summary(summary, "md")
    synthesis = md.index("## Vad säger helheten?")
    assert synthesis < md.index("Helheten: bemanningen") < md.index("## 1. Hur går det?")
    assert md.index("Helheten: bemanningen") < md.index("Kontinuiteten ökar.")
    assert "### Äldreomsorg (Avdelning) — Eva Nyström" in md
    mrkdwn = render_summary(summary, "mrkdwn")
    assert mrkdwn.index("*Vad säger helheten?*") < mrkdwn.index("*1. Hur går det?*")
    html = export_round(services, WS, started.round.round_id, "html")[0].decode()
    assert html.index("Vad säger helheten?") < html.index("Helheten: bemanningen")
    assert html.index("Helheten: bemanningen") < html.index("Kontinuiteten ökar.")


# Context snippets -------------------------------------------------------------------


def test_each_earlier_question_is_named_once_above_its_answers() -> None:
    def item(template: str, question: str, title: str, month: int) -> ContextItem:
        return ContextItem(
            template, question, f"Svar i {title}", title, datetime(2027, month, 2, 9, tzinfo=UTC)
        )

    prompt = QuestionPrompt(
        1,
        9,
        1,
        4,
        "utvecklingsmal_utfall",
        "Hur blev det?",
        None,
        None,
        "sv",
        (
            item("Planeringsdialog", "Vilka är våra mål?", "Planering 2027", 1),
            item("Avstämningsdialog", "Vilka aktiviteter?", "Tertial 1", 5),
            item("Avstämningsdialog", "Vilka aktiviteter?", "Tertial 2", 9),
        ),
    )
    for rendered in (render_context_mrkdwn(prompt), render_context_text(prompt)):
        assert rendered.count("Vilka aktiviteter?") == 1
        assert rendered.count("Vilka är våra mål?") == 1
        assert "Från Avstämningsdialog: «Vilka aktiviteter?»" in rendered
        assert rendered.index("«Vilka aktiviteter?»") < rendered.index("Tertial 1, 2027-05-02")
        assert rendered.index("Tertial 1") < rendered.index("Svar i Tertial 1")
        assert rendered.index("Svar i Tertial 1") < rendered.index("Tertial 2, 2027-09-02")


# Slack Block Kit ---------------------------------------------------------------------


def test_slack_summary_has_a_header_dividers_and_the_missing_in_context(
    services: Services,
) -> None:
    messages = summary_messages(services.queries.summary(WS, social_round(services)))
    assert messages is not None and len(messages) == 1
    blocks = messages[0].blocks or []
    assert blocks[0] == {
        "type": "header",
        "text": {"type": "plain_text", "text": "Sammanfattning: Avstämning T1 2027"},
    }
    kinds = [b["type"] for b in blocks]
    assert kinds.count("divider") == 4  # before each of 3 questions and the missing
    questions = [b["text"]["text"] for b in blocks if b["type"] == "section"]
    assert [q.split("\n")[0] for q in questions[-3:]] == [
        "*1. Hur går det?*",
        "*2. Varför är vi där vi är? (analys)*",
        "*3. Vilka är våra vidare aktiviteter?*",
    ]
    assert blocks[-1]["type"] == "context" and blocks[-2]["type"] == "divider"
    missing = blocks[-1]["elements"][0]["text"]
    assert missing.startswith("*Ej svarat:*") and "Elin Karlsson" in missing


def test_a_long_slack_summary_keeps_every_message_within_block_kit_limits(
    services: Services,
) -> None:
    messages = summary_messages(
        services.queries.summary(WS, social_round(services, answer_size=13_000))
    )
    assert messages is not None and len(messages) >= 2
    first = messages[0].blocks or []
    assert first[0]["type"] == "header"
    for n, message in enumerate(messages, start=1):
        blocks = message.blocks or []
        assert len(blocks) <= MAX_MESSAGE_BLOCKS
        assert blocks[0]["type"] != "divider"
        for block in blocks:
            texts = [block["text"]["text"]] if "text" in block else []
            texts += [e["text"] for e in block.get("elements", [])]
            assert all(len(text) <= MAX_SECTION_TEXT for text in texts)
        assert blocks[-1]["elements"][0]["text"] == f"Del {n} av {len(messages)}"
    last = messages[-1].blocks or []
    assert last[-2]["type"] == "context" and "Ej svarat" in last[-2]["elements"][0]["text"]


# DOCX -----------------------------------------------------------------------------------


def _docx_parts(content: bytes) -> dict[str, str]:
    with zipfile.ZipFile(io.BytesIO(content)) as z:
        return {name: z.read(name).decode("utf-8") for name in z.namelist() if name.endswith("xml")}


def test_docx_is_a4_in_swedish_with_title_and_page_in_the_footer(services: Services) -> None:
    round_id = social_round(services)
    content = export_round(services, WS, round_id, "docx")[0]
    doc = Document(io.BytesIO(content))
    section = doc.sections[0]
    assert section.page_width is not None and section.page_height is not None
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    parts = _docx_parts(content)
    assert re.search(r'<w:docDefaults>.*<w:lang w:val="sv-SE"', parts["word/styles.xml"], re.S)
    footer = next(text for name, text in parts.items() if name.startswith("word/footer"))
    assert 'w:instr=" PAGE "' in footer
    assert "Dokumentation: Avstämning T1 2027" in footer
    assert section.footer.paragraphs[0].style.name == "Footer"


def test_docx_uses_named_styles_only(services: Services) -> None:
    round_id = social_round(services)
    content = export_round(services, WS, round_id, "docx")[0]
    body = _docx_parts(content)["word/document.xml"]
    for direct in ("<w:b/>", "<w:i/>", "<w:sz ", "<w:color ", "<w:rFonts "):
        assert direct not in body, direct
    doc = Document(io.BytesIO(content))
    used = {p.style.name for p in doc.paragraphs if p.style is not None}
    assert {"Title", "Subtitle", "Heading 1", "Quote", "Dialogbot Label"} <= used
    runs = {r.style.name for p in doc.paragraphs for r in p.runs if r.style is not None}
    assert "Emphasis" in runs  # "Inga svar …" and the like, as a character style


def test_a_long_docx_starts_with_a_table_of_contents(services: Services) -> None:
    round_id = social_round(services)
    send_evaluation(services, WS, round_id, started_by="U0PROC01")
    document = build_round_document(load_round_record(services, WS, round_id), "nu")
    headings = [b for b in document.blocks if isinstance(b, Heading) and b.level <= 2]
    assert len(headings) >= TOC_MIN_HEADINGS
    content = export_round(services, WS, round_id, "docx")[0]
    parts = _docx_parts(content)
    assert 'TOC \\o "1-2"' in parts["word/document.xml"]
    assert '<w:updateFields w:val="true"/>' in parts["word/settings.xml"]
    doc = Document(io.BytesIO(content))
    toc = [p.text for p in doc.paragraphs if p.style is not None and p.style.name == "toc 1"]
    assert toc[:2] == ["Svarsfrekvens per enhet", "Svar per nivå"]


def test_english_docx_is_set_in_english(services: Services) -> None:
    started = services.rounds.start_round(
        WS, StartRound("avstamning", ["Hemtjänst Norr"], "#g", lang="en", started_by="U0PROC01")
    )
    content = export_round(services, WS, started.round.round_id, "docx")[0]
    assert '<w:lang w:val="en-GB"' in _docx_parts(content)["word/styles.xml"]


# HTML -------------------------------------------------------------------------------------


def test_html_prints_on_a4_and_wraps_wide_tables(services: Services) -> None:
    html = export_round(services, WS, social_round(services), "html")[0].decode()
    style = html.split("<style>")[1].split("</style>")[0]
    assert re.search(r"@page\s*{\s*size: A4", style)
    assert "@media print" in style and "counter(page)" in style
    assert re.search(r"th, td {[^}]*overflow-wrap: break-word", style)
    assert re.search(r"\.column {[^}]*min-width: 0; overflow-wrap: anywhere", style)
    assert "repeat(auto-fit, minmax(" in style


def test_yearly_report_gives_no_column_to_evaluations_or_rounds_without_answers(
    services: Services, clock: FixedClock
) -> None:
    clock.set(datetime(2027, 3, 1, 8, tzinfo=UTC))
    first = social_round(services)
    send_evaluation(services, WS, first, started_by="U0PROC01", anonymous=False)
    clock.set(datetime(2027, 5, 3, 8, tzinfo=UTC))
    services.rounds.start_round(  # Hemtjänst Norr is asked but does not answer
        WS, StartRound("planering", ["Hemtjänst Norr"], "#g", started_by="U0PROC01")
    )
    html = export_unit_report(services, WS, "hemtjanst-norr", 2027, "html")[0].decode()
    assert html.count("<tr>") - 1 == 3  # all three rounds are listed in the overview
    assert html.count('<section class="column">') == 1
    assert "Budget i balans." in html
    assert 'style="grid-template-columns' not in html
