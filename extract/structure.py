"""Stage 2: the intermediate form -> sections, paragraphs, sub-items and footnotes.

Concluding observations number their paragraphs 1, 2, 3 … through the whole document;
that sequence is what tells a paragraph from a numbered cluster heading ("1. General
measures of implementation") and what splits text in which paragraphs run together (web
copies: "…observations. A. Introduction 2. The Committee welcomes…").
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from rightsgraph.extract.language import Phrases
from rightsgraph.extract.model import (
    Block,
    Document,
    Footnote,
    Heading,
    Item,
    Marker,
    Paragraph,
    Source,
)
from rightsgraph.extract.numbers import parse_int, parse_roman

NUMBERED = re.compile(r"^(\d{1,3})[.．]\s*(?=\S)")
LETTERED = re.compile(r"^([A-H])[.．]\s*(?=\S)")
# Chapters above the lettered sections: "III. Main areas of concern", "一.导言".
CHAPTER = re.compile(r"^([IVX]{1,5}|[一二三四五六七八九十]{1,3})[.．、]\s*(?=\S)")
TERMINAL = tuple(".。;；:：,，")
HEADING_MAX = {"zh": 45}
HEADING_MAX_DEFAULT = 200
ROMAN_LABELS = re.compile(r"^[ivx]+$")
ROMAN_CHAPTERS = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X"]
BARE_NUMBER = re.compile(r"\d{1,3}[.．]")


@dataclass
class _Piece:
    """A block, or part of a block that holds several paragraphs run together."""

    text: str
    line: int
    markers: list[Marker]
    indent: int
    label: str | None


def build(source: Source, phrases: Phrases) -> Document:
    """Structure one source; the document's metadata is filled in by a later stage."""
    return _Builder(source, phrases).run()


