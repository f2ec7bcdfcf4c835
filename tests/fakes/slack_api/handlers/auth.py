"""auth.test and oauth.v2.access."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..records import Reply, err, ok
from ..state import Ctx

if TYPE_CHECKING:
    from ..fake import FakeSlack


def auth_test(fake: FakeSlack, ctx: Ctx) -> Reply:
    """Answer ``auth.test``."""
    ws = ctx.workspace
    assert ws is not None
    return ok(
        url=f"https://{ws.domain}.slack.com/",
        team=ws.team_name,
        user="dialogbot",
        team_id=ws.team_id,
        user_id=ws.bot_user_id,
        bot_id=ws.bot_id,
        is_enterprise_install=False,
    )


def oauth_v2_access(fake: FakeSlack, ctx: Ctx) -> Reply:
    """Answer ``oauth.v2.access``."""
    config = fake.state.oauth
    assert config is not None
    code = str(ctx.args.get("code") or "")
    client_id = ctx.basic_auth[0] if ctx.basic_auth else ctx.args.get("client_id")
    client_secret = ctx.basic_auth[1] if ctx.basic_auth else ctx.args.get("client_secret")
    if config.client_id is not None and client_id != config.client_id:
        return err("invalid_client_id")
    if config.client_secret is not None and client_secret != config.client_secret:
        return err("bad_client_secret")
    if (
        not code
        or code in fake.state.used_codes
        or (config.code is not None and code != config.code)
    ):
        return err("invalid_code")
    fake.state.used_codes.add(code)
    return ok(
        app_id=config.app_id,
        authed_user={"id": config.authed_user_id},
        scope=config.scope,
        token_type="bot",
        access_token=config.access_token,
        bot_user_id=config.bot_user_id,
        team={"id": config.team_id, "name": config.team_name},
        enterprise=None,
        is_enterprise_install=False,
    )
