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

_WORD_JOINER = "\u2060"
_BROADCAST = re.compile(r"@(channel|here|everyone)\b", re.IGNORECASE)
_MARKDOWN_SPECIAL = {ord(c): "\\" + c for c in "\\`*_[]<>#|~!&"}
_MRKDWN_SPECIAL = {ord("&"): "&amp;", ord("<"): "&lt;", ord(">"): "&gt;"}
_MARKDOWN_REPLACEMENTS = tuple((c, "\\" + c) for c in "\\`*_[]<>#|~!&")


class Trusted(str):
    """Markup produced by our own code; output filters pass it through unchanged."""

    __slots__ = ()


def mrkdwn(text: object) -> str:
    """Escape text for Slack mrkdwn so it renders literally and pings no one."""
    if isinstance(text, Trusted):
        return text
    s = str(text)
    # The same as ``s.translate(_MRKDWN_SPECIAL)``; ``&`` first (the others insert one).
    if "&" in s:
        s = s.replace("&", "&amp;")
    if "<" in s:
        s = s.replace("<", "&lt;")
    if ">" in s:
        s = s.replace(">", "&gt;")
    if "@" not in s:
        return s
    return _BROADCAST.sub(lambda m: "@" + _WORD_JOINER + m.group(1), s)


def markdown(text: object) -> str:
    """Escape text for CommonMark so it renders literally (no links, HTML or emphasis)."""
    if isinstance(text, Trusted):
        return text
    s = str(text)
    # The same as ``s.translate(_MARKDOWN_SPECIAL)``, several times faster: each
    # ``replace`` is one C-level scan, and the backslash goes first so that no later
    # replacement's inserted backslash is escaped again.
    for char, escaped in _MARKDOWN_REPLACEMENTS:
        if char in s:
            s = s.replace(char, escaped)
    return s


def html_text(text: object) -> str:
    """Escape text for HTML element content and attribute values."""
    if isinstance(text, Trusted):
        return text
    return html.escape(str(text), quote=True)


def terminal(text: object) -> str:
    """Escape text for the terminal's Rich console markup (``[bold]`` stays literal)."""
    if isinstance(text, Trusted):
        return text
    from rich.markup import escape as rich_escape  # only the terminal needs Rich

    return rich_escape(str(text))


def plain(text: object) -> str:
    """No escaping: for terminals and plain-text fields (Block Kit ``plain_text``)."""
    return str(text)


ESCAPERS = {"mrkdwn": mrkdwn, "md": markdown, "html": html_text, "text": plain}
