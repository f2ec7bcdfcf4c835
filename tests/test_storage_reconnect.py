"""Pooled connections without pre-ping: a dead connection is replaced and a transaction's
first statement retried transparently; later statements are not retried."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Engine, select, text
from sqlalchemy.exc import DBAPIError
from support.sample import load_sample_org

from bot.domain.commands import StartRound
from bot.domain.templates import TemplateCatalog
from bot.services.container import Services, build_services
from bot.services.kernel import ServiceKernel
from bot.wiring import POOL_SIZE
from storage.db import make_engine, make_session_factory
from storage.models import Unit

PG_URL = os.environ.get("DIALOGBOT_TEST_DATABASE_URL")


@pytest.fixture(autouse=True)
def _fresh_pool_afterwards(db: Engine) -> Iterator[None]:
    """After each test, the pool starts anew: SQLAlchemy recycles only connections older
    than the last one found dead, so a terminated one could outlive the test and break the
    next test's setup."""
    yield
    db.dispose()


def _terminate_pooled_backends(db: Engine) -> int:
    """Kill (server side) every connection the pool holds, as a restart or a cut would."""
    pool: Any = db.pool
    records = list(pool._pool.queue)
    pids = [r.dbapi_connection.info.backend_pid for r in records if r.dbapi_connection]
    _terminate(pids)
    return len(pids)


def _terminate(pids: list[int]) -> None:
    """Kill the backends ``pids`` and wait until they are gone (``pg_terminate_backend``
    only signals: a statement could still run on one and leave it dying in the pool)."""
    assert PG_URL is not None
    admin = make_engine(PG_URL)
    with admin.begin() as conn:
        for pid in pids:
            conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    for _ in range(500):
        with admin.connect() as conn:
            alive = conn.execute(
                text("SELECT count(*) FROM pg_stat_activity WHERE pid = ANY(:pids)"),
                {"pids": pids},
            ).scalar_one()
        if not alive:
            break
        time.sleep(0.01)
    admin.dispose()


def test_no_pre_ping_and_pool_covers_the_serving_threads(db: Engine) -> None:
    assert db.pool._pre_ping is False
    assert POOL_SIZE >= 8 + 16  # waitress threads + the listener executor


@pytest.mark.skipif(PG_URL is None, reason="needs DIALOGBOT_TEST_DATABASE_URL (PostgreSQL)")
def test_a_read_on_a_terminated_connection_is_retried(
    db: Engine, services: Services, catalog: TemplateCatalog
) -> None:
    if db.dialect.name != "postgresql":
        pytest.skip("pg_terminate_backend is PostgreSQL's")
    kernel = ServiceKernel(make_session_factory(db), catalog)
    before = kernel.read("local", lambda repo: len(repo.units()))
    assert before > 0
    assert _terminate_pooled_backends(db) >= 1
    after = kernel.read("local", lambda repo: len(repo.units()))
    assert after == before


@pytest.mark.skipif(PG_URL is None, reason="needs DIALOGBOT_TEST_DATABASE_URL (PostgreSQL)")
def test_a_later_statement_is_not_retried(db: Engine, services: Services) -> None:
    if db.dialect.name != "postgresql":
        pytest.skip("pg_terminate_backend is PostgreSQL's")
    factory = make_session_factory(db)
    with factory() as session:
        session.execute(select(Unit.id).limit(1)).all()
        pid = session.connection().connection.dbapi_connection.info.backend_pid  # type: ignore[union-attr]
        _terminate([pid])
        with pytest.raises(DBAPIError):
            session.execute(select(Unit.id).limit(1)).all()


@pytest.mark.skipif(PG_URL is None, reason="needs DIALOGBOT_TEST_DATABASE_URL (PostgreSQL)")
def test_an_answer_on_a_terminated_connection_is_stored(
    db: Engine, catalog: TemplateCatalog
) -> None:
    """The answer path's prebuilt statements run on the session's connection; its first
    one is retried on a new connection too (after a server restart the first answer is
    not refused)."""
    if db.dialect.name != "postgresql":
        pytest.skip("pg_terminate_backend is PostgreSQL's")
    services = build_services(make_session_factory(db), catalog)
    load_sample_org(services)
    pid = (
        services.rounds.start_round(
            "local", StartRound("avstamning", ["Hemtjänst Norr"], "C0LEDNING")
        )
        .participants[0][0]
        .participation_id
    )
    assert services.answering.reply("local", pid, "Första", "m1").kind == "answered"
    assert _terminate_pooled_backends(db) >= 1
    assert services.answering.reply("local", pid, "Andra", "m2").kind == "answered"
