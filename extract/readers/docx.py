"""Reader for Word documents (.docx): the same intermediate form the text reader gives.

What becomes what (the counterpart of the text reader's conventions for Word's export):

* One :class:`Block` per non-empty body paragraph, in document order, including the
  paragraphs of tables (row by row, cell by cell) and of content controls.  Text boxes,
  headers, footers, comments and endnotes are not read.  ``Block.line`` is the 1-based
  index of the paragraph among all body paragraphs, empty ones included.
* Run content: ``w:t`` as is; ``w:tab``/``w:ptab`` -> "\\t"; ``w:br``/``w:cr`` -> "\\n" (a
  manual line break stays inside its block); ``w:noBreakHyphen`` -> "-"; ``w:softHyphen``
  -> nothing (it is invisible unless Word breaks the line there); ``w:sym`` -> its
  character, with the 0xF0xx private-use offset of symbol fonts removed (exact for most
  fonts, approximate for Symbol/Wingdings glyphs); Office Math text (``m:t``) as is;
  deleted text, field instructions and drawings are ignored.
* ``w:footnoteReference w:id="N"`` -> ``Marker(offset, "N")``, no characters.  With
  ``w:customMarkFollows`` the next piece of text (``w:t`` or ``w:sym``, usually "*") is the
  visible mark: it is kept out of the body, and removed from the start of the footnote.
* Like the text reader, a block's text is stripped of surrounding whitespace; its leading
  tabs give ``indent`` (for a numbered paragraph, ``indent`` is the list level instead).
  A paragraph with no text (whitespace only) and no marker is skipped.
* Word auto-numbering goes to ``Block.label`` ("1.", "(a)"), computed from
  ``word/numbering.xml`` as Word displays it: counters per abstract list, shared by the
  list instances (``w:num``) that use it, restarted by ``w:startOverride``; deeper levels
  restart when a shallower one advances (``w:lvlRestart`` honoured).  Empty numbered
  paragraphs advance the counters although they produce no block.  Bullets get "•".
* Footnotes: ids are the ``w:id`` strings; separators (``w:type``) and ids -1/0 are
  skipped.  The text is the paragraphs' text joined by "\\n", stripped, without the
  ``w:footnoteRef`` mark or custom mark.  ``SourceFootnote.line`` is the ``line`` of the
  first paragraph that refers to it (0, with a warning, if none does).
"""
from __future__ import annotations

import hashlib
import io
import os
import re
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

from docx.opc.constants import CONTENT_TYPE as CT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.part import Part
from docx.oxml.ns import qn
from docx.package import Package
from lxml import etree

from rightsgraph.extract.model import Block, Marker, Source, SourceFootnote
from rightsgraph.extract.readers.errors import ReadError
from rightsgraph.extract.readers.limits import MAX_DOCX_INFLATED_BYTES

_MATH_T = "{http://schemas.openxmlformats.org/officeDocument/2006/math}t"
_ALTERNATE_CONTENT = "{http://schemas.openxmlformats.org/markup-compatibility/2006}AlternateContent"
# Subtrees of a paragraph that contribute no visible body text.
_IGNORED = {qn(f"w:{tag}") for tag in (
    "pPr", "rPr", "del", "moveFrom", "delText", "instrText", "fldData", "drawing", "pict",
    "object", "footnoteRef", "endnoteRef", "annotationRef", "commentReference",
)} | {_ALTERNATE_CONTENT}
# Containers whose paragraphs are body paragraphs (tables, content controls, custom XML).
_BLOCK_CONTAINERS = {qn(f"w:{tag}") for tag in ("tbl", "tr", "tc", "sdt", "sdtContent",
                                                  "customXml")}
_NOTE_TYPES_SKIPPED = {"separator", "continuationSeparator", "continuationNotice"}
_TRUE = {"1", "true", "on"}
# As python-docx's own parser: no entity expansion, no network access.
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True)


