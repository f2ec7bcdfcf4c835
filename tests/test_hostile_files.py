"""Hostile and broken files through the command line: `org import`, `schedule import`,
`schedule show`, `templates validate`. Each gets a non-zero exit and one clear line per
problem, never a traceback, a hang or gigabytes of memory."""

from __future__ import annotations

import logging
import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from bot.cli import main
from bot.domain.text_input import KEY_MAX, NAME_MAX, REF_MAX, TITLE_MAX

SAMPLE = Path(__file__).resolve().parents[1] / "bot" / "data" / "sample_org.yaml"

#: 352 bytes that a plain YAML loader expands into 9**9 list items (the issue had 649).
ALIAS_BOMB = (
    'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    "b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
    "c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n"
    "d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n"
    "e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\n"
    "f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\n"
    "g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]\n"
    "h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]\n"
    "i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]\n"
    "units: *i\n"
)


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    assert main(["--db", url, "db", "upgrade"]) == 0
    assert main(["--db", url, "org", "import", str(SAMPLE)]) == 0
    return url


def run(
    args: list[str], capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> tuple[int, str]:
    """Run the CLI in-process; return its exit code and stderr, and check that nothing
    was logged with a traceback."""
    capsys.readouterr()
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        code = main(args)
    assert not [r for r in caplog.records if r.exc_info], "a traceback was logged"
    return code, capsys.readouterr().err


def run_process(args: list[str], timeout: float = 30) -> subprocess.CompletedProcess[str]:
    """Run the CLI as a process with a deadline and a 1 GB memory cap, so a regression
    fails the test instead of hanging CI or exhausting the machine."""

    def limit() -> None:  # pragma: no cover - runs in the child
        resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))

    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        preexec_fn=limit,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )


def write(tmp_path: Path, name: str, content: str | bytes) -> str:
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return str(path)


def test_alias_bombs_are_refused_quickly_in_every_user_file(db_url: str, tmp_path: Path) -> None:
    assert len(ALIAS_BOMB.encode()) < 700
    bomb = write(tmp_path, "bomb.yaml", ALIAS_BOMB)
    for command, expected in (
        (["org", "import", bomb], "ankare och alias (& och *) är inte tillåtna"),
        (["--lang", "en", "org", "import", bomb], "anchors and aliases (& and *) are not allowed"),
        (["schedule", "import", bomb], "ankare och alias (& och *) är inte tillåtna"),
        (
            ["--lang", "en", "schedule", "import", bomb],
            "anchors and aliases (& and *) are not allowed",
        ),
    ):
        result = run_process(["--db", db_url, *command])
        assert result.returncode == 1, result.stderr
        assert expected in result.stderr
        assert "Traceback" not in result.stderr
    template_dir = tmp_path / "templates"
    template_dir.mkdir()
    write(template_dir, "bomb.yaml", ALIAS_BOMB)
    result = run_process(["templates", "validate", str(template_dir)])
    assert result.returncode == 1
    assert "ankare och alias (& och *) är inte tillåtna" in result.stdout + result.stderr
    result = run_process(["--lang", "en", "templates", "validate", str(template_dir)])
    assert result.returncode == 1
    assert "anchors and aliases (& and *) are not allowed" in result.stdout + result.stderr


