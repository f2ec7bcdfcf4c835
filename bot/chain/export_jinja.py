"""Markdown and HTML exports, rendered with Jinja2 templates in dialog_templates/exports/.

Markdown escapes every value through :func:`bot.escaping.markdown` (Jinja ``finalize``);
HTML uses Jinja's autoescape, so user text can never become markup.
"""

from __future__ import annotations

from functools import cache
from typing import Literal

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from bot.chain.documents import ExportDocument
from bot.escaping import Trusted, markdown
from bot.i18n import t


def _md_quote(text: object) -> Trusted:
    lines = str(text).splitlines() or [""]
    return Trusted("\n".join("> " + markdown(line) if line.strip() else ">" for line in lines))


def _md_cell(text: object) -> Trusted:
    return Trusted(markdown(" ".join(str(text).split())) or " ")


def css_string(text: object) -> Markup:
    """``text`` as a quoted CSS string (for ``content:`` in print CSS): every character
    but letters, digits and spaces as a CSS escape, so nothing can end the string or the
    style element."""
    escaped = "".join(c if c.isalnum() or c == " " else f"\\{ord(c):x} " for c in str(text))
    return Markup(f'"{escaped}"')


@cache
def _environment(fmt: Literal["md", "html"]) -> Environment:
    if fmt == "md":
        env = Environment(
            loader=PackageLoader("dialog_templates", "exports"),
            finalize=markdown,
            autoescape=False,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
            undefined=StrictUndefined,
        )
        env.filters["quote"] = _md_quote
        env.filters["cell"] = _md_cell
        env.filters["trusted"] = lambda text: Trusted(str(text))
        env.globals["nest"] = lambda depth: Trusted("\u2003\u2003" * depth)
        env.globals["hashes"] = lambda level: Trusted("#" * max(1, min(level + 1, 6)))
        return env
    env = Environment(
        loader=PackageLoader("dialog_templates", "exports"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=StrictUndefined,
    )
    env.filters["css_string"] = css_string
    env.globals["t"] = lambda key, lang: t(lang, key)
    return env


def render_text(document: ExportDocument, fmt: Literal["md", "html"]) -> str:
    """Render ``document`` as Markdown (``md``) or a printable HTML page (``html``)."""
    template = _environment(fmt).get_template(f"document.{fmt}.j2")
    return template.render(doc=document)
