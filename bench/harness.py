"""What the figures and drills share: a throw-away PostgreSQL database, the bot, the fake
Slack and the load generator as subprocesses, signed requests, seeded rounds and results.
"""

from __future__ import annotations

import hashlib
import http.client
import json
import math
import os
import platform
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from fakes.signing import DEFAULT_TEAM_ID, FORM, JSON, event_callback_body, message_event, sign
from fakes.signing import slash_command_body as _slash_command_body
from sqlalchemy import Engine, Table, bindparam, create_engine, func, select, text, update
from sqlalchemy.engine import make_url

from bench.fake_slack_server import TOKEN
from bench.orgs import build_org
from bot.domain.commands import StartRound
from bot.domain.templates import TemplateCatalog
from bot.services.container import Services, build_services
from storage.db import make_engine, make_session_factory, upgrade
from storage.models import Answer, Participation

SECRET = "bench-signing-secret"
TEAM = DEFAULT_TEAM_ID
GROUP_CHANNEL = "C0BENCH"
ORGANISER = "UPROC"
ROOT = Path(__file__).resolve().parent.parent
RUN_DIR = Path(os.environ.get("DIALOGBOT_BENCH_RUN_DIR", "/tmp/dialogbot-bench"))
RESULTS_DIR = Path(__file__).resolve().parent / "results"
DEFAULT_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/test"


def admin_url() -> str:
    """The PostgreSQL server to create benchmark databases on."""
    return os.environ.get("DIALOGBOT_BENCH_DATABASE_URL", DEFAULT_ADMIN_URL)


def log(message: str) -> None:
    """Progress on stderr (results go to ``bench/results`` and BENCHMARKS.md)."""
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# Database --------------------------------------------------------------------------------


class BenchDatabase:
    """A PostgreSQL database of its own (``bench_<label>_<hex>``), migrated; dropped at the end."""

    def __init__(self, label: str) -> None:
        self.name = f"bench_{label}_{uuid.uuid4().hex[:8]}"
        base = make_url(admin_url())
        self.url = base.set(database=self.name).render_as_string(hide_password=False)
        record_created("database", self.name)
        admin = create_engine(admin_url(), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{self.name}"'))
        admin.dispose()
        # The bench's own checks (not the bot) ping: a drill restarts the server under them.
        self.engine: Engine = make_engine(self.url, pool_pre_ping=True)
        upgrade(self.engine)

    def make_services(self) -> Services:
        """The service layer on this database (for seeding and checks in the bench process)."""
        return build_services(make_session_factory(self.engine), TemplateCatalog.load())

    def scalar(self, sql: str, **params: Any) -> Any:
        """One value of a query."""
        with self.engine.connect() as conn:
            return conn.execute(text(sql), params).scalar()

    def rows(self, sql: str, **params: Any) -> list[tuple[Any, ...]]:
        """All rows of a query."""
        with self.engine.connect() as conn:
            return [tuple(r) for r in conn.execute(text(sql), params)]

    def analyze(self) -> None:
        """Update the planner's statistics, as autovacuum does on a production server (the
        CI server runs with ``autovacuum = off``: without this, tables that started empty
        keep "empty" statistics however much they grow, and the planner picks plans that
        read a whole workspace's rows per answer, more the later a system is measured)."""
        with self.engine.connect() as conn:
            conn.execute(text("ANALYZE"))
            conn.commit()

    def drop(self) -> None:
        """Drop the database (after ending the sessions still connected to it)."""
        self.engine.dispose()
        admin = create_engine(admin_url(), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = :name AND pid <> pg_backend_pid()"
                ),
                {"name": self.name},
            )
            conn.execute(text(f'DROP DATABASE IF EXISTS "{self.name}"'))
        admin.dispose()
        forget_created("database", self.name)


@contextmanager
def bench_database(label: str) -> Iterator[BenchDatabase]:
    """A fresh database for one figure or drill."""
    db = BenchDatabase(label)
    try:
        yield db
    finally:
        db.drop()


#: What this checkout's bench runs created (one file per checkout: runs from another
#: checkout on the same server keep their own record and are never touched).
CREATED_FILE = RUN_DIR / f"created-databases-{hashlib.sha1(str(ROOT).encode()).hexdigest()[:8]}.txt"
_created_lock = threading.Lock()


def _created_entries() -> list[tuple[str, str]]:
    if not CREATED_FILE.exists():
        return []
    entries = []
    for line in CREATED_FILE.read_text().splitlines():
        kind, _, name = line.partition(" ")
        if kind in ("database", "schema") and name:
            entries.append((kind, name))
    return entries


