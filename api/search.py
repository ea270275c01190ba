"""Full-text search over the paragraphs (the index of :mod:`rightsgraph.graph.search`), as
the search page, ``/api/search`` and ``/api/paragraphs?q=`` use it."""
from __future__ import annotations

import dataclasses
import os
import re
import threading
from collections import OrderedDict
from collections.abc import Mapping
from typing import Annotated, Any

from fastapi import Query
from starlette.concurrency import run_in_threadpool

from rightsgraph.api import page_data
from rightsgraph.api.filters import notation
from rightsgraph.api.protocol import RefusedError
from rightsgraph.api.server import Server
from rightsgraph.core.links import FILTERS
from rightsgraph.graph.search import QueryError, Results, SearchIndexError
from rightsgraph.graph.search import facets as facet_table
from rightsgraph.graph.search.index import FACET_SIZE
from rightsgraph.graph.search.query import MAX_LENGTH

MAX_RESULTS = 1000
COLUMNS = ["uri", "document", "number", "score", "language", "languages", "snippet"]
_PLAIN = re.compile(r"^[^\s\"()]+$")

QueryText = Annotated[str, Query(
    description="Words (stemmed, in any of the six languages), \"phrases\", AND, OR, NOT "
                "or -word, prefix* and field filters: committee:, state:, article:, sdg:, "
                "ilo:, gc:, kind:, lang:, year:, document:, and OHCHR's UHRI labels theme: "
                "and affected: (a label or its slug). At most "
                f"{MAX_LENGTH} characters.",
    openapi_examples={
        "words": {"summary": "words, stemmed", "value": "national migration strategy"},
        "chinese": {"summary": "Chinese", "value": "移民战略"},
        "phrase": {"summary": "a phrase, a word left out",
                   "value": '"birth registration" -adoption'},
        "filters": {"summary": "field filters", "value": "detention committee:CMW lang:fr"},
        "uhri": {"summary": "a UHRI theme (labels loaded with `rightsgraph labels uhri`)",
                 "value": "strategy theme:migrants"},
    })]


def link_filters(links: Mapping[str, str]) -> dict[str, str]:
    """The link filters of a request (``article``, ``ilo``, ``sdg``: the facets of the same
    names) as the index holds their values (``c097`` -> ``C097``)."""
    return {name: FILTERS[name].normalise(notation(value, name))
            for name, value in links.items() if value}


def with_filters(q: str, **filters: str | None) -> str:
    """The query ``q`` and ``field:value`` for each filter given (a value with spaces or
    parentheses is quoted); a value that cannot be a notation is a 400."""
    parts = [q.strip()] if q.strip() else []
    for name, value in filters.items():
        if value:
            value = notation(value.strip(), name)
            parts.append(f"{name}:{value}" if _PLAIN.match(value) else f'{name}:"{value}"')
    return " ".join(parts)


async def run_search(server: Server, text: str, *, limit: int, offset: int,
                     lang: str | None = None, facet_size: int = FACET_SIZE,
                     snippets: bool = False) -> Results:
    """The index's answer, off the event loop; a bad query is a 400 naming the problem.
    With ``snippets``, each hit's snippet and highlights are made there too (the search
    page and ``/api/search`` show them).  The same search on the same index is answered
    from :data:`RECENT` (a page of results is read again, paged back to, or asked by many)."""
    def work() -> Results:
        index = server.search_index()
        key = (str(index.path), _state(index.path), text, limit, offset, lang, facet_size)
        held = RECENT.get(key)
        if held is None:
            held = index.search(text, limit=limit, offset=offset, lang=lang,
                                facet_size=facet_size, snippets=snippets)
            RECENT.put(key, held, len(held.items))
        elif snippets:
            for hit in held.items:
                hit.highlights  # noqa: B018 - a cached answer asked without them first
        # a copy of the list: a caller may narrow it (/api/paragraphs)
        return dataclasses.replace(held, items=list(held.items))
    try:
        return await run_in_threadpool(work)
    except QueryError as err:
        raise RefusedError(400, f"bad query: {err}") from err
    except SearchIndexError as err:
        raise RefusedError(503, f"the full-text index is not available: {err}") from err


def _state(path) -> tuple[int, int, int]:
    """What changes when the index commits (Tantivy rewrites ``meta.json``): answers of an
    older state are never given."""
    try:
        meta = os.stat(os.path.join(path, "meta.json"))
    except OSError:
        return (0, 0, 0)
    return (meta.st_ino, meta.st_mtime_ns, meta.st_size)


class Recent:
    """The last searches answered, least recently used dropped first, bounded by the
    number of hits held (a hit holds its paragraph's texts: about 1-3 KB)."""

    def __init__(self, hits: int) -> None:
        self.hits = hits
        self._held: OrderedDict[tuple, tuple[Results, int]] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()

    def get(self, key: tuple) -> Results | None:
        with self._lock:
            found = self._held.get(key)
            if found is None:
                return None
            self._held.move_to_end(key)
            return found[0]

    def put(self, key: tuple, results: Results, size: int) -> None:
        size += 1
        if size > self.hits // 4:
            return  # a large page (/api/paragraphs?q= reads 1,000): not worth holding
        with self._lock:
            if key in self._held:
                return
            self._held[key] = (results, size)
            self._size += size
            while self._size > self.hits:
                _, (_, dropped) = self._held.popitem(last=False)
                self._size -= dropped

    def clear(self) -> None:
        with self._lock:
            self._held.clear()
            self._size = 0


RECENT = Recent(hits=10_000)  # at most ~30 MB of texts


def items_of(server: Server, results: Results) -> list[dict[str, Any]]:
    return [{"uri": hit.uri, "page": server.local_path(hit.uri), "document": hit.symbol,
             "number": hit.number, "score": round(hit.score, 4), "language": hit.lang,
             "languages": hit.languages, "snippet": hit.snippet,
             "highlights": [list(span) for span in hit.highlights], "facets": hit.facets}
            for hit in results.items]


async def facets_of(server: Server, results: Results, lang: str | None = None,
                    ) -> dict[str, list[dict[str, Any]]]:
    """Each facet's values and counts; a value of a facet given by another source than the
    text (UHRI's themes and affected persons) also names that ``source`` and its ``label``
    (in ``lang`` when the store holds the label in it, else English)."""
    table = facet_table.by_name()
    other = {(name, value): facet_table.iri_of(name, value)
             for name, counted in results.facets.items() if table[name].source
             for value, _ in counted}
    labels = await page_data.labels(server, [iri for iri in other.values() if iri])
    out: dict[str, list[dict[str, Any]]] = {}
    for name, counted in results.facets.items():
        out[name] = []
        for value, count in counted:
            entry: dict[str, Any] = {"value": value, "count": count}
            if table[name].source:
                iri = other[name, value]
                entry["label"] = labels(iri, lang or "en") if iri else value
                entry["source"] = table[name].source
            out[name].append(entry)
    return out
