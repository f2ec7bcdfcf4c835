"""The page, the styles and the language tags of the DOCX export, shared by the document
writer (:mod:`bot.chain.export_docx`) and the template it fills (:mod:`bot.chain.docx_skeleton`)."""

from __future__ import annotations

LANG_TAGS = {"sv": "sv-SE", "en": "en-GB"}
EMU_PER_MM = 36_000
EMU_PER_TWIP = 635
PAGE_WIDTH, PAGE_HEIGHT, MARGIN = 210 * EMU_PER_MM, 297 * EMU_PER_MM, 20 * EMU_PER_MM
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
