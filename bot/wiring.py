"""Wiring: builds the engine from configuration (:mod:`bot.config`)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine

from bot.clock import Clock
from bot.config import current, load_catalog
from bot.domain.templates import TemplateCatalog
from bot.metrics import watch_engine
from bot.services.container import Services, build_services
from storage.db import check_migrated, make_engine, make_session_factory, upgrade

#: Threads of ``dialogbot serve`` that may each hold a connection at once: waitress's
#: request threads (``--threads``, default 8), the listener executor after the ack
#: (bot/slack/executor.py, 16), the fan-out workers of a round start (bot/slack/notifier.py,
#: 8) and the background loops (scheduler, outbox resend, health; 4). The pool holds that
#: many so no thread waits for a connection; overflow covers a larger ``--threads``.
POOL_SIZE = 8 + 16 + 8 + 4
MAX_OVERFLOW = 16


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
    serving: bool = False,
) -> Runtime:
    """Connect to the database and build the service layer.

    With ``migrate`` the schema is upgraded first; otherwise an un-migrated database
    is refused with :class:`storage.db.NotMigrated`, which tells what to run.

    A command loads the templates and the use-case groups it calls when it first calls
    them. With ``serving`` (a server, the worker) they are all loaded now: a broken
    template stops the start, and no request pays for an import.
    """
    db = make_engine(url or current().database_url, pool_size=POOL_SIZE, max_overflow=MAX_OVERFLOW)
    watch_engine(db)
    if migrate:
        upgrade(db)
    else:
        check_migrated(db)
    services = build_services(make_session_factory(db), catalog or load_catalog, clock)
    if serving:
        services.load_all()
    return Runtime(db, services)