def record_created(kind: str, name: str) -> None:
    """Write down a database or schema *before* creating it, so an interrupted run's
    leftovers are known by name (and only those are ever dropped)."""
    with _created_lock:
        CREATED_FILE.parent.mkdir(parents=True, exist_ok=True)
        with CREATED_FILE.open("a") as f:
            f.write(f"{kind} {name}\n")


def forget_created(kind: str, name: str) -> None:
    """Strike a database or schema from the record after it was dropped."""
    with _created_lock:
        kept = [e for e in _created_entries() if e != (kind, name)]
        CREATED_FILE.write_text("".join(f"{k} {n}\n" for k, n in kept))


def drop_leftover_databases() -> None:
    """Drop the databases and schemas an interrupted earlier bench run recorded as created.

    Only names this bench wrote down in ``CREATED_FILE`` before it created
    them are dropped: other ``bench_*`` databases on the server (another checkout's run,
    someone's own) are never touched.
    """
    entries = _created_entries()
    if not entries:
        return
    admin = create_engine(admin_url(), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        for kind, name in entries:
            if kind == "database":
                conn.execute(
                    text(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                        "WHERE datname = :n AND pid <> pg_backend_pid()"
                    ),
                    {"n": name},
                )
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
            else:
                conn.execute(text(f'DROP SCHEMA IF EXISTS "{name}" CASCADE'))
            log(f"dropped leftover {kind} {name} of an earlier run")
    admin.dispose()
    for kind, name in entries:
        forget_created(kind, name)


# Processes -------------------------------------------------------------------------------


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Proc:
    """A subprocess in its own session, its output in ``RUN_DIR/<name>.log``."""

    def __init__(
        self,
        name: str,
        argv: Sequence[str],
        env: dict[str, str] | None = None,
        stdout_pipe: bool = False,
    ) -> None:
        RUN_DIR.mkdir(parents=True, exist_ok=True)
        self.name = name
        self.log_path = RUN_DIR / f"{name}.log"
        self._log: IO[bytes] = self.log_path.open("ab")
        self.popen = subprocess.Popen(
            list(argv),
            cwd=ROOT,
            env={**os.environ, **(env or {})},
            stdout=subprocess.PIPE if stdout_pipe else self._log,
            stderr=self._log,
            start_new_session=True,
        )

    @property
    def pid(self) -> int:
        """The process id."""
        return int(self.popen.pid)

    def alive(self) -> bool:
        """True while the process runs."""
        return self.popen.poll() is None

    def kill9(self) -> None:
        """SIGKILL, no chance to clean up."""
        if self.alive():
            os.kill(self.pid, signal.SIGKILL)
        self.popen.wait(10)

    def stop(self, timeout: float = 10.0) -> None:
        """SIGTERM, then SIGKILL after ``timeout``."""
        if self.alive():
            self.popen.send_signal(signal.SIGTERM)
            try:
                self.popen.wait(timeout)
            except subprocess.TimeoutExpired:
                self.kill9()
        self._log.close()

    def rss_kb(self) -> int:
        """Resident set size from /proc."""
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
        return 0

    def log_tail(self, lines: int = 20) -> str:
        """The end of the process's output."""
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])


class FakeSlackProc(Proc):
    """``bench.fake_slack_server`` in its own process."""

    def __init__(self) -> None:
        super().__init__(
            "fake-slack", [sys.executable, "-m", "bench.fake_slack_server"], stdout_pipe=True
        )
        assert self.popen.stdout is not None
        line = self.popen.stdout.readline().decode()
        if not line.startswith("PORT "):
            raise RuntimeError(f"fake Slack did not start: {self.log_tail()}")
        self.port = int(line.split()[1])
        self.base_url = f"http://127.0.0.1:{self.port}/api/"

    def control(self, method: str, **args: Any) -> dict[str, Any]:
        """Call one of the ``bench.*`` control methods."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        conn.request(
            "POST",
            f"/api/{method}",
            json.dumps(args),
            {"Content-Type": "application/json", "Authorization": f"Bearer {TOKEN}"},
        )
        body = json.loads(conn.getresponse().read())
        conn.close()
        if not body.get("ok"):
            raise RuntimeError(f"{method}: {body}")
        return dict(body)

    def posts(self, since: int = 0) -> dict[str, Any]:
        """Every chat.postMessage attempt (from the ``since``-th on, see ``total``) and a
        count of calls per method and status."""
        return self.control("bench.posts", since=since)

    def post_count(self) -> int:
        """How many chat.postMessage attempts the fake has seen (a ``since`` for
        :meth:`posts` that leaves out everything made so far)."""
        return int(self.control("bench.posts", since=1 << 62)["total"])


class BotProc(Proc):
    """``dialogbot serve --mode http`` (or the bare floor app) listening on ``port``."""

    def __init__(
        self, name: str, argv: Sequence[str], port: int, env: dict[str, str] | None = None
    ) -> None:
        self.port = port
        self.started = time.perf_counter()
        super().__init__(name, argv, env)

    def wait_ready(self, timeout: float = 60.0) -> float:
        """Wait until ``GET /healthz`` answers; seconds since the process was started."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.alive():
                raise RuntimeError(f"{self.name} exited: {self.log_tail()}")
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                conn.request("GET", "/healthz")
                if conn.getresponse().status == 200:
                    conn.close()
                    return time.perf_counter() - self.started
            except OSError:
                pass
            time.sleep(0.02)
        raise TimeoutError(f"{self.name} not ready: {self.log_tail()}")


