"""Runs the Teams bot for tests: the fake Connector, the bot's real ASGI app under uvicorn
on 127.0.0.1, and signed activities posted to it over HTTP."""

from __future__ import annotations

import asyncio
import itertools
import socket
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from types import TracebackType
from typing import Any

import httpx
import uvicorn

from bot.services.container import Services
from bot.teams.app import TeamsBot, build_bot
from bot.teams.config import TeamsConfig
from bot.teams.notifier import FANOUT_WORKERS
from bot.teams.rate import RateLimiter

from .connector import DEFAULT_APP_ID, DEFAULT_TENANT, FakeConnector

_ids = itertools.count(1_800_000_000_000)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class TeamsHarness:
    """The bot for ``services`` on a local port, talking to a :class:`FakeConnector`.

    Args:
        services: the service layer (its organisation must live in workspace ``tenant``).
        fake: the connector (one is started when None).
        limiter: the client-side rate limiter (default: Teams' limits).
        sleep: how the sender waits (tests may pass a virtual clock's).
        fanout_workers: threads of a round start's fan-out (1 on virtual time: parallel
            sleeps would make the shared virtual clock jump).
    """

    def __init__(
        self,
        services: Services,
        fake: FakeConnector | None = None,
        tenant: str = DEFAULT_TENANT,
        limiter: RateLimiter | None = None,
        sleep: Callable[[float], None] | None = None,
        fanout_workers: int = FANOUT_WORKERS,
    ) -> None:
        self.fake = fake or FakeConnector(tenant=tenant).start()
        self.tenant = tenant
        self.services = services
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.config = TeamsConfig(
            client_id=DEFAULT_APP_ID,
            client_secret="not-used",
            tenant_id=tenant,
            service_url=self.fake.url,
            openid_metadata_url=self.fake.openid_url,
            public_url=self.url,
        )
        self.bot: TeamsBot = build_bot(
            self.config,
            self.services,
            token=self.fake.bot_token,
            limiter=limiter,
            sleep=sleep,
            fanout_workers=fanout_workers,
        )
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self.http = httpx.Client(base_url=self.url, timeout=30)

    # Lifecycle -----------------------------------------------------------------------

    def start(self) -> TeamsHarness:
        """Initialise the SDK app and serve it on the harness's port."""
        asyncio.run(self.bot.initialize())
        config = uvicorn.Config(
            self.bot.asgi, host="127.0.0.1", port=self.port, log_level="warning", lifespan="off"
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                if self.http.get("/healthz").status_code == 200:
                    return self
            except httpx.TransportError:
                time.sleep(0.05)
        raise RuntimeError("the Teams bot did not start")

    def stop(self) -> None:
        """Stop the server, the bot's threads and the fake."""
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)
        self.http.close()
        self.bot.close()
        self.fake.stop()

    def __enter__(self) -> TeamsHarness:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # Activities -----------------------------------------------------------------------

    def activity(
        self,
        user: str,
        conversation: str,
        *,
        kind: str = "message",
        text: str | None = None,
        value: dict[str, Any] | None = None,
        activity_id: str | None = None,
        conversation_type: str = "personal",
        tenant: str | None = None,
        extra: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """An activity as Teams posts it to the bot."""
        tenant = tenant or self.tenant
        body: dict[str, Any] = {
            "type": kind,
            "id": activity_id or str(next(_ids)),
            "timestamp": datetime.now(UTC).isoformat(),
            "channelId": "msteams",
            "serviceUrl": self.fake.url,
            "from": {"id": f"29:{user}", "aadObjectId": user, "name": user},
            "recipient": {"id": f"28:{self.config.client_id}", "name": "Dialogbot"},
            "conversation": {
                "id": conversation,
                "conversationType": conversation_type,
                "tenantId": tenant,
            },
            "channelData": {"tenant": {"id": tenant}},
        }
        if text is not None:
            body["text"] = text
            body["textFormat"] = "plain"
        if value is not None:
            body["value"] = value
        body.update(extra or {})
        return body

    def post(self, activity: dict[str, Any], token: str | None = "valid") -> httpx.Response:
        """POST ``activity`` to ``/api/messages`` with a valid token (or ``token``; None
        sends no Authorization header)."""
        headers = {}
        if token == "valid":
            token = self.fake.inbound_token()
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        return self.http.post("/api/messages", json=activity, headers=headers)

    def install(self, user: str) -> str:
        """The person installs the app: Teams creates the 1:1 chat and tells the bot."""
        conversation = self.fake.add_personal_chat(f"29:{user}")
        response = self.post(
            self.activity(user, conversation, kind="installationUpdate", extra={"action": "add"})
        )
        assert response.status_code == 200, response.text
        return conversation

    def say(self, user: str, text: str, **kwargs: Any) -> httpx.Response:
        """``user`` writes ``text`` in their personal chat (installing the app first)."""
        conversation = self.fake.personal_chat_of(f"29:{user}") or self.install(user)
        response = self.post(self.activity(user, conversation, text=text, **kwargs))
        self.settle()
        return response

    def click(self, user: str, card_value: dict[str, Any], **inputs: str) -> httpx.Response:
        """``user`` presses a card's ``Action.Submit`` (with form inputs)."""
        conversation = self.fake.personal_chat_of(f"29:{user}") or self.install(user)
        value = {**card_value, **inputs}
        response = self.post(self.activity(user, conversation, value=value))
        self.settle()
        return response

    def settle(self) -> None:
        """Wait until the work after the acks is done."""
        self.bot.bridge.drain()

    # Reading the fake -------------------------------------------------------------------

    def chat(self, user: str) -> list[dict[str, Any]]:
        """The messages in ``user``'s personal chat with the bot."""
        conversation = self.fake.personal_chat_of(f"29:{user}")
        return [] if conversation is None else self.fake.messages(conversation)

    @staticmethod
    def card_of(message: dict[str, Any]) -> dict[str, Any] | None:
        """The Adaptive Card in a message, if any."""
        for attachment in message.get("attachments") or []:
            content = attachment.get("content")
            if isinstance(content, dict):
                return content
        return None

    @staticmethod
    def texts(message: dict[str, Any]) -> str:
        """The text of a message and of the TextBlocks of its card."""
        parts = [str(message.get("text") or "")]
        card = TeamsHarness.card_of(message)
        if card is not None:
            parts += [
                str(b.get("text")) for b in card.get("body", []) if b.get("type") == "TextBlock"
            ]
        return "\n".join(p for p in parts if p)

    def buttons(self, message: dict[str, Any]) -> dict[str, dict[str, Any]]:
        """A card's submit buttons by title (its actions, then those of its action sets),
        with the data they send."""
        card = self.card_of(message) or {}
        actions = list(card.get("actions", []))
        for block in card.get("body", []):
            if block.get("type") == "ActionSet":
                actions += block.get("actions", [])
        return {str(a["title"]): dict(a.get("data") or {}) for a in actions}
