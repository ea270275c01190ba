"""Page layout -> intermediate form: the library-independent half of the PDF reader.

A PDF's text layer is a set of positioned glyphs.  :func:`to_source` turns the glyphs of
every page (read by :mod:`.pdf`, or by another library in ``benchmarks/pdf_readers.py``)
into the blocks, markers and footnotes the text and DOCX readers give:

* **Lines.**  Glyphs of ordinary size are grouped by baseline and sorted left to right; a
  space is put where the text layer has one or where the gap between glyphs is wider than
  0.15 of the font size (LibreOffice writes tabs as gaps).  Glyphs much smaller than
  the document's body size (at most ``SUPERSCRIPT`` times it) are superscripts: they join
  the line whose baseline lies just below them.  A superscript run of digits or ``*``/``†``
  is a footnote marker (``Marker``); other superscripts ("1st", "m2") stay text.
* **Running headers and footers.**  In the top and bottom ``MARGIN`` of a page, a line
  that is a page number, a UN job number ("GE.19-13879(E)"), a barcode, or whose text
  (digits ignored) recurs in the margins of half the pages is dropped.  On the first page
  only page numbers, job numbers and barcodes are dropped: the masthead holds the symbol.
* **Footnotes.**  They start below the footnote separator (a short thin rule at the left
  margin, drawn by Word and LibreOffice) or, on pages without one, at the first line that
  starts with a marker and is set smaller than the body.  A line that starts with a marker
  starts a footnote whose id is the marker; other lines continue the current footnote (at
  the top of the zone: the last footnote of the previous page, which Word continues).
* **Blocks.**  Body lines are joined into one block per paragraph: a new block starts at a
  wider vertical gap than the line spacing, at a change of font size, and at a line that
  starts with a paragraph number, a sub-item label or a section label, and after a line
  that ends short of the right edge by more than the next line's first word.  A paragraph that
  runs over a page break is joined when it plainly continues (no final stop, or the next
  page starts in lower case).
* **Hyphenation.**  A line ending in a soft hyphen is joined without it.  A line ending
  in "-" before a lower-case letter is joined without the hyphen only if the joined word
  occurs elsewhere in the document and the hyphenated one does not (so "anti-gypsyism"
  and "трудящихся-мигрантов" keep theirs).

``Block.line`` and ``SourceFootnote.line`` are **page numbers** (1-based) for PDFs.
"""
from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections import Counter
from dataclasses import dataclass, field, replace

from rightsgraph.extract.model import Block, Marker, Source, SourceFootnote

SUPERSCRIPT = 0.75  # a glyph at most this fraction of the body size is a superscript
MARGIN = 0.1  # running headers and footers sit in the top and bottom tenth of a page
SPACE_GAP = 0.15  # a gap wider than this fraction of the font size is a space
AVERAGE_CHAR = 0.5  # average glyph width in ems, to guess whether a word fits on a line
PARAGRAPH_GAP = 1.55  # a baseline step wider than this many font sizes starts a block
MARKER_TEXT = re.compile(r"^(?:\d{1,4}\*?|[*†‡]{1,3})$")
FURNITURE = re.compile(
    r"^(?:\d{1,4}|GE\.\d{2}-\d{4,6}.*|\d{1,4}\s+GE\.\d{2}-\d{4,6}.*|[*\d\s]*\*\d+\*[*\d\s]*|\W*)$")
BLOCK_START = re.compile(
    r"^(?:\d{1,3}[.．]\s?\S|\(?[a-z]{1,2}\)\s|\(?[ivxl]{1,6}\)\s|[A-H][.．]\s|[IVX]{1,5}[.．]\s)")
NOTE_NUMBER = re.compile(r"^(\d{1,4}|[*†‡]{1,3})(?:\s+|$)")
TERMINAL = tuple(".:;!?。；：")
WORD = re.compile(r"\w+(?:-\w+)*")
SOFT_HYPHEN = "\u00ad"


@dataclass
class Glyph:
    """One character of the text layer: ``y`` is its baseline, measured down from the top."""

    text: str
    x0: float
    x1: float
    y: float
    size: float


@dataclass
class Page:
    """The glyphs of one page and the horizontal rules drawn on it (``(x0, x1, y)``)."""

    number: int
    width: float
    height: float
    glyphs: list[Glyph]
    rules: list[tuple[float, float, float]] = field(default_factory=list)


@dataclass
class Line:
    text: str
    markers: list[Marker]
    x0: float
    y: float
    size: float
    page: int
    x1: float = 0.0

    @property
    def starts_with_marker(self) -> bool:
        return bool(self.markers) and self.markers[0].offset == 0


