"""Wiring: builds the service layer from configuration. The only place that reads the environment
for database and template settings."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine

from bot.clock import Clock
from bot.metrics import watch_engine
from bot.services.container import Services, build_services
from bot.templates import TemplateCatalog
from storage.db import check_migrated, make_engine, make_session_factory, upgrade


@dataclass
class Runtime:
    """A database engine and the service layer on top of it."""

    db: Engine
    services: Services


def build_runtime(
    url: str | None = None,
    *,
    clock: Clock | None = None,
    migrate: bool = False,
    catalog: TemplateCatalog | None = None,
) -> Runtime:
    """Connect to the database and build the service layer.

    With ``migrate`` the schema is upgraded first; otherwise an un-migrated database
    is refused with :class:`storage.db.NotMigrated`, which tells what to run.
    """
    db = make_engine(url)
    watch_engine(db)
    if migrate:
        upgrade(db)
    else:
        check_migrated(db)
    services = build_services(make_session_factory(db), catalog or TemplateCatalog.load(), clock)
    return Runtime(db, services)
