"""Signed download links for a round's documentation (DOCX).

Teams offers files to a person only through a file-consent card in a 1:1 chat, and to a
channel only through SharePoint; the bot instead posts a link to itself:
``{public_url}/exports/{round}.docx?exp=…&sig=…``, an HMAC-SHA256 over the tenant, the
round and the expiry with a key derived from the bot's client secret. The link works
for whoever has it until it expires (an hour by default), like a link in an e-mail.
"""

from __future__ import annotations

import hashlib
import hmac
import time


def _key(secret: str) -> bytes:
    return hashlib.sha256(b"dialogbot-export-link:" + secret.encode()).digest()


def signature(secret: str, tenant: str, round_id: int, expires: int) -> str:
    """The signature of a link."""
    message = f"{tenant}:{round_id}:{expires}".encode()
    return hmac.new(_key(secret), message, hashlib.sha256).hexdigest()


def make_link(
    base_url: str, secret: str, tenant: str, round_id: int, hours: int, now: float | None = None
) -> str:
    """A signed link to round ``round_id``'s DOCX, valid for ``hours``."""
    expires = int((now if now is not None else time.time()) + hours * 3600)
    sig = signature(secret, tenant, round_id, expires)
    return f"{base_url.rstrip('/')}/exports/{round_id}.docx?exp={expires}&sig={sig}"


def valid(
    secret: str, tenant: str, round_id: int, expires: int, sig: str, now: float | None = None
) -> bool:
    """True when ``sig`` signs this round and the link has not expired."""
    if expires < (now if now is not None else time.time()):
        return False
    return hmac.compare_digest(signature(secret, tenant, round_id, expires), sig)
