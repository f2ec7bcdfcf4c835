"""Figure 3, Slack path: SQL statements per answered message through the real Bolt app.

Where ``bench/sql_per_answer.py`` counts what the dialog engine executes, this counts
everything a signed thread-reply event costs in the database on its way through the
Slack adapter: the handled-event check, the resend of failed posts, the thread lookup,
the engine's reply, the post claim and its completion and the handled-event mark.
Statements are counted with SQLAlchemy's ``before_cursor_execute`` on a PostgreSQL
database, for rounds of 10, 1,000 and 10,000 participants; the Bolt app runs in this
process (WSGI) against an in-process fake Slack. Transactions are counted twice: the
commits SQLAlchemy makes (its ``commit`` event) and every transaction the server saw
(``pg_stat_database.xact_commit + xact_rollback`` of the bench database, read after the
pool's connections have closed so their statistics are flushed): a pool ping or any other
round trip outside the counted statements shows up there, as the difference.
"""

from __future__ import annotations

import io
import time
from typing import Any

from fakes import FakeSlack
from fakes.signing import JSON, event_callback_body, message_event, sign
from sqlalchemy import create_engine, event, text

from bench.harness import (
    SECRET,
    TEAM,
    BenchDatabase,
    admin_url,
    bench_database,
    log,
    save_result,
    seed_rounds,
)
from bot.slack.app import build_app, wsgi_app
from bot.slack.config import SlackConfig
from bot.slack.executor import TrackingExecutor
from bot.wiring import build_runtime

SIZES = (10, 1_000, 10_000)
ANSWERS = 60
TOKEN = "xoxb-sql-bench"


def _deliver(wsgi: Any, body: str) -> int:
    raw = body.encode()
    headers = sign(body, SECRET, content_type=JSON)
    environ: dict[str, Any] = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": "/slack/events",
        "QUERY_STRING": "",
        "SERVER_NAME": "bench",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(raw),
        "wsgi.errors": io.StringIO(),
        "CONTENT_LENGTH": str(len(raw)),
        "CONTENT_TYPE": JSON,
    }
    for name, value in headers.items():
        if name != "Content-Type":
            environ["HTTP_" + name.upper().replace("-", "_")] = value
    status: list[int] = []

    def start_response(line: str, _headers: list[tuple[str, str]], *_: Any) -> Any:
        status.append(int(line.split()[0]))
        return lambda _data: None

    b"".join(wsgi(environ, start_response))
    return status[0]


def server_transactions(db: BenchDatabase) -> int:
    """Transactions the server counted for the bench database, read from another database
    after the bench's connections closed (a backend flushes its statistics as it exits)."""
    db.engine.dispose()
    admin = create_engine(admin_url(), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            for _ in range(50):
                open_ = conn.execute(
                    text("SELECT count(*) FROM pg_stat_activity WHERE datname = :n"),
                    {"n": db.name},
                ).scalar()
                if not open_:
                    break
                time.sleep(0.1)
            conn.execute(text("SELECT pg_stat_clear_snapshot()"))
            return int(
                conn.execute(
                    text(
                        "SELECT xact_commit + xact_rollback FROM pg_stat_database "
                        "WHERE datname = :n"
                    ),
                    {"n": db.name},
                ).scalar()
                or 0
            )
    finally:
        admin.dispose()


def measure(size: int) -> dict[str, float]:
    """Per answered thread reply in a round of ``size`` participants: statements, the
    commits SQLAlchemy made and the transactions the server saw."""
    with bench_database(f"sqlslack{size}") as db, FakeSlack(default_token=TOKEN) as fake:
        threads = seed_rounds(db, size, 1, template="avstamning")[0][:ANSWERS]
        executor = TrackingExecutor(max_workers=4)
        config = SlackConfig(signing_secret=SECRET, bot_token=TOKEN, api_url=fake.base_url)
        # The bot's engine and services as ``serve`` builds them (no pre-ping on checkout;
        # the bench's own engine pings for its checks, a round trip the bot does not make).
        runtime = build_runtime(db.url)
        app = build_app(config, runtime, executor=executor, token_verification=False)
        wsgi = wsgi_app(app, config.signing_secret)
        count = [0]
        commits = [0]

        def counter(*_args: object) -> None:
            count[0] += 1

        def committed(*_args: object) -> None:
            commits[0] += 1

        before = server_transactions(db)
        event.listen(runtime.db, "before_cursor_execute", counter)
        event.listen(runtime.db, "commit", committed)
        for n, t in enumerate(threads):
            body = event_callback_body(
                message_event(
                    text=f"Svar {n}",
                    user=t.chat_id,
                    channel=t.channel,
                    ts=f"1800000000.{n:06d}",
                    thread_ts=t.thread_ts,
                ),
                TEAM,
            )
            if _deliver(wsgi, body) != 200:
                raise RuntimeError("the bot refused a signed event")
            executor.wait_idle()
        event.remove(runtime.db, "before_cursor_execute", counter)
        event.remove(runtime.db, "commit", committed)
        executor.shutdown()
        runtime.db.dispose()
        seen = server_transactions(db) - before
        stored = int(db.scalar("SELECT count(*) FROM answers"))
        if stored != len(threads):
            raise RuntimeError(f"{stored} of {len(threads)} answers stored")
        n = len(threads)
        return {
            "statements": count[0] / n,
            "commits": commits[0] / n,
            "server_transactions": seen / n,
        }


def main() -> dict[str, Any]:
    """Print, save and return statements per answered event by round size."""
    rows = {}
    transactions = {}
    for size in SIZES:
        found = measure(size)
        rows[str(size)] = found["statements"]
        transactions[str(size)] = found
        log(
            f"  Slack path, round of {size:>6}: {found['statements']:.2f} statements, "
            f"{found['commits']:.2f} commits, {found['server_transactions']:.2f} server "
            "transactions per answer"
        )
    values = list(rows.values())
    result = {
        "per_answer": rows,
        "transactions": transactions,
        "constant": max(values) - min(values) < 0.5,
        "at_most_8": max(values) <= 8,
        "answers_per_size": ANSWERS,
    }
    result["pass"] = bool(result["constant"] and result["at_most_8"])
    save_result("figure3_sql_per_slack_answer", result)
    return result


if __name__ == "__main__":
    main()
