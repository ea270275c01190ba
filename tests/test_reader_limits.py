"""Hostile and oversized input files are refused with a reason before they exhaust memory
(issue #10); an XML entity in a DOCX is reported, and the text after it kept."""
from __future__ import annotations

import io
import os
import resource
import zipfile

import pytest
from docx_builder import build_docx

from rightsgraph.extract import readers
from rightsgraph.extract.readers import ReadError, limits


def _rewrite(path, name: str, edit) -> None:
    """Replace one part of a ZIP archive with ``edit(its bytes)``."""
    with zipfile.ZipFile(path) as archive:
        parts = {info.filename: archive.read(info) for info in archive.infolist()}
    parts[name] = edit(parts[name])
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for part, data in parts.items():
            archive.writestr(part, data)


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def test_a_docx_zip_bomb_is_refused_before_it_is_inflated(tmp_path):
    path = tmp_path / "bomb.docx"
    build_docx(path, ["1. A paragraph."], {})
    inflated = limits.MAX_DOCX_INFLATED_BYTES + 50_000_000
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED, compresslevel=1) as archive, \
            archive.open("word/media/padding.xml", "w", force_zip64=True) as part:
        chunk = b" " * 2**22
        for _ in range(inflated // len(chunk) + 1):
            part.write(chunk)
    assert path.stat().st_size < 2_000_000
    before = _peak_mb()
    with pytest.raises(ReadError, match="inflate to more than 100,000,000 bytes"):
        readers.read(path)
    assert _peak_mb() - before < 100  # nothing was inflated into memory


def test_a_docx_that_lies_about_its_sizes_is_refused(tmp_path):
    """The declared sizes are small, the real inflation is not: zipfile stops at the declared
    size and the CRC check fails, so the file is refused as damaged, never inflated."""
    path = tmp_path / "liar.docx"
    build_docx(path, ["1. A paragraph."], {})
    raw = io.BytesIO()
    payload = b"<w:t>" + b"x" * 5_000_000 + b"</w:t>"
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED) as out:
        for info in source.infolist():
            out.writestr(info, source.read(info))
        out.writestr("word/extra.xml", payload)
    data = bytearray(raw.getvalue())
    # Patch the declared size of word/extra.xml (local header and central directory).
    real = len(payload).to_bytes(4, "little")
    assert data.count(real) == 2
    data[:] = data.replace(real, (1000).to_bytes(4, "little"))
    path.write_bytes(bytes(data))
    with pytest.raises(ReadError, match="damaged ZIP"):
        readers.read(path)


@pytest.mark.parametrize("fmt, suffix", [("text", ".txt"), ("html", ".html")])
def test_a_text_file_past_the_size_limit_is_refused_unread(tmp_path, fmt, suffix):
    path = tmp_path / f"huge{suffix}"
    with path.open("wb") as out:
        out.truncate(limits.MAX_FILE_BYTES[fmt] + 1)  # sparse: no disk, no time
    if fmt == "html":
        with path.open("r+b") as out:
            out.write(b"<html>")
    else:
        with path.open("r+b") as out:
            out.write(b"1. text")
    before = _peak_mb()
    with pytest.raises(ReadError, match=f"the limit for a {fmt} file is"):
        readers.read(path)
    assert _peak_mb() - before < 20


def test_a_file_with_too_many_paragraphs_is_refused(tmp_path):
    path = tmp_path / "many.txt"
    path.write_text("".join(f"{n}.\tA paragraph.\n" for n in range(limits.MAX_BLOCKS + 1)),
                    encoding="utf-8")
    assert os.path.getsize(path) < limits.MAX_FILE_BYTES["text"]
    with pytest.raises(ReadError, match="20,001 paragraphs; the limit is 20,000"):
        readers.read(path)


def test_an_xml_entity_in_a_docx_warns_and_keeps_the_text_after_it(tmp_path):
    path = tmp_path / "entity.docx"
    build_docx(path, ["1. Before ENTITY after the entity."], {})

    def declare(xml: bytes) -> bytes:
        head, _, rest = xml.partition(b"?>")
        root = rest.lstrip().split(b" ", 1)[0][1:]  # the root element's name
        doctype = b'<!DOCTYPE ' + root + b' [<!ENTITY org "Acme">]>'
        return head + b"?>" + doctype + rest.replace(b"ENTITY", b"&org;")

    _rewrite(path, "word/document.xml", declare)
    source = readers.read(path)
    assert "after the entity." in source.blocks[0].text
    assert any("XML entity" in warning and "org" in warning for warning in source.warnings)
