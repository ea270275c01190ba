"""Build small but real DOCX files for the reader tests.

python-docx writes the document; the footnotes part, which python-docx has no API for, is
added as a package part before saving, so the content type and the relationship are
written by python-docx itself.  Paragraph strings use the convention of the seed's text
export: ``[footnoteRef:N]`` where a footnote reference sits, ``[footnoteRef:N]*`` for a
reference with the custom mark "*".
"""
from __future__ import annotations

import os
import re
from pathlib import Path
from xml.sax.saxutils import escape

from docx import Document
from docx.document import Document as DocxDocument
from docx.opc.constants import CONTENT_TYPE as CT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import Part
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.text.paragraph import Paragraph

MARKER = re.compile(r"\[footnoteRef:(\d+)\](\*)?")
NUMBER = re.compile(r"(\d+)\.\t")  # "1.\t": a numbered paragraph (list level 0)
ITEM = re.compile(r"\t*\(([a-z])\)\t")  # "(a)\t", "\t(a)\t": a sub-item (list level 1)

# Separator footnotes as Word writes them before the real ones.
SEPARATORS = (
    '<w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:footnote>'
    '<w:footnote w:type="continuationSeparator" w:id="0"><w:p><w:r><w:continuationSeparator/>'
    "</w:r></w:p></w:footnote>"
)


def build_docx(path: str | os.PathLike, paragraphs: list[str], footnotes: dict[str, str], *,
               numbered: bool = False, formats: tuple[str, str] = ("decimal", "lowerLetter"),
               ) -> None:
    """Write a DOCX with one paragraph per string and the given footnotes (id -> text).

    Tabs and newlines in a string become ``w:tab`` and ``w:br``; "\\n" in a footnote text
    starts a new footnote paragraph.  With ``numbered``, a leading "N.\\t" or "(x)\\t" (the
    latter after optional tabs) becomes Word numbering of a two-level list whose levels
    use ``formats`` ("%1." and "(%2)"); a decimal number other than the next one starts a
    new list instance at that number.  Raises ``ValueError`` for a reference to a footnote
    not in ``footnotes`` or a sub-item label the list cannot produce.
    """
    document = Document()
    numbering = _ListNumbering(document, formats) if numbered else None
    marks: dict[str, str] = {}
    for text in paragraphs:
        paragraph = document.add_paragraph()
        if numbering is not None:
            text = numbering.number(paragraph, text)
        _add_content(paragraph, text, footnotes, marks)
    if footnotes:
        xml = "".join(_footnote_xml(fid, body, marks.get(fid)) for fid, body in footnotes.items())
        blob = f"<w:footnotes {nsdecls('w')}>{SEPARATORS}{xml}</w:footnotes>".encode()
        part = Part(PackURI("/word/footnotes.xml"), CT.WML_FOOTNOTES, blob,
                    document.part.package)
        document.part.relate_to(part, RT.FOOTNOTES)
    document.save(os.fspath(path))


def _add_content(paragraph: Paragraph, text: str, footnotes: dict[str, str],
                 marks: dict[str, str]) -> None:
    """Add the runs of ``text``, turning ``[footnoteRef:N]`` into footnote references."""
    pos = 0
    for match in MARKER.finditer(text):
        if match.start() > pos:
            paragraph.add_run(text[pos:match.start()])
        fid, mark = match.group(1), match.group(2)
        if fid not in footnotes:
            raise ValueError(f"footnote {fid} is referenced but not given")
        run = paragraph.add_run()
        run.font.superscript = True
        reference = parse_xml(f'<w:footnoteReference {nsdecls("w")} w:id="{fid}"/>')
        if mark:
            reference.set(qn("w:customMarkFollows"), "1")
            marks[fid] = mark
        run._r.append(reference)
        if mark:
            paragraph.add_run(mark).font.superscript = True
        pos = match.end()
    if pos < len(text):
        paragraph.add_run(text[pos:])


