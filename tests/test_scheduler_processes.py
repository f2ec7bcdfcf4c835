"""Several worker *processes* on one PostgreSQL database (skipped without one).

Two workers race over 100 due jobs: every effect happens exactly once. A worker killed
(SIGKILL) while it holds a job leaves the job to the other once the lease runs out.

The workers are this file run as a script (``python test_scheduler_processes.py child
…``) against the test session's schema; their notifier writes every delivered message
to a log table without a unique key, so a duplicate would show up as a second row.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from bot.clock import FixedClock, SystemClock
from bot.domain.results import Participant, QuestionPrompt, RoundInfo, RoundStarted, RoundStatus
from bot.domain.templates import TemplateCatalog
from bot.schedule.jobs import ClaimedJob
from bot.schedule.plan import PlannedRound
from bot.schedule.scheduler import Scheduler, job_for
from bot.services.container import Services, build_services
from bot.services.jobs import JobStore
from bot.summary import RoundSummary
from storage.db import make_engine, make_session_factory
from storage.job_status import JOB_PENDING, JOB_RUNNING

LOG_TABLE = "scheduler_test_effect_log"
WS = "local"
CHILD_TIMEOUT_S = 30.0


class LoggingNotifier:
    """Writes each delivered message to the log table; optionally hangs on the first one."""

    def __init__(self, db: Engine, worker: str, gate: Path | None) -> None:
        self.db = db
        self.worker = worker
        self.gate = gate

    def _log(self, effect: str) -> None:
        if self.gate is not None:
            (self.gate / "entered").write_text(self.worker)
            while not (self.gate / "release").exists():  # never released: we get killed here
                time.sleep(0.02)
        with self.db.begin() as conn:
            conn.execute(
                text(f"INSERT INTO {LOG_TABLE} (worker, effect) VALUES (:w, :e)"),
                {"w": self.worker, "e": effect},
            )

    def round_started(self, started: RoundStarted) -> None:
        self._log(f"start:{started.round.round_id}")

    def remind(
        self, info: RoundInfo, participant: Participant, prompt: QuestionPrompt | None
    ) -> None:
        self._log(f"remind:{participant.participation_id}")

    def digest(self, status: RoundStatus, recipients: list[str]) -> None:
        self._log(f"digest:{status.round.round_id}")

    def summary_ready(self, summary: RoundSummary) -> None:
        self._log(f"summary:{summary.round.round_id}")

    def schedule_failed(
        self, workspace: str, recipients: list[str], reason: str, lang: str
    ) -> None:
        self._log(f"schedule_failed:{workspace}")


class LoggingJobStore(JobStore):
    """Logs every claim too, so a job handed to two workers at once would show."""

    log_db: Engine

    def claim(self) -> ClaimedJob | None:
        job = super().claim()
        if job is not None:
            with self.log_db.begin() as conn:
                conn.execute(
                    text(f"INSERT INTO {LOG_TABLE} (worker, effect) VALUES (:w, :e)"),
                    {"w": self.worker_id, "e": f"claim:{job.id}"},
                )
        return job


def child(argv: list[str]) -> int:
    """A worker process: tick until no job is pending or running (or the timeout)."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--schema", required=True)
    parser.add_argument("--worker", required=True)
    parser.add_argument("--lease", type=float, required=True)
    parser.add_argument("--gate")
    parser.add_argument("--go")
    args = parser.parse_args(argv)
    url = os.environ["DIALOGBOT_TEST_DATABASE_URL"]
    db = make_engine(url, connect_args={"options": f"-csearch_path={args.schema}"})
    services = build_services(make_session_factory(db), TemplateCatalog.load(), SystemClock())
    notifier = LoggingNotifier(db, args.worker, Path(args.gate) if args.gate else None)
    scheduler = Scheduler(
        services, notifier, worker_id=args.worker, lease=timedelta(seconds=args.lease)
    )
    scheduler.jobs = LoggingJobStore(
        services.kernel.session_factory,
        scheduler.clock,
        args.worker,
        lease=timedelta(seconds=args.lease),
    )
    scheduler.jobs.log_db = db
    ends = time.monotonic() + CHILD_TIMEOUT_S
    while args.go and not Path(args.go).exists() and time.monotonic() < ends:
        time.sleep(0.01)
    while time.monotonic() < ends:
        scheduler.tick()
        with db.connect() as conn:
            left = conn.execute(
                text("SELECT count(*) FROM scheduled_jobs WHERE status IN (:p, :r)"),
                {"p": JOB_PENDING, "r": JOB_RUNNING},
            ).scalar_one()
        if left == 0:
            return 0
        time.sleep(0.05)
    return 3


