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
properties — and the body's ``word/document.xml`` written as UTF-8, each value escaped once
for XML (characters XML cannot hold are dropped). The body is element for element what
python-docx would have built (tests/test_export_docx_golden.py compares them).

The body is written as bytes: the markup around a text is encoded once per style (a
paragraph's opening and closing, a table row's format), and each text is encoded once.
Paragraphs of one run and the rows of a table are written in batches: their texts' bytes
are checked at once (one C-level ``translate`` and ``find`` over them joined, :func:`_careful`),
a text that can stand in a ``w:t`` as it is (no ``& < >``, no control character, nothing
XML cannot hold) goes in as its bytes, and the few others take the careful path that
writes them as python-docx does (:func:`_run_content`). ``word/document.xml`` is
checksummed and deflated a chunk of pieces at a time, never joined whole.
"""

from __future__ import annotations

import io
import re
import struct
import time
import zipfile
import zlib
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import accumulate, chain
from operator import getitem, ne
from typing import cast

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
# Bytes of a text's UTF-8 that keep it out of a plain ``w:t``: the control characters
# (a tab or line break becomes an element, the others are dropped) and ``& < >``.
_NOT_PLAIN = bytes(range(0x20)) + b"&<>"
# The first byte of U+F000…U+FFFF in UTF-8: among them U+FFFE and U+FFFF, which XML
# cannot hold (the others, rare, take the careful path too).
_FFXX = 0xEF
# Every byte of :data:`_NOT_PLAIN` and :data:`_FFXX` to 0x01 (itself one), the others kept.
_MARK = bytes(1 if b in _NOT_PLAIN or b == _FFXX else b for b in range(256))
_CLOSE = b"</w:t></w:r></w:p>"
_CLOSED = len(_CLOSE)
# The closing of a paragraph and a style's paragraph opening up to a plain text, without
# and with space preserved, and the style id (see :meth:`_Writer.opening`).
_Opening = tuple[bytes, bytes, str]

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


def _encoded(text: str) -> bytes:
    """``text`` in UTF-8, or a byte that marks it careful where it cannot be encoded."""
    try:
        return text.encode()
    except UnicodeEncodeError:  # a lone surrogate
        return b"\x00"


def _careful(texts: list[str], encoded: list[bytes]) -> set[int]:
    """The indexes of the texts that cannot stand in a ``w:t`` as they are (the careful
    path: :func:`_run_content`): an empty text (python-docx writes no ``w:t`` for it) and
    one whose UTF-8 (``encoded``) holds a byte of :data:`_NOT_PLAIN` or :data:`_FFXX`.

    One C-level ``translate`` of the joined bytes marks every such byte, ``find`` looks
    for a mark (separator ``0xFF``: no UTF-8 holds it) and only where there is one are the
    texts' offsets counted to tell which text it is in."""
    careful: set[int] = set()
    if not all(texts):  # find the empty ones with C-level ``index`` scans
        at = texts.index("")
        while True:
            careful.add(at)
            try:
                at = texts.index("", at + 1)
            except ValueError:
                break
    marked = b"\xff".join(encoded).translate(_MARK)
    at = marked.find(1)
    if at != -1:
        # Where each text's separator ends: text i spans [ends[i-1], ends[i] - 1).
        ends = list(accumulate(len(data) + 1 for data in encoded))
        while at != -1:
            i = bisect_right(ends, at)
            careful.add(i)
            at = marked.find(1, ends[i])
    return careful


def _t(text: str) -> str:
    """One ``w:t`` (escaped text), space-preserving where it starts or ends with space
    (python-docx: where ``strip()`` would shorten it; the same whitespace as ``isspace``)."""
    if text[0].isspace() or text[-1].isspace():
        return f'<w:t xml:space="preserve">{text}</w:t>'
    return f"<w:t>{text}</w:t>"


