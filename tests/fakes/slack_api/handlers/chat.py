"""chat.postMessage, chat.update, chat.postEphemeral, chat.delete, chat.getPermalink."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..records import Reply, err, ok
from ..state import MAX_TEXT, Ctx

if TYPE_CHECKING:
    from ..fake import FakeSlack


def post_message(fake: FakeSlack, ctx: Ctx) -> Reply:
    """Answer ``chat.postMessage``."""
    args = ctx.args
    raw_channel = str(args.get("channel") or "")
    if not raw_channel:
        return err("channel_not_found")
    error = fake._message_content_error(args)
    if error is not None:
        return error
    channel = fake._resolve_channel(raw_channel)
    ts = fake._next_ts()
    message = fake._bot_message(ctx, channel, ts, args)
    thread_ts = args.get("thread_ts")
    if thread_ts:
        message["thread_ts"] = str(thread_ts)
        parent = fake._messages.get((channel, str(thread_ts)))
        if parent is not None and parent.get("user"):
            message["parent_user_id"] = parent["user"]
    fake._messages[(channel, ts)] = message
    public = {k: v for k, v in message.items() if k != "channel"}
    warnings = ["message_truncated"] if len(str(args.get("text") or "")) > MAX_TEXT else []
    extra: dict[str, Any] = {"response_metadata": {"warnings": warnings}} if warnings else {}
    return ok(channel=channel, ts=ts, message=public, **extra)


def update(fake: FakeSlack, ctx: Ctx) -> Reply:
    """Answer ``chat.update``."""
    args = ctx.args
    channel = fake._resolve_channel(str(args.get("channel") or ""))
    ts = str(args.get("ts") or "")
    existing = fake._messages.get((channel, ts))
    if existing is None and fake.strict_messages:
        return err("message_not_found")
    error = fake._message_content_error(args)
    if error is not None:
        return error
    message = fake._bot_message(ctx, channel, ts, args)
    if existing is not None and "thread_ts" in existing:
        message["thread_ts"] = existing["thread_ts"]
    message["edited"] = {"user": message["user"], "ts": fake._next_ts()}
    fake._messages[(channel, ts)] = message
    public = {k: v for k, v in message.items() if k not in ("channel", "ts")}
    return ok(channel=channel, ts=ts, text=message["text"], message=public)


def post_ephemeral(fake: FakeSlack, ctx: Ctx) -> Reply:
    """Answer ``chat.postEphemeral``."""
    args = ctx.args
    if not args.get("channel"):
        return err("channel_not_found")
    if not args.get("user"):
        return err("user_not_in_channel")
    error = fake._message_content_error(args)
    if error is not None:
        return error
    return ok(message_ts=fake._next_ts())


def delete(fake: FakeSlack, ctx: Ctx) -> Reply:
    """Answer ``chat.delete``."""
    channel = fake._resolve_channel(str(ctx.args.get("channel") or ""))
    ts = str(ctx.args.get("ts") or "")
    if fake._messages.pop((channel, ts), None) is None and fake.strict_messages:
        return err("message_not_found")
    return ok(channel=channel, ts=ts)


def get_permalink(fake: FakeSlack, ctx: Ctx) -> Reply:
    """Answer ``chat.getPermalink``."""
    channel = str(ctx.args.get("channel") or "")
    ts = str(ctx.args.get("message_ts") or "")
    domain = ctx.workspace.domain if ctx.workspace else "fake"
    return ok(
        channel=channel,
        permalink=f"https://{domain}.slack.com/archives/{channel}/p{ts.replace('.', '')}",
    )