class _Builder:
    def __init__(self, source: Source, phrases: Phrases) -> None:
        self.source = source
        self.phrases = phrases
        self.doc = Document(source=source.path, sha256=source.sha256, format=source.format,
                            language=phrases.code, warnings=list(source.warnings))
        self.item_re = phrases.regex("structure", "item")
        self.subitem_re = phrases.regex("structure", "subitem")
        self.numbered = phrases.regex("structure", "paragraph") or NUMBERED
        self.lettered = _named_labels(phrases, "section_letters", "ABCDEFGH") or LETTERED
        self.chapter_re = _named_labels(phrases, "chapters", ROMAN_CHAPTERS) or CHAPTER
        self.item_letters = dict(zip(phrases.raw("structure", "item_letters", ""),
                                     "abcdefghijklmnopqrstuvwxyz", strict=False))
        self.heading_max = HEADING_MAX.get(phrases.code, HEADING_MAX_DEFAULT)
        self.header: list[_Piece] = []
        self.paragraph: Paragraph | None = None
        self.chapter: str | None = None
        self.letter: str | None = None
        self.cluster: int | None = None
        self.subheading: Heading | None = None
        self.last_item: str | None = None
        self.open_items: list[Item] = []

    # -- the walk --------------------------------------------------------------------------

    def run(self) -> Document:
        blocks = self._number_unprinted(self.source.blocks)
        self.start = _first_number(blocks, self.numbered)
        pieces = [piece for block in _join_bare_numbers(blocks) for piece in self._split(block)]
        for i, piece in enumerate(pieces):
            self.next_piece = pieces[i + 1] if i + 1 < len(pieces) else None
            self._take(piece)
        self._close_items()
        self._attach_orphans()
        self.doc.header = "\n".join(p.text for p in self.header)
        return self.doc

    @property
    def expected(self) -> int:
        return self.doc.paragraphs[-1].number + 1 if self.doc.paragraphs else self.start

    def _take(self, piece: _Piece) -> None:
        text = piece.text
        number = _number(piece, self.numbered)
        if number is not None and number == self.expected and not self._is_cluster(piece, number):
            self._start_paragraph(piece, number)
        elif number is not None and self._is_cluster(piece, number):
            self._heading(piece, level=2, label=str(number))
        elif (m := self.chapter_re.match(text)) and self._heading_like(text[m.end():]) and \
                (roman := _roman(_label(self.chapter_re, m).lower())):
            self._heading(piece, level=0, label=roman.upper())
        elif (m := self.lettered.match(text)) and self._heading_like(text[m.end():]):
            self._heading(piece, level=1, label=_label(self.lettered, m))
        elif self.paragraph is not None and self._item(piece):
            pass
        elif not self.doc.paragraphs:
            self.header.append(piece)
            self._attach(piece.markers, None, 0)
        elif self._heading_like(text) and (piece.indent != 0 or self._before_paragraph()):
            self._heading(piece, level=3, label=None)
        elif self.paragraph is None:
            self.doc.warnings.append(f"{self.source.path}:{piece.line}: text outside any "
                                     f"numbered paragraph is left out: '{text[:40]}'")
        else:
            self._append(piece)

    def _section(self) -> str | None:
        """The section id: chapter, letter and cluster joined ("III.A", "C.1")."""
        parts = [self.chapter, self.letter, str(self.cluster) if self.cluster else None]
        return ".".join(p for p in parts if p) or None

    def _before_paragraph(self) -> bool:
        """A thematic subheading is followed by a numbered paragraph."""
        return self.next_piece is not None and \
            _number(self.next_piece, self.numbered) == self.expected

    def _is_cluster(self, piece: _Piece, number: int) -> bool:
        """A numbered cluster heading: short, no final stop, numbered in its own sequence."""
        if (self.letter is None and self.chapter is None) or not self.doc.paragraphs:
            return False
        if number != (self.cluster or 0) + 1:
            return False
        body = self.numbered.sub("", piece.text, count=1) if piece.label is None else piece.text
        if not self._heading_like(body):
            return False
        return number != self.expected or piece.indent > 0

    def _heading_like(self, text: str) -> bool:
        text = text.strip()
        return bool(text) and len(text) <= self.heading_max and not text.endswith(TERMINAL)

    # -- paragraphs, items, headings -------------------------------------------------------

    def _start_paragraph(self, piece: _Piece, number: int) -> None:
        self._close_items()
        if piece.label is not None:
            body_start = 0
        else:  # its number was read by this pattern (_number)
            numbered = self.numbered.match(piece.text)
            assert numbered is not None
            body_start = numbered.end()
        text = piece.text[body_start:]
        section = self._section()
        self.paragraph = Paragraph(number=number, text=text, line=piece.line, section=section,
                                   heading=self.subheading.text if self.subheading else None)
        self.doc.paragraphs.append(self.paragraph)
        if self.subheading is not None:
            self.subheading.paragraphs.append(number)
        self.last_item = None
        self._attach(piece.markers, self.paragraph, -body_start)

    def _append(self, piece: _Piece, *, label: str | None = None) -> int:
        """Add a block to the current paragraph's text; returns where it starts."""
        assert self.paragraph is not None
        shown = f"({label}) {piece.text}" if label and piece.label is not None else piece.text
        start = len(self.paragraph.text) + 1
        self.paragraph.text += "\n" + shown
        self._attach(piece.markers, self.paragraph, start + len(shown) - len(piece.text))
        return start

    def _item(self, piece: _Piece) -> bool:
        assert self.paragraph is not None
        text = piece.label + " " + piece.text if piece.label else piece.text
        sub = self.subitem_re.match(text) if self.subitem_re else None
        matched = self.item_re.match(text) if self.item_re else None
        top: re.Match[str] | _Relabelled | None = matched
        if matched and matched.group("label") in self.item_letters:
            top = _Relabelled(matched, self.item_letters[matched.group("label")])
        if sub and self.last_item and not self._next_letter(sub.group("label")):
            label = _roman(sub.group("label"))
            if label is None:
                return False
            full = f"{self.last_item}.{label}"
            self._close_items(level=2)
            self._open(Item(full, len(self.paragraph.text) + 1, -2), piece)
            return True
        if top and (self.last_item is None or self._next_letter(top.group("label"))
                    or top.group("label") == "a"):
            self._close_items()
            self.last_item = top.group("label")
            self._open(Item(self.last_item, len(self.paragraph.text) + 1, -1), piece)
            return True
        return False

    def _open(self, item: Item, piece: _Piece) -> None:
        assert self.paragraph is not None
        self.open_items.append(item)
        self.paragraph.items.append(item)
        self._append(piece)

    def _next_letter(self, label: str) -> bool:
        return self.last_item is not None and len(label) == 1 and \
            ord(label) == ord(self.last_item) + 1

    def _close_items(self, level: int = 1) -> None:
        """Set the end of open items; level 2 closes only sub-items."""
        end = len(self.paragraph.text) if self.paragraph else 0
        keep = []
        for item in self.open_items:
            if level == 1 or item.end == -2:
                item.end = end
            else:
                keep.append(item)
        self.open_items = keep if level == 2 else []

    def _heading(self, piece: _Piece, *, level: int, label: str | None) -> None:
        self._close_items()
        body = piece.text
        if piece.label is None and label is not None:
            pattern = (self.numbered, self.lettered, self.chapter_re)[(2, 1, 0).index(level)]
            body = pattern.sub("", body, count=1)
        if level == 0:
            self.chapter, self.letter, self.cluster, self.subheading = label, None, None, None
        elif level == 1:
            self.letter, self.cluster, self.subheading = label, None, None
        elif level == 2:
            assert label is not None  # a cluster heading's number
            self.cluster, self.subheading = int(label), None
        section = self._section()
        heading = Heading(section=section or "", level=level, label=label, text=body.strip(),
                          line=piece.line)
        if level == 3:
            self.subheading = heading
        self.doc.headings.append(heading)
        self.paragraph = None if level < 3 else self.paragraph
        if level == 3:
            self.paragraph = None
        self._attach(piece.markers, None, 0)

    # -- footnotes -------------------------------------------------------------------------

    def _attach(self, markers: list[Marker], paragraph: Paragraph | None, shift: int) -> None:
        for marker in markers:
            body = self.source.footnotes.get(marker.footnote)
            if body is None:
                self.doc.warnings.append(
                    f"{self.source.path}: footnote {marker.footnote} is referenced but has no text")
                continue
            offset = marker.offset + shift
            note = Footnote(id=marker.footnote, text=body.text, line=body.line,
                            paragraph=paragraph.number if paragraph else None, offset=offset)
            if paragraph is not None:
                note.item = paragraph.item_at(offset)
                paragraph.footnotes.append(marker.footnote)
            self.doc.footnotes[marker.footnote] = note

    def _attach_orphans(self) -> None:
        for fid, body in self.source.footnotes.items():
            if fid not in self.doc.footnotes:
                self.doc.footnotes[fid] = Footnote(id=fid, text=body.text, line=body.line)
                self.doc.warnings.append(
                    f"{self.source.path}:{body.line}: footnote {fid} has no marker in the text")

    # -- paragraph numbers lost ------------------------------------------------------------

    def _number_unprinted(self, blocks: list[Block]) -> list[Block]:
        """Number the paragraphs of a copy that lost Word's automatic numbering.

        Web copies of UN documents (docstore HTML) often drop the paragraph numbers.  When no
        block carries one, the paragraphs from the first one (``[structure] first_paragraph``,
        "Le Comité …") on are numbered 1, 2, … in order, as the format would have; headings
        and sub-items keep no number.  The document says so in a warning.
        """
        if any(_number(_Piece(b.text, 0, [], 0, b.label), self.numbered) is not None
               for b in blocks):
            return blocks
        first = self.phrases.regex("structure", "first_paragraph")
        start = next((i for i, b in enumerate(blocks) if first and first.match(b.text)), None)
        if start is None:
            return blocks
        out, number = list(blocks[:start]), 0
        for block in blocks[start:]:
            if self._heading_like(block.text) or any(
                    pattern and pattern.match(block.text)
                    for pattern in (self.item_re, self.subitem_re, self.chapter_re, self.lettered)):
                out.append(block)
                continue
            number += 1
            out.append(Block(block.text, block.line, block.markers, f"{number}.", block.indent))
        self.doc.warnings.append(
            f"{self.source.path}:{blocks[start].line}: paragraph numbers are not printed; "
            f"paragraphs numbered 1 to {number} in order")
        return out

    # -- run-together paragraphs ------------------------------------------------------------

    def _split(self, block: Block) -> list[_Piece]:
        """Split a block where the next paragraph number (or a section letter) follows a stop."""
        pieces: list[_Piece] = []
        text, markers, start = block.text, block.markers, 0
        expected = self.expected + (1 if _number(_Piece(text, 0, [], 0, block.label),
                                                 self.numbered)
                                    == self.expected else 0)
        while True:
            cut = _inline_break(text, expected, start)
            if cut is None:
                break
            pieces.append(_Piece(text[start:cut].strip(), block.line,
                                 [Marker(m.offset - start, m.footnote) for m in markers
                                  if start <= m.offset <= cut], block.indent,
                                 block.label if not pieces else None))
            start = cut
            if self.numbered.match(text[cut:]):
                expected += 1
        rest = text[start:]
        lead = len(rest) - len(rest.lstrip())
        pieces.append(_Piece(rest.strip(), block.line,
                             [Marker(m.offset - start - lead, m.footnote) for m in markers
                              if m.offset >= start and not (pieces and m.offset == start)],
                             block.indent, block.label if not pieces else None))
        return [p for p in pieces if p.text or p.markers or p.label]