def bot_env(db_url: str, api_url: str) -> dict[str, str]:
    """The environment ``dialogbot serve`` reads."""
    return {
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_BOT_TOKEN": TOKEN,
        "SLACK_API_URL": api_url,
        "DIALOGBOT_DATABASE_URL": db_url,
        "PYTHONUNBUFFERED": "1",
    }


#: The fake Slack enforces no workspace-wide posting limit unless a bench sets one, so the
#: bot is told of none either (it then paces per channel only, as the floors do).
UNLIMITED = {"DIALOGBOT_SLACK_WORKSPACE_RATE": "10000", "DIALOGBOT_SLACK_WORKSPACE_BURST": "10000"}


def start_bot(
    db_url: str,
    api_url: str,
    *,
    name: str = "bot",
    port: int | None = None,
    scheduler: bool = False,
    threads: int = 8,
    workers: int = 1,
    env: dict[str, str] | None = None,
) -> BotProc:
    """Start ``dialogbot serve --mode http`` on loopback (not yet waited for), with
    ``workers`` processes on the port; ``env`` adds to :func:`bot_env` (e.g. the posting
    rates the fake enforces)."""
    port = port or free_port()
    argv = [
        str(Path(sys.executable).parent / "dialogbot"),
        "serve",
        "--mode",
        "http",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--threads",
        str(threads),
    ]
    if workers > 1:
        argv += ["--workers", str(workers)]
    if not scheduler:
        argv.append("--no-scheduler")
    return BotProc(name, argv, port, {**bot_env(db_url, api_url), **UNLIMITED, **(env or {})})


def start_floor(api_url: str, *, port: int | None = None, threads: int = 8) -> BotProc:
    """Start the bare Bolt app that only acknowledges (``bench.floor_app``)."""
    port = port or free_port()
    argv = [sys.executable, "-m", "bench.floor_app", "--port", str(port), "--threads", str(threads)]
    return BotProc("floor", argv, port, bot_env("", api_url))


# Signed requests ---------------------------------------------------------------------------


def post_signed(
    port: int,
    body: str,
    content_type: str,
    extra: dict[str, str] | None = None,
    timeout: float = 30.0,
) -> tuple[int, str, float]:
    """POST a correctly signed request; (status, body, seconds until the response)."""
    headers = sign(body, SECRET, content_type=content_type)
    headers.update(extra or {})
    start = time.perf_counter()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("POST", "/slack/events", body.encode(), headers)
        response = conn.getresponse()
        payload = response.read().decode()
        return response.status, payload, time.perf_counter() - start
    except OSError:
        return 0, "", time.perf_counter() - start
    finally:
        conn.close()


def slash_command(port: int, text_: str, response_url: str, user: str = ORGANISER) -> float:
    """Send ``/dialog <text>`` from ``user`` in the group channel; seconds until the ack."""
    body = _slash_command_body("/dialog", text_, user, TEAM, GROUP_CHANNEL, None, response_url)
    status, payload, seconds = post_signed(port, body, FORM)
    if status != 200:
        raise RuntimeError(f"/dialog {text_} answered {status}: {payload}")
    return seconds


def reply_body(item: Sequence[str], event_id: str | None = None) -> str:
    """The signed-to-be JSON of a thread reply ``(channel, thread_ts, user, text, ts)``."""
    channel, thread_ts, user, text_, ts = item
    event = message_event(text=text_, user=user, channel=channel, ts=ts, thread_ts=thread_ts)
    return event_callback_body(event, TEAM, event_id or f"Ev{ts.replace('.', '')}{channel}")


