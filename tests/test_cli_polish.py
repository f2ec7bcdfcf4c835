"""The command line as a process support meets it: one language per run, clear refusals,
tables that fit the terminal, the organisation and templates on screen, a confirmed close,
and documentation examples that work as written."""

from __future__ import annotations

import ast
import os
import re
import select
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from bot import __version__
from bot.cli import main
from bot.config import installed, load_settings
from bot.domain.template_problems import FIELDS
from bot.i18n import MESSAGES, t
from bot.schedule.config import AnnualSchedule, RoundConfig

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "bot" / "data"
FUTURE = "2099-05-15"
LONG_TITLE = (
    "Avstämning av verksamhetsplanens utvecklingsmål och kvalitetsfaktorer för hela "
    "äldreomsorgen tertial två"
)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    """``dialogbot ARGV`` in-process; returns the exit code and stdout + stderr."""
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out + captured.err


@pytest.fixture
def db(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> str:
    """A migrated SQLite database with the sample organisation."""
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    assert main(["--db", url, "db", "upgrade"]) == 0
    assert main(["--db", url, "org", "import", str(DATA / "sample_org.yaml")]) == 0
    capsys.readouterr()
    return url


@pytest.fixture(autouse=True)
def wide(monkeypatch: pytest.MonkeyPatch) -> None:
    """A wide console unless a test narrows it, so phrases are not split across lines."""
    monkeypatch.setenv("COLUMNS", "300")


def start(url: str, *extra: str, lang: str = "sv") -> list[str]:
    return [
        "--db",
        url,
        "--lang",
        lang,
        "round",
        "start",
        "avstamning",
        "--units",
        "Äldreomsorg",
        "--level",
        "enhet",
        "--group",
        "#ledning",
        "--by",
        "U0PROC01",
        *extra,
    ]


# --- --version and i18n keys -------------------------------------------------------------


def test_version_prints_the_package_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["--version"])
    assert exc.value.code == 0
    assert capsys.readouterr().out.strip() == f"dialogbot {__version__}"


def _keys_in_code() -> tuple[set[str], set[str]]:
    """Message keys the code uses: literal keys, and the fixed prefixes of computed ones."""
    literal: set[str] = set()
    prefixes: set[str] = set()
    for path in sorted((ROOT / "bot").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) != "t":
                # Helpers called as helper(lang, "key", ...) translate "key" or "key.*".
                for before, arg in zip(node.args, node.args[1:], strict=False):
                    if (
                        isinstance(before, ast.Name)
                        and before.id == "lang"
                        and isinstance(arg, ast.Constant)
                        and isinstance(arg.value, str)
                        and re.fullmatch(r"[a-z_]+(\.[a-z_]+)+", arg.value)
                    ):
                        prefixes.add(arg.value)
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "t":
                if len(node.args) < 2:
                    continue
                arg = node.args[1]
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                    literal.add(arg.value)
                elif isinstance(arg, ast.JoinedStr) and arg.values:
                    first = arg.values[0]
                    if isinstance(first, ast.Constant) and isinstance(first.value, str):
                        prefixes.add(first.value)
            targets: list[ast.expr] = []
            if isinstance(node, ast.Assign):
                targets = list(node.targets)
            elif isinstance(node, ast.AnnAssign):
                targets = [node.target]
            for target in targets:
                name = target.attr if isinstance(target, ast.Attribute) else None
                name = target.id if isinstance(target, ast.Name) else name
                value = node.value if isinstance(node, ast.Assign | ast.AnnAssign) else None
                if (
                    name == "key"
                    and isinstance(value, ast.Constant)
                    and isinstance(value.value, str)
                    and "." in value.value
                ):
                    literal.add(value.value)
            if (
                isinstance(node, ast.Call)
                and getattr(node.func, "id", None) in ("Problem", "OrgProblem", "UserFileError")
                and node.args
                and isinstance(node.args[0], ast.Constant)
            ):
                literal.add(str(node.args[0].value))
    for path in sorted((ROOT / "dialog_templates").rglob("*.j2")):
        text = path.read_text(encoding="utf-8")
        literal.update(re.findall(r"""\bt\(\s*["']([a-z_.]+)["']\s*,""", text))
        prefixes.update(re.findall(r"""\bt\(\s*["']([a-z_.]+\.)["']\s*~""", text))
    return literal, prefixes


