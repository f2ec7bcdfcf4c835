"""Teams configuration: the Teams part of :class:`bot.config.Settings`."""

from __future__ import annotations

from dataclasses import dataclass

from bot.config import Settings, current

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
    def from_settings(cls, settings: Settings) -> TeamsConfig:
        """``TEAMS_CLIENT_ID``, ``TEAMS_CLIENT_SECRET``, ``TEAMS_TENANT_ID`` (required);
        ``TEAMS_PUBLIC_URL`` for download links; ``TEAMS_SERVICE_URL`` and
        ``TEAMS_OPENID_METADATA_URL`` for tests (read by :mod:`bot.config`)."""
        secret = settings.teams_client_secret.get_secret_value()
        given = {
            "TEAMS_CLIENT_ID": settings.teams_client_id,
            "TEAMS_CLIENT_SECRET": secret,
            "TEAMS_TENANT_ID": settings.teams_tenant_id,
        }
        missing = [name for name, value in given.items() if not value]
        if missing:
            raise TeamsConfigError(f"missing {', '.join(missing)} (see README, Microsoft Teams)")
        return cls(
            client_id=settings.teams_client_id,
            client_secret=secret,
            tenant_id=settings.teams_tenant_id,
            service_url=settings.teams_service_url or PUBLIC_SERVICE_URL,
            openid_metadata_url=settings.teams_openid_metadata_url or None,
            tz=settings.tz,
            public_url=settings.teams_public_url or None,
        )

    @classmethod
    def from_env(cls) -> TeamsConfig:
        """The configuration of this run (:func:`bot.config.current`)."""
        return cls.from_settings(current())

    def __repr__(self) -> str:
        return (
            f"TeamsConfig(client_id={self.client_id!r}, tenant_id={self.tenant_id!r}, secret=***)"
        )
