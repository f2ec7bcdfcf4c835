"""views.open, views.push, views.update, views.publish (modals and the Home tab)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from ..blocks import check_view
from ..records import Reply, err, maybe_json, ok
from ..state import Ctx

if TYPE_CHECKING:
    from ..fake import FakeSlack


def _view_arg(fake: FakeSlack, ctx: Ctx) -> tuple[dict[str, Any] | None, Reply | None]:
    view = maybe_json(ctx.args.get("view"))
    errors = check_view(view)
    if errors:
        fake.block_kit_errors.extend(errors)
        return None, err("invalid_arguments", response_metadata={"messages": errors})
    return cast(dict[str, Any], view), None


def open_view(fake: FakeSlack, ctx: Ctx) -> Reply:
    """Answer ``views.open``."""
    if not ctx.args.get("trigger_id") and not ctx.args.get("interactivity_pointer"):
        return err("invalid_arguments")
    view, error = _view_arg(fake, ctx)
    if error is not None or view is None:
        return error or err("invalid_arguments")
    view_id = fake.state.next_id("V")
    stored = fake.state.view_object(ctx, view_id, view)
    fake.state.views[view_id] = stored
    return ok(view=stored)


def push(fake: FakeSlack, ctx: Ctx) -> Reply:
    """Answer ``views.push``."""
    return open_view(fake, ctx)


def update(fake: FakeSlack, ctx: Ctx) -> Reply:
    """Answer ``views.update``."""
    view, error = _view_arg(fake, ctx)
    if error is not None or view is None:
        return error or err("invalid_arguments")
    view_id = ctx.args.get("view_id")
    external_id = ctx.args.get("external_id")
    current: dict[str, Any] | None = None
    if view_id:
        current = fake.state.views.get(str(view_id))
    elif external_id:
        current = next(
            (v for v in fake.state.views.values() if v.get("external_id") == external_id), None
        )
    else:
        return err("invalid_arguments")
    if current is None:
        return err("not_found")
    expected_hash = ctx.args.get("hash")
    if expected_hash and expected_hash != current["hash"]:
        return err("hash_conflict")
    stored = fake.state.view_object(
        ctx,
        current["id"],
        view,
        root_view_id=current["root_view_id"],
        previous_view_id=current["previous_view_id"],
    )
    fake.state.views[current["id"]] = stored
    return ok(view=stored)


def publish(fake: FakeSlack, ctx: Ctx) -> Reply:
    """Answer ``views.publish``."""
    user_id = str(ctx.args.get("user_id") or "")
    if not user_id:
        return err("invalid_arguments")
    view, error = _view_arg(fake, ctx)
    if error is not None or view is None:
        return error or err("invalid_arguments")
    if view.get("type") != "home":
        return err("invalid_arguments", response_metadata={"messages": ["view type must be home"]})
    key = (ctx.team_id, user_id)
    view_id = fake.state.home_views.get(key)
    if view_id is not None:
        expected_hash = ctx.args.get("hash")
        if expected_hash and expected_hash != fake.state.views[view_id]["hash"]:
            return err("hash_conflict")
    else:
        view_id = fake.state.next_id("V")
        fake.state.home_views[key] = view_id
    stored = fake.state.view_object(ctx, view_id, view)
    fake.state.views[view_id] = stored
    return ok(view=stored)