def _footnote_xml(fid: str, text: str, mark: str | None) -> str:
    """One ``w:footnote`` laid out as in UN documents: tab, mark, tab, text."""
    shown = f"<w:t>{escape(mark)}</w:t>" if mark else "<w:footnoteRef/>"
    paragraphs = []
    for number, line in enumerate(text.split("\n")):
        runs = "<w:r><w:tab/></w:r>".join(
            f'<w:r><w:t xml:space="preserve">{escape(piece)}</w:t></w:r>' if piece else ""
            for piece in line.split("\t"))
        if number == 0:
            runs = ('<w:r><w:tab/></w:r><w:r><w:rPr><w:vertAlign w:val="superscript"/></w:rPr>'
                    f"{shown}</w:r><w:r><w:tab/></w:r>{runs}")
        paragraphs.append(f'<w:p><w:pPr><w:pStyle w:val="FootnoteText"/></w:pPr>{runs}</w:p>')
    return f'<w:footnote w:id="{fid}">{"".join(paragraphs)}</w:footnote>'


class _ListNumbering:
    """A two-level list (levels "%1." and "(%2)") added to the document's numbering part."""

    def __init__(self, document: DocxDocument, formats: tuple[str, str]) -> None:
        self.root = document.part.numbering_part.element
        abstract_ids = [int(a.get(qn("w:abstractNumId")))
                        for a in self.root.iterfind(qn("w:abstractNum"))]
        self.abstract_id = max(abstract_ids, default=0) + 1
        levels = "".join(
            f'<w:lvl w:ilvl="{ilvl}"><w:start w:val="1"/><w:numFmt w:val="{fmt}"/>'
            f'<w:lvlText w:val="{text}"/><w:lvlJc w:val="left"/></w:lvl>'
            for ilvl, (fmt, text) in enumerate(zip(formats, ("%1.", "(%2)"), strict=True)))
        abstract = parse_xml(f'<w:abstractNum {nsdecls("w")} w:abstractNumId="{self.abstract_id}">'
                             f'<w:multiLevelType w:val="multilevel"/>{levels}</w:abstractNum>')
        first_num = self.root.find(qn("w:num"))  # every abstractNum precedes every num
        if first_num is None:
            self.root.append(abstract)
        else:
            first_num.addprevious(abstract)
        self.num_id = 0
        self.next = [1, 1]  # the values levels 0 and 1 show next
        self._new_instance(None)

    def number(self, paragraph: Paragraph, text: str) -> str:
        """Give ``paragraph`` the numbering typed at the start of ``text``; return the rest."""
        if match := NUMBER.match(text):
            level, value = 0, int(match.group(1))
            if value != self.next[0]:
                self._new_instance(value)
            self.next = [value + 1, 1]
        elif match := ITEM.match(text):
            level, value = 1, ord(match.group(1)) - ord("a") + 1
            if value != self.next[1]:
                return text  # "(i)" under "(c)" is a roman sub-item: it stays typed
            self.next[1] += 1
        else:
            return text
        num_pr = paragraph._p.get_or_add_pPr().get_or_add_numPr()
        num_pr.get_or_add_ilvl().val = level
        num_pr.get_or_add_numId().val = self.num_id
        return text[match.end():]

    def _new_instance(self, start: int | None) -> None:
        """Add a ``w:num`` for the list; with ``start``, restart level 0 there."""
        num_ids = [int(n.get(qn("w:numId"))) for n in self.root.iterfind(qn("w:num"))]
        self.num_id = max(num_ids, default=0) + 1
        override = ("" if start is None else
                    f'<w:lvlOverride w:ilvl="0"><w:startOverride w:val="{start}"/></w:lvlOverride>')
        self.root.append(parse_xml(
            f'<w:num {nsdecls("w")} w:numId="{self.num_id}">'
            f'<w:abstractNumId w:val="{self.abstract_id}"/>{override}</w:num>'))


def docx_from_export(src: str | os.PathLike, dst: str | os.PathLike, *,
                     numbered: bool = False) -> None:
    """Rebuild a Word plain-text export (the seed's format) as a DOCX with real footnotes."""
    from rightsgraph.extract.readers import text as text_reader

    source_text = Path(src).read_text(encoding="utf-8")
    footnotes = {fid: note.text for fid, note in text_reader.parse(source_text).footnotes.items()}
    paragraphs = []
    for line in source_text.split("\n"):
        line = text_reader.BODY.sub("", line).rstrip()
        if line.strip():
            paragraphs.append(line)
    build_docx(dst, paragraphs, footnotes, numbered=numbered)
