"""users.info."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from ..records import Reply, as_bool, err, ok
from ..state import TS_BASE, Ctx

if TYPE_CHECKING:
    from ..fake import FakeSlack


_TZ_LABELS = {
    "CET": "Central European Time",
    "CEST": "Central European Summer Time",
    "UTC": "Coordinated Universal Time",
    "GMT": "Greenwich Mean Time",
    "BST": "British Summer Time",
}


def info(fake: FakeSlack, ctx: Ctx) -> Reply:
    """Answer ``users.info``."""
    user_id = str(ctx.args.get("user") or "")
    user = fake.state.users.get(user_id)
    if user is None:
        return err("user_not_found")
    zone = ZoneInfo(user.tz)
    now = datetime.now(zone)
    offset = now.utcoffset()
    profile: dict[str, Any] = {
        "real_name": user.real_name,
        "real_name_normalized": user.real_name,
        "display_name": user.name,
        "display_name_normalized": user.name,
        "first_name": user.real_name.split(" ")[0],
        "last_name": " ".join(user.real_name.split(" ")[1:]),
        "status_text": "",
        "status_emoji": "",
        "team": user.team_id or ctx.team_id,
        "image_48": "https://secure.gravatar.com/avatar/fake-48.png",
    }
    if user.email:
        profile["email"] = user.email
    body: dict[str, Any] = {
        "id": user.user_id,
        "team_id": user.team_id or ctx.team_id,
        "name": user.name,
        "deleted": user.deleted,
        "real_name": user.real_name,
        "tz": user.tz,
        "tz_label": _TZ_LABELS.get(now.tzname() or "", now.tzname() or user.tz),
        "tz_offset": int(offset.total_seconds()) if offset is not None else 0,
        "profile": profile,
        "is_admin": False,
        "is_owner": False,
        "is_primary_owner": False,
        "is_restricted": False,
        "is_ultra_restricted": False,
        "is_bot": user.is_bot,
        "is_app_user": False,
        "updated": TS_BASE,
    }
    if as_bool(ctx.args.get("include_locale", False)):
        body["locale"] = user.locale
    return ok(user=body)
