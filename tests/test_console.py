"""The console adapter: a manager's conversation typed in a terminal."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from bot.console.session import ConsoleSession
from bot.engine import DialogEngine, StartRound

WS = "local"


def session_for(engine: DialogEngine, template: str, chat_id: str = "U0ENHHTN") -> ConsoleSession:
    started = engine.start_round(
        WS, StartRound(template, ["Äldreomsorg"], "#g", level="enhet", started_by="U0PROC01")
    )
    pid = next(p.participation_id for p, _ in started.participants if p.chat_id == chat_id)
    return ConsoleSession(engine, WS, pid, "sv")


def test_commands_skip_back_edit_and_finish(engine: DialogEngine) -> None:
    chat = session_for(engine, "avstamning")
    assert chat.opening()[0].startswith("[Fråga 1 av 3] Hur går det?")
    reply = chat.handle("Det går bra")
    assert reply.lines[0] == "✓ Tack, svaret är sparat." and "[Fråga 2 av 3]" in reply.lines[-1]
    assert "[Fråga 3 av 3]" in chat.handle("/hoppa").lines[-1]
    back = chat.handle("/tillbaka").lines[-1]
    assert "[Fråga 2 av 3]" in back
    assert chat.handle("/ändra 1 Det går ännu bättre").lines == ["Svaret på fråga 1 är uppdaterat."]
    assert "Skriv ditt svar" in chat.handle("/hjälp").lines[0]
    assert "Svaret är tomt" in chat.handle("   ").lines[0]
    done = chat.handle("/klar")
    assert done.done and "Tack! Dina svar är sparade" in done.lines[-1]
    assert engine.answers_of(WS, chat.participation_id) == {"hur_gar_det": "Det går ännu bättre"}


def test_activities_are_read_back_in_plain_text(engine: DialogEngine) -> None:
    chat = session_for(engine, "avstamning")
    chat.handle("Bra")
    chat.handle("/hoppa")
    reply = chat.handle("- Ny plan <b> & mer (ansvarig: Anna)")
    text = "\n".join(reply.lines)
    assert "Jag uppfattade följande aktiviteter (1 st)" in text
    assert "• Ny plan <b> & mer (ansvarig: Anna)" in text


def test_chat_command_in_a_terminal(tmp_path: Path) -> None:
    env = {**os.environ, "COLUMNS": "200"}
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli", "chat", "--demo"],
        input="Det går bra\n/hoppa\n/klar\n",
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "Avstämningsdialog — Äldreomsorg — Hemtjänst Norr" in out
    assert "[Fråga 1 av 3] Hur går det?" in out
    assert "[Fråga 2 av 3]" in out and "[Fråga 3 av 3]" in out
    assert "Tack! Dina svar är sparade" in out
