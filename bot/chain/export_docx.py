"""DOCX export with python-docx: an A4 document in the round's language, formatted only
through named styles so a municipality can restyle it (or paste it into its own
template) without fighting direct formatting.

* Page: A4 portrait, 2 cm margins; the footer has the document's title and the page
  number (a ``PAGE`` field) in the style *Footer*.
* Language: ``w:lang`` in the style defaults (``sv-SE`` or ``en-GB``), so spelling and
  hyphenation follow it.
* Styles: *Title*, *Subtitle*, *Heading 1–9*, *Quote* (answers), *List Bullet*,
  *Strong* and *Emphasis* (character styles), *Table Grid*, *Footer*, *TOC Heading*,
  and the Dialogbot styles created here (:data:`STYLES`): labels before answers, table
  headings and text, table rows indented by their level in the organisation.
* Long documents start with a table of contents (a ``TOC`` field Word fills in when the
  file is opened; until then it lists the chapters without page numbers).

The document is written from a template: a skeleton built once per process (per language
and with or without a table of contents) with python-docx — page, footer, styles,
properties — and the body's ``word/document.xml`` written as text, each value escaped once
for XML (characters XML cannot hold are dropped). The body is element for element what
python-docx would have built (tests/test_export_docx_golden.py compares them).
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from functools import lru_cache

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
from bot.chain.docx_styles import (
    COLUMN_HEADING,
    EMU_PER_TWIP,
    GENERATED,
    LABEL,
    MARGIN,
    MAX_COLUMNS,
    PAGE_WIDTH,
    TABLE_HEADING,
    TABLE_TEXT,
    TOC_LEVELS,
    TOC_MIN_HEADINGS,
    table_level,
)
from bot.i18n import t

# Characters XML 1.0 cannot hold (and lone surrogates, which no encoding can): dropped.
_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
# What python-docx turns into run elements: a tab, a line break.
_RUN_BREAKS = re.compile("[\t\r\n]")

_BODY_MARK = "DIALOGBOT-BODY-7f3a"
_TITLE_MARK = "DIALOGBOT-TITLE-7f3a"
_DOCUMENT_XML = "word/document.xml"


def _clean(text: str) -> str:
    return _INVALID_XML.sub("", text)


def _escape(text: str) -> str:
    """Text content for XML: characters XML cannot hold dropped, ``& < >`` escaped."""
    if _INVALID_XML.search(text):
        text = _INVALID_XML.sub("", text)
    if "&" in text:
        text = text.replace("&", "&amp;")
    if "<" in text:
        text = text.replace("<", "&lt;")
    if ">" in text:
        text = text.replace(">", "&gt;")
    return text


def _t(text: str) -> str:
    """One ``w:t`` (escaped text), space-preserving where it starts or ends with space
    (python-docx: where ``strip()`` would shorten it; the same whitespace as ``isspace``)."""
    if text[0].isspace() or text[-1].isspace():
        return f'<w:t xml:space="preserve">{text}</w:t>'
    return f"<w:t>{text}</w:t>"


def _run_content(text: str) -> str:
    """The run's children for ``text`` as python-docx writes them: tabs and line breaks
    (``\\r`` and ``\\n`` each) as elements, the text between them in ``w:t``."""
    if text.isprintable():  # the common case, one C-level scan: nothing to drop or break
        if "&" in text or "<" in text or ">" in text:
            text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        return _t(text) if text else ""
    text = _escape(text)
    if not _RUN_BREAKS.search(text):
        return _t(text) if text else ""
    out: list[str] = []
    start = 0
    for match in _RUN_BREAKS.finditer(text):
        if match.start() > start:
            out.append(_t(text[start : match.start()]))
        out.append("<w:tab/>" if match.group() == "\t" else "<w:br/>")
        start = match.end()
    if start < len(text):
        out.append(_t(text[start:]))
    return "".join(out)


def _run(text: str, style_id: str | None = None) -> str:
    content = _run_content(text)
    props = f'<w:rPr><w:rStyle w:val="{style_id}"/></w:rPr>' if style_id else ""
    if not props and not content:
        return "<w:r/>"
    return f"<w:r>{props}{content}</w:r>"


def _p(style_id: str | None, runs: str = "") -> str:
    props = f'<w:pPr><w:pStyle w:val="{style_id}"/></w:pPr>' if style_id else ""
    if not props and not runs:
        return "<w:p/>"
    return f"<w:p>{props}{runs}</w:p>"


def _add(text: str, style_id: str | None = None) -> str:
    """A paragraph in the style (python-docx adds a run only for a non-empty text)."""
    if style_id is not None and text and text.isprintable():
        # The common case in one step (the same as below, without the calls).
        if "&" in text or "<" in text or ">" in text:
            text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        space = ' xml:space="preserve"' if text[0].isspace() or text[-1].isspace() else ""
        return (
            f'<w:p><w:pPr><w:pStyle w:val="{style_id}"/></w:pPr>'
            f"<w:r><w:t{space}>{text}</w:t></w:r></w:p>"
        )
    return _p(style_id, _run(text) if text else "")


def _twips(emu: int) -> int:
    return round(emu / EMU_PER_TWIP)


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


_TBL_LOOK = (
    '<w:tblLook w:firstColumn="1" w:firstRow="1" w:lastColumn="0" w:lastRow="0" '
    'w:noHBand="0" w:noVBand="1" w:val="04A0"/>'
)


@dataclass
class _Grid:
    """A table's columns: the grid widths and the width of each cell of the first row
    (a fixed layout sets them apart from the equal split the other rows keep)."""

    grid: list[int]
    first_row: list[int]
    fixed: bool

    @classmethod
    def equal(cls, width: int, cols: int) -> _Grid:
        twips = _twips(width // cols)
        return cls([twips] * cols, [twips] * cols, False)

    def open(self, style_id: str) -> str:
        layout = '<w:tblLayout w:type="fixed"/>' if self.fixed else ""
        cols = "".join(f'<w:gridCol w:w="{w}"/>' for w in self.grid)
        return (
            f'<w:tbl><w:tblPr><w:tblStyle w:val="{style_id}"/><w:tblW w:type="auto" w:w="0"/>'
            f"{layout}{_TBL_LOOK}</w:tblPr><w:tblGrid>{cols}</w:tblGrid>"
        )


def _tc(width: int, content: str) -> str:
    return f'<w:tc><w:tcPr><w:tcW w:type="dxa" w:w="{width}"/></w:tcPr>{content}</w:tc>'


def _cell(width: int, text: str, style_id: str, run_style_id: str | None = None) -> str:
    if run_style_id is None and text and text.isprintable():
        # The common case in one step (the same as below, without the calls).
        if "&" in text or "<" in text or ">" in text:
            text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        space = ' xml:space="preserve"' if text[0].isspace() or text[-1].isspace() else ""
        return (
            f'<w:tc><w:tcPr><w:tcW w:type="dxa" w:w="{width}"/></w:tcPr>'
            f'<w:p><w:pPr><w:pStyle w:val="{style_id}"/></w:pPr>'
            f"<w:r><w:t{space}>{text}</w:t></w:r></w:p></w:tc>"
        )
    return _tc(width, _p(style_id, _run(text, run_style_id)))


class _Writer:
    """Writes the body as WordprocessingML text into ``out``."""

    def __init__(self, ids: dict[str, str]) -> None:
        self.ids = ids
        self.out: list[str] = []

    def table(self, block: Table, width: int, in_cell: bool) -> None:
        ids = self.ids
        cols = len(block.header)
        equal = _Grid.equal(width, cols)
        if in_cell:
            grid = equal
        else:
            columns = [list(col) for col in zip(block.header, *block.rows, strict=True)]
            for n, depth in enumerate(block.depths):
                columns[0][n + 1] = "    " * depth + columns[0][n + 1]
            widths = [_twips(w) for w in _widths(columns, PAGE_WIDTH - 2 * MARGIN)]
            grid = _Grid(widths, widths, True)
        out = self.out
        out.append(grid.open(ids["Table Grid"]))
        heading = ids[TABLE_HEADING]
        out.append("<w:tr><w:trPr><w:tblHeader/></w:trPr>")
        for w, text in zip(grid.first_row, block.header, strict=True):
            out.append(_cell(w, text, heading))
        out.append("</w:tr>")
        text_id = ids[TABLE_TEXT]
        strong_id = ids["Strong"]
        cell_widths = equal.first_row
        levels = [ids[table_level(depth)] for depth in range(4)]
        depths, totals = block.depths, block.totals
        for index, row in enumerate(block.rows):
            strong = strong_id if index < len(totals) and totals[index] else None
            first = levels[min(depths[index], 3) if index < len(depths) else 0]
            out.append("<w:tr>")
            for n, (w, text) in enumerate(zip(cell_widths, row, strict=True)):
                out.append(_cell(w, text, first if n == 0 else text_id, strong))
            out.append("</w:tr>")
        out.append("</w:tbl>")

    def columns(self, block: Columns, width: int) -> None:
        ids = self.ids
        for start in range(0, len(block.columns), MAX_COLUMNS):
            group = block.columns[start : start + MAX_COLUMNS]
            grid = _Grid.equal(width, len(group))
            self.out.append(grid.open(ids["Table Grid"]))
            self.out.append("<w:tr>")
            for w, column in zip(grid.first_row, group, strict=True):
                self.out.append(f'<w:tc><w:tcPr><w:tcW w:type="dxa" w:w="{w}"/></w:tcPr>')
                self.out.append(_p(ids[COLUMN_HEADING], _run(column.title)))
                self.blocks(column.blocks, w * EMU_PER_TWIP, in_cell=True)
                self.out.append("</w:tc>")
            self.out.append("</w:tr></w:tbl>")
            self.out.append(_add("", ids[TABLE_TEXT]))

    def blocks(self, blocks: tuple[Block, ...], width: int, in_cell: bool) -> None:
        ids = self.ids
        out = self.out
        quote_id = ids["Quote"]
        for block in blocks:
            if isinstance(block, Quote):
                out.append(_add(block.text, quote_id))
            elif isinstance(block, Heading):
                level = min(block.level, 9)
                out.append(_add(block.text, ids[COLUMN_HEADING if in_cell else f"Heading {level}"]))
            elif isinstance(block, Paragraph):
                if block.label and not block.text:
                    out.append(_add(block.label, ids[LABEL]))
                else:
                    runs = ""
                    if block.label:
                        label = block.label + (": " if block.text else "")
                        runs += _run(label, ids["Strong"])
                    if block.text:
                        runs += _run(block.text, ids["Emphasis"] if block.emphasis else None)
                    out.append(_p(None, runs))
            elif isinstance(block, Table):
                self.table(block, width, in_cell)
                if in_cell:
                    out.append("<w:p/>")  # python-docx ends a cell's table with a paragraph
                # two tables in a row would merge into one
                out.append(_add("", ids[TABLE_TEXT]))
            elif isinstance(block, Bullets):
                bullet = ids["List Bullet"]
                out.extend(_add(item, bullet) for item in block.items)
            else:
                self.columns(block, width)


def _headings(blocks: tuple[Block, ...]) -> list[Heading]:
    return [b for b in blocks if isinstance(b, Heading) and b.level <= 2]


def _fld_char(kind: str) -> str:
    return f'<w:r><w:fldChar w:fldCharType="{kind}"/></w:r>'


def _table_of_contents(writer: _Writer, blocks: tuple[Block, ...], lang: str) -> None:
    """A ``TOC`` field over headings 1–2; its shown result lists them (Word adds page
    numbers when it updates the field on opening)."""
    ids = writer.ids
    writer.out.append(_add(t(lang, "summary.contents"), ids["TOC Heading"]))
    entries = _headings(blocks)
    begin = (
        _fld_char("begin")
        + '<w:r><w:instrText xml:space="preserve"> TOC \\o "1-2" \\h \\z \\u </w:instrText></w:r>'
        + _fld_char("separate")
    )
    paragraphs: list[tuple[str, str]] = [(ids[TOC_LEVELS[0]], begin)]
    for n, heading in enumerate(entries):
        if n > 0:
            paragraphs.append((ids[TOC_LEVELS[heading.level - 1]], ""))
        style, runs = paragraphs[-1]
        paragraphs[-1] = (style, runs + _run(heading.text))
    style, runs = paragraphs[-1]
    paragraphs[-1] = (style, runs + _fld_char("end"))
    writer.out.extend(_p(style, runs) for style, runs in paragraphs)


def _facts(writer: _Writer, facts: tuple[tuple[str, str], ...]) -> None:
    """The cover's facts: a two-column table, its widths fixed by the labels."""
    ids = writer.ids
    width = PAGE_WIDTH - 2 * MARGIN
    equal = _Grid.equal(width, 2)
    widths = [_twips(w) for w in _widths([[label for label, _ in facts], ["x" * 40]], width)]
    grid = _Grid(widths, widths, True)
    out = writer.out
    out.append(grid.open(ids["Table Grid"]))
    for n, (label, value) in enumerate(facts):
        cells = grid.first_row if n == 0 else equal.first_row
        out.append("<w:tr>")
        out.append(_cell(cells[0], label, ids[TABLE_HEADING]))
        out.append(_cell(cells[1], value, ids[TABLE_TEXT]))
        out.append("</w:tr>")
    out.append("</w:tbl>")
    out.append(_add("", ids[TABLE_TEXT]))


