"""Compare PDF libraries as the glyph source of the PDF reader (writes pdf_readers.md).

Every library feeds the same layout stage (``extract/readers/pdf_layout.py``) with the
glyphs (character, origin, size) and thin rules it can give; what differs is what each
library reads and how fast.  Measured on the English and Russian PDFs of
A/HRC/WG.6/34/ITA/3 in ../shared/corpus/full against the hand-aligned paragraphs of
../shared/corpus/derived/A_HRC_WG.6_34_ITA_3.en-ru.aligned.json:

* seconds per page (best of three, reading + layout);
* numbered paragraphs recovered: a block that starts with the paragraph's number and
  whose letters equal the aligned text's letters (digits, spaces and punctuation
  ignored, since the aligned text keeps footnote numbers inline);
* footnotes recovered (1-169 and "*") and footnotes whose marker sits in the body.

Usage: .venv/bin/pip install -e '.[bench]' && .venv/bin/python benchmarks/pdf_readers.py
"""
from __future__ import annotations

import json
import math
import re
import sys
import time
from pathlib import Path

from rightsgraph.extract.readers import pdf as pdfium_reader
from rightsgraph.extract.readers.pdf_layout import Glyph, Page, to_source

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "corpus"
PDFS = {lang: SHARED / "full" / f"A_HRC_WG.6_34_ITA_3.{lang}.pdf" for lang in ("en", "ru")}
ALIGNED = SHARED / "derived" / "A_HRC_WG.6_34_ITA_3.en-ru.aligned.json"
NUMBERED = re.compile(r"^(\d{1,3})\.\s")
EXPECTED_NOTES = {"*"} | {str(n) for n in range(1, 170)}


def pages_pypdfium2(path: Path) -> list[Page]:
    return pdfium_reader.read_pages(path.read_bytes(), path)


def pages_pdfminer(path: Path) -> list[Page]:
    from pdfminer.high_level import extract_pages
    from pdfminer.layout import LTChar, LTCurve

    pages = []
    for number, layout in enumerate(extract_pages(path, laparams=None), 1):
        glyphs, rules = [], []
        for item in _walk(layout):
            if isinstance(item, LTChar):
                glyphs.append(Glyph(item.get_text(), item.x0, item.x1,
                                    layout.height - item.matrix[5], item.size))
            elif isinstance(item, LTCurve) and item.height <= 2 and item.width > 8:
                rules.append((item.x0, item.x1, layout.height - item.y1))
        pages.append(Page(number, layout.width, layout.height, glyphs, rules))
    return pages


def _walk(container):
    """Every layout object, descending into figures (form XObjects)."""
    for item in container:
        yield item
        if hasattr(item, "__iter__"):
            yield from _walk(item)


def pages_pdfplumber(path: Path) -> list[Page]:
    import pdfplumber

    pages = []
    with pdfplumber.open(path) as document:
        for number, page in enumerate(document.pages, 1):
            glyphs = [Glyph(c["text"], c["x0"], c["x1"], page.height - c["matrix"][5], c["size"])
                      for c in page.chars]
            rules = [(r["x0"], r["x1"], r["top"]) for r in page.rects + page.lines
                     if r["height"] <= 2 and r["width"] > 8]
            pages.append(Page(number, page.width, page.height, glyphs, rules))
    return pages


def pages_pypdf(path: Path) -> list[Page]:
    """pypdf reports text fragments with their matrix but no glyph widths (estimated)."""
    from pypdf import PdfReader

    pages = []
    for number, page in enumerate(PdfReader(path).pages, 1):
        height = float(page.mediabox.height)
        glyphs: list[Glyph] = []

        def visit(text, cm, tm, font, size, glyphs=glyphs, height=height):
            m = [tm[0] * cm[0] + tm[1] * cm[2], tm[0] * cm[1] + tm[1] * cm[3],
                 tm[2] * cm[0] + tm[3] * cm[2], tm[2] * cm[1] + tm[3] * cm[3],
                 tm[4] * cm[0] + tm[5] * cm[2] + cm[4], tm[4] * cm[1] + tm[5] * cm[3] + cm[5]]
            scale = math.sqrt(abs(m[0] * m[3] - m[1] * m[2])) or 1.0
            real = size * scale
            x = m[4]
            for char in text:
                if char in "\r\n":
                    continue
                glyphs.append(Glyph(char, x, x + 0.5 * real, height - m[5], real))
                x += 0.5 * real

        page.extract_text(visitor_text=visit)
        pages.append(Page(number, float(page.mediabox.width), height, glyphs, []))
    return pages


LIBRARIES = {"pypdfium2": pages_pypdfium2, "pdfminer.six": pages_pdfminer,
             "pdfplumber": pages_pdfplumber, "pypdf": pages_pypdf}


def letters(text: str) -> str:
    return re.sub(r"[\W\d_]+", "", text).lower()


def aligned() -> dict[str, dict[int, str]]:
    pairs = json.loads(ALIGNED.read_text(encoding="utf-8"))["paragraphs"]
    out: dict[str, dict[int, str]] = {"en": {}, "ru": {}}
    for pair in pairs:
        for lang, key in (("en", "main_language"), ("ru", "other_language")):
            if m := NUMBERED.match(pair[key]):
                out[lang].setdefault(int(m.group(1)), letters(pair[key][m.end():]))
    return out


def measure(library: str, lang: str, gold: dict[int, str]) -> dict:
    path = PDFS[lang]
    best, source, pages = math.inf, None, 0
    for _ in range(3):
        start = time.perf_counter()
        laid_out = LIBRARIES[library](path)
        source = to_source(laid_out, path=str(path), sha256="")
        best = min(best, time.perf_counter() - start)
        pages = len(laid_out)
    assert source is not None
    found: dict[int, list[str]] = {}
    for block in source.blocks:
        if (m := NUMBERED.match(block.text)) and int(m.group(1)) in gold:
            found.setdefault(int(m.group(1)), []).append(letters(block.text[m.end():]))
    recovered = sum(1 for n, text in gold.items() if text in found.get(n, []))
    marked = {m.footnote for b in source.blocks for m in b.markers}
    notes = EXPECTED_NOTES & set(source.footnotes)
    return {"library": library, "lang": lang, "pages": pages, "s_per_page": best / pages,
            "paragraphs": recovered, "of": len(gold), "footnotes": len(notes),
            "attached": len(notes & marked), "notes_of": len(EXPECTED_NOTES)}


def main() -> int:
    gold = aligned()
    rows = [measure(lib, lang, gold[lang]) for lib in LIBRARIES for lang in PDFS]
    table = ["| library | PDF | s/page | numbered paragraphs recovered | footnotes read | "
             "footnotes attached to a marker |", "|---|---|---|---|---|---|"]
    for r in rows:
        table.append(f"| {r['library']} | {r['lang']} ({r['pages']} pp.) | "
                     f"{r['s_per_page']:.4f} | {r['paragraphs']}/{r['of']} | "
                     f"{r['footnotes']}/{r['notes_of']} | {r['attached']}/{r['notes_of']} |")
    print("\n".join(table))
    out = Path(__file__).with_suffix(".md")
    text = out.read_text(encoding="utf-8") if out.exists() else ""
    begin, end = "<!-- results -->", "<!-- /results -->"
    if begin in text and end in text:
        text = text[:text.index(begin) + len(begin)] + "\n" + "\n".join(table) + "\n" + \
            text[text.index(end):]
        out.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
