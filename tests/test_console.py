"""The console adapter: a manager's conversation typed in a terminal."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from bot.console.session import ConsoleSession
from bot.domain.commands import StartRound
from bot.services.container import Services

WS = "local"


def session_for(services: Services, template: str, chat_id: str = "U0ENHHTN") -> ConsoleSession:
    started = services.rounds.start_round(
        WS, StartRound(template, ["Äldreomsorg"], "#g", level="enhet", started_by="U0PROC01")
    )
    pid = next(p.participation_id for p, _ in started.participants if p.chat_id == chat_id)
    return ConsoleSession(services, WS, pid, "sv")


def test_commands_skip_back_edit_and_finish(services: Services) -> None:
    chat = session_for(services, "avstamning")
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
    assert services.queries.answers_of(WS, chat.participation_id) == {
        "hur_gar_det": "Det går ännu bättre"
    }


def test_activities_are_read_back_in_plain_text(services: Services) -> None:
    chat = session_for(services, "avstamning")
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


def _statuses(services: Services) -> dict[str, tuple[str, str | None]]:
    return {
        a.title: (a.status, a.owner) for a in services.activities.activities(WS, "hemtjanst-norr")
    }


def test_unknown_commands_get_help_and_are_not_answers(services: Services) -> None:
    chat = session_for(services, "avstamning")
    typo = "\n".join(chat.handle("/hopa").lines)
    assert "Okänt kommando: /hopa. Menade du /hoppa?" in typo and "/hjälp" in typo
    assert "Menade du" not in "\n".join(chat.handle("/foo").lines)
    assert "Okänt kommando: /foo" in chat.handle("/foo").lines[0]
    assert services.queries.answers_of(WS, chat.participation_id) == {}
    assert chat.opening()[0].startswith("[Fråga 1 av 3]")
    # Two slashes answer with text that starts with one.
    chat.handle("//usr är vår nya mapp")
    assert services.queries.answers_of(WS, chat.participation_id) == {
        "hur_gar_det": "/usr är vår nya mapp"
    }


def test_unknown_commands_in_english_suggest_the_english_command(services: Services) -> None:
    chat = session_for(services, "avstamning")
    chat.lang = "en"
    assert "Did you mean /skip?" in chat.handle("/skp").lines[0]


def test_edit_without_a_number_or_text_says_how_to_use_it(services: Services) -> None:
    chat = session_for(services, "avstamning")
    chat.handle("Det går bra")
    for typed in ("/ändra x", "/ändra", "/ändra 1", "/ändra 7 ny text"):
        lines = chat.handle(typed).lines
        assert lines == [
            "Så ändrar du ett svar: /ändra N ny text, där N är frågans nummer (1–3), t.ex. "
            "/ändra 2 Vi har anställt två sjuksköterskor. /svar visar dina svar."
        ], typed
    assert services.queries.answers_of(WS, chat.participation_id) == {"hur_gar_det": "Det går bra"}
    assert chat.handle("/ändra 1 Rad ett\nRad två").lines == ["Svaret på fråga 1 är uppdaterat."]
    assert services.queries.answers_of(WS, chat.participation_id) == {
        "hur_gar_det": "Rad ett\nRad två"
    }


def test_skip_on_an_answered_question_says_so_and_keeps_the_answer(services: Services) -> None:
    chat = session_for(services, "avstamning")
    chat.handle("Det går bra")
    chat.handle("/tillbaka")
    reply = chat.handle("/hoppa")
    assert reply.lines[0] == (
        "Fråga 1 har redan ett svar, och det behålls. Ändra det med /ändra 1 ny text."
    )
    assert "[Fråga 2 av 3]" in reply.lines[-1]
    assert services.queries.answers_of(WS, chat.participation_id) == {"hur_gar_det": "Det går bra"}


def test_the_read_back_list_is_confirmed_before_the_dialog_ends(services: Services) -> None:
    chat = session_for(services, "avstamning")
    chat.handle("Bra")
    chat.handle("Analys")
    reply = chat.handle("Sänka sjukfrånvaron till 6 % (ansvarig: Anna); starta friskvårdsgrupp")
    assert not reply.done and "Skriv ja om listan stämmer" in reply.lines[-1]
    assert "\n• Sänka sjukfrånvaron till 6 % (ansvarig: Anna)\n" in "\n".join(reply.lines)
    assert _statuses(services) == {
        "Sänka sjukfrånvaron till 6 %": ("proposed", "Anna"),
        "starta friskvårdsgrupp": ("proposed", None),
    }
    done = chat.handle("ja")
    assert done.done and done.lines[0].startswith("Aktiviteterna är bekräftade")
    assert "Tack! Dina svar är sparade" in done.lines[-1]
    assert _statuses(services) == {
        "Sänka sjukfrånvaron till 6 %": ("open", "Anna"),
        "starta friskvårdsgrupp": ("open", None),
    }


def test_the_read_back_list_can_be_corrected_or_left_as_a_proposal(services: Services) -> None:
    chat = session_for(services, "avstamning")
    chat.handle("Bra")
    chat.handle("Analys")
    chat.handle("- Ny bemanningsplan\n- Hälsosamtal")
    assert "Okänt kommando" in chat.handle("/stämer").lines[0]
    assert chat.confirming
    assert chat.handle("nej").lines == [
        "Skriv den rättade listan, en aktivitet per rad (eller /hoppa)."
    ]
    fixed = chat.handle("- Ny bemanningsplan – Omar\n- Hälsosamtal med alla\n- Friskvård")
    assert fixed.done and fixed.lines[0].startswith("Listan är rättad (3 st) och följs upp")
    assert _statuses(services) == {
        "Ny bemanningsplan": ("open", "Omar"),
        "Hälsosamtal med alla": ("open", None),
        "Friskvård": ("open", None),
    }
    assert services.queries.answers_of(WS, chat.participation_id)["vidare_aktiviteter"] == (
        "- Ny bemanningsplan\n- Hälsosamtal"
    )

    other = session_for(services, "planering", chat_id="U0ENHHTS")
    while not other.confirming:
        reply = other.handle("- Mål ett\n- Mål två")
        assert not reply.done
    left = other.handle("/hoppa")
    assert left.lines[0].startswith("Listan står kvar som förslag")
    assert not other.confirming


def test_a_finished_manager_comes_back_to_their_answers_and_edits(services: Services) -> None:
    chat = session_for(services, "avstamning")
    chat.handle("Det går bra")
    chat.handle("/klar")
    back = ConsoleSession(services, WS, chat.participation_id, "sv")
    opening = "\n".join(back.opening())
    assert opening.startswith("Välkommen tillbaka! Du har svarat klart")
    assert (
        "1. Hur går det?\n   Det går bra\n2. Varför är vi där vi är? (analys)\n   (inget svar)"
        in (opening)
    )
    assert "/ändra N ny text" in opening
    assert back.handle("Ett nytt svar").lines == [
        "Du har redan svarat klart. Ändra ett svar med /ändra N ny text; /svar visar dina svar "
        "och /klar avslutar."
    ]
    assert back.handle("/ändra 2 Personalbrist").lines == ["Svaret på fråga 2 är uppdaterat."]
    assert "   Personalbrist" in "\n".join(back.handle("/svar").lines)
    assert services.queries.answers_of(WS, chat.participation_id) == {
        "hur_gar_det": "Det går bra",
        "analys": "Personalbrist",
    }
    assert back.handle("/klar").done