@pytest.fixture
def pg(db: Engine) -> Engine:
    if db.dialect.name != "postgresql":
        pytest.skip("worker processes race on PostgreSQL only: this is the SQLite variant")
    with db.begin() as conn:
        conn.execute(text(f"DROP TABLE IF EXISTS {LOG_TABLE}"))
        conn.execute(
            text(f"CREATE TABLE {LOG_TABLE} (id serial PRIMARY KEY, worker text, effect text)")
        )
    return db


def schema_of(db: Engine) -> str:
    with db.connect() as conn:
        return str(conn.execute(text("SELECT current_schema()")).scalar_one())


def spawn(db: Engine, worker: str, lease: float, *extra: str) -> subprocess.Popen[bytes]:
    command = [sys.executable, __file__, "child", "--schema", schema_of(db)]
    command += ["--worker", worker, "--lease", str(lease), *extra]
    return subprocess.Popen(command, env=os.environ.copy())


def enqueue_rounds(db: Engine, clock: FixedClock, count: int) -> None:
    """``count`` due start-round jobs, each for the whole kommunstyrelse (2 förvaltningar)."""
    now = datetime.now(UTC)
    jobs = [
        job_for(
            PlannedRound(
                key="race",
                template="avstamning",
                name=f"Race {i}",
                answering_level="forvaltning",
                receiving_level="kommunstyrelse",
                starts_at=now - timedelta(minutes=1),
                deadline_at=now + timedelta(days=30),
                anonymous=False,
                occurrence_key=f"race-{i:03d}@2027-05-03",
            ),
            WS,
            "sv",
            "C0KS",
        )
        for i in range(count)
    ]
    assert JobStore(make_session_factory(db), clock).enqueue(jobs) == count


def log_rows(db: Engine) -> list[tuple[str, str]]:
    with db.connect() as conn:
        rows = conn.execute(text(f"SELECT worker, effect FROM {LOG_TABLE} ORDER BY id")).all()
    return [(str(worker), str(effect)) for worker, effect in rows]


def jobs_of(db: Engine) -> list[tuple[str, int, str | None]]:
    with db.connect() as conn:
        rows = conn.execute(
            text("SELECT status, attempts, locked_by FROM scheduled_jobs ORDER BY id")
        ).all()
    return [(str(s), int(a), None if w is None else str(w)) for s, a, w in rows]


def rounds_count(db: Engine) -> int:
    with db.connect() as conn:
        return int(conn.execute(text("SELECT count(*) FROM rounds")).scalar_one())


def test_two_workers_race_over_100_jobs(
    pg: Engine, services: Services, clock: FixedClock, tmp_path: Path
) -> None:
    enqueue_rounds(pg, clock, 100)
    go = tmp_path / "go"
    workers = [spawn(pg, name, 30.0, "--go", str(go)) for name in ("A", "B")]
    go.touch()
    assert [w.wait(timeout=CHILD_TIMEOUT_S + 10) for w in workers] == [0, 0]

    rows = log_rows(pg)
    claims = [effect for _, effect in rows if effect.startswith("claim:")]
    effects = [effect for _, effect in rows if not effect.startswith("claim:")]
    assert len(claims) == 100 and len(set(claims)) == 100  # no job handed out twice
    assert len(effects) == 100 and len(set(effects)) == 100  # each announcement once
    assert rounds_count(pg) == 100
    jobs = jobs_of(pg)
    assert {(status, attempts) for status, attempts, _ in jobs} == {("done", 1)}
    assert {worker for _, _, worker in jobs} == {"A", "B"}  # they really raced


def test_a_killed_worker_leaves_its_job_to_the_other(
    pg: Engine, services: Services, clock: FixedClock, tmp_path: Path
) -> None:
    enqueue_rounds(pg, clock, 1)
    gate = tmp_path / "gate"
    gate.mkdir()
    doomed = spawn(pg, "A", 1.0, "--gate", str(gate))
    ends = time.monotonic() + CHILD_TIMEOUT_S
    while not (gate / "entered").exists():  # A holds the job and is about to announce
        assert time.monotonic() < ends and doomed.poll() is None
        time.sleep(0.02)
    doomed.kill()
    doomed.wait(timeout=10)
    assert jobs_of(pg) == [("running", 1, "A")]
    assert [effect for _, effect in log_rows(pg)] == ["claim:1"]

    survivor = spawn(pg, "B", 1.0)
    assert survivor.wait(timeout=CHILD_TIMEOUT_S + 10) == 0
    assert jobs_of(pg) == [("done", 2, "B")]
    rows = log_rows(pg)
    assert [(worker, effect.split(":")[0]) for worker, effect in rows] == [
        ("A", "claim"),
        ("B", "claim"),
        ("B", "start"),
    ]
    assert rounds_count(pg) == 1  # the round A created is announced, not created again


if __name__ == "__main__" and sys.argv[1:2] == ["child"]:
    raise SystemExit(child(sys.argv[2:]))
