"""Migration 0019 (the outbox's partial indexes) keeps every post and what the resender
and the landing lookups find, on both backends, and downgrades to the same rows."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, inspect, text
from support.postgres import drop_pg_schema, pg_engine
from support.sample import PG_URL

from bot.clock import FixedClock
from storage.db import downgrade, make_engine, make_session_factory, upgrade
from storage.outbox import OutboxStore

NOW = datetime(2027, 5, 3, 7, 0, tzinfo=UTC)


@pytest.fixture(params=["sqlite", *(["postgresql"] if PG_URL else [])])
def fresh(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """An empty database of its own (not migrated)."""
    if request.param == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path / 'm.db'}")
        yield engine
        engine.dispose()
        return
    schema = f"t_{uuid.uuid4().hex[:12]}"
    engine = pg_engine(schema)
    yield engine
    engine.dispose()
    drop_pg_schema(schema)


def _rows(db: Engine) -> list[tuple[str, str]]:
    with db.connect() as conn:
        rows = conn.execute(text("SELECT post_key, status FROM chat_posts ORDER BY id")).all()
    return [(str(k), str(s)) for k, s in rows]


def test_migration_0019_keeps_the_outbox_and_what_the_resender_finds(fresh: Engine) -> None:
    upgrade(fresh, "0018")
    with fresh.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO chat_posts (workspace_id, platform, post_key, status, attempts,"
                " created_at, channel, ts, claimed_until, next_attempt_at, payload) VALUES"
                " ('T1', 'slack', 'k:sent', 'sent', 1, :t, 'C1', '1.1', NULL, NULL, '{}'),"
                " ('T1', 'slack', 'k:stuck', 'pending', 1, :t, 'C1', NULL, :t, NULL, '{}'),"
                " ('T1', 'slack', 'k:again', 'failed', 1, :t, 'C1', NULL, NULL, :t, '{}'),"
                " ('T1', 'slack', 'k:dead', 'dead', 5, :t, 'C1', NULL, NULL, NULL, '{}')"
            ),
            {"t": datetime(2027, 5, 3, 6, 0, tzinfo=UTC)},
        )
    before = _rows(fresh)
    upgrade(fresh)
    assert _rows(fresh) == before
    indexes = {ix["name"] for ix in inspect(fresh).get_indexes("chat_posts")}
    assert {"ix_chat_posts_due", "ix_chat_posts_lease", "ix_chat_posts_landed"} <= indexes
    assert "ix_chat_posts_round" not in indexes
    store = OutboxStore(make_session_factory(fresh), clock=FixedClock(NOW))
    assert store.recorded("T1", "k:sent") == ("C1", "1.1")
    assert store.round_of_post("T1", "C1", "1.1") is None
    assert sorted(d.key for d in store.take_over_due()) == ["k:again", "k:stuck"]
    downgrade(fresh, "0018")
    assert [key for key, _ in _rows(fresh)] == [key for key, _ in before]
    assert "ix_chat_posts_round" in {ix["name"] for ix in inspect(fresh).get_indexes("chat_posts")}
    upgrade(fresh)
