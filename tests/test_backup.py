"""``dialogbot db backup`` / ``db restore``: part of a round, a backup, the database gone,
a restore, and the round goes on exactly where it was (SQLite always; PostgreSQL when
``DIALOGBOT_TEST_DATABASE_URL`` is set and pg_dump is installed)."""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fakes import FakeSlack
from fakes.signing import DEFAULT_TEAM_ID
from sqlalchemy import Engine, select, text
from sqlalchemy.engine import make_url
from support.sample import PG_URL, load_sample_org
from support.slack import ANNA, BJORN, CHANNEL, SlackHarness, texts

from bot.cli import main
from bot.clock import FixedClock
from bot.domain.templates import TemplateCatalog
from bot.services.container import Services, build_services
from bot.services.kernel import ServiceKernel
from bot.services.ops import Ops
from storage.backup import BackupError, backup
from storage.db import make_engine, make_session_factory, normalize_url, upgrade
from storage.models import Base

START = 'start avstamning enheter:"Äldreomsorg" kanal:<#C0LEDNING|ledning> deadline:2027-05-15'
BACKENDS = ["sqlite", *(["postgresql"] if PG_URL and shutil.which("pg_dump") else [])]


class Database:
    """A database of its own that a test may delete and create again."""

    def __init__(self, backend: str, tmp_path: Path) -> None:
        self.backend = backend
        if backend == "sqlite":
            self.path = tmp_path / "dialogbot.db"
            self.url = f"sqlite:///{self.path}"
        else:
            assert PG_URL is not None
            self.name = f"bk_{uuid.uuid4().hex[:10]}"
            self.url = (
                make_url(normalize_url(PG_URL))
                .set(database=self.name)
                .render_as_string(hide_password=False)
            )
            self.create()

    def _admin(self, sql: str) -> None:
        assert PG_URL is not None
        admin = make_engine(PG_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(sql))
        admin.dispose()

    def create(self) -> None:
        if self.backend == "postgresql":
            self._admin(f'CREATE DATABASE "{self.name}"')

    def drop(self) -> None:
        if self.backend == "sqlite":
            for suffix in ("", "-wal", "-shm"):
                Path(f"{self.path}{suffix}").unlink(missing_ok=True)
        else:
            self._admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


@pytest.fixture(params=BACKENDS)
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    created = Database(request.param, tmp_path)
    yield created
    created.drop()


def rows(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table of the schema, in primary key order."""
    found = {}
    with engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            found[table.name] = [
                tuple(row) for row in conn.execute(select(table).order_by(*table.primary_key))
            ]
    return found


def start_harness(
    fake: FakeSlack, url: str, catalog: TemplateCatalog, clock: FixedClock
) -> tuple[Engine, SlackHarness]:
    engine = make_engine(url)

    def build() -> Services:
        return build_services(make_session_factory(engine), catalog, clock)

    return engine, SlackHarness(fake, engine, build)


def test_a_restored_database_resumes_the_round_exactly(
    database: Database,
    fake: FakeSlack,
    tmp_path: Path,
    catalog: TemplateCatalog,
    clock: FixedClock,
) -> None:
    engine = make_engine(database.url)
    upgrade(engine)
    engine.dispose()
    engine, slack = start_harness(fake, database.url, catalog, clock)
    load_sample_org(slack.services, DEFAULT_TEAM_ID)
    slack.command(START)
    anna_thread = slack.thread_of(ANNA)
    slack.say(ANNA, "Budgeten håller", anna_thread)
    fake.fail_next("chat.postMessage", 503, times=20)  # Slack is down: Björn's question waits
    slack.say(BJORN, "Det går sämre", slack.thread_of(BJORN))
    fake.clear_faults()
    before = rows(engine)
    assert Ops(ServiceKernel(make_session_factory(engine), TemplateCatalog({}))).outbox().depth == 1
    slack.close()
    engine.dispose()

    backup_file = tmp_path / "backups" / "dialogbot.dump"
    assert main(["--db", database.url, "db", "backup", str(backup_file)]) == 0
    assert backup_file.stat().st_size > 0

    database.drop()
    database.create()
    assert main(["--db", database.url, "db", "restore", str(backup_file)]) == 0

    engine, slack = start_harness(fake, database.url, catalog, clock)
    try:
        assert rows(engine) == before
        assert (
            Ops(ServiceKernel(make_session_factory(engine), TemplateCatalog({}))).outbox().depth
            == 1
        )
        fake.clear()
        slack.say(ANNA, "För att vi planerade väl", anna_thread)
        pid = next(
            p.participation_id
            for u in slack.services.queries.status(DEFAULT_TEAM_ID, 1).units
            for p in u.participants
            if p.chat_id == ANNA
        )
        assert slack.services.queries.answers_of(DEFAULT_TEAM_ID, pid) == {
            "hur_gar_det": "Budgeten håller",
            "analys": "För att vi planerade väl",
        }
        assert "Fråga 3 av 3" in texts(slack.posts(CHANNEL, anna_thread))[-1]
    finally:
        slack.close()
        engine.dispose()

    # restoring over a database in use needs --force
    assert main(["--db", database.url, "db", "restore", str(backup_file)]) == 1


def test_restore_refuses_a_database_with_data(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'live.db'}"
    assert main(["--db", url, "db", "upgrade"]) == 0
    assert main(["--db", url, "db", "backup", str(tmp_path / "b.db")]) == 0
    assert main(["--db", url, "db", "restore", str(tmp_path / "b.db")]) == 1
    assert "restore again with --force" in capsys.readouterr().err
    assert main(["--db", url, "db", "restore", "--force", str(tmp_path / "b.db")]) == 0
    assert main(["--db", url, "db", "restore", str(tmp_path / "missing.db")]) == 1
    assert "there is no backup file" in capsys.readouterr().err


def test_missing_pg_dump_is_explained(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(BackupError, match=r"pg_dump was not found\. Install the PostgreSQL client"):
        backup("postgresql://dialogbot@127.0.0.1:1/none", tmp_path / "x.dump")


def test_the_db_commands_speak_the_language_of_the_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'live.db'}"
    copy = str(tmp_path / "b.db")
    assert main(["--db", url, "db", "upgrade"]) == 0
    capsys.readouterr()
    assert main(["--db", url, "db", "backup", copy]) == 0
    assert "Säkerhetskopierade sqlite-databasen" in capsys.readouterr().out
    assert main(["--db", url, "db", "restore", "--force", copy]) == 0
    assert f"Återställde {copy} till sqlite-databasen" in capsys.readouterr().out
    assert main(["--db", url, "db", "restore", str(tmp_path / "missing.db")]) == 1
    assert "Återställningen gjordes inte" in capsys.readouterr().err
    assert main(["--db", url, "db", "downgrade", "0004"]) == 0
    assert "har schemaversion 0004." in capsys.readouterr().out
    assert main(["--db", url, "--lang", "en", "db", "restore", "--force", copy]) == 0
    restored = capsys.readouterr().out
    assert f"Restored {copy} into the sqlite database" in restored
    assert "Run `dialogbot db upgrade` next." not in restored  # the copy is at head
    assert main(["--db", url, "--lang", "en", "db", "backup", copy]) == 0
    assert "Backed up the sqlite database" in capsys.readouterr().out
