"""Leader election between processes on one database: a PostgreSQL session-level advisory
lock held on a connection of its own.

Whoever holds the lock is the leader; the lock goes with the connection, so a leader that
exits or is killed (``kill -9``: the kernel closes its socket, PostgreSQL ends the session)
frees it at once, and a leader cut off from the database loses it when PostgreSQL notices.
SQLite has no such lock and no second process may write to it anyway: there every process
counts as the leader, which is only right for a single process (``serve --workers``
refuses more than one on SQLite).
"""

from __future__ import annotations

import logging

from sqlalchemy import Connection, Engine, create_engine, text
from sqlalchemy.pool import NullPool

log = logging.getLogger(__name__)

#: The first half of the leader's advisory lock key ("dial"); the second half is the hash
#: of the schema, so installations in different schemas of one database elect apart.
LEADER_CLASS = int.from_bytes(b"dial", "big")


class LeaderLock:
    """The leader lock of one process. Not thread-safe: one thread (the election loop)
    calls it."""

    def __init__(self, engine: Engine, key: int = LEADER_CLASS) -> None:
        self.key = key
        self.shared = engine.dialect.name == "postgresql"
        # A connection outside the pool: it lives as long as the leadership.
        # TCP keepalives: a leader whose database silently went away notices within ~30 s.
        self._engine = (
            create_engine(
                engine.url,
                poolclass=NullPool,
                connect_args={
                    "connect_timeout": 5,
                    "keepalives": 1,
                    "keepalives_idle": 10,
                    "keepalives_interval": 5,
                    "keepalives_count": 3,
                },
            )
            if self.shared
            else None
        )
        self._conn: Connection | None = None

    def try_acquire(self) -> bool:
        """Take the lock if nobody holds it; True when this process holds it now."""
        if not self.shared:
            return True
        if self._conn is not None:
            return self.holds()
        assert self._engine is not None
        try:
            conn = self._engine.connect()
            got = bool(
                conn.execute(
                    text("SELECT pg_try_advisory_lock(:k, hashtext(current_schema()))"),
                    {"k": self.key},
                ).scalar()
            )
            conn.commit()
        except Exception as err:
            log.warning("leader election: database unreachable (%s)", type(err).__name__)
            return False
        if got:
            self._conn = conn
        else:
            conn.close()
        return got

    def holds(self) -> bool:
        """True while the lock's connection is alive (checked with a round trip): a
        session-level lock ends only with its session (or an unlock, which only
        :meth:`release` does), so a dead connection means the lock is gone."""
        if not self.shared:
            return True
        if self._conn is None:
            return False
        try:
            self._conn.execute(text("SELECT 1"))
            self._conn.commit()
        except Exception as err:
            log.warning("leader lock connection lost (%s)", type(err).__name__)
            self._drop()
            return False
        return True

    def release(self) -> None:
        """Give the lock up (closing its connection ends the session, which frees it)."""
        if self._conn is not None:
            try:
                self._conn.execute(
                    text("SELECT pg_advisory_unlock(:k, hashtext(current_schema()))"),
                    {"k": self.key},
                )
                self._conn.commit()
            except Exception:
                log.info("leader lock released with its connection")
        self._drop()

    def close(self) -> None:
        """Release and dispose of the lock's engine."""
        self.release()
        if self._engine is not None:
            self._engine.dispose()

    def _drop(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            try:
                conn.close()
            except Exception:
                log.debug("closing a dead leader connection failed", exc_info=True)
