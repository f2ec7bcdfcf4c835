"""DOCX export with python-docx: headings per level, answers as quoted paragraphs."""

from __future__ import annotations

import io
import re
from typing import Any

from docx import Document
from docx.shared import Pt

from bot.chain.documents import Block, Bullets, ExportDocument, Heading, Paragraph, Quote, Table

# Characters XML 1.0 cannot hold; python-docx refuses them, so they are dropped.
_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _clean(text: str) -> str:
    return _INVALID_XML.sub("", text)


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
                doc.add_heading(_clean(block.text), level=min(block.level, 9))
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
    doc.add_heading(_clean(document.title), level=0)
    _paragraph(doc, Paragraph(document.subtitle, emphasis=True))
    _paragraph(doc, Paragraph(document.generated))
    if document.facts:
        facts = doc.add_table(rows=0, cols=2)
        facts.style = "Table Grid"
        for label, value in document.facts:
            cells = facts.add_row().cells
            cells[0].paragraphs[0].add_run(_clean(label)).bold = True
            cells[1].text = _clean(value)
    _blocks(doc, doc, document.blocks, in_cell=False)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
