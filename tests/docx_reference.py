"""The DOCX renderer as it was before it wrote document.xml from a template (commit
72953b8, python-docx element by element), kept as the reference the faster renderer must
match element for element (tests/test_export_docx_golden.py).
"""

from __future__ import annotations

import io
import re
from typing import Any

from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor
from docx.text.paragraph import Paragraph as DocxParagraph

from bot.chain.documents import (
    Block,
    Bullets,
    Columns,
    ExportDocument,
    Heading,
    Paragraph,
    Quote,
    Table,
)
from bot.i18n import t

# Characters XML 1.0 cannot hold; python-docx refuses them, so they are dropped.
_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")

LANG_TAGS = {"sv": "sv-SE", "en": "en-GB"}
PAGE_WIDTH, PAGE_HEIGHT, MARGIN = Mm(210), Mm(297), Mm(20)
#: Documents with at least this many chapter and question headings get a table of contents.
TOC_MIN_HEADINGS = 10
#: Side-by-side columns per table row; more go on to the next row.
MAX_COLUMNS = 3

LABEL = "Dialogbot Label"
GENERATED = "Dialogbot Generated"
TABLE_HEADING = "Dialogbot Table Heading"
TABLE_TEXT = "Dialogbot Table Text"
COLUMN_HEADING = "Dialogbot Column Heading"
TOC_LEVELS = ("toc 1", "toc 2")


def table_level(depth: int) -> str:
    """The paragraph style of a table's first cell at ``depth`` in the organisation."""
    return f"Dialogbot Table Level {min(depth, 3)}"


#: The paragraph styles Dialogbot adds: name → (based on, bold, size pt, left indent mm).
STYLES: dict[str, tuple[str, bool, float | None, float]] = {
    LABEL: ("Normal", True, None, 0),
    GENERATED: ("Normal", False, 9, 0),
    TABLE_TEXT: ("Normal", False, 10, 0),
    TABLE_HEADING: (TABLE_TEXT, True, None, 0),
    COLUMN_HEADING: ("Normal", True, None, 0),
    **{table_level(n): (TABLE_TEXT, False, None, 5.0 * n) for n in range(4)},
    "toc 1": ("Normal", False, None, 0),
    "toc 2": ("Normal", False, None, 5.0),
}


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

    def style_id(self, name: str) -> str:
        if name not in self._style_ids:
            self._style_ids[name] = self._doc.styles[name].style_id
        return self._style_ids[name]

    def add_paragraph(self, text: str = "", style: str | None = None) -> DocxParagraph:
        element = OxmlElement("w:p")
        if style is not None:
            element.style = self.style_id(style)
        self._anchor.addprevious(element)
        paragraph = DocxParagraph(element, self._doc._body)
        if text:
            paragraph.add_run(text)
        return paragraph

    def add_heading(self, text: str, level: int) -> DocxParagraph:
        return self.add_paragraph(text, "Title" if level == 0 else f"Heading {level}")

    def add_table(self, rows: int, cols: int) -> Any:
        return self._doc.add_table(rows=rows, cols=cols)


def _setup_styles(doc: Any, lang: str) -> None:
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
    tabs.add_tab_stop(PAGE_WIDTH - 2 * MARGIN, WD_TAB_ALIGNMENT.RIGHT)


def _page(doc: Any, title: str, lang: str) -> None:
    """A4 with margins; the title and the page number in every page's footer."""
    for section in doc.sections:
        section.page_width, section.page_height = PAGE_WIDTH, PAGE_HEIGHT
        section.left_margin = section.right_margin = MARGIN
        section.top_margin = section.bottom_margin = MARGIN
        para = section.footer.paragraphs[0]
        para.style = doc.styles["Footer"]
        para.add_run(f"{_clean(title)}\t{t(lang, 'summary.page')} ")
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


def _fld_char(kind: str) -> Any:
    run = OxmlElement("w:r")
    char = OxmlElement("w:fldChar")
    char.set(qn("w:fldCharType"), kind)
    run.append(char)
    return run


def _headings(blocks: tuple[Block, ...]) -> list[Heading]:
    return [b for b in blocks if isinstance(b, Heading) and b.level <= 2]


def _table_of_contents(doc: Any, body: _Body, blocks: tuple[Block, ...], lang: str) -> None:
    """A ``TOC`` field over headings 1–2; its shown result lists them (Word adds page
    numbers when it updates the field on opening)."""
    body.add_paragraph(t(lang, "summary.contents"), "TOC Heading")
    entries = _headings(blocks)
    first = body.add_paragraph(style=TOC_LEVELS[0])
    first._p.append(_fld_char("begin"))
    instr_run = OxmlElement("w:r")
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = ' TOC \\o "1-2" \\h \\z \\u '
    instr_run.append(instr)
    first._p.append(instr_run)
    first._p.append(_fld_char("separate"))
    last = first
    for n, heading in enumerate(entries):
        para = first if n == 0 else body.add_paragraph(style=TOC_LEVELS[heading.level - 1])
        para.add_run(_clean(heading.text))
        last = para
    last._p.append(_fld_char("end"))
    settings = doc.settings.element
    update = OxmlElement("w:updateFields")
    update.set(qn("w:val"), "true")
    settings.append(update)


def _add(container: Any, text: str, style_id: str | None = None) -> DocxParagraph:
    """A paragraph in a body or cell, styled by style id (python-docx's lookup by name or
    style object scans every style, per call)."""
    para: DocxParagraph = container.add_paragraph()
    if style_id is not None:
        para._p.style = style_id
    if text:
        para.add_run(_clean(text))
    return para


def _run(para: DocxParagraph, text: str, style_id: str | None) -> None:
    run = para.add_run(_clean(text))
    if style_id is not None:
        run._r.style = style_id


