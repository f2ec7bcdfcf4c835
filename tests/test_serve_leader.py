"""``dialogbot serve`` processes on one PostgreSQL database elect one leader that runs the
scheduler and the resender; when it is killed another takes over (skipped without
PostgreSQL). On SQLite ``serve --workers`` refuses to start more than one process.
"""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from fakes import FakeSlack
from fakes.signing import DEFAULT_TEAM_ID
from sqlalchemy import Engine
from sqlalchemy.engine import make_url
from support.postgres import drop_pg_schema, pg_engine
from support.sample import PG_URL

from storage.db import make_session_factory, normalize_url, upgrade
from storage.outbox import NewPost, OutboxStore

needs_postgresql = pytest.mark.skipif(PG_URL is None, reason="needs DIALOGBOT_TEST_DATABASE_URL")

TOKEN = "xoxb-leader-test"
LEADER_LINE = "this process is the leader"
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def schema_db() -> Iterator[tuple[Engine, str]]:
    """A migrated schema of its own and the URL that points a process at it."""
    assert PG_URL is not None
    schema = f"t_{uuid.uuid4().hex[:12]}"
    engine = pg_engine(schema)
    upgrade(engine)
    url = make_url(normalize_url(PG_URL)).update_query_dict({"options": f"-csearch_path={schema}"})
    yield engine, url.render_as_string(hide_password=False)
    engine.dispose()
    drop_pg_schema(schema)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Serve:
    """One ``dialogbot serve`` process, its log in a file."""

    def __init__(self, url: str, api_url: str, log: Path, *extra: str) -> None:
        self.port = _free_port()
        self.log = log
        env = {
            **os.environ,
            "SLACK_SIGNING_SECRET": "leader-secret",
            "SLACK_BOT_TOKEN": TOKEN,
            "SLACK_API_URL": api_url,
            "DIALOGBOT_DATABASE_URL": url,
            "PYTHONUNBUFFERED": "1",
        }
        env.pop("PROMETHEUS_MULTIPROC_DIR", None)
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "bot.cli",
                "--log-format",
                "text",
                "--log-level",
                "warning",
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--threads",
                "2",
                "--election-interval",
                "0.3",
                *extra,
            ],
            cwd=ROOT,
            env=env,
            stdout=log.open("ab"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def healthy(self) -> bool:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
            conn.request("GET", "/healthz")
            ok = conn.getresponse().status == 200
            conn.close()
            return ok
        except OSError:
            return False

    def leads(self) -> bool:
        return LEADER_LINE in self.log.read_text(errors="replace")

    def stop(self, sig: int = signal.SIGTERM) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, sig)
        try:
            self.proc.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(5)


def _wait(predicate: object, timeout: float, what: str) -> None:
    assert callable(predicate)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def _owe_a_post(engine: Engine, key: str) -> None:
    """A failed post that is due: only a running resender sends it."""
    store = OutboxStore(make_session_factory(engine))
    payload = {"method": "chat.postMessage", "channel": "C0OWED", "text": key}
    store.plan(DEFAULT_TEAM_ID, [NewPost(key, payload, "C0OWED")])
    store.failed(DEFAULT_TEAM_ID, key, timedelta(milliseconds=1))


@needs_postgresql
def test_one_leader_among_two_serve_processes_and_the_other_takes_over(
    schema_db: tuple[Engine, str], tmp_path: Path
) -> None:
    engine, url = schema_db
    with FakeSlack(default_token=TOKEN) as fake:
        first = Serve(url, fake.base_url, tmp_path / "first.log")
        second = Serve(url, fake.base_url, tmp_path / "second.log")
        try:
            _wait(lambda: first.healthy() and second.healthy(), 60, "both processes")
            _wait(lambda: first.leads() or second.leads(), 20, "a leader")
            time.sleep(1.5)  # several election rounds: the other stays a follower
            assert [first.leads(), second.leads()].count(True) == 1
            leader, follower = (first, second) if first.leads() else (second, first)

            _owe_a_post(engine, "owed:1")
            _wait(
                lambda: any(c.args.get("text") == "owed:1" for c in fake.delivered()), 20, "resend"
            )

            leader.stop(signal.SIGKILL)
            _wait(follower.leads, 20, "the follower to take over")
            assert follower.healthy()
            _owe_a_post(engine, "owed:2")
            _wait(
                lambda: any(c.args.get("text") == "owed:2" for c in fake.delivered()), 20, "resend"
            )
            texts = [c.args.get("text") for c in fake.delivered()]
            assert texts.count("owed:1") == 1 and texts.count("owed:2") == 1
        finally:
            first.stop()
            second.stop()


@needs_postgresql
def test_workers_share_one_port_and_elect_one_leader(
    schema_db: tuple[Engine, str], tmp_path: Path
) -> None:
    _engine, url = schema_db
    with FakeSlack(default_token=TOKEN) as fake:
        log = tmp_path / "workers.log"
        serve = Serve(url, fake.base_url, log, "--workers", "2")
        try:
            _wait(serve.healthy, 60, "the workers")
            _wait(serve.leads, 20, "a leader")
            for _ in range(20):
                assert serve.healthy()
            time.sleep(1.5)
            assert log.read_text(errors="replace").count(LEADER_LINE) == 1
        finally:
            serve.stop()
        assert serve.proc.returncode == 0


def test_workers_refuse_sqlite(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "SLACK_SIGNING_SECRET": "s",
        "SLACK_BOT_TOKEN": TOKEN,
        "DIALOGBOT_DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}",
    }
    done = subprocess.run(
        [sys.executable, "-m", "bot.cli", "serve", "--workers", "2"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert "PostgreSQL" in done.stdout
