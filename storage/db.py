"""Database connection, migrations and the start-up check.

SQLite is the embedded default (``sqlite:///dialogbot.db``); ``DIALOGBOT_DATABASE_URL``
overrides it, e.g. ``postgresql://user@host/dbname`` (served through psycopg 3).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy import (
    JSON,
    CursorResult,
    Engine,
    Executable,
    Table,
    Text,
    bindparam,
    cast,
    column,
    create_engine,
    event,
    func,
    inspect,
    text,
)
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.util.typing import TupleAny

from bot.domain.errors import DialogError

if TYPE_CHECKING:  # Alembic is imported only to migrate (it takes longer than the rest).
    from alembic.config import Config

T = TypeVar("T")
DEFAULT_URL = "sqlite:///dialogbot.db"
MIGRATIONS = Path(__file__).resolve().parent / "migrations"


class NotMigrated(RuntimeError):
    """The database schema is missing or older than this code expects."""

    def __init__(self, current: str | None, head: str) -> None:
        self.current = current
        self.head = head
        have = current or "empty"
        super().__init__(
            f"The database is not migrated (schema {have}, need {head}). Run: dialogbot db upgrade"
        )


class MissingDatabaseFolder(DialogError):
    """A SQLite URL names a file in a folder that does not exist.

    Creating it would turn a mistyped ``--db`` into a new empty database in a new folder
    anywhere on the disk; the default (``dialogbot.db`` in the working directory) never
    needs one."""

    key = "error.database_folder"

    def __init__(self, path: Path) -> None:
        super().__init__(
            f"no folder {path.parent} for the database {path}",
            path=str(path),
            folder=str(path.parent),
        )


def database_url(explicit: str | None = None) -> str:
    """The URL to use: the explicit one (the entry point passes ``DIALOGBOT_DATABASE_URL``
    from :mod:`bot.config`), else the default."""
    url = explicit or DEFAULT_URL
    return normalize_url(url)


def normalize_url(url: str) -> str:
    """Route plain ``postgresql://`` URLs to the psycopg 3 driver."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def make_engine(url: str | None = None, **kwargs: Any) -> Engine:
    """Create an engine for ``url`` with sensible settings per backend.

    Raises:
        MissingDatabaseFolder: A SQLite file's folder does not exist (it is not created).
    """
    resolved = database_url(url)
    parsed = make_url(resolved)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database or ""
        if database and database != ":memory:":
            path = Path(database).expanduser()
            if not path.resolve().parent.is_dir():
                raise MissingDatabaseFolder(path)
        else:  # one connection per thread (SingletonThreadPool): no pool size to set
            kwargs.pop("pool_size", None)
            kwargs.pop("max_overflow", None)
        engine = create_engine(
            resolved, connect_args={"check_same_thread": False, "timeout": 30}, **kwargs
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    # No pre-ping: it would cost a round trip on every checkout, the hot path. A connection
    # is recycled before a server or firewall would drop it for idling, and a connection
    # found dead on a transaction's first statement is replaced and the statement retried
    # (:class:`RetryingSession`); one found dead invalidates the whole pool (SQLAlchemy's
    # default), so after a server restart the retry gets a fresh connection.
    kwargs.setdefault("pool_recycle", POOL_RECYCLE_SECONDS)
    kwargs.setdefault("pool_size", 10)
    kwargs.setdefault("max_overflow", 20)
    return create_engine(resolved, **kwargs)


#: Pooled connections older than this are replaced on checkout (well under the usual
#: idle timeouts of firewalls and poolers, which drop connections silently).
POOL_RECYCLE_SECONDS = 1800


class RetryingSession(Session):
    """A session that retries a transaction's *first* statement once when the pooled
    connection turns out to be dead (server restarted, backend terminated, idle cut).

    Nothing has run in the transaction yet, so running the statement again on a new
    connection is the same as running it once; later statements, and a first statement
    with changes waiting to be flushed, are never retried (the transaction is lost with its
    connection and the caller sees the error)."""

    def _execute_internal(self, *args: Any, **kwargs: Any) -> Any:
        first = not (self.in_transaction() or self.new or self.dirty or self.deleted)
        execute = super()._execute_internal
        return _first_retried(self, first, lambda: execute(*args, **kwargs))


def _first_retried(session: Session, first: bool, run: Callable[[], T]) -> T:
    """``run()``; when it is a transaction's ``first`` statement and its pooled connection
    turns out to be dead, rolled back and run once more on a new connection."""
    try:
        return run()
    except DBAPIError as exc:
        if not (first and exc.connection_invalidated):
            raise
        session.rollback()
        return run()


def core_execute(
    session: Session,
    stmt: Executable,
    params: Mapping[str, Any] | Sequence[Mapping[str, Any]],
) -> CursorResult[*TupleAny]:
    """Run a Core statement on ``session``'s connection, without the ORM's execution
    overhead; like :class:`RetryingSession`, a transaction's first statement is retried
    once on a new connection when the pooled one turns out to be dead."""
    first = not session.in_transaction()
    return _first_retried(session, first, lambda: session.connection().execute(stmt, params))


def json_rows(parameter: str, name: str, **columns: Any) -> Any:
    """The rows of the JSON array bound as ``parameter`` (text), read by PostgreSQL's
    ``json_to_recordset`` as the table ``name`` with ``columns`` (name → SQLAlchemy type):
    one statement text and one parameter, encoded in C, for any number of rows."""
    return (
        func.json_to_recordset(cast(bindparam(parameter, type_=Text), JSON))
        .table_valued(*(column(key, type_) for key, type_ in columns.items()))
        .render_derived(name=name, with_types=True)
    )


def conflict_insert(dialect: str) -> Any:
    """The ``insert`` of ``dialect`` (``postgresql`` or ``sqlite``), which has
    ``on_conflict_do_nothing``; only that dialect's module is imported (a command on
    SQLite does not load SQLAlchemy's PostgreSQL dialect and its drivers' modules)."""
    if dialect == "postgresql":
        from sqlalchemy.dialects import postgresql

        return postgresql.insert
    from sqlalchemy.dialects import sqlite

    return sqlite.insert


def table_of(model: Any) -> Table:
    """The :class:`~sqlalchemy.Table` of a mapped class (typed: ``__table__`` is a
    ``FromClause`` to the type checker)."""
    table = model.__table__
    assert isinstance(table, Table)
    return table


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    """A session factory whose objects stay usable after commit, retrying a transaction's
    first statement on a dead connection (:class:`RetryingSession`)."""
    return sessionmaker(engine, class_=RetryingSession, expire_on_commit=False)


def alembic_config(engine: Engine) -> Config:
    """An Alembic config pointing at the packaged migrations and ``engine``."""
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False))
    cfg.attributes["engine"] = engine
    return cfg


