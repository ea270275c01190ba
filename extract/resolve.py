"""Stage 4: resolve what the finders matched into links of the document.

* "Ibid." / "同上" in a footnote stands for the document the previous footnote cited last.
* A pinpointed paragraph of earlier concluding observations of the same State is an
  earlier recommendation (kind ``prior``); how the paragraph treats it (reiterates,
  recalls, notes its non-implementation, or just cites it) is read from the paragraph's
  own words around the footnote marker.  Whose observations a symbol of an older series
  is (``CRC/C/15/Add.77`` names no State) is known from the documents a build holds
  (``Context.known``), or from the text itself when it calls them the committee's own
  earlier ones ("its previous concluding observations", ``[prior] previous``).
"""
from __future__ import annotations

import re
from dataclasses import replace
from functools import lru_cache

from rightsgraph.core.identifiers import parse_symbol
from rightsgraph.core.known_symbols import Known, KnownSymbols
from rightsgraph.core.links import KINDS, Kind
from rightsgraph.extract.language import Phrases
from rightsgraph.extract.model import Document, Footnote, Paragraph, Reference
from rightsgraph.extract.references import Context, find_references, find_symbol_mentions, is_ibid

PRIOR_RELATIONS = tuple(KINDS[Kind.PRIOR].relations)  # in the order they are tried
# The end of a sentence: a full-width stop, or a stop before a word ("para. 6" is none).
SENTENCE_END = re.compile(r"[。；！？]|[.;!?؛]\s+(?=[^\W\d_])")


def resolve_document(doc: Document, ctx: Context) -> None:
    """Find and resolve every reference of the document, in place."""
    for heading in doc.headings:
        heading.references = find_references(heading.text, ctx, container="heading",
                                              heading=True)
    last_symbol: str | None = None
    for fid in sorted(doc.footnotes, key=_footnote_order):
        note = doc.footnotes[fid]
        note.references = find_references(note.text, ctx, container="footnote", footnote=fid)
        if last_symbol:
            note.references = ibid_references(note, last_symbol, ctx.phrases) + note.references
        symbols = [r for r in note.references if r.kind == Kind.DOCUMENT]
        if symbols:
            last_symbol = symbols[-1].target.split("#")[0]
    for paragraph in doc.paragraphs:
        found = find_references(paragraph.text, ctx, container="paragraph")
        for fid in paragraph.footnotes:
            note = doc.footnotes[fid]
            in_item = [_in_item(ref, note.item) for ref in note.references]
            note.references = _classify_priors(in_item, doc, paragraph, ctx, note)
        in_item = [_in_item(ref, paragraph.item_at(ref.start)) for ref in found]
        paragraph.references = _classify_priors(in_item, doc, paragraph, ctx, None)


def _in_item(ref: Reference, item: str | None) -> Reference:
    return ref if ref.item == item else replace(ref, item=item)


def _footnote_order(fid: str) -> tuple[int, str]:
    return (int(fid), fid) if fid.isdigit() else (10**9, fid)


def ibid_references(note: Footnote, symbol: str, phrases: Phrases) -> list[Reference]:
    """What a footnote "Ibid., para. 41" stands for when the footnote before it cited
    ``symbol`` last: that document with the new pinpoints.  None if the note is no "Ibid."."""
    ibid = is_ibid(note.text, phrases)
    if ibid is None:
        return []
    end = ibid.end()
    rest = note.text[end:]
    pins = []
    probe = f"{symbol}{rest}"
    mentions = find_symbol_mentions(probe, phrases)
    if mentions and mentions[0].start == 0:
        pins = mentions[0].pinpoints
        span_end = end + mentions[0].end - len(symbol)
    else:
        span_end = end
    targets = [f"{symbol}#{p}" for p in pins] or [symbol]
    return [Reference(kind=Kind.DOCUMENT, target=t, text=note.text[:span_end], start=0,
                      end=span_end, container="footnote", footnote=note.id) for t in targets]


