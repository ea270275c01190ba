"""Reading OHCHR's Universal Human Rights Index (UHRI) export, one record at a time.

The full export (``export-full-en.json``, ~360 MB, daily; its address and the public
material that documents it are in ``fetch/sources.toml`` ``[uhri]``) is one JSON array with
one record per annotated paragraph: ``AnnotationId``, ``Text`` (the paragraph, as HTML or
plain text, its heading and number first), ``Symbol`` (in varying case: ``…/REV.1``),
``Body`` and ``AnnotationType`` (with a leading ``"- "``), ``Countries`` (English names),
``Regions``, ``Themes`` and ``AffectedPersons`` (strings, stray spaces), ``Sdgs`` (``"10.7 -
Facilitate orderly…"`` or goal-level ``"10 - REDUCED INEQUALITIES"``), ``PublicationDate``
(ISO timestamp), ``DocumentId`` and UPR fields.

:func:`records` streams it with ijson (a C-backed incremental JSON parser): memory stays
bounded whatever the file's size.  Fetch reads it as the list of documents that exist;
``graph/labels.py`` loads its labels.
"""
from __future__ import annotations

import html
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any, BinaryIO, Protocol

from rightsgraph.core import identifiers, registries
from rightsgraph.core.errors import RightsgraphError

_SDG = re.compile(
    r"^\s*(?P<goal>\d{1,2})(?:\.(?P<target>[0-9a-z]{1,2}))?\s*(?:-\s*(?P<label>.*))?$", re.DOTALL)
_NUMBERED = re.compile(r"^\s*(?P<number>\d{1,3})\s*\.(?!\d)\s*(?P<rest>.*)$", re.DOTALL)
_BLOCK_TAGS = {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol",
               "table"}


class UhriExportError(RightsgraphError):
    """The export cannot be read; the message names the file and where."""


def symbol_key(symbol: str) -> str:
    """A symbol as compared across sources: no spaces, Latin letters, upper case."""
    return registries.latin_symbol(symbol).upper()


# OHCHR's themes and affected persons become SKOS concepts of the graph, one per label, named
# by the label's slug: ``{base}uhri/themes/legal-institutional-reform``.
SCHEMES = {"theme": ("themes", "UHRI themes"),
           "affected": ("affected-persons", "UHRI affected persons")}


def slug(label: str) -> str:
    """The name of a theme's or affected persons' concept: ``"Legal & institutional reform"``
    -> ``legal-institutional-reform`` (a slug is its own slug)."""
    return re.sub(r"[^a-z0-9]+", "-", label.casefold()).strip("-") or "unnamed"


def concept_uri(kind: str, label: str, base: str | None = None) -> str:
    """A theme's (``kind="theme"``) or affected persons' (``"affected"``) concept, by its
    label or its slug: ``{base}uhri/themes/right-to-health``."""
    return f"{base or identifiers.base()}uhri/{SCHEMES[kind][0]}/{slug(label)}"


def scheme_uri(kind: str, base: str | None = None) -> str:
    return f"{base or identifiers.base()}uhri/{SCHEMES[kind][0]}"


def concept_of(iri: str, base: str | None = None) -> tuple[str, str] | None:
    """(kind, slug) of a theme's or affected persons' concept IRI; ``None`` for others."""
    for kind in SCHEMES:
        prefix = scheme_uri(kind, base) + "/"
        if iri.startswith(prefix) and re.fullmatch(r"[a-z0-9-]+", iri[len(prefix):]):
            return kind, iri[len(prefix):]
    return None


def canonical_symbol(symbol: str) -> str:
    """A symbol as the UN writes it, whatever its case: ``crc/c/15/ADD.183`` →
    ``CRC/C/15/Add.183`` (:func:`identifiers.normalise_symbol` of the upper-cased symbol)."""
    return identifiers.normalise_symbol(symbol_key(symbol))


@dataclass(frozen=True)
class Sdg:
    """An SDG the record is tagged with: a target (``10.7``) or a whole goal (``10``)."""

    notation: str
    label: str
    is_goal: bool


@dataclass(frozen=True)
class Record:
    """One UHRI record, its fields cleaned (stray spaces, the ``"- "`` prefixes)."""

    index: int  # position in the export, from 0
    id: str
    symbol: str | None  # canonical_symbol of Symbol
    body: str | None
    annotation_type: str | None
    countries: tuple[str, ...]
    themes: tuple[str, ...]
    affected: tuple[str, ...]
    sdgs: tuple[Sdg, ...]
    published: str | None  # YYYY-MM-DD
    text: str  # the Text as plain text, blocks on their own lines
    heading: str | None  # the lines before the paragraph number
    paragraph: int | None  # the number the paragraph starts with
    body_text: str  # the paragraph's text after its number