def read(path: str | os.PathLike) -> Source:
    """Read a .docx file into the intermediate form; raises :class:`ReadError` if it is not one."""
    try:
        data = Path(path).read_bytes()
    except OSError as err:
        raise ReadError(path, err.strerror or str(err)) from err
    check_archive(data, path)
    try:
        part = Package.open(io.BytesIO(data)).main_document_part
        if part.content_type != CT.WML_DOCUMENT_MAIN:
            raise ReadError(path, f"not a Word document (main part: {part.content_type})")
        body = part.element.body
        footnotes_xml = _related_xml(part, RT.FOOTNOTES)
        numbering_xml = _related_xml(part, RT.NUMBERING)
        styles_xml = _related_xml(part, RT.STYLES)
    except zipfile.BadZipFile as err:
        raise ReadError(path, "not a DOCX file (not a ZIP archive)") from err
    except (KeyError, ValueError, etree.XMLSyntaxError) as err:
        reason = err.args[0] if isinstance(err, KeyError) and err.args else err
        raise ReadError(path, f"not a valid DOCX file: {reason}") from err

    warnings: list[str] = []
    numbering = _Numbering(numbering_xml, styles_xml, warnings)
    blocks: list[Block] = []
    custom_marks: dict[str, str] = {}
    endnotes = 0
    for line, paragraph in enumerate(_body_paragraphs(body), 1):
        content = _Content()
        content.walk(paragraph)
        custom_marks.update(content.custom_marks)
        endnotes += content.endnotes
        if content.entities:
            warnings.append(f"paragraph {line}: XML entity reference(s) "
                            f"{', '.join(dict.fromkeys(content.entities))} not expanded "
                            "(a DOCX should not use them); the text around them is kept")
        label, level = numbering.label(paragraph, line)
        block = content.block(line)
        if block.text or block.markers:
            if level is not None:
                block.label, block.indent = label, level
            blocks.append(block)
    if endnotes:
        warnings.append(f"{endnotes} endnote reference(s) not read: endnotes are not supported")
    footnotes = _footnotes(footnotes_xml, custom_marks, blocks, warnings)
    return Source(path=str(path), format="docx", sha256=hashlib.sha256(data).hexdigest(),
                  blocks=blocks, footnotes=footnotes, warnings=warnings)


def check_archive(data: bytes, path: str | os.PathLike) -> None:
    """Refuse a DOCX whose parts inflate past ``MAX_DOCX_INFLATED_BYTES`` (a "zip bomb":
    1.5 MB that inflates to 1 GB drove ``extract`` to 12 GB, issue #10): first by the sizes
    the archive declares, then by what it really inflates to, read in pieces and stopped at
    the limit (a declared size can lie; zipfile also checks each part's CRC)."""
    limit = MAX_DOCX_INFLATED_BYTES
    refusal = (f"its parts inflate to more than {limit:,} bytes (the limit for a DOCX); "
               "refused without reading it")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            parts = archive.infolist()
            if sum(part.file_size for part in parts) > limit:
                raise ReadError(path, refusal)
            total = 0
            for part in parts:
                with archive.open(part) as member:
                    while piece := member.read(1 << 20):
                        total += len(piece)
                        if total > limit:
                            raise ReadError(path, refusal)
    except zipfile.BadZipFile as err:
        raise ReadError(path, f"not a DOCX file (a damaged ZIP archive: {err})") from err
    except (NotImplementedError, RuntimeError) as err:  # encrypted, unknown compression
        raise ReadError(path, f"not a readable DOCX file ({err})") from err


def _related_xml(part: Part, reltype: str) -> etree._Element | None:
    """The XML of the part ``part`` relates to by ``reltype``, if there is one."""
    for rel in part.rels.values():
        if rel.reltype == reltype and not rel.is_external:
            return etree.fromstring(rel.target_part.blob, _PARSER)
    return None


def _body_paragraphs(container: etree._Element) -> Iterator[etree._Element]:
    """The ``w:p`` elements of the body in document order, descending into tables."""
    for child in container:
        if child.tag == qn("w:p"):
            yield child
        elif child.tag in _BLOCK_CONTAINERS:
            yield from _body_paragraphs(child)


# --- run content -------------------------------------------------------------------------