@pytest.mark.parametrize(
    ("name", "content", "swedish", "english"),
    [
        (
            "latin1.yaml",
            "units:\n  - {name: Hemtjänst, level: enhet}\n".encode("latin-1"),
            "inte UTF-8-text (byte 24, rad 2); spara filen som UTF-8",
            "not UTF-8 text (byte 24, line 2); save the file as UTF-8",
        ),
        (
            "dup-levels.yaml",
            "levels:\n  - {key: enhet, name: Enhet}\n  - {key: enhet, name: Enhet 2}\n",
            "nivå 2 under levels: nivånyckeln 'enhet' finns redan",
            "level 2 under levels: duplicate level key 'enhet'",
        ),
        (
            "dup-yaml-key.yaml",
            "units:\n  - {key: a, name: A, level: enhet, name: B}\n",
            "rad 2: nyckeln 'name' förekommer mer än en gång (varje nyckel får finnas en gång)",
            "line 2: duplicate key 'name' (each key may appear once)",
        ),
        (
            "dup-section.yaml",
            "people: []\nunits: []\npeople: []\n",
            "rad 3: nyckeln 'people' förekommer mer än en gång",
            "line 3: duplicate key 'people'",
        ),
        (
            "units-5.yaml",
            "units: 5\n",
            "avsnittet units: ska vara en lista av mappningar, inte ett tal",
            "section units: expected a list of mappings, got a number",
        ),
        (
            "dict-name.yaml",
            "units:\n  - {name: {sv: Hemtjänst}, level: enhet}\n",
            "enhet 1 under units, fältet name: ska vara en text, inte en mappning",
            "unit 1 under units, field name: expected text, got a mapping",
        ),
        (
            "dict-roles.yaml",
            "people:\n  - {id: U1, name: X, roles: {chef: true}}\n",
            "person 1 under people, fältet roles: ska vara en lista, inte en mappning",
            "person 1 under people, field roles: expected a list, got a mapping",
        ),
        (
            "list-roles.yaml",
            "people:\n  - {id: U1, name: X, roles: [chef, {x: 1}]}\n",
            "person 1 under people, fältet roles: ska vara en lista av texter men innehåller en mappning",
            "person 1 under people, field roles: expected a list of text, found a mapping",
        ),
        (
            "dup-people.yaml",
            "people:\n  - {id: U0NEW1, name: Nils, roles: [chef]}\n  - {id: U0NEW1, name: Nisse, roles: [chef]}\n",
            "person 2 (U0NEW1) under people: personen 'U0NEW1' finns redan (varje id får förekomma en gång)",
            "person 2 (U0NEW1) under people: duplicate person 'U0NEW1' (each id may appear once)",
        ),
        (
            "big-field.csv",
            "key,name,level,parent,managers\nx," + "N" * 200_000 + ",enhet,,\n",
            "rad 2: CSV-filen går inte att läsa: ett fält är längre än 10000 tecken",
            "row 2: cannot read the CSV: field larger than field limit (10000 characters)",
        ),
        (
            "nested.yaml",
            "units: " + "[" * 200 + "]" * 200 + "\n",
            "rad 1: nästlad mer än 32 nivåer djupt",
            "line 1: nested more than 32 levels deep",
        ),
        (
            "bad-header.csv",
            "namn,chef\nHemtjänst,U1\n",
            "rubrikraden måste ha 'level' (en fil med enheter: key,name,level,parent,managers)",
            "header must have 'level' (a units file: key,name,level,parent,managers)",
        ),
        (
            "not-mapping.yaml",
            "- units\n",
            "filen ska vara en mappning med levels, people och units",
            "expected a mapping with levels, people and units",
        ),
        (
            "unit-shape.yaml",
            "units:\n  - Hemtjänst\n",
            "enhet 1 under units: ska vara en mappning med name, level, parent och managers",
            "unit 1 under units: expected a mapping with name, level, parent, managers",
        ),
        (
            "person-shape.yaml",
            "people:\n  - U1\n",
            "person 1 under people: ska vara en mappning med id, name och roles",
            "person 1 under people: expected a mapping with id, name, roles",
        ),
        (
            "level-shape.yaml",
            "levels:\n  - {name: Enhet}\n",
            "nivå 1 under levels: behöver key och name",
            "level 1 under levels: needs key and name",
        ),
        (
            "syntax.yaml",
            "units:\n  - {name: A, level: enhet\n",
            "inte giltig YAML på rad 3, kolumn 1; kontrollera indrag, kolon och citattecken där",
            "not valid YAML at line 3, column 1: expected ',' or '}', but got '<stream end>'",
        ),
        (
            "control.yaml",
            "units: []\n\x07\n",
            "inte giltig YAML: tecknet #x0007 på position 10 är inte tillåtet",
            "not valid YAML: character #x0007 at position 10 is not allowed",
        ),
        (
            "anchor.yaml",
            "units: &a []\n",
            "rad 1: ankare och alias (& och *) är inte tillåtna; skriv ut värdet",
            "line 1: anchors and aliases (& and *) are not allowed; write the value out",
        ),
        (
            "no-id.yaml",
            "people:\n  - {name: Nils, roles: [chef]}\n",
            "person 1 (?) under people: id (chattidentitet) måste anges",
            "person 1 (?) under people: id (chat identity) is required",
        ),
        (
            "lang.yaml",
            "people:\n  - {id: U0NEW1, name: Nils, roles: [chef], lang: de}\n",
            "person 1 (U0NEW1) under people: lang ska vara en av sv, en, inte 'de'",
            "person 1 (U0NEW1) under people: lang must be one of sv, en, got 'de'",
        ),
        (
            "no-name.csv",
            "id,name,roles,lang\nU0NEW1,,chef,sv\n",
            "rad 2 (U0NEW1): name måste anges",
            "row 2 (U0NEW1): name is required",
        ),
        (
            "dup-unit.csv",
            "key,name,level,parent\nx,Ett,enhet,aldreomsorg\nx,Två,enhet,aldreomsorg\n",
            "rad 3: enhetsnyckeln 'x' finns redan",
            "row 3: duplicate unit key 'x'",
        ),
    ],
)
def test_broken_org_files_get_one_clear_line(
    db_url: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
    name: str,
    content: str | bytes,
    swedish: str,
    english: str,
) -> None:
    path = write(tmp_path, name, content)
    code, err = run(["--db", db_url, "org", "import", path], capsys, caplog)
    assert code == 1
    assert swedish in err
    assert len(err.strip().splitlines()) == 2  # "file:" and the one problem
    code, err = run(["--db", db_url, "--lang", "en", "org", "import", path], capsys, caplog)
    assert code == 1
    assert english in err
    assert len(err.strip().splitlines()) == 2


