"""The Teams SDK for Python, as the adapter uses it: the ``App`` that receives activities
(its JWT check, routing and FastAPI server) and the SDK's API client for outbound calls,
run on the :class:`~bot.teams.bridge.Bridge`'s loop."""

from __future__ import annotations

from typing import Any

import httpx
from microsoft_teams.api import ApiClient
from microsoft_teams.api.activities.message.message import MessageActivityInput
from microsoft_teams.api.auth.cloud_environment import PUBLIC, with_overrides
from microsoft_teams.api.clients.conversation.params import CreateConversationParams
from microsoft_teams.apps import App
from microsoft_teams.common import Client, ClientOptions

from bot.teams.bridge import Bridge
from bot.teams.config import TeamsConfig
from bot.teams.sender import ConnectorError

#: Seconds one Connector call may take.
ATTEMPT_S = 10.0


def build_sdk_app(config: TeamsConfig, token: Any = None) -> App:
    """The SDK's ``App`` for ``config`` (``token``: an outbound token callable, tests only)."""
    cloud = PUBLIC
    if config.openid_metadata_url:
        cloud = with_overrides(PUBLIC, openid_metadata_url=config.openid_metadata_url)
    if token is not None:
        return App(
            client_id=config.client_id,
            token=token,
            tenant_id=config.tenant_id,
            cloud=cloud,
            service_url=config.service_url,
        )
    return App(
        client_id=config.client_id,
        client_secret=config.client_secret,
        tenant_id=config.tenant_id,
        cloud=cloud,
        service_url=config.service_url,
    )


def _error(exc: httpx.HTTPStatusError) -> ConnectorError:
    response = exc.response
    retry: float | None = None
    header = response.headers.get("Retry-After")
    if header:
        try:
            retry = float(header)
        except ValueError:
            retry = None
    code = ""
    try:
        body = response.json()
        code = str((body.get("error") or {}).get("code") or "")
    except ValueError:
        code = ""
    return ConnectorError(response.status_code, retry, code)


class SdkConnector:
    """Bot Connector calls through the SDK's ``ApiClient`` (one per service URL), made on
    the bridge's loop for synchronous callers.

    Args:
        app: the SDK app (its token provider signs outbound calls).
        bridge: where the coroutines run.
    """

    def __init__(self, app: App, bridge: Bridge) -> None:
        self.app = app
        self.bridge = bridge
        self._clients: dict[str, ApiClient] = {}

    def _api(self, service_url: str) -> ApiClient:
        client = self._clients.get(service_url)
        if client is None:
            client = ApiClient(
                service_url,
                Client(ClientOptions(timeout=ATTEMPT_S)),
                cloud=self.app.cloud,
                token_provider=self.app.token_provider,
            )
            self._clients[service_url] = client
        return client

    def _run(self, make: Any) -> Any:
        try:
            return self.bridge.run(make, timeout=ATTEMPT_S * 2)
        except httpx.HTTPStatusError as exc:
            raise _error(exc) from None
        except (httpx.TransportError, TimeoutError) as exc:
            raise ConnectorError(504, None, type(exc).__name__) from None

    def create_personal(self, service_url: str, tenant: str, user_ref: str) -> str:
        """Create (or get) the 1:1 chat with ``user_ref``."""
        params = CreateConversationParams.model_validate(
            {"isGroup": False, "members": [{"id": user_ref}], "tenantId": tenant}
        )

        async def call() -> str:
            found = await self._api(service_url).conversations.create(params)
            return str(found.id)

        return str(self._run(call))

    def create_channel_post(
        self, service_url: str, tenant: str, channel: str, activity: dict[str, Any]
    ) -> tuple[str, str]:
        """A new thread in ``channel`` whose first message is ``activity``."""
        params = CreateConversationParams.model_validate(
            {
                "isGroup": True,
                "tenantId": tenant,
                "channelData": {"channel": {"id": channel}, "tenant": {"id": tenant}},
                "activity": MessageActivityInput.model_validate(activity),
            }
        )

        async def call() -> tuple[str, str]:
            found = await self._api(service_url).conversations.create(params)
            return str(found.id), str(found.activity_id or "")

        result: tuple[str, str] = self._run(call)
        return result

    def send(self, service_url: str, conversation: str, activity: dict[str, Any]) -> str:
        """Post ``activity`` to ``conversation``."""
        model = MessageActivityInput.model_validate(activity)

        async def call() -> str:
            sent = await self._api(service_url).conversations.create_activity(conversation, model)
            return str(sent.id)

        return str(self._run(call))

    def update(
        self, service_url: str, conversation: str, activity_id: str, activity: dict[str, Any]
    ) -> None:
        """Replace activity ``activity_id`` in ``conversation`` (PUT)."""
        model = MessageActivityInput.model_validate(activity)

        async def call() -> None:
            api = self._api(service_url)
            await api.conversations.update_activity(conversation, activity_id, model)

        self._run(call)

    def paged_members(self, service_url: str, team: str) -> list[dict[str, Any]]:
        """Every member of a team (or chat), page by page."""

        async def call() -> list[dict[str, Any]]:
            members: list[dict[str, Any]] = []
            token: str | None = None
            api = self._api(service_url)
            while True:
                page = await api.conversations.get_paged_members(team, 200, token)
                members += [m.model_dump(by_alias=True, exclude_none=True) for m in page.members]
                token = page.continuation_token
                if not token:
                    return members

        result: list[dict[str, Any]] = self._run(call)
        return result
