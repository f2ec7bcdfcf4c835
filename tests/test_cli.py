"""The command line, including `dialogbot demo` as a real subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.cli import main
from bot.domain.timeparse import parse_deadline


def test_demo_runs_a_whole_round_and_prints_the_rolled_up_summary(tmp_path: Path) -> None:
    env = {**os.environ, "COLUMNS": "200"}
    env.pop("DIALOGBOT_DATABASE_URL", None)
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli", "demo"],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "# Avstämningsdialog — Socialförvaltningen" in out
    assert "### Socialförvaltningen (Förvaltning) — 4/5 svarat" in out
    assert "#### Äldreomsorg (Avdelning) — 3/3 svarat" in out
    assert "Vi ligger 3 % över budget efter tertial 1 (rättad siffra)" in out
    assert "**Hemtjänst Norr**: *hoppade över*" in out
    assert "- Barn och unga — Elin Karlsson" in out
    assert "Fråga 2 av 3" in out
    assert "outcome: duplicate" in out
    assert not list(tmp_path.iterdir()), "the demo leaves no files behind"


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    assert main(["--db", url, "db", "upgrade"]) == 0
    sample = Path(__file__).resolve().parents[1] / "bot" / "data" / "sample_org.yaml"
    assert main(["--db", url, "org", "import", str(sample)]) == 0
    return url


def test_round_lifecycle_from_the_command_line(
    db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert (
        main(
            [
                "--db",
                db_url,
                "round",
                "start",
                "planering",
                "--units",
                "Grundskola",
                "--level",
                "enhet",
                "--group",
                "#skola",
                "--deadline",
                "2027-04-12",
                "--by",
                "U0PROC01",
            ]
        )
        == 0
    )
    assert (
        "Runda 1 har startat: Planeringsdialog — Grundskola — 2 deltagare."
        in capsys.readouterr().out
    )
    assert main(["--db", db_url, "round", "list"]) == 0
    assert "2027-04-12 17:00" in capsys.readouterr().out
    assert main(["--db", db_url, "round", "show", "1"]) == 0
    out = capsys.readouterr().out
    assert "Björkskolan" in out and "Hassan Ali" in out and "0/5" in out
    assert main(["--db", db_url, "round", "close", "1", "--by", "U0PROC01", "--yes"]) == 0
    assert "Runda 1 är stängd." in capsys.readouterr().out
    assert main(["--db", db_url, "summary", "1", "--format", "mrkdwn"]) == 0
    assert "*Planeringsdialog — Grundskola*" in capsys.readouterr().out


def test_friendly_errors(db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        main(["--db", db_url, "round", "start", "avstamningen", "--units", "x", "--group", "g"])
        == 1
    )
    err = capsys.readouterr().err
    assert "Okänd mall 'avstamningen'. Välj en av:" in err and "avstamning" in err
    assert (
        main(
            [
                "--db",
                db_url,
                "--lang",
                "en",
                "round",
                "start",
                "avstamning",
                "--units",
                "Nowhere",
                "--group",
                "g",
            ]
        )
        == 1
    )
    assert "Unknown unit 'Nowhere'. Known units:" in capsys.readouterr().err
    assert main(["--db", db_url, "round", "close", "99"]) == 1
    assert "Det finns ingen runda 99." in capsys.readouterr().err
    assert (
        main(
            [
                "--db",
                db_url,
                "round",
                "start",
                "avstamning",
                "--units",
                "ifo",
                "--group",
                "g",
                "--by",
                "U0ENHHTN",
            ]
        )
        == 1
    )
    assert "bara processtöd och administratörer" in capsys.readouterr().err


def test_unknown_commands_get_help(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["frobnicate"])
    assert exc.value.code == 2
    assert "ogiltigt val: 'frobnicate'" in capsys.readouterr().err
    assert main([]) == 0
    assert "round" in capsys.readouterr().out


def test_deadlines_are_local_time_across_dst() -> None:
    assert parse_deadline("2027-03-26") == datetime(2027, 3, 26, 16, 0, tzinfo=UTC)
    assert parse_deadline("2027-03-29") == datetime(2027, 3, 29, 15, 0, tzinfo=UTC)
    assert parse_deadline("2027-10-29 09:00") == datetime(2027, 10, 29, 7, 0, tzinfo=UTC)
    assert parse_deadline("2027-11-01 09:00") == datetime(2027, 11, 1, 8, 0, tzinfo=UTC)
