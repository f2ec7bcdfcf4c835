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

import json
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from fakes.signing import FORM, view_submission_body
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

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
    post_signed,
    run_load,
    save_result,
    seed_rounds,
    send_reply,
    settled_posts,
    start_bot,
    wait_stored,
)
from bot.clock import SystemClock
from bot.domain.commands import StartRound
from bot.schedule.jobs import KIND_CLOSE_ROUND, NewJob
from bot.services.jobs import JobStore
from bot.slack.blocks import VIEW_FORM
from storage.db import make_session_factory
from storage.outbox import DEFAULT_LEASE

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


#: Rows the poster gives up by design when their sender was cut off (``resend: false``: a
#: private note is not sent blind after a crash; a ``chat.update`` keeps no content, since
#: it may show an answer, so the resender refreshes the participant's messages instead,
#: which claims the row again unless nothing is left to change).
_GIVEN_UP = "status = 'dead' AND CAST(payload AS jsonb) ->> 'resend' = 'false'"


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
                "SELECT count(*) FROM chat_posts WHERE status = 'sent' "
                "AND CAST(payload AS jsonb) ->> 'method' = 'chat.postMessage'"
            )
        )
        posts = settled_posts(fake, keys)
        delivered = [p for p in posts["posts"] if p[3]]
        pending = int(db.scalar("SELECT count(*) FROM chat_posts WHERE status <> 'sent'"))
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
                "SELECT status, count(*) FROM chat_posts WHERE status <> 'sent' "
                f"AND NOT ({_GIVEN_UP}) GROUP BY status"
            )
        ),
        "given_up_by_design": int(db.scalar(f"SELECT count(*) FROM chat_posts WHERE {_GIVEN_UP}")),
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
                # A post the killed process made but had not yet recorded stays pending
                # under its lease; the restarted process's resender settles it after that.
                settle = DEFAULT_LEASE.total_seconds() + 20.0
                check = _check(db, fake, _acked_items(plan, result), len(plan), settle)
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
            services = db.make_services()
            round_ids = [
                services.rounds.start_round(
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
                    "SELECT count(DISTINCT post_key) FROM chat_posts "
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
                # A post made while the server was down but not recorded stays pending
                # under its lease; the resender settles it after that (as in drill_kill9).
                settle = DEFAULT_LEASE.total_seconds() + 20.0
                check = _check(db, fake, _acked_items(plan, result), len(plan), settle)
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


def _missing_followups(db: BenchDatabase) -> int:
    """Stored answers whose follow-up (the next question, or the closing words after the
    last one) is not delivered: the ``:next`` post under the answer's message key."""
    return int(
        db.scalar(
            "SELECT count(*) FROM answers a LEFT JOIN chat_posts p "
            "ON p.post_key = a.source_ref || :suffix AND p.status = 'sent' WHERE p.id IS NULL",
            suffix=":next",
        )
    )


def _wait_followups(db: BenchDatabase, since: float, timeout: float) -> float | None:
    """Seconds from ``since`` (monotonic) until every stored answer's follow-up is delivered
    and no post is left unsent; None if that did not happen within ``timeout``."""
    deadline = since + timeout
    while time.monotonic() < deadline:
        unsent = int(db.scalar("SELECT count(*) FROM chat_posts WHERE status <> 'sent'"))
        if unsent == 0 and _missing_followups(db) == 0:
            return time.monotonic() - since
        time.sleep(0.5)
    return None


def drill_crash_after_ack() -> dict[str, Any]:
    """kill -9 while acknowledged answers still wait for their posts; restart; every stored
    answer's follow-up must be posted within 60 s of the restart, none twice."""
    managers, rate, kill_at, limit_s = 200, 50.0, 6.0, 60.0
    fake = FakeSlackProc()
    state: dict[str, Any] = {}
    try:
        with bench_database("crashack") as db:
            plan = answer_plan(seed_rounds(db, managers, 1), QUESTIONS, "crash")
            bot = start_bot(db.url, fake.base_url, name="bot-crashack")
            bot.wait_ready()

            def stall_and_kill() -> None:
                # Slack answers 503 for a while: the posts after each ack wait in the
                # client's back-off, so the kill lands between acks and their posts.
                fake.control("bench.fail_for", seconds=6, status=503, retry_after=0)
                time.sleep(2.0)
                bot.kill9()
                state["unsent_at_kill"] = int(
                    db.scalar("SELECT count(*) FROM chat_posts WHERE status <> 'sent'")
                )
                state["answers_without_followup_at_kill"] = _missing_followups(db)
                replacement = start_bot(
                    db.url, fake.base_url, name="bot-crashack-restarted", port=bot.port
                )
                state["restart_s"] = replacement.wait_ready()
                state["restarted_at"] = time.monotonic()
                state["bot"] = replacement

            timer = _at(kill_at, stall_and_kill)
            result = run_load(bot.port, plan, rate, name="crashack", timeout=10)
            timer.join()
            restarted: BotProc = state["bot"]
            try:
                redelivered = _redeliver(restarted.port, plan, result)
                followups_s = _wait_followups(db, state["restarted_at"], limit_s + 30)
                check = _check(db, fake, _acked_items(plan, result), len(plan))
                check["answers_without_followup"] = _missing_followups(db)
            finally:
                restarted.stop()
    finally:
        fake.stop()
    exercised = state.get("answers_without_followup_at_kill", 0) > 0
    return {
        "procedure": (
            f"{managers} managers × {QUESTIONS} questions = {len(plan)} replies at {rate:.0f}/s; "
            f"after {kill_at:.0f} s the fake Slack answers 503 for 6 s (the posts after the "
            f"acks wait in the client's back-off), and 2 s into that `dialogbot serve` is "
            f"killed with kill -9 and restarted on the same port; Slack's retries of what got "
            f"no 200 follow ({redelivered} redeliveries). Measured: the time from the restart "
            f"until every stored answer's follow-up (`…:next`) is delivered."
        ),
        **check,
        "unsent_posts_at_kill": state.get("unsent_at_kill"),
        "answers_without_followup_at_kill": state.get("answers_without_followup_at_kill"),
        "followups_all_posted_after_restart_s": (
            None if followups_s is None else round(followups_s, 1)
        ),
        "delivery_statuses": result.statuses(),
        "restart_s": state.get("restart_s"),
        "pass": (
            _clean(check)
            and exercised
            and followups_s is not None
            and followups_s <= limit_s
            and check["answers_without_followup"] == 0
        ),
    }


def drill_form_outage() -> dict[str, Any]:
    """Form submissions while PostgreSQL is unreachable are refused in the modal, not
    acknowledged; submitted again afterwards, every form is stored once."""
    managers = 60
    fake = FakeSlackProc()
    outcomes: dict[str, int] = {}
    try:
        with bench_database("formdown") as db:
            threads = seed_rounds(db, managers, 1)[0]
            question = str(
                db.scalar(
                    "SELECT body -> 'questions' -> 0 ->> 'key' FROM template_snapshots LIMIT 1"
                )
            )
            proxy_port = free_port()

            def proxy() -> Proc:
                return Proc(
                    "pg-proxy",
                    [sys.executable, "-m", "bench.rr_proxy", str(proxy_port), "5432"],
                )

            gate = proxy()
            time.sleep(0.3)
            bot_url = make_url(db.url).set(host="127.0.0.1", port=proxy_port)
            bot = start_bot(
                bot_url.render_as_string(hide_password=False), fake.base_url, name="bot-formdown"
            )
            try:
                bot.wait_ready()
                third = managers // 3
                statuses: dict[int, str] = {}
                seconds: dict[int, float] = {}
                for n, t in enumerate(threads):
                    if n == third:  # PostgreSQL becomes unreachable for the bot
                        gate.stop()
                    if n == 2 * third:
                        gate = proxy()
                        time.sleep(0.5)
                    started = time.monotonic()
                    statuses[n] = _submit_form(bot.port, t, question, f"V0FORM{n}")
                    seconds[n] = time.monotonic() - started
                refused = [n for n, s in statuses.items() if s != "stored"]
                during = [statuses[n] for n in range(third, 2 * third)]
                again = {
                    n: _submit_form(bot.port, threads[n], question, f"V0FORM{n}") for n in refused
                }
                # Posts whose bookkeeping the outage cut off are settled by the resender
                # once their lease runs out.
                settled_s = _wait_followups(db, time.monotonic(), 90.0)
                stored = dict(
                    db.rows(
                        "SELECT p.id, a.text FROM participations p JOIN answers a "
                        "ON a.participation_id = p.id"
                    )
                )
                revisions = int(db.scalar("SELECT count(*) FROM answer_revisions"))
                followups = int(
                    db.scalar(
                        "SELECT count(*) FROM chat_posts WHERE post_key LIKE :pattern "
                        "AND status = 'sent'",
                        pattern="slack:view:%:next",
                    )
                )
                posts = settled_posts(fake, 2 * managers)
            finally:
                bot.stop()
                gate.stop()
    finally:
        fake.stop()
    for s in list(statuses.values()) + list(again.values()):
        outcomes[s] = outcomes.get(s, 0) + 1
    acked_stored = [n for n, s in statuses.items() if s == "stored"] + [
        n for n, s in again.items() if s == "stored"
    ]
    lost = [
        n for n in acked_stored if stored.get(threads[n].participation_id) != _form_text(threads[n])
    ]
    check = {
        "forms": managers,
        "acked_during_outage": sum(1 for s in during if s == "stored"),
        "refused_during_outage": sum(1 for s in during if s != "stored"),
        "refused_how": sorted(set(during)),
        "slowest_answer_during_outage_s": round(
            max(seconds[n] for n in range(managers // 3, 2 * managers // 3)), 2
        ),
        "stored_after_resubmission": sum(1 for s in again.values() if s == "stored"),
        "lost": len(lost),
        "stored": len(stored),
        "answer_revisions": revisions,
        "followups_sent": followups,
        "outbox_settled_after_s": None if settled_s is None else round(settled_s, 1),
        "doubled_posts": duplicate_posts(posts["posts"]),
    }
    return {
        "procedure": (
            f"{managers} managers each submit the answer form (a signed view_submission) "
            f"through `dialogbot serve`, whose database connection runs through a TCP proxy; "
            f"the proxy is stopped for the middle third (PostgreSQL unreachable for the bot, "
            f"pooled connections cut) and started again; every submission that was not "
            f"acknowledged as stored is submitted again, as the person would (the modal kept "
            f"the text)."
        ),
        **check,
        "outcomes": outcomes,
        "pass": (
            check["acked_during_outage"] == 0
            and check["refused_during_outage"] == managers // 3
            and check["lost"] == 0
            and check["stored"] == managers
            and check["answer_revisions"] == managers
            and check["followups_sent"] == managers
            and check["doubled_posts"] == 0
        ),
    }


def _form_text(thread: Any) -> str:
    return f"Formulärsvar från {thread.chat_id}"


def _submit_form(port: int, thread: Any, question: str, view_id: str) -> str:
    """Submit one form; ``stored`` (acknowledged), ``refused in modal`` or ``HTTP <n>``."""
    body = view_submission_body(
        callback_id=VIEW_FORM,
        user_id=thread.chat_id,
        team_id=TEAM,
        state_values={
            f"q:{question}": {"answer": {"type": "plain_text_input", "value": _form_text(thread)}}
        },
        private_metadata=json.dumps({"p": thread.participation_id}),
        view_id=view_id,
    )
    status, payload, _ = post_signed(port, body, FORM)
    if status == 200 and not payload:
        return "stored"
    if status == 200 and '"errors"' in payload:
        return "refused in modal"
    return f"HTTP {status}"


BACKUP_TABLES = (
    "units",
    "people",
    "rounds",
    "participations",
    "answers",
    "answer_revisions",
    "processed_messages",
    "chat_posts",
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
                while db.scalar("SELECT count(*) FROM chat_posts WHERE status <> 'sent'"):
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
    "drill_crash_after_ack": drill_crash_after_ack,
    "drill_form_outage": drill_form_outage,
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
