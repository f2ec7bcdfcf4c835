"""Storage: migrations, the start-up check, UTC timestamps."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, inspect

from bot.cli import main
from bot.domain.commands import StartRound
from bot.services.container import Services
from bot.wiring import build_runtime
from storage.db import NotMigrated, current_revision, downgrade, head_revision, make_engine, upgrade


def test_startup_refuses_an_unmigrated_database(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    with pytest.raises(NotMigrated, match="Run: dialogbot db upgrade"):
        build_runtime(url)
    assert main(["--db", url, "round", "list"]) == 1
    assert "dialogbot db upgrade" in capsys.readouterr().err
    assert main(["--db", url, "db", "upgrade"]) == 0
    assert main(["--db", url, "round", "list"]) == 0


def test_migrations_are_the_schema(migrated_db: Engine) -> None:
    assert current_revision(migrated_db) == head_revision()
    tables = set(inspect(migrated_db).get_table_names())
    assert {
        "rounds",
        "participations",
        "answers",
        "answer_revisions",
        "processed_messages",
    } <= tables


def test_migrations_downgrade_and_upgrade_cleanly(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'roundtrip.db'}")
    upgrade(engine)
    downgrade(engine, "base")
    assert current_revision(engine) is None
    upgrade(engine)
    assert current_revision(engine) == head_revision()


def test_timestamps_are_stored_and_read_as_utc(services: Services) -> None:
    deadline = datetime(2027, 3, 29, 17, 0, tzinfo=UTC)
    started = services.rounds.start_round(
        "local",
        StartRound("planering", ["Äldreomsorg"], "#x", level="enhet", deadline_at=deadline),
    )
    info = services.queries.round_info("local", started.round.round_id)
    assert info.deadline_at == deadline and info.deadline_at.tzinfo is not None
    assert info.created_at.utcoffset() is not None