def test_every_message_key_used_in_code_exists_in_both_languages() -> None:
    literal, prefixes = _keys_in_code()
    assert len(literal) > 100, "the scan finds the keys"
    missing = sorted(k for k in literal if k not in MESSAGES)
    assert not missing, f"keys used in code but not in bot/i18n.py: {missing}"
    for prefix in prefixes:
        assert any(k.startswith(prefix) for k in MESSAGES), f"no message key {prefix}…"
    incomplete = sorted(k for k, v in MESSAGES.items() if not v.get("sv") or not v.get("en"))
    assert not incomplete, f"messages without both sv and en: {incomplete}"


def test_a_missing_key_fails_loudly_instead_of_showing_the_key(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with pytest.raises(KeyError):
        t("sv", "cli.no_such_message")
    monkeypatch.setenv("DIALOGBOT_ENV", "production")
    with installed(load_settings()):  # what an entry point does with the environment
        assert t("sv", "cli.no_such_message") == "cli.no_such_message"


# --- one language per run ---------------------------------------------------------------


def _strings(value: object) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)


def _data_texts() -> list[str]:
    """Text that comes from the organisation and the templates (and their field names),
    not from the bot."""
    texts: set[str] = set(_strings(yaml.safe_load((DATA / "sample_org.yaml").read_text())))
    for path in (ROOT / "dialog_templates").glob("*.yaml"):
        texts.update(_strings(yaml.safe_load(path.read_text(encoding="utf-8"))))
    return sorted((s for s in texts if len(s) > 1), key=len, reverse=True)


SPLIT = re.compile(r"\{[^}]*\}|[.,:;!?()\[\]«»“”\"'’…—–/*`•|<>#@=+%\n]|\s-\s")