def test_a_missing_or_unreadable_org_file_is_named_in_the_language_of_the_run(
    db_url: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    missing = str(tmp_path / "nope.yaml")
    code, err = run(["--db", db_url, "org", "import", missing], capsys, caplog)
    assert code == 1 and err == f"{missing}:\n  filen går inte att läsa: den finns inte\n"
    code, err = run(["--db", db_url, "--lang", "en", "org", "import", missing], capsys, caplog)
    assert code == 1 and err == f"{missing}:\n  cannot read file: it does not exist\n"
    folder = str(tmp_path)
    code, err = run(["--db", db_url, "org", "import", folder], capsys, caplog)
    assert code == 1 and err == f"{folder}:\n  filen går inte att läsa: det är en mapp\n"
    code, err = run(["--db", db_url, "--lang", "en", "org", "import", folder], capsys, caplog)
    assert code == 1 and err == f"{folder}:\n  cannot read file: it is a folder\n"


def test_files_over_the_size_cap_are_refused_unread(
    db_url: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    path = write(tmp_path, "huge.yaml", "# " + "x" * (3 * 1024 * 1024) + "\nunits: []\n")
    code, err = run(["--db", db_url, "org", "import", path], capsys, caplog)
    assert code == 1 and "filen är större än 2048 KB; dela upp den" in err
    code, err = run(["--db", db_url, "--lang", "en", "org", "import", path], capsys, caplog)
    assert code == 1 and "file is larger than 2048 KB; split it" in err
    code, err = run(["--db", db_url, "schedule", "import", path], capsys, caplog)
    assert code == 1 and "filen är större än 256 KB" in err
    code, err = run(["--db", db_url, "--lang", "en", "schedule", "import", path], capsys, caplog)
    assert code == 1 and "file is larger than 256 KB" in err


def test_names_longer_than_the_database_holds_are_refused_on_every_backend(
    db_url: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    long_name, long_key, long_ref = "N" * (NAME_MAX + 1), "k" * (KEY_MAX + 1), "C" * (REF_MAX + 1)
    path = write(
        tmp_path,
        "long.csv",
        "key,name,level,parent,managers,channel\n"
        f"ok,{long_name},enhet,aldreomsorg,,\n"
        f"{long_key},Kort,enhet,aldreomsorg,,\n"
        f"c,Kanal,enhet,aldreomsorg,,{long_ref}\n",
    )
    code, err = run(["--db", db_url, "org", "import", path], capsys, caplog)
    assert code == 1
    assert f"rad 2 ({'N' * 40}…): name är {NAME_MAX + 1} tecken långt; högst 200 tillåts" in err
    assert f"rad 3 (Kort): key är {KEY_MAX + 1} tecken långt; högst 128 tillåts" in err
    assert f"rad 4 (Kanal): channel är {REF_MAX + 1} tecken långt; högst 255 tillåts" in err
    code, err = run(["--db", db_url, "--lang", "en", "org", "import", path], capsys, caplog)
    assert code == 1
    assert f"row 2 ({'N' * 40}…): name is {NAME_MAX + 1} characters long; at most 200" in err
    assert f"row 3 (Kort): key is {KEY_MAX + 1} characters long; at most 128" in err
    assert f"row 4 (Kanal): channel is {REF_MAX + 1} characters long; at most 255" in err
    people = write(tmp_path, "people.yaml", f"people:\n  - {{id: U0X, name: {long_name}}}\n")
    code, err = run(["--db", db_url, "org", "import", people], capsys, caplog)
    assert code == 1 and "person 1 (U0X) under people: name är 201 tecken långt" in err
    code, err = run(["--db", db_url, "--lang", "en", "org", "import", people], capsys, caplog)
    assert code == 1 and "person 1 (U0X) under people: name is 201 characters long" in err

    code, err = run(
        [
            "--db",
            db_url,
            "round",
            "start",
            "avstamning",
            "--units",
            "Äldreomsorg",
            "--group",
            "C0LEDNING",
            "--title",
            "T" * (TITLE_MAX + 1),
        ],
        capsys,
        caplog,
    )
    assert code == 1
    assert f"Titeln är för lång ({TITLE_MAX + 1} tecken; högst {TITLE_MAX})" in err


def test_domain_limits_match_the_database_columns() -> None:
    from bot.domain.text_input import ID_MAX, MANAGER_TITLE_MAX
    from storage.models import Level, Person, Round, Unit
    from storage.repository import ID_MAX as STORAGE_ID_MAX

    def length(column: object) -> int:
        return int(column.type.length)  # type: ignore[attr-defined]

    assert length(Unit.__table__.c.name) == length(Person.__table__.c.name) == NAME_MAX
    assert length(Unit.__table__.c.key) == length(Level.__table__.c.key) == KEY_MAX
    assert length(Unit.__table__.c.channel_ref) == length(Person.__table__.c.chat_id) == REF_MAX
    assert length(Level.__table__.c.manager_title) == MANAGER_TITLE_MAX
    assert length(Round.__table__.c.title) == TITLE_MAX
    assert ID_MAX == STORAGE_ID_MAX == 2**31 - 1


def test_a_cycle_is_refused_on_import_naming_its_units(
    db_url: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    path = write(
        tmp_path,
        "cycle.yaml",
        "units:\n"
        "  - {key: aldreomsorg, name: Äldreomsorg, level: avdelning, parent: hemtjanst-norr}\n"
        "  - {key: x, name: Själv, level: enhet, parent: x}\n",
    )
    code, err = run(["--db", db_url, "org", "import", path], capsys, caplog)
    assert code == 1
    assert "cykel i organisationen: Äldreomsorg → Hemtjänst Norr → Äldreomsorg" in err
    assert "cykel i organisationen: Själv → Själv" in err
    code, err = run(["--db", db_url, "--lang", "en", "org", "import", path], capsys, caplog)
    assert code == 1
    assert "cycle: Äldreomsorg → Hemtjänst Norr → Äldreomsorg" in err
    assert "cycle: Själv → Själv" in err


def test_a_cycle_already_in_the_database_gives_an_error_not_a_hang(db_url: str) -> None:
    engine = create_engine(db_url)
    with engine.begin() as conn:
        conn.execute(
            text(
                "UPDATE units SET parent_id = (SELECT id FROM units WHERE key = 'hemtjanst-norr')"
                " WHERE key = 'aldreomsorg'"
            )
        )
    engine.dispose()
    result = run_process(
        [
            "--db",
            db_url,
            "round",
            "start",
            "avstamning",
            "--units",
            "Äldreomsorg",
            "--level",
            "enhet",
            "--group",
            "C0LEDNING",
        ],
        timeout=20,
    )
    assert result.returncode == 1
    assert "Organisationen har en cykel (Äldreomsorg → Hemtjänst Norr → Äldreomsorg)" in (
        result.stderr
    )
    assert "Traceback" not in result.stderr


SCHEDULE = """
rounds:
  - key: avst
    template: avstamning
    name: Avstämning
    answering_level: forvaltning
    receiving_level: namnd
    rrule: "{rule}"
    deadline: 14d
"""


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        (
            "FREQ=YEARLY;INTERVAL=0;BYMONTH=5",
            (
                "INTERVAL-värdet 0 ligger utanför det tillåtna intervallet (1..366)",
                "INTERVAL value 0 is out of range (expected 1..366)",
            ),
        ),
        (
            "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30",
            ("regeln inträffar aldrig under något år", "the rule never occurs in any year"),
        ),
        (
            "FREQ=YEARLY;BYSETPOS=366;BYDAY=MO",
            ("regeln inträffar aldrig under något år", "the rule never occurs in any year"),
        ),
        (
            "FREQ=DAILY;BYMONTH=4;BYMONTHDAY=31",
            ("regeln inträffar aldrig under något år", "the rule never occurs in any year"),
        ),
    ],
)
def test_schedules_that_never_end_or_never_fire_are_refused_at_import(
    db_url: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
    rule: str,
    expected: tuple[str, str],
) -> None:
    swedish, english = expected
    path = write(tmp_path, "schedule.yaml", SCHEDULE.format(rule=rule))
    code, err = run(["--db", db_url, "schedule", "import", path], capsys, caplog)
    assert code == 1
    assert f"rounds[0].rrule: ogiltig rrule-text '{rule}': " in err and swedish in err
    assert "invalid" not in err
    code, err = run(["--db", db_url, "--lang", "en", "schedule", "import", path], capsys, caplog)
    assert code == 1
    assert f"rounds[0].rrule: invalid rrule text '{rule}': " in err and english in err
    code, _ = run(["--db", db_url, "schedule", "import", "--preset"], capsys, caplog)
    assert code == 0


def test_duplicate_keys_in_a_schedule_are_an_error_not_last_wins(
    db_url: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    twice = SCHEDULE.format(rule="FREQ=YEARLY;BYMONTH=5;BYDAY=1MO") + "    deadline: 7d\n"
    path = write(tmp_path, "schedule.yaml", twice)
    code, err = run(["--db", db_url, "schedule", "import", path], capsys, caplog)
    assert code == 1
    assert err.strip() == (
        f"{path}: rad 10: nyckeln 'deadline' förekommer mer än en gång "
        "(varje nyckel får finnas en gång)"
    )
    code, err = run(["--db", db_url, "--lang", "en", "schedule", "import", path], capsys, caplog)
    assert code == 1
    assert err.strip() == f"{path}: line 10: duplicate key 'deadline' (each key may appear once)"


def test_schedule_show_of_a_never_ending_rule_returns(db_url: str, tmp_path: Path) -> None:
    path = write(tmp_path, "schedule.yaml", SCHEDULE.format(rule="FREQ=YEARLY;INTERVAL=0"))
    result = run_process(["--db", db_url, "schedule", "show", "--file", path], timeout=20)
    assert result.returncode == 1
    assert "INTERVAL-värdet 0 ligger utanför det tillåtna intervallet (1..366)" in result.stderr
    result = run_process(
        ["--db", db_url, "--lang", "en", "schedule", "show", "--file", path], timeout=20
    )
    assert result.returncode == 1
    assert "INTERVAL value 0 is out of range (expected 1..366)" in result.stderr


def test_templates_with_overlong_keys_are_refused(tmp_path: Path) -> None:
    key = "k" * (KEY_MAX + 1)
    write(
        tmp_path,
        f"{key}.yaml",
        f"key: {key}\nversion: 1\nphase: annan\nname: {{sv: Lång}}\n"
        "questions:\n  - {key: q, text: {sv: Fråga}}\n",
    )
    result = run_process(["templates", "validate", str(tmp_path)])
    assert result.returncode == 1
    assert "fältet key: får vara högst 128 tecken" in result.stdout


def test_years_out_of_range_get_a_message_not_a_traceback(
    db_url: str, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    for command in (["schedule", "show", "--preset"], ["report", "Äldreomsorg"]):
        code, err = run(["--db", db_url, *command, "--year", "99999"], capsys, caplog)
        assert code == 1
        assert err.strip() == "Ogiltigt värde: '99999' (1900–2999)."


@pytest.mark.parametrize(
    "command",
    [
        ["round", "show"],
        ["round", "close"],
        ["summary"],
        ["export"],
        ["evaluation", "send"],
    ],
)
def test_round_numbers_out_of_range_get_a_friendly_message(
    db_url: str,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
    command: list[str],
) -> None:
    code, err = run(["--db", db_url, *command, "99999999999999999999"], capsys, caplog)
    assert code == 1
    assert err.strip() == (
        "Ogiltigt rundnummer '99999999999999999999': ange ett heltal mellan 1 och 2147483647."
    )
    code, err = run(["--db", db_url, "--lang", "en", *command, "#0"], capsys, caplog)
    assert code == 1
    assert "Invalid round number '#0': give a whole number between 1 and 2147483647." in err


def test_a_round_with_the_longest_title_can_still_be_evaluated(
    db_url: str, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    start = ["round", "start", "avstamning", "--units", "Äldreomsorg", "--group", "C0LEDNING"]
    code, err = run(["--db", db_url, *start, "--title", "T" * TITLE_MAX], capsys, caplog)
    assert code == 0, err
    code, err = run(["--db", db_url, "evaluation", "send", "1"], capsys, caplog)
    assert code == 0, err
