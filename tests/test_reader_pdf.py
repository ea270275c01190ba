"""The PDF reader on real UN PDFs (../shared/corpus/full) and on files it must refuse."""
from __future__ import annotations

import io
import re

import pypdfium2 as pdfium
import pytest
from conftest import shared

from rightsgraph.extract.pipeline import ExtractionError, extract_file
from rightsgraph.extract.readers import ReadError, read

NUMBERED = re.compile(r"^(\d{1,3})\. ")
SUMMARY = "A_HRC_WG.6_34_ITA_3.{}.pdf"


@pytest.fixture(scope="module", params=["en", "ru"])
def summary(request):
    return request.param, read(shared("corpus", "full", SUMMARY.format(request.param)))


def test_numbered_paragraphs_come_out_in_order(summary):
    _, source = summary
    numbered = [(int(m.group(1)), b.text) for b in source.blocks if (m := NUMBERED.match(b.text))]
    # Besides paragraphs 1-94, four numbered cluster headings ("1. Cross-cutting issues").
    headings = [n for n, text in numbered if len(text) < 50]
    assert headings == [1, 2, 3, 4]
    assert [n for n, text in numbered if len(text) >= 50] == list(range(1, 95))


def test_running_headers_footers_and_page_numbers_are_gone(summary):
    _, source = summary
    texts = [b.text for b in source.blocks]
    assert sum("A/HRC/WG.6/34/ITA/3" in t for t in texts) == 1  # the masthead only
    assert not any(re.fullmatch(r"\d{1,2}", t) or "GE.19-13879" in t for t in texts)


def test_every_footnote_is_read_and_attached_to_its_marker(summary):
    _, source = summary
    assert set(source.footnotes) == {"*"} | {str(n) for n in range(1, 170)}
    marked = [m.footnote for b in source.blocks for m in b.markers]
    assert sorted(marked, key=lambda f: (f != "*", int(f) if f.isdigit() else 0)) == \
        ["*"] + [str(n) for n in range(1, 170)]
    assert source.footnotes["169"].text == "JS6, p.14."
    assert source.footnotes["130"].text.startswith("For relevant recommendations see A/HRC/28/4")


def test_line_end_hyphens_of_compounds_are_kept():
    source = read(shared("corpus", "full", SUMMARY.format("en")))
    text = " ".join(b.text for b in source.blocks)
    assert "principle of non-refoulement" in text and "anti-trafficking" in text


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_the_summary_extracts_with_its_footnotes(lang):
    """Not concluding observations: the pipeline says so and still gives paragraphs, in
    English and in Russian (numbered paragraphs 1-94, footnotes on their paragraphs)."""
    doc = extract_file(shared("corpus", "full", SUMMARY.format(lang)))
    assert doc.language == lang
    assert [p.number for p in doc.paragraphs] == list(range(1, 95))
    assert doc.symbol == "A/HRC/WG.6/34/ITA/3"
    assert doc.document_type != "concluding observations"
    assert doc.paragraph(94).footnotes == ["169"]
    assert doc.footnotes["169"].paragraph == 94


def _blank_pdf(tmp_path, name="scan.pdf"):
    document = pdfium.PdfDocument.new()
    document.new_page(595, 842)
    path = tmp_path / name
    document.save(path)
    return path


def test_a_pdf_without_text_layer_is_refused_as_scanned(tmp_path):
    path = _blank_pdf(tmp_path)
    with pytest.raises(ReadError, match=r"scan\.pdf: no text layer .*OCR"):
        read(path)


def test_an_encrypted_pdf_is_refused(tmp_path):
    pypdf = pytest.importorskip("pypdf")
    writer = pypdf.PdfWriter(clone_from=_blank_pdf(tmp_path))
    writer.encrypt("secret", algorithm="AES-128")
    path = tmp_path / "locked.pdf"
    buffer = io.BytesIO()
    writer.write(buffer)
    path.write_bytes(buffer.getvalue())
    with pytest.raises(ReadError, match=r"locked\.pdf: the PDF is encrypted"):
        read(path)


def test_a_corrupt_pdf_is_refused_with_the_file_named(tmp_path):
    path = tmp_path / "broken.pdf"
    path.write_bytes(b"%PDF-1.7\n1 0 obj <<>> garbage")
    with pytest.raises(ExtractionError, match=r"broken\.pdf: not a readable PDF"):
        extract_file(path)


def test_a_pdf_extension_without_pdf_content_is_refused(tmp_path):
    path = tmp_path / "fake.pdf"
    path.write_text("1. The Committee", encoding="utf-8")
    with pytest.raises(ReadError, match=r"fake\.pdf: not a PDF file"):
        read(path)
