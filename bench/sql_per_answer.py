"""Figure 3: SQL statements per answered message, for rounds of 10, 1,000 and 10,000.

Counts every statement the database driver executes (SQLAlchemy ``before_cursor_execute``)
while the engine handles thread replies, on a migrated database. Target: constant in the
round size and at most 8.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
import uuid
from dataclasses import dataclass

from sqlalchemy import Engine, event, text

from bench.harness import forget_created, record_created
from bench.orgs import build_org
from bot.domain.commands import StartRound
from bot.domain.templates import TemplateCatalog
from bot.services.container import build_services
from storage.db import make_engine, make_session_factory, upgrade

ANSWERS = 60


@dataclass
class Counter:
    n: int = 0

    def __call__(self, *_args: object) -> None:
        self.n += 1


def fresh_database(url: str | None) -> Engine:
    """A migrated, empty database: a temporary SQLite file or a new PostgreSQL schema."""
    if url and url.startswith("postgres"):
        schema = f"bench_{uuid.uuid4().hex[:10]}"
        record_created("schema", schema)
        admin = make_engine(url)
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        admin.dispose()
        atexit.register(_drop_schema, url, schema)
        engine = make_engine(url, connect_args={"options": f"-csearch_path={schema}"})
    else:
        folder = tempfile.mkdtemp(prefix="dialogbot-bench-")
        atexit.register(shutil.rmtree, folder, True)
        engine = make_engine(f"sqlite:///{folder}/bench.db")
    upgrade(engine)
    return engine


def _drop_schema(url: str, schema: str) -> None:
    admin = make_engine(url)
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    admin.dispose()
    forget_created("schema", schema)


def measure(size: int, url: str | None) -> float:
    """Average statements per answered message in a round of ``size`` participants."""
    db = fresh_database(url)
    factory = make_session_factory(db)
    build_org(factory, "bench", size)
    services = build_services(factory, TemplateCatalog.load())
    started = services.rounds.start_round(
        "bench", StartRound("avstamning", ["forv"], "#bench", level="enhet", started_by="UPROC")
    )
    pids = [p.participation_id for p, _ in started.participants][:ANSWERS]
    counter = Counter()
    event.listen(db, "before_cursor_execute", counter)
    for i, pid in enumerate(pids):
        services.answering.reply("bench", pid, f"Svar {i}", f"bench:{i}")
    event.remove(db, "before_cursor_execute", counter)
    db.dispose()
    return counter.n / len(pids)


def main() -> list[tuple[int, float]]:
    """Print and return (round size, statements per answer)."""
    url = os.environ.get("DIALOGBOT_BENCH_DATABASE_URL")
    rows = []
    for size in (10, 1_000, 10_000):
        per = measure(size, url)
        rows.append((size, per))
        print(f"  round of {size:>6}: {per:.2f} statements per answered message")
    return rows


if __name__ == "__main__":
    main()