def _run_content(text: str) -> str:
    """The run's children for ``text`` as python-docx writes them: tabs and line breaks
    (``\\r`` and ``\\n`` each) as elements, the text between them in ``w:t``."""
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


def _run_props(style_id: str | None) -> str:
    return f'<w:rPr><w:rStyle w:val="{style_id}"/></w:rPr>' if style_id else ""


def _run(text: str, style_id: str | None = None) -> str:
    content = _run_content(text)
    props = _run_props(style_id)
    if not props and not content:
        return "<w:r/>"
    return f"<w:r>{props}{content}</w:r>"


def _paragraph_props(style_id: str | None) -> str:
    return f'<w:pPr><w:pStyle w:val="{style_id}"/></w:pPr>' if style_id else ""


def _p(style_id: str | None, runs: str = "") -> str:
    props = _paragraph_props(style_id)
    if not props and not runs:
        return "<w:p/>"
    return f"<w:p>{props}{runs}</w:p>"


def _add(text: str, style_id: str | None = None) -> str:
    """A paragraph in the style (python-docx adds a run only for a non-empty text)."""
    return _p(style_id, _run(text) if text else "")


def _twips(emu: int) -> int:
    return round(emu / EMU_PER_TWIP)


def _widths(columns: Sequence[Sequence[str]], total: int, indent: int = 0) -> list[int]:
    """Column widths (EMU) in proportion to how much text each column holds, each at
    least half its equal share, so a unit name is not broken while a status is roomy.

    A column's weight is the greatest of its average text length, 1.5 × its longest word,
    0.7 × its heading (the first text) and 4; the lengths are counted by C-level
    ``len``/``split`` over the whole column. ``indent`` is how many spaces the first
    column's rows are indented by in all (they count in its length, not in its words)."""
    weights = []
    for n, texts in enumerate(columns):
        longest = max(map(len, " ".join(texts).split()), default=0)
        average = (sum(map(len, texts)) + (indent if n == 0 else 0)) / max(len(texts), 1)
        heading = len(texts[0]) if texts else 0  # a table's first row is its header
        weights.append(max(average, 1.5 * longest, 0.7 * heading, 4.0))
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


def _tc_open(width: int) -> str:
    return f'<w:tc><w:tcPr><w:tcW w:type="dxa" w:w="{width}"/></w:tcPr>'


def _cell(width: int, text: str, style_id: str, run_style_id: str | None = None) -> str:
    return f"{_tc_open(width)}{_p(style_id, _run(text, run_style_id))}</w:tc>"


@dataclass(frozen=True)
class _Row:
    """A table body row's cells (width, paragraph style, run style) and its XML as a
    bytes format, ``%s`` where each cell's text goes (filled where every text can stand
    in its ``w:t`` as it is, see :meth:`_Writer.table`)."""

    cells: tuple[tuple[int, str, str | None], ...]
    format: bytes

    @classmethod
    def of(cls, cells: tuple[tuple[int, str, str | None], ...]) -> _Row:
        xml = "".join(
            f"{_tc_open(w)}<w:p>{_paragraph_props(p)}<w:r>{_run_props(r)}<w:t>".replace("%", "%%")
            + "%s</w:t></w:r></w:p></w:tc>"
            for w, p, r in cells
        )
        return cls(cells, f"<w:tr>{xml}</w:tr>".encode())

    def careful(self, texts: tuple[str, ...]) -> bytes:
        """The row's XML written cell by cell the careful way (:func:`_cell`)."""
        cells = (_cell(w, text, p, r) for (w, p, r), text in zip(self.cells, texts, strict=True))
        return f"<w:tr>{''.join(cells)}</w:tr>".encode()


