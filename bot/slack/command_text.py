"""Parsing of the ``/dialog`` slash command text: the platform-neutral parser
(:mod:`bot.command_text`) with Slack's channel syntax (``<#C123|name>``)."""

from __future__ import annotations

import re

from bot.command_text import (
    ACTIONS,
    UNIT_KEYS,
    Command,
    StartArgs,
    parse_bool,
    parse_round_id,
    split_command,
)
from bot.command_text import parse_start as _parse_start
from bot.domain.errors import InvalidInput

__all__ = [
    "ACTIONS",
    "UNIT_KEYS",
    "ChannelByName",
    "Command",
    "StartArgs",
    "parse_bool",
    "parse_channel",
    "parse_round_id",
    "parse_start",
    "split_command",
]

_CHANNEL_MENTION = re.compile(r"^<#([CG][A-Z0-9]+)(?:\|[^>]*)?>$")
_CHANNEL_ID = re.compile(r"^[CG][A-Z0-9]{6,}$")


class ChannelByName(InvalidInput):
    """A channel typed as ``#name``: Slack did not send its id, and we do not look names up."""

    key = "slack.channel_by_name"

    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.params = {"name": name}


def parse_channel(value: str) -> str:
    """A channel id from ``<#C123|name>``, ``<#C123>`` or a bare id."""
    raw = value.strip()
    mention = _CHANNEL_MENTION.match(raw)
    if mention:
        return mention.group(1)
    if _CHANNEL_ID.match(raw):
        return raw
    raise ChannelByName(raw)


def parse_start(text: str, tz: str) -> StartArgs:
    """Parse the text after ``start`` (see :func:`bot.command_text.parse_start`), with
    Slack's channel mentions for ``kanal:``."""
    return _parse_start(text, tz, parse_channel)
