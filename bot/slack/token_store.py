"""Slack tokens encrypted at rest.

In OAuth mode every workspace's bot token (and any user and refresh tokens) is stored in
slack_sdk's SQLAlchemy installation store. :class:`EncryptedInstallationStore` wraps that
store: tokens are encrypted with Fernet (AES-128-CBC + HMAC-SHA256, from the
``cryptography`` library) before they are saved and decrypted when they are found, so a
database dump or backup holds no usable token.

Keys come from ``DIALOGBOT_TOKEN_KEYS``: comma-separated Fernet keys. The first key
encrypts; every key decrypts (``MultiFernet``), so a key is rotated by putting a new key
first, running ``dialogbot secrets rotate`` (re-encrypts every stored token with the first
key) and then removing the old key.
"""

from __future__ import annotations

import copy
import logging
from typing import TypeVar

from slack_sdk.oauth.installation_store import Bot, Installation, InstallationStore
from sqlalchemy import Engine
from sqlalchemy.orm import sessionmaker

from bot.slack.config import SlackConfig
from bot.slack.errors import SlackConfigError
from bot.slack.token_cipher import TokenCipher
from storage.installations import rewrite_tokens

log = logging.getLogger(__name__)

TOKEN_FIELDS = ("bot_token", "bot_refresh_token", "user_token", "user_refresh_token")
"""The attributes of slack_sdk's Installation and Bot that hold secrets."""


Stored = TypeVar("Stored", Installation, Bot)


class EncryptedInstallationStore(InstallationStore):
    """An installation store that encrypts tokens on save and decrypts them on find,
    delegating storage to another store (slack_sdk's SQLAlchemy store in production)."""

    def __init__(self, inner: InstallationStore, cipher: TokenCipher) -> None:
        self.inner = inner
        self.cipher = cipher

    @property
    def logger(self) -> logging.Logger:
        """The wrapped store's logger."""
        return self.inner.logger

    def _sealed(self, obj: Stored) -> Stored:
        sealed = copy.copy(obj)
        for name in TOKEN_FIELDS:
            if hasattr(sealed, name):
                setattr(sealed, name, self.cipher.encrypt(getattr(sealed, name)))
        return sealed

    def _opened(self, obj: Stored | None) -> Stored | None:
        if obj is None:
            return None
        for name in TOKEN_FIELDS:
            if hasattr(obj, name):
                setattr(obj, name, self.cipher.decrypt(getattr(obj, name)))
        return obj

    def save(self, installation: Installation) -> None:
        """Store an installation (and its bot) with encrypted tokens."""
        self.inner.save(self._sealed(installation))

    def save_bot(self, bot: Bot) -> None:
        """Store a bot installation with an encrypted token."""
        self.inner.save_bot(self._sealed(bot))

    def find_bot(
        self,
        *,
        enterprise_id: str | None,
        team_id: str | None,
        is_enterprise_install: bool | None = False,
    ) -> Bot | None:
        """The latest bot installation of a workspace, tokens decrypted."""
        return self._opened(
            self.inner.find_bot(
                enterprise_id=enterprise_id,
                team_id=team_id,
                is_enterprise_install=is_enterprise_install,
            )
        )

    def find_installation(
        self,
        *,
        enterprise_id: str | None,
        team_id: str | None,
        user_id: str | None = None,
        is_enterprise_install: bool | None = False,
    ) -> Installation | None:
        """The latest installation (of ``user_id``), tokens decrypted."""
        return self._opened(
            self.inner.find_installation(
                enterprise_id=enterprise_id,
                team_id=team_id,
                user_id=user_id,
                is_enterprise_install=is_enterprise_install,
            )
        )

    def delete_bot(self, *, enterprise_id: str | None, team_id: str | None) -> None:
        """Forget a workspace's bot installation."""
        self.inner.delete_bot(enterprise_id=enterprise_id, team_id=team_id)

    def delete_installation(
        self, *, enterprise_id: str | None, team_id: str | None, user_id: str | None = None
    ) -> None:
        """Forget a workspace's installations (only ``user_id``'s when given)."""
        self.inner.delete_installation(
            enterprise_id=enterprise_id, team_id=team_id, user_id=user_id
        )

    def delete_all(self, *, enterprise_id: str | None, team_id: str | None) -> None:
        """Forget everything installed in a workspace."""
        self.inner.delete_all(enterprise_id=enterprise_id, team_id=team_id)


def installation_store(config: SlackConfig, db: Engine) -> EncryptedInstallationStore:
    """The OAuth installation store: slack_sdk's SQLAlchemy store, tokens encrypted with
    the configured keys. Refuses (:class:`SlackConfigError`) without a key.

    slack_sdk's SQLAlchemy stores are imported in OAuth mode only: they load SQLAlchemy's
    asyncio extension and greenlet (~1.6 MB), which a single-workspace bot never uses."""
    from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore

    if not config.client_id:
        raise SlackConfigError("SLACK_CLIENT_ID is not set")
    return EncryptedInstallationStore(
        SQLAlchemyInstallationStore(client_id=config.client_id, engine=db),
        TokenCipher(config.token_keys),
    )


def rotate_stored_tokens(db: Engine, cipher: TokenCipher) -> int:
    """Re-encrypt every stored token with the first key; returns how many rows changed."""
    factory = sessionmaker(db)
    with factory() as session, session.begin():
        return rewrite_tokens(session, cipher.rotate)
