"""The DOCX container: the parts every document shares are compressed once per process and
the ZIP is written around them; it is byte for byte what :mod:`zipfile` writes for the same
parts, and python-docx opens it."""

from __future__ import annotations

import io
import zipfile

from docx import Document

from bot.chain.documents import ExportDocument, Heading, Quote, Table
from bot.chain.export_docx import render_docx


def _document(title: str) -> ExportDocument:
    return ExportDocument(
        title,
        "Under",
        "Skapad",
        "sv",
        (("Runda", "7"),),
        (Heading(1, "Kapitel"), Quote("Svar & <svar>\nrad två"), Table(("A", "B"), (("1", "2"),))),
    )


def test_the_container_is_what_zipfile_writes_for_its_parts() -> None:
    content = render_docx(_document("Titel"))
    again = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(content)) as ours, zipfile.ZipFile(again, "w") as theirs:
        assert ours.testzip() is None
        for info in ours.infolist():
            copy = zipfile.ZipInfo(info.filename, info.date_time)
            copy.compress_type = zipfile.ZIP_DEFLATED
            level = 1 if info.filename == "word/document.xml" else None
            theirs.writestr(copy, ours.read(info.filename), compresslevel=level)
    assert content == again.getvalue()


def test_each_document_has_its_own_title_in_the_shared_parts() -> None:
    first = Document(io.BytesIO(render_docx(_document("Första"))))
    second = Document(io.BytesIO(render_docx(_document("Andra & <b>"))))
    assert first.core_properties.title == "Första"
    assert second.core_properties.title == "Andra & <b>"
    assert "Andra & <b>" in second.sections[0].footer.paragraphs[0].text
    assert [p.text for p in second.paragraphs if p.text.startswith("Svar")] == [
        "Svar & <svar>\nrad två"
    ]
