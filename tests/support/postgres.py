"""Schemas of their own on the PostgreSQL server of ``DIALOGBOT_TEST_DATABASE_URL``."""

from __future__ import annotations

from sqlalchemy import Engine, text

from storage.db import make_engine
from support.sample import PG_URL


def pg_engine(schema: str) -> Engine:
    """An engine whose search path is ``schema`` (created if missing)."""
    assert PG_URL is not None
    admin = make_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))
    admin.dispose()
    return make_engine(PG_URL, connect_args={"options": f"-csearch_path={schema}"})


def drop_pg_schema(schema: str) -> None:
    """Drop ``schema`` and everything in it."""
    assert PG_URL is not None
    admin = make_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    admin.dispose()
