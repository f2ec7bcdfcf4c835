"""Use cases of the årshjul: store and load a workspace's schedule, plan it into jobs, and
what the scheduler's jobs read (targets, rounds of an occurrence, process supports)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from bot.domain.templates import normalize_key
from bot.schedule.config import AnnualSchedule
from bot.schedule.errors import ScheduleError, ScheduleIssue
from bot.schedule.jobs import KIND_CLOSE_ROUND, KIND_REMINDER, KIND_START_ROUND, NewJob, job_rows
from bot.schedule.store import (
    ImportReport,
    StoredSchedule,
    check_templates,
    from_row,
    level_warnings,
    stored_schedule,
)
from bot.schedule.targets import Target, receiving_targets
from bot.services.kernel import ServiceKernel
from storage.all_workspaces import all_workspaces
from storage.repository import Repository
from storage.schedule import ScheduleRecord

log = logging.getLogger(__name__)

PROCESS_SUPPORT_ROLE = "processtod"

Planner = Callable[[ScheduleRecord], tuple[list[NewJob], bool]]
"""Turns one locked schedule into jobs; the flag says whether its ``planned_until`` moves
on (False when it could not be planned and the jobs only report that)."""


class Schedules:
    """The stored schedules and what the scheduler reads.

    Args:
        kernel: The shared unit-of-work plumbing.
    """

    def __init__(self, kernel: ServiceKernel) -> None:
        self.kernel = kernel

    def check(self, workspace: str, schedule: AnnualSchedule, source: str) -> list[ScheduleIssue]:
        """Check a schedule against the template catalog and the workspace's levels.

        Args:
            workspace: The workspace the schedule is for.
            schedule: The schedule.
            source: Name used in error messages.

        Returns:
            Warnings: levels the workspace's organisation does not have (it may be
            imported later).

        Raises:
            ScheduleError: If a round names a template that does not exist.
        """
        check_templates(self.kernel.catalog, schedule, source)
        levels = self.kernel.read(workspace, lambda repo: {lv.key for lv in repo.levels()})
        return level_warnings(levels, schedule, workspace)

    def save(
        self,
        workspace: str,
        schedule: AnnualSchedule,
        source: str,
        *,
        default_group_ref: str | None = None,
        lang: str = "sv",
    ) -> ImportReport:
        """Validate and store a workspace's schedule, replacing any earlier one.

        Planning starts at the moment of import: occurrences due earlier are not started
        retroactively. Jobs the earlier schedule had materialised but that are not due
        yet are dropped (and re-planned from the new schedule); jobs that already ran
        keep their keys, so an occurrence that already started never starts twice.

        Args:
            workspace: The workspace.
            schedule: The validated schedule.
            source: Where it came from (file name or ``preset``).
            default_group_ref: Channel for receiving units that have no ``channel_ref``.
            lang: ``sv`` or ``en``: the language of the rounds it starts.

        Returns:
            What was stored and replaced.

        Raises:
            ScheduleError: If a round names an unknown template.
        """
        if lang not in ("sv", "en"):
            raise ScheduleError.single(source, "lang", "schedule.problem.lang", value=repr(lang))
        warnings = self.check(workspace, schedule, source)
        now = self.kernel.now()
        body = schedule.model_dump(mode="json")

        def work(repo: Repository) -> tuple[ScheduleRecord, bool, int]:
            record, replaced = repo.schedule.store(source, body, default_group_ref, lang, now)
            dropped = repo.schedule.drop_future_jobs([KIND_START_ROUND, KIND_REMINDER], now)
            return record, replaced, dropped

        record, replaced, dropped = self.kernel.transaction(workspace, work)
        log.info(
            "schedule for %s imported from %s (%d rounds)", workspace, source, len(schedule.rounds)
        )
        return ImportReport(stored_schedule(record, schedule), replaced, dropped, warnings)

    def load(self, workspace: str) -> StoredSchedule | None:
        """The workspace's stored schedule, or None if it has none.

        Raises:
            ScheduleError: If the stored body no longer validates (e.g. after an upgrade).
        """
        record = self.kernel.read(workspace, lambda repo: repo.schedule.stored())
        return None if record is None else from_row(record)

    def plan(self, now: datetime, horizon: datetime, planner: Planner) -> int:
        """Materialise the due and soon-due work of every workspace as jobs (idempotent).

        Every stored schedule no other replica is planning (rows locked with ``SKIP
        LOCKED``) and not yet planned up to ``horizon`` is handed to ``planner``; its jobs
        are inserted and its ``planned_until`` moved to ``horizon`` in the same
        transaction. Then every open round whose deadline falls before ``horizon`` gets
        a ``close_round`` job (key ``close:{round id}``).

        Args:
            now: When the jobs are created.
            horizon: How far ahead to plan.
            planner: Turns one schedule into jobs (pure; see :data:`Planner`).

        Returns:
            How many jobs were new.
        """
        created = 0
        factory = self.kernel.session_factory
        with all_workspaces(factory) as every:
            for record in every.lock_schedules():
                if record.planned_until >= horizon:
                    continue
                jobs, advance = planner(record)
                created += every.jobs.insert(job_rows(jobs, now))
                if advance:
                    every.set_planned_until(record.schedule_id, horizon)
        with all_workspaces(factory) as every:
            closes = [
                NewJob(
                    workspace_id=workspace,
                    kind=KIND_CLOSE_ROUND,
                    job_key=f"close:{round_id}",
                    due_at=deadline,
                    payload={"round_id": round_id},
                )
                for workspace, round_id, deadline in every.open_deadlines_before(horizon)
            ]
            created += every.jobs.insert(job_rows(closes, now))
        return created

    def targets(
        self, workspace: str, receiving: str, answering: str, default_group: str | None
    ) -> list[Target]:
        """Receiving units that have answering units with managers below them."""
        return self.kernel.read(
            workspace,
            lambda repo: receiving_targets(repo.units(), receiving, answering, default_group),
        )

    def open_rounds_of(self, workspace: str, occurrence_key: str) -> list[int]:
        """Ids of the open rounds a schedule occurrence started (one per receiving unit)."""
        prefix = f"{occurrence_key}:"
        return self.kernel.read(
            workspace, lambda repo: repo.schedule.open_rounds_with_key_prefix(prefix)
        )

    def process_supports(self, workspace: str) -> list[str]:
        """Chat ids of the workspace's process supports (role ``processtöd``)."""
        return self.kernel.read(
            workspace,
            lambda repo: [
                person.chat_id
                for person in repo.people()
                if PROCESS_SUPPORT_ROLE in {normalize_key(role) for role in person.roles}
            ],
        )
