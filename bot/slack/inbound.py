"""Text as Slack delivers it, turned into the text the person typed.

What Slack escapes, and where (Slack's *Message Formatting* reference,
https://api.slack.com/docs/formatting): "All text in Slack uses the same system of
escaping: chat messages, direct messages, file comments, etc." A person who types
``Hello & <world>`` is delivered as ``Hello &amp; &lt;world&gt;``: ``&``, ``<`` and ``>``
are control characters, so Slack can put its own markup in the same text —
``<@U024BE7LH|bob>``, ``<#C024BE7LR|general>``, ``<!here>``, ``<!subteam^S…|@team>``,
``<https://…|label>``, ``<mailto:…|label>``. Hence, per source:

* **Message events** — thread replies, replies in the app's DM, and the ``message`` of a
  ``message_changed`` edit: escaped, with markup for every mention and link.
* **Slash command text** (``/dialog …``): typed in the same message composer, so "all
  text" in the sense above, escaped the same way; a channel picked from the ``#``
  autocomplete arrives as ``<#C…|name>``.
* **Modal inputs** (``view_submission``: the ``value`` of a ``plain_text_input`` in
  ``view.state.values``): not message text — a plain-text field has no mrkdwn, mentions
  or links, and the reference's escaping does not apply to it; the value is the characters
  in the field, so the Slack listeners pass it on unchanged.

Since a typed ``<`` always arrives as ``&lt;``, every ``<…>`` in delivered text is
Slack's markup. :func:`readable` turns it into what a reader should see — ``@Anna
Andersson`` (the organisation's name for the user id, else Slack's label, else the id),
``#ledning``, ``@here``, ``label (https://…)`` — and decodes the three entities, so the
engine stores plain text as typed and every output escapes it once, for its own format
(:mod:`bot.escaping`). No markup survives: nothing a person wrote can later ping a
channel, mention someone or hide a link in the bot's messages.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

_ENTITY = re.compile(r"&(amp|lt|gt);")
_CHARACTERS = {"amp": "&", "lt": "<", "gt": ">"}
_MARKUP = re.compile(r"<([^<>]*)>")
_BROADCASTS = ("here", "channel", "everyone", "group")

NameLookup = Callable[[set[str]], Mapping[str, str]]
"""Names of the organisation's people for a set of Slack user ids (unknown ids left out)."""


def unescape(text: str) -> str:
    """Decode Slack's three entities (``&amp;``, ``&lt;``, ``&gt;``) and nothing else."""
    return _ENTITY.sub(lambda m: _CHARACTERS[m.group(1)], text)


def mentioned_users(raw: str) -> set[str]:
    """The user ids mentioned (``<@U…>``) in text as Slack delivers it."""
    ids = set()
    for m in _MARKUP.finditer(raw):
        target = m.group(1).partition("|")[0]
        if target.startswith("@") and len(target) > 1:
            ids.add(target[1:])
    return ids


def _link(target: str, label: str) -> str:
    url = unescape(target)
    shown = url.removeprefix("mailto:").removeprefix("tel:")
    if not label:
        return shown
    bare = url.partition("://")[2] if "://" in url else shown
    if label in (url, shown, bare, bare.rstrip("/")):
        return label
    return f"{label} ({shown})"


def _special(target: str, label: str) -> str:
    command, _, argument = target[1:].partition("^")
    if command in _BROADCASTS:
        return "@" + command
    if command == "subteam":
        name = label or argument
        return name if name.startswith("@") else "@" + name
    return label or argument or command


def render_markup(inner: str, names: Mapping[str, str]) -> str:
    """One piece of Slack markup (what stands between ``<`` and ``>``) as readable text."""
    target, _, raw_label = inner.partition("|")
    label = unescape(raw_label)
    if target.startswith("@"):
        user = target[1:]
        return "@" + (names.get(user) or label.lstrip("@") or user)
    if target.startswith("#"):
        return "#" + (label or target[1:])
    if target.startswith("!"):
        return _special(target, label)
    return _link(target, label)


def readable(raw: str, names: Mapping[str, str], *, keep_channels: bool = False) -> str:
    """Text as Slack delivers it → the text the person typed, with mentions and links as
    readable text. ``keep_channels`` leaves ``<#C…|name>`` as it is (the slash command's
    parser reads channel ids from it)."""
    out: list[str] = []
    position = 0
    for m in _MARKUP.finditer(raw):
        out.append(unescape(raw[position : m.start()]))
        inner = m.group(1)
        kept = keep_channels and inner.startswith("#")
        out.append(m.group(0) if kept else render_markup(inner, names))
        position = m.end()
    out.append(unescape(raw[position:]))
    return "".join(out)


def _names_for(raw: str, lookup: NameLookup) -> Mapping[str, str]:
    ids = mentioned_users(raw)
    return lookup(ids) if ids else {}


def typed_event(event: dict[str, Any], lookup: NameLookup) -> dict[str, Any]:
    """A copy of a ``message`` event whose text (and, for an edit, the edited message's
    text) is what the person typed."""
    out = dict(event)
    text = out.get("text")
    if isinstance(text, str):
        out["text"] = readable(text, _names_for(text, lookup))
    message = out.get("message")
    if isinstance(message, dict) and isinstance(message.get("text"), str):
        edited = str(message["text"])
        out["message"] = {**message, "text": readable(edited, _names_for(edited, lookup))}
    return out


def command_text(raw: str, lookup: NameLookup) -> str:
    """The text of a slash command as typed, keeping channel markup for the parser."""
    return readable(raw, _names_for(raw, lookup), keep_channels=True)
