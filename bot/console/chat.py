"""`dialogbot chat`: play a manager interactively in the terminal."""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from rich.console import Console

from bot.console.reader import InputReader, default_reader
from bot.console.session import HELP_TEXT, ConsoleSession
from bot.domain.commands import StartRound
from bot.domain.errors import NoParticipation
from bot.domain.results import Participant
from bot.domain.states import is_finished
from bot.i18n import DEFAULT_TZ, t
from bot.progress_text import left_text
from bot.services.container import Services
from bot.wiring import build_runtime

DEMO_MANAGER = "U0ENHHTN"


def _choose(
    services: Services,
    workspace: str,
    args: argparse.Namespace,
    out: Console,
    reader: InputReader,
) -> Participant:
    """The participation to talk about: unfinished ones, and finished ones whose round
    is still open (their answers can still be changed)."""
    chat_id = args.as_user
    if not chat_id:
        chat_id = (
            reader.read_line("Ditt chatt-id" if args.lang == "sv" else "Your chat id") or ""
        ).strip()
    mine = services.queries.open_participations_for(workspace, chat_id)
    if args.round is not None:
        mine = [p for p in mine if p.round_id == args.round]
    if not mine:
        raise NoParticipation(chat_id)
    if len(mine) == 1:
        return mine[0]
    for i, p in enumerate(mine, start=1):
        done = f" ({t(args.lang, 'console.finished_mark')})" if is_finished(p.status) else ""
        title = services.queries.round_info(workspace, p.round_id).title
        out.print(f"{i}. {title} — {p.unit_name}{done}", markup=False, highlight=False)
    label = f"{t(args.lang, 'console.choose_round')} (1–{len(mine)})"
    while True:
        choice = reader.read_line(label)
        if choice is None:
            raise NoParticipation(chat_id)
        if choice.strip().isdigit() and 1 <= int(choice) <= len(mine):
            return mine[int(choice) - 1]


def run_chat(args: argparse.Namespace, out: Console, reader: InputReader | None = None) -> int:
    """Run an interactive conversation until the manager finishes or quits (Ctrl-D).

    ``reader`` defaults to prompt_toolkit in a terminal and to the line protocol of
    :class:`bot.console.reader.PipeReader` otherwise.
    """
    reader = reader or default_reader()
    tmp: tempfile.TemporaryDirectory[str] | None = None
    db_url = args.db
    workspace = args.workspace
    if args.demo:
        from bot.console.demo import WORKSPACE, prepare

        tmp = tempfile.TemporaryDirectory(prefix="dialogbot-chat-")
        db_url = f"sqlite:///{Path(tmp.name) / 'chat.db'}"
        workspace = WORKSPACE
        runtime = prepare(db_url, out)
        runtime.services.rounds.start_round(
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
        services = runtime.services
        participant = _choose(services, workspace, args, out, reader)
        info = services.queries.round_info(workspace, participant.round_id)
        out.rule(f"{info.title} — {participant.unit_name}")
        tz = getattr(args, "tz", None) or DEFAULT_TZ
        left = left_text(args.lang, participant.answered, participant.total, info.deadline_at, tz)
        out.print(left[:1].upper() + left[1:] + ".", markup=False, highlight=False)
        if info.overarching_question:
            out.print(f"[italic]{info.overarching_question}[/italic]", highlight=False)
        out.print(HELP_TEXT[args.lang], markup=False, highlight=False)
        session = ConsoleSession(services, workspace, participant.participation_id, args.lang)
        for line in session.opening():
            out.print(f"\n{line}", style="cyan", markup=False, highlight=False)
        while True:
            text = reader.read_answer(session.is_complete)
            if text is None:
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