def send_reply(port: int, item: Sequence[str], retry: int = 0) -> int:
    """Deliver one thread reply (``retry`` > 0 adds Slack's retry headers); the status."""
    extra = {"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"}
    status, _, _ = post_signed(port, reply_body(item), JSON, extra if retry else None)
    return status


# Seeded rounds -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Thread:
    """A participant's thread in a seeded round."""

    round_index: int
    participation_id: int
    chat_id: str
    channel: str
    thread_ts: str


def seed_rounds(
    db: BenchDatabase, managers: int, rounds: int, template: str = "planering"
) -> list[list[Thread]]:
    """An organisation of ``managers`` units and ``rounds`` open rounds over all of them,
    each participant with a DM thread (``D…``) as if the bot had opened it.

    The rounds are started with the engine directly (the fan-out is figure 2); the thread
    references are what the Slack adapter would have stored.
    """
    factory = make_session_factory(db.engine)
    build_org(factory, TEAM, managers)
    services = db.make_services()
    seeded: list[list[Thread]] = []
    for r in range(rounds):
        started = services.rounds.start_round(
            TEAM,
            StartRound(
                template,
                ["forv"],
                GROUP_CHANNEL,
                level="enhet",
                started_by=ORGANISER,
                delivery="dm",
                title=f"Benchrunda {r}",
            ),
        )
        threads = [
            Thread(
                r,
                p.participation_id,
                p.chat_id,
                "D" + p.chat_id[1:],
                f"{1_700_000_000 + r}.{i:06d}",
            )
            for i, (p, _) in enumerate(started.participants)
        ]
        table = Participation.__table__
        assert isinstance(table, Table)
        with db.engine.begin() as conn:
            conn.execute(
                update(table)
                .where(table.c.id == bindparam("pid"))
                .values(thread_ref=bindparam("ref")),
                [{"pid": t.participation_id, "ref": f"{t.channel}:{t.thread_ts}"} for t in threads],
            )
        seeded.append(threads)
    return seeded


def answer_plan(
    rounds: list[list[Thread]], questions: int, tag: str, start: int = 0
) -> list[list[str]]:
    """Every participant answers every question, round after round, question after question
    (so one manager's consecutive answers are a whole round of managers apart).

    Items are ``[channel, thread_ts, user, text, ts]``; texts start with ``tag``.
    """
    plan: list[list[str]] = []
    n = start
    for threads in rounds:
        for q in range(questions):
            for t in threads:
                n += 1
                ts = f"{1_800_000_000 + n // 1_000_000}.{n % 1_000_000:06d}"
                plan.append([t.channel, t.thread_ts, t.chat_id, f"{tag} svar {q + 1} #{n}", ts])
    return plan


def stored_answers(db: BenchDatabase, tag: str | None = None) -> int:
    """Answers in the database (whose text starts with ``tag``)."""
    query = select(func.count()).select_from(Answer)
    if tag is not None:
        query = query.where(Answer.text.like(f"{tag} %"))
    with db.engine.connect() as conn:
        return int(conn.execute(query).scalar_one())


def doubled_answers(db: BenchDatabase) -> int:
    """Slack messages stored as more than one answer."""
    return int(
        db.scalar(
            "SELECT count(*) FROM (SELECT source_ref FROM answers GROUP BY source_ref "
            "HAVING count(*) > 1) d"
        )
    )


def wait_stored(db: BenchDatabase, expected: int, tag: str | None, timeout: float) -> int:
    """Poll until ``expected`` answers are stored or nothing changes for ``timeout`` s."""
    last, since = -1, time.monotonic()
    while True:
        now = stored_answers(db, tag)
        if now >= expected:
            return now
        if now != last:
            last, since = now, time.monotonic()
        elif time.monotonic() - since > timeout:
            return now
        time.sleep(0.2)


def duplicate_posts(posts: list[list[Any]]) -> int:
    """Delivered posts with the same channel, thread and text as another one."""
    seen: set[tuple[str, str, str]] = set()
    doubled = 0
    for channel, thread_ts, text_, ok, *_ in posts:
        if not ok:
            continue
        key = (str(channel), str(thread_ts), str(text_))
        if key in seen:
            doubled += 1
        seen.add(key)
    return doubled


def duplicate_keys(posts: list[list[Any]]) -> int:
    """Delivered posts with the same post key (in the message metadata) as another one;
    posts without a key are not counted."""
    seen: set[str] = set()
    doubled = 0
    for post in posts:
        key = str(post[5]) if len(post) > 5 else ""
        if not post[3] or not key:
            continue
        if key in seen:
            doubled += 1
        seen.add(key)
    return doubled


