"""Backups and restores of the whole database.

PostgreSQL: ``pg_dump --format=custom`` and ``pg_restore`` (the client tools must be
installed, of the server's major version or newer). SQLite: the online backup API of
:mod:`sqlite3`, which copies a consistent snapshot while the bot keeps running.

A restore replaces everything in the target database; it refuses a database that already
has a schema unless ``force`` is given.
"""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import SQLAlchemyError

from storage.db import current_revision, database_url, make_engine

PG_TIMEOUT_S = 3600


class BackupError(RuntimeError):
    """A backup or restore could not be done; the message says why and what to do."""


@dataclass(frozen=True)
class BackupResult:
    """What was written or restored."""

    path: Path
    size: int
    backend: str
    revision: str | None


def _sqlite_path(url: URL) -> Path:
    database = url.database or ""
    if not database or database == ":memory:":
        raise BackupError("an in-memory SQLite database cannot be backed up or restored")
    return Path(database).expanduser()


def _libpq(url: URL, base: Mapping[str, str] | None) -> tuple[str, dict[str, str] | None]:
    """A libpq connection URL without the password, and the environment carrying it
    (so it never shows in the process list): ``base`` (the caller's environment) plus
    ``PGPASSWORD``; None (inherit) without ``base`` and without a password."""
    if base is None and url.password is None:
        return url.set(drivername="postgresql").render_as_string(hide_password=False), None
    env = dict(base or {})
    if url.password is not None:
        env["PGPASSWORD"] = str(url.password)
    plain = url.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(
            f"{name} was not found. Install the PostgreSQL client tools of the server's major "
            "version or newer (Debian/Ubuntu: apt install postgresql-client) and try again."
        )
    return found


def _run(args: list[str], env: dict[str, str] | None, what: str) -> None:
    try:
        done = subprocess.run(
            args, env=env, capture_output=True, text=True, timeout=PG_TIMEOUT_S, check=False
        )
    except subprocess.TimeoutExpired as err:
        raise BackupError(f"{what} did not finish within {PG_TIMEOUT_S} s") from err
    if done.returncode != 0:
        detail = (done.stderr or done.stdout).strip().splitlines()
        raise BackupError(f"{what} failed: {' / '.join(detail[-3:]) or done.returncode}")


def backup(url: str | None, target: Path, *, env: Mapping[str, str] | None = None) -> BackupResult:
    """Write a backup of the database at ``url`` to ``target`` (overwritten)."""
    resolved = make_url(database_url(url))
    target = target.expanduser()
    backend = resolved.get_backend_name()
    pg_dump = _tool("pg_dump") if backend == "postgresql" else ""
    revision = _revision(resolved)
    target.parent.mkdir(parents=True, exist_ok=True)
    if backend == "sqlite":
        source = _sqlite_path(resolved)
        if not source.exists():
            raise BackupError(f"there is no SQLite database at {source}")
        partial = target.with_name(target.name + ".partial")
        partial.unlink(missing_ok=True)
        with sqlite3.connect(source) as src, sqlite3.connect(partial) as dst:
            src.backup(dst)
            ok = dst.execute("PRAGMA integrity_check").fetchone()
        if not ok or ok[0] != "ok":
            partial.unlink(missing_ok=True)
            raise BackupError(f"the copy of {source} failed its integrity check: {ok}")
        partial.replace(target)
    elif backend == "postgresql":
        dsn, child_env = _libpq(resolved, env)
        _run(
            [pg_dump, "--format=custom", "--no-owner", f"--file={target}", dsn],
            child_env,
            "pg_dump",
        )
    else:
        raise BackupError(f"backups of {backend} databases are not supported")
    return BackupResult(target, target.stat().st_size, backend, revision)


def _revision(url: URL) -> str | None:
    engine = make_engine(url.render_as_string(hide_password=False))
    try:
        return current_revision(engine)
    except SQLAlchemyError as err:
        first = str(err).splitlines()[0]
        raise BackupError(f"cannot read the database ({type(err).__name__}: {first})") from err
    finally:
        engine.dispose()


def restore(
    url: str | None,
    source: Path,
    *,
    force: bool = False,
    env: Mapping[str, str] | None = None,
) -> BackupResult:
    """Replace the database at ``url`` with the backup in ``source``.

    Refuses a database that already has a schema unless ``force``: a restore overwrites
    every answer given since the backup was taken.
    """
    resolved = make_url(database_url(url))
    source = source.expanduser()
    if not source.is_file():
        raise BackupError(f"there is no backup file {source}")
    backend = resolved.get_backend_name()
    pg_restore = _tool("pg_restore") if backend == "postgresql" else ""
    if _revision(resolved) is not None and not force:
        raise BackupError(
            "the database is not empty; a restore replaces everything in it (every answer "
            "since the backup is lost). Stop the bot, back the database up, and run the "
            "restore again with --force."
        )
    if backend == "sqlite":
        path = _sqlite_path(resolved)
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            with sqlite3.connect(source) as src:
                if src.execute("PRAGMA integrity_check").fetchone() != ("ok",):
                    raise BackupError(f"{source} is not an intact SQLite backup")
                with sqlite3.connect(path) as dst:
                    src.backup(dst)
        except sqlite3.DatabaseError as err:
            raise BackupError(f"{source} is not a SQLite backup ({err})") from err
    elif backend == "postgresql":
        dsn, child_env = _libpq(resolved, env)
        tool = pg_restore
        _run([tool, "--list", str(source)], child_env, f"reading {source}")
        args = [tool, "--no-owner", "--exit-on-error", "--single-transaction", f"--dbname={dsn}"]
        if force:
            args[1:1] = ["--clean", "--if-exists"]
        _run([*args, str(source)], child_env, "pg_restore")
    else:
        raise BackupError(f"restores of {backend} databases are not supported")
    return BackupResult(source, source.stat().st_size, backend, _revision(resolved))