def body_size(pages: list[Page]) -> float:
    """The most common font size of the document's visible glyphs."""
    sizes = Counter(round(g.size * 2) / 2 for p in pages for g in p.glyphs if g.text.strip())
    return sizes.most_common(1)[0][0] if sizes else 0.0


def to_source(pages: list[Page], *, path: str, sha256: str, fmt: str = "pdf") -> Source:
    """The intermediate form of a document given as laid-out pages."""
    size = body_size(pages)
    lines = [_lines(page, size) for page in pages]
    _drop_furniture(pages, lines)
    bodies: list[Line] = []
    notes: dict[str, list[Line]] = {}
    last_note: str | None = None
    continuing = False
    for page, page_lines in zip(pages, lines, strict=True):
        start = _footnote_start(page, page_lines, size, continuing)
        continuing = start < len(page_lines)
        bodies.extend(page_lines[:start])
        for line in page_lines[start:]:
            if (opened := _note_start(line, last_note)) is not None:
                last_note, first = opened
                notes.setdefault(last_note, []).append(first)
            elif last_note is not None:
                notes[last_note].append(line)
            else:
                bodies.append(line)
    words = Counter(w for line in bodies + [x for v in notes.values() for x in v]
                    for w in WORD.findall(line.text.lower()))
    blocks = _blocks(bodies, words)
    footnotes = {}
    for fid, note_lines in notes.items():
        text, _ = _join(note_lines, words)
        footnotes[fid] = SourceFootnote(fid, text.strip(), note_lines[0].page)
    for block in blocks:
        block.text, block.markers = _resolve_markers(block, set(footnotes))
    _mark_symbols(blocks, footnotes)
    return Source(path=path, format=fmt, sha256=sha256, blocks=blocks, footnotes=footnotes)


# --- lines --------------------------------------------------------------------------------


def _lines(page: Page, size: float) -> list[Line]:
    """The page's lines, top to bottom, superscripts placed in the line they belong to."""
    visible = [g for g in page.glyphs if g.text.strip()]
    small = size * SUPERSCRIPT
    normal = sorted((g for g in visible if g.size > small), key=lambda g: (g.y, g.x0))
    rows: list[list[Glyph]] = []
    for glyph in normal:
        if rows and abs(glyph.y - rows[-1][0].y) <= 0.35 * max(glyph.size, rows[-1][0].size):
            rows[-1].append(glyph)
        else:
            rows.append([glyph])
    superscripts = [g for g in visible if g.size <= small]
    spaces = _Spaces([g for g in page.glyphs if not g.text.strip() and g.text not in "\r\n"])
    extra: list[list[Glyph]] = []
    extents = [[row[0].y, max(g.size for g in row), min(g.x0 for g in row),
                max(g.x1 for g in row)] for row in rows]
    for glyph in superscripts:
        below = _row_below(extents, glyph)
        if below is None:
            _orphan_row(extra, glyph).append(glyph)
            continue
        rows[below].append(glyph)
        extent = extents[below]
        extent[1:] = max(extent[1], glyph.size), min(extent[2], glyph.x0), \
            max(extent[3], glyph.x1)
    rows.extend(extra)
    rows.sort(key=lambda r: _baseline(r, small))
    return [_line(row, spaces, small, page.number) for row in rows]


def _row_below(extents: list[list[float]], glyph: Glyph) -> int | None:
    """The line a superscript belongs to: baseline at or just below the superscript's.
    ``extents`` are the rows' baseline, largest size, left and right edges."""
    best = None
    best_base = 0.0
    for index, (base, height, left, right) in enumerate(extents):
        # A footnote's number hangs left of its text, up to a few ems.
        if -0.25 * height <= base - glyph.y <= 0.9 * height and \
                left - 4 * height <= glyph.x0 <= right + height and \
                (best is None or base - glyph.y < best_base - glyph.y):
            best, best_base = index, base
    return best


def _orphan_row(extra: list[list[Glyph]], glyph: Glyph) -> list[Glyph]:
    for row in extra:
        if abs(row[0].y - glyph.y) <= 0.35 * glyph.size:
            return row
    extra.append([])
    return extra[-1]


def _baseline(row: list[Glyph], small: float) -> float:
    normal = [g.y for g in row if g.size > small]
    return min(normal) if normal else row[0].y


class _Spaces:
    """A page's space glyphs by height, to find those of one line without reading all."""

    def __init__(self, glyphs: list[Glyph]) -> None:
        self.glyphs = sorted(glyphs, key=lambda g: g.y)
        self.ys = [g.y for g in self.glyphs]

    def gaps(self, base: float, size: float) -> list[float]:
        """Left edges, sorted, of the spaces within 0.35 ``size`` of ``base`` (those a point
        either side are read and tested as :func:`_line` always has)."""
        reach = 0.35 * size
        low = bisect_left(self.ys, base - reach - 1.0)
        high = bisect_right(self.ys, base + reach + 1.0)
        return sorted(g.x0 for g in self.glyphs[low:high] if abs(g.y - base) <= reach)


