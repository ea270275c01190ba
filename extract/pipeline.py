"""The extractor's stages in order: read -> structure -> metadata -> references -> flags."""
from __future__ import annotations

import os

from rightsgraph.core.errors import RightsgraphError
from rightsgraph.core.identifiers import parse_symbol
from rightsgraph.core.known_symbols import Known, KnownSymbols
from rightsgraph.core.links import Kind
from rightsgraph.extract import readers
from rightsgraph.extract.flags import set_flags
from rightsgraph.extract.language import Phrases, UnsupportedLanguageError, detect, phrases
from rightsgraph.extract.metadata import read_metadata, state_named
from rightsgraph.extract.model import Document, Source
from rightsgraph.extract.readers import ReadError
from rightsgraph.extract.references import Context
from rightsgraph.extract.resolve import own_earlier_observations, resolve_document
from rightsgraph.extract.structure import build

TERMINAL = tuple(".。;；:：!?！？”\")）")


class ExtractionError(RightsgraphError):
    """A file could not be extracted; the message names the file and why."""


def extract_file(path: str | os.PathLike, *, language: str | None = None,
                 known: KnownSymbols | None = None) -> Document:
    """Read and extract one file; raises :class:`ExtractionError` with a clear message.
    ``known`` says whose observations the older symbols the document cites are."""
    try:
        source = readers.read(path)
    except ReadError as err:
        raise ExtractionError(str(err)) from err
    return extract_source(source, language=language, known=known)


def extract_source(source: Source, *, language: str | None = None,
                   known: KnownSymbols | None = None) -> Document:
    text = "\n".join(block.text for block in source.blocks)
    lang = language or detect(text)
    if lang is None:
        raise ExtractionError(f"{source.path}: no text to extract")
    try:
        phr = phrases(lang)
    except UnsupportedLanguageError as err:
        raise ExtractionError(f"{source.path}: {err}") from err
    doc = build(source, phr)
    if not doc.paragraphs:
        raise ExtractionError(
            f"{source.path}: no numbered paragraphs found; this does not look like "
            "concluding observations (expected paragraphs numbered 1., 2., …)")
    doc = doc.with_metadata(read_metadata(doc, phr))
    _refuse_several_states(doc, phr)
    known = own_earlier_observations(
        doc, Context(phr, doc.committee, doc.treaty, known=known or KnownSymbols()))
    resolve_document(doc, Context(phr, doc.committee, doc.treaty, known=known))
    for paragraph in doc.paragraphs:
        set_flags(paragraph, phr)
    _previous_observations(doc, known)
    _check_complete(doc)
    return doc


def _refuse_several_states(doc: Document, phrases: Phrases) -> None:
    """An annual report (``A/59/38``: concluding observations of several States, one section
    each, paragraphs numbered through the report) is refused when the file holds more than
    one State's section: one document of the graph is one State's observations, and one
    file is one document (docs/decisions/0003-documents-of-every-era.md)."""
    parts = parse_symbol(doc.symbol or "")
    considered = phrases.regex("metadata", "considered")
    if parts["kind"] != "annual report" or considered is None:
        return
    states: dict[str, int] = {}
    for paragraph in doc.paragraphs:
        state = state_named(paragraph.text, phrases) if considered.search(paragraph.text) else None
        if state:
            states.setdefault(state, paragraph.number)
    if len(states) > 1:
        where = ", ".join(f"{state} from paragraph {n}" for state, n in states.items())
        raise ExtractionError(
            f"{doc.source}: {doc.symbol} is an annual report of {parts['committee']} (series "
            f"{parts['series']}) holding the concluding observations of {len(states)} States "
            f"({where}); rightsgraph reads one State's observations per file: give each "
            "State's section as a file of its own")


def _check_complete(doc: Document) -> None:
    """Whether the source ends before the document does, by its structure: the last paragraph
    ends mid-sentence; a heading comes after the last paragraph; or the last paragraph is
    under no closing section (the last of at least two) and none asks for the next report.
    A complete document whose last paragraph asks for the next report in words not matched
    (or, as in the 1990s, asks for none) ends under its last section: not truncated."""
    last = doc.paragraphs[-1]
    after = [h for h in doc.headings if h.line > last.line]
    sections = [h for h in doc.headings if h.level <= 1]
    closes = len(sections) >= 2 and last.line > sections[-1].line
    if not last.text.rstrip().endswith(TERMINAL):
        doc.truncated = True
        doc.warnings.append(f"{doc.source}: the text ends mid-sentence in paragraph "
                            f"{last.number} (line {last.line}); the document looks truncated")
    elif after:
        doc.truncated = True
        doc.warnings.append(f"{doc.source}: the text ends with a heading and no paragraph under "
                            f"it (line {after[-1].line}); the document looks truncated")
    elif doc.document_type == "concluding observations" and doc.next_report_due is None:
        doc.truncated = not closes
        doc.warnings.append(
            f"{doc.source}: no date found for the next report (last paragraph {last.number}, "
            f"line {last.line})" + ("" if closes else ", and the last paragraph closes no "
                                    "section of the document; the document looks truncated"))


def _previous_observations(doc: Document, known: KnownSymbols) -> None:
    """Earlier concluding observations of the same committee and State, as first cited: the
    documents of its earlier recommendations, and the observations whose symbol (or the
    documents known) name this State."""
    seen: list[str] = []
    looked_up: dict[str, Known | None] = {}  # a symbol is cited again and again
    for _, _, ref in doc.references():
        symbol = ref.target.split("#")[0]
        if ref.kind not in (Kind.PRIOR, Kind.DOCUMENT) or symbol == doc.symbol or symbol in seen:
            continue
        if symbol not in looked_up:
            looked_up[symbol] = known.lookup(symbol)
        cited = looked_up[symbol]
        if doc.state and (ref.kind == Kind.PRIOR or cited and cited.state == doc.state
                          and cited.committee == doc.committee):
            seen.append(symbol)
    doc.previous_observations = seen


def known_entry(doc: Document) -> tuple[str, Known] | None:
    """What ``doc`` adds to the documents known: its symbol (and other symbols) with its
    committee, State and reports; ``None`` unless it is concluding observations of a State."""
    if not (doc.symbol and doc.state and doc.document_type == "concluding observations"):
        return None
    return doc.symbol, Known(doc.committee, doc.state, tuple(doc.report_numbers),
                             tuple(doc.other_symbols))


def unresolved_citations(doc: Document) -> tuple[str, ...]:
    """Symbols of the committee's older series (no State in them) that ``doc`` cites with a
    paragraph and could not tell to be its State's: once the documents known say whose they
    are, extracting ``doc`` again may link their recommendations."""
    found = []
    for _, _, ref in doc.references():
        symbol, _, pinpoint = ref.target.partition("#")
        if ref.kind != Kind.DOCUMENT or not pinpoint:
            continue
        parts = parse_symbol(symbol)
        if parts["kind"] == "concluding observations" and parts["state"] is None \
                and parts["committee"] == doc.committee:
            found.append(symbol)
    return tuple(dict.fromkeys(found))
