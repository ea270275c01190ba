"""The data model of rightsgraph's extractor.

Two layers, one flowing into the other:

* :class:`Source` is the *intermediate form* every reader (plain text, DOCX, later PDF
  and HTML) produces: the document's body as a list of :class:`Block` (one per source
  paragraph, footnote markers lifted out into :class:`Marker` offsets) plus the footnote
  bodies.  Nothing in it depends on the language or on the genre.
* :class:`Document` is the *structured model*: metadata, sections, numbered paragraphs
  with their sub-items, footnotes attached where their markers sit, and the references
  found in all of them, each with the exact text matched and its character span.

Spans are ``(start, end)`` offsets into the text of the container named by
``Reference.container`` (a paragraph's ``text``, a footnote's ``text`` or a heading's
``text``), so every fact can be traced back to the characters it came from.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields, replace

from rightsgraph.core.links import Kind

# --- intermediate form (readers -> structure) -------------------------------------------


@dataclass
class Marker:
    """A footnote reference inside a block: ``offset`` is where it sat in ``Block.text``."""

    offset: int
    footnote: str


@dataclass
class Block:
    """One paragraph of the source as a reader sees it.

    ``label`` is numbering that the format itself generates and that is therefore not in
    ``text`` (Word auto-numbering: "1.", "(a)"); readers of formats whose numbers are
    typed in the text leave it ``None``.  ``indent`` is a nesting hint (leading tabs,
    Word indentation level).  ``line`` is the 1-based line (text) or paragraph (DOCX)
    number in the source file, used in error messages.
    """

    text: str
    line: int
    markers: list[Marker] = field(default_factory=list)
    label: str | None = None
    indent: int = 0


@dataclass
class SourceFootnote:
    id: str
    text: str
    line: int


@dataclass
class Source:
    """What every reader returns: the intermediate form of one file."""

    path: str
    format: str  # "text", "docx", ...
    sha256: str
    blocks: list[Block]
    footnotes: dict[str, SourceFootnote] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


# --- structured model (structure -> references -> triples) ------------------------------


@dataclass(frozen=True)
class Reference:
    """One explicit mention of something the graph links to.

    ``kind`` is one of the link kinds of :data:`rightsgraph.core.links.KINDS`: those of the
    links table (``article``, ``ilo``, ``sdg``, ``prior``, ``general_comment``,
    ``document``) or one kept for users (``treaty``, ``domestic_article``).  ``target`` is
    the registry notation (``ICRMW/8(1)``, ``C097``, ``16.9``, ``CMW/GC/5``,
    ``CMW/C/AZE/CO/2#13``, ``A/RES/73/195``).  ``relation`` qualifies a ``prior`` link:
    ``reiterates``, ``recalls``, ``notes_non_implementation`` or ``cites``.  Frozen:
    resolution makes new ones (``dataclasses.replace``).
    """

    kind: Kind
    target: str
    text: str
    start: int
    end: int
    container: str  # "paragraph" | "footnote" | "heading"
    footnote: str | None = None
    item: str | None = None
    relation: str | None = None


@dataclass
class Item:
    """A sub-item: ``label`` normalised (``a``, ``c.i``), span in the paragraph text."""

    label: str
    start: int
    end: int


@dataclass
class Footnote:
    id: str
    text: str
    paragraph: int | None = None
    item: str | None = None
    offset: int | None = None  # where the marker sits in the paragraph (or heading) text
    line: int | None = None
    references: list[Reference] = field(default_factory=list)


@dataclass
class Heading:
    """A section, cluster or thematic heading, and the paragraphs under it."""

    section: str  # "A", "C.1", or "C.1" for a thematic subheading inside C.1
    level: int  # 0 chapter (I.), 1 lettered section, 2 numbered cluster, 3 thematic subheading
    label: str | None
    text: str
    line: int
    paragraphs: list[int] = field(default_factory=list)
    references: list[Reference] = field(default_factory=list)


@dataclass
class Paragraph:
    number: int
    text: str
    line: int
    section: str | None = None
    heading: str | None = None  # the thematic subheading it sits under
    items: list[Item] = field(default_factory=list)
    footnotes: list[str] = field(default_factory=list)
    recommendation: bool = False
    concern: bool = False
    positive: bool = False
    references: list[Reference] = field(default_factory=list)

    def item_at(self, offset: int) -> str | None:
        """The label of the innermost sub-item that contains ``offset``.

        While the structure is being built, an item still open has a negative ``end``.
        """
        found = None
        for item in self.items:
            if item.start <= offset and (item.end < 0 or offset < item.end):
                found = item.label
        return found


@dataclass(frozen=True)
class Metadata:
    """What a document says about itself, read by :func:`rightsgraph.extract.metadata.read_metadata`
    from its header, first paragraph and closing paragraphs; ``None`` or empty where the text
    does not say.  ``header`` is the header with the line breaks a conversion lost put back;
    ``symbol_derived`` marks a symbol the header does not print, built as the UN builds it."""

    header: str
    symbol: str | None = None
    symbol_derived: bool = False
    other_symbols: tuple[str, ...] = ()
    document_type: str | None = None
    committee: str | None = None
    treaty: str | None = None
    state: str | None = None
    original_language: str | None = None
    report_numbers: tuple[int, ...] = ()
    session: int | None = None
    session_dates: tuple[str, ...] = ()
    distributed_on: str | None = None
    considered_at_meetings: tuple[int, ...] = ()
    considered_on: tuple[str, ...] = ()
    adopted_at_meeting: int | None = None
    adopted_on: str | None = None
    state_party_report: str | None = None
    list_of_issues: str | None = None
    summary_records: tuple[str, ...] = ()
    follow_up_paragraphs: tuple[int, ...] = ()
    follow_up_deadline: str | None = None
    follow_up_within: str | None = None
    follow_up_deadline_derived: str | None = None
    next_report_numbers: tuple[int, ...] = ()
    next_report_due: str | None = None
    dates_read: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()


@dataclass
class Document:
    source: str
    sha256: str
    format: str
    language: str | None = None
    symbol: str | None = None
    symbol_derived: bool = False
    other_symbols: list[str] = field(default_factory=list)  # of the same document (hro:otherSymbol)
    document_type: str | None = None
    committee: str | None = None
    treaty: str | None = None
    state: str | None = None
    original_language: str | None = None
    report_numbers: list[int] = field(default_factory=list)
    session: int | None = None
    session_dates: list[str] = field(default_factory=list)
    distributed_on: str | None = None
    considered_at_meetings: list[int] = field(default_factory=list)
    considered_on: list[str] = field(default_factory=list)
    adopted_at_meeting: int | None = None
    adopted_on: str | None = None
    state_party_report: str | None = None
    list_of_issues: str | None = None
    summary_records: list[str] = field(default_factory=list)
    previous_observations: list[str] = field(default_factory=list)
    follow_up_paragraphs: list[int] = field(default_factory=list)
    # Dates at the precision printed ("2026-11-01", "2027-06", "2026"); "within one year" is
    # follow_up_within (ISO 8601, "P1Y") and the date it gives from the adoption, derived.
    follow_up_deadline: str | None = None
    follow_up_within: str | None = None
    follow_up_deadline_derived: str | None = None
    next_report_numbers: list[int] = field(default_factory=list)
    next_report_due: str | None = None
    # the words each of those dates was read from and its precision ("day", "month", "year")
    dates_read: dict[str, dict[str, str]] = field(default_factory=dict)
    truncated: bool = False
    header: str = ""  # the text before paragraph 1, one line per source block
    headings: list[Heading] = field(default_factory=list)
    paragraphs: list[Paragraph] = field(default_factory=list)
    footnotes: dict[str, Footnote] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def with_metadata(self, metadata: Metadata) -> Document:
        """This document with ``metadata`` in its fields and its warnings after the others:
        the one place metadata enters a document."""
        values = {f.name: getattr(metadata, f.name) for f in fields(metadata)}
        values = {name: list(v) if isinstance(v, tuple) else v for name, v in values.items()}
        values["warnings"] = [*self.warnings, *metadata.warnings]
        return replace(self, **values)

    def paragraph(self, number: int) -> Paragraph | None:
        for paragraph in self.paragraphs:
            if paragraph.number == number:
                return paragraph
        return None

    def references(self) -> list[tuple[Paragraph | None, Heading | None, Reference]]:
        """Every reference with the paragraph (or heading) it belongs to, in document order."""
        out: list[tuple[Paragraph | None, Heading | None, Reference]] = []
        for heading in self.headings:
            out.extend((None, heading, r) for r in heading.references)
        for paragraph in self.paragraphs:
            out.extend((paragraph, None, r) for r in paragraph.references)
            for fid in paragraph.footnotes:
                out.extend((paragraph, None, r) for r in self.footnotes[fid].references)
        return out

    def to_dict(self) -> dict:
        return asdict(self)
