"""chat.postMessage, chat.update, chat.postEphemeral, chat.delete, chat.getPermalink."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..blocks import check_blocks
from ..records import Reply, err, maybe_json, ok
from ..state import MAX_TEXT, Ctx

if TYPE_CHECKING:
    from ..fake import FakeSlack


def message_content_error(fake: FakeSlack, args: dict[str, Any]) -> Reply | None:
    """``no_text`` without any content, ``invalid_blocks`` for blocks over Block Kit's
    limits (noted in ``fake.block_kit_errors``), else None."""
    if not any(args.get(k) for k in ("text", "blocks", "attachments", "markdown_text")):
        return err("no_text")
    errors = check_blocks(maybe_json(args.get("blocks")), 50, "/blocks")
    if errors:
        fake.block_kit_errors.extend(errors)
        return err("invalid_blocks", response_metadata={"messages": errors})
    return None


def post_message(fake: FakeSlack, ctx: Ctx) -> Reply:
    """Answer ``chat.postMessage``."""
    args = ctx.args
    raw_channel = str(args.get("channel") or "")
    if not raw_channel:
        return err("channel_not_found")
    error = message_content_error(fake, args)
    if error is not None:
        return error
    channel = fake.state.resolve_channel(raw_channel)
    ts = fake.state.next_ts()
    message = fake.state.bot_message(ctx, channel, ts, args)
    thread_ts = args.get("thread_ts")
    if thread_ts:
        message["thread_ts"] = str(thread_ts)
        parent = fake.state.messages.get((channel, str(thread_ts)))
        if parent is not None and parent.get("user"):
            message["parent_user_id"] = parent["user"]
    fake.state.messages[(channel, ts)] = message
    public = {k: v for k, v in message.items() if k != "channel"}
    warnings = ["message_truncated"] if len(str(args.get("text") or "")) > MAX_TEXT else []
    extra: dict[str, Any] = {"response_metadata": {"warnings": warnings}} if warnings else {}
    return ok(channel=channel, ts=ts, message=public, **extra)


def update(fake: FakeSlack, ctx: Ctx) -> Reply:
    """Answer ``chat.update``."""
    args = ctx.args
    channel = fake.state.resolve_channel(str(args.get("channel") or ""))
    ts = str(args.get("ts") or "")
    existing = fake.state.messages.get((channel, ts))
    if existing is None and fake.strict_messages:
        return err("message_not_found")
    error = message_content_error(fake, args)
    if error is not None:
        return error
    message = fake.state.bot_message(ctx, channel, ts, args)
    if existing is not None and "thread_ts" in existing:
        message["thread_ts"] = existing["thread_ts"]
    message["edited"] = {"user": message["user"], "ts": fake.state.next_ts()}
    fake.state.messages[(channel, ts)] = message
    public = {k: v for k, v in message.items() if k not in ("channel", "ts")}
    return ok(channel=channel, ts=ts, text=message["text"], message=public)


def post_ephemeral(fake: FakeSlack, ctx: Ctx) -> Reply:
    """Answer ``chat.postEphemeral``."""
    args = ctx.args
    if not args.get("channel"):
        return err("channel_not_found")
    if not args.get("user"):
        return err("user_not_in_channel")
    error = message_content_error(fake, args)
    if error is not None:
        return error
    return ok(message_ts=fake.state.next_ts())


def delete(fake: FakeSlack, ctx: Ctx) -> Reply:
    """Answer ``chat.delete``."""
    channel = fake.state.resolve_channel(str(ctx.args.get("channel") or ""))
    ts = str(ctx.args.get("ts") or "")
    if fake.state.messages.pop((channel, ts), None) is None and fake.strict_messages:
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
