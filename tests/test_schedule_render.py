"""Text table and calendar of a planned year (bot.schedule.render)."""

from __future__ import annotations

import pytest

from bot.schedule.calendar import STOCKHOLM
from bot.schedule.config import load_preset
from bot.schedule.plan import PlannedRound, plan_year
from bot.schedule.render import format_year_calendar, format_year_table, level_name


@pytest.fixture(scope="module")
def rounds_2027() -> list[PlannedRound]:
    return plan_year(load_preset(), 2027)


def test_table_sv(rounds_2027: list[PlannedRound]) -> None:
    table = format_year_table(rounds_2027, STOCKHOLM)
    lines = table.splitlines()
    assert lines[0].split() == [
        "Start",
        "Dag",
        "Svar",
        "senast",
        "Mall",
        "Namn",
        "Svarar",
        "→",
        "tar",
        "emot",
    ]
    assert set(lines[1].replace(" ", "")) == {"-"}
    assert len(lines) == 2 + 10
    may = next(line for line in lines if "tertial 1" in line and "nämnd ↔ förvaltning" in line)
    assert may.split()[:7] == [
        "2027-05-03", "09:00", "mån", "2027-05-17", "17:00", "mån", "avstamning",
    ]  # fmt: skip
    assert may.endswith("förvaltning → nämnd")
    feb_ks = lines[3]
    assert feb_ks.split()[:7] == [
        "2027-02-15", "09:00", "mån", "2027-02-25", "17:00", "tors", "resultat",
    ]  # fmt: skip
    assert feb_ks.endswith("nämnd → kommunstyrelsen")
    assert lines[-1].endswith("enhet → avdelning")


def test_table_en(rounds_2027: list[PlannedRound]) -> None:
    table = format_year_table(rounds_2027, STOCKHOLM, lang="en")
    assert table.splitlines()[0].startswith("Start")
    assert "Template" in table and "Deadline" in table
    assert "2027-05-03 09:00  Mon  2027-05-17 17:00 Mon" in table
    assert "administration → committee" in table


def test_table_empty() -> None:
    assert format_year_table([], STOCKHOLM) == "Inga dialogomgångar planerade."
    assert format_year_table([], STOCKHOLM, lang="en") == "No dialog rounds planned."


def test_calendar_sv(rounds_2027: list[PlannedRound]) -> None:
    text = format_year_calendar(rounds_2027, 2027, STOCKHOLM)
    lines = text.splitlines()
    assert lines[0].strip() == "2027"
    assert "januari" in text and "maj" in text and "december" in text
    assert "må ti on to fr lö sö" in text
    # May 2027: Monday 3 starts (*), Monday 17 is a deadline (!).
    assert any(" 3* 4  5  6  7  8  9" in line for line in lines)
    assert any("17!18 19 20 21 22 23" in line for line in lines)
    # 15 February: one round starts and another has its deadline.
    assert any("15#16 17 18 19 20 21" in line for line in lines)
    assert "Teckenförklaring: * = start av dialogomgång, ! = sista svarsdag" in text
    assert "2027-05-03 mån  * startar: Avstämningsdialog nämnd ↔ förvaltning (tertial 1)" in text
    assert (
        "2027-05-17 mån  ! svar senast: Avstämningsdialog nämnd ↔ förvaltning (tertial 1)" in text
    )


def test_calendar_marks_every_start_and_deadline(rounds_2027: list[PlannedRound]) -> None:
    text = format_year_calendar(rounds_2027, 2027, STOCKHOLM)
    grid = text.split("Teckenförklaring")[0]
    # 10 starts and 10 deadlines on 17 distinct days; 3 days carry both.
    assert grid.count("*") == 7
    assert grid.count("!") == 7
    assert grid.count("#") == 3


def test_calendar_en(rounds_2027: list[PlannedRound]) -> None:
    text = format_year_calendar(rounds_2027, 2027, STOCKHOLM, lang="en")
    assert "January" in text and "Mo Tu We Th Fr Sa Su" in text
    assert "Legend: * = round starts, ! = answers due" in text
    assert "2027-02-01 Mon  * starts: Resultatdialog nämnd ↔ förvaltning" in text


def test_calendar_other_year_has_no_marks(rounds_2027: list[PlannedRound]) -> None:
    text = format_year_calendar(rounds_2027, 2028, STOCKHOLM)
    grid = text.split("Teckenförklaring")[0]
    assert "*" not in grid and "!" not in grid
    assert text.endswith("Inga dialogomgångar planerade.")


def test_level_names_and_language() -> None:
    assert level_name("namnd") == "nämnd"
    assert level_name("kommunfullmaktige", "sv") == "kommunfullmäktige"
    assert level_name("forvaltning", "en") == "administration"
    assert level_name("sektion") == "sektion"
    with pytest.raises(ValueError, match="unsupported language"):
        format_year_table([], STOCKHOLM, lang="de")
