"""Question messages in Slack: record where each question was posted, and update the
messages whose question was answered, skipped or edited (``chat.update``), so an old
message says what happened and keeps no buttons that no longer apply."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from slack_sdk import WebClient

from bot.domain.results import QuestionMessageChange, QuestionPrompt
from bot.services.container import Services
from bot.slack import blocks
from bot.slack.poster import LandingBatch, Planned, Posted, Poster, update_post
from storage.landings import ShownAt
from storage.outbox import Landed, NewPost

PLATFORM = "slack"
#: The outbox payload entry that says which question a message shows (recorded on landing).
SHOWS = "shows"
#: The landing payload entry of an update: which question message now shows which state.
NOW_SHOWS = "now_shows"


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


def update_key(change: QuestionMessageChange) -> str:
    """The outbox key of the update that makes a message show ``change`` (once per
    message and state)."""
    return f"question:{change.message_id}:{change.token}"


_UPDATE_KEY = re.compile(r"question:(\d+):")


def given_up_refresh(services: Services, poster: Poster) -> Callable[[WebClient, str, str], None]:
    """What the resender does with an update it gives up (its claim keeps no content, so
    it cannot be sent again as it was): the participant's question messages are refreshed
    from the database, so a message cut off by a crash shows what happened even when
    nothing else refreshes it (after a round's last answer)."""

    def rebuild(client: WebClient, workspace: str, key: str) -> None:
        match = _UPDATE_KEY.match(key)
        if match is None:
            return
        participation_id = services.question_messages.participation_of(workspace, int(match[1]))
        if participation_id is not None:
            refresh(services, poster, client, workspace, participation_id)

    return rebuild


def update_claims(changes: Sequence[QuestionMessageChange]) -> list[NewPost]:
    """The outbox rows that claim the updates ``changes`` call for."""
    return [update_post(update_key(c), c.conversation, c.message_ts) for c in changes]


def now_shows(payload: dict[str, Any]) -> tuple[int, str] | None:
    """The question message and the state an update's landing records (None for other
    posts)."""
    entry = payload.get(NOW_SHOWS)
    if not isinstance(entry, dict):
        return None
    return int(entry["message"]), str(entry["state"])


def make_planned(poster: Poster, client: WebClient, planned: Planned, batch: LandingBatch) -> None:
    """Make the updates ``planned`` claimed with its posts (the claims this process
    holds) and add their landings, with the states the messages now show, to ``batch``.
    One that fails is given up and left to the next refresh."""
    workspace = planned.workspace
    for change in planned.updates:
        key = update_key(change)
        if key not in planned.mine:
            continue
        if _update(poster, client, workspace, change, key, planned.lease_until):
            payload = {NOW_SHOWS: {"message": change.message_id, "state": change.token}}
            batch.add(workspace, key, payload, Posted(change.conversation, change.message_ts))


def _update(
    poster: Poster,
    client: WebClient,
    workspace: str,
    change: QuestionMessageChange,
    key: str,
    claimed_until: datetime | None,
) -> bool:
    """``chat.update`` the message of ``change`` to what it should show, the caller
    recording it (:meth:`Poster.update`, ``record=False``)."""
    message = blocks.question_state_message(change)
    return poster.update(
        client,
        workspace,
        key,
        channel=change.conversation,
        ts=change.message_ts,
        text=message.text,
        blocks=message.blocks,
        record=False,
        claimed_until=claimed_until,
    )


@dataclass
class LandingClaims:
    """The updates a listener's landing finds, claimed in the landing's transaction
    (:class:`bot.services.landings.UpdateClaims`) so :func:`refresh` makes them without a
    claim of its own. Messages shown again with their buttons (``open``) are left to
    :func:`refresh`'s own claim: whether they are updated depends on the current prompt."""

    lease: timedelta
    platform: str = PLATFORM
    keys: frozenset[str] = frozenset()
    lease_until: datetime | None = None

    def posts_for(self, found: Mapping[int, Sequence[QuestionMessageChange]]) -> list[NewPost]:
        """A claim for each update ``found`` calls for (but those shown again)."""
        return update_claims(
            [c for changes in found.values() for c in changes if c.state != "open"]
        )

    def claimed(self, keys: set[str], lease_until: datetime) -> None:
        """The claims written now, held until ``lease_until``."""
        self.keys = frozenset(keys)
        self.lease_until = lease_until


def refresh(
    services: Services,
    poster: Poster,
    client: WebClient,
    workspace: str,
    participation_id: int,
    current: QuestionPrompt | None = None,
    found: list[QuestionMessageChange] | None = None,
    claims: LandingClaims | None = None,
) -> int:
    """Update every question message of the participation whose state changed; returns
    how many were updated. Each (message, state) is updated once, also across replays
    and replicas; a failed update is tried again by the next refresh. ``current`` is the
    question just shown, if known; ``found``, the changes the landing of that question
    already found (:meth:`bot.services.landings.Landings.record`), if any, and
    ``claims``, the updates that landing claimed."""
    messages = services.question_messages
    prompt = services.queries.current_prompt
    if found is None:
        changes = messages.changed(workspace, participation_id, PLATFORM, prompt, current)
    else:
        changes = messages.with_prompts(workspace, participation_id, found, prompt)
    updated = 0
    for change in changes:
        key = update_key(change)
        held = claims.lease_until if claims and key in claims.keys else None
        if _update(poster, client, workspace, change, key, held):
            # The update's outbox row and the message's new state: one transaction.
            landed = Landed(key, change.conversation, change.message_ts)
            messages.shown(workspace, change.message_id, change.token, [landed])
            updated += 1
    return updated