@dataclass
class _Content:
    """Characters and footnote markers collected from the runs of one paragraph."""

    parts: list[str] = field(default_factory=list)
    length: int = 0
    markers: list[Marker] = field(default_factory=list)
    custom_marks: dict[str, str] = field(default_factory=dict)
    pending_mark: str | None = None  # id of a footnote whose custom mark comes next
    endnotes: int = 0
    entities: list[str] = field(default_factory=list)  # unexpanded XML entity references

    def walk(self, element: etree._Element) -> None:
        """Collect the visible text below ``element`` (see the module docstring)."""
        for child in element:
            tag = child.tag
            if not isinstance(tag, str) or tag in _IGNORED:
                continue  # comments, processing instructions, invisible subtrees
            if tag in (qn("w:t"), _MATH_T):
                self._text(self._run_text(child))
            elif tag == qn("w:sym"):
                self._text(_symbol(child))
            elif tag in (qn("w:tab"), qn("w:ptab")):
                self._add("\t")
            elif tag in (qn("w:br"), qn("w:cr")):
                self._add("\n")
            elif tag == qn("w:noBreakHyphen"):
                self._add("-")
            elif tag == qn("w:footnoteReference"):
                footnote = child.get(qn("w:id"), "")
                self.markers.append(Marker(self.length, footnote))
                if child.get(qn("w:customMarkFollows"), "").lower() in _TRUE:
                    self.pending_mark = footnote
            elif tag == qn("w:endnoteReference"):
                self.endnotes += 1
            elif tag != qn("w:softHyphen"):
                self.walk(child)

    def _run_text(self, element: etree._Element) -> str:
        """The text of a ``w:t``.  An XML entity reference in it (``&name;``, declared in a
        DTD) is not expanded, for safety, but the text after it is kept and the entity
        named in :attr:`entities` for a warning."""
        parts = [element.text or ""]
        for child in element:
            if isinstance(child, etree._Entity):
                self.entities.append(child.text or child.name)
            parts.append(child.tail or "")
        return "".join(parts)

    def text(self) -> str:
        """Everything collected, unstripped."""
        return "".join(self.parts)

    def block(self, line: int) -> Block:
        """The block: text stripped as the text reader strips it, markers shifted to match."""
        raw = self.text()
        lead = len(raw) - len(raw.lstrip())
        text = raw.strip()
        markers = [Marker(min(max(m.offset - lead, 0), len(text)), m.footnote)
                   for m in self.markers]
        indent = len(raw) - len(raw.lstrip("\t"))
        return Block(text=text, line=line, markers=markers, indent=indent)

    def _text(self, text: str) -> None:
        if self.pending_mark is not None:
            self.custom_marks[self.pending_mark] = text
            self.pending_mark = None
        else:
            self._add(text)

    def _add(self, text: str) -> None:
        self.parts.append(text)
        self.length += len(text)


def _symbol(sym: etree._Element) -> str:
    """The character of a ``w:sym``; symbol fonts store it at 0xF000 + its code."""
    try:
        code = int(sym.get(qn("w:char"), ""), 16)
    except ValueError:
        return ""
    if 0xF000 <= code <= 0xF0FF:
        code -= 0xF000
    return chr(code)


# --- footnotes ---------------------------------------------------------------------------


def _footnotes(root: etree._Element | None, custom_marks: dict[str, str], blocks: list[Block],
               warnings: list[str]) -> dict[str, SourceFootnote]:
    """The real footnotes of ``word/footnotes.xml``, keyed by ``w:id``."""
    first_line: dict[str, int] = {}
    for block in blocks:
        for marker in block.markers:
            first_line.setdefault(marker.footnote, block.line)
    footnotes: dict[str, SourceFootnote] = {}
    for note in root.iterfind(qn("w:footnote")) if root is not None else ():
        fid = note.get(qn("w:id"), "")
        if note.get(qn("w:type")) in _NOTE_TYPES_SKIPPED or fid in ("-1", "0"):
            continue
        texts = []
        for paragraph in note.iter(qn("w:p")):
            content = _Content()
            content.walk(paragraph)
            texts.append(content.text())
        text = "\n".join(texts).strip()
        mark = custom_marks.get(fid, "").strip()
        if mark and text.startswith(mark):
            text = text[len(mark):].lstrip()
        if fid not in first_line:
            warnings.append(f"footnote {fid} is never referenced in the body")
        footnotes[fid] = SourceFootnote(fid, text, first_line.get(fid, 0))
    for fid, line in first_line.items():
        if fid not in footnotes:
            warnings.append(f"paragraph {line}: footnote {fid} is missing from word/footnotes.xml")
    return footnotes


# --- auto-numbering ----------------------------------------------------------------------


