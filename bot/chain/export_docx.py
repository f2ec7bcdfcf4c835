"""DOCX export with python-docx: headings per level, answers as quoted paragraphs."""

from __future__ import annotations

import io
import re
from typing import Any

from docx import Document
from docx.oxml import OxmlElement
from docx.shared import Pt
from docx.text.paragraph import Paragraph as DocxParagraph

from bot.chain.documents import Block, Bullets, ExportDocument, Heading, Paragraph, Quote, Table

# Characters XML 1.0 cannot hold; python-docx refuses them, so they are dropped.
_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _clean(text: str) -> str:
    return _INVALID_XML.sub("", text)


class _Body:
    """Appends to the document body in constant time.

    python-docx's ``Document.add_paragraph`` looks up the style by name (scanning every
    style) and finds the insertion point by scanning the whole body, so a document of
    n paragraphs costs O(n²). Here style ids are resolved once and new paragraphs are
    inserted before the section properties element, which is found once.
    """

    def __init__(self, doc: Any) -> None:
        self._doc = doc
        self._anchor = doc.element.body.sectPr
        self._style_ids: dict[str, str] = {}

    def _style_id(self, name: str) -> str:
        if name not in self._style_ids:
            self._style_ids[name] = self._doc.styles[name].style_id
        return self._style_ids[name]

    def add_paragraph(self, text: str = "", style: str | None = None) -> DocxParagraph:
        element = OxmlElement("w:p")
        if style is not None:
            element.style = self._style_id(style)
        self._anchor.addprevious(element)
        paragraph = DocxParagraph(element, self._doc._body)
        if text:
            paragraph.add_run(text)
        return paragraph

    def add_heading(self, text: str, level: int) -> DocxParagraph:
        return self.add_paragraph(text, "Title" if level == 0 else f"Heading {level}")

    def add_table(self, rows: int, cols: int) -> Any:
        return self._doc.add_table(rows=rows, cols=cols)


def _paragraph(container: Any, block: Paragraph) -> None:
    para = container.add_paragraph()
    if block.label:
        para.add_run(_clean(block.label) + (": " if block.text else "")).bold = True
    if block.text:
        para.add_run(_clean(block.text)).italic = block.emphasis


def _table(container: Any, block: Table) -> None:
    table = container.add_table(rows=1, cols=len(block.header))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, block.header, strict=True):
        cell.text = ""
        cell.paragraphs[0].add_run(_clean(text)).bold = True
    for row in block.rows:
        cells = table.add_row().cells
        for cell, text in zip(cells, row, strict=True):
            cell.text = _clean(text)


def _blocks(doc: Any, container: Any, blocks: tuple[Block, ...], in_cell: bool) -> None:
    for block in blocks:
        if isinstance(block, Heading):
            if in_cell:
                container.add_paragraph().add_run(_clean(block.text)).bold = True
            else:
                container.add_heading(_clean(block.text), level=min(block.level, 9))
        elif isinstance(block, Paragraph):
            _paragraph(container, block)
        elif isinstance(block, Quote):
            container.add_paragraph(_clean(block.text), style="Quote")
        elif isinstance(block, Table):
            _table(container, block)
        elif isinstance(block, Bullets):
            for item in block.items:
                container.add_paragraph(_clean(item), style="List Bullet")
        else:
            table = container.add_table(rows=1, cols=len(block.columns))
            table.style = "Table Grid"
            for cell, column in zip(table.rows[0].cells, block.columns, strict=True):
                cell.text = ""
                cell.paragraphs[0].add_run(_clean(column.title)).bold = True
                _blocks(doc, cell, column.blocks, in_cell=True)


def render_docx(document: ExportDocument) -> bytes:
    """Render ``document`` as a Word file (bytes)."""
    doc = Document()
    doc.styles["Normal"].font.size = Pt(11)
    props = doc.core_properties
    props.title = _clean(document.title)[:255]
    props.author = "Dialogbot"
    props.last_modified_by = "Dialogbot"
    props.language = document.lang
    body = _Body(doc)
    body.add_heading(_clean(document.title), level=0)
    _paragraph(body, Paragraph(document.subtitle, emphasis=True))
    _paragraph(body, Paragraph(document.generated))
    if document.facts:
        facts = doc.add_table(rows=0, cols=2)
        facts.style = "Table Grid"
        for label, value in document.facts:
            cells = facts.add_row().cells
            cells[0].paragraphs[0].add_run(_clean(label)).bold = True
            cells[1].text = _clean(value)
    _blocks(doc, body, document.blocks, in_cell=False)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
