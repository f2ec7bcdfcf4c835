"""Wiring only: builds the Bolt app from configuration and the engine runtime."""

from __future__ import annotations

import logging
import threading
from concurrent.futures import Executor
from typing import TYPE_CHECKING, Any

from slack_bolt import App
from slack_bolt.authorization.authorize import InstallationStoreAuthorize
from slack_bolt.logger import get_bolt_logger
from slack_bolt.oauth.oauth_settings import OAuthSettings
from slack_sdk import WebClient

from bot.metrics import with_metrics
from bot.slack import question_updates
from bot.slack.config import BOT_SCOPES, SlackConfig
from bot.slack.context import ClientProvider, SlackContext
from bot.slack.edge import guarded_wsgi_app
from bot.slack.executor import TrackingExecutor
from bot.slack.listeners import register_all
from bot.slack.notifier import SlackNotifier, landing_batch_hook
from bot.slack.pacing import Limits, Pacer
from bot.slack.poster import Poster, make_client, resend_loop
from bot.slack.token_store import installation_store
from bot.wiring import Runtime
from storage.outbox import OutboxStore

if TYPE_CHECKING:
    from wsgiref.types import WSGIApplication

    from prometheus_client.registry import Collector

log = logging.getLogger("bot.slack")

OAUTH_STATE_SECONDS = 600
#: How often the resender looks for posts nobody is sending.
RESEND_INTERVAL_S = 5.0


def _client_provider(config: SlackConfig, runtime: Runtime, default: WebClient) -> ClientProvider:
    if not config.oauth:
        return lambda _workspace: default
    store = installation_store(config, runtime.db)

    def client_for(workspace: str) -> WebClient:
        bot = store.find_bot(enterprise_id=None, team_id=workspace)
        if bot is None or not bot.bot_token:
            raise LookupError(f"Dialogbot is not installed in workspace {workspace}")
        return make_client(config.api_url, bot.bot_token, config.retries, config.backoff)

    return client_for


_pacers: dict[Limits, Pacer] = {}
_pacers_lock = threading.Lock()


def process_pacer(config: SlackConfig) -> Pacer | None:
    """The pacer every poster of this process shares (None when the configuration turns
    pacing off): the listeners, the fan-out, the scheduler and the resender post into the
    same channels, so they must count against the same buckets."""
    if config.pacing is None:
        return None
    with _pacers_lock:
        pacer = _pacers.get(config.pacing)
        if pacer is None:
            pacer = _pacers[config.pacing] = Pacer(config.pacing)
        return pacer


def build_context(config: SlackConfig, runtime: Runtime, client: WebClient) -> SlackContext:
    """The services listeners share."""
    store = OutboxStore(runtime.services.kernel.session_factory, runtime.services.kernel.clock)
    poster = Poster(
        store,
        on_landed_many=landing_batch_hook(runtime.services),
        pacer=process_pacer(config),
        keep_alive=config.pacing is not None,
    )
    poster.on_update_given_up = question_updates.given_up_refresh(runtime.services, poster)
    return SlackContext(
        services=runtime.services,
        poster=poster,
        store=store,
        tz=config.tz,
        clients=_client_provider(config, runtime, client),
    )


def build_notifier(config: SlackConfig, runtime: Runtime) -> SlackNotifier:
    """A :class:`SlackNotifier` for code outside requests (the scheduler)."""
    client = make_client(config.api_url, config.bot_token, config.retries, config.backoff)
    return build_context(config, runtime, client).notifier()


def start_resender(
    config: SlackConfig, runtime: Runtime, interval_s: float = RESEND_INTERVAL_S
) -> threading.Event:
    """Send, in a daemon thread, what nobody is sending: posts whose sender died (lease
    expired) and failed posts that are due, of every workspace; set the event to stop."""
    client = make_client(config.api_url, config.bot_token, config.retries, config.backoff)
    ctx = build_context(config, runtime, client)
    stop = threading.Event()
    threading.Thread(
        target=resend_loop,
        args=(ctx.poster, ctx.clients, stop, interval_s),
        name="dialogbot-resend",
        daemon=True,
    ).start()
    return stop


def build_app(
    config: SlackConfig,
    runtime: Runtime,
    *,
    executor: Executor | None = None,
    token_verification: bool = True,
) -> App:
    """The Bolt app: single-workspace with ``SLACK_BOT_TOKEN``, OAuth (several workspaces,
    installations in the same database) with ``SLACK_CLIENT_ID``/``SLACK_CLIENT_SECRET``.

    Args:
        config: Slack settings.
        runtime: database and service layer.
        executor: runs listeners after the ack (default: a :class:`TrackingExecutor`).
        token_verification: call auth.test at start-up (single-workspace mode).
    """
    client = make_client(
        config.api_url, None if config.oauth else config.bot_token, config.retries, config.backoff
    )
    common: dict[str, Any] = {
        "name": "dialogbot",
        "signing_secret": config.signing_secret,
        "client": client,
        "request_verification_enabled": True,
        "process_before_response": False,
        "listener_executor": executor or TrackingExecutor(),
        # No listener takes ``say``, ``set_status``, ``say_stream`` …: Bolt would build
        # them for every event before its listener runs (in the request, before the ack).
        "attaching_conversation_kwargs_enabled": False,
    }
    if config.oauth:
        # Only here: see installation_store (greenlet and SQLAlchemy's asyncio extension).
        from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore

        assert config.client_id is not None and config.client_secret is not None
        installations = installation_store(config, runtime.db)
        states = SQLAlchemyOAuthStateStore(
            expiration_seconds=OAUTH_STATE_SECONDS, engine=runtime.db
        )
        app = App(
            **common,
            installation_store=installations,
            # Bolt's default authorize asks Slack's auth.test for every request, before the
            # ack; cached, once per token. The installation is still looked up for every
            # request, so an uninstalled or revoked workspace is refused as before. (Bolt
            # takes an Authorize object here; its annotation names only functions.)
            authorize=InstallationStoreAuthorize(  # type: ignore[arg-type]
                installation_store=installations,
                client_id=config.client_id,
                client_secret=config.client_secret,
                logger=get_bolt_logger(App),
                client=client,
                cache_enabled=True,
            ),
            oauth_settings=OAuthSettings(
                client_id=config.client_id,
                client_secret=config.client_secret,
                scopes=list(BOT_SCOPES),
                installation_store=installations,
                state_store=states,
            ),
        )
    else:
        app = App(**common, token_verification_enabled=token_verification)
    ctx = build_context(config, runtime, client)
    register_all(app, ctx)

    @app.error
    def log_error(error: Exception, body: dict[str, Any]) -> None:
        """The one place unexpected failures are logged, with traceback."""
        kind = body.get("type") or body.get("command") or "request"
        log.error("handling a Slack %s failed", kind, exc_info=error)

    return app


def wsgi_app(app: App, signing_secret: str, database: Collector | None = None) -> WSGIApplication:
    """The WSGI application: Slack requests at ``/slack/events`` (and the OAuth pages),
    a health check at ``GET /healthz``, Prometheus metrics at ``GET /metrics`` (with the
    database gauges of ``database``, see :class:`bot.metrics.DatabaseCollector`). Bodies over
    1 MiB are refused (413) and the signature is checked before any parsing (see
    :mod:`bot.slack.edge`)."""
    return with_metrics(guarded_wsgi_app(app, signing_secret), database)
