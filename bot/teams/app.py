"""The Teams bot assembled: the SDK app on ``/api/messages`` (its JWT check), ``/healthz``,
the handler, the outbox sender with its rate limits, the notifier and the resender."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from fastapi import Response
from microsoft_teams.api import InvokeResponse
from microsoft_teams.apps import App

from bot.domain.errors import DialogError
from bot.teams.bridge import Bridge, call
from bot.teams.config import TeamsConfig
from bot.teams.deps import Services, round_docx
from bot.teams.handler import TeamsHandler
from bot.teams.links import make_link, valid
from bot.teams.notifier import FANOUT_WORKERS, TeamsNotifier
from bot.teams.rate import RateLimiter
from bot.teams.sdk import SdkConnector, build_sdk_app
from bot.teams.sender import Connector, TeamsSender

log = logging.getLogger(__name__)

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
#: Seconds between the resender's passes.
RESEND_INTERVAL_S = 5.0
#: The SDK logs whole activities (answer texts included) at DEBUG: never below INFO.
SDK_LOGGER = "microsoft_teams"


def quiet_sdk_logs() -> None:
    """Keep the SDK's activity dumps out of the log (logs never contain answer text)."""
    sdk_log = logging.getLogger(SDK_LOGGER)
    if sdk_log.level < logging.INFO:  # NOTSET (inherit) included
        sdk_log.setLevel(logging.INFO)


@dataclass
class TeamsBot:
    """Everything the Teams adapter runs, built by :func:`build_bot`."""

    config: TeamsConfig
    sdk: App
    bridge: Bridge
    sender: TeamsSender
    notifier: TeamsNotifier
    handler: TeamsHandler

    async def initialize(self) -> None:
        """Initialise the SDK app (JWT validation, the messaging route)."""
        await self.sdk.initialize()

    @property
    def asgi(self) -> Any:
        """The ASGI application serving ``/api/messages`` and ``/healthz``."""
        return self.sdk.server.adapter.app  # type: ignore[attr-defined]

    def start_resender(self, interval_s: float = RESEND_INTERVAL_S) -> threading.Event:
        """Resend due rows in a daemon thread until the returned event is set."""
        stop = threading.Event()

        def loop() -> None:
            while not stop.wait(interval_s):
                try:
                    self.sender.resend_due()
                except Exception:
                    log.exception("teams resender pass failed")

        threading.Thread(target=loop, name="dialogbot-teams-resend", daemon=True).start()
        return stop

    def close(self) -> None:
        """Stop the bridge's threads."""
        self.bridge.close()


def build_bot(
    config: TeamsConfig,
    services: Services,
    *,
    token: Any = None,
    connector: Connector | None = None,
    limiter: RateLimiter | None = None,
    sleep: Callable[[float], None] | None = None,
    fanout_workers: int = FANOUT_WORKERS,
) -> TeamsBot:
    """Build the bot for one tenant (``token``, ``connector``, ``limiter``, ``sleep`` and
    ``fanout_workers`` are for tests and the benchmark)."""
    quiet_sdk_logs()
    sdk = build_sdk_app(config, token)
    bridge = Bridge()
    limits = limiter or RateLimiter(config.tenant_per_second)
    outbound = connector or SdkConnector(sdk, bridge)
    if sleep is None:
        sender = TeamsSender(services, outbound, limits, config.service_url)
    else:
        sender = TeamsSender(services, outbound, limits, config.service_url, sleep=sleep)
    notifier = TeamsNotifier(
        sender, config.tz, clock=services.kernel.clock, fanout_workers=fanout_workers
    )
    links = None
    if config.public_url:
        public_url = config.public_url

        def links_for(round_id: int) -> str:
            return make_link(
                public_url, config.client_secret, config.tenant_id, round_id, config.link_hours
            )

        links = links_for
    handler = TeamsHandler(
        services, sender, notifier, config.tenant_id, config.tz, links, config.link_hours
    )
    bot = TeamsBot(config, sdk, bridge, sender, notifier, handler)

    @sdk.on_activity
    async def on_activity(ctx: Any) -> Any:
        activity = ctx.activity.model_dump(by_alias=True, exclude_none=True, mode="json")
        reply = await call(handler.handle, activity)
        if reply.after is not None:
            bridge.after_ack(reply.after)
        if reply.status != 200:
            return InvokeResponse[Any](status=reply.status)
        return None

    fastapi = sdk.server.adapter.app  # type: ignore[attr-defined]

    @fastapi.get("/healthz")  # type: ignore[untyped-decorator]
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @fastapi.get("/exports/{round_id}.docx")  # type: ignore[untyped-decorator]
    async def export(round_id: int, exp: int = 0, sig: str = "") -> Response:
        if not valid(config.client_secret, config.tenant_id, round_id, exp, sig):
            return Response(status_code=403)
        try:
            content, filename = await call(round_docx, services, config.tenant_id, round_id)
        except DialogError:
            return Response(status_code=404)
        ascii_name = filename.encode("ascii", "replace").decode().replace("?", "_")
        return Response(
            content,
            media_type=DOCX,
            headers={"Content-Disposition": f'attachment; filename="{ascii_name}"'},
        )

    return bot
