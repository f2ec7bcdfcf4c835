"""The årshjul scheduler: turns stored schedules and deadlines into jobs, and runs them.

One :meth:`Scheduler.tick`:

1. **Plan.** For every workspace with a stored schedule (rows locked with
   ``SKIP LOCKED``, so one replica plans a workspace at a time), the items of
   :func:`bot.schedule.plan.due_between` between the schedule's ``planned_until`` and
   ``now + lookahead`` become jobs: ``start_round`` per occurrence (key = occurrence
   key) and ``reminder`` per reminder (key = reminder key). Every open round whose
   deadline falls before ``now + lookahead`` — scheduled or started by hand — gets a
   ``close_round`` job (key ``close:{round id}``). Inserting a key that exists is a
   no-op, so planning twice, or on two replicas, changes nothing.
2. **Run.** Claim due jobs one at a time (:class:`bot.schedule.jobs.JobStore`), run
   them, mark them done; a failing job is retried with back-off and its error logged
   with traceback.

Effects go through :class:`bot.ports.Notifier`. Each message is guarded by an effect
key recorded right after delivery, so a job that is re-run (after a crash or an
error) skips the messages it already sent.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from bot import logs
from bot.clock import Clock
from bot.domain.absence import local_day, mark_absent, reminder_recipients
from bot.domain.commands import StartRound
from bot.domain.errors import DialogError, NoParticipants, UnknownRound
from bot.domain.text_input import TITLE_MAX, clip
from bot.personal_data import PURGE_JOB_KIND, purge_job
from bot.ports import Notifier, StartReporter
from bot.schedule.errors import ScheduleError
from bot.schedule.jobs import (
    DEFAULT_INTERVAL_S,
    DEFAULT_LEASE,
    DEFAULT_MAX_ATTEMPTS,
    KIND_ABSENCE_ENDED,
    KIND_CLOSE_ROUND,
    KIND_PLANNING_FAILED,
    KIND_REMINDER,
    KIND_START_ROUND,
    KIND_START_ROUND_NOW,
    ClaimedJob,
    LeaseLost,
    NewJob,
)
from bot.schedule.plan import PlannedItem, PlannedReminder, PlannedRound, due_between
from bot.schedule.store import from_row
from bot.schedule.targets import Target
from bot.services.container import Services
from bot.services.jobs import JobStore
from bot.services.round_starts import command_of
from bot.wiring import Runtime
from storage.schedule import ScheduleRecord

log = logging.getLogger(__name__)

DEFAULT_LOOKAHEAD = timedelta(days=1)
"""How far ahead jobs are materialised (they still only run when due)."""


DEFAULT_PLAN_BUDGET_S = 10.0
"""Longest time one workspace's planning may take in a tick (normally milliseconds)."""


@dataclass(frozen=True)
class TickReport:
    """What one tick did.

    Attributes:
        planned: New jobs materialised.
        ran: Jobs run to completion.
        failed: Jobs whose run raised (retried later or given up).
    """

    planned: int
    ran: int
    failed: int


def job_for(item: PlannedItem, workspace: str, lang: str, default_group: str | None) -> NewJob:
    """The job that carries out one planned item.

    Args:
        item: A planned round start or reminder.
        workspace: The workspace it belongs to.
        lang: Language of the rounds the schedule starts.
        default_group: Channel for receiving units without their own.

    Returns:
        The job, keyed by the item's idempotency key.
    """
    if isinstance(item, PlannedRound):
        return NewJob(
            workspace_id=workspace,
            kind=KIND_START_ROUND,
            job_key=item.occurrence_key,
            due_at=item.starts_at,
            payload={
                "occurrence_key": item.occurrence_key,
                "round_key": item.key,
                "template": item.template,
                "name": item.name,
                "answering_level": item.answering_level,
                "receiving_level": item.receiving_level,
                "starts_at": item.starts_at.isoformat(),
                "deadline_at": item.deadline_at.isoformat(),
                "anonymous": item.anonymous,
                "lang": lang,
                "default_group": default_group,
            },
        )
    assert isinstance(item, PlannedReminder)
    return NewJob(
        workspace_id=workspace,
        kind=KIND_REMINDER,
        job_key=item.reminder_key,
        due_at=item.due_at,
        payload={
            "occurrence_key": item.round_occurrence_key,
            "reminder_key": item.reminder_key,
            "days_before": item.days_before,
            "kind": item.kind,
        },
    )