def _foreign_phrases(lang: str) -> dict[str, str]:
    """Phrases of the other language's messages that no message of ``lang`` contains."""
    other = "en" if lang == "sv" else "sv"
    own = "\n".join(v[lang] for v in MESSAGES.values()).lower()
    phrases: dict[str, str] = {}
    for key, texts in MESSAGES.items():
        if texts[lang] == texts[other]:
            continue
        for fragment in SPLIT.split(texts[other]):
            phrase = " ".join(fragment.split())
            if sum(c.isalpha() for c in phrase) >= 4 and phrase.lower() not in own:
                phrases.setdefault(phrase, key)
    return phrases


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_main_commands_speak_only_the_language_of_the_run(
    lang: str, db: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    url = db
    outputs: list[str] = []

    def say(*argv: str) -> int:
        code, text = run(capsys, "--db", url, "--lang", lang, *argv)
        outputs.append(text)
        return code

    assert say("db", "current") == 0
    assert say("db", "upgrade") == 0
    assert say("org", "import", str(DATA / "sample_org.yaml")) == 0
    assert say("org", "show") == 0
    assert say("templates", "list") == 0
    assert say("templates", "show", "avstamning") == 0
    assert main(start(url, "--deadline", FUTURE, lang=lang)) == 0
    outputs.append(capsys.readouterr().out)
    assert say("round", "list") == 0
    assert say("round", "show", "1") == 0
    assert say("round", "close", "1") == 1
    assert say("round", "close", "1", "--yes", "--by", "U0PROC01") == 0
    assert say("round", "show", "1") == 0
    assert say("round", "close", "1", "--yes") == 0
    assert (
        say("round", "start", "avstamning", "--units", "ifo", "--group", "g", "--deadline", "15/5")
        == 1
    )
    assert (
        say("round", "start", "avstamning", "--units", "ifo", "--group", "g", "--level", "x") == 1
    )
    assert (
        say(
            "round",
            "start",
            "avstamning",
            "--units",
            "ifo",
            "--group",
            "g",
            "--deadline",
            "2001-01-01",
        )
        == 1
    )
    assert say("round", "start", "avstamning", "--units", "Ingenstans", "--group", "g") == 1
    assert say("round", "show", "99") == 1
    assert say("db", "purge", "--days", "30") == 0
    assert say("person", "erase", "U0ENHHTS") == 1
    assert say("--tz", "Mars/Olympus", "round", "list") == 1
    bad = tmp_path / "trasig.yaml"
    bad.write_text("key: trasig\nversion: noll\nphase: x\nname: T\nquestions: []\n")
    assert say("templates", "validate", str(bad)) == 1
    units = tmp_path / "f1.csv"
    units.write_text(
        "key,name,level,parent,managers,deputy\n"
        "x,Felnivå,enhett,aldreomsorg,,\n"
        "y,Föräldralös,enhet,qqq,U0NOBODY,U0NOBODY\n"
        "y,Kopia,enhet,aldreomsorg,,\n",
        encoding="utf-8",
    )
    assert say("org", "import", str(units)) == 1
    people = tmp_path / "f2.yaml"
    people.write_text(
        "levels:\n  - {key: enhet, name: Enhet}\n  - {key: enhet, name: Enhet}\n  - {name: X}\n"
        "people:\n  - {id: U1, roles: [boss], lang: de}\n  - {id: U1, name: Y, roles: {a: 1}}\n"
        "  - {name: Z, roles: [chef, [x]]}\n  - 5\n"
        "units:\n  - {name: {sv: A}, level: enhet, parent: [a]}\n  - x\n",
        encoding="utf-8",
    )
    assert say("org", "import", str(people)) == 1
    cyclic = tmp_path / "f3.yaml"
    cyclic.write_text(
        "units:\n  - {key: x, name: Själv, level: enhet, parent: x}\n", encoding="utf-8"
    )
    assert say("org", "import", str(cyclic)) == 1
    for broken in ("units: &a []\n", "units: [\n", "a: 1\na: 2\n", "units: 5\n"):
        cyclic.write_text(broken, encoding="utf-8")
        assert say("org", "import", str(cyclic)) == 1
    assert say("org", "import", str(tmp_path / "f4.yaml")) == 1
    schedule = tmp_path / "s1.yaml"
    schedule.write_text(
        "timezone: Mars/Olympus\nreminders: [7d, PT2H]\nsend_hour: 30\ncountry: XX\n"
        "rounds:\n"
        "  - {key: a, template: avstamning, name: A, answering_level: forvaltning,\n"
        "     receiving_level: namnd, rrule: 'FREQ=YEARLY;INTERVAL=0', deadline: soon,\n"
        "     colour: red}\n"
        "  - {key: a, template: Avst, name: ' ', answering_level: enhet, receiving_level: enhet,\n"
        "     rrule: 'FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30', deadline: 400d}\n"
        "  - {key: c, name: C, answering_level: enhet, receiving_level: namnd,\n"
        "     rrule: 'FREQ=HOURLY;COUNT=2', deadline: -1}\n",
        encoding="utf-8",
    )
    assert say("schedule", "import", str(schedule)) == 1
    assert say("schedule", "show", "--file", str(schedule)) == 1
    assert say("schedule", "ical", "--file", str(schedule), "-o", str(tmp_path / "x.ics")) == 1
    schedule.write_text(
        "rounds:\n  - {key: a, template: okand, name: A, answering_level: enhet,\n"
        "     receiving_level: namnd, rrule: 'FREQ=YEARLY;BYMONTH=5', deadline: 14d}\n",
        encoding="utf-8",
    )
    assert say("schedule", "import", str(schedule)) == 1
    for broken in ("- 1\n", "", "rounds: [\n", "reminders: 7d\n"):
        schedule.write_text(broken, encoding="utf-8")
        assert say("schedule", "show", "--file", str(schedule)) == 1
    assert say("schedule", "import", str(tmp_path / "s2.yaml")) == 1

    text = "\n".join(outputs).replace(str(tmp_path), " ").replace(str(DATA), " ")
    schedule_fields = [*AnnualSchedule.model_fields, *RoundConfig.model_fields]
    for data in [*_data_texts(), *FIELDS, *schedule_fields]:
        text = re.sub(rf"(?<!\w){re.escape(data)}(?!\w)", " ", text)
    leaks = sorted(
        f"{phrase!r} (from {key})"
        for phrase, key in _foreign_phrases(lang).items()
        if re.search(rf"(?<!\w){re.escape(phrase)}(?!\w)", text, re.IGNORECASE)
    )
    assert not leaks, f"--lang {lang} printed the other language: {leaks}\n{text}"


# --- refusals ---------------------------------------------------------------------------


def test_a_deadline_in_the_past_is_refused(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, text = run(capsys, *start(db, "--deadline", "2020-03-01"))
    assert code == 1
    assert "Sista dag 2020-03-01 17:00 har redan passerat. Välj en tidpunkt i framtiden." in text
    code, text = run(capsys, "--db", db, "round", "list")
    assert "avstamning" not in text, "nothing was started"


def test_an_unreadable_deadline_is_explained_in_one_language(
    db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, text = run(capsys, *start(db, "--deadline", "15/5"))
    assert code == 1
    assert "Sista dag '15/5' går inte att läsa. Skriv ÅÅÅÅ-MM-DD" in text
    code, text = run(capsys, *start(db, "--deadline", "15/5", lang="en"))
    assert "The deadline '15/5' cannot be read. Type YYYY-MM-DD" in text


def test_an_unknown_level_is_named_with_the_known_ones(
    db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = start(db, "--deadline", FUTURE)
    argv[argv.index("enhet")] = "enheter"
    code, text = run(capsys, *argv)
    assert code == 1
    assert text.strip() == (
        "Okänd nivå 'enheter'. Kända nivåer: kommunfullmaktige, kommunstyrelse, namnd, "
        "forvaltning, avdelning, enhet."
    )


def test_an_unknown_time_zone_is_refused(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, text = run(
        capsys, "--db", db, "--tz", "Mars/Olympus", *start(db, "--deadline", FUTURE)[2:]
    )
    assert code == 1
    assert "Okänd tidszon 'Mars/Olympus'. Ange en IANA-tidszon, t.ex. Europe/Stockholm." in text
    code, text = run(capsys, "--db", db, "round", "list")
    assert "avstamning" not in text


PG_URL = os.environ.get("DIALOGBOT_TEST_DATABASE_URL")
UNREACHABLE = [
    (
        "postgresql://dialog:hemligt123@127.0.0.1:1/dialogbot",
        "postgresql+psycopg://dialog:***@127.0.0.1:1/dialogbot",
        "Connection refused",
    )
]
if PG_URL:
    _no_db = PG_URL.rsplit("/", 1)[0] + "/no_such_dialogbot_db"
    UNREACHABLE.append(
        (_no_db, _no_db.replace("postgresql://", "postgresql+psycopg://"), "does not exist")
    )


@pytest.mark.parametrize(("url", "shown", "failure"), UNREACHABLE)
def test_an_unreachable_database_gives_one_line_without_a_traceback(
    url: str, shown: str, failure: str, tmp_path: Path
) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli", "--db", url, "round", "list"],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
    )
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"Kan inte använda databasen {shown}: ")
    assert failure in lines[0]
    assert "Kontrollera att databasservern är igång" in lines[0]
    assert "hemligt123" not in result.stderr + result.stdout
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "mysql://dialog:hemligt123@db.example.org/dialogbot",
            "Kan inte använda databasen mysql://dialog:***@db.example.org/dialogbot: "
            "databastypen 'mysql' stöds inte (använd sqlite, postgresql).",
        ),
        (
            "inte-en-adress",
            "Kan inte använda databasen <URL>: adressen går inte att tolka; skriv t.ex. "
            "sqlite:///dialogbot.db eller postgresql://användare@värd/databas.",
        ),
    ],
)
def test_a_database_url_that_cannot_work_is_explained(
    url: str, expected: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, text = run(capsys, "--db", url, "round", "list")
    assert code == 1
    assert text.startswith(expected) and text.count("\n") == 1
    assert "hemligt123" not in text and "Traceback" not in text


# --- what the commands show -------------------------------------------------------------


def test_round_show_has_the_deadline_and_every_managers_chat_id(
    db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(start(db, "--deadline", "2099-05-15 12:00")) == 0
    code, text = run(capsys, "--db", db, "round", "show", "1")
    assert code == 0
    assert "Sista dag: 2099-05-15 12:00" in text
    for name, chat_id in [
        ("Anna Andersson", "U0ENHHTN"),
        ("Björn Svensson", "U0ENHHTS"),
        ("Cecilia Öberg", "U0ENHSOL"),
    ]:
        row = next(line for line in text.splitlines() if name in line)
        assert chat_id in row and "inbjuden" in row and "0/3" in row


def _tree_lines(text: str) -> list[str]:
    """Tree lines as (depth-marked) unit names: '  ' per level before the name."""
    out = []
    for line in text.splitlines()[1:]:
        match = re.match(r"^([\s│├└─]*)(\S.*?) \(", line)
        if match:
            out.append(" " * (len(match.group(1)) // 4 - 1) + match.group(2))
    return out


def test_org_show_prints_the_tree_in_swedish_order(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'org.db'}"
    org = tmp_path / "org.yaml"
    org.write_text(
        "people:\n  - {id: U01, name: Åsa Öst, roles: [chef]}\n"
        "units:\n"
        "  - {key: kommun, name: Kommunen, level: forvaltning}\n"
        "  - {key: o, name: Ödeshög, level: enhet, parent: kommun}\n"
        "  - {key: a, name: Ängelholm, level: enhet, parent: kommun, managers: [U01]}\n"
        "  - {key: aa, name: Åsele, level: enhet, parent: kommun}\n"
        "  - {key: z, name: Zinkgruvan, level: enhet, parent: kommun}\n",
        encoding="utf-8",
    )
    assert main(["--db", url, "db", "upgrade"]) == 0
    assert main(["--db", url, "org", "import", str(org)]) == 0
    capsys.readouterr()
    code, text = run(capsys, "--db", url, "org", "show")
    assert code == 0
    assert _tree_lines(text) == ["Kommunen", " Zinkgruvan", " Åsele", " Ängelholm", " Ödeshög"]
    assert "Ängelholm (Enhet, a) — Åsa Öst U01" in text
    assert "Åsele (Enhet, aa) — ingen chef" in text


def test_templates_show_prints_questions_and_hints(capsys: pytest.CaptureFixture[str]) -> None:
    code, text = run(capsys, "templates", "show", "avstamning")
    assert code == 0
    assert "Avstämningsdialog (avstamning v2, avstamning)" in text
    assert "Fråga 1 (hur_gar_det)\nHur går det?\nMetodstöd: Utgå från verksamhetsplanen." in text
    assert "Fråga 3 (vidare_aktiviteter) — svaret listar aktiviteter" in text
    code, text = run(capsys, "--lang", "en", "templates", "show", "planering")
    assert "Question 1 (grunduppdrag)" in text and "Method support: " in text
    code, text = run(capsys, "templates", "show", "finnsinte")
    assert code == 1 and "Okänd mall 'finnsinte'" in text


@pytest.mark.parametrize("columns", [60, 200])
def test_tables_fit_the_terminal_and_never_cut_a_title(
    columns: int, db: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert main(start(db, "--deadline", FUTURE, "--title", LONG_TITLE)) == 0
    capsys.readouterr()
    monkeypatch.setenv("COLUMNS", str(columns))
    code, text = run(capsys, "--db", db, "round", "list")
    assert code == 0
    lines = text.rstrip("\n").splitlines()
    assert max(len(line) for line in lines) <= columns
    assert "…" not in text
    if columns >= len(LONG_TITLE) + 60:
        assert LONG_TITLE in text, "a wide terminal shows the title on one line"
        assert "2099-05-15 17:00" in text
    else:
        header = lines[0]
        left, right = header.index("Rubrik"), header.index("Sista dag")
        column = "".join(line[left:right] for line in lines[2:])
        assert "".join(LONG_TITLE.split()) in "".join(column.split()), "every letter is shown"


# --- round close ------------------------------------------------------------------------


def in_terminal(argv: list[str], answer: bytes | None, cwd: Path) -> tuple[int, bytes]:
    """Run ``dialogbot ARGV`` with a pseudo-terminal as stdin/stdout/stderr."""
    leader, follower = os.openpty()
    env = {**os.environ, "COLUMNS": "200", "TERM": "dumb"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", *argv],
        stdin=follower,
        stdout=follower,
        stderr=follower,
        cwd=cwd,
        env=env,
        close_fds=True,
    )
    os.close(follower)
    output = b""
    sent = answer is None
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        ready, _, _ = select.select([leader], [], [], 0.2)
        if ready:
            try:
                chunk = os.read(leader, 65536)
            except OSError:
                break
            if not chunk:
                break
            output += chunk
        if not sent and b"[" in output and answer is not None:
            os.write(leader, answer)
            sent = True
        if proc.poll() is not None and not ready:
            break
    os.close(leader)
    return proc.wait(timeout=10), output


def test_round_close_asks_on_a_terminal_and_records_who_closed_it(
    db: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    assert main(start(db, "--deadline", FUTURE)) == 0
    close = ["--db", db, "round", "close", "1", "--by", "U0PROC01"]
    code, out = in_terminal(close, b"n\r", tmp_path)
    assert "Stänga runda 1" in out.decode() and "[j/n]" in out.decode()
    assert code == 1 and "Runda 1 är fortfarande öppen." in out.decode()
    capsys.readouterr()
    assert "pågår" in run(capsys, "--db", db, "round", "list")[1]
    code, out = in_terminal(close, b"j\r", tmp_path)
    assert code == 0 and "Runda 1 är stängd." in out.decode()
    code, text = run(capsys, "--db", db, "round", "show", "1")
    assert re.search(r"Stängd \d{4}-\d\d-\d\d \d\d:\d\d av U0PROC01", text)


def test_round_close_without_a_terminal_needs_yes(
    db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(start(db, "--deadline", FUTURE)) == 0
    capsys.readouterr()
    code, text = run(capsys, "--db", db, "round", "close", "1", "--by", "U0PROC01")
    assert code == 1
    assert "Runda 1 stängdes inte: ingen terminal att fråga på. Lägg till --yes" in text
    assert "pågår" in run(capsys, "--db", db, "round", "list")[1]
    code, text = run(capsys, "--db", db, "round", "close", "1", "--by", "U0PROC01", "--yes")
    assert code == 0 and "Runda 1 är stängd." in text


def test_docx_is_not_written_to_a_terminal(
    db: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    assert main(start(db, "--deadline", FUTURE)) == 0
    export = ["--db", db, "export", "1", "--format", "docx", "-o", "-"]
    code, out = in_terminal(export, None, tmp_path)
    assert code == 1
    assert b"PK\x03\x04" not in out
    assert "En DOCX-fil är binär och skrivs inte till terminalen." in out.decode()
    piped = subprocess.run(
        [sys.executable, "-m", "bot.cli", *export], capture_output=True, timeout=60, cwd=tmp_path
    )
    assert piped.returncode == 0 and piped.stdout.startswith(b"PK\x03\x04")


# --- documentation examples and sample files --------------------------------------------


def fenced_yaml(markdown: Path, after: str) -> str:
    """The first ```yaml block after the line ``after`` in ``markdown``."""
    text = markdown.read_text(encoding="utf-8")
    rest = text[text.index(after) :]
    match = re.search(r"^```yaml\n(.*?)^```", rest, re.MULTILINE | re.DOTALL)
    assert match, f"no yaml block after {after!r} in {markdown}"
    return match.group(1)


def test_the_readme_organisation_snippet_imports_as_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    org = tmp_path / "organisation.yaml"
    org.write_text(fenced_yaml(ROOT / "README.md", "### Organisation file"), encoding="utf-8")
    url = f"sqlite:///{tmp_path / 'readme.db'}"
    assert main(["--db", url, "db", "upgrade"]) == 0
    code, text = run(capsys, "--db", url, "org", "import", str(org))
    assert code == 0, text
    code, text = run(capsys, "--db", url, "org", "show")
    assert _tree_lines(text) == ["Socialförvaltningen", " Äldreomsorg", "  Hemtjänst Norr"]
    assert "Anna Andersson U0ENHHTN" in text


def test_the_template_readme_example_validates_as_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    example = fenced_yaml(ROOT / "dialog_templates" / "README.md", "```yaml")
    path = tmp_path / "avstamning.yaml"
    path.write_text(example, encoding="utf-8")
    code, text = run(capsys, "--lang", "en", "templates", "validate", str(path))
    assert code == 0, text
    assert "avstamning v1, 1 questions" in text


def test_template_problems_are_told_in_plain_words(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "egen.yaml"
    path.write_text(
        "key: egen\nversion: 1\nphase: annan\nname: {sv: Egen}\nquestions: []\n", encoding="utf-8"
    )
    code, text = run(capsys, "templates", "validate", str(path))
    assert code == 1
    assert "fältet questions: får inte vara tom (minst 1)" in text
    assert "Tuple" not in text and "should have" not in text
    path.write_text(
        "key: egen\nversion: 1\nphase: annan\nname: {sv: Egen}\nquestions:\n"
        '  - {key: a, text: {sv: "A"}}\n  - {key: b, text: Hur går det}\n',
        encoding="utf-8",
    )
    code, text = run(capsys, "--lang", "en", "templates", "validate", str(path))
    assert "question 2 (b), field text: needs one text per language" in text


def test_a_reference_that_points_nowhere_is_an_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "egen.yaml"
    path.write_text(
        "key: egen\nversion: 1\nphase: annan\nname: {sv: Egen}\nquestions:\n"
        "  - {key: a, text: {sv: A}, refers_to: [planering.finns_inte]}\n"
        "  - {key: b, text: {sv: B}, refers_to: [ingen_mall.fraga]}\n",
        encoding="utf-8",
    )
    code, text = run(capsys, "templates", "validate", str(path))
    assert code == 1
    assert (
        "fråga 1 (a), hänvisning 1: 'planering.finns_inte' pekar på en fråga som inte finns i "
        "mallen 'planering'; dess frågor: grunduppdrag, nulage, ekonomi, utvecklingsmal, "
        "kvalitetsfaktorer"
    ) in text
    assert (
        "fråga 2 (b), hänvisning 1: 'ingen_mall.fraga' pekar på mallen 'ingen_mall', som inte finns"
        in text
    )
    monkeypatch.setenv("DIALOGBOT_TEMPLATE_DIRS", str(tmp_path))
    code, text = run(capsys, "templates", "list")
    assert code == 1 and "planering.finns_inte" in text


def test_the_sample_csv_organisation_imports_to_the_same_tree_as_the_yaml(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    trees = []
    for name, files in [
        ("yaml", ["sample_org.yaml"]),
        ("csv", ["sample_people.csv", "sample_units.csv"]),
    ]:
        url = f"sqlite:///{tmp_path / name}.db"
        assert main(["--db", url, "db", "upgrade"]) == 0
        for file in files:
            code, text = run(capsys, "--db", url, "org", "import", str(DATA / file))
            assert code == 0, text
        code, text = run(capsys, "--db", url, "org", "show")
        trees.append(text)
    assert trees[0] == trees[1]
    assert "Hemtjänst Norr (Enhet, hemtjanst-norr) — Anna Andersson U0ENHHTN" in trees[1]


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("sv", "Databasen {path} kan inte skapas: mappen {folder} finns inte."),
        ("en", "Cannot create the database {path}: the folder {folder} does not exist."),
    ],
)
@pytest.mark.parametrize("command", [("db", "upgrade"), ("round", "list")])
def test_a_database_in_a_folder_that_does_not_exist_is_refused_not_created(
    lang: str,
    expected: str,
    command: tuple[str, ...],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A mistyped --db path gets one line naming it; no folder and no database appear."""
    folder = tmp_path / "dialgobot-data" / "prod"
    path = folder / "dialogbot.db"
    code, text = run(capsys, "--db", f"sqlite:///{path}", "--lang", lang, *command)
    assert code == 1
    assert text.startswith(expected.format(path=path, folder=folder))
    assert "--db" in text and "DIALOGBOT_DATABASE_URL" in text
    assert "Traceback" not in text and len(text.strip().splitlines()) == 1
    assert not (tmp_path / "dialgobot-data").exists()


@pytest.mark.parametrize(
    ("argv", "sv", "en"),
    [
        (
            ["round", "frobnicate"],
            "dialogbot round: fel: argumentet ACTION: ogiltigt val: 'frobnicate' (välj bland",
            "dialogbot round: error: argument ACTION: invalid choice: 'frobnicate' (choose from",
        ),
        (
            ["round", "start"],
            "dialogbot round start: fel: de här argumenten behövs: template",
            "dialogbot round start: error: the following arguments are required: template",
        ),
        (
            ["round", "list", "--frobnicate"],
            "dialogbot: fel: okända argument: --frobnicate",
            "dialogbot: error: unrecognized arguments: --frobnicate",
        ),
        (
            ["schedule", "jobs", "--limit", "tio"],
            "dialogbot schedule jobs: fel: argumentet --limit: ogiltigt värde (int): 'tio'",
            "dialogbot schedule jobs: error: argument --limit: invalid int value: 'tio'",
        ),
        (
            ["schedule", "wheel", "--preset", "--year", "99999"],
            "fel: argumentet --year: väntade ett år mellan 1900 och 2999, fick '99999'",
            "error: argument --year: expected a year between 1900 and 2999, got '99999'",
        ),
    ],
)
def test_a_mistyped_command_line_is_refused_in_the_language_of_the_run(
    argv: list[str],
    sv: str,
    en: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """argparse's usage line and errors follow --lang, else DIALOGBOT_LANG (Swedish)."""
    for args, env, expected, usage in (
        (argv, None, sv, "användning: dialogbot"),
        (["--lang", "en", *argv], None, en, "usage: dialogbot"),
        (["--lang=en", *argv], None, en, "usage: dialogbot"),
        (argv, "en", en, "usage: dialogbot"),
        (["--lang", "sv", *argv], "en", sv, "användning: dialogbot"),
    ):
        if env is None:
            monkeypatch.delenv("DIALOGBOT_LANG", raising=False)
        else:
            monkeypatch.setenv("DIALOGBOT_LANG", env)
        with pytest.raises(SystemExit) as exc:
            main(args)
        assert exc.value.code == 2
        err = capsys.readouterr().err
        assert err.startswith(usage), (args, env, err)
        assert expected in err, (args, env, err)
