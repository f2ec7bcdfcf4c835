"""Round operations shared by slash commands and App Home buttons: they check the role,
call the engine and hand results to the notifier."""

from __future__ import annotations

from typing import Any

from slack_sdk import WebClient

from bot.domain.absence import reminder_recipients
from bot.domain.errors import DialogError
from bot.domain.results import RoundInfo
from bot.slack.context import SlackContext


class NoOpenRound(DialogError):
    """A command needs a round, and none is open."""

    key = "slack.no_open_rounds"


class WhichRound(DialogError):
    """A command needs a round, and several are open."""

    key = "slack.which_round"


def workspace_of(context: Any, body: dict[str, Any]) -> str:
    """The workspace (Slack team id) a request belongs to."""
    team = getattr(context, "team_id", None) or body.get("team_id")
    if not team:
        team = (body.get("team") or {}).get("id")
    if not team:
        raise ValueError("request without a team id")
    return str(team)


def require_organiser(ctx: SlackContext, workspace: str, user: str, action: str) -> None:
    """Refuse people without the processtöd or admin role (the engine decides)."""
    ctx.services.rounds.require_organiser(workspace, user, action)


def resolve_round(
    ctx: SlackContext, workspace: str, round_id: int | None, command: str
) -> RoundInfo:
    """The round a command means: the given one, or the only open one."""
    if round_id is not None:
        return ctx.services.queries.round_info(workspace, round_id)
    open_rounds = ctx.services.queries.rounds(workspace, "open")
    if not open_rounds:
        raise NoOpenRound()
    if len(open_rounds) > 1:
        listed = ", ".join(f"{r.round_id} ({r.title})" for r in open_rounds[:10])
        raise WhichRound(
            "several open rounds",
            rounds=listed,
            command=command,
            example=open_rounds[0].round_id,
        )
    return open_rounds[0]


def remind(
    ctx: SlackContext,
    client: WebClient,
    workspace: str,
    user: str,
    round_id: int | None,
    occasion: str,
) -> tuple[RoundInfo, int]:
    """Remind every unfinished participant of a round; return the round and the count."""
    require_organiser(ctx, workspace, user, "remind")
    info = resolve_round(ctx, workspace, round_id, "remind")
    status = ctx.services.queries.status(workspace, info.round_id)
    notifier = ctx.notifier(client, occasion)
    unfinished = status.unfinished if info.status == "open" else []
    absences = ctx.services.absences.in_zone(ctx.tz)
    day = absences.today()
    recipients = reminder_recipients(unfinished, absences.book(workspace, day), day)
    for participant in recipients:
        prompt = ctx.services.queries.current_prompt(workspace, participant.participation_id)
        notifier.remind(info, participant, prompt)
    return info, len(recipients)


def close(
    ctx: SlackContext, client: WebClient, workspace: str, user: str, round_id: int | None
) -> tuple[RoundInfo, bool]:
    """Close a round and post its summary (again posting only what is missing)."""
    require_organiser(ctx, workspace, user, "close")
    info = resolve_round(ctx, workspace, round_id, "close")
    summary, newly = ctx.services.rounds.close_round(workspace, info.round_id, closed_by=user)
    ctx.notifier(client).summary_ready(summary)
    return summary.round, newly


def repost_summary(
    ctx: SlackContext, client: WebClient, workspace: str, user: str, round_id: int, nonce: str
) -> RoundInfo:
    """Post the current summary of a round once more (for a new meeting, say)."""
    summary = ctx.services.queries.summary_for(workspace, round_id, user, "summary")
    ctx.notifier(client).post_summary(summary, f"round:{round_id}:repost:{nonce}")
    return summary.round
