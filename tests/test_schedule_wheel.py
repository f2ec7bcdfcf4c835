"""``dialogbot schedule wheel``: the årshjul picture (bot.schedule.wheel)."""

from __future__ import annotations

import itertools
import re
import xml.etree.ElementTree as ET
from datetime import date
from pathlib import Path

import pytest
from PIL import Image

from bot.cli import main
from bot.schedule.calendar import STOCKHOLM
from bot.schedule.config import load_preset
from bot.schedule.plan import plan_year
from bot.schedule.render import MONTHS
from bot.schedule.wheel import render_wheel, template_phases

SVG = "{http://www.w3.org/2000/svg}"


def _wheel(tmp_path: Path, name: str, *extra: str) -> Path:
    out = tmp_path / name
    assert main(["schedule", "wheel", "--preset", "--year", "2027", "-o", str(out), *extra]) == 0
    return out


def _comments(svg: Path) -> list[str]:
    return re.findall(r"<!-- (.*?) -->", svg.read_text(encoding="utf-8"), re.DOTALL)


def test_the_command_writes_a_png_that_opens_as_an_image(tmp_path: Path) -> None:
    png = _wheel(tmp_path, "arshjul.png")
    with Image.open(png) as image:
        assert image.format == "PNG"
        assert image.width >= 1500 and image.height >= 1500  # readable on A4 at 150 dpi


def test_one_arc_per_planned_round_and_swedish_months(tmp_path: Path) -> None:
    svg = _wheel(tmp_path, "arshjul.svg", "--today", "2027-05-10")
    root = ET.parse(svg).getroot()
    assert root.tag == f"{SVG}svg"
    arcs = [g for g in root.iter(f"{SVG}g") if g.get("id", "").startswith("arc-")]
    assert len(arcs) == len(plan_year(load_preset(), 2027)) == 10
    texts = _comments(svg)
    assert [m for m in texts if m in MONTHS["sv"]] == list(MONTHS["sv"])
    assert not set(MONTHS["en"]) & set(texts)
    assert "idag 10 maj" in texts
    assert any(g.get("id") == "today" for g in root.iter(f"{SVG}g"))


def _labels(svg: Path) -> list[tuple[str, str]]:
    """Two-line labels: a comment per line, phase first."""
    texts = _comments(svg)
    return list(itertools.pairwise(texts))


def test_labels_name_phase_and_levels(tmp_path: Path) -> None:
    labels = _labels(_wheel(tmp_path, "arshjul.svg"))
    assert ("avstämning", "förvaltning → nämnd") in labels
    assert ("planering", "enhet → avdelning") in labels
    assert ("resultat", "nämnd → kommunstyrelsen") in labels


def test_english_months_with_lang_en(tmp_path: Path) -> None:
    out = tmp_path / "wheel.svg"
    assert (
        main(["--lang", "en", "schedule", "wheel", "--preset", "--year", "2027", "-o", str(out)])
        == 0
    )
    texts = _comments(out)
    assert [m for m in texts if m in MONTHS["en"]] == list(MONTHS["en"])
    assert ("follow-up", "administration → committee") in _labels(out)


@pytest.mark.parametrize("suffix", ["png", "svg"])
def test_same_input_gives_the_same_bytes(tmp_path: Path, suffix: str) -> None:
    first = _wheel(tmp_path, f"a.{suffix}", "--today", "2027-03-01").read_bytes()
    second = _wheel(tmp_path, f"b.{suffix}", "--today", "2027-03-01").read_bytes()
    assert first == second


def test_today_outside_the_year_is_not_marked(tmp_path: Path) -> None:
    svg = tmp_path / "w.svg"
    render_wheel(
        plan_year(load_preset(), 2027),
        2027,
        STOCKHOLM,
        svg,
        phases=template_phases(),
        today=date(2026, 11, 29),
    )
    root = ET.parse(svg).getroot()
    assert not any(g.get("id") == "today" for g in root.iter(f"{SVG}g"))


def test_overlapping_rounds_get_separate_tracks() -> None:
    from bot.schedule.wheel import wheel_arcs

    arcs = wheel_arcs(plan_year(load_preset(), 2027), 2027, STOCKHOLM, template_phases())
    by_key = {arc.occurrence_key.split("@")[0]: arc for arc in arcs}
    # planering-avdelning (18 Oct - 8 Nov) overlaps the end of avstamning-ks-t2 (4-18 Oct).
    assert by_key["avstamning-ks-t2"].track != by_key["planering-avdelning"].track
    assert by_key["planering-namnd"].track == 0


def test_bad_file_type_is_a_friendly_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["schedule", "wheel", "--preset", "-o", str(tmp_path / "a.pdf")])
    assert code == 2
    assert "kan sparas som .png eller .svg" in capsys.readouterr().err
    assert not (tmp_path / "a.pdf").exists()


@pytest.mark.parametrize("year", ["99999", "abc", "1066"])
def test_a_year_out_of_range_is_refused_before_drawing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], year: str
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["schedule", "wheel", "--preset", "--year", year, "-o", str(tmp_path / "a.png")])
    assert exit_info.value.code == 2
    assert "väntade ett år mellan 1900 och 2999" in capsys.readouterr().err
    assert not (tmp_path / "a.png").exists()
