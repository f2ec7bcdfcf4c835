"""Teams configuration from the environment (the only place bot/teams reads it)."""

from __future__ import annotations

import os
from dataclasses import dataclass

PUBLIC_SERVICE_URL = "https://smba.trafficmanager.net/teams"


class TeamsConfigError(Exception):
    """A required setting is missing (the message names it)."""


@dataclass(frozen=True)
class TeamsConfig:
    """The bot's Entra app registration and where Teams is reached.

    Attributes:
        client_id: the app (client) id of the Entra app registration (the Azure Bot's id).
        client_secret: its client secret (outbound tokens by client credentials).
        tenant_id: the one tenant (workspace) this single-tenant bot serves.
        service_url: the Bot Connector (tests: a local fake).
        openid_metadata_url: override of the Bot Framework OpenID metadata (tests only).
        tz: time zone of deadlines shown.
        tenant_per_second: outbound calls per second for the tenant (Teams: about 30).
        public_url: where people reach the bot over HTTPS (signed download links);
            None turns ``dialog export`` off.
        link_hours: how long a download link is valid.
    """

    client_id: str
    client_secret: str
    tenant_id: str
    service_url: str = PUBLIC_SERVICE_URL
    openid_metadata_url: str | None = None
    tz: str = "Europe/Stockholm"
    tenant_per_second: int = 30
    public_url: str | None = None
    link_hours: int = 1

    @classmethod
    def from_env(cls) -> TeamsConfig:
        """``TEAMS_CLIENT_ID``, ``TEAMS_CLIENT_SECRET``, ``TEAMS_TENANT_ID`` (required);
        ``TEAMS_SERVICE_URL`` and ``TEAMS_OPENID_METADATA_URL`` for tests."""
        missing = [
            name
            for name in ("TEAMS_CLIENT_ID", "TEAMS_CLIENT_SECRET", "TEAMS_TENANT_ID")
            if not os.environ.get(name)
        ]
        if missing:
            raise TeamsConfigError(f"missing {', '.join(missing)} (see README, Microsoft Teams)")
        return cls(
            client_id=os.environ["TEAMS_CLIENT_ID"],
            client_secret=os.environ["TEAMS_CLIENT_SECRET"],
            tenant_id=os.environ["TEAMS_TENANT_ID"],
            service_url=os.environ.get("TEAMS_SERVICE_URL") or PUBLIC_SERVICE_URL,
            openid_metadata_url=os.environ.get("TEAMS_OPENID_METADATA_URL") or None,
            tz=os.environ.get("DIALOGBOT_TZ") or "Europe/Stockholm",
            public_url=os.environ.get("TEAMS_PUBLIC_URL") or None,
        )

    def __repr__(self) -> str:
        return (
            f"TeamsConfig(client_id={self.client_id!r}, tenant_id={self.tenant_id!r}, secret=***)"
        )