class _Writer:
    """Writes the body as WordprocessingML (UTF-8) into ``out``.

    Paragraphs of one plain run (answers, labels, headings, list items: nearly the whole
    body) are written in batches: :meth:`paragraph` queues the text and its style, and
    :meth:`flush` (called before any other markup is written) encodes the queued texts,
    checks them all at once (:func:`_careful`) and writes each as its style's opening
    and its bytes; the few texts that cannot stand in a ``w:t`` as they are take the
    careful path (:func:`_add`)."""

    def __init__(self, ids: dict[str, str]) -> None:
        self.ids = ids
        self.out: list[bytes] = []
        # Queued paragraphs: their styles' openings (:meth:`opening`) and their texts
        # (cleared in place by :meth:`flush`).
        self.openings: list[_Opening] = []
        self.texts: list[str] = []
        self._opening: dict[str, _Opening] = {}

    def opening(self, style_id: str) -> _Opening:
        """A paragraph in the style around one plain run: the closing of the paragraph
        before it (:data:`_CLOSE`) and its opening up to the text, without and with space
        preserved (and the style, for the careful path)."""
        opening = self._opening.get(style_id)
        if opening is None:
            head = f"</w:t></w:r></w:p><w:p>{_paragraph_props(style_id)}<w:r><w:t"
            opening = (f"{head}>".encode(), f'{head} xml:space="preserve">'.encode(), style_id)
            self._opening[style_id] = opening
        return opening

    def xml(self, text: str) -> None:
        """Markup (and texts already escaped in it), as it is."""
        self.flush()
        self.out.append(text.encode())

    def paragraph(self, text: str, style_id: str) -> None:
        """A paragraph in the style with ``text`` as its one run (python-docx adds no run
        for an empty text), queued until :meth:`flush`."""
        self.openings.append(self.opening(style_id))
        self.texts.append(text)

    def flush(self) -> None:
        """Write the queued paragraphs, in order."""
        texts, openings = self.texts, self.openings
        if not texts:
            return
        try:
            encoded = list(map(str.encode, texts))
        except UnicodeEncodeError:  # a lone surrogate: that text takes the careful path
            encoded = [_encoded(text) for text in texts]
        careful = _careful(texts, encoded)
        # python-docx preserves the space where ``strip()`` would shorten the text: each
        # paragraph's opening picked by C-level maps, no Python call per paragraph. An
        # opening starts with the closing of the paragraph before it (two pieces per
        # paragraph, not three), except where there is none to close: the batch's first
        # and one after a careful paragraph (written whole).
        heads = cast(
            list[bytes], list(map(getitem, openings, map(ne, map(str.strip, texts), texts)))
        )
        heads[0] = heads[0][_CLOSED:]
        for i in careful:
            close = _CLOSE if i > 0 and i - 1 not in careful else b""
            heads[i] = close + _add(texts[i], openings[i][2]).encode()
            encoded[i] = b""
            if i + 1 < len(texts) and i + 1 not in careful:
                heads[i + 1] = heads[i + 1][_CLOSED:]
        self.out.extend(chain.from_iterable(zip(heads, encoded, strict=True)))
        if len(texts) - 1 not in careful:
            self.out.append(_CLOSE)
        texts.clear()
        openings.clear()

    def table(self, block: Table, width: int, in_cell: bool) -> None:
        ids = self.ids
        cols = len(block.header)
        equal = _Grid.equal(width, cols)
        if in_cell:
            grid = equal
        else:
            columns = list(zip(block.header, *block.rows, strict=True))
            # A row's first cell is indented by four spaces per level of its depth.
            indent = 4 * sum(block.depths[: len(block.rows)])
            widths = [_twips(w) for w in _widths(columns, PAGE_WIDTH - 2 * MARGIN, indent)]
            grid = _Grid(widths, widths, True)
        heading = ids[TABLE_HEADING]
        header = "".join(
            _cell(w, text, heading) for w, text in zip(grid.first_row, block.header, strict=True)
        )
        self.xml(
            f"{grid.open(ids['Table Grid'])}<w:tr><w:trPr><w:tblHeader/></w:trPr>{header}</w:tr>"
        )
        # Every body row has the equal widths; a row's cells differ only in the first
        # cell's style (its depth) and the run style (a total in bold).
        cell_width = equal.first_row[0]
        text_id = ids[TABLE_TEXT]
        strong_id = ids["Strong"]
        rows = block.rows
        n = len(rows)
        if any(len(texts) != cols for texts in rows):
            raise ValueError("every row of a table has as many cells as its header")
        levels = [min(depth, 3) for depth in block.depths[:n]]
        levels += [0] * (n - len(levels))
        strongs = list(block.totals[:n])
        strongs += [False] * (n - len(strongs))
        keys = list(zip(levels, strongs, strict=True))
        kinds: dict[tuple[int, bool], _Row] = {}
        for level, strong in set(keys):
            run_style = strong_id if strong else None
            first = (cell_width, ids[table_level(level)], run_style)
            kinds[level, strong] = _Row.of(
                (first,) + ((cell_width, text_id, run_style),) * (cols - 1)
            )
        # All cells at once: encoded, checked (see :func:`_careful`; a text with space at
        # either end is careful too), and each row's format filled with its cells' bytes.
        cells = list(chain.from_iterable(rows))
        try:
            encoded = list(map(str.encode, cells))
        except UnicodeEncodeError:  # a lone surrogate
            encoded = [_encoded(text) for text in cells]
        careful = _careful(cells, encoded)
        stripped = list(map(str.strip, cells))
        if stripped != cells:
            careful.update(i for i, text in enumerate(cells) if stripped[i] != text)
        written = [
            kinds[key].format % values
            for key, values in zip(keys, zip(*[iter(encoded)] * cols, strict=False), strict=True)
        ]
        for index in {i // cols for i in careful}:
            written[index] = kinds[keys[index]].careful(rows[index])
        self.out.extend(written)
        self.out.append(b"</w:tbl>")

    def columns(self, block: Columns, width: int) -> None:
        ids = self.ids
        for start in range(0, len(block.columns), MAX_COLUMNS):
            group = block.columns[start : start + MAX_COLUMNS]
            grid = _Grid.equal(width, len(group))
            self.xml(grid.open(ids["Table Grid"]) + "<w:tr>")
            for w, column in zip(grid.first_row, group, strict=True):
                self.xml(_tc_open(w) + _p(ids[COLUMN_HEADING], _run(column.title)))
                self.blocks(column.blocks, w * EMU_PER_TWIP, in_cell=True)
                self.xml("</w:tc>")
            self.xml("</w:tr></w:tbl>")
            self.paragraph("", ids[TABLE_TEXT])

    def blocks(self, blocks: tuple[Block, ...], width: int, in_cell: bool) -> None:
        ids = self.ids
        # Queue a paragraph (see :meth:`paragraph`) without a call per block.
        add_opening, add_text = self.openings.append, self.texts.append
        quote = self.opening(ids["Quote"])
        label = self.opening(ids[LABEL])
        for block in blocks:
            if isinstance(block, Quote):
                add_opening(quote)
                add_text(block.text)
            elif isinstance(block, Paragraph):
                if block.label and not block.text:
                    add_opening(label)
                    add_text(block.label)
                else:
                    runs = ""
                    if block.label:
                        runs += _run(block.label + (": " if block.text else ""), ids["Strong"])
                    if block.text:
                        runs += _run(block.text, ids["Emphasis"] if block.emphasis else None)
                    self.xml(_p(None, runs))
            elif isinstance(block, Heading):
                level = min(block.level, 9)
                add_opening(self.opening(ids[COLUMN_HEADING if in_cell else f"Heading {level}"]))
                add_text(block.text)
            elif isinstance(block, Table):
                self.table(block, width, in_cell)
                if in_cell:
                    self.out.append(b"<w:p/>")  # python-docx ends a cell's table with a paragraph
                # two tables in a row would merge into one
                self.paragraph("", ids[TABLE_TEXT])
            elif isinstance(block, Bullets):
                bullet = self.opening(ids["List Bullet"])
                for item in block.items:
                    add_opening(bullet)
                    add_text(item)
            else:
                self.columns(block, width)


def _headings(blocks: tuple[Block, ...]) -> list[Heading]:
    return [b for b in blocks if isinstance(b, Heading) and b.level <= 2]


def _fld_char(kind: str) -> str:
    return f'<w:r><w:fldChar w:fldCharType="{kind}"/></w:r>'


def _table_of_contents(writer: _Writer, entries: list[Heading], lang: str) -> None:
    """A ``TOC`` field over headings 1–2; its shown result lists them (Word adds page
    numbers when it updates the field on opening)."""
    ids = writer.ids
    writer.paragraph(t(lang, "summary.contents"), ids["TOC Heading"])
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
    writer.xml("".join(_p(style, runs) for style, runs in paragraphs))


def _facts(writer: _Writer, facts: tuple[tuple[str, str], ...]) -> None:
    """The cover's facts: a two-column table, its widths fixed by the labels."""
    ids = writer.ids
    width = PAGE_WIDTH - 2 * MARGIN
    equal = _Grid.equal(width, 2)
    widths = [_twips(w) for w in _widths([[label for label, _ in facts], ["x" * 40]], width)]
    grid = _Grid(widths, widths, True)
    rows = []
    for n, (label, value) in enumerate(facts):
        cells = grid.first_row if n == 0 else equal.first_row
        rows.append(
            f"<w:tr>{_cell(cells[0], label, ids[TABLE_HEADING])}"
            f"{_cell(cells[1], value, ids[TABLE_TEXT])}</w:tr>"
        )
    writer.xml(grid.open(ids["Table Grid"]) + "".join(rows) + "</w:tbl>")
    writer.paragraph("", ids[TABLE_TEXT])


# Pieces of a part joined and deflated at a time (~80 KB of the bench's document).
_CHUNK = 1024


@dataclass(frozen=True)
class _Member:
    """A part of the ZIP container, deflated, with the CRC and size its headers give."""

    name: str
    crc: int
    size: int
    deflated: bytes

    @classmethod
    def of(cls, name: str, data: bytes, level: int = zlib.Z_DEFAULT_COMPRESSION) -> _Member:
        """``data`` deflated as :mod:`zipfile` does (raw deflate at ``level``)."""
        return cls.of_pieces(name, [data], level)

    @classmethod
    def of_pieces(
        cls, name: str, pieces: list[bytes], level: int = zlib.Z_DEFAULT_COMPRESSION
    ) -> _Member:
        """The part made of ``pieces`` (in order), deflated as :mod:`zipfile` does (raw
        deflate at ``level``). The pieces are joined, checksummed and deflated a chunk at a
        time, while the chunk is in the cache, not as one join of the whole part; deflate
        gives the same bytes however its input is cut."""
        compressor = zlib.compressobj(level, zlib.DEFLATED, -15)
        deflated: list[bytes] = []
        crc = size = 0
        for start in range(0, len(pieces), _CHUNK):
            chunk = b"".join(pieces[start : start + _CHUNK])
            crc = zlib.crc32(chunk, crc)
            size += len(chunk)
            deflated.append(compressor.compress(chunk))
        deflated.append(compressor.flush())
        return cls(name, crc, size, b"".join(deflated))


_CENTRAL_DIRECTORY = struct.Struct("<4s4B4HL2L5H2L")
_END_OF_CENTRAL_DIRECTORY = struct.Struct("<4s4H2LH")


def _zip(members: list[_Member], date_time: tuple[int, int, int, int, int, int]) -> bytes:
    """The ZIP container holding ``members`` in order: the bytes :mod:`zipfile` writes for
    them (``writestr`` of each, deflated), from parts deflated beforehand, so the parts
    every document shares are compressed once per process (tests/test_export_docx_golden.py
    compares the two)."""
    out = io.BytesIO()
    directory: list[bytes] = []
    for member in members:
        info = zipfile.ZipInfo(member.name, date_time)
        info.compress_type = zipfile.ZIP_DEFLATED
        info.external_attr = 0o600 << 16  # what zipfile gives a part written from bytes
        info.CRC, info.file_size = member.crc, member.size
        info.compress_size = len(member.deflated)
        offset = out.tell()
        out.write(info.FileHeader(zip64=False))
        out.write(member.deflated)
        dostime = date_time[3] << 11 | date_time[4] << 5 | date_time[5] // 2
        dosdate = (date_time[0] - 1980) << 9 | date_time[1] << 5 | date_time[2]
        name = member.name.encode("ascii")
        directory.append(
            _CENTRAL_DIRECTORY.pack(
                b"PK\x01\x02",
                info.create_version,
                info.create_system,
                info.extract_version,
                info.reserved,
                info.flag_bits,
                info.compress_type,
                dostime,
                dosdate,
                info.CRC,
                info.compress_size,
                info.file_size,
                len(name),
                0,  # extra field
                0,  # comment
                0,  # disk number
                info.internal_attr,
                info.external_attr,
                offset,
            )
            + name
        )
    start = out.tell()
    out.write(b"".join(directory))
    size = out.tell() - start
    count = len(members)
    out.write(_END_OF_CENTRAL_DIRECTORY.pack(b"PK\x05\x06", 0, 0, count, count, size, start, 0))
    return out.getvalue()


@dataclass(frozen=True)
class _Skeleton:
    """The parts of an empty document with Dialogbot's page, styles and footer: the
    parts that hold the title (or the body) as they are, the others deflated once."""

    parts: tuple[tuple[str, bytes | _Member], ...]
    document_head: bytes
    document_tail: bytes
    ids: dict[str, str]


@lru_cache(maxsize=16)
def _skeleton(lang: str, toc: bool) -> _Skeleton:
    """Build the template once with python-docx: styles, page, footer, properties, with
    marks where the title and the body go."""
    from bot.chain import docx_skeleton

    document = docx_skeleton.build(lang, toc, _TITLE_MARK, _BODY_MARK, PAGE_WIDTH, MARGIN)
    parts: list[tuple[str, bytes | _Member]] = []
    head = tail = b""
    with zipfile.ZipFile(io.BytesIO(document.content)) as zf:
        for name in zf.namelist():
            data = zf.read(name)
            if name == _DOCUMENT_XML:
                mark = f"<w:p><w:r><w:t>{_BODY_MARK}</w:t></w:r></w:p>".encode()
                head, _, tail = data.partition(mark)
                assert tail, "the body mark is missing from the skeleton"
            if name == _DOCUMENT_XML or _TITLE_MARK.encode() in data:
                parts.append((name, data))
            else:
                parts.append((name, _Member.of(name, data)))
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
    headings = _headings(document.blocks)
    toc = len(headings) >= TOC_MIN_HEADINGS
    skeleton = _skeleton(document.lang, toc)
    writer = _Writer(skeleton.ids)
    ids = skeleton.ids
    writer.out.append(skeleton.document_head)
    writer.paragraph(_clean(document.title), ids["Title"])
    writer.paragraph(_clean(document.subtitle), ids["Subtitle"])
    writer.paragraph(_clean(document.generated), ids[GENERATED])
    if document.facts:
        _facts(writer, document.facts)
    if toc:
        _table_of_contents(writer, headings, document.lang)
    writer.blocks(document.blocks, PAGE_WIDTH - 2 * MARGIN, in_cell=False)
    writer.flush()
    writer.out.append(skeleton.document_tail)
    members = [
        part
        if isinstance(part, _Member)
        # The big part: a fast compression level (the file is ~15 % larger).
        else _Member.of_pieces(name, writer.out, 1)
        if name == _DOCUMENT_XML
        else _Member.of(name, _with_title(name, part, document.title))
        for name, part in skeleton.parts
    ]
    return _zip(members, time.localtime()[:6])
