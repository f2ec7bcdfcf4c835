"""Escaping of user-provided text, chosen deliberately per output format.

Everything a user types is data, stored as typed (the Slack adapter decodes Slack's own
escaping on the way in, :mod:`bot.slack.inbound`) and escaped here once per output
format. In Slack mrkdwn only ``&``, ``<`` and ``>`` are
control characters (``<!channel>``, ``<@U123>``, ``<http://x|label>``); escaping them
makes mentions and links inert. Bare ``@channel``/``@here``/``@everyone`` are only
parsed with ``link_names``, which the bot never sets; a word joiner after the ``@``
keeps them inert even if it ever were.
"""

from __future__ import annotations

import html
import re

from rich.markup import escape as rich_escape

_WORD_JOINER = "\u2060"
_BROADCAST = re.compile(r"@(channel|here|everyone)\b", re.IGNORECASE)
_MARKDOWN_SPECIAL = {ord(c): "\\" + c for c in "\\`*_[]<>#|~!&"}
_MRKDWN_SPECIAL = {ord("&"): "&amp;", ord("<"): "&lt;", ord(">"): "&gt;"}


class Trusted(str):
    """Markup produced by our own code; output filters pass it through unchanged."""

    __slots__ = ()


def mrkdwn(text: object) -> str:
    """Escape text for Slack mrkdwn so it renders literally and pings no one."""
    if isinstance(text, Trusted):
        return text
    s = str(text).translate(_MRKDWN_SPECIAL)
    if "@" not in s:
        return s
    return _BROADCAST.sub(lambda m: "@" + _WORD_JOINER + m.group(1), s)


def markdown(text: object) -> str:
    """Escape text for CommonMark so it renders literally (no links, HTML or emphasis)."""
    if isinstance(text, Trusted):
        return text
    return str(text).translate(_MARKDOWN_SPECIAL)


def html_text(text: object) -> str:
    """Escape text for HTML element content and attribute values."""
    if isinstance(text, Trusted):
        return text
    return html.escape(str(text), quote=True)


def terminal(text: object) -> str:
    """Escape text for the terminal's Rich console markup (``[bold]`` stays literal)."""
    if isinstance(text, Trusted):
        return text
    return rich_escape(str(text))


def plain(text: object) -> str:
    """No escaping: for terminals and plain-text fields (Block Kit ``plain_text``)."""
    return str(text)


ESCAPERS = {"mrkdwn": mrkdwn, "md": markdown, "html": html_text, "text": plain}
