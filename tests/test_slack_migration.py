"""Migration 0002 creates our tables and slack_sdk's store tables with the stores' columns."""

from __future__ import annotations

from pathlib import Path

from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore
from sqlalchemy import Engine, Table, inspect, text

from storage.db import downgrade, make_engine, make_session_factory, upgrade
from storage.outbox import OutboxStore


def _columns(db: Engine, table: str) -> dict[str, tuple[str, bool]]:
    return {
        c["name"]: (type(c["type"]).__name__.upper(), bool(c["nullable"]))
        for c in inspect(db).get_columns(table)
    }


def _expected(table: Table) -> dict[str, tuple[str, bool]]:
    return {c.name: (type(c.type).__name__.upper(), bool(c.nullable)) for c in table.columns}


def test_store_tables_match_slack_sdk_metadata(db: Engine) -> None:
    installations = SQLAlchemyInstallationStore(client_id="x", engine=db)
    states = SQLAlchemyOAuthStateStore(expiration_seconds=60, engine=db)
    for table in (installations.installations, installations.bots, states.oauth_states):
        actual = _columns(db, table.name)
        expected = _expected(table)
        assert set(actual) == set(expected), table.name
        for name, (kind, nullable) in expected.items():
            assert actual[name][1] == nullable, f"{table.name}.{name}"
            # Backends report their own type names (VARCHAR, TIMESTAMP, ...): compare families.
            assert _family(actual[name][0]) == _family(kind), f"{table.name}.{name}"


def _family(type_name: str) -> str:
    for family, names in {
        "str": ("STRING", "VARCHAR"),
        "int": ("INTEGER",),
        "time": ("DATETIME", "TIMESTAMP"),
        "bool": ("BOOLEAN",),
    }.items():
        if type_name in names:
            return family
    return type_name


def test_migration_0002_downgrades_cleanly(tmp_path: Path) -> None:
    db = make_engine(f"sqlite:///{tmp_path / 'm.db'}")
    upgrade(db)
    tables = set(inspect(db).get_table_names())
    assert {
        "chat_posts",
        "slack_installations",
        "slack_bots",
        "slack_oauth_states",
    } <= tables
    downgrade(db, "0001")
    left = set(inspect(db).get_table_names())
    assert not {"slack_posts", "chat_posts", "slack_installations"} & left
    upgrade(db)
    db.dispose()


def test_migration_0011_moves_slack_posts_into_the_outbox_and_back(tmp_path: Path) -> None:
    db = make_engine(f"sqlite:///{tmp_path / 'm.db'}")
    upgrade(db, "0010")
    with db.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO slack_posts (workspace_id, post_key, status, channel, ts, payload, "
                "attempts, claimed_at, sent_at) VALUES "
                "('T1', 'k:sent', 'sent', 'C1', '1.1', '{}', 1, '2026-01-05 07:00:00', NULL), "
                "('T1', 'k:stuck', 'pending', NULL, NULL, :p, 1, '2026-01-05 07:00:00', NULL)"
            ),
            {"p": '{"method": "chat.postMessage", "channel": "C1", "text": "Hej"}'},
        )
    upgrade(db)
    assert "slack_posts" not in inspect(db).get_table_names()
    store = OutboxStore(make_session_factory(db))
    assert store.recorded("T1", "k:sent") == ("C1", "1.1")
    # A claim the old code left pending forever is due for the resender at once.
    assert [d.key for d in store.take_over_due()] == ["k:stuck"]
    downgrade(db, "0010")
    with db.connect() as conn:
        rows = conn.execute(text("SELECT post_key, status FROM slack_posts ORDER BY id")).all()
    assert [tuple(r) for r in rows] == [("k:sent", "sent"), ("k:stuck", "pending")]
    upgrade(db)
    db.dispose()