def _line(row: list[Glyph], spaces: _Spaces, small: float, page: int) -> Line:
    """Text and markers of one row of glyphs."""
    row = sorted(row, key=lambda g: g.x0)
    normal = [g for g in row if g.size > small] or row
    base = min(g.y for g in normal)
    size = Counter(round(g.size * 2) / 2 for g in normal).most_common(1)[0][0]
    gaps = spaces.gaps(base, size)
    text: list[str] = []
    length = 0
    markers: list[Marker] = []
    run: list[Glyph] = []  # the superscript run being collected
    previous: Glyph | None = None

    def flush_run() -> None:
        nonlocal length
        label = "".join(g.text for g in run)
        if MARKER_TEXT.match(label):
            markers.append(Marker(length, label))
        else:
            text.append(label)
            length += len(label)
        run.clear()

    for glyph in row:
        superscript = glyph.size <= small and bool(normal) and normal is not row
        if previous is not None and _spaced(previous, glyph, gaps) and not (
                superscript and not run and previous.size > small):
            if run:
                flush_run()
            if text and not text[-1].endswith(" "):
                text.append(" ")
                length += 1
        if superscript:
            run.append(glyph)
        else:
            if run:
                flush_run()
            text.append(glyph.text)
            length += len(glyph.text)
        previous = glyph
    if run:
        flush_run()
    joined = "".join(text)
    stripped = joined.rstrip()
    lead = len(stripped) - len(stripped.lstrip())
    markers = [Marker(max(0, min(m.offset - lead, len(stripped) - lead)), m.footnote)
               for m in markers]
    return Line(stripped.lstrip(), markers, normal[0].x0, base, size, page,
                max(g.x1 for g in row))


def _spaced(left: Glyph, right: Glyph, gaps: list[float]) -> bool:
    """A space between two glyphs: a space glyph between them, or a wide gap."""
    if right.x0 - left.x1 > SPACE_GAP * min(left.size, right.size):
        return True
    after = bisect_right(gaps, left.x0)  # gaps are sorted
    return after < len(gaps) and gaps[after] < right.x0


# --- page furniture -----------------------------------------------------------------------


