"""Units, people and activities in Swedish alphabetical order everywhere a list is shown:
summaries, exports, App Home, ``/dialog`` answers and the command line."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from docx import Document
from fakes.signing import DEFAULT_TEAM_ID, FORM, app_home_opened_event, block_suggestion_body
from support.slack import PROCESS_SUPPORT, SlackHarness

from bot.chain.documents import Table
from bot.chain.export import RoundRecord, build_round_document, export_round
from bot.cli import main
from bot.domain.collation import sort_key, swedish_sorted
from bot.domain.commands import StartRound
from bot.domain.formats import FORMATS
from bot.domain.results import ActivityView
from bot.org_import import parse_yaml
from bot.services.container import Services
from bot.summary import render_summary

NAMES = ["Ängby", "Åsa", "Östra", "Zeta", "aaa", "Ärla", "éclair", "Örebro", "Adam", "adam"]
#: Å, Ä, Ö after Z; é among the e's; the same word in either case side by side.
SWEDISH = ["aaa", "adam", "Adam", "éclair", "Zeta", "Åsa", "Ängby", "Ärla", "Örebro", "Östra"]
#: The three managers of unit Zeta, in Swedish order.
ZETA_MANAGERS = ["Zara Ali", "Åke Berg", "Örjan Ek"]
MANAGERS = ["Alva", "Bror", "Cissi", "Doris", "Egon", "Fanny", "Gösta", "Hilda", "Ivar"]


def org_yaml() -> str:
    """A förvaltning whose enheter have the names above (in an unsorted order)."""
    lines = [
        "people:",
        "  - {id: U0PROC01, name: Petra Lind, roles: [processtod]}",
    ]
    units = ["  - {key: testfv, name: Testförvaltningen, level: forvaltning}"]
    managers = iter(MANAGERS)
    for n, name in enumerate(NAMES):
        if name == "Zeta":
            ids = []
            for m, person in enumerate(reversed(ZETA_MANAGERS)):
                ids.append(f"U0Z{m}")
                lines.append(f"  - {{id: U0Z{m}, name: {person}, roles: [chef]}}")
        else:
            ids = [f"U0M{n}"]
            lines.append(f"  - {{id: U0M{n}, name: {next(managers)}, roles: [chef]}}")
        units.append(
            f"  - {{key: u{n}, name: {name}, level: enhet, parent: testfv, "
            f"managers: [{', '.join(ids)}]}}"
        )
    return "\n".join(["levels:", *LEVELS, *lines, "units:", *units]) + "\n"


LEVELS = [
    "  - {key: forvaltning, name: Förvaltning, manager_title: A-chef}",
    "  - {key: enhet, name: Enhet, manager_title: C-chef}",
]


def in_order(text: str, names: list[str]) -> bool:
    """Whether each name first appears in ``text`` after the one before it."""
    positions = [text.index(name) for name in names]
    return positions == sorted(positions)


def load_org(services: Services, workspace: str) -> None:
    services.organisation.import_org(workspace, parse_yaml(org_yaml(), "order.yaml"), "order.yaml")


def start(services: Services, workspace: str, group: str = "#ledning") -> int:
    started = services.rounds.start_round(
        workspace,
        StartRound(
            "avstamning",
            ["Testförvaltningen"],
            group,
            level="enhet",
            started_by="U0PROC01",
            title="Ordning",
        ),
    )
    return started.round.round_id


def test_the_collation_key_sorts_as_a_swedish_reader_expects() -> None:
    assert swedish_sorted(NAMES, str) == SWEDISH
    assert swedish_sorted(ZETA_MANAGERS[::-1], str) == ZETA_MANAGERS
    assert sort_key("Zeta") < sort_key("Åsa") < sort_key("Ängby") < sort_key("Östra")
    # Ø is a Swedish Ö, Ü a Y; V and W are separate letters.
    assert swedish_sorted(["Örebro", "Ødegaard", "Oskar", "Ölme"], str) == [
        "Oskar",
        "Ødegaard",
        "Ölme",
        "Örebro",
    ]
    assert swedish_sorted(["Yvonne", "Üllar", "Wilma", "Vera"], str) == [
        "Vera",
        "Wilma",
        "Üllar",
        "Yvonne",
    ]


def test_summaries_and_exports_list_units_and_people_in_swedish_order(
    make_services: Callable[[], Services],
) -> None:
    services = make_services()
    load_org(services, "order")
    round_id = start(services, "order")
    for unit in services.queries.status("order", round_id).units:
        for p in unit.participants:
            if p.name not in ZETA_MANAGERS[1:]:  # two of Zeta's managers do not answer
                services.answering.reply(
                    "order", p.participation_id, f"Svar från {p.name}", p.chat_id
                )
    services.rounds.close_round("order", round_id)
    summary = services.queries.summary("order", round_id)

    for fmt in FORMATS:
        rendered = render_summary(summary, fmt)
        assert in_order(rendered, SWEDISH), fmt
        assert in_order(rendered, ZETA_MANAGERS[1:]), fmt
    assert [r.unit_name for r in summary.rates][1:] == SWEDISH
    assert [m.person_name for m in summary.missing] == ZETA_MANAGERS[1:]

    html = export_round(services, "order", round_id, "html")[0].decode("utf-8")
    rates_table = html[html.index('<table class="tree">') :]
    assert in_order(rates_table, SWEDISH)
    cells = [
        c.text
        for table in Document(
            io.BytesIO(export_round(services, "order", round_id, "docx")[0])
        ).tables
        for row in table.rows
        for c in row.cells
    ]
    assert [c for c in cells if c in NAMES] == SWEDISH


def test_app_home_status_and_the_start_form_list_units_in_swedish_order(
    slack: SlackHarness,
) -> None:
    load_org(slack.services, DEFAULT_TEAM_ID)
    start(slack.services, DEFAULT_TEAM_ID, "C0LEDNING")

    slack.command("status")
    status = slack.responses()[-1]
    assert in_order(status, SWEDISH)
    assert in_order(status, ZETA_MANAGERS)

    slack.event(app_home_opened_event(user=PROCESS_SUPPORT))
    home = json.dumps(
        slack.fake.delivered("views.publish")[-1].arg_json("view"), ensure_ascii=False
    )
    assert in_order(home, [f"{name}:" for name in SWEDISH])

    # the start form's units, as listed when the field is opened (nothing typed yet)
    typed = block_suggestion_body(
        action_id="value",
        block_id="units",
        value="",
        user_id=PROCESS_SUPPORT,
        team_id=DEFAULT_TEAM_ID,
        view={"callback_id": "dialog_start"},
    )
    labels = [o["text"]["text"] for o in slack.signed(typed, FORM).json()["options"]]
    ours = [label.removesuffix(" (Enhet)") for label in labels if label.endswith("(Enhet)")]
    assert [name for name in ours if name in NAMES] == SWEDISH
    assert labels == swedish_sorted(labels, str)


def test_the_command_line_lists_units_and_people_in_swedish_order(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'order.db'}"
    org = tmp_path / "order.yaml"
    org.write_text(org_yaml(), encoding="utf-8")
    assert main(["--db", url, "db", "upgrade"]) == 0
    assert main(["--db", url, "org", "import", str(org)]) == 0
    args = ["--db", url, "round", "start", "avstamning", "--units", "Testförvaltningen"]
    assert main([*args, "--level", "enhet", "--group", "#g", "--by", "U0PROC01"]) == 0
    capsys.readouterr()
    assert main(["--db", url, "round", "show", "1"]) == 0
    shown = capsys.readouterr().out
    assert in_order(shown, SWEDISH)
    assert in_order(shown, ZETA_MANAGERS)


def test_the_command_line_prints_user_text_with_brackets_literally(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'brackets.db'}"
    org = tmp_path / "order.yaml"
    org.write_text(org_yaml(), encoding="utf-8")
    assert main(["--db", url, "db", "upgrade"]) == 0
    assert main(["--db", url, "org", "import", str(org)]) == 0
    args = ["--db", url, "round", "start", "avstamning", "--units", "Zeta", "--group", "#g"]
    assert main([*args, "--by", "U0PROC01", "--title", "Plan [/] [bold]2027[/bold]"]) == 0
    capsys.readouterr()
    assert main(["--db", url, "round", "list"]) == 0
    assert main(["--db", url, "round", "show", "1"]) == 0
    out = capsys.readouterr().out
    assert out.count("Plan [/] [bold]2027[/bold]") == 2


def _activity(n: int, unit: str, title: str) -> ActivityView:
    when = datetime(2027, 5, 3, 7, n, tzinfo=UTC)
    return ActivityView(n, f"u{n}", unit, 1, "q", title, None, "in_progress", "", when, when)


@pytest.mark.parametrize("anonymous", [False, True])
def test_exported_activity_tables_are_in_swedish_order(
    make_services: Callable[[], Services], anonymous: bool
) -> None:
    services = make_services()
    load_org(services, "order")
    started = services.rounds.start_round(
        "order",
        StartRound(
            "avstamning", ["Zeta"], "#g", started_by="U0PROC01", anonymous=anonymous, title="T"
        ),
    )
    services.rounds.close_round("order", started.round.round_id)
    # Stored in the order the activities were followed up, units interleaved.
    items = [
        _activity(1, "Östra", "Öka bemanningen"),
        _activity(2, "Zeta", "Zonindelning"),
        _activity(3, "Åsa", "Ändra rutiner"),
        _activity(4, "Zeta", "Arbetsmiljö"),
        _activity(5, "Ängby", "Åtgärda brister"),
    ]
    record = RoundRecord(
        services.queries.summary("order", started.round.round_id),
        activities=items,
        followups=[(a, "in_progress", "") for a in items],
        evaluation=None,
    )
    tables = [b for b in build_round_document(record, "nu").blocks if isinstance(b, Table)]
    if anonymous:  # the words' order, which says nothing about whose they are
        (activities_table,) = tables  # follow-ups are only counted (they name units' activities)
        assert [row[-3] for row in activities_table.rows] == [
            "Arbetsmiljö", "Zonindelning", "Åtgärda brister", "Ändra rutiner", "Öka bemanningen"
        ]  # fmt: skip
    else:
        assert [row[0] for row in tables[-1].rows] == ["Zeta", "Zeta", "Åsa", "Ängby", "Östra"]
        assert [row[0] for row in tables[-2].rows] == ["Zeta", "Zeta", "Åsa", "Ängby", "Östra"]
        assert [row[1] for row in tables[-2].rows][:2] == ["Zonindelning", "Arbetsmiljö"]
