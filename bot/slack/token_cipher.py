"""Encryption of Slack tokens at rest: Fernet keys from ``DIALOGBOT_TOKEN_KEYS``, the first
encrypts and all decrypt (key rotation)."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING

from bot.slack.errors import SlackConfigError

if TYPE_CHECKING:
    from cryptography.fernet import MultiFernet

log = logging.getLogger(__name__)

KEYS_VARIABLE = "DIALOGBOT_TOKEN_KEYS"
PLAINTEXT_PREFIX = "xox"  # every Slack token starts so; Fernet tokens start with "gAAAA"


class TokenDecryptionError(RuntimeError):
    """A stored token cannot be decrypted with any of the configured keys."""


class TokenCipher:
    """Encrypts with the first key, decrypts with any (key rotation). ``cryptography`` is
    imported by the first cipher made: a single-workspace bot (no stored tokens) never
    loads it."""

    def __init__(self, keys: Sequence[str]) -> None:
        from cryptography.fernet import Fernet, MultiFernet

        cleaned = [k.strip() for k in keys if k.strip()]
        if not cleaned:
            raise SlackConfigError(
                f"{KEYS_VARIABLE} is not set: OAuth mode stores tokens encrypted and needs at "
                "least one key (make one with `dialogbot secrets new-key`)"
            )
        fernets: list[Fernet] = []
        for number, key in enumerate(cleaned, 1):
            try:
                fernets.append(Fernet(key))
            except (ValueError, TypeError):
                raise SlackConfigError(
                    f"{KEYS_VARIABLE}: key {number} is not a Fernet key (32 url-safe "
                    "base64-encoded bytes; make one with `dialogbot secrets new-key`)"
                ) from None
        self._fernet: MultiFernet = MultiFernet(fernets)
        self._warned = False

    @classmethod
    def from_setting(cls, value: str | None) -> TokenCipher:
        """Keys from the comma-separated setting (``DIALOGBOT_TOKEN_KEYS``)."""
        return cls((value or "").split(","))

    @staticmethod
    def new_key() -> str:
        """A fresh random key."""
        from cryptography.fernet import Fernet

        return Fernet.generate_key().decode("ascii")

    def encrypt(self, token: str | None) -> str | None:
        """``token`` encrypted with the first key (None stays None)."""
        if token is None:
            return None
        return self._fernet.encrypt(token.encode("utf-8")).decode("ascii")

    def decrypt(self, stored: str | None) -> str | None:
        """The token behind ``stored``. A plaintext token written before encryption was
        switched on is returned as it is (``dialogbot secrets rotate`` encrypts it)."""
        from cryptography.fernet import InvalidToken

        if stored is None:
            return None
        if stored.startswith(PLAINTEXT_PREFIX):
            if not self._warned:
                log.warning("a stored Slack token is not encrypted; run `dialogbot secrets rotate`")
                self._warned = True
            return stored
        try:
            return self._fernet.decrypt(stored.encode("ascii")).decode("utf-8")
        except (InvalidToken, UnicodeError):
            raise TokenDecryptionError(
                f"a stored Slack token cannot be decrypted with {KEYS_VARIABLE}: was the key "
                "that encrypted it removed before `dialogbot secrets rotate` ran?"
            ) from None

    def rotate(self, stored: str) -> str:
        """``stored`` re-encrypted with the first key (plaintext gets encrypted)."""
        from cryptography.fernet import InvalidToken

        if stored.startswith(PLAINTEXT_PREFIX):
            return self._fernet.encrypt(stored.encode("utf-8")).decode("ascii")
        try:
            return self._fernet.rotate(stored.encode("ascii")).decode("ascii")
        except InvalidToken:
            raise TokenDecryptionError(
                f"a stored Slack token cannot be decrypted with {KEYS_VARIABLE}; "
                "keep the old key in the list while rotating"
            ) from None