# Load generator ----------------------------------------------------------------------------


@dataclass
class LoadResult:
    """What one run of ``bench.loadgen`` saw, per delivery: due, sent, done, status."""

    rows: list[tuple[float, float, float, int]]
    started: float

    @property
    def acked(self) -> int:
        """Deliveries answered with HTTP 200."""
        return sum(1 for r in self.rows if r[3] == 200)

    def latencies(self) -> list[float]:
        """Seconds from the intended send time to the ack, for acknowledged deliveries."""
        return sorted(r[2] - r[0] for r in self.rows if r[3] == 200)

    def statuses(self) -> dict[str, int]:
        """How many deliveries got each status (0: no HTTP response)."""
        out: dict[str, int] = {}
        for r in self.rows:
            out[str(r[3])] = out.get(str(r[3]), 0) + 1
        return out


def run_load(
    port: int,
    plan: list[list[str]],
    rate: float,
    *,
    copies: int = 1,
    workers: int = 64,
    name: str = "load",
    timeout: float = 30.0,
) -> LoadResult:
    """Run ``bench.loadgen`` in its own process: ``plan`` sent open-loop at ``rate``/s."""
    RUN_DIR.mkdir(parents=True, exist_ok=True)
    plan_path = RUN_DIR / f"{name}-plan.json"
    out_path = RUN_DIR / f"{name}-out.json"
    plan_path.write_text(
        json.dumps(
            {
                "port": port,
                "secret": SECRET,
                "team": TEAM,
                "rate": rate,
                "copies": copies,
                "workers": workers,
                "timeout": timeout,
                "items": plan,
            }
        )
    )
    proc = subprocess.run(
        [sys.executable, "-m", "bench.loadgen", str(plan_path), str(out_path)],
        cwd=ROOT,
        check=False,
        capture_output=True,
        text=True,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"load generator failed: {proc.stderr[-2000:]}")
    data = json.loads(out_path.read_text())
    return LoadResult([tuple(r) for r in data["rows"]], float(data["started"]))


def percentile(sorted_values: Sequence[float], p: float) -> float:
    """Nearest-rank percentile of already sorted values (NaN when empty)."""
    if not sorted_values:
        return float("nan")
    k = max(0, min(len(sorted_values) - 1, math.ceil(p / 100 * len(sorted_values)) - 1))
    return float(sorted_values[k])


# Results -----------------------------------------------------------------------------------


def save_result(name: str, data: dict[str, Any]) -> Path:
    """Write one figure's or drill's result as JSON (BENCHMARKS.md is rendered from these)."""
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    path = RESULTS_DIR / f"{name}.json"
    data = {**data, "measured_at": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())}
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n")
    return path


def load_results() -> dict[str, dict[str, Any]]:
    """Every saved result by name."""
    if not RESULTS_DIR.exists():
        return {}
    return {p.stem: json.loads(p.read_text()) for p in sorted(RESULTS_DIR.glob("*.json"))}


def machine() -> dict[str, str]:
    """CPU, cores, memory, OS, Python and PostgreSQL versions."""
    cpu = "unknown"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    mem = "unknown"
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        kb = int(meminfo.read_text().split("MemTotal:")[1].split()[0])
        mem = f"{kb / 1024 / 1024:.1f} GiB"
    try:
        engine = create_engine(admin_url())
        with engine.connect() as conn:
            pg = str(conn.execute(text("SHOW server_version")).scalar())
        engine.dispose()
    except Exception as err:  # reported, not fatal: the machine section is informative
        pg = f"unavailable ({type(err).__name__})"
    return {
        "cpu": cpu,
        "cores": str(os.cpu_count()),
        "memory": mem,
        "os": platform.platform(),
        "python": platform.python_version(),
        "postgresql": pg,
    }


def settled_posts(
    fake: FakeSlackProc, expected: int, quiet: float = 3.0, *, since: int = 0
) -> dict[str, Any]:
    """The fake's post record (from the ``since``-th post on) once ``expected`` posts of it
    are delivered or none arrived for ``quiet`` seconds (the bot posts after storing, so the
    last posts trail the answers)."""
    last, quiet_since = -1, time.monotonic()
    while True:
        posts = fake.posts(since)
        delivered = sum(1 for p in posts["posts"] if p[3])
        if delivered >= expected:
            return posts
        if delivered != last:
            last, quiet_since = delivered, time.monotonic()
        elif time.monotonic() - quiet_since > quiet:
            return posts
        time.sleep(0.3)
