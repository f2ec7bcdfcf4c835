"""reactions.add and reactions.remove."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..records import Reply, err, ok
from ..state import Ctx

if TYPE_CHECKING:
    from ..fake import FakeSlack


def _reaction_key(ctx: Ctx) -> tuple[str, str, str, str]:
    return (
        ctx.token or "",
        str(ctx.args.get("channel") or ""),
        str(ctx.args.get("timestamp") or ""),
        str(ctx.args.get("name") or ""),
    )


def add(fake: FakeSlack, ctx: Ctx) -> Reply:
    """Answer ``reactions.add``."""
    key = _reaction_key(ctx)
    if not key[3]:
        return err("invalid_name")
    if key in fake.state.reactions:
        return err("already_reacted")
    fake.state.reactions.add(key)
    return ok()


def remove(fake: FakeSlack, ctx: Ctx) -> Reply:
    """Answer ``reactions.remove``."""
    key = _reaction_key(ctx)
    if key not in fake.state.reactions:
        return err("no_reaction")
    fake.state.reactions.discard(key)
    return ok()
