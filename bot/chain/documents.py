"""A small document model shared by the exports: headings, paragraphs, quotes, lists,
tables and side-by-side columns. Every string in it is plain data; each renderer
(Markdown, HTML, DOCX) escapes it for its own output."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar


@dataclass(frozen=True)
class Heading:
    """A heading; level 1 is a chapter."""

    level: int
    text: str
    kind: ClassVar[str] = "heading"


@dataclass(frozen=True)
class Paragraph:
    """Running text; ``label`` is shown in bold before it."""

    text: str
    label: str = ""
    emphasis: bool = False
    kind: ClassVar[str] = "paragraph"


@dataclass(frozen=True)
class Quote:
    """A participant's answer, line breaks kept."""

    text: str
    kind: ClassVar[str] = "quote"


@dataclass(frozen=True)
class Bullets:
    """A bulleted list."""

    items: tuple[str, ...]
    kind: ClassVar[str] = "bullets"


@dataclass(frozen=True)
class Table:
    """A table with a header row.

    A table of a tree (units under units) gives each row's ``depths`` (0 = top; the
    first cell is indented by it) and marks the rows that total the rows below them as
    ``totals`` (shown in bold). Both are empty for a flat table.
    """

    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    depths: tuple[int, ...] = ()
    totals: tuple[bool, ...] = ()
    kind: ClassVar[str] = "table"

    def depth(self, index: int) -> int:
        """How deep row ``index`` is nested (0 for a flat table)."""
        return self.depths[index] if index < len(self.depths) else 0

    def is_total(self, index: int) -> bool:
        """Whether row ``index`` totals the rows below it."""
        return index < len(self.totals) and self.totals[index]


@dataclass(frozen=True)
class Column:
    """One column of a side-by-side layout."""

    title: str
    blocks: tuple[Block, ...]


@dataclass(frozen=True)
class Columns:
    """Columns shown side by side (HTML, DOCX) or one after another (Markdown)."""

    columns: tuple[Column, ...]
    kind: ClassVar[str] = "columns"


Block = Heading | Paragraph | Quote | Bullets | Table | Columns


@dataclass(frozen=True)
class ExportDocument:
    """A document a municipality can file: a cover with facts, then the body."""

    title: str
    subtitle: str
    generated: str
    lang: str
    facts: tuple[tuple[str, str], ...] = ()
    blocks: tuple[Block, ...] = field(default_factory=tuple)
    filename: str = "dialog"

    def texts(self) -> list[str]:
        """Every text in the document, for checks (e.g. that no name leaks)."""
        out = [self.title, self.subtitle, self.generated]
        out.extend(v for pair in self.facts for v in pair)
        out.extend(_texts(self.blocks))
        return out


def _texts(blocks: tuple[Block, ...]) -> list[str]:
    out: list[str] = []
    for b in blocks:
        if isinstance(b, Heading | Quote):
            out.append(b.text)
        elif isinstance(b, Paragraph):
            out.extend((b.label, b.text))
        elif isinstance(b, Bullets):
            out.extend(b.items)
        elif isinstance(b, Table):
            out.extend(b.header)
            out.extend(c for row in b.rows for c in row)
        else:
            for col in b.columns:
                out.append(col.title)
                out.extend(_texts(col.blocks))
    return out
