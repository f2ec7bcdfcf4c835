"""Start-up stays light: the migration check needs no Alembic, a CLI start does not
import what only other commands need (python-docx, matplotlib, holidays, Slack Bolt), and
the parser (``dialogbot --help``, every sub-command's ``--help``) imports no models,
services, adapters, templates or Rich: each command imports those when it runs."""

from __future__ import annotations

import subprocess
import sys

from sqlalchemy import Engine

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


def _modules_after(code: str) -> set[str]:
    out = subprocess.run(
        [sys.executable, "-c", f"{code}\nimport sys\nprint(' '.join(sorted(sys.modules)))"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return {name.split(".")[0] for name in out.split()}


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
