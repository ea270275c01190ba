"""The extractor's stages in order: read -> structure -> metadata -> references -> flags."""
from __future__ import annotations

import os

from rightsgraph.core.errors import RightsgraphError
from rightsgraph.core.identifiers import parse_symbol
from rightsgraph.core.links import Kind
from rightsgraph.extract import readers
from rightsgraph.extract.flags import set_flags
from rightsgraph.extract.language import UnsupportedLanguageError, detect, phrases
from rightsgraph.extract.metadata import read_metadata
from rightsgraph.extract.model import Document, Source
from rightsgraph.extract.readers import ReadError
from rightsgraph.extract.references import Context
from rightsgraph.extract.resolve import resolve_document
from rightsgraph.extract.structure import build

TERMINAL = tuple(".。;；:：!?！？”\")）")


class ExtractionError(RightsgraphError):
    """A file could not be extracted; the message names the file and why."""


def extract_file(path: str | os.PathLike, *, language: str | None = None) -> Document:
    """Read and extract one file; raises :class:`ExtractionError` with a clear message."""
    try:
        source = readers.read(path)
    except ReadError as err:
        raise ExtractionError(str(err)) from err
    return extract_source(source, language=language)


def extract_source(source: Source, *, language: str | None = None) -> Document:
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
    resolve_document(doc, Context(phr, doc.committee, doc.treaty))
    for paragraph in doc.paragraphs:
        set_flags(paragraph, phr)
    _previous_observations(doc)
    _check_complete(doc)
    return doc


def _check_complete(doc: Document) -> None:
    """Concluding observations end with a full stop and with the next-report paragraph."""
    last = doc.paragraphs[-1]
    if not last.text.rstrip().endswith(TERMINAL):
        doc.truncated = True
        doc.warnings.append(f"{doc.source}: the text ends mid-sentence in paragraph "
                            f"{last.number} (line {last.line}); the document looks truncated")
    elif doc.document_type == "concluding observations" and doc.next_report_due is None:
        doc.truncated = True
        doc.warnings.append(f"{doc.source}: no paragraph asks for the next report (last paragraph "
                            f"{last.number}, line {last.line}); the document looks truncated")


def _previous_observations(doc: Document) -> None:
    """Earlier concluding observations of the same committee and State, as first cited."""
    seen: list[str] = []
    for _, _, ref in doc.references():
        symbol = ref.target.split("#")[0]
        if ref.kind not in (Kind.PRIOR, Kind.DOCUMENT) or symbol == doc.symbol or symbol in seen:
            continue
        parts = parse_symbol(symbol)
        if parts["state"] == doc.state and parts["committee"] == doc.committee:
            seen.append(symbol)
    doc.previous_observations = seen


