"""``dialogbot history``: every answer of a period as CSV or Excel (bot.history)."""

from __future__ import annotations

import csv
import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook
from PIL import Image

from bot.cli import main
from bot.clock import FixedClock
from bot.domain.commands import StartRound
from bot.domain.templates import TemplateCatalog
from bot.services.container import Services, build_services
from storage.db import make_engine, make_session_factory

WS = "local"
_keys = itertools.count()


@dataclass
class Org:
    url: str
    services: Services
    clock: FixedClock


@pytest.fixture
def org(tmp_path: Path) -> Iterator[Org]:
    """A migrated SQLite file with the sample organisation, and an engine on it."""
    url = f"sqlite:///{tmp_path / 'history.db'}"
    assert main(["--db", url, "db", "upgrade"]) == 0
    sample = Path(__file__).resolve().parents[1] / "bot" / "data" / "sample_org.yaml"
    assert main(["--db", url, "org", "import", str(sample)]) == 0
    clock = FixedClock(datetime(2026, 3, 2, 8, tzinfo=UTC))
    db = make_engine(url)
    yield Org(url, build_services(make_session_factory(db), TemplateCatalog.load(), clock), clock)
    db.dispose()


def run_round(
    org: Org,
    when: datetime,
    template: str,
    answers: dict[str, list[str]],
    anonymous: bool = False,
    followups: tuple[str, ...] = (),
    close: bool = True,
) -> int:
    """Start a round for Äldreomsorg's enheter at ``when``, answer per unit key, close it
    (unless ``close`` is false).

    Open activities are followed up with ``followups`` in order, then with "klar".
    """
    org.clock.set(when)
    started = org.services.rounds.start_round(
        WS, StartRound(template, ["aldreomsorg"], "#g", level="enhet", anonymous=anonymous)
    )
    for participant, prompt in started.participants:
        texts = answers.get(participant.unit_key)
        if texts is None:
            continue
        pid = participant.participation_id
        replies = list(followups)
        while prompt.followup is not None:
            reply = replies.pop(0) if replies else "klar"
            following = org.services.answering.reply(WS, pid, reply, f"k{next(_keys)}").prompt
            assert following is not None
            prompt = following
        for text in texts:
            org.services.answering.reply(WS, pid, text, f"k{next(_keys)}")
    if close:
        org.services.rounds.close_round(WS, started.round.round_id)
    return started.round.round_id


@pytest.fixture
def history_org(org: Org) -> Org:
    run_round(
        org,
        datetime(2026, 3, 2, 8, tzinfo=UTC),
        "planering",
        {
            "hemtjanst-norr": ["Uppdraget är hemtjänst", "=SUMMA(A1:A3)"],
            "hemtjanst-syd": ["Vi är 40 anställda"],
        },
    )
    run_round(
        org,
        datetime(2027, 5, 3, 7, tzinfo=UTC),
        "avstamning",
        {
            "hemtjanst-norr": ["Hemligt från norr"],
            "hemtjanst-syd": ["Hemligt från syd"],
            "solgarden": ["Hemligt från Solgården"],
        },
        anonymous=True,
    )
    run_round(
        org, datetime(2028, 2, 7, 8, tzinfo=UTC), "resultat", {"hemtjanst-norr": ["För sent"]}
    )
    return org


def history(org: Org, out: Path, *extra: str) -> int:
    return main(
        [
            "--db",
            org.url,
            "history",
            "--from",
            "2026-01-01",
            "--to",
            "2027-12-31",
            "-o",
            str(out),
            *list(extra),
        ]
    )


def read_csv(path: Path) -> list[list[str]]:
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs to read UTF-8
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.reader(handle, delimiter=";"))


