"""Starting a round after the ack: the command is stored before it, the round after.

Starting a round for a thousand managers (the round, a participation each and the posts
of the fan-out) takes seconds; Slack wants its answer within three. So an adapter:

1. **accepts** the command before it answers (:meth:`RoundStarts.accept`, one short
   transaction): the checks that need no writing (template, role, level, units, someone
   to ask) refuse at once, and the command is stored as a ``start_round_now`` job in the
   scheduler's queue (``scheduled_jobs``), keyed by the command's idempotency key and due
   :data:`START_GRACE` later;
2. answers ("starting …");
3. **claims** that job under a lease (:meth:`RoundStarts.claim`) and **starts** the round
   (:meth:`RoundStarts.start`: :meth:`bot.services.rounds.Rounds.start_round` with the
   stored command), writes the fan-out to the outbox and **settles** the job
   (:meth:`RoundStarts.done` or :meth:`RoundStarts.refused`).

If the process dies anywhere after the answer, the job is still there: pending (never
claimed) it becomes due after :data:`START_GRACE`, running its lease runs out after
:data:`START_LEASE`, and the scheduler in the leader (:mod:`bot.schedule.scheduler`) takes
it over. Starting again with the same ``external_key`` returns the round already started,
so the round starts exactly once; the posts are keyed, so none goes out twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from bot.domain.commands import StartRound, start_from_payload, start_payload
from bot.domain.errors import NoParticipants
from bot.domain.org_tree import OrgTree
from bot.domain.results import RoundStarted
from bot.i18n import DEFAULT_TZ
from bot.input_errors import check_level
from bot.schedule.jobs import KIND_START_ROUND_NOW, ClaimedJob, NewJob, job_rows
from bot.services.jobs import JobStore
from bot.services.kernel import ServiceKernel
from bot.services.rounds import Rounds, select_units
from storage.repository import Repository

START_GRACE = timedelta(seconds=60)
"""How long an accepted start waits for the process that accepted it before the scheduler
may take it (it only does when that process died before claiming it)."""

START_LEASE = timedelta(minutes=2)
"""How long a claimed start is reserved for its worker: far more than a start of
thousands of managers takes, and the time after which a dead worker's start is taken
over."""


def start_job_key(external_key: str) -> str:
    """The job key of a start accepted under ``external_key``."""
    return f"start-now:{external_key}"


@dataclass(frozen=True)
class StartAccepted:
    """What :meth:`RoundStarts.accept` did.

    Attributes:
        job_key: The job that carries the start out.
        new: True when this call stored the command (False: delivered again).
        round_id: The round already started under the command's key, if any.
    """

    job_key: str
    new: bool
    round_id: int | None = None


class RoundStarts:
    """Accepting a round start before the ack and carrying it out after.

    Args:
        kernel: the shared unit-of-work plumbing.
    """

    def __init__(self, kernel: ServiceKernel) -> None:
        self.kernel = kernel
        self.rounds = Rounds(kernel)
        self.jobs = JobStore(kernel.session_factory, kernel.clock, lease=START_LEASE)

    def accept(self, workspace: str, cmd: StartRound) -> StartAccepted:
        """Check ``cmd`` as far as that is cheap and store it as a job (one transaction).

        Raises the start's own errors (:class:`~bot.domain.errors.UnknownTemplate`, not allowed,
        unknown unit or level, :class:`~bot.domain.errors.NoParticipants`); what is left to fail
        later is rare (the organisation changing in between).

        Args:
            workspace: The workspace.
            cmd: The command; it must carry an ``external_key``.
        """
        if not cmd.external_key:
            raise ValueError("a start accepted before the ack needs an external_key")
        external_key = cmd.external_key
        template = self.kernel.catalog.get(cmd.template)
        key = start_job_key(external_key)

        def work(repo: Repository) -> StartAccepted:
            existing = repo.round_by_external_key(external_key)
            if existing is not None:
                return StartAccepted(key, new=False, round_id=existing.id)
            # The tree as plain rows (no unit or person loaded): this runs before the ack.
            if cmd.started_by is not None:
                self.rounds.flow.require_organiser(repo, cmd.started_by, "start")
            if cmd.level is not None:
                check_level(cmd.level, [lv.key for lv in repo.levels()])
            chosen = select_units(OrgTree(repo.unit_outlines()), cmd)
            if not any(u.managers and template.questions_for(u.level_key) for u in chosen):
                raise NoParticipants(u.name for u in chosen)
            now = self.kernel.now()
            job = NewJob(
                repo.workspace_id, KIND_START_ROUND_NOW, key, now + START_GRACE, start_payload(cmd)
            )
            return StartAccepted(key, new=repo.schedule.enqueue(job_rows([job], now)) == 1)

        return self.kernel.transaction(workspace, work)

    def prospects(self, workspace: str, cmd: StartRound) -> list[str]:
        """The chat ids of the managers an accepted start will most likely ask (one read;
        absences and deputies are not looked at): what an adapter may prepare, such as
        their personal chats, while the round is being started."""
        template = self.kernel.catalog.get(cmd.template)

        def work(repo: Repository) -> list[str]:
            chosen = select_units(OrgTree(repo.unit_outlines()), cmd)
            asked = [u.id for u in chosen if u.managers and template.questions_for(u.level_key)]
            return repo.manager_chat_ids(asked) if asked else []

        return self.kernel.read(workspace, work)

    def claim(self, workspace: str, job_key: str) -> ClaimedJob | None:
        """Take an accepted start under this process's lease; None when it is done, held
        by another worker (the scheduler took it over) or does not exist."""
        return self.jobs.claim_key(workspace, job_key)

    def start(self, job: ClaimedJob) -> RoundStarted:
        """Start the round a claimed job carries (the first round of its key, if one
        started already). Raises the start's errors, also
        :class:`~bot.input_errors.DeadlineInPast` when the deadline passed in between."""
        cmd = command_of(job)
        key = cmd.external_key
        if key is not None and self.kernel.read(
            job.workspace_id, lambda repo: repo.round_by_external_key(key) is not None
        ):
            return self.rounds.start_round(job.workspace_id, cmd)  # the deadline no longer matters
        return self.rounds.start_round(job.workspace_id, cmd.checked(self.kernel.now(), DEFAULT_TZ))

    def done(self, job: ClaimedJob, started: RoundStarted) -> bool:
        """The start is carried out (round and fan-out stored); False when the job was no
        longer this worker's."""
        return self.jobs.complete(job, f"round {started.round.round_id} started")

    def refused(self, job: ClaimedJob, reason: str) -> bool:
        """The start was refused after the ack (and the starter told); it is not tried
        again."""
        return self.jobs.complete(job, f"refused: {reason}")

    def failed(self, job: ClaimedJob, error: str) -> str:
        """The start failed for a passing reason (the database, say): it is retried later
        by the scheduler; returns the job's new status."""
        return self.jobs.fail(job, error)


def command_of(job: ClaimedJob) -> StartRound:
    """The command a ``start_round_now`` job carries."""
    return start_from_payload(job.payload)