def _inline_break(text: str, expected: int, start: int) -> int | None:
    """Offset of the next run-together paragraph or section start after ``start``.

    Paragraph 1 may follow the header without a stop ("…Northern Ireland 1. The Committee").
    """
    # Both alternatives hold the number and its stop: without them, no break.
    if text.find(f"{expected}.", start + 1) < 0 and text.find(f"{expected}．", start + 1) < 0:
        return None
    match = _inline_break_regex(expected).search(text, start + 1)
    return match.end() if match and not match.group("letter") else (
        match.start() + len(match.group(0)) - len(match.group(0).lstrip()) if match else None)


@lru_cache(maxsize=512)
def _inline_break_regex(expected: int) -> re.Pattern[str]:
    stop = r"(?<=[.。;:)”\"])" if expected != 1 else r"(?<=\S)"
    return re.compile(
        rf"{stop}\s+(?:(?P<letter>[A-H])\.\s+[^\d.]{{2,90}}?\s+(?={expected}\.\s)"
        rf"|(?={expected}[.．]\s*[A-Z\u0400-\u04ff\u0600-\u06ff\u4e00-\u9fff]))")


def _first_number(blocks: list[Block], numbered: re.Pattern[str] = NUMBERED) -> int:
    """The number of the first paragraph: 1, or N where a document starts at N, N+1 (old
    observations printed inside an annual report start at, say, 227)."""
    numbers = [n for b in blocks
               if (n := _number(_Piece(b.text, 0, [], 0, b.label), numbered))]
    if 1 in numbers:
        return 1
    for i, n in enumerate(numbers):
        if n + 1 in numbers[i + 1:]:
            return n
    return 1