class Scheduler:
    """Plans and runs the scheduled work of every workspace on one database.

    Any number of replicas may run one each; see the module docstring.
    """

    def __init__(
        self,
        services: Services,
        notifier: Notifier,
        *,
        clock: Clock | None = None,
        worker_id: str | None = None,
        lease: timedelta = DEFAULT_LEASE,
        lookahead: timedelta = DEFAULT_LOOKAHEAD,
        max_attempts: int = DEFAULT_MAX_ATTEMPTS,
        plan_budget_s: float = DEFAULT_PLAN_BUDGET_S,
        max_jobs_per_tick: int = 1000,
        retention_days: int | None = None,
    ) -> None:
        """Create a scheduler.

        Args:
            services: The service layer (database, catalog).
            notifier: Where announcements, reminders, digests and summaries go.
            clock: Source of "now" (default: the engine's clock).
            worker_id: This replica's id in job leases (default: host, pid, random).
            lease: How long a claimed job is reserved without renewal; renewed before
                every message, so it only has to outlast one message.
            lookahead: How far ahead jobs are materialised.
            max_attempts: Claims after which a failing job is given up.
            plan_budget_s: Seconds one workspace's planning may take; a workspace whose
                schedule cannot be planned is skipped and its process supports are told.
            max_jobs_per_tick: Upper bound of jobs one tick runs.
            retention_days: Purge post contents and message keys older than this once a
                day (:func:`bot.personal_data.purge_expired`); None never purges.
        """
        self.services = services
        self.notifier = notifier
        self.clock: Clock = clock or services.kernel.clock
        self.jobs = JobStore(
            services.kernel.session_factory,
            self.clock,
            worker_id,
            lease=lease,
            max_attempts=max_attempts,
        )
        self.lookahead = lookahead
        self.max_jobs_per_tick = max_jobs_per_tick
        self.plan_budget_s = plan_budget_s
        self._handlers: dict[str, Callable[[ClaimedJob], str]] = {
            KIND_PLANNING_FAILED: self._planning_failed,
            KIND_START_ROUND: self._start_round,
            KIND_START_ROUND_NOW: self._start_round_now,
            KIND_REMINDER: self._remind,
            KIND_CLOSE_ROUND: self._close_round,
            PURGE_JOB_KIND: self._purge,
            KIND_ABSENCE_ENDED: self._absence_ended,
        }
        self.retention_days = retention_days

    @property
    def worker_id(self) -> str:
        """This replica's id, as written to ``scheduled_jobs.locked_by``."""
        return self.jobs.worker_id

    # The loop -----------------------------------------------------------------------

    def tick(self) -> TickReport:
        """Plan, then run every job that is due, until none is left.

        Returns:
            What was planned and run.
        """
        planned = self.plan()
        ran, failed = self.run_due()
        return TickReport(planned, ran, failed)

    def run_forever(self, stop: threading.Event, interval_s: float = DEFAULT_INTERVAL_S) -> None:
        """Tick every ``interval_s`` seconds until ``stop`` is set.

        An error in a tick (the database being away, say) is logged with its traceback
        and the loop goes on.

        Args:
            stop: Set it to end the loop (after the running tick).
            interval_s: Seconds between ticks.
        """
        log.info("scheduler %s running every %ss", self.worker_id, interval_s)
        while not stop.is_set():
            try:
                report = self.tick()
                if report.ran or report.failed:
                    log.info("scheduler tick: %s", report)
            except Exception:
                log.exception("scheduler tick failed; trying again in %ss", interval_s)
            stop.wait(interval_s)

    def next_due(self) -> datetime | None:
        """The earliest moment some materialised job becomes claimable."""
        return self.jobs.next_due()

    # Planning -----------------------------------------------------------------------

    def plan(self) -> int:
        """Materialise due and soon-due work as jobs (idempotent).

        Each workspace is planned on its own (pure, with a time budget): one that
        fails is logged, left for the next tick, and reported once per imported schedule
        to its process supports; the others are planned as usual.

        Returns:
            How many jobs were new.
        """
        now = self.clock.now()
        horizon = now + self.lookahead
        created = self.services.schedule.plan(
            now, horizon, partial(self._plan_one, horizon=horizon)
        )
        if self.retention_days is not None:
            created += self.jobs.enqueue([purge_job(now, self.retention_days)])
        return created

    def _plan_one(self, row: ScheduleRecord, horizon: datetime) -> tuple[list[NewJob], bool]:
        """One workspace's new jobs, and whether it was planned: a schedule that cannot
        be planned is logged and gets the job that tells its process supports instead."""
        try:
            return self._plan_workspace(row, horizon), True
        except Exception as exc:
            log.exception("cannot plan the schedule of workspace %s", row.workspace_id)
            return [_failure_job(row, exc)], False

    def _plan_workspace(self, row: ScheduleRecord, horizon: datetime) -> list[NewJob]:
        """The new jobs of one workspace (pure: nothing is written, so a failure here
        leaves the other workspaces' planning untouched)."""
        deadline = time.monotonic() + self.plan_budget_s
        stored = from_row(row)
        items = due_between(stored.schedule, row.planned_until, horizon, deadline=deadline)
        return [job_for(item, row.workspace_id, row.lang, row.default_group_ref) for item in items]

    # Running ------------------------------------------------------------------------

    def run_due(self) -> tuple[int, int]:
        """Claim and run due jobs until none is left (or the per-tick bound is reached).

        Returns:
            ``(jobs completed, jobs failed)``.
        """
        ran = failed = 0
        for _ in range(self.max_jobs_per_tick):
            job = self.jobs.claim()
            if job is None:
                break
            if self.run_job(job):
                ran += 1
            else:
                failed += 1
        return ran, failed

    def run_job(self, job: ClaimedJob) -> bool:
        """Run one claimed job and record the result.

        Args:
            job: A job this worker holds.

        Returns:
            True if it completed.
        """
        handler = self._handlers.get(job.kind)
        logs.clear()
        logs.bind(workspace=job.workspace_id, job=job.job_key, kind=f"job:{job.kind}")
        try:
            if handler is None:
                raise ValueError(f"unknown job kind {job.kind!r}")
            outcome = handler(job)
        except LeaseLost:
            log.warning("job %s (%s): lease lost; another worker carries on", job.id, job.job_key)
            return False
        except Exception as exc:
            log.exception("job %s (%s, attempt %s) failed", job.id, job.job_key, job.attempts)
            self.jobs.fail(job, f"{type(exc).__name__}: {exc}")
            return False
        if not self.jobs.complete(job, outcome):
            log.warning("job %s (%s) finished after its lease was taken over", job.id, job.job_key)
        return True

    def _effect(self, job: ClaimedJob, key: str, send: Callable[[], None]) -> bool:
        """Deliver one message unless a previous run already did; then record it."""
        if not self.jobs.begin_effect(job, key):
            return False
        send()
        self.jobs.record_effect(job, key)
        return True

    # Job kinds ----------------------------------------------------------------------

    def _start_round(self, job: ClaimedJob) -> str:
        data = job.payload
        workspace = job.workspace_id
        deadline = datetime.fromisoformat(str(data["deadline_at"]))
        if deadline <= self.clock.now():
            log.warning("%s: not started, its deadline %s has passed", job.job_key, deadline)
            return "skipped: the deadline passed before the round could start"
        targets = self._targets(
            workspace,
            str(data["receiving_level"]),
            str(data["answering_level"]),
            _optional_str(data.get("default_group")),
        )
        started = announced = 0
        for target in targets:
            external_key = f"{data['occurrence_key']}:{target.unit_key}"
            try:
                result = self.services.rounds.start_round(
                    workspace,
                    StartRound(
                        template=str(data["template"]),
                        units=[target.unit_key],
                        level=str(data["answering_level"]),
                        group_ref=target.group_ref,
                        deadline_at=deadline,
                        anonymous=bool(data.get("anonymous", False)),
                        lang=str(data.get("lang", "sv")),
                        title=clip(f"{data['name']} — {target.unit_name}", TITLE_MAX),
                        external_key=external_key,
                    ),
                )
            except NoParticipants:
                log.info("%s: %s has nobody to ask; skipped", job.job_key, target.unit_name)
                continue
            started += 1
            if self._effect(
                job, f"start:{external_key}", partial(self.notifier.round_started, result)
            ):
                announced += 1
        return f"{started} rounds started, {announced} announced"

    def _start_round_now(self, job: ClaimedJob) -> str:
        """A start a process support was told is under way, whose process died before it
        was carried out (:mod:`bot.services.round_starts`): start it (the round of its
        key, if it started already), post its fan-out and tell the starter."""
        cmd = command_of(job)
        key = cmd.external_key or job.job_key
        reporter = self.notifier if isinstance(self.notifier, StartReporter) else None
        try:
            started = self.services.round_starts.start(job)
        except DialogError as err:
            log.info("%s: refused after the ack: %s", job.job_key, err.key)
            if reporter is not None and cmd.started_by is not None:
                send = partial(
                    reporter.start_refused, job.workspace_id, cmd.started_by, job.job_key, err
                )
                self._effect(job, f"start-refused:{key}", send)
            return f"refused: {err.key}"
        round_id = started.round.round_id
        self._effect(job, f"start:{key}", partial(self.notifier.round_started, started))
        if reporter is not None and cmd.started_by is not None:
            send_report = partial(reporter.start_succeeded, started, cmd.started_by)
            self._effect(job, f"start-reported:{key}", send_report)
        return f"round {round_id} started"

    def _targets(
        self, workspace: str, receiving: str, answering: str, default_group: str | None
    ) -> list[Target]:
        """Receiving units that have answering units with managers below them."""
        return self.services.schedule.targets(workspace, receiving, answering, default_group)

    def _rounds_of(self, workspace: str, occurrence_key: str) -> list[int]:
        return self.services.schedule.open_rounds_of(workspace, occurrence_key)

    def _process_supports(self, workspace: str) -> list[str]:
        return self.services.schedule.process_supports(workspace)

    def _remind(self, job: ClaimedJob) -> str:
        workspace = job.workspace_id
        reminder_key = str(job.payload["reminder_key"])
        round_ids = self._rounds_of(workspace, str(job.payload["occurrence_key"]))
        supports = self._process_supports(workspace)
        reminded = digests = 0
        day = local_day(self.clock.now())
        away = self.services.absences.book(workspace, day)
        for round_id in round_ids:
            status = mark_absent(self.services.queries.status(workspace, round_id), away, day)
            if status.round.status != "open":
                continue
            unfinished = status.unfinished
            for participant in reminder_recipients(unfinished, away, day):
                prompt = self.services.queries.current_prompt(
                    workspace, participant.participation_id
                )
                key = f"remind:{reminder_key}:{participant.participation_id}"
                if self._effect(
                    job, key, partial(self.notifier.remind, status.round, participant, prompt)
                ):
                    reminded += 1
            if unfinished and supports:
                key = f"digest:{reminder_key}:{round_id}"
                if self._effect(job, key, partial(self.notifier.digest, status, list(supports))):
                    digests += 1
        return f"{reminded} reminders and {digests} digests sent for {len(round_ids)} rounds"

    def _absence_ended(self, job: ClaimedJob) -> str:
        """A manager is back: the questions of open rounds they missed reach them now."""
        workspace = job.workspace_id
        back = self.services.absences.returned(
            workspace, str(job.payload["person"]), self.services.queries
        )
        opened = 0
        for item in back:
            key = f"absence-ended:{item.participant.participation_id}"
            send = partial(self.notifier.remind, item.round, item.participant, item.prompt)
            opened += self._effect(job, key, send)
        return f"{opened} threads opened for a manager back from absence"

    def _planning_failed(self, job: ClaimedJob) -> str:
        workspace = job.workspace_id
        supports = self._process_supports(workspace)
        if not supports:
            log.warning("workspace %s: schedule cannot be planned; no process support", workspace)
            return "nobody to tell: the workspace has no process support"
        reason = str(job.payload.get("reason", ""))
        lang = str(job.payload.get("lang", "sv"))
        self._effect(
            job,
            "planning-failed",
            partial(self.notifier.schedule_failed, workspace, list(supports), reason, lang),
        )
        return f"{len(supports)} process supports told"

    def _close_round(self, job: ClaimedJob) -> str:
        workspace = job.workspace_id
        round_id = int(job.payload["round_id"])
        try:
            info = self.services.queries.round_info(workspace, round_id)
        except UnknownRound:
            return "skipped: the round no longer exists"
        if info.status == "closed" and info.closed_at is not None and info.closed_at < job.due_at:
            return "skipped: closed by hand before the deadline"
        summary, newly = self.services.rounds.close_round(workspace, round_id)
        posted = self._effect(
            job, f"summary:{round_id}", partial(self.notifier.summary_ready, summary)
        )
        return f"round {round_id} {'closed' if newly else 'already closed'}; summary " + (
            "posted" if posted else "already posted"
        )

    def _purge(self, job: ClaimedJob) -> str:
        days = int(job.payload["days"])
        return self.services.personal_data.purge_expired(days).describe()


