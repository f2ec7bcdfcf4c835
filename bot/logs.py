"""Structured logging: one line per record, as JSON or text, with the request's context.

The context (workspace, round, participation, the platform's event or request id, the
scheduler job) lives in a :class:`contextvars.ContextVar`. Adapters set it where a request
or a job enters (:func:`bind`), the engine adds the round and participation once it knows
them, and every record logged afterwards in the same context carries the fields, so one
manager's complaint can be followed from the incoming event to the stored answer to the
posted reply. Work handed to a thread pool keeps the context when the pool copies it
(:class:`bot.slack.executor.TrackingExecutor` does).

Only ids go into the context; answer texts and tokens are never logged.
"""

from __future__ import annotations

import json
import logging
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar, Token
from datetime import UTC, datetime
from typing import IO, Any

FIELDS = ("workspace", "round", "participation", "event_id", "request", "kind", "job")
"""Context fields, in the order they are printed."""

FORMATS = ("json", "text")

#: Libraries that log whole request and response bodies (texts people wrote, and the
#: Authorization header) at DEBUG and INFO: only their warnings and errors are kept.
CHATTY_LIBRARIES = ("slack_sdk", "slack_bolt", "urllib3", "waitress")
_SECRET = re.compile(r"\b(xox[abpeorsc]|xapp|xoxe\.xox[bp])-[A-Za-z0-9-]+")

_context: ContextVar[dict[str, str] | None] = ContextVar("dialogbot_log_context", default=None)


def current() -> dict[str, str]:
    """The context fields set so far (a copy)."""
    return dict(_context.get() or {})


def bind(**fields: object) -> Token[dict[str, str] | None]:
    """Add fields to the current context (``None`` values are left out); returns a token
    for :func:`reset`."""
    merged = current()
    merged.update({k: str(v) for k, v in fields.items() if v is not None and v != ""})
    return _context.set(merged)


def reset(token: Token[dict[str, str] | None]) -> None:
    """Restore the context as it was before :func:`bind` returned ``token``."""
    _context.reset(token)


@contextmanager
def scope(**fields: object) -> Iterator[None]:
    """Bind ``fields`` for the duration of a ``with`` block."""
    token = bind(**fields)
    try:
        yield
    finally:
        reset(token)


def clear() -> None:
    """Forget the context (a new request on a reused thread)."""
    _context.set(None)


def redact(text: str) -> str:
    """``text`` with Slack tokens (``xoxb-…``, ``xapp-…`` …) blanked out."""
    return _SECRET.sub(lambda m: f"{m.group(1)}-(redacted)", text)


class LibraryFilter(logging.Filter):
    """Drops DEBUG and INFO records of :data:`CHATTY_LIBRARIES`: they print payloads."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Keep our own records and the libraries' warnings and errors."""
        if record.levelno >= logging.WARNING:
            return True
        return not any(
            record.name == lib or record.name.startswith(lib + ".") for lib in CHATTY_LIBRARIES
        )


class ContextFilter(logging.Filter):
    """Copies the context fields onto every record (``record.workspace`` …)."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Attach the context; never drops a record."""
        context = _context.get() or {}
        for name in FIELDS:
            if not hasattr(record, name) and name in context:
                setattr(record, name, context[name])
        return True


def _iso(created: float) -> str:
    return datetime.fromtimestamp(created, UTC).isoformat(timespec="milliseconds")


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, the context fields, and
    the exception's traceback when there is one."""

    def format(self, record: logging.LogRecord) -> str:
        """The record as one line of JSON."""
        entry: dict[str, Any] = {
            "time": _iso(record.created),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for name in FIELDS:
            value = getattr(record, name, None)
            if value is not None:
                entry[name] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return redact(json.dumps(entry, ensure_ascii=False))


class TextFormatter(logging.Formatter):
    """``time LEVEL logger: message [workspace=… round=…]`` for people at a terminal."""

    def format(self, record: logging.LogRecord) -> str:
        """The record as a line of text (plus a traceback if any)."""
        fields = " ".join(
            f"{name}={getattr(record, name)}"
            for name in FIELDS
            if getattr(record, name, None) is not None
        )
        line = f"{_iso(record.created)} {record.levelname} {record.name}: {record.getMessage()}"
        if fields:
            line += f" [{fields}]"
        if record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        return redact(line)


def default_format(stream: IO[str]) -> str:
    """Text on a terminal, JSON otherwise (a service manager, a container, a file)."""
    isatty = getattr(stream, "isatty", None)
    return "text" if isatty is not None and isatty() else "json"


def configure(
    log_format: str | None = None, level: int | str = logging.WARNING, stream: IO[str] | None = None
) -> logging.Handler:
    """Send every log record to ``stream`` (stderr) in ``log_format``; returns the handler.

    Replaces handlers an earlier call installed, so it can be called once per command.
    """
    out = stream if stream is not None else sys.stderr
    chosen = log_format or default_format(out)
    if chosen not in FORMATS:
        raise ValueError(f"unknown log format {chosen!r} (expected json or text)")
    handler = logging.StreamHandler(out)
    handler.setFormatter(JsonFormatter() if chosen == "json" else TextFormatter())
    handler.addFilter(LibraryFilter())
    handler.addFilter(ContextFilter())
    handler.set_name("dialogbot")
    root = logging.getLogger()
    for old in [h for h in root.handlers if h.get_name() == "dialogbot"]:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    return handler
