"""Start-up stays light: the migration check needs no Alembic, a CLI start does not
import what only other commands need (python-docx, matplotlib, holidays, Slack Bolt), and
the parser (``dialogbot --help``, every sub-command's ``--help``) imports no models,
services, adapters, templates or Rich: each command imports those when it runs. A command
builds only the use-case groups it calls and reads the templates only if it uses them; a
server loads all of them at start."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import Engine

from bot.cli import main
from bot.config import installed, load_settings
from bot.domain.templates import TemplateError
from bot.wiring import build_runtime
from storage.db import MIGRATIONS, current_revision, head_revision


def test_head_revision_from_the_files_agrees_with_alembic() -> None:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    assert head_revision() == ScriptDirectory.from_config(cfg).get_current_head()


def test_current_revision_agrees_with_alembic(migrated_db: Engine) -> None:
    from alembic.runtime.migration import MigrationContext

    with migrated_db.connect() as conn:
        expected = MigrationContext.configure(conn).get_current_revision()
    assert current_revision(migrated_db) == expected == head_revision()


def _all_modules_after(code: str) -> set[str]:
    out = subprocess.run(
        [sys.executable, "-c", f"{code}\nimport sys\nprint(' '.join(sorted(sys.modules)))"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return set(out.split())


def _modules_after(code: str) -> set[str]:
    return {name.split(".")[0] for name in _all_modules_after(code)}


def test_the_cli_imports_neither_alembic_nor_what_other_commands_need() -> None:
    loaded = _modules_after("import bot.cli, bot.wiring, storage.db")
    assert not loaded & {"alembic", "mako", "docx", "matplotlib", "holidays", "slack_bolt"}


#: What building the parser must not load: the database layer, the services, the adapters,
#: the renderers and the libraries only commands need.
NOT_FOR_THE_PARSER = {
    "sqlalchemy",
    "storage.models",
    "storage.db",
    "bot.services",
    "bot.wiring",
    "bot.slack.app",
    "bot.teams.app",
    "bot.domain.templates",
    "bot.summary",
    "rich",
    "jinja2",
    "yaml",
    "icu",
    "PIL",
    "prometheus_client",
    "cryptography",
}


def _loaded_by(*argv: str) -> set[str]:
    """Every module loaded by ``dialogbot ARGV`` in a fresh interpreter (which exits 0)."""
    code = (
        "import sys\n"
        "from bot.cli import main\n"
        f"sys.argv = ['dialogbot', *{list(argv)!r}]\n"
        "try:\n"
        "    main()\n"
        "except SystemExit as exc:\n"
        "    assert exc.code in (0, None), exc.code\n"
        "sys.stderr.write(' '.join(sorted(sys.modules)))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    return set(done.stderr.split())


def _forbidden(loaded: set[str]) -> set[str]:
    return {
        name
        for name in loaded
        for banned in NOT_FOR_THE_PARSER
        if name == banned or name.startswith(banned + ".")
    }


def test_help_imports_no_models_services_or_adapters() -> None:
    loaded = _loaded_by("--help")
    assert "bot.cli" in loaded
    assert not _forbidden(loaded)


def test_a_sub_commands_help_is_as_light() -> None:
    for argv in (["round", "start", "--help"], ["serve", "--help"], ["schedule", "--help"]):
        assert not _forbidden(_loaded_by(*argv)), argv


#: What ``round list`` (on SQLite) must not load: the use-case groups it does not call
#: and the code behind them (schedule, history, organisation import, summaries, DOCX,
#: their storage and models), the template files, and SQLAlchemy's PostgreSQL dialect
#: with its drivers' modules.
NOT_FOR_ROUND_LIST = {
    "bot.services.schedule",
    "bot.services.history",
    "bot.services.organisation",
    "bot.services.reports",
    "bot.services.rounds",
    "bot.services.answering",
    "bot.services.round_starts",
    "bot.schedule.plan",
    "bot.schedule.render",
    "bot.schedule.config",
    "bot.history",
    "bot.org_import",
    "bot.summary",
    "dialog_templates",
    "docx",
    "jinja2",
    "storage.schedule",
    "storage.history",
    "storage.models_schedule",
    "sqlalchemy.dialects.postgresql",
    "psycopg",
}


def _migrated(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'bot.db'}"
    assert main(["--db", url, "db", "upgrade"]) == 0
    return url


def test_round_list_loads_only_the_groups_it_calls(tmp_path: Path) -> None:
    loaded = _loaded_by("--db", _migrated(tmp_path), "round", "list")
    assert "bot.services.queries" in loaded
    assert not {
        name
        for name in loaded
        for banned in NOT_FOR_ROUND_LIST
        if name == banned or name.startswith(banned + ".")
    }


def test_a_command_reads_no_template_but_a_server_refuses_a_broken_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    url = _migrated(tmp_path)
    broken = tmp_path / "templates"
    broken.mkdir()
    (broken / "egen.yaml").write_text(
        "key: egen\nversion: 1\nphase: annan\nname: {sv: Egen}\nquestions:\n"
        "  - {key: a, text: {sv: A}, refers_to: [planering.finns_inte]}\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("DIALOGBOT_TEMPLATE_DIRS", str(broken))
    capsys.readouterr()
    assert main(["--db", url, "round", "list"]) == 0
    assert "Runda" in capsys.readouterr().out
    with installed(load_settings()), pytest.raises(TemplateError, match="finns_inte"):
        build_runtime(url, serving=True)


def test_a_single_workspace_server_loads_no_oauth_store() -> None:
    """slack_sdk's SQLAlchemy OAuth stores pull in SQLAlchemy's asyncio extension and
    greenlet (~1.6 MB of a server's resident memory); only OAuth mode needs them."""
    loaded = _all_modules_after("import bot.slack.app, bot.slack.cli, bot.schedule.scheduler")
    assert "bot.slack.app" in loaded
    assert not loaded & {"greenlet", "sqlalchemy.ext.asyncio"}


def test_the_server_modules_load_no_database_dialect_before_it_connects() -> None:
    """The answer path's and the landings' statements for each database are built at
    their first use: a server on PostgreSQL loads no SQLite dialect (~7 ms, 0.7 MB), one
    on SQLite no PostgreSQL dialect (~25–40 ms, 2 MB)."""
    loaded = _all_modules_after(
        "import bot.slack.app, bot.slack.cli, storage.landings, storage.answer_path, storage.outbox"
    )
    assert "storage.landings" in loaded
    assert not loaded & {"sqlalchemy.dialects.sqlite", "sqlalchemy.dialects.postgresql"}
