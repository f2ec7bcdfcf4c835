"""Start-up stays light: the migration check needs no Alembic, and a CLI start does not
import what only other commands need (python-docx, matplotlib, holidays, Slack Bolt)."""

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
