"""A round start after the ack (``/dialog start …`` and the start modal).

Before the ack the listener only *accepts* the start (:meth:`bot.services.round_starts.
RoundStarts.accept`: the cheap checks, and the command stored as a job: one short
transaction), so Slack gets its answer at once whatever the size of the round. Right after
the ack, in the same listener thread, :func:`carry_out` claims that job under a lease,
starts the round, writes its fan-out to the outbox, settles the job, tells the process
support and sends the fan-out. If this process dies in between, the scheduler in the
leader takes the job over (``start_round_now``, :mod:`bot.schedule.scheduler`) and the
round starts exactly once.
"""

from __future__ import annotations

import logging

from slack_bolt import Respond
from slack_sdk import WebClient

from bot.domain.commands import StartRound
from bot.domain.errors import DialogError
from bot.services.round_starts import StartAccepted, command_of
from bot.slack.context import SlackContext
from bot.slack.notifier import HEAD_CHAINS
from bot.slack.start_text import started_text

log = logging.getLogger(__name__)


def carry_out(
    ctx: SlackContext,
    client: WebClient,
    workspace: str,
    accepted: StartAccepted,
    cmd: StartRound,
    respond: Respond | None = None,
    lang: str = "sv",
) -> None:
    """Start the round accepted before the ack (see the module docstring).

    Args:
        ctx: The adapter's services.
        client: The listener's client.
        workspace: The workspace.
        accepted: What :meth:`~bot.services.round_starts.RoundStarts.accept` returned.
        cmd: The accepted command.
        respond: Where the started round is reported (the slash command's response URL);
            None for the modal (its announcement shows in the channel).
        lang: The language of that report.
    """
    starts = ctx.services.round_starts
    job = starts.claim(workspace, accepted.job_key)
    if job is None:
        # Delivered again: the first delivery (or the scheduler) carries it out and
        # reports; a round that already started is reported once more.
        if accepted.round_id is not None and respond is not None:
            started = ctx.services.rounds.start_round(workspace, cmd)
            respond(text=started_text(lang, started), response_type="ephemeral")
        return
    notifier = ctx.notifier(client)
    stored = command_of(job)
    try:
        started = starts.start(job)
        # The first participants' posts are written now and go out while the others are
        # written (every post is in the outbox before it is sent).
        plan = notifier.plan_round_start(started, head=HEAD_CHAINS)
    except DialogError as err:
        # Refused after the ack (the organisation changed since): the starter hears it
        # by direct message, once, and the start is not tried again.
        log.info("round start %s refused after the ack: %s", job.job_key, err.key)
        if stored.started_by is not None:
            notifier.start_refused(workspace, stored.started_by, job.job_key, err)
        starts.refused(job, err.key)
        return
    except Exception as exc:
        status = starts.failed(job, f"{type(exc).__name__}: {exc}")
        log.warning("round start %s failed after the ack; the job is %s", job.job_key, status)
        raise
    settled = False

    def written() -> None:
        # The round and its whole fan-out are stored: the start is carried out.
        nonlocal settled
        if not starts.done(job, started):
            log.warning("round start %s finished after its lease was taken over", job.job_key)
        settled = True
        if respond is not None:
            respond(
                text=started_text(lang, started), response_type="ephemeral", replace_original=False
            )

    try:
        notifier.send_round_start(plan, written)
    except Exception as exc:
        if not settled:  # the rest of the fan-out was not written: the start runs again
            status = starts.failed(job, f"{type(exc).__name__}: {exc}")
            log.warning("round start %s failed after the ack; the job is %s", job.job_key, status)
        raise