def test_csv_has_every_answer_of_the_period_and_hides_the_anonymous(
    history_org: Org, tmp_path: Path
) -> None:
    for when, close in (
        (datetime(2027, 9, 6, 7, tzinfo=UTC), True),
        (datetime(2027, 10, 4, 7, tzinfo=UTC), False),
    ):
        # Two respondents, fewer than k = 3: their texts are never shown, closed or not.
        run_round(
            history_org,
            when,
            "avstamning",
            {"hemtjanst-norr": ["Under k från norr"], "solgarden": ["Under k från Solgården"]},
            anonymous=True,
            close=close,
        )
    out = tmp_path / "historik.csv"
    assert history(history_org, out) == 0
    header, *rows = read_csv(out)
    assert header == [
        "Omgång", "Rubrik", "Fas", "Mall", "Startade", "Enhet", "Nivå", "Chef", "Nr",
        "Fråga", "Svar", "Besvarad",
    ]  # fmt: skip
    named = [r for r in rows if r[2] == "planering"]
    assert [(r[5], r[7], r[8], r[10]) for r in named] == [
        ("Hemtjänst Norr", "Anna Andersson", "1", "Uppdraget är hemtjänst"),
        ("Hemtjänst Norr", "Anna Andersson", "2", "'=SUMMA(A1:A3)"),  # no formula in Excel
        ("Hemtjänst Syd", "Björn Svensson", "1", "Vi är 40 anställda"),
    ]
    assert named[0][4] == "2026-03-02" and named[0][6] == "Enhet"
    assert named[0][11].startswith("2026-03-02 09:00")  # local time (CET)
    anonymous = [r for r in rows if r[2] == "avstämning"]
    assert [r[10] for r in anonymous] == [
        "Hemligt från norr", "Hemligt från Solgården", "Hemligt från syd",
    ]  # fmt: skip
    for row in anonymous:
        # Pooled at the lowest unit with three respondents, as in the round's summary.
        assert row[5] == "Sammanslaget: Äldreomsorg" and row[6] == "Avdelning"
        assert row[7] == "" and row[11] == ""  # no person, no time that could point one out
    assert not any(
        "Hemtjänst Norr" in cell or "Solgården" in cell for r in anonymous for cell in r[:10]
    )
    text = out.read_text(encoding="utf-8-sig")
    assert "För sent" not in text  # 2028 is outside the period
    assert "Under k" not in text


def test_xlsx_has_a_sheet_per_round_with_frozen_headers(history_org: Org, tmp_path: Path) -> None:
    out = tmp_path / "historik.xlsx"
    assert history(history_org, out) == 0
    workbook = load_workbook(out)
    assert len(workbook.sheetnames) == 2
    planering, avstamning = (workbook[name] for name in workbook.sheetnames)
    assert planering.title.endswith("planering 2026-03-02")
    assert planering.freeze_panes == "A3"
    assert planering.cell(row=2, column=11).value == "Svar"
    rows = list(planering.iter_rows(min_row=3, values_only=True))
    assert [(r[5], r[8], r[10]) for r in rows] == [
        ("Hemtjänst Norr", 1, "Uppdraget är hemtjänst"),
        ("Hemtjänst Norr", 2, "=SUMMA(A1:A3)"),  # as typed, stored as text
        ("Hemtjänst Syd", 1, "Vi är 40 anställda"),
    ]
    assert planering.cell(row=4, column=11).data_type == "s"
    assert rows[0][11] == datetime(2026, 3, 2, 9, 0)
    secret = list(avstamning.iter_rows(min_row=3, values_only=True))
    assert {r[10] for r in secret} == {
        "Hemligt från norr", "Hemligt från syd", "Hemligt från Solgården",
    }  # fmt: skip
    assert {(r[5], r[7], r[11]) for r in secret} == {("Sammanslaget: Äldreomsorg", None, None)}


