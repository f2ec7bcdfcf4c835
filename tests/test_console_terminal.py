"""`dialogbot chat` driven as a manager would: through a pipe, through prompt_toolkit's
input handling with a bracketed paste, and in a real terminal (tmux)."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput
from rich.console import Console

from bot.cli import build_parser
from bot.console.chat import run_chat
from bot.console.demo import prepare
from bot.domain.commands import StartRound
from bot.domain.timeparse import parse_deadline
from bot.wiring import build_runtime

WS = "local"
ANNA = "U0ENHHTN"
ROOT = Path(__file__).resolve().parent.parent
PASTED = "Budgeten håller\nSjukfrånvaron är 7 %\nBrukarna är nöjda"


@pytest.fixture
def db_url(tmp_path: Path) -> Iterator[str]:
    """A database file with the sample organisation and an open avstämning round."""
    url = f"sqlite:///{tmp_path / 'chat.db'}"
    runtime = prepare(url, Console(file=io.StringIO()))
    runtime.services.rounds.start_round(
        WS, StartRound("avstamning", ["Äldreomsorg"], "#g", level="enhet", started_by="U0PROC01")
    )
    runtime.db.dispose()
    yield url


def _answers(db_url: str) -> dict[str, str]:
    runtime = build_runtime(db_url)
    try:
        (round_,) = runtime.services.queries.rounds(WS)
        units = runtime.services.queries.status(WS, round_.round_id).units
        (p,) = [p for u in units for p in u.participants if p.chat_id == ANNA]
        return runtime.services.queries.answers_of(WS, p.participation_id)
    finally:
        runtime.db.dispose()


def _chat(db_url: str, stdin: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", "--db", db_url, "chat", "--as", ANNA],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "COLUMNS": "200"},
        cwd=ROOT,
    )


def test_a_multi_line_answer_through_a_pipe_is_one_answer(db_url: str) -> None:
    typed = (
        f"{PASTED}\n\n"  # an empty line ends an answer
        "/hopa\n"  # a typo: help, not an answer
        "Personalbrist\n.\n"  # a line with only a full stop ends one too
        "- Ny bemanningsplan (ansvarig: Anna)\n- Hälsosamtal – Omar\n- Friskvård\n\n"
        "ja\n"
    )
    result = _chat(db_url, typed)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert out.count("✓ Tack, svaret är sparat.") == 3
    assert "Okänt kommando: /hopa. Menade du /hoppa?" in out
    assert "Aktiviteterna är bekräftade" in out and "Tack! Dina svar är sparade" in out
    assert _answers(db_url) == {
        "hur_gar_det": PASTED,
        "analys": "Personalbrist",
        "vidare_aktiviteter": "- Ny bemanningsplan (ansvarig: Anna)\n- Hälsosamtal – Omar\n- Friskvård",
    }
    runtime = build_runtime(db_url)
    try:
        activities = runtime.services.activities.activities(WS, "hemtjanst-norr")
    finally:
        runtime.db.dispose()
    assert [(a.title, a.owner, a.status) for a in activities] == [
        ("Ny bemanningsplan", "Anna", "open"),
        ("Hälsosamtal", "Omar", "open"),
        ("Friskvård", None, "open"),
    ]


def test_commands_between_one_line_answers_still_work_through_a_pipe(db_url: str) -> None:
    result = _chat(db_url, "Det går bra\n/hoppa\n/klar\n")
    assert result.returncode == 0, result.stderr
    assert "Frågan hoppades över." in result.stdout
    assert _answers(db_url) == {"hur_gar_det": "Det går bra"}


def test_a_finished_manager_can_come_back_and_change_an_answer(db_url: str) -> None:
    first = _chat(db_url, "Det går bra\n/klar\n")
    assert "Tack! Dina svar är sparade" in first.stdout
    again = _chat(db_url, "/ändra 2 Personalbrist\nsom vi inte\nväntat oss\n\n/klar\n")
    assert again.returncode == 0, again.stderr
    assert "Du deltar inte" not in again.stdout + again.stderr
    assert "Välkommen tillbaka! Du har svarat klart" in again.stdout
    assert "1. Hur går det?\n   Det går bra\n2. Varför är vi där vi är? (analys)" in again.stdout
    assert "Svaret på fråga 2 är uppdaterat." in again.stdout
    assert _answers(db_url) == {
        "hur_gar_det": "Det går bra",
        "analys": "Personalbrist\nsom vi inte\nväntat oss",
    }


def test_a_bracketed_paste_of_three_lines_is_one_answer(db_url: str) -> None:
    """The keys a terminal sends for a paste: ESC [200~ … ESC [201~, lines ended by CR."""
    from bot.console.reader import TerminalReader

    args = build_parser().parse_args(["--db", db_url, "chat", "--as", ANNA])
    screen = io.StringIO()
    out = Console(file=screen, width=200)
    with create_pipe_input() as keys:
        keys.send_text("\x1b[200~" + PASTED.replace("\n", "\r") + "\x1b[201~")
        keys.send_text("\r")  # Enter sends the whole paste
        keys.send_text("Personalbrist\x1b\rsom vi inte väntat oss\r")  # Alt+Enter: a new line
        keys.send_text("\x04")  # Ctrl-D leaves
        assert run_chat(args, out, TerminalReader(input=keys, output=DummyOutput())) == 0
    shown = screen.getvalue()
    assert shown.count("✓ Tack, svaret är sparat.") == 2
    assert "[Fråga 3 av 3]" in shown and "Tack! Dina svar är sparade" not in shown
    assert _answers(db_url) == {
        "hur_gar_det": PASTED,
        "analys": "Personalbrist\nsom vi inte väntat oss",
    }


def _tmux(socket: str, *args: str) -> str:
    done = subprocess.run(
        ["tmux", "-L", socket, *args], capture_output=True, text=True, timeout=20, check=True
    )
    return done.stdout


def _wait_for(socket: str, text: str, timeout: float = 30) -> str:
    """The screen once ``text`` is on it (``"> "``: once the input prompt is the last line)."""
    deadline = time.monotonic() + timeout
    screen = ""
    while time.monotonic() < deadline:
        screen = _tmux(socket, "capture-pane", "-p", "-J", "-t", "chat")
        lines = screen.rstrip().splitlines()
        if text in screen if text != "> " else (lines and lines[-1].strip().rstrip(":") == ">"):
            return screen
        time.sleep(0.2)
    raise AssertionError(f"{text!r} never appeared on the screen:\n{screen}")


@pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")
def test_pasting_three_lines_in_a_real_terminal_answers_one_question(db_url: str) -> None:
    socket = f"dialogbot-test-{uuid.uuid4().hex[:8]}"
    command = f"{sys.executable} -m bot.cli --db {db_url} chat --as {ANNA}; sleep 30"
    try:
        _tmux(
            socket,
            "new-session",
            "-d",
            "-s",
            "chat",
            "-x",
            "200",
            "-y",
            "60",
            "-c",
            str(ROOT),
            command,
        )
        _wait_for(socket, "[Fråga 1 av 3]")
        _wait_for(socket, "> ")
        _tmux(socket, "set-buffer", "-b", "answer", PASTED)
        _tmux(socket, "paste-buffer", "-p", "-d", "-b", "answer", "-t", "chat")
        _tmux(socket, "send-keys", "-t", "chat", "Enter")
        screen = _wait_for(socket, "[Fråga 2 av 3]")
        assert screen.count("Tack, svaret är sparat") == 1 and "[Fråga 3 av 3]" not in screen
        _tmux(socket, "send-keys", "-t", "chat", "C-d")
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and _answers(db_url) != {"hur_gar_det": PASTED}:
            time.sleep(0.2)
        assert _answers(db_url) == {"hur_gar_det": PASTED}
    finally:
        subprocess.run(["tmux", "-L", socket, "kill-server"], capture_output=True, timeout=20)


def test_the_greeting_says_what_is_left_and_the_deadline(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'deadline.db'}"
    runtime = prepare(url, Console(file=io.StringIO()))
    runtime.services.rounds.start_round(
        WS,
        StartRound(
            "avstamning",
            ["Äldreomsorg"],
            "#g",
            level="enhet",
            started_by="U0PROC01",
            deadline_at=parse_deadline("2027-05-14", "Europe/Stockholm"),
        ),
    )
    runtime.db.dispose()
    first = _chat(url, "Det går bra\n")
    assert "3 av 3 frågor kvar, sista dag fredag 14 maj 17:00." in first.stdout
    again = _chat(url, "")
    assert "2 av 3 frågor kvar, sista dag fredag 14 maj 17:00." in again.stdout
