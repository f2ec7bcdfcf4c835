"""Question messages in Slack: record where each question was posted, and update the
messages whose question was answered, skipped or edited (``chat.update``), so an old
message says what happened and keeps no buttons that no longer apply."""

from __future__ import annotations

from typing import Any

from slack_sdk import WebClient

from bot.domain.results import QuestionPrompt
from bot.services.container import Services
from bot.services.question_messages import QuestionMessageChange
from bot.slack import blocks
from bot.slack.poster import Posted, Poster
from storage.landings import ShownAt
from storage.outbox import Landed

PLATFORM = "slack"
#: The outbox payload entry that says which question a message shows (recorded on landing).
SHOWS = "shows"


def shows(prompt: QuestionPrompt) -> dict[str, Any]:
    """What a question message's payload carries so its landing can be recorded (and,
    for a template question, its position: whether the participant is still on it)."""
    shown: dict[str, Any] = {"participation_id": prompt.participation_id, "question": prompt.ref}
    if prompt.followup is None:
        shown["index"] = prompt.index
    return shown


def record(services: Services, workspace: str, prompt: QuestionPrompt, posted: Posted) -> None:
    """Remember that ``posted`` shows ``prompt`` with its buttons."""
    record_landed(services, workspace, {SHOWS: shows(prompt)}, posted)


def record_landed(
    services: Services, workspace: str, payload: dict[str, Any], posted: Posted
) -> None:
    """Remember where a post that shows a question (``payload[SHOWS]``) landed."""
    shown = payload.get(SHOWS)
    if isinstance(shown, dict) and posted.ts:
        services.question_messages.record(
            workspace,
            int(shown["participation_id"]),
            str(shown["question"]),
            PLATFORM,
            posted.channel,
            posted.ts,
        )


def shown_at(payload: dict[str, Any], posted: Posted) -> ShownAt | None:
    """Where a post that shows a question (``payload[SHOWS]``) landed, to record in a
    batch (:meth:`bot.services.landings.Landings.record`); None for other posts."""
    shown = payload.get(SHOWS)
    if not isinstance(shown, dict) or not posted.ts:
        return None
    index = shown.get("index")
    return ShownAt(
        int(shown["participation_id"]),
        str(shown["question"]),
        PLATFORM,
        posted.channel,
        posted.ts,
        index if isinstance(index, int) else None,
    )


def refresh(
    services: Services,
    poster: Poster,
    client: WebClient,
    workspace: str,
    participation_id: int,
    current: QuestionPrompt | None = None,
    found: list[QuestionMessageChange] | None = None,
) -> int:
    """Update every question message of the participation whose state changed; returns
    how many were updated. Each (message, state) is updated once, also across replays
    and replicas; a failed update is tried again by the next refresh. ``current`` is the
    question just shown, if known; ``found``, the changes the landing of that question
    already found (:meth:`bot.services.landings.Landings.record`), if any."""
    messages = services.question_messages
    prompt = services.queries.current_prompt
    if found is None:
        changes = messages.changed(workspace, participation_id, PLATFORM, prompt, current)
    else:
        changes = messages.with_prompts(workspace, participation_id, found, prompt)
    updated = 0
    for change in changes:
        message = blocks.question_state_message(change)
        key = f"question:{change.message_id}:{change.token}"
        if poster.update(
            client,
            workspace,
            key,
            channel=change.conversation,
            ts=change.message_ts,
            text=message.text,
            blocks=message.blocks,
            record=False,
        ):
            # The update's outbox row and the message's new state: one transaction.
            landed = Landed(key, change.conversation, change.message_ts)
            messages.shown(workspace, change.message_id, change.token, [landed])
            updated += 1
    return updated