def _classify_priors(refs: list[Reference], doc: Document, paragraph: Paragraph,
                     ctx: Context, note: Footnote | None) -> list[Reference]:
    """``refs`` (of the paragraph, or of its footnote ``note``) with each pinpointed paragraph
    of earlier concluding observations on the document's State made a ``prior`` link, its
    relation read from the paragraph."""
    offset = note.offset if note else None
    return [replace(ref, kind=Kind.PRIOR,
                    relation=prior_relation(paragraph.text, offset, ctx.phrases))
            if _is_prior(ref, doc, ctx, paragraph, note) else ref for ref in refs]


def _is_prior(ref: Reference, doc: Document, ctx: Context, paragraph: Paragraph,
              note: Footnote | None) -> bool:
    """Whether ``ref`` pinpoints earlier concluding observations on the document's State: the
    symbol names that State, or the documents known say it is that State's, or it is one of
    the committee's older series and the words around it (:func:`_around`) call it the
    committee's own."""
    if ref.kind != Kind.DOCUMENT or "#" not in ref.target:
        return False
    symbol = ref.target.split("#")[0]
    parts = _symbol_parts(symbol)
    if parts["kind"] != "concluding observations" or symbol == doc.symbol:
        return False
    state = parts["state"] or ctx.known.state_of(symbol)
    if state is not None:
        return not (doc.state and state != doc.state)
    previous = ctx.phrases.any_of("prior", "previous")
    return bool(doc.state and parts["committee"] == doc.committee and previous
                and previous.search(_around(ref, paragraph, note)))


def own_earlier_observations(doc: Document, ctx: Context) -> KnownSymbols:
    """``ctx.known`` with the symbols of the committee's older series that the document itself
    calls its previous observations anywhere (its history paragraph: "its previous concluding
    observations (CRC/C/15/Add.77)"), known as its State's: every later mention of them,
    however plain, is then an earlier recommendation of that State."""
    previous = ctx.phrases.any_of("prior", "previous")
    if previous is None or not doc.state:
        return ctx.known
    found = []
    for paragraph in doc.paragraphs:
        notes = [doc.footnotes[fid] for fid in paragraph.footnotes]
        for text, note in [(paragraph.text, None), *((n.text, n) for n in notes)]:
            for mention in find_symbol_mentions(text, ctx.phrases):
                parts = _symbol_parts(mention.symbol)
                if (parts["kind"] == "concluding observations" and not parts["state"]
                        and parts["committee"] == doc.committee
                        and ctx.known.lookup(mention.symbol) is None):
                    ref = Reference(kind=Kind.DOCUMENT, target=mention.symbol, text="",
                                    start=mention.start, end=mention.end, container="")
                    if previous.search(_around(ref, paragraph, note)):
                        found.append(mention.symbol)
    return ctx.known.adding((symbol, Known(doc.committee, doc.state))
                            for symbol in dict.fromkeys(found))


@lru_cache(maxsize=4096)
def _symbol_parts(symbol: str) -> dict:
    """:func:`parse_symbol`, remembered for the symbols a document cites again and again
    (read only: the dict is shared)."""
    return parse_symbol(symbol)


def _around(ref: Reference, paragraph: Paragraph, note: Footnote | None) -> str:
    """The words that say what a citation is: the sentence of the paragraph that cites it
    (where the footnote marker sits), and the footnote's own text."""
    at = note.offset if note and note.offset is not None else (ref.start if not note else None)
    sentence = paragraph.text if at is None else _sentence_at(paragraph.text, at)
    return sentence + (" " + note.text if note else "")


def _sentence_at(text: str, at: int) -> str:
    """The sentence of ``text`` that holds the offset ``at``."""
    starts = [m.end() for m in SENTENCE_END.finditer(text, 0, at)]
    end = SENTENCE_END.search(text, at)
    return text[starts[-1] if starts else 0:end.start() + 1 if end else len(text)]


def prior_relation(text: str, offset: int | None, phrases: Phrases) -> str:
    """How a paragraph treats the earlier recommendation it cites at ``offset``."""
    window = text if offset is None else text[:offset]
    sentence = re.split(r"(?<=[。.;；])\s*", window)[-1] or window
    for scope in (sentence, text):
        for relation in PRIOR_RELATIONS:
            pattern = phrases.any_of("prior", relation)
            if pattern and pattern.search(scope):
                return relation
    return "cites"