@dataclass(frozen=True)
class _Skeleton:
    """The parts of an empty document with Dialogbot's page, styles and footer."""

    parts: tuple[tuple[str, bytes], ...]
    document_head: str
    document_tail: str
    ids: dict[str, str]


@lru_cache(maxsize=16)
def _skeleton(lang: str, toc: bool) -> _Skeleton:
    """Build the template once with python-docx: styles, page, footer, properties, with
    marks where the title and the body go."""
    from bot.chain import docx_skeleton

    document = docx_skeleton.build(lang, toc, _TITLE_MARK, _BODY_MARK, PAGE_WIDTH, MARGIN)
    parts: list[tuple[str, bytes]] = []
    head = tail = ""
    with zipfile.ZipFile(io.BytesIO(document.content)) as zf:
        for name in zf.namelist():
            data = zf.read(name)
            if name == _DOCUMENT_XML:
                text = data.decode("utf-8")
                mark = f"<w:p><w:r><w:t>{_BODY_MARK}</w:t></w:r></w:p>"
                head, _, tail = text.partition(mark)
                assert tail, "the body mark is missing from the skeleton"
            parts.append((name, data))
    return _Skeleton(tuple(parts), head, tail, document.ids)


def _with_title(name: str, data: bytes, title: str) -> bytes:
    """The footer and the core properties with the document's title in place."""
    mark = _TITLE_MARK.encode()
    if mark not in data:
        return data
    if name.startswith("word/footer"):
        run = _run_content(title).encode("utf-8")
        return data.replace(b"<w:t>" + mark + b"</w:t>", run)
    # A carriage return kept as a character reference (a parser would read a raw one as
    # a line feed).
    text = _escape(_clean(title)[:255]).replace("\r", "&#13;")
    return data.replace(mark, text.encode("utf-8"))


def render_docx(document: ExportDocument) -> bytes:
    """Render ``document`` as a Word file (bytes)."""
    toc = len(_headings(document.blocks)) >= TOC_MIN_HEADINGS
    skeleton = _skeleton(document.lang, toc)
    writer = _Writer(skeleton.ids)
    out = writer.out
    ids = skeleton.ids
    out.append(skeleton.document_head)
    out.append(_add(_clean(document.title), ids["Title"]))
    out.append(_add(_clean(document.subtitle), ids["Subtitle"]))
    out.append(_add(_clean(document.generated), ids[GENERATED]))
    if document.facts:
        _facts(writer, document.facts)
    if toc:
        _table_of_contents(writer, document.blocks, document.lang)
    writer.blocks(document.blocks, PAGE_WIDTH - 2 * MARGIN, in_cell=False)
    out.append(skeleton.document_tail)
    body = "".join(out).encode("utf-8")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in skeleton.parts:
            if name == _DOCUMENT_XML:
                # The big part: a fast compression level (the file is ~15 % larger).
                zf.writestr(name, body, compresslevel=1)
            else:
                zf.writestr(name, _with_title(name, data, document.title))
    return buffer.getvalue()
