"""Shared fixtures: real databases (SQLite always, PostgreSQL when
``DIALOGBOT_TEST_DATABASE_URL`` is set), migrated with Alembic, an engine with the
sample organisation loaded, and the Slack adapter driven through the fake Slack Web API
(``fake``, ``slack``, ``multi``). Helpers shared by test modules are in ``support/``."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fakes import FakeSlack
from fakes.signing import DEFAULT_TEAM_ID
from slack_sdk.oauth.installation_store import Installation
from sqlalchemy import Engine, text
from support.postgres import drop_pg_schema, pg_engine
from support.sample import PG_URL, load_sample_org
from support.slack import (
    CLIENT_ID,
    PROCESS_SUPPORT,
    SECRET,
    TEAMS,
    TOKEN,
    TOKEN_KEY,
    SlackHarness,
)

from bot.clock import FixedClock
from bot.domain.templates import TemplateCatalog
from bot.services.container import Services, build_services
from bot.slack.config import SlackConfig
from bot.slack.token_store import installation_store
from storage.db import make_engine, make_session_factory, upgrade
from storage.models import Base

# Every table is registered (and so emptied by the ``db`` fixture), whatever the tests
# imported: a command imports only the storage it uses (storage.repository's parts load
# on first use), as migrations/env.py registers them for Alembic.
from storage.models_absence import Absence  # noqa: F401
from storage.models_chain import Activity  # noqa: F401
from storage.models_conversations import ChatConversation  # noqa: F401
from storage.models_outbox import ChatPost  # noqa: F401
from storage.models_question_messages import QuestionMessage  # noqa: F401
from storage.models_schedule import ScheduledJob  # noqa: F401
from storage.models_settings import WorkspaceSettings  # noqa: F401

BACKENDS = ["sqlite", *(["postgresql"] if PG_URL else [])]


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
        engine = pg_engine(schema)
        upgrade(engine)
        yield engine
        engine.dispose()
        drop_pg_schema(schema)


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
def make_services(
    db: Engine, catalog: TemplateCatalog, clock: FixedClock
) -> Callable[[], Services]:
    """Build a fresh service layer on the same database (a 'restart' is calling it again)."""

    def build() -> Services:
        return build_services(make_session_factory(db), catalog, clock)

    return build


@pytest.fixture
def services(make_services: Callable[[], Services]) -> Services:
    """The service layer with the sample organisation loaded in workspace ``local``."""
    built = make_services()
    load_sample_org(built)
    return built


@pytest.fixture
def repo_root() -> Path:
    """The repository's top folder."""
    return Path(__file__).resolve().parents[1]


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    """A fake Slack Web API on 127.0.0.1 (the default workspace's token is ``TOKEN``)."""
    with FakeSlack(default_token=TOKEN) as server:
        yield server


@pytest.fixture
def slack(
    fake: FakeSlack, db: Engine, make_services: Callable[[], Services]
) -> Iterator[SlackHarness]:
    """The Slack app on the test database with the sample organisation in the default
    workspace; afterwards no call broke the spec or Block Kit limits."""
    harness = SlackHarness(fake, db, make_services)
    load_sample_org(harness.services, DEFAULT_TEAM_ID)
    yield harness
    harness.close()
    assert fake.spec_violations == []
    assert fake.block_kit_errors == []
    assert fake.fake_errors == []


def _clean_slack_sdk_tables(db: Engine) -> None:
    with db.begin() as conn:
        for table in ("slack_installations", "slack_bots", "slack_oauth_states"):
            conn.execute(text(f"DELETE FROM {table}"))


@pytest.fixture
def multi(
    fake: FakeSlack, db: Engine, make_services: Callable[[], Services]
) -> Iterator[SlackHarness]:
    """Two workspaces (``TEAMS``) installed in one app in OAuth mode, each with the sample
    organisation."""
    _clean_slack_sdk_tables(db)
    config = SlackConfig(
        signing_secret=SECRET,
        client_id=CLIENT_ID,
        client_secret="client-secret",
        api_url=fake.base_url,
        retries=3,
        backoff=0.01,
        token_keys=(TOKEN_KEY,),
    )
    store = installation_store(config, db)
    for team, token in TEAMS.items():
        fake.add_workspace(token, team, f"U0BOT{team[-3:]}")
        store.save(
            Installation(
                app_id="A0DIALOGBOT",
                team_id=team,
                team_name=f"Kommun {team}",
                bot_token=token,
                bot_id=f"B0{team}",
                bot_user_id=f"U0BOT{team[-3:]}",
                bot_scopes="chat:write,commands",
                user_id=PROCESS_SUPPORT,
                installed_at=datetime.now(UTC).timestamp(),
            )
        )
    harness = SlackHarness(fake, db, make_services, config=config)
    for team in TEAMS:
        load_sample_org(harness.services, team)
    yield harness
    harness.close()
    _clean_slack_sdk_tables(db)
    assert fake.spec_violations == []
