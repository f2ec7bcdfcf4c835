"""Command-line failures told in one line: an unreachable database, a missing confirmation."""

from __future__ import annotations

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, SQLAlchemyError

from bot.domain.errors import DialogError
from bot.i18n import t
from storage.db import database_url


class CloseNeedsConfirmation(DialogError):
    """``round close`` without ``--yes`` where no one can be asked (not a terminal)."""

    key = "cli.round.close_needs_yes"

    def __init__(self, round_id: int) -> None:
        super().__init__(f"round {round_id}: not confirmed", round_id=round_id)


class DocxToTerminal(DialogError):
    """A DOCX export asked to go to a terminal (``-o -`` without a redirect)."""

    key = "error.docx_to_terminal"


def masked_url(url: str) -> str:
    """``url`` with any password replaced by ``***``."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "<" + url.split("://", 1)[0] + " URL>" if "://" in url else "<URL>"


def _reason(exc: SQLAlchemyError) -> str:
    text = str(exc.orig) if isinstance(exc, DBAPIError) and exc.orig is not None else str(exc)
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    first = lines[0] if lines else type(exc).__name__
    return first.rstrip(".")


def database_problem(explicit: str | None, exc: SQLAlchemyError, lang: str) -> str:
    """One line: which database (password masked), what failed, and what to check."""
    raw = database_url(explicit)
    reason = t(lang, "error.database_url") if isinstance(exc, ArgumentError) else _reason(exc)
    try:
        password = make_url(raw).password
    except ArgumentError:
        password = None
    if password:
        reason = reason.replace(str(password), "***")
    return t(lang, "error.database", url=masked_url(raw), reason=reason)


SUPPORTED_BACKENDS = ("sqlite", "postgresql")


def unsupported_backend(explicit: str | None, lang: str) -> str | None:
    """One line when the database URL names a kind of database Dialogbot does not use."""
    raw = database_url(explicit)
    try:
        backend = make_url(raw).get_backend_name()
    except ArgumentError:
        return None
    if backend in SUPPORTED_BACKENDS:
        return None
    reason = t(lang, "error.database_kind", kind=backend, known=", ".join(SUPPORTED_BACKENDS))
    return t(lang, "error.database", url=masked_url(raw), reason=reason)
