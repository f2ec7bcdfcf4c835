"""Render the documents a process support files, as a reader sees them: a sample round's
documentation and a unit's yearly report as HTML and DOCX, each turned into PDF and PNG
pages (headless Chromium for HTML, LibreOffice for DOCX, pdftoppm for the pages).

Run with ``make docs-preview``; the files land in ``build/preview/``. Skips (exit 0,
with a message) when chromium, soffice or pdftoppm is not installed.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

from rich.console import Console

from bot.chain.evaluation import send_evaluation
from bot.chain.export import export_round
from bot.chain.report import export_unit_report
from bot.clock import FixedClock
from bot.console.demo import PROCESS_SUPPORT, WORKSPACE, prepare
from bot.services.container import Services
from bot.services.rounds import StartRound
from bot.wiring import build_runtime

OUT = Path("build/preview")
TOOLS = ("chromium", "soffice", "pdftoppm")

ANSWERS: dict[str, dict[str, str]] = {
    "U0ENHHTN": {
        "grunduppdrag": "Hemtjänst för äldre i norra kommundelen, dygnet runt, "
        "med omkring 180 brukare.",
        "nulage": "Stabil personalgrupp men hög sjukfrånvaro i vintras.",
        "ekonomi": "Budget i balans efter omställningen av nattpatrullen.",
        "utvecklingsmal": "Kontinuitet: högst 12 personal per brukare och 14 dagar.",
        "kvalitetsfaktorer": "Brukarnöjdhet, kontinuitet, sjukfrånvaro.",
        "hur_gar_det": "Kontinuiteten är 14 personal per brukare, målet är 12. "
        "Ekonomin håller, sjukfrånvaron har sjunkit till 7 %.",
        "analys": "Vakanserna i våras gav fler vikarier. Nya scheman från juni "
        "ger fastare arbetslag.",
        "vidare_aktiviteter": "- Fasta arbetslag per område (ansvarig: Anna)\n"
        "- Hälsosamtal med alla medarbetare",
        "ekonomiskt_utfall": "Ett litet överskott, 0,4 mnkr.",
        "utvecklingsmal_utfall": "Kontinuiteten nådde 12,5 — nära målet.",
        "kvalitetsmatt_utfall": "Brukarnöjdheten steg från 86 till 89 %.",
        "avvikelser_lardomar": "Fasta arbetslag fungerar; vi behåller dem.",
    },
    "U0ENHHTS": {
        "hur_gar_det": "Personalbristen är stor i sommar; tre tjänster är vakanta.",
        "analys": "Konkurrens om undersköterskor med regionen.",
        "vidare_aktiviteter": "- Rekryteringskampanj före sommaren",
    },
    "U0ENHFSS": {
        "hur_gar_det": "Fler hushåll söker stöd, 12 % fler än i fjol. Handläggningstiden "
        "ligger ändå på tre veckor.",
        "analys": "Arbetslösheten i kommunen har ökat sedan årsskiftet.",
        "vidare_aktiviteter": "- Samverkan med arbetsmarknadsenheten",
    },
}


def _answer_all(services: Services, started_participants: list[tuple[int, str]]) -> None:
    for pid, chat_id in started_participants:
        answers = ANSWERS.get(chat_id)
        if answers is None:
            continue
        for n in range(40):
            prompt = services.queries.current_prompt(WORKSPACE, pid)
            if prompt is None:
                break
            followup = prompt.followup is not None
            text = "pågår – enligt plan" if followup else answers.get(prompt.question_key, "")
            if text:
                services.answering.reply(WORKSPACE, pid, text, f"preview:{pid}:{n}")
            else:
                services.answering.skip(WORKSPACE, pid, f"preview:{pid}:{n}")


def _round(
    services: Services, clock: FixedClock, template: str, units: list[str], title: str
) -> int:
    started = services.rounds.start_round(
        WORKSPACE,
        StartRound(
            template=template,
            units=units,
            level="enhet",
            group_ref="C0LEDNING",
            title=title,
            deadline_at=clock.now() + timedelta(days=14),
            started_by=PROCESS_SUPPORT,
        ),
    )
    clock.advance(timedelta(days=2))
    _answer_all(services, [(p.participation_id, p.chat_id) for p, _ in started.participants])
    clock.advance(timedelta(days=12))
    services.rounds.close_round(WORKSPACE, started.round.round_id, closed_by=PROCESS_SUPPORT)
    return started.round.round_id


def make_documents(folder: Path) -> list[Path]:
    """Write a round's documentation and a yearly report as HTML and DOCX into ``folder``."""
    clock = FixedClock(datetime(2027, 1, 18, 8, 0, tzinfo=UTC))
    with tempfile.TemporaryDirectory(prefix="dialogbot-preview-") as tmp:
        url = f"sqlite:///{Path(tmp) / 'preview.db'}"
        prepare(url, Console(quiet=True)).db.dispose()
        runtime = build_runtime(url, clock=clock)
        services = runtime.services
        social = ["Socialförvaltningen"]
        _round(services, clock, "planering", social, "Planeringsdialog 2027")
        clock.advance(timedelta(days=90))
        followup = _round(services, clock, "avstamning", social, "Avstämning tertial 1 2027")
        send_evaluation(services, WORKSPACE, followup, started_by=PROCESS_SUPPORT)
        clock.advance(timedelta(days=100))
        _round(services, clock, "avstamning", social, "Avstämning tertial 2 2027")
        clock.advance(timedelta(days=100))
        _round(services, clock, "resultat", social, "Resultatdialog 2027")
        written: list[Path] = []
        for fmt in ("html", "docx"):
            content, name = export_round(services, WORKSPACE, followup, fmt)
            written.append(folder / name)
            written[-1].write_bytes(content)
            content, name = export_unit_report(services, WORKSPACE, "hemtjanst-norr", 2027, fmt)
            written.append(folder / name)
            written[-1].write_bytes(content)
        runtime.db.dispose()
    return written


def _run(*args: str) -> None:
    subprocess.run(args, check=True, capture_output=True, timeout=300)


def to_pdf(document: Path) -> Path:
    """Print an HTML file with headless Chromium, or convert a DOCX with LibreOffice."""
    pdf = document.with_suffix(document.suffix + ".pdf")
    with tempfile.TemporaryDirectory(prefix="dialogbot-render-") as profile:
        if document.suffix == ".html":
            _run(
                "chromium",
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                f"--user-data-dir={profile}",
                "--no-pdf-header-footer",
                f"--print-to-pdf={pdf}",
                document.resolve().as_uri(),
            )
        else:
            _run(
                "soffice",
                f"-env:UserInstallation={Path(profile).as_uri()}",
                "--headless",
                "--convert-to",
                "pdf",
                "--outdir",
                profile,
                str(document),
            )
            shutil.move(Path(profile) / (document.stem + ".pdf"), pdf)
    return pdf


def main() -> int:
    """Render every preview document to PDF and PNG pages; 0 also when skipped."""
    missing = [tool for tool in TOOLS if shutil.which(tool) is None]
    if missing:
        print(f"docs-preview skipped: {', '.join(missing)} not installed", file=sys.stderr)
        return 0
    OUT.mkdir(parents=True, exist_ok=True)
    for old in OUT.iterdir():
        old.unlink()
    for document in make_documents(OUT):
        pdf = to_pdf(document)
        _run("pdftoppm", "-png", "-r", "60", str(pdf), str(document))
        pages = sorted(OUT.glob(document.name + "-*.png"))
        print(f"{document} → {pdf.name}, {len(pages)} page(s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