def _join_bare_numbers(blocks: list[Block]) -> list[Block]:
    """A paragraph number alone on its line (PDF text) belongs to the next line.

    Two numbers in a row ("2." then "3.", as PDF copies print consecutive short paragraphs)
    cannot be matched to their texts; the first becomes an empty paragraph so that the
    numbering, which tells paragraphs from headings, stays whole.
    """
    out: list[Block] = []
    for block in blocks:
        if out and BARE_NUMBER.fullmatch(out[-1].text) and not out[-1].markers:
            number = out.pop()
            if BARE_NUMBER.fullmatch(block.text):
                out.append(Block("", number.line, [], number.text, number.indent))
                out.append(block)
                continue
            shift = len(number.text) + 1
            out.append(Block(f"{number.text} {block.text}", number.line,
                             [Marker(m.offset + shift, m.footnote) for m in block.markers],
                             block.label, block.indent))
        else:
            out.append(block)
    return out


def _number(piece: _Piece, numbered: re.Pattern[str] = NUMBERED) -> int | None:
    label = piece.label
    if label is not None:
        m = re.fullmatch(r"(\d{1,3})[.．]?", label.strip())
        return int(m.group(1)) if m else None
    m = numbered.match(piece.text)
    return int(m.group(1)) if m else None


def _named_labels(phrases: Phrases, key: str,
                  canonical: list[str] | str) -> _LabelPattern | None:
    """Section letters or chapters written as words ("ألف -", "أولاً-"): a regex whose
    group ``label`` is the canonical label ("A", "I"), or None if the language has none."""
    words = phrases.raw("structure", key, [])
    if not words:
        return None
    alternatives = "|".join(f"(?P<w{i}>{re.escape(w)})" for i, w in enumerate(words))
    separator = phrases.raw("structure", "label_separator", r"[.．]")
    return _LabelPattern(re.compile(rf"^(?:{alternatives})\s*{separator}\s*(?=\S)"),
                         list(canonical))


class _LabelPattern:
    """A compiled pattern whose match reports the canonical label of the word it matched."""

    def __init__(self, pattern: re.Pattern[str], canonical: list[str]) -> None:
        self.pattern, self.canonical = pattern, canonical

    def match(self, text: str) -> re.Match[str] | None:
        return self.pattern.match(text)

    def sub(self, repl: str, text: str, count: int = 0) -> str:
        return self.pattern.sub(repl, text, count=count)

    def label(self, match: re.Match[str]) -> str:
        index = int(next(k for k, v in match.groupdict().items() if v)[1:])
        return self.canonical[index]


def _label(pattern: re.Pattern[str] | _LabelPattern, match: re.Match[str]) -> str:
    """The label a section or chapter match stands for ("ألف" -> "A", "III" -> "III")."""
    return pattern.label(match) if isinstance(pattern, _LabelPattern) else match.group(1)


class _Relabelled:
    """An item match whose label is given in Latin letters ("(أ)" -> "a")."""

    def __init__(self, match: re.Match[str], label: str) -> None:
        self._match, self._label = match, label

    def group(self, name: str) -> str:
        return self._label if name == "label" else self._match.group(name)


def _roman(label: str) -> str | None:
    """Normalise a sub-item label to lower-case roman numerals: 一 -> i, iv -> iv."""
    if ROMAN_LABELS.match(label):
        return label
    value = parse_int(label)
    if value is None or value > 39:
        return None
    out = ""
    for number, numeral in ((10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i")):
        while value >= number:
            out, value = out + numeral, value - number
    return out if parse_roman(out) else None
