"""Wiring: builds the engine from configuration. The only place that reads the environment
for database and template settings."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import dataclass

from rich.console import Console
from sqlalchemy import Engine

from bot.clock import Clock
from bot.engine import DialogEngine
from bot.metrics import watch_engine
from bot.templates import TemplateCatalog
from storage.db import check_migrated, make_engine, make_session_factory, upgrade


@dataclass
class Runtime:
    """A database engine and the dialog engine on top of it."""

    db: Engine
    engine: DialogEngine


def build_runtime(
    url: str | None = None,
    *,
    clock: Clock | None = None,
    migrate: bool = False,
    catalog: TemplateCatalog | None = None,
) -> Runtime:
    """Connect to the database and build the dialog engine.

    With ``migrate`` the schema is upgraded first; otherwise an un-migrated database
    is refused with :class:`storage.db.NotMigrated`, which tells what to run.
    """
    db = make_engine(url)
    watch_engine(db)
    if migrate:
        upgrade(db)
    else:
        check_migrated(db)
    engine = DialogEngine(make_session_factory(db), catalog or TemplateCatalog.load(), clock)
    return Runtime(db, engine)


def serve_handler(platform: str) -> Callable[[argparse.Namespace, Console], int]:
    """``dialogbot serve`` for a chat platform other than Slack (a composition root, so
    adapters do not import each other)."""
    if platform == "teams":
        from bot.teams.cli import serve_teams

        return serve_teams
    raise ValueError(f"unknown platform {platform!r}")
