"""Counts and listings by facet, answered by the full-text index.

The index holds one Tantivy document per paragraph with every facet of ``facets.toml``
(committee, State, year, article with those inherited from section headings, SDG target,
kind, language…) and the paragraph's document (``symbol``) as fast fields: columns read
without touching the stored texts.  So "how many paragraphs per SDG target", "what the
store holds per State" or "every paragraph concerning ICRMW/76, in order" cost what their
answer costs (a column read per matching paragraph), not a scan of the store: the index,
built and replaced per document together with the store's graphs, is the precomputed
aggregate.

A filter (:data:`Where`) maps a facet name, or :data:`~.index.DOCUMENT` for the document's
symbol, to the value a paragraph must have, or to several values of which it must have one.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import NamedTuple
from urllib.parse import unquote

import tantivy

from rightsgraph.graph.search import facets
from rightsgraph.graph.search.index import (
    BUCKETS,
    DOCUMENT,
    SearchIndex,
    SearchIndexError,
    stored_parts,
)

Where = Mapping[str, str | Iterable[str]]


class AggregateError(SearchIndexError):
    """An aggregation the index cannot answer exactly; the message says why.  Like an index
    that cannot be opened, the server's routes then ask the store instead
    (``api.listing.from_index``)."""


def _field(name: str) -> str:
    if name == DOCUMENT:
        return "symbol"
    if name not in facets.by_name():
        raise AggregateError(f"no facet called {name!r} (the facets are "
                             f"{', '.join(facets.by_name())})")
    return f"f_{name}"


def query(index: SearchIndex, where: Where) -> tantivy.Query:
    """The paragraphs having every value ``where`` asks for (any of a list)."""
    Q, Occur = tantivy.Query, tantivy.Occur  # noqa: N806 - tantivy's names
    clauses = [(Occur.Must, Q.exists_query("uri"))]  # paragraphs, not version stamps
    for name, wanted in where.items():
        values = [wanted] if isinstance(wanted, str) else sorted(set(wanted))
        clauses.append((Occur.Must, Q.term_set_query(index.schema, _field(name), values)))
    return Q.boolean_query(clauses)


@dataclass
class Bucket:
    """One value of a facet: the paragraphs having it and, per facet counted ``within``
    it, the number of those paragraphs having each of its values."""

    value: str
    paragraphs: int
    within: dict[str, dict[str, int]]


def _terms(name: str) -> dict:
    return {"terms": {"field": _field(name), "size": BUCKETS, "segment_size": BUCKETS}}


def counts(index: SearchIndex, facet: str, where: Where | None = None,
           within: Iterable[str] = ()) -> list[Bucket]:
    """Each value of ``facet`` among the paragraphs ``where`` selects, with its number of
    paragraphs and, for each facet of ``within`` (or ``document``), its values' numbers of
    paragraphs: ``counts(index, "sdg", within=["document"])`` gives the paragraphs and the
    documents citing each SDG target.  Ordered by value."""
    inner = list(within)
    aggregation = {"by": {**_terms(facet), "aggs": {name: _terms(name) for name in inner}}}
    try:
        found = _aggregate(index, query(index, where or {}), aggregation)
    except AggregateError:  # more buckets than one aggregation holds
        if facet == DOCUMENT or DOCUMENT in (where or {}):
            raise
        return _counts_in_parts(index, facet, where or {}, inner)
    out = []
    for bucket in found:
        sub = {name: {b["key"]: b["doc_count"] for b in bucket[name]["buckets"]}
               for name in inner}
        out.append(Bucket(bucket["key"], bucket["doc_count"], sub))
    return sorted(out, key=lambda b: b.value)


PART = 256  # documents counted at a time when the whole is too many buckets


def _counts_in_parts(index: SearchIndex, facet: str, where: Where,
                     inner: list[str]) -> list[Bucket]:
    """:func:`counts` of the documents ``where`` selects, :data:`PART` documents at a time
    (halved again while a part is still too many buckets): a paragraph is of one document,
    so the parts' numbers add up to the whole's exactly.  Counting the articles with their
    documents at 12.8 M quads asks 125,000 buckets, past Tantivy's limit (65,000)."""
    documents = [bucket.value for bucket in counts(index, DOCUMENT, where)]
    parts = [documents[start:start + PART] for start in range(0, len(documents), PART)]
    merged: dict[str, Bucket] = {}
    while parts:
        part = parts.pop()
        try:
            found = counts(index, facet, {**where, DOCUMENT: part}, inner)
        except AggregateError:
            if len(part) == 1:
                raise
            parts += [part[:len(part) // 2], part[len(part) // 2:]]
            continue
        for bucket in found:
            into = merged.setdefault(bucket.value, Bucket(bucket.value, 0,
                                                          {name: {} for name in inner}))
            into.paragraphs += bucket.paragraphs
            for name, values in bucket.within.items():
                for value, n in values.items():
                    into.within[name][value] = into.within[name].get(value, 0) + n
    return sorted(merged.values(), key=lambda b: b.value)


def _aggregate(index: SearchIndex, selected: tantivy.Query, aggregation: dict) -> list[dict]:
    searcher = index.searcher()
    if searcher.num_docs == 0:
        return []
    try:
        answer = searcher.aggregate(selected, aggregation)
    except ValueError as err:  # more than 65,000 buckets
        raise AggregateError(f"the index cannot count this exactly: {err}") from err
    return answer["by"]["buckets"]


class Listed(NamedTuple):
    """A paragraph in one language held, in the order of a listing: by its document's
    symbol, its number, then the language."""

    symbol: str
    number: int
    lang: str
    uri: str


def listing(index: SearchIndex, where: Where | None = None,
            languages: Iterable[str] | None = None) -> list[Listed]:
    """Every paragraph ``where`` selects, once per language it is held in (only those of
    ``languages`` when given), sorted.  Read from the ``uri`` column, one pass per
    language (a terms aggregation: 6 ms for 4,547 paragraphs, where collecting them as
    hits sorted by uri took 53): no stored text is read, and the cost is that of the
    answer."""
    searcher = index.searcher()
    held = {b.value: b.paragraphs for b in counts(index, "lang", where)}  # to size the pass
    out = []
    for lang in held if languages is None else languages:
        if not held.get(lang):
            continue
        selected = query(index, {**(where or {}), "lang": lang})
        if held[lang] <= BUCKETS:
            found = _aggregate(index, selected, {"by": {"terms": {
                "field": "uri", "size": BUCKETS, "segment_size": BUCKETS}}})
            uris = [str(bucket["key"]) for bucket in found]
        else:  # more than an aggregation may hold
            uris = [str(uri) for uri, _ in searcher.search(
                selected, held[lang], count=False, order_by_field="uri",
                order=tantivy.Order.Asc).hits]
        for uri in uris:
            symbol, number = paragraph_of(uri)
            out.append(Listed(symbol, number, lang, uri))
    return sorted(out)


def paragraph_of(uri: str) -> tuple[str, int]:
    """The document symbol and paragraph number a paragraph's URI names
    (``…/doc/CMW/C/AZE/CO/3/para/16`` -> ``("CMW/C/AZE/CO/3", 16)``)."""
    path, _, number = uri.partition("/doc/")[2].rpartition("/para/")
    if "%" in uri:  # only then is there anything to decode (a listing reads thousands)
        path, number = unquote(path), unquote(number)
    return path, int(number) if number.isdigit() else 0


def provisions(index: SearchIndex, article: str) -> list[str]:
    """The provisions below an article that paragraphs concern (``CRC/3`` -> ``CRC/3(1)``,
    ``CRC/3(2)(a)``…), read from the terms of the article facet."""
    if "(" in article:
        return []
    found = index.searcher().terms_with_prefix("f_article", article + "(", limit=BUCKETS)
    return sorted(term for term, _ in found)


def stored(index: SearchIndex, uris: Iterable[str]) -> dict[str, dict]:
    """The stored language versions of the paragraphs ``uris``, each as its graph ->
    ``{"lang", "text", "number", "symbol", "facets", …}``."""
    wanted = sorted(set(uris))
    if not wanted:
        return {}
    searcher = index.searcher()
    selected = tantivy.Query.term_set_query(index.schema, "uri", wanted)
    out = {}
    for _, address in searcher.search(selected, len(wanted), count=False).hits:
        doc = searcher.doc(address)
        out[str(doc.get_first("uri"))] = stored_parts(doc)
    return out