def records(path: str | os.PathLike, stream: SupportsRead | None = None) -> Iterator[Record]:
    """Every record of the export at ``path``, in order, streamed (from ``stream`` when
    given: an open binary file of ``path``, e.g. one that hashes what it reads)."""
    import ijson

    with open(path, "rb") as fh:
        _check_array(fh, path)
        source = stream if stream is not None else fh
        index = -1
        try:
            for index, raw in enumerate(ijson.items(source, "item", use_float=True)):
                if not isinstance(raw, dict):
                    raise UhriExportError(
                        f"{path}: record {index} is not a JSON object but {type(raw).__name__}")
                yield parse_record(raw, index)
        except ijson.JSONError as err:
            first = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
            raise UhriExportError(
                f"{path}: not valid JSON after {index + 1} records: {first}") from err


class SupportsRead(Protocol):
    def read(self, n: int = -1, /) -> bytes: ...


def _check_array(fh: BinaryIO, path: str | os.PathLike) -> None:
    head = fh.read(64).lstrip(b"\xef\xbb\xbf \t\r\n")
    fh.seek(0)
    if not head:
        raise UhriExportError(f"{path}: empty file")
    if not head.startswith(b"["):
        raise UhriExportError(f"{path}: not a UHRI export (expected a JSON array of records, "
                              f"starts with {head[:20]!r})")


def parse_record(raw: dict[str, Any], index: int = 0) -> Record:
    text = html_text(str(raw.get("Text") or ""))
    heading, number, body_text = split_paragraph(text)
    symbol = raw.get("Symbol")
    return Record(
        index=index,
        id=str(raw.get("AnnotationId") or "").strip(),
        symbol=canonical_symbol(symbol) if isinstance(symbol, str) and symbol.strip() else None,
        body=_dashless(raw.get("Body")),
        annotation_type=_dashless(raw.get("AnnotationType")),
        countries=_strings(raw.get("Countries")),
        themes=_strings(raw.get("Themes")),
        affected=_strings(raw.get("AffectedPersons")),
        sdgs=tuple(sdg for sdg in map(parse_sdg, _strings(raw.get("Sdgs"))) if sdg),
        published=_date(raw.get("PublicationDate")),
        text=text,
        heading=heading,
        paragraph=number,
        body_text=body_text,
    )


def parse_sdg(value: str) -> Sdg | None:
    """``"10.7 - Facilitate…"`` → target 10.7; ``"10 - REDUCED INEQUALITIES"`` → goal 10."""
    match = _SDG.match(value)
    if not match:
        return None
    label = " ".join((match["label"] or "").split())
    if match["target"]:
        return Sdg(f"{int(match['goal'])}.{match['target']}", label, is_goal=False)
    return Sdg(str(int(match["goal"])), label, is_goal=True)


def split_paragraph(text: str) -> tuple[str | None, int | None, str]:
    """(heading, number, text after the number) of a paragraph's text; the number is that
    of the first line that starts with one ("16. The Committee…", "4.The Committee…")."""
    lines = [line for line in text.splitlines() if line.strip()]
    for i, line in enumerate(lines[:4]):
        match = _NUMBERED.match(line)
        if match:
            heading = " ".join(" ".join(lines[:i]).split()) or None
            rest = "\n".join([match["rest"], *lines[i + 1:]])
            return heading, int(match["number"]), " ".join(rest.split())
    return None, None, " ".join(text.split())


class _TextParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def html_text(value: str) -> str:
    """Plain text of a ``Text`` field, one line per block; plain text passes through."""
    if "<" not in value:
        return html.unescape(value).replace("\xa0", " ").strip()
    parser = _TextParser()
    parser.feed(value)
    parser.close()
    text = "".join(parser.parts).replace("\xa0", " ")
    return "\n".join(" ".join(line.split()) for line in text.splitlines() if line.strip())


def _dashless(value: object) -> str | None:
    if not isinstance(value, str) or not value.strip():
        return None
    return " ".join(value.strip().removeprefix("-").split()) or None


def _strings(value: object) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        return ()
    cleaned = (" ".join(v.split()) for v in value if isinstance(v, str))
    return tuple(dict.fromkeys(v for v in cleaned if v))


def _date(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    match = re.match(r"\s*(\d{4}-\d{2}-\d{2})", value)
    return match.group(1) if match else None
