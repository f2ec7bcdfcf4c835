"""Exports of a round's documentation: Markdown, printable HTML and DOCX."""

from __future__ import annotations

import io
import itertools
import zipfile
from pathlib import Path

import pytest
from docx import Document

from bot.chain.evaluation import send_evaluation
from bot.chain.export import export_round
from bot.cli import main
from bot.domain.commands import StartRound
from bot.domain.results import RoundStarted
from bot.services.container import Services

WS = "local"
_keys = itertools.count()
HOSTILE = "<script>alert('x')</script> & <!channel> *fet*"
# Every participant of a round over Äldreomsorg's enheter, and their chat ids.
PEOPLE = {
    "U0ENHHTN": "Anna Andersson",
    "U0ENHHTS": "Björn Svensson",
    "U0ENHSOL": "Cecilia Öberg",
}


def run_round(services: Services, *, anonymous: bool) -> RoundStarted:
    started = services.rounds.start_round(
        WS,
        StartRound(
            "avstamning",
            ["Äldreomsorg"],
            "#aldreomsorg",
            level="enhet",
            anonymous=anonymous,
            started_by="U0PROC01",
            title="Avstämning T1 <b>2027</b> & mer",
        ),
    )
    pids = {p.chat_id: p.participation_id for p, _ in started.participants}
    answers = {
        "U0ENHHTN": ["Vi ligger 3 % över budget.", HOSTILE, "- Ny bemanningsplan (ansvarig: HR)"],
        "U0ENHHTS": ["Brukarnöjdheten har ökat till 88 %.", "Mindre arbetslag."],
    }
    for chat_id, texts in answers.items():
        prompt = services.queries.current_prompt(WS, pids[chat_id])
        while prompt is not None and prompt.followup is not None:  # from an earlier round
            prompt = services.answering.reply(WS, pids[chat_id], "pågår", f"m-{next(_keys)}").prompt
        for text in texts:
            services.answering.reply(WS, pids[chat_id], text, f"m-{next(_keys)}")
    services.activities.confirm_activities(WS, pids["U0ENHHTN"], f"c-{next(_keys)}")
    services.rounds.close_round(WS, started.round.round_id)
    return started


def docx_texts(content: bytes) -> tuple[list[tuple[str, str]], list[str]]:
    """(style, text) of every paragraph, and the text of every table cell."""
    doc = Document(io.BytesIO(content))
    paragraphs = [(p.style.name if p.style else "", p.text) for p in doc.paragraphs]
    cells = [c.text for table in doc.tables for row in table.rows for c in row.cells]
    return paragraphs, cells


def test_docx_export_reads_back_with_headings_answers_and_activities(
    services: Services,
) -> None:
    started = run_round(services, anonymous=False)
    content, filename = export_round(services, WS, started.round.round_id, "docx")
    assert filename == f"dialog-{started.round.round_id}-avstamning.docx"
    paragraphs, cells = docx_texts(content)
    headings = [text for style, text in paragraphs if style.startswith("Heading")]
    assert headings[:2] == ["Svarsfrekvens per enhet", "Svar per nivå"]
    assert "1. Hur går det?" in headings
    assert "3. Vilka är våra vidare aktiviteter?" in headings
    assert "Äldreomsorg (Avdelning) — 2/3 svarat" in headings
    assert headings[-3:] == ["Aktiviteter", "Utvärdering av dialogen", "Ej svarat"]
    quotes = [text for style, text in paragraphs if style == "Quote"]
    assert "Vi ligger 3 % över budget." in quotes
    assert HOSTILE in quotes  # stored and shown as written, never interpreted
    assert ("Dialogbot Label", "Hemtjänst Norr (Anna Andersson)") in paragraphs
    assert "Avstämningsdialog (avstamning v2)" in cells
    assert "1 av 3 (67 %)" not in cells and "2 av 3 (67 %)" in cells
    assert {"Hemtjänst Norr", "Ny bemanningsplan", "HR", "öppen"} <= set(cells)
    assert ("List Bullet", "Särskilt boende Solgården — Cecilia Öberg") in paragraphs


def test_html_export_escapes_user_text_and_is_printable(services: Services) -> None:
    started = run_round(services, anonymous=False)
    html = export_round(services, WS, started.round.round_id, "html")[0].decode()
    assert html.startswith("<!DOCTYPE html>") and "@media print" in html
    assert "<script>" not in html and "<!channel>" not in html and "<b>2027</b>" not in html
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &lt;!channel&gt;" in html
    assert "Avstämning T1 &lt;b&gt;2027&lt;/b&gt; &amp; mer" in html
    assert "<h2>Svar per nivå</h2>" in html


def test_markdown_export_escapes_user_text(services: Services) -> None:
    started = run_round(services, anonymous=False)
    md = export_round(services, WS, started.round.round_id, "md")[0].decode()
    assert md.startswith("# Dokumentation: Avstämning T1 \\<b\\>2027\\</b\\> \\& mer\n")
    assert "<script>" not in md and "*fet*" not in md
    assert "> \\<script\\>alert('x')\\</script\\> \\& \\<\\!channel\\> \\*fet\\*" in md
    assert "| Hemtjänst Norr | Ny bemanningsplan | HR | öppen |" in md
    assert "- Särskilt boende Solgården — Cecilia Öberg" in md