def _drop_furniture(pages: list[Page], lines: list[list[Line]]) -> None:
    """Remove running headers, footers and page numbers (see the module docstring)."""
    def in_margin(page: Page, line: Line) -> bool:
        return line.y < page.height * MARGIN or line.y > page.height * (1 - MARGIN)

    def key(line: Line) -> str:
        return re.sub(r"\d+", "#", re.sub(r"\s+", " ", line.text)).strip()

    seen: Counter[str] = Counter()
    for page, page_lines in zip(pages, lines, strict=True):
        seen.update({key(line) for line in page_lines if in_margin(page, line)})
    # On at least half the pages (a footnote "Ibid., para. 4." may recur on a few).
    repeated = max(2, len(pages) // 2) if len(pages) > 1 else 2
    for index, (page, page_lines) in enumerate(zip(pages, lines, strict=True)):
        page_lines[:] = [
            line for line in page_lines
            if not (in_margin(page, line) and (
                FURNITURE.match(line.text) and not line.markers
                or index > 0 and seen[key(line)] >= repeated))]


# --- footnotes ----------------------------------------------------------------------------


def _footnote_start(page: Page, lines: list[Line], size: float, continuing: bool) -> int:
    """Index of the page's first footnote line (``len(lines)`` if it has none).

    ``continuing``: the previous page ended in footnotes, so a page set entirely in the
    footnote size (notes printed at the end of a document) continues them.
    """
    separators = [y for x0, x1, y in page.rules
                  if x0 < page.width * 0.25 and 0.05 * page.width < x1 - x0 < 0.4 * page.width
                  and y > page.height * 0.15]
    if separators:
        below = max(separators)
        for i, line in enumerate(lines):
            if line.y > below:
                return i
    for i, line in enumerate(lines):
        if line.starts_with_marker and line.size < size - 0.4 and \
                all(other.size < size - 0.4 for other in lines[i:]):
            while i > 0 and lines[i - 1].size < size - 0.4 and not BLOCK_START.match(
                    lines[i - 1].text):
                i -= 1
            return i
    if continuing and lines and all(line.size < size - 0.4 for line in lines):
        return 0
    return len(lines)


def _note_start(line: Line, last: str | None) -> tuple[str, Line] | None:
    """The id and first line (without its number) of a footnote that ``line`` starts.

    The number is a superscript marker (Word) or, in LibreOffice's footnote area, the
    next footnote number in text size; LibreOffice prints a custom mark after it ("1*").
    """
    if line.starts_with_marker:
        return line.markers[0].footnote, replace(line, markers=line.markers[1:])
    match = NOTE_NUMBER.match(line.text)
    expected = str(int(last) + 1) if last and last.isdigit() else None
    if match is None or (match.group(1).isdigit() and last is not None
                         and match.group(1) != expected):
        return None
    end = match.end()
    markers = [Marker(max(0, m.offset - end), m.footnote) for m in line.markers
               if m.offset != len(match.group(1))]
    return match.group(1), replace(line, text=line.text[end:], markers=markers)


def _mark_symbols(blocks: list[Block], footnotes: dict[str, SourceFootnote]) -> None:
    """A footnote marked "*" whose mark is set in text size (UN titles: "on Italy*"): the
    first "*" that ends a word becomes its marker."""
    marked = {m.footnote for block in blocks for m in block.markers}
    for fid in footnotes:
        if fid.isdigit() or fid in marked:
            continue
        pattern = re.compile(rf"(?<=[\w.)”]){re.escape(fid)}(?!\w)")
        for block in blocks:
            if match := pattern.search(block.text):
                block.text = block.text[:match.start()] + block.text[match.end():]
                block.markers = sorted(
                    [Marker(m.offset - len(fid) if m.offset >= match.end() else m.offset,
                            m.footnote) for m in block.markers] + [Marker(match.start(), fid)],
                    key=lambda m: m.offset)
                break


def _resolve_markers(block: Block, known: set[str]) -> tuple[str, list[Marker]]:
    """Keep markers that name a footnote; put the others back into the text."""
    text, markers, shift = block.text, [], 0
    for marker in block.markers:
        fid = marker.footnote
        if fid in known:
            markers.append(Marker(marker.offset + shift, fid))
        elif fid.rstrip("*") in known:
            markers.append(Marker(marker.offset + shift, fid.rstrip("*")))
        else:
            at = marker.offset + shift
            text = text[:at] + fid + text[at:]
            shift += len(fid)
    return text, markers


# --- blocks -------------------------------------------------------------------------------


def _blocks(lines: list[Line], words: Counter) -> list[Block]:
    right = {}  # page -> right edge of the text: the 90th percentile of the line ends
    for page in {line.page for line in lines}:
        ends = sorted(line.x1 for line in lines if line.page == page)
        right[page] = ends[min(len(ends) - 1, int(len(ends) * 0.9))]
    groups: list[list[Line]] = []
    for line in lines:
        if groups and _continues(groups[-1][-1], line, right[groups[-1][-1].page]):
            groups[-1].append(line)
        else:
            groups.append([line])
    blocks = []
    for group in groups:
        text, markers = _join(group, words)
        blocks.append(Block(text=text, line=group[0].page, markers=markers))
    return blocks


def _continues(previous: Line, line: Line, right: float) -> bool:
    """Whether ``line`` belongs to the same paragraph as ``previous``.

    Not if the first word of ``line`` would have fitted at the end of ``previous``: the
    text was not wrapped there, the paragraph ended.
    """
    if BLOCK_START.match(line.text) or abs(line.size - previous.size) > 0.4:
        return False
    em = previous.size
    first_word = len(line.text.split(" ", 1)[0])
    if previous.x1 + (first_word + 1) * AVERAGE_CHAR * em < right - em:
        return False
    if line.page != previous.page:
        return not previous.text.endswith(TERMINAL) or line.text[:1].islower()
    return 0 < line.y - previous.y <= PARAGRAPH_GAP * previous.size


def _join(lines: list[Line], words: Counter) -> tuple[str, list[Marker]]:
    """Join lines with spaces, repairing hyphenation; markers shifted to the joined text."""
    text = ""
    markers: list[Marker] = []
    for line in lines:
        shift = len(text)
        if text:
            if text.endswith(SOFT_HYPHEN) or _hyphenated(text, line.text, words):
                text = text[:-1]
            elif not text.endswith("-") or not line.text[:1].islower():
                text += " "
            shift = len(text)
        markers.extend(Marker(m.offset + shift, m.footnote) for m in line.markers)
        text += line.text
    return text, markers


def _hyphenated(text: str, following: str, words: Counter) -> bool:
    """A line-end hyphen that splits one word (see the module docstring)."""
    if not text.endswith("-") or not following[:1].islower():
        return False
    head = re.search(r"(\w+)-$", text)
    tail = re.match(r"\w+", following)
    if not head or not tail:
        return False
    joined = (head.group(1) + tail.group(0)).lower()
    hyphenated = f"{head.group(1)}-{tail.group(0)}".lower()
    return words[joined] > 0 and words[hyphenated] == 0
