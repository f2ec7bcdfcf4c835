"""Shared fixtures: real databases (SQLite always, PostgreSQL when
``DIALOGBOT_TEST_DATABASE_URL`` is set), migrated with Alembic, and an engine with the
sample organisation loaded."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from bot.clock import FixedClock
from bot.console.demo import sample_org_path
from bot.engine import DialogEngine
from bot.org_import import import_org, load_org_file
from bot.templates import TemplateCatalog
from storage.db import make_engine, make_session_factory, upgrade
from storage.models import Base
from storage.models_conversations import ChatConversation  # noqa: F401  (emptied too)
from storage.models_outbox import ChatPost  # noqa: F401  (the outbox table is emptied too)

PG_URL = os.environ.get("DIALOGBOT_TEST_DATABASE_URL")
BACKENDS = ["sqlite", *(["postgresql"] if PG_URL else [])]
WORKSPACE = "local"


def _pg_engine(schema: str) -> Engine:
    assert PG_URL is not None
    admin = make_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))
    admin.dispose()
    return make_engine(PG_URL, connect_args={"options": f"-csearch_path={schema}"})


def _drop_pg_schema(schema: str) -> None:
    assert PG_URL is not None
    admin = make_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    admin.dispose()


@pytest.fixture(scope="session", params=BACKENDS)
def migrated_db(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Engine]:
    """A database migrated to head with Alembic, one per backend for the whole session."""
    if request.param == "sqlite":
        path = tmp_path_factory.mktemp("db") / "test.db"
        engine = make_engine(f"sqlite:///{path}")
        upgrade(engine)
        yield engine
        engine.dispose()
    else:
        schema = f"t_{uuid.uuid4().hex[:12]}"
        engine = _pg_engine(schema)
        upgrade(engine)
        yield engine
        engine.dispose()
        _drop_pg_schema(schema)


@pytest.fixture
def db(migrated_db: Engine) -> Iterator[Engine]:
    """The migrated database, emptied before each test."""
    tables = [t.name for t in reversed(Base.metadata.sorted_tables)]
    with migrated_db.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        else:
            for name in tables:
                conn.execute(text(f"DELETE FROM {name}"))
    yield migrated_db


@pytest.fixture
def clock() -> FixedClock:
    """A clock at a fixed Monday morning in May 2027 (Stockholm summer time)."""
    return FixedClock(datetime(2027, 5, 3, 7, 0, tzinfo=UTC))


@pytest.fixture(scope="session")
def catalog() -> TemplateCatalog:
    """The shipped templates."""
    return TemplateCatalog.load()


@pytest.fixture
def make_dialog_engine(
    db: Engine, catalog: TemplateCatalog, clock: FixedClock
) -> Callable[[], DialogEngine]:
    """Build a fresh engine on the same database (a 'restart' is calling it again)."""

    def build() -> DialogEngine:
        return DialogEngine(make_session_factory(db), catalog, clock)

    return build


def load_sample_org(engine: DialogEngine, workspace: str = WORKSPACE) -> None:
    """Import the shipped sample municipality into ``workspace``."""
    path = sample_org_path()
    with engine.unit_of_work(workspace) as uow:
        import_org(uow, load_org_file(path), str(path))


@pytest.fixture
def engine(make_dialog_engine: Callable[[], DialogEngine]) -> DialogEngine:
    """A dialog engine with the sample organisation loaded in workspace ``local``."""
    built = make_dialog_engine()
    load_sample_org(built)
    return built


@pytest.fixture
def repo_root() -> Path:
    """The repository's top folder."""
    return Path(__file__).resolve().parents[1]