def _failure_job(row: ScheduleRecord, exc: Exception) -> NewJob:
    """The job that tells a workspace's process supports its schedule cannot be planned;
    keyed by the schedule's import time, so each imported schedule is reported once."""
    text = "\n".join(exc.messages(row.lang)) if isinstance(exc, ScheduleError) else str(exc)
    reason = text.splitlines()[-1].strip() if text else type(exc).__name__
    return NewJob(
        workspace_id=row.workspace_id,
        kind=KIND_PLANNING_FAILED,
        job_key=f"planning-failed:{row.updated_at.isoformat()}",
        due_at=row.updated_at,
        payload={"reason": reason[:500], "lang": row.lang},
    )


def _optional_str(value: Any) -> str | None:
    return None if value is None else str(value)


@dataclass
class BackgroundScheduler:
    """A scheduler running in a daemon thread; :meth:`stop` ends it.

    Attributes:
        scheduler: The scheduler.
        thread: The thread it runs in.
        stop_event: Set by :meth:`stop`.
    """

    scheduler: Scheduler
    thread: threading.Thread
    stop_event: threading.Event

    def stop(self, timeout: float | None = 10.0) -> None:
        """Ask the loop to end and wait for the running tick to finish.

        Args:
            timeout: Seconds to wait for the thread.
        """
        self.stop_event.set()
        self.thread.join(timeout)


def start_in_background(
    runtime: Runtime,
    notifier: Notifier,
    *,
    interval_s: float = DEFAULT_INTERVAL_S,
    clock: Clock | None = None,
    lease: timedelta = DEFAULT_LEASE,
    retention_days: int | None = None,
) -> BackgroundScheduler:
    """Run the scheduler in a daemon thread (for ``dialogbot serve``).

    Args:
        runtime: The database and the service layer.
        notifier: Where the scheduler's messages go.
        interval_s: Seconds between ticks.
        clock: Source of "now" (default: the engine's clock).
        lease: Job lease length.
        retention_days: See :class:`Scheduler`.

    Returns:
        A handle whose :meth:`BackgroundScheduler.stop` ends the loop.
    """
    scheduler = Scheduler(
        runtime.services, notifier, clock=clock, lease=lease, retention_days=retention_days
    )
    stop = threading.Event()
    thread = threading.Thread(
        target=scheduler.run_forever,
        args=(stop, interval_s),
        name="dialogbot-scheduler",
        daemon=True,
    )
    thread.start()
    return BackgroundScheduler(scheduler, thread, stop)
