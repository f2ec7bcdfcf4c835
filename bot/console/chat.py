"""`dialogbot chat`: play a manager interactively in the terminal."""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from rich.console import Console
from rich.prompt import Prompt

from bot.console.session import HELP_TEXT, ConsoleSession
from bot.engine import DialogEngine, StartRound
from bot.errors import NoParticipation
from bot.results import Participant
from bot.wiring import build_runtime

DEMO_MANAGER = "U0ENHHTN"


def _choose(
    engine: DialogEngine, workspace: str, args: argparse.Namespace, out: Console
) -> Participant:
    chat_id = args.as_user
    if not chat_id:
        chat_id = Prompt.ask("Ditt chatt-id" if args.lang == "sv" else "Your chat id", console=out)
    pending = engine.pending_for(workspace, chat_id)
    if args.round is not None:
        pending = [(p, q) for p, q in pending if p.round_id == args.round]
    if not pending:
        raise NoParticipation(chat_id)
    if len(pending) == 1:
        return pending[0][0]
    for i, (p, _q) in enumerate(pending, start=1):
        out.print(f"{i}. {engine.round_info(workspace, p.round_id).title} — {p.unit_name}")
    choice = Prompt.ask(
        "Välj runda", choices=[str(i) for i in range(1, len(pending) + 1)], console=out
    )
    return pending[int(choice) - 1][0]


def run_chat(args: argparse.Namespace, out: Console) -> int:
    """Run an interactive conversation until the manager finishes or quits (Ctrl-D)."""
    tmp: tempfile.TemporaryDirectory[str] | None = None
    db_url = args.db
    workspace = args.workspace
    if args.demo:
        from bot.console.demo import WORKSPACE, prepare

        tmp = tempfile.TemporaryDirectory(prefix="dialogbot-chat-")
        db_url = f"sqlite:///{Path(tmp.name) / 'chat.db'}"
        workspace = WORKSPACE
        runtime = prepare(db_url, out)
        runtime.engine.start_round(
            workspace,
            StartRound(
                template="avstamning",
                units=["Äldreomsorg"],
                level="enhet",
                group_ref="#demo",
                lang=args.lang,
            ),
        )
        args.as_user = args.as_user or DEMO_MANAGER
    else:
        runtime = build_runtime(db_url)
    try:
        engine = runtime.engine
        participant = _choose(engine, workspace, args, out)
        info = engine.round_info(workspace, participant.round_id)
        out.rule(f"{info.title} — {participant.unit_name}")
        if info.overarching_question:
            out.print(f"[italic]{info.overarching_question}[/italic]", highlight=False)
        out.print(HELP_TEXT[args.lang], markup=False, highlight=False)
        session = ConsoleSession(engine, workspace, participant.participation_id, args.lang)
        for line in session.opening():
            out.print(f"\n{line}", style="cyan", markup=False, highlight=False)
        while True:
            try:
                text = Prompt.ask("[bold green]>[/bold green]", console=out)
            except EOFError:
                out.print()
                return 0
            if not text.strip():
                continue
            reply = session.handle(text)
            for line in reply.lines:
                out.print(line, markup=False, highlight=False)
            if reply.done:
                return 0
    finally:
        runtime.db.dispose()
        if tmp is not None:
            tmp.cleanup()
