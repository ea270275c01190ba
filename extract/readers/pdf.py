"""Reader for PDF files with a text layer (UN documents as published on ODS and docstore).

The glyphs of each page (character, origin, font size) and its thin horizontal rules are
read with pypdfium2 (PDFium, Apache-2.0/BSD), chosen by measurement over pypdf,
pdfminer.six and pdfplumber (``benchmarks/pdf_readers.md``: fastest, and the only one of
the four that gives both exact glyph boxes and the drawn rules).  Everything after that is
library-independent and lives in :mod:`.pdf_layout`: lines, running headers and footers,
footnotes, paragraphs and hyphenation.

``Block.line`` and ``SourceFootnote.line`` are page numbers.  A PDF without a text layer
(a scan), an encrypted one or a damaged file raises :class:`ReadError` naming the file.
"""
from __future__ import annotations

import ctypes
import hashlib
import os
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from rightsgraph.extract.model import Source
from rightsgraph.extract.readers.errors import ReadError
from rightsgraph.extract.readers.limits import MAX_PDF_PAGES
from rightsgraph.extract.readers.pdf_layout import Glyph, Page, to_source

# Fewer visible characters than this per page on average: no usable text layer.
MIN_GLYPHS_PER_PAGE = 20
RULE_THICKNESS = 2.0  # points; a thin filled rectangle or stroked line is a rule


def read(path: str | os.PathLike) -> Source:
    """Read a PDF into the intermediate form; raises :class:`ReadError` if it cannot."""
    try:
        data = Path(path).read_bytes()
    except OSError as err:
        raise ReadError(path, err.strerror or str(err)) from err
    pages = read_pages(data, path)
    visible = sum(1 for page in pages for glyph in page.glyphs if glyph.text.strip())
    if visible < MIN_GLYPHS_PER_PAGE * max(len(pages), 1):
        raise ReadError(path, f"no text layer ({visible} characters on {len(pages)} page(s)); "
                              "it looks scanned: run OCR on it first (e.g. ocrmypdf)")
    return to_source(pages, path=str(path), sha256=hashlib.sha256(data).hexdigest())


def read_pages(data: bytes, path: str | os.PathLike = "<pdf>") -> list[Page]:
    """The glyphs and rules of every page of the PDF in ``data``."""
    try:
        document = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as err:
        if "password" in str(err).lower():
            raise ReadError(path, "the PDF is encrypted (password-protected); save an "
                                  "unprotected copy and try again") from err
        raise ReadError(path, f"not a readable PDF ({err})") from err
    try:
        if len(document) > MAX_PDF_PAGES:
            raise ReadError(path, f"{len(document):,} pages; the limit is {MAX_PDF_PAGES:,} "
                                  "(is this one document?)")
        return [_page(document[index], index + 1) for index in range(len(document))]
    finally:
        document.close()


def _page(page: pdfium.PdfPage, number: int) -> Page:
    width, height = page.get_size()
    textpage = page.get_textpage()
    glyphs = []
    x, y = ctypes.c_double(), ctypes.c_double()
    box = pdfium_c.FS_RECTF()
    raw = textpage.raw  # the handle itself: no wrapper to convert at each call
    unicode, generated = pdfium_c.FPDFText_GetUnicode, pdfium_c.FPDFText_IsGenerated
    loose_box, origin = pdfium_c.FPDFText_GetLooseCharBox, pdfium_c.FPDFText_GetCharOrigin
    font_size = pdfium_c.FPDFText_GetFontSize
    for index in range(textpage.count_chars()):
        code = unicode(raw, index)
        if code in (0x0D, 0x0A, 0xFFFE) or code == 0:
            continue
        # PDFium reports a hyphen at a line end as 0x02 whether it is part of the word
        # ("non-refoulement") or not; pdf_layout decides which.
        char = "-" if code == 0x02 else chr(code)
        if generated(raw, index) == 1 and not char.isspace():
            continue
        # The loose box spans the glyph's advance width, so letters of a word touch.
        loose_box(raw, index, box)
        origin(raw, index, x, y)
        glyphs.append(Glyph(char, box.left, box.right, height - y.value, font_size(raw, index)))
    rules = []
    for obj in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_PATH], max_depth=1):
        left, bottom, right, top = obj.get_bounds()
        if top - bottom <= RULE_THICKNESS and right - left > 4 * RULE_THICKNESS:
            rules.append((left, right, height - top))
    textpage.close()
    page.close()
    return Page(number, width, height, glyphs, rules)
