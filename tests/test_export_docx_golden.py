"""The DOCX export written from a template matches, element for element, what the
python-docx renderer built (tests/docx_reference.py), on varied and hostile text; python-docx
opens it; LibreOffice converts it to PDF where it is installed."""

from __future__ import annotations

import io
import random
import shutil
import subprocess
import zipfile
from pathlib import Path
from xml.etree.ElementTree import canonicalize

import docx_reference as reference
import pytest
from docx import Document

from bot.chain.documents import (
    Block,
    Bullets,
    Column,
    Columns,
    ExportDocument,
    Heading,
    Paragraph,
    Quote,
    Table,
)
from bot.chain.export_docx import render_docx

HOSTILE = [
    "",
    " ",
    "  två mellanslag  ",
    "rad ett\nrad två\r\nrad tre\rfyra",
    "tab\there\t",
    "<w:p>injektion</w:p> & &amp; ]]> <![CDATA[x]]> \"'",
    "\x00\x01\x08\x0b\x0c\x1f kontroll \ufffe\uffff",
    "\x07",
    "😀 emoji \u200b \ufeff Åsa Öberg",
    "{{ x }} ${y} %s",
]


def _text(rng: random.Random) -> str:
    if rng.random() < 0.5:
        return rng.choice(HOSTILE)
    alphabet = "ab Å\n\r\t&<>\"'\x00\x0b;:é"
    return "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 25)))


def _blocks(rng: random.Random, depth: int = 0) -> tuple[Block, ...]:
    out: list[Block] = []
    for _ in range(rng.randint(3, 14)):
        kind = rng.randrange(7 if depth == 0 else 6)
        if kind == 0:
            out.append(Heading(rng.randint(1, 11), _text(rng)))
        elif kind == 1:
            out.append(Paragraph(_text(rng), rng.choice(["", _text(rng)]), rng.random() < 0.3))
        elif kind == 2:
            out.append(Quote(_text(rng)))
        elif kind == 3:
            out.append(Bullets(tuple(_text(rng) for _ in range(rng.randint(0, 3)))))
        elif kind in (4, 5):
            cols = rng.randint(1, 4)
            rows = tuple(tuple(_text(rng) for _ in range(cols)) for _ in range(rng.randint(0, 5)))
            depths = tuple(rng.randint(0, 5) for _ in rows) if rng.random() < 0.5 else ()
            totals = tuple(rng.random() < 0.3 for _ in rows) if depths else ()
            out.append(Table(tuple(_text(rng) + "h" for _ in range(cols)), rows, depths, totals))
        else:
            columns = tuple(
                Column(_text(rng), _blocks(rng, depth + 1)) for _ in range(rng.randint(1, 5))
            )
            out.append(Columns(columns))
    return tuple(out)


def _document(seed: int) -> ExportDocument:
    rng = random.Random(seed)
    blocks = _blocks(rng)
    if seed % 3 == 0:  # long enough for a table of contents
        blocks += tuple(Heading(rng.choice([1, 2]), _text(rng)) for _ in range(10))
    facts = tuple((_text(rng), _text(rng)) for _ in range(rng.randint(0, 4)))
    return ExportDocument(
        _text(rng) or "Titel", _text(rng), _text(rng), rng.choice(["sv", "en"]), facts, blocks
    )


def _parts(content: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(content)) as zf:
        return {name: zf.read(name) for name in zf.namelist()}


def _canonical(xml: bytes) -> str:
    return canonicalize(xml.decode("utf-8"))


@pytest.mark.parametrize("seed", range(30))
def test_same_parts_as_the_python_docx_renderer(seed: int) -> None:
    document = _document(seed)
    ours = _parts(render_docx(document))
    theirs = _parts(reference.render_docx(document))
    assert list(ours) == list(theirs)
    for name, data in theirs.items():
        if name.endswith(".xml") or name.endswith(".rels"):
            assert _canonical(ours[name]) == _canonical(data), name
        else:
            assert ours[name] == data, name


def test_python_docx_opens_it_and_reads_the_text_as_typed() -> None:
    typed = 'Svar <b>&amp; "citat"\nrad två\x00 slut'
    document = ExportDocument(
        "Titel & <x>",
        "Under",
        "Skapad",
        "sv",
        (("Runda", "7"),),
        (Heading(1, "Kapitel"), Quote(typed), Table(("Enhet", "Svar"), (("A", typed),))),
    )
    opened = Document(io.BytesIO(render_docx(document)))
    texts = [p.text for p in opened.paragraphs]
    assert 'Svar <b>&amp; "citat"\nrad två slut' in texts
    style = opened.paragraphs[0].style
    assert style is not None and style.name == "Title"
    assert opened.paragraphs[0].text == "Titel & <x>"
    assert opened.tables[1].cell(1, 1).text == 'Svar <b>&amp; "citat"\nrad två slut'
    assert opened.core_properties.title == "Titel & <x>"
    assert "Titel & <x>" in opened.sections[0].footer.paragraphs[0].text


def test_lone_surrogates_are_dropped() -> None:
    document = ExportDocument("T", "", "", "sv", (), (Quote("a\ud800b"),))
    opened = Document(io.BytesIO(render_docx(document)))
    assert "ab" in [p.text for p in opened.paragraphs]


def test_libreoffice_converts_it(tmp_path: Path) -> None:
    office = shutil.which("libreoffice") or shutil.which("soffice")
    if office is None:
        pytest.skip("LibreOffice is not installed")
    path = tmp_path / "export.docx"
    path.write_bytes(render_docx(_document(3)))
    subprocess.run(
        [office, "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(path)],
        check=True,
        capture_output=True,
        timeout=180,
        env={"HOME": str(tmp_path), "PATH": "/usr/bin:/bin"},
    )
    pdf = tmp_path / "export.pdf"
    assert pdf.exists() and pdf.read_bytes().startswith(b"%PDF")


def test_a_long_document_with_hostile_text_here_and_there() -> None:
    # Paragraphs and table rows are written in batches, checked at once: the few texts
    # that need the careful path must be found wherever they fall in a batch.
    rng = random.Random(23)
    blocks: list[Block] = []
    for n in range(400):
        text = rng.choice(HOSTILE) if n % 37 in (0, 1) else f"Svar {n} på frågan — ”ja” "
        blocks.extend((Paragraph("", f"Enhet {n} (Chef {n})"), Quote(text)))
    rows = tuple(
        (f"Enhet {n}", rng.choice(HOSTILE) if n % 41 == 0 else "Enhet", "1/1", f"{n}/9")
        for n in range(200)
    )
    blocks.append(Table(("Enhet", "Nivå", "Svar", "Chefer"), rows, (1,) * 200, (False,) * 200))
    blocks.append(Quote(rng.choice(HOSTILE)))
    document = ExportDocument("Lång", "Under", "Skapad", "sv", (), tuple(blocks))
    ours = _parts(render_docx(document))
    theirs = _parts(reference.render_docx(document))
    assert _canonical(ours["word/document.xml"]) == _canonical(theirs["word/document.xml"])
