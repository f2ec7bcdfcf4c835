"""`dialogbot demo`: a whole avstämning round in the terminal, from start to summary."""

from __future__ import annotations

import tempfile
from datetime import timedelta
from importlib import resources
from pathlib import Path

from rich.console import Console
from rich.markdown import Markdown
from rich.panel import Panel

from bot.console.session import ConsoleSession, render_prompt
from bot.domain.commands import StartRound
from bot.domain.results import RoundStarted
from bot.i18n import format_local, t
from bot.org_import import load_org_file
from bot.summary import render_summary
from bot.wiring import Runtime, build_runtime

WORKSPACE = "local"
PROCESS_SUPPORT = "U0PROC01"

# What each simulated manager types, in order. Keyed by chat id.
SCRIPTS: dict[str, list[str]] = {
    "U0ENHHTN": [
        "Vi ligger 4 % över budget efter tertial 1, främst på grund av sjukfrånvaro & timvikarier.",
        "/hoppa",
        "/ändra 1 Vi ligger 3 % över budget efter tertial 1 (rättad siffra), främst sjukfrånvaro.",
        "- Ny bemanningsplan för sommaren (ansvarig: Anna)\n- Följa upp sjukfrånvaron månadsvis",
        "ja",
    ],
    "U0ENHHTS": [
        "Brukarnöjdheten har ökat till 88 %. Ekonomin är i balans.",
        "Kontinuiteten i personalgruppen har blivit bättre efter att vi delade upp distrikten.",
        "Fortsätta med mindre arbetslag. <!channel> Vi behöver *inte* fler möten.",
    ],
    "U0ENHSOL": [
        "Ett stort underskott på mat och förbrukningsmaterial, annars enligt plan.",
        "Priserna från leverantören har höjts mer än vi räknade med.",
        "/klar",
    ],
    "U0ENHFSS": [
        "Antalet hushåll med försörjningsstöd ökar; utbetalningarna 6 % över plan.",
    ],
}
AFTER_RESTART: dict[str, list[str]] = {
    "U0ENHFSS": [
        "Arbetsmarknaden har försämrats lokalt och fler står långt från arbete.",
        "1. Samverkan med arbetsmarknadsenheten\n2. Snabbare handläggning av nyansökningar",
    ],
}


def sample_org_path() -> Path:
    """The sample municipality shipped with the package."""
    return Path(str(resources.files("bot") / "data" / "sample_org.yaml"))


def prepare(db_url: str, console: Console) -> Runtime:
    """Migrate a database and load the sample organisation into it."""
    runtime = build_runtime(db_url, migrate=True)
    path = sample_org_path()
    report = runtime.services.organisation.import_org(WORKSPACE, load_org_file(path), str(path))
    console.print(f"[dim]Organisation: {report.describe()}[/dim]")
    return runtime


def run_demo(db_url: str | None = None, lang: str = "sv", console: Console | None = None) -> str:
    """Run the demo and return the Markdown summary it printed."""
    out = console or Console()
    tmp: tempfile.TemporaryDirectory[str] | None = None
    if db_url is None:
        tmp = tempfile.TemporaryDirectory(prefix="dialogbot-demo-")
        db_url = f"sqlite:///{Path(tmp.name) / 'demo.db'}"
    try:
        return _run(db_url, lang, out)
    finally:
        if tmp is not None:
            tmp.cleanup()


def _run(db_url: str, lang: str, out: Console) -> str:
    out.rule("Dialogbot — demo")
    runtime = prepare(db_url, out)
    services = runtime.services
    started = services.rounds.start_round(
        WORKSPACE,
        StartRound(
            template="avstamning",
            units=["Socialförvaltningen"],
            level="enhet",
            group_ref="#ledning-socialforvaltningen",
            deadline_at=services.kernel.clock.now() + timedelta(days=14),
            lang=lang,
            started_by=PROCESS_SUPPORT,
        ),
    )
    info = started.round
    deadline = t(lang, "round.deadline", when=format_local(info.deadline_at, lang))
    out.print(
        Panel(
            t(
                lang,
                "round.announce",
                title=info.title,
                count=len(started.participants),
                deadline=deadline,
            ).replace("*", ""),
            title=info.group_ref,
        )
    )
    sessions: dict[str, ConsoleSession] = {}
    for participant, prompt in started.participants:
        sessions[participant.chat_id] = ConsoleSession(
            services, WORKSPACE, participant.participation_id, lang, key_prefix="demo"
        )
        out.print(f"\n[bold]{participant.name}[/bold] — {participant.unit_name}")
        out.print(f"[cyan]{render_prompt(prompt)}[/cyan]")

    _converse(out, sessions, SCRIPTS, started_names(started))

    out.rule(
        "Slack levererar samma meddelande en gång till" if lang == "sv" else "A duplicate delivery"
    )
    anna = sessions["U0ENHHTN"]
    replay = anna.handle(
        "Vi ligger 4 % över budget …", message_key=f"demo:{anna.participation_id}:1"
    )
    out.print(
        f"[dim]outcome: {replay.outcome.kind if replay.outcome else '-'} (nothing changed)[/dim]"
    )

    out.rule("Omstart av boten" if lang == "sv" else "The bot restarts")
    runtime.db.dispose()
    runtime = build_runtime(db_url)
    services = runtime.services
    for chat_id, session in sessions.items():
        sessions[chat_id] = ConsoleSession(
            services, WORKSPACE, session.participation_id, lang, key_prefix="demo-after-restart"
        )
    david = sessions["U0ENHFSS"]
    out.print("David Lund: " + " / ".join(david.opening()))
    _converse(out, sessions, AFTER_RESTART, started_names(started))

    summary, _ = services.rounds.close_round(WORKSPACE, info.round_id, closed_by=PROCESS_SUPPORT)
    markdown = render_summary(summary, "md")
    out.rule(t(lang, "summary.title"))
    out.print(Markdown(markdown))
    out.print()
    out.print("[dim]Markdown source of the summary:[/dim]")
    out.print(markdown, markup=False, highlight=False)
    runtime.db.dispose()
    return markdown


def started_names(started: RoundStarted) -> dict[str, str]:
    """Chat id → display name for the demo's transcript."""
    return {p.chat_id: f"{p.name} ({p.unit_name})" for p, _ in started.participants}


def _converse(
    out: Console,
    sessions: dict[str, ConsoleSession],
    scripts: dict[str, list[str]],
    names: dict[str, str],
) -> None:
    for chat_id, lines in scripts.items():
        session = sessions[chat_id]
        out.rule(names.get(chat_id, chat_id), style="dim")
        for line in lines:
            out.print("> " + line, style="green", markup=False, highlight=False)
            reply = session.handle(line)
            for text in reply.lines:
                out.print(text, markup=False, highlight=False)