def test_unit_and_template_filters(
    history_org: Org, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "norr.csv"
    assert history(history_org, out, "--unit", "Hemtjänst Norr") == 0
    rows = read_csv(out)[1:]
    assert {r[5] for r in rows} == {"Hemtjänst Norr"}
    assert not any("Hemligt" in r[10] for r in rows)  # the anonymous round is left out
    assert "1 anonyma omgångar togs inte med" in capsys.readouterr().out

    out = tmp_path / "avstamning.csv"
    assert history(history_org, out, "--template", "Avstämning") == 0
    assert {r[2] for r in read_csv(out)[1:]} == {"avstämning"}


def test_bad_input_is_a_friendly_error(
    org: Org, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert history(org, tmp_path / "x.pdf") == 2
    assert "kan sparas som .csv eller .xlsx" in capsys.readouterr().err
    assert history(org, tmp_path / "x.csv", "--unit", "Hemtjänst Väst") == 1
    assert "Hemtjänst Väst" in capsys.readouterr().err
    code = main(
        ["--db", org.url, "history", "--from", "2027-02-01", "--to", "2027-01-01", "-o", "x.csv"]
    )
    assert code == 2
    assert "ligger före" in capsys.readouterr().err


def test_an_empty_period_still_gives_a_file_that_opens(org: Org, tmp_path: Path) -> None:
    out = tmp_path / "tom.xlsx"
    assert history(org, out) == 0
    workbook = load_workbook(out)
    assert workbook.sheetnames == ["Inga svar"]


def test_response_rates_per_unit_and_round_hide_anonymous_units(
    services: Services, clock: FixedClock
) -> None:
    """The service on every backend: units × rounds, totals, anonymous cells hidden."""
    org = Org("", services, clock)
    run_round(org, datetime(2027, 3, 1, 8, tzinfo=UTC), "planering", {"hemtjanst-norr": ["a"] * 5})
    run_round(
        org,
        datetime(2027, 9, 6, 7, tzinfo=UTC),
        "avstamning",
        {"hemtjanst-syd": ["b"] * 3},
        anonymous=True,
    )
    run_round(org, datetime(2028, 1, 10, 8, tzinfo=UTC), "resultat", {})
    table = services.history.response_rates(WS, 2027)
    assert [r.phase for r in table.rounds] == ["planering", "avstämning"]
    assert table.units == ["Hemtjänst Norr", "Hemtjänst Syd", "Särskilt boende Solgården"]
    planering = [row[0] for row in table.cells]
    assert [(c.finished, c.participants) for c in planering if c] == [(1, 1), (0, 1), (0, 1)]
    # The anonymous round gives no figure of a single unit, nor a row for the unit it
    # pooled its answers at: only its total.
    assert all(
        row[1] is not None and row[1].hidden and row[1].finished == row[1].participants == 0
        for row in table.cells
    )
    assert [(c.finished, c.participants) for c in table.totals] == [(1, 3), (1, 3)]


def test_rates_command_prints_a_table_and_draws_a_heat_map(
    org: Org, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run_round(org, datetime(2027, 3, 1, 8, tzinfo=UTC), "planering", {"hemtjanst-norr": ["a"] * 5})
    run_round(org, datetime(2027, 5, 3, 7, tzinfo=UTC), "avstamning", {"solgarden": ["b"] * 3})
    out = tmp_path / "rates.png"
    assert main(["--db", org.url, "history", "rates", "--year", "2027", "-o", str(out)]) == 0
    printed = capsys.readouterr().out
    norr = next(line for line in printed.splitlines() if "Hemtjänst Norr" in line)
    assert norr.split("│")[2:4] == [" 100 %      ", " 0 %        "]
    assert "33 % (1/3)" in printed
    with Image.open(out) as image:
        assert image.format == "PNG" and image.height > 600
    first = out.read_bytes()
    assert main(["--db", org.url, "history", "rates", "--year", "2027", "-o", str(out)]) == 0
    assert out.read_bytes() == first
    assert main(["--db", org.url, "history", "rates", "--year", "2030"]) == 0
    assert "Inga dialogomgångar startade 2030" in capsys.readouterr().out


def test_activities_over_the_year_count_the_status_at_the_end_of_each_year(
    services: Services, clock: FixedClock
) -> None:
    org = Org("", services, clock)
    plan = ["Uppdrag", "Nuläge", "Ram", "- Bemanning\n- Hälsosamtal\n- Nyckelsystem", "Kvalitet"]
    run_round(org, datetime(2027, 3, 1, 8, tzinfo=UTC), "planering", {"hemtjanst-norr": plan})
    run_round(org, datetime(2027, 3, 1, 9, tzinfo=UTC), "planering", {"hemtjanst-syd": plan})
    run_round(
        org,
        datetime(2027, 5, 3, 7, tzinfo=UTC),
        "avstamning",
        {"hemtjanst-norr": ["Läget", "Analys"]},
        followups=("klar", "pågår", "stoppad – ingen budget"),
    )
    run_round(
        org,
        datetime(2028, 2, 7, 8, tzinfo=UTC),
        "avstamning",
        {"hemtjanst-norr": ["Läget", "Analys"]},
        followups=("klar",),
    )

    year = services.history.activity_overview(WS, 2027)
    assert [(u.name, u.counts) for u in year.units] == [
        ("Hemtjänst Norr", {"planned": 0, "in_progress": 1, "done": 1, "stopped": 1}),
        ("Hemtjänst Syd", {"planned": 3, "in_progress": 0, "done": 0, "stopped": 0}),
    ]
    assert year.total.counts == {"planned": 3, "in_progress": 1, "done": 1, "stopped": 1}
    assert year.total.total == 6
    # 2028: what was closed in 2027 is gone; Hälsosamtal was finished in February.
    later = services.history.activity_overview(WS, 2028, unit="hemtjanst-norr")
    assert [(u.name, u.counts) for u in later.units] == [
        ("Hemtjänst Norr", {"planned": 0, "in_progress": 0, "done": 1, "stopped": 0}),
    ]
    assert services.history.activity_overview(WS, 2026).units == []


def test_activities_command_prints_counts_and_draws_one_chart(
    org: Org, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    plan = ["Uppdrag", "Nuläge", "Ram", "- Bemanning\n- Hälsosamtal", "Kvalitet"]
    run_round(org, datetime(2027, 3, 1, 8, tzinfo=UTC), "planering", {"hemtjanst-norr": plan})
    out = tmp_path / "aktiviteter.png"
    args = ["--db", org.url, "history", "activities", "--year", "2027", "-o", str(out)]
    assert main(args) == 0
    printed = capsys.readouterr().out
    norr = next(line for line in printed.splitlines() if "Hemtjänst Norr" in line)
    assert [cell.strip() for cell in norr.split("│")[1:-1]] == [
        "Hemtjänst Norr", "2", "0", "0", "0", "2",
    ]  # fmt: skip
    with Image.open(out) as image:
        assert image.format == "PNG"
    first = out.read_bytes()
    assert main(args) == 0
    assert out.read_bytes() == first
    assert main([*args[:-2], "-o", str(tmp_path / "a.gif")]) == 2


def test_activities_of_an_anonymous_round_count_under_its_pool_never_a_unit(
    services: Services, clock: FixedClock
) -> None:
    org = Org("", services, clock)
    plan = ["Uppdrag", "Nuläge", "Ram", "- Bemanning", "Kvalitet"]
    run_round(org, datetime(2027, 3, 1, 8, tzinfo=UTC), "planering", {"hemtjanst-norr": plan})
    everyone = {
        unit: ["Uppdrag", "Nuläge", "Ram", f"- Hemlig plan {n}", "Kvalitet"]
        for n, unit in enumerate(("hemtjanst-norr", "hemtjanst-syd", "solgarden"))
    }
    round_id = run_round(
        org, datetime(2027, 9, 6, 7, tzinfo=UTC), "planering", everyone, anonymous=True, close=False
    )
    norr_only = [("Hemtjänst Norr", {"planned": 1, "in_progress": 0, "done": 0, "stopped": 0})]
    # While the round is open its activities still point at units: they are not counted.
    assert [
        (u.name, u.counts) for u in services.history.activity_overview(WS, 2027).units
    ] == norr_only

    services.rounds.close_round(WS, round_id)
    year = services.history.activity_overview(WS, 2027)
    assert [(u.name, u.counts) for u in year.units] == [
        ("Sammanslaget: Äldreomsorg", {"planned": 3, "in_progress": 0, "done": 0, "stopped": 0}),
        *norr_only,
    ]
    assert year.total.total == 4
    norr = services.history.activity_overview(WS, 2027, unit="hemtjanst-norr")
    assert [(u.name, u.counts) for u in norr.units] == norr_only
