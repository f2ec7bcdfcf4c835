"""conversations.open, conversations.info, conversations.history, conversations.replies."""

from __future__ import annotations

import base64
from typing import TYPE_CHECKING

from ..records import Reply, as_bool, err, ok
from ..state import Ctx

if TYPE_CHECKING:
    from ..fake import FakeSlack


def open_conversation(fake: FakeSlack, ctx: Ctx) -> Reply:
    """Answer ``conversations.open``: the DM with one user (the id a post to that user
    lands in, :func:`~..state.dm_channel_id`), a group DM with several. A bot token needs
    ``im:write`` for a DM, ``mpim:write`` for a group DM (else Slack answers
    ``missing_scope`` with ``needed`` and ``provided``)."""
    channel = ctx.args.get("channel")
    users_arg = ctx.args.get("users")
    if channel:
        channel_id = str(channel)
        user = None
    elif users_arg:
        users = users_arg if isinstance(users_arg, list) else str(users_arg).split(",")
        users = [u.strip() for u in users if u.strip()]
        if len(users) == 1:
            user = users[0]
            channel_id = fake.dm_channel_id(user)
        else:
            user = None
            channel_id = "G" + "".join(u[1:4] for u in sorted(users))[:10].upper()
    else:
        return err("users_list_not_supplied")
    needed = "im:write" if channel_id.startswith("D") else "mpim:write"
    scopes = ctx.workspace.scopes if ctx.workspace is not None else (needed,)
    if needed not in scopes:
        return err("missing_scope", needed=needed, provided=",".join(scopes))
    already_open = channel_id in fake.state.channels
    if not already_open:
        fake.state.channels[channel_id] = fake.state.channel_object(channel_id, user=user)
    if as_bool(ctx.args.get("return_im", False)):
        body_channel = dict(fake.state.channels[channel_id])
    else:
        body_channel = {"id": channel_id}
    return ok(no_op=already_open, already_open=already_open, channel=body_channel)


def info(fake: FakeSlack, ctx: Ctx) -> Reply:
    """Answer ``conversations.info``."""
    channel_id = str(ctx.args.get("channel") or "")
    if not channel_id:
        return err("channel_not_found")
    channel = fake.state.channels.get(channel_id) or fake.state.channel_object(channel_id)
    return ok(channel=dict(channel))


#: conversations.history's largest page (Slack: "Maximum of 999"); 100 by default.
HISTORY_MAX_LIMIT = 999


def history(fake: FakeSlack, ctx: Ctx) -> Reply:
    """Answer ``conversations.history`` as Slack documents it: the conversation's top-level
    messages, newest first, between ``oldest`` and ``latest`` (exclusive unless
    ``inclusive``), ``limit`` per page (default 100, at most 999), further pages by the
    ``next_cursor`` in ``response_metadata`` (``has_more`` says there are some); message
    metadata only with ``include_all_metadata``. Conversation ids only: a user id is
    ``channel_not_found`` (only ``chat.postMessage`` takes one for the DM)."""
    args = ctx.args
    channel_id = str(args.get("channel") or "")
    if not channel_id or channel_id[:1] in ("U", "W"):
        return err("channel_not_found")
    channel = fake.state.channels.get(channel_id) or fake.state.channel_object(channel_id)
    if not channel.get("is_im") and not channel.get("is_member", True):
        # Slack hides private channels the bot is not in; public ones say so.
        return err("channel_not_found" if channel.get("is_private") else "not_in_channel")
    try:
        oldest = float(args.get("oldest") or 0)
    except ValueError:
        return err("invalid_ts_oldest")
    try:
        latest = float(args["latest"]) if args.get("latest") else None
    except ValueError:
        return err("invalid_ts_latest")
    inclusive = as_bool(args.get("inclusive", False))
    cursor = str(args.get("cursor") or "")
    before: float | None = None  # a cursor: the page starts at this message
    if cursor:
        try:
            before = float(base64.b64decode(cursor).decode().removeprefix("next_ts:"))
        except ValueError:
            return err("invalid_cursor")
    limit = min(int(args.get("limit") or 100), HISTORY_MAX_LIMIT)
    with_metadata = as_bool(args.get("include_all_metadata", False))

    def wanted(ts: float) -> bool:
        after_oldest = ts >= oldest if inclusive else ts > oldest
        before_latest = latest is None or (ts <= latest if inclusive else ts < latest)
        return after_oldest and before_latest and (before is None or ts <= before)

    found = [
        {k: v for k, v in m.items() if k != "channel" and (with_metadata or k != "metadata")}
        for (ch, ts), m in sorted(fake.state.messages.items(), key=lambda kv: -float(kv[0][1]))
        if ch == channel_id and not m.get("thread_ts") and wanted(float(ts))
    ]
    page, rest = found[:limit], found[limit:]
    next_cursor = base64.b64encode(f"next_ts:{rest[0]['ts']}".encode()).decode() if rest else ""
    return ok(
        messages=page,
        has_more=bool(rest),
        pin_count=0,
        channel_actions_ts=None,
        channel_actions_count=0,
        response_metadata={"next_cursor": next_cursor},
    )


def replies(fake: FakeSlack, ctx: Ctx) -> Reply:
    """Answer ``conversations.replies``."""
    channel = str(ctx.args.get("channel") or "")
    ts = str(ctx.args.get("ts") or "")
    found = [
        {k: v for k, v in m.items() if k != "channel"}
        for (ch, m_ts), m in sorted(fake.state.messages.items(), key=lambda kv: float(kv[0][1]))
        if ch == channel and (m_ts == ts or m.get("thread_ts") == ts)
    ]
    if not found:
        return err("thread_not_found")
    return ok(messages=found, has_more=False, response_metadata={"next_cursor": ""})
