"""The summary renderer as it was before the single-pass escaping (commit 72953b8), kept
verbatim as the reference the faster renderer must match byte for byte: every value
escaped by a Jinja2 ``finalize`` and per-text ``str.translate``."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined

from bot.i18n import format_local, t
from bot.summary import Format, RoundSummary, SummaryParts

_WORD_JOINER = "\u2060"
_BROADCAST = re.compile(r"@(channel|here|everyone)\b", re.IGNORECASE)
_MARKDOWN_SPECIAL = {ord(c): "\\" + c for c in "\\`*_[]<>#|~!&"}
_MRKDWN_SPECIAL = {ord("&"): "&amp;", ord("<"): "&lt;", ord(">"): "&gt;"}


class Trusted(str):
    """Markup produced by our own code; output filters pass it through unchanged."""

    __slots__ = ()


def mrkdwn(text: object) -> str:
    """The reference mrkdwn escaper."""
    if isinstance(text, Trusted):
        return text
    s = str(text).translate(_MRKDWN_SPECIAL)
    if "@" not in s:
        return s
    return _BROADCAST.sub(lambda m: "@" + _WORD_JOINER + m.group(1), s)


def markdown(text: object) -> str:
    """The reference Markdown escaper."""
    if isinstance(text, Trusted):
        return text
    return str(text).translate(_MARKDOWN_SPECIAL)


def html_text(text: object) -> str:
    """The reference HTML escaper."""
    if isinstance(text, Trusted):
        return text
    return html.escape(str(text), quote=True)


def plain(text: object) -> str:
    """No escaping."""
    return str(text)


ESCAPERS: dict[str, Callable[[object], str]] = {
    "mrkdwn": mrkdwn,
    "md": markdown,
    "html": html_text,
    "text": plain,
}


def _quote_filter(escape: Callable[[object], str], prefix: str) -> Callable[[object], Trusted]:
    def quote(text: object) -> Trusted:
        lines = escape(text).splitlines() or [""]
        return Trusted("\n".join(prefix + line for line in lines))

    return quote


@cache
def _environment(fmt: Format) -> Environment:
    escape = ESCAPERS[fmt]
    env = Environment(
        loader=PackageLoader("dialog_templates", "summaries"),
        finalize=escape,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=StrictUndefined,
        autoescape=False,
    )
    quote_prefix = {"md": "> ", "mrkdwn": ">", "text": "    "}[fmt]
    env.filters["quote"] = _quote_filter(escape, quote_prefix)
    env.filters["local"] = format_local
    env.globals["t"] = lambda key, lang, **kw: Trusted(
        t(lang, key, **{k: escape(v) for k, v in kw.items()})
    )
    env.globals["indent"] = lambda depth: Trusted("  " * depth)
    # Added with the templates' switch from ``indent(depth)``/``nest(depth)`` to the
    # ``pad``/``em_nest`` filters (the same text).
    env.filters["pad"] = lambda depth: Trusted("  " * depth)
    env.filters["em_nest"] = lambda depth: Trusted("\u2003\u2003" * depth)
    env.globals["nest"] = lambda depth: Trusted("\u2003\u2003" * depth)
    env.filters["trusted"] = lambda text: Trusted(str(text))
    env.globals["heading"] = lambda level: Trusted("#" * level)
    # Added with the template's switch from ``heading(3 + [depth, 3] | min)`` to the
    # ``heading`` filter over the depth (the same text).
    env.filters["heading"] = lambda depth: Trusted("#" * (3 + min(depth, 3)))
    return env


def summary_parts(summary: RoundSummary) -> SummaryParts:
    """The reference mrkdwn parts."""
    module: Any = (
        _environment("mrkdwn")
        .get_template("summary.mrkdwn.j2")
        .make_module({"s": summary, "r": summary.round, "lang": summary.round.lang})
    )
    return SummaryParts(
        head=str(module.head()).strip(),
        rates=str(module.rates()).strip(),
        syntheses=str(module.syntheses()).strip(),
        questions=[str(module.question(q)).strip() for q in summary.questions],
        missing=str(module.missing()).strip(),
    )


def render_summary(summary: RoundSummary, fmt: Format = "md") -> str:
    """The reference renderer."""
    template = _environment(fmt).get_template(f"summary.{fmt}.j2")
    return template.render(s=summary, r=summary.round, lang=summary.round.lang)