def _paragraph(container: Any, block: Paragraph, ids: dict[str, str]) -> None:
    para = _add(container, "")
    if block.label:
        _run(para, block.label + (": " if block.text else ""), ids["Strong"])
    if block.text:
        _run(para, block.text, ids["Emphasis"] if block.emphasis else None)


def _cell(cell: Any, text: str, style_id: str, run_style_id: str | None = None) -> None:
    para = cell.paragraphs[0]
    para._p.style = style_id
    _run(para, text, run_style_id)


def _widths(columns: list[list[str]], total: int) -> list[int]:
    """Column widths (EMU) in proportion to how much text each column holds, each at
    least half its equal share, so a unit name is not broken while a status is roomy."""
    weights = []
    for texts in columns:
        lengths = [max((len(w) for w in text.split()), default=0) for text in texts]
        average = sum(len(text) for text in texts) / max(len(texts), 1)
        heading = len(texts[0]) if texts else 0  # a table's first row is its header
        weights.append(max(average, 1.5 * max(lengths, default=0), 0.7 * heading, 4.0))
    floor = 0.5 / len(columns)
    shares = [max(w / sum(weights), floor) for w in weights]
    return [int(total * share / sum(shares)) for share in shares]


def _layout(table: Any, columns: list[list[str]]) -> None:
    """A fixed layout: the grid and the first row carry the widths (Word and LibreOffice
    lay out a fixed table from them, so the other rows need none)."""
    table.autofit = False
    widths = _widths(columns, PAGE_WIDTH - 2 * MARGIN)
    for column, width in zip(table.columns, widths, strict=True):
        column.width = width
    for cell, width in zip(table.rows[0].cells, widths, strict=True):
        cell.width = width


def _repeat_header(table: Any) -> None:
    """The header row is repeated at the top of every page the table runs over."""
    table.rows[0]._tr.get_or_add_trPr().append(OxmlElement("w:tblHeader"))


def _table(container: Any, block: Table, ids: dict[str, str], in_cell: bool = False) -> None:
    table = container.add_table(rows=1, cols=len(block.header))
    table._tbl.tblPr.style = ids["Table Grid"]
    for cell, text in zip(table.rows[0].cells, block.header, strict=True):
        _cell(cell, text, ids[TABLE_HEADING])
    _repeat_header(table)
    for index, row in enumerate(block.rows):
        strong = ids["Strong"] if block.is_total(index) else None
        first = ids[table_level(block.depth(index))]
        for n, (cell, text) in enumerate(zip(table.add_row().cells, row, strict=True)):
            _cell(cell, text, first if n == 0 else ids[TABLE_TEXT], strong)
    if not in_cell:
        columns = [list(col) for col in zip(block.header, *block.rows, strict=True)]
        for n, depth in enumerate(block.depths):
            columns[0][n + 1] = "    " * depth + columns[0][n + 1]
        _layout(table, columns)


def _columns(container: Any, block: Columns, ids: dict[str, str]) -> None:
    for start in range(0, len(block.columns), MAX_COLUMNS):
        group = block.columns[start : start + MAX_COLUMNS]
        table = container.add_table(rows=1, cols=len(group))
        table._tbl.tblPr.style = ids["Table Grid"]
        for cell, column in zip(table.rows[0].cells, group, strict=True):
            _cell(cell, column.title, ids[COLUMN_HEADING])
            _blocks(cell, column.blocks, ids, in_cell=True)
        _add(container, "", ids[TABLE_TEXT])


def _blocks(container: Any, blocks: tuple[Block, ...], ids: dict[str, str], in_cell: bool) -> None:
    for block in blocks:
        if isinstance(block, Heading):
            level = min(block.level, 9)
            _add(container, block.text, ids[COLUMN_HEADING if in_cell else f"Heading {level}"])
        elif isinstance(block, Paragraph):
            if block.label and not block.text:
                _add(container, block.label, ids[LABEL])
            else:
                _paragraph(container, block, ids)
        elif isinstance(block, Quote):
            _add(container, block.text, ids["Quote"])
        elif isinstance(block, Table):
            _table(container, block, ids, in_cell)
            _add(container, "", ids[TABLE_TEXT])  # two tables in a row would merge into one
        elif isinstance(block, Bullets):
            for item in block.items:
                _add(container, item, ids["List Bullet"])
        else:
            _columns(container, block, ids)


def render_docx(document: ExportDocument) -> bytes:
    """Render ``document`` as a Word file (bytes)."""
    doc = Document()
    _setup_styles(doc, document.lang)
    props = doc.core_properties
    props.title = _clean(document.title)[:255]
    props.author = "Dialogbot"
    props.last_modified_by = "Dialogbot"
    props.language = LANG_TAGS.get(document.lang, document.lang)
    _page(doc, document.title, document.lang)
    body = _Body(doc)
    body.add_heading(_clean(document.title), level=0)
    body.add_paragraph(_clean(document.subtitle), "Subtitle")
    body.add_paragraph(_clean(document.generated), GENERATED)
    ids = {style.name: style.style_id for style in doc.styles}
    if document.facts:
        facts = doc.add_table(rows=0, cols=2)
        facts._tbl.tblPr.style = ids["Table Grid"]
        for label, value in document.facts:
            cells = facts.add_row().cells
            _cell(cells[0], label, ids[TABLE_HEADING])
            _cell(cells[1], value, ids[TABLE_TEXT])
        _layout(facts, [[label for label, _ in document.facts], ["x" * 40]])
        body.add_paragraph("", TABLE_TEXT)
    if len(_headings(document.blocks)) >= TOC_MIN_HEADINGS:
        _table_of_contents(doc, body, document.blocks, document.lang)
    _blocks(body, document.blocks, ids, in_cell=False)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