def _roman(value: int) -> str:
    numerals = ((1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"),
                (50, "l"), (40, "xl"), (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i"))
    out = []
    for number, numeral in numerals:
        count, value = divmod(value, number)
        out.append(numeral * count)
    return "".join(out)


def _letters(value: int) -> str:
    """Word's alphabetic numbering: a..z, then aa..zz, aaa..."""
    return chr(ord("a") + (value - 1) % 26) * ((value - 1) // 26 + 1)


def _chinese(value: int) -> str:
    """Chinese counting numerals: 一, 十, 十一, 二十, 一百零五 (up to 9999)."""
    if value >= 10000:
        return str(value)
    digits = str(value)
    out: list[str] = []
    zero = False
    for position, digit in enumerate(digits):
        if digit == "0":
            zero = True
            continue
        if zero and out:
            out.append("零")
        zero = False
        unit = ("", "十", "百", "千")[len(digits) - 1 - position]
        out.append("零一二三四五六七八九"[int(digit)] + unit)
    text = "".join(out)
    return text[1:] if 10 <= value < 20 else text  # 十一, not 一十一


_FORMATS: dict[str, Callable[[int], str]] = {
    "decimal": str,
    "decimalZero": lambda n: f"{n:02d}",
    "decimalFullWidth": lambda n: str(n).translate({ord(d): 0xFF10 + int(d) for d in "0123456789"}),
    "lowerLetter": _letters,
    "upperLetter": lambda n: _letters(n).upper(),
    "lowerRoman": _roman,
    "upperRoman": lambda n: _roman(n).upper(),
    "chineseCounting": _chinese,
    "chineseCountingThousand": _chinese,
    "taiwaneseCounting": _chinese,
    "ideographTraditional": lambda n: "甲乙丙丁戊己庚辛壬癸"[(n - 1) % 10],  # heavenly stems
    "none": lambda n: "",
}


def format_number(value: int, fmt: str) -> str | None:
    """``value`` written in Word's number format ``fmt``; ``None`` if the format is unsupported.

    Values below 1, which only decimal formats can show, are written in decimal.
    """
    formatter = _FORMATS.get(fmt)
    if formatter is None:
        return None
    return formatter(value) if value >= 1 or fmt == "none" else str(value)


@dataclass
class _Level:
    """One level of a list definition (``w:lvl``)."""

    fmt: str = "decimal"
    text: str = ""
    start: int = 1
    restart: int | None = None  # w:lvlRestart: restart after this (1-based) level; 0 = never
    legal: bool = False  # w:isLgl: show every level in decimal
    style: str | None = None  # w:pStyle: the paragraph style tied to this level


def _val(element: etree._Element | None, name: str) -> str | None:
    """The ``w:val`` of the child ``w:<name>`` of ``element``, if both exist."""
    child = element.find(qn(f"w:{name}")) if element is not None else None
    return child.get(qn("w:val")) if child is not None else None


def _int(text: str | None) -> int | None:
    """``text`` as an integer; ``None`` if absent or malformed."""
    try:
        return int(text) if text is not None else None
    except ValueError:
        return None


def _levels(element: etree._Element) -> dict[int, _Level]:
    """The ``w:lvl`` children of an ``w:abstractNum`` or ``w:lvlOverride``."""
    levels = {}
    for lvl in element.iterfind(qn("w:lvl")):
        legal = lvl.find(qn("w:isLgl"))
        start = _int(_val(lvl, "start"))
        levels[_int(lvl.get(qn("w:ilvl"))) or 0] = _Level(
            fmt=_val(lvl, "numFmt") or "decimal",
            text=_val(lvl, "lvlText") or "",
            start=1 if start is None else start,
            restart=_int(_val(lvl, "lvlRestart")),
            legal=legal is not None and legal.get(qn("w:val"), "1").lower() in _TRUE,
            style=_val(lvl, "pStyle"),
        )
    return levels


class _Numbering:
    """Word's list definitions plus the counters that turn them into displayed labels."""

    def __init__(self, numbering: etree._Element | None, styles: etree._Element | None,
                 warnings: list[str]) -> None:
        self.warnings = warnings
        self.reported: set[str] = set()
        self.abstract: dict[str, dict[int, _Level]] = {}
        self.links: dict[str, str] = {}  # abstractNumId -> numbering style it links to
        # numId -> (abstractNumId, its levels with the num's overrides applied, restarted levels)
        self.nums: dict[str, tuple[str, dict[int, _Level], set[int]]] = {}
        self.counters: dict[str, dict[int, int]] = {}  # abstractNumId -> level -> value
        self.started: set[str] = set()
        self.styles: dict[str, etree._Element] = {}
        self.default_style: str | None = None
        if styles is not None:
            for style in styles.iterfind(qn("w:style")):
                self.styles[style.get(qn("w:styleId"), "")] = style
                if (style.get(qn("w:type")) == "paragraph"
                        and style.get(qn("w:default"), "").lower() in _TRUE):
                    self.default_style = style.get(qn("w:styleId"))
        if numbering is None:
            return
        for abstract in numbering.iterfind(qn("w:abstractNum")):
            aid = abstract.get(qn("w:abstractNumId"), "")
            self.abstract[aid] = _levels(abstract)
            link = _val(abstract, "numStyleLink")
            if link:
                self.links[aid] = link
        for num in numbering.iterfind(qn("w:num")):
            self._add_num(num)

    def _add_num(self, num: etree._Element) -> None:
        aid = _val(num, "abstractNumId") or ""
        if aid in self.links:  # the list is defined by the numbering style it links to
            linked, _ = self._style_numbering(self.links[aid])
            numbering = num.getparent()
            assert numbering is not None  # a w:num of the numbering part
            linked_num = next((n for n in numbering.iterfind(qn("w:num"))
                               if n.get(qn("w:numId")) == linked), None)
            aid = (_val(linked_num, "abstractNumId") or aid) if linked_num is not None else aid
        levels = dict(self.abstract.get(aid, {}))
        restarted = set()
        for override in num.iterfind(qn("w:lvlOverride")):
            ilvl = _int(override.get(qn("w:ilvl"))) or 0
            levels.update(_levels(override))
            start = _int(_val(override, "startOverride"))
            if start is not None and ilvl in levels:
                levels[ilvl] = replace(levels[ilvl], start=start)
                restarted.add(ilvl)
        self.nums[num.get(qn("w:numId"), "")] = (aid, levels, restarted)

    def _style_numbering(self, style_id: str | None) -> tuple[str | None, int | None]:
        """The (numId, ilvl) a paragraph style gives, following ``w:basedOn``."""
        seen = set()
        while style_id and style_id not in seen and style_id in self.styles:
            seen.add(style_id)
            style = self.styles[style_id]
            num_pr = style.find(f"{qn('w:pPr')}/{qn('w:numPr')}")
            if num_pr is not None:
                return _val(num_pr, "numId"), _int(_val(num_pr, "ilvl"))
            style_id = _val(style, "basedOn")
        return None, None

    def label(self, paragraph: etree._Element, line: int) -> tuple[str | None, int | None]:
        """The label Word shows before ``paragraph`` and its list level; advances the counters.

        ``(None, None)`` for a paragraph that is not numbered; ``(None, level)`` for a
        numbered one whose label cannot be computed (a warning says why).
        """
        ppr = paragraph.find(qn("w:pPr"))
        num_pr = ppr.find(qn("w:numPr")) if ppr is not None else None
        style_id = _val(ppr, "pStyle") or self.default_style
        style_num, style_level = self._style_numbering(style_id)
        num_id = _val(num_pr, "numId") or style_num
        if num_id is None or num_id == "0":
            return None, None
        ilvl = _int(_val(num_pr, "ilvl"))
        if ilvl is None:
            ilvl = style_level
        if num_id not in self.nums:
            self._warn(f"num {num_id}", f"paragraph {line}: list {num_id} is not defined in "
                       "word/numbering.xml; label left empty")
            return None, ilvl or 0
        aid, levels, restarted = self.nums[num_id]
        if ilvl is None:
            ilvl = next((k for k, lvl in levels.items() if style_id and lvl.style == style_id), 0)
        level = levels.get(ilvl)
        if level is None:
            self._warn(f"lvl {num_id}/{ilvl}", f"paragraph {line}: list {num_id} has no level "
                       f"{ilvl}; label left empty")
            return None, ilvl
        counters = self.counters.setdefault(aid, {})
        if num_id not in self.started:
            self.started.add(num_id)
            for restarted_level in restarted:
                counters.pop(restarted_level, None)
        counters[ilvl] = counters.get(ilvl, level.start - 1) + 1
        for deeper in [k for k in counters if k > ilvl]:
            deeper_level = levels.get(deeper)
            threshold = deeper_level.restart if deeper_level and deeper_level.restart is not None \
                else deeper
            if ilvl < threshold:
                del counters[deeper]
        return self._render(level, levels, counters, line), ilvl

    def _render(self, level: _Level, levels: dict[int, _Level], counters: dict[int, int],
                line: int) -> str | None:
        """Fill ``lvlText`` ("%1.", "(%2)") with the counters; ``None`` for unknown formats."""
        if level.fmt == "bullet":
            return "•"
        unsupported: list[str] = []

        def placeholder(match: re.Match[str]) -> str:
            k = int(match.group(1)) - 1
            shown = levels.get(k, _Level())
            fmt = "decimal" if level.legal else shown.fmt
            text = format_number(counters.get(k, shown.start), fmt)
            if text is None:
                unsupported.append(fmt)
                return ""
            return text

        label = re.sub(r"%([1-9])", placeholder, level.text)
        if unsupported:
            self._warn(f"fmt {unsupported[0]}", f"paragraph {line}: numbering format "
                       f"{unsupported[0]!r} is not supported; label left empty")
            return None
        return label

    def _warn(self, key: str, message: str) -> None:
        """Add ``message`` to the warnings once per ``key``."""
        if key not in self.reported:
            self.reported.add(key)
            self.warnings.append(message)