@pytest.mark.parametrize("fmt", ["md", "html", "docx"])
def test_anonymous_exports_contain_no_names_or_chat_ids(services: Services, fmt: str) -> None:
    services.settings.set_setting(WS, "anonymity_k", "2")  # two respondents: their texts are shown
    started = run_round(services, anonymous=True)
    evaluation = send_evaluation(services, WS, started.round.round_id, started_by="U0PROC01")
    for n, (p, _) in enumerate(evaluation.participants):
        services.answering.reply(WS, p.participation_id, f"Bra förberett ({n})", f"e-{p.chat_id}")
    content, _ = export_round(services, WS, started.round.round_id, fmt)  # type: ignore[arg-type]
    if fmt == "docx":
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            text = "\n".join(archive.read(n).decode("utf-8", "replace") for n in archive.namelist())
    else:
        text = content.decode()
    assert "Mindre arbetslag" in text and "Ny bemanningsplan" in text  # the answers are there
    assert "Bra förberett" in text  # and the evaluation
    for chat_id, name in PEOPLE.items():
        assert chat_id not in text
        assert name not in text
        assert name.split()[0] not in text
    assert "Hemtjänst Norr" not in text  # nor which unit said what

    named = run_round(services, anonymous=False)
    content, _ = export_round(services, WS, named.round.round_id, fmt)  # type: ignore[arg-type]
    with_names = (
        "".join(p for _, p in docx_texts(content)[0]) if fmt == "docx" else content.decode()
    )
    assert "Anna Andersson" in with_names  # the same export names people when it may


def test_evaluation_is_sent_once_and_its_results_are_in_the_export(services: Services) -> None:
    started = run_round(services, anonymous=False)
    round_id = started.round.round_id
    evaluation = send_evaluation(services, WS, round_id)
    again = send_evaluation(services, WS, round_id)
    assert again.already_existed and again.round.round_id == evaluation.round.round_id
    assert evaluation.round.title == "Utvärdering: Avstämning T1 <b>2027</b> & mer"
    assert evaluation.round.anonymous
    assert sorted(p.chat_id for p, _ in evaluation.participants) == sorted(PEOPLE)
    first_question = evaluation.participants[0][1]
    assert first_question.text == "Vad fungerade bra?"
    for n, (participant, _) in enumerate(evaluation.participants):  # k = 3 respondents
        pid = participant.participation_id
        services.answering.reply(
            WS, pid, "Tydliga frågor i förväg." if n == 0 else "Bra.", f"ev-{n}-1"
        )
        services.answering.reply(
            WS, pid, "Mer tid för analysen." if n == 0 else "Inget.", f"ev-{n}-2"
        )
    paragraphs, _ = docx_texts(export_round(services, WS, round_id, "docx")[0])
    after = [
        t for _, t in paragraphs[[t for _, t in paragraphs].index("Utvärdering av dialogen") :]
    ]
    assert "1. Vad fungerade bra?" in after and "Tydliga frågor i förväg." in after
    assert "2. Vad kan bli bättre?" in after and "Mer tid för analysen." in after


def test_export_and_activities_from_the_command_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    sample = Path(__file__).resolve().parents[1] / "bot" / "data" / "sample_org.yaml"
    assert main(["--db", url, "db", "upgrade"]) == 0
    assert main(["--db", url, "org", "import", str(sample)]) == 0
    assert main(["--db", url, "round", "start", "avstamning", "--units", "hemtjanst-norr",
                 "--group", "#g"]) == 0  # fmt: skip
    from bot.wiring import build_runtime

    services = build_runtime(url).services
    pid = services.queries.rounds(WS)[0].round_id
    participation = services.queries.status(WS, pid).units[0].participants[0].participation_id
    for text in ["Bra.", "För att.", "1. Ny rutin (ansvarig: Anna)\n2. Utbildning"]:
        services.answering.reply(WS, participation, text, f"cli-{text}")
    out_file = tmp_path / "doc.docx"
    capsys.readouterr()
    assert main(["--db", url, "export", str(pid), "--format", "docx", "-o", str(out_file)]) == 0
    assert "Ny rutin" in [c for _, c in docx_texts(out_file.read_bytes())[0]] + [
        c for c in docx_texts(out_file.read_bytes())[1]
    ]
    assert main(["--db", url, "export", str(pid), "--format", "md"]) == 0
    assert "# Dokumentation: Avstämningsdialog" in capsys.readouterr().out
    assert main(["--db", url, "activities", "Hemtjänst Norr"]) == 0
    listing = capsys.readouterr().out
    assert "Ny rutin" in listing and "Utbildning" in listing and "föreslagen" in listing
    assert main(["--db", url, "export", "999"]) == 1
    assert "Det finns ingen runda 999." in capsys.readouterr().err
