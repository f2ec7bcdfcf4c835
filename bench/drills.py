"""Fault drills against the real ``dialogbot serve`` on PostgreSQL, with the fake Slack in
its own process and the open-loop load generator (``bench.loadgen``).

Each drill sends thread replies (every manager answers every question of a seeded
round), disturbs something while the load runs, lets Slack's behaviour play out (a
delivery that got no 200 is delivered again with ``X-Slack-Retry-Num``, as Slack
retries it) and then checks the database and the fake:

* ``lost``: a reply acknowledged with 200 whose answer is not stored;
* ``doubled_answers``: one Slack message stored as more than one answer;
* ``doubled_posts``: the same text posted twice in the same thread;
* ``misplaced``: participants whose position is not the number of answers they gave
  (they would not resume at the right question).

Run one: ``python -m bench drill_retries`` (see ``bench/__main__.py``).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text

from bench.harness import (
    GROUP_CHANNEL,
    ORGANISER,
    RUN_DIR,
    TEAM,
    BenchDatabase,
    BotProc,
    FakeSlackProc,
    LoadResult,
    Proc,
    admin_url,
    answer_plan,
    bench_database,
    doubled_answers,
    duplicate_posts,
    free_port,
    log,
    run_load,
    save_result,
    seed_rounds,
    send_reply,
    settled_posts,
    start_bot,
    wait_stored,
)
from bot.clock import SystemClock
from bot.engine import StartRound
from bot.schedule.jobs import KIND_CLOSE_ROUND, JobStore, NewJob
from storage.db import make_session_factory

QUESTIONS = 5


def _at(seconds: float, action: Callable[[], object]) -> threading.Thread:
    thread = threading.Timer(seconds, action)
    thread.start()
    return thread


def _redeliver(port: int, plan: list[list[str]], result: LoadResult, copies: int = 1) -> int:
    """Deliver again (as Slack's retries) every event none of whose copies got a 200."""
    again = 0
    for n, item in enumerate(plan):
        statuses = [result.rows[n * copies + c][3] for c in range(copies)]
        if 200 in statuses:
            continue
        for attempt in range(1, 4):
            again += 1
            if send_reply(port, item, retry=attempt) == 200:
                break
            time.sleep(1.0)
    return again


def _acked_items(plan: list[list[str]], result: LoadResult, copies: int = 1) -> list[list[str]]:
    return [
        item
        for n, item in enumerate(plan)
        if any(result.rows[n * copies + c][3] == 200 for c in range(copies))
    ]


def _check(
    db: BenchDatabase,
    fake: FakeSlackProc,
    acked: list[list[str]],
    answered: int,
    settle: float = 20.0,
) -> dict[str, Any]:
    """Lost / doubled answers and posts, misplaced participants, leftover failed posts.

    ``answered`` is how many answers should end up stored (every reply of the plan, since
    Slack retries what was not acknowledged); ``acked`` the replies acknowledged with 200.
    """
    wait_stored(db, answered, None, timeout=settle)
    stored_refs = {r[0] for r in db.rows("SELECT source_ref FROM answers")}
    lost = [i for i in acked if f"slack:{i[0]}:{i[4]}" not in stored_refs]
    deadline = time.monotonic() + settle
    while True:  # until every claimed post is sent and Slack has exactly those
        keys = int(
            db.scalar(
                "SELECT count(*) FROM slack_posts WHERE status = 'sent' "
                "AND CAST(payload AS jsonb) ->> 'method' = 'chat.postMessage'"
            )
        )
        posts = settled_posts(fake, keys)
        delivered = [p for p in posts["posts"] if p[3]]
        pending = int(db.scalar("SELECT count(*) FROM slack_posts WHERE status <> 'sent'"))
        if (len(delivered) == keys and pending == 0) or time.monotonic() > deadline:
            break
        time.sleep(1.0)
    misplaced = int(
        db.scalar(
            "SELECT count(*) FROM (SELECT p.id, p.position, p.status, count(a.id) AS n "
            "FROM participations p LEFT JOIN answers a ON a.participation_id = p.id "
            "GROUP BY p.id, p.position, p.status) x "
            "WHERE NOT (x.n = x.position OR (x.status = 'finished' AND x.n = :q))",
            q=QUESTIONS,
        )
    )
    return {
        "acked": len(acked),
        "stored": len(stored_refs),
        "never_stored": answered - len(stored_refs),
        "lost": len(lost),
        "doubled_answers": doubled_answers(db),
        "posts_delivered": len(delivered),
        "post_keys_sent": keys,
        "doubled_posts": duplicate_posts(posts["posts"]),
        "misplaced_participants": misplaced,
        "posts_not_sent": dict(
            db.rows(
                "SELECT status, count(*) FROM slack_posts WHERE status <> 'sent' GROUP BY status"
            )
        ),
        "fake_statuses": posts["statuses"],
    }


def _clean(check: dict[str, Any]) -> bool:
    return (
        check["lost"] == 0
        and check["doubled_answers"] == 0
        and check["doubled_posts"] == 0
        and check["misplaced_participants"] == 0
        and check["never_stored"] == 0
        and check["posts_delivered"] == check["post_keys_sent"]
        and not check["posts_not_sent"]
    )


# Drills ------------------------------------------------------------------------------------


def drill_retries() -> dict[str, Any]:
    """Every event delivered 1 + 3 times, the copies racing each other."""
    managers, rate, copies = 100, 40.0, 4
    fake = FakeSlackProc()
    try:
        with bench_database("retries") as db:
            plan = answer_plan(seed_rounds(db, managers, 1), QUESTIONS, "retry")
            bot = start_bot(db.url, fake.base_url, name="bot-retries")
            try:
                bot.wait_ready()
                result = run_load(bot.port, plan, rate, copies=copies, name="retries")
                check = _check(db, fake, _acked_items(plan, result, copies), len(plan))
            finally:
                bot.stop()
    finally:
        fake.stop()
    check["deliveries"] = len(result.rows)
    check["delivery_statuses"] = result.statuses()
    return {
        "procedure": (
            f"{managers} managers × {QUESTIONS} questions = {len(plan)} thread replies, each "
            f"delivered {copies} times back to back (same event id, X-Slack-Retry-Num 1-3, "
            f"the copies racing on different connections), {rate:.0f} replies/s."
        ),
        **check,
        "pass": _clean(check),
    }


def drill_kill9() -> dict[str, Any]:
    """kill -9 of the bot under load, restart at once; Slack retries what got no 200."""
    managers, rate, kill_at = 200, 50.0, 7.0
    fake = FakeSlackProc()
    state: dict[str, Any] = {}
    try:
        with bench_database("kill9") as db:
            plan = answer_plan(seed_rounds(db, managers, 1), QUESTIONS, "kill")
            bot = start_bot(db.url, fake.base_url, name="bot-kill9")
            bot.wait_ready()

            def kill_and_restart() -> None:
                bot.kill9()
                state["killed_at"] = time.time()
                replacement = start_bot(
                    db.url, fake.base_url, name="bot-kill9-restarted", port=bot.port
                )
                state["restart_s"] = replacement.wait_ready()
                state["bot"] = replacement

            timer = _at(kill_at, kill_and_restart)
            result = run_load(bot.port, plan, rate, name="kill9", timeout=10)
            timer.join()
            restarted: BotProc = state["bot"]
            try:
                redelivered = _redeliver(restarted.port, plan, result)
                check = _check(db, fake, _acked_items(plan, result), len(plan))
            finally:
                restarted.stop()
    finally:
        fake.stop()
    return {
        "procedure": (
            f"{managers} managers × {QUESTIONS} questions = {len(plan)} replies at {rate:.0f}/s; "
            f"kill -9 of `dialogbot serve` after {kill_at:.0f} s and an immediate restart on "
            f"the same port; afterwards every reply that got no 200 is delivered again "
            f"({redelivered} redeliveries), as Slack retries."
        ),
        **check,
        "delivery_statuses": result.statuses(),
        "restart_s": state.get("restart_s"),
        "pass": _clean(check),
    }


def drill_replicas() -> dict[str, Any]:
    """Two replicas (scheduler on in both) behind a round-robin proxy on one database."""
    managers, rate, close_jobs = 200, 50.0, 10
    fake = FakeSlackProc()
    try:
        with bench_database("replicas") as db:
            plan = answer_plan(seed_rounds(db, managers, 1), QUESTIONS, "replica")
            engine = db.dialog_engine()
            round_ids = [
                engine.start_round(
                    TEAM,
                    StartRound(
                        "avstamning",
                        [f"enh{n}"],
                        GROUP_CHANNEL,
                        level="enhet",
                        started_by=ORGANISER,
                        title=f"Stängs av schemat {n}",
                    ),
                ).round.round_id
                for n in range(close_jobs)
            ]
            now = datetime.now(UTC)
            JobStore(make_session_factory(db.engine), SystemClock()).enqueue(
                [
                    NewJob(TEAM, KIND_CLOSE_ROUND, f"bench:close:{rid}", now, {"round_id": rid})
                    for rid in round_ids
                ]
            )
            bots = [
                start_bot(db.url, fake.base_url, name=f"bot-replica-{n}", scheduler=True)
                for n in range(2)
            ]
            port = free_port()
            proxy = Proc(
                "rr-proxy",
                [sys.executable, "-m", "bench.rr_proxy", str(port)] + [str(b.port) for b in bots],
            )
            try:
                for b in bots:
                    b.wait_ready()
                time.sleep(0.5)
                result = run_load(port, plan, rate, name="replicas")
                jobs = _wait_jobs(db, close_jobs)
                check = _check(db, fake, _acked_items(plan, result), len(plan))
            finally:
                proxy.stop()
                for b in bots:
                    b.stop()
    finally:
        fake.stop()
    jobs_ok = jobs["done"] == close_jobs and jobs["max_attempts"] == 1
    return {
        "procedure": (
            f"two `dialogbot serve` replicas (scheduler running in both) on one PostgreSQL "
            f"database behind a per-connection round-robin TCP proxy; {len(plan)} replies at "
            f"{rate:.0f}/s through the proxy; {close_jobs} close-round jobs due at start-up "
            f"for both schedulers to race for."
        ),
        **check,
        "jobs": jobs,
        "delivery_statuses": result.statuses(),
        "pass": _clean(check) and jobs_ok,
    }


def _wait_jobs(db: BenchDatabase, expected: int, timeout: float = 70.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        rows = db.rows(
            "SELECT status, attempts FROM scheduled_jobs WHERE job_key LIKE 'bench:close:%'"
        )
        done = sum(1 for status, _ in rows if status == "done")
        if done >= expected or time.monotonic() > deadline:
            summaries = int(
                db.scalar(
                    "SELECT count(DISTINCT post_key) FROM slack_posts "
                    "WHERE post_key LIKE 'round:%:summary:%' AND status = 'sent'"
                )
            )
            return {
                "done": done,
                "statuses": sorted({str(s) for s, _ in rows}),
                "max_attempts": max((int(a) for _, a in rows), default=0),
                "summary_posts": summaries,
            }
        time.sleep(1.0)


def drill_slack_outage() -> dict[str, Any]:
    """The fake Slack answers 429 for 15 s and then 500 for 15 s while answers arrive."""
    managers, rate, start_at = 100, 12.5, 5.0
    fake = FakeSlackProc()
    try:
        with bench_database("outage") as db:
            plan = answer_plan(seed_rounds(db, managers, 1), QUESTIONS, "outage")
            bot = start_bot(db.url, fake.base_url, name="bot-outage")
            try:
                bot.wait_ready()
                t1 = _at(
                    start_at,
                    lambda: fake.control("bench.fail_for", seconds=15, status=429, retry_after=1),
                )
                t2 = _at(
                    start_at + 15,
                    lambda: fake.control("bench.fail_for", seconds=15, status=500, retry_after=0),
                )
                result = run_load(bot.port, plan, rate, name="outage")
                t1.join()
                t2.join()
                time.sleep(35.0)  # the client's back-off of the last 500s runs out
                check = _check(db, fake, _acked_items(plan, result), len(plan))
            finally:
                bot.stop()
    finally:
        fake.stop()
    reactions = int(check["fake_statuses"].get("reactions.add 200", 0))
    check["reactions_missing"] = len(plan) - reactions
    return {
        "procedure": (
            f"{len(plan)} replies at {rate}/s (40 s); from {start_at:.0f} s on the fake answers "
            "every Web API call with 429 (Retry-After 1) for 15 s, then with 500 for 15 s; "
            "the last 5 s of replies arrive after it recovered."
        ),
        **check,
        "pass": _clean(check),
    }


def pg_restart() -> float:
    """Restart the local PostgreSQL cluster; seconds until it accepts connections again."""
    version = sorted(p.name for p in Path("/etc/postgresql").iterdir())[-1]
    start = time.monotonic()
    subprocess.run(
        [
            "pg_ctlcluster",
            "--skip-systemctl-redirect",
            version,
            "main",
            "restart",
            "-m",
            "fast",
        ],
        check=True,
        capture_output=True,
    )
    pg_ready()
    return time.monotonic() - start


def pg_ready(timeout: float = 60.0) -> None:
    """Wait until PostgreSQL on 127.0.0.1 accepts connections."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ok = subprocess.run(
            ["pg_isready", "-h", "127.0.0.1", "-p", "5432", "-q"], check=False
        ).returncode
        if ok == 0:
            return
        time.sleep(0.2)
    raise TimeoutError("PostgreSQL did not come back")


def drill_pg_restart() -> dict[str, Any]:
    """PostgreSQL restarted under load; Slack retries what got no 200."""
    if shutil.which("pg_ctlcluster") is None or not Path("/etc/postgresql").exists():
        return {"procedure": "skipped: no local pg_ctlcluster", "pass": None}
    managers, rate, restart_at = 100, 20.0, 8.0
    fake = FakeSlackProc()
    state: dict[str, float] = {}
    try:
        with bench_database("pgrestart") as db:
            plan = answer_plan(seed_rounds(db, managers, 1), QUESTIONS, "pg")
            bot = start_bot(db.url, fake.base_url, name="bot-pgrestart")
            try:
                bot.wait_ready()

                def restart() -> None:
                    state["outage_s"] = pg_restart()

                timer = _at(restart_at, restart)
                result = run_load(bot.port, plan, rate, name="pgrestart", timeout=10)
                timer.join()
                redelivered = _redeliver(bot.port, plan, result)
                check = _check(db, fake, _acked_items(plan, result), len(plan))
            finally:
                bot.stop()
    finally:
        fake.stop()
        pg_ready()
    return {
        "procedure": (
            f"{len(plan)} replies at {rate:.0f}/s; after {restart_at:.0f} s PostgreSQL is "
            f"restarted (pg_ctlcluster restart -m fast, {state.get('outage_s', 0):.1f} s until "
            f"it accepted connections again); afterwards every reply that got no 200 is "
            f"delivered again ({redelivered} redeliveries)."
        ),
        **check,
        "delivery_statuses": result.statuses(),
        "pass": _clean(check),
    }


BACKUP_TABLES = (
    "units",
    "people",
    "rounds",
    "participations",
    "answers",
    "answer_revisions",
    "processed_messages",
    "slack_posts",
    "scheduled_jobs",
)


def _fingerprint(db: BenchDatabase) -> dict[str, str]:
    """Row count and a checksum of every row of the tables a round lives in."""
    return {
        table: str(
            db.scalar(
                f"SELECT count(*) || ':' || coalesce(md5(string_agg(t::text, '|' ORDER BY t::text)),"
                f" '') FROM {table} t"
            )
        )
        for table in BACKUP_TABLES
    }


def _dialogbot(args: list[str], db_url: str) -> float:
    """Run the ``dialogbot`` command line; seconds it took."""
    started = time.monotonic()
    subprocess.run(
        [sys.executable, "-m", "bot.cli", "--db", db_url, *args],
        check=True,
        capture_output=True,
        timeout=600,
    )
    return time.monotonic() - started


def drill_backup_restore() -> dict[str, Any]:
    """A round half answered, ``db backup`` while the bot runs, the database dropped,
    ``db restore`` into a new one, and the round finished on the restored database."""
    managers, rate = 100, 40.0
    split = managers * 2  # the first two questions of every manager
    fake = FakeSlackProc()
    dump = RUN_DIR / "drill-backup.dump"
    try:
        with bench_database("backup") as db:
            plan = answer_plan(seed_rounds(db, managers, 1), QUESTIONS, "backup")
            bot = start_bot(db.url, fake.base_url, name="bot-backup")
            try:
                bot.wait_ready()
                first = run_load(bot.port, plan[:split], rate, name="backup-1")
                wait_stored(db, split, None, timeout=30)
                settled = time.monotonic() + 30
                while db.scalar("SELECT count(*) FROM slack_posts WHERE status <> 'sent'"):
                    if time.monotonic() > settled:
                        break
                    time.sleep(0.5)
                before = _fingerprint(db)
                backup_s = _dialogbot(["db", "backup", str(dump)], db.url)
            finally:
                bot.stop()
            db.drop()
            admin = create_engine(admin_url(), isolation_level="AUTOCOMMIT")
            with admin.connect() as conn:
                conn.execute(text(f'CREATE DATABASE "{db.name}"'))
            admin.dispose()
            restore_s = _dialogbot(["db", "restore", str(dump)], db.url)
            after = _fingerprint(db)
            bot = start_bot(db.url, fake.base_url, name="bot-backup-restored")
            try:
                bot.wait_ready()
                second = run_load(bot.port, plan[split:], rate, name="backup-2")
                acked = _acked_items(plan[:split], first) + _acked_items(plan[split:], second)
                check = _check(db, fake, acked, len(plan))
            finally:
                bot.stop()
    finally:
        fake.stop()
    identical = before == after
    return {
        "procedure": (
            f"{managers} managers answer questions 1-2 of {QUESTIONS} ({split} replies at "
            f"{rate:.0f}/s); `dialogbot db backup` (pg_dump -Fc) while the bot runs; the bot "
            f"stopped, the database dropped and created empty, `dialogbot db restore` "
            f"(pg_restore); the bot started on it and the remaining {len(plan) - split} "
            "replies sent."
        ),
        **check,
        "identical_after_restore": identical,
        "backup_bytes": dump.stat().st_size if dump.exists() else 0,
        "backup_s": round(backup_s, 2),
        "restore_s": round(restore_s, 2),
        "pass": identical and _clean(check),
    }


DRILLS: dict[str, Callable[[], dict[str, Any]]] = {
    "drill_retries": drill_retries,
    "drill_kill9": drill_kill9,
    "drill_replicas": drill_replicas,
    "drill_slack_outage": drill_slack_outage,
    "drill_pg_restart": drill_pg_restart,
    "drill_backup_restore": drill_backup_restore,
}


def main(names: list[str] | None = None) -> dict[str, dict[str, Any]]:
    """Run the drills (all, or those named) and save each result."""
    out = {}
    for name in names or list(DRILLS):
        log(f"{name} …")
        out[name] = DRILLS[name]()
        save_result(name, out[name])
        log(f"{name}: {'PASS' if out[name]['pass'] else 'FAIL'} {out[name]}")
    return out


if __name__ == "__main__":
    main(sys.argv[1:] or None)