_REVISION = re.compile(r"^revision(?:\s*:[^=]*)?=\s*[\"']([^\"']+)[\"']", re.MULTILINE)
_DOWN_REVISION = re.compile(r"^down_revision(?:\s*:[^=]*)?=\s*(.+)$", re.MULTILINE)
_QUOTED = re.compile(r"[\"']([^\"']+)[\"']")


@cache
def head_revision() -> str:
    """The newest migration this code knows.

    Read from the migration files' text (``revision = "…"``, ``down_revision = …``) without
    importing Alembic: the one revision no other revision names as its parent. A start-up
    check then costs one query, not Alembic's import time. ``tests/test_storage.py``
    checks that this agrees with Alembic's own script directory."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in sorted((MIGRATIONS / "versions").glob("*.py")):
        source = path.read_text(encoding="utf-8")
        found = _REVISION.search(source)
        if found is None:
            continue
        revisions.add(found.group(1))
        down = _DOWN_REVISION.search(source)
        if down is not None:
            parents.update(_QUOTED.findall(down.group(1)))
    heads = revisions - parents
    if len(heads) != 1:
        raise RuntimeError(f"the migrations have {len(heads)} heads, need one: {sorted(heads)}")
    return heads.pop()


def current_revision(engine: Engine) -> str | None:
    """The schema revision stored in the database, or None for an empty database."""
    with engine.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return None
        versions = list(conn.execute(text("SELECT version_num FROM alembic_version")).scalars())
    if len(versions) > 1:  # several heads: not a schema this code made
        return ",".join(sorted(versions))
    return versions[0] if versions else None


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Apply migrations up to ``revision``."""
    from alembic import command

    command.upgrade(alembic_config(engine), revision)


def downgrade(engine: Engine, revision: str) -> None:
    """Revert migrations down to ``revision``."""
    from alembic import command

    command.downgrade(alembic_config(engine), revision)


def check_migrated(engine: Engine) -> None:
    """Refuse to run on an un-migrated or outdated database."""
    current = current_revision(engine)
    head = head_revision()
    if current != head:
        raise NotMigrated(current, head)
