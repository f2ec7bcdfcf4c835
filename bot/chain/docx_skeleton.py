"""The DOCX template, built with python-docx: page, footer, styles and properties of an
empty Dialogbot document, with marks where the title and the body go
(:mod:`bot.chain.export_docx` writes the body as text and caches this per language)."""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Emu, Mm, Pt, RGBColor

from bot.chain.docx_styles import (
    GENERATED,
    LABEL,
    LANG_TAGS,
    STYLES,
    TABLE_TEXT,
    TOC_LEVELS,
)
from bot.i18n import t


@dataclass(frozen=True)
class Skeleton:
    """The saved empty document and the style ids by style name."""

    content: bytes
    ids: dict[str, str]


def build(
    lang: str, toc: bool, title_mark: str, body_mark: str, width: int, margin: int
) -> Skeleton:
    """An empty document in ``lang``: the title in the footer and the core properties is
    ``title_mark``, the body is one paragraph holding ``body_mark``; with ``toc`` Word is
    asked to update the fields (the table of contents) on opening."""
    doc = Document()
    _setup_styles(doc, lang, Emu(width), Emu(margin))
    props = doc.core_properties
    props.title = title_mark
    props.author = "Dialogbot"
    props.last_modified_by = "Dialogbot"
    props.language = LANG_TAGS.get(lang, lang)
    _page(doc, title_mark, lang, Emu(width), Emu(margin))
    body = doc.element.body
    mark = OxmlElement("w:p")
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = body_mark
    run.append(text)
    mark.append(run)
    body.sectPr.addprevious(mark)
    if toc:
        update = OxmlElement("w:updateFields")
        update.set(qn("w:val"), "true")
        doc.settings.element.append(update)
    out = io.BytesIO()
    doc.save(out)
    return Skeleton(out.getvalue(), {style.name: style.style_id for style in doc.styles})


def _setup_styles(doc: Any, lang: str, width: Emu, margin: Emu) -> None:
    """Language, base font and Dialogbot's own named styles."""
    styles = doc.styles
    defaults = styles.element.find(qn("w:docDefaults"))
    r_pr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    for old in r_pr.findall(qn("w:lang")):
        r_pr.remove(old)
    tag = LANG_TAGS.get(lang, LANG_TAGS["sv"])
    lang_el = OxmlElement("w:lang")
    lang_el.set(qn("w:val"), tag)
    lang_el.set(qn("w:eastAsia"), tag)
    lang_el.set(qn("w:bidi"), "ar-SA")
    r_pr.append(lang_el)
    styles["Normal"].font.size = Pt(11)
    for name, (base, bold, size, indent) in STYLES.items():
        style = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = styles[base]
        style.quick_style = True
        if bold:
            style.font.bold = True
        if size is not None:
            style.font.size = Pt(size)
        if indent:
            style.paragraph_format.left_indent = Mm(indent)
        if base == TABLE_TEXT or name == TABLE_TEXT:
            style.paragraph_format.space_after = Pt(0)
    styles[LABEL].paragraph_format.keep_with_next = True
    styles[LABEL].paragraph_format.space_after = Pt(2)
    styles[GENERATED].font.color.rgb = RGBColor(0x55, 0x55, 0x55)
    for name in TOC_LEVELS:
        styles[name].paragraph_format.space_after = Pt(2)
    footer = styles["Footer"]
    footer.font.size = Pt(9)
    tabs = footer.paragraph_format.tab_stops
    for stop in list(tabs):
        tabs._pPr.tabs.remove(stop._tab)  # the template's stops are for US Letter
    tabs.add_tab_stop(Emu(width - 2 * margin), WD_TAB_ALIGNMENT.RIGHT)


def _page(doc: Any, title: str, lang: str, width: Emu, margin: Emu) -> None:
    """A4 with margins; the title and the page number in every page's footer."""
    for section in doc.sections:
        section.page_width, section.page_height = width, Mm(297)
        section.left_margin = section.right_margin = margin
        section.top_margin = section.bottom_margin = margin
        para = section.footer.paragraphs[0]
        para.style = doc.styles["Footer"]
        para.add_run(f"{title}\t{t(lang, 'summary.page')} ")
        para._p.append(_field("PAGE", "1"))


def _field(instruction: str, shown: str) -> Any:
    """A simple field (``PAGE``) with the text shown until it is updated."""
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), f" {instruction} ")
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = shown
    run.append(text)
    field.append(run)
    return field
