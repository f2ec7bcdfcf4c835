"""The answer history as a file: CSV (for any spreadsheet) or Excel (a sheet per round).

CSV is written with the standard ``csv`` module as UTF-8 with a byte-order mark and ``;``
between fields by default, which is what Excel with Swedish settings expects. A cell that
Excel would read as a formula (it starts with ``=``, ``+``, ``-``, ``@``, a tab or a
carriage return) gets a leading ``'``, the usual guard against formula injection; the
Excel file stores every answer as text instead, so nothing is changed there. Excel files
are written with openpyxl; each round gets a sheet whose title and column headers stay
in view while scrolling.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Literal

from bot.history import History, HistoryRound, HistoryRow
from bot.i18n import t

HistoryFormat = Literal["csv", "xlsx"]
FORMATS: tuple[HistoryFormat, ...] = ("csv", "xlsx")

COLUMNS = (
    "round",
    "title",
    "phase",
    "template",
    "started",
    "unit",
    "level",
    "person",
    "number",
    "question",
    "answer",
    "answered_at",
)
"""The columns of both formats, as keys of the ``history.col.*`` messages."""

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_WIDTHS = {"title": 30, "unit": 22, "question": 50, "answer": 70, "answered_at": 17}


def headers(lang: str) -> list[str]:
    """The column headers in ``lang``."""
    return [t(lang, f"history.col.{column}") for column in COLUMNS]


def _values(row: HistoryRow) -> list[object]:
    info = row.round
    return [
        info.round_id,
        info.title,
        info.phase,
        info.template,
        info.started.date(),
        row.unit,
        row.level,
        row.person,
        row.question_number,
        row.question,
        row.answer,
        row.answered_at.replace(tzinfo=None) if row.answered_at else None,
    ]


def _csv_cell(value: object) -> str:
    if value is None:
        return ""
    if hasattr(value, "strftime") and hasattr(value, "hour"):
        return f"{value:%Y-%m-%d %H:%M}"
    text = str(value)
    return f"'{text}" if text.startswith(_FORMULA_START) else text


def write_csv(history: History, path: Path, lang: str = "sv", delimiter: str = ";") -> int:
    """Write the history as one CSV table.

    Args:
        history: The answers.
        path: The file to write.
        lang: Language of the headers.
        delimiter: The field separator.

    Returns:
        The number of answer rows written.
    """
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, delimiter=delimiter)
        writer.writerow(headers(lang))
        for row in history.rows:
            writer.writerow([_csv_cell(value) for value in _values(row)])
    return len(history.rows)


def sheet_title(info: HistoryRound) -> str:
    """A sheet name (at most 31 characters, unique per round): ``"12 avstämning 2027-05-03"``."""
    return f"{info.round_id} {info.phase} {info.started:%Y-%m-%d}"[:31]


def write_xlsx(history: History, path: Path, lang: str = "sv") -> int:
    """Write the history as an Excel workbook with one sheet per round.

    Each sheet has the round's title on the first row and the column headers on the
    second; both are frozen. Answers and other texts are stored as text cells.

    Args:
        history: The answers.
        path: The file to write.
        lang: Language of the headers.

    Returns:
        The number of answer rows written.
    """
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    default = workbook.active
    if default is not None:
        workbook.remove(default)
    by_round: dict[int, list[HistoryRow]] = {info.round_id: [] for info in history.rounds}
    for row in history.rows:
        by_round[row.round.round_id].append(row)
    bold = Font(bold=True)
    wrap = Alignment(wrap_text=True, vertical="top")
    sheets: list[HistoryRound | None] = list(history.rounds) or [None]
    for info in sheets:
        sheet = workbook.create_sheet(sheet_title(info) if info else t(lang, "history.empty_sheet"))
        title = (
            f"{info.title} ({info.phase}, {info.started:%Y-%m-%d})"
            if info
            else t(lang, "history.no_answers")
        )
        sheet.cell(row=1, column=1, value=ILLEGAL_CHARACTERS_RE.sub("", title)).font = Font(
            bold=True, size=13
        )
        sheet.append(headers(lang))
        for column in range(1, len(COLUMNS) + 1):
            sheet.cell(row=2, column=column).font = bold
        for row in by_round.get(info.round_id, []) if info else []:
            sheet.append([None] * len(COLUMNS))
            for column, value in enumerate(_values(row), start=1):
                cell = sheet.cell(row=sheet.max_row, column=column)
                if isinstance(value, str):
                    cell.value = ILLEGAL_CHARACTERS_RE.sub("", value)
                    cell.data_type = "s"
                    cell.alignment = wrap
                else:
                    cell.value = value
                    cell.alignment = Alignment(vertical="top")
                    if COLUMNS[column - 1] == "answered_at":
                        cell.number_format = "yyyy-mm-dd hh:mm"
                    elif COLUMNS[column - 1] == "started":
                        cell.number_format = "yyyy-mm-dd"
        for column, key in enumerate(COLUMNS, start=1):
            sheet.column_dimensions[get_column_letter(column)].width = _WIDTHS.get(key, 12)
        sheet.freeze_panes = "A3"
    workbook.save(path)
    return len(history.rows)
