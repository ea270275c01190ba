"""The dataset's numbers, computed by the writer instead of the first reader after a build.

``/void`` (the page and the VoID description), ``/api/summary`` and ``/api/articles``
(unfiltered, or by treaty) aggregate the whole store: seconds to minutes at a large
corpus.  :func:`store_numbers` runs the very functions the server runs
(:func:`.page_data.dataset_description`, :func:`.statistics.per_article`) once, over the
store and the full-text index just written, and stores their answers in the store's
``{base}graph/dataset`` (:mod:`rightsgraph.graph.dataset`: VoID, PROV and the answers as
JSON), guarded by the store's state token.  The server reads them with one lookup
(:func:`.page_data.stored_numbers`) and counts as before when they are missing or not of
the store's current state.

The numbers count the graph they are stored in, as a reader counting the store would:
its quads before are replaced by the :data:`~rightsgraph.graph.dataset.WRITTEN` quads
written.
"""
from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Hashable
from typing import Any, TypeVar, cast

import pyoxigraph as ox

from rightsgraph.core import identifiers
from rightsgraph.core import sparql as sp
from rightsgraph.graph import dataset
from rightsgraph.graph.search import SearchIndex, SearchIndexError
from rightsgraph.graph.store import QueryResult, Store

T = TypeVar("T")
XSD_INTEGER = "http://www.w3.org/2001/XMLSchema#integer"
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


class StoreReader:
    """What the server's page functions ask of a server, answered by the store being
    written (synchronously) and its index."""

    def __init__(self, store: Store, index: SearchIndex | None, base: str, *,
                 keep: bool = True, before_whole: Callable[[], None] | None = None) -> None:
        self.store = store
        self.keep = keep
        self.index = index
        self.base = base
        self._cache: dict[Hashable, Any] = {}
        self._answers: dict[str, list[dict[str, dict]]] = {}
        self._before_whole = before_whole  # called once, before the whole store is counted

    async def select(self, query: str) -> list[dict[str, dict]]:
        """The rows of ``query``, asked once unless the reader keeps nothing (``keep``):
        the store does not change while its numbers are computed, and the list of graphs
        (a scan of every quad) is asked twice."""
        if query in self._answers:
            return self._answers[query]
        if self._before_whole is not None and _counts_whole_store(query):
            before, self._before_whole = self._before_whole, None
            before()
        counted = self._counted(query)
        if counted is None:
            counted = _bindings(self.store.query(query))
        if self.keep:
            self._answers[query] = counted
        return counted

    def _counted(self, query: str) -> list[dict[str, dict]] | None:
        """The rows of the two queries that read every quad (the quads of the named graphs,
        the graphs that hold any), from what the embedded store keeps (its size, the names
        of its graphs): the same rows in a fraction of the time (1.6 M quads: 0.4 s instead
        of 1.0 s, and 0.06 s instead of 1.0 s); ``None`` for another query or store."""
        from rightsgraph.api import page_data
        from rightsgraph.graph.local import LocalStore

        if not isinstance(self.store, LocalStore):
            return None
        if query == page_data.QUADS_QUERY:  # the default graph's quads are not counted
            default = self.store.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
                                       union_default_graph=False)
            quads = len(self.store) - int(next(default.rows())["n"] or 0)
            return [{"n": {"type": "literal", "datatype": XSD_INTEGER, "value": str(quads)}}]
        if query == page_data.GRAPHS_QUERY:  # a graph emptied keeps its name: asked
            return [{"g": {"type": "uri", "value": name}} for name in self.store.graphs()
                    if self.store.query(f"ASK {{ GRAPH {sp.iri(name)} {{ ?s ?p ?o }} }}")
                    .boolean]
        return None

    async def ask(self, query: str) -> bool:
        return bool(self.store.query(query).boolean)

    async def cached(self, key: Hashable, make: Callable[[], Awaitable[T]],
                     seconds: float = 0.0) -> T:
        if key not in self._cache:
            self._cache[key] = await make()
        return self._cache[key]

    def search_index(self) -> SearchIndex:
        if self.index is None:
            raise SearchIndexError("no full-text index: the store is counted")
        return self.index

    def local_path(self, iri: str) -> str | None:
        return "/" + iri[len(self.base):] if iri.startswith(self.base) else None


def _counts_whole_store(query: str) -> bool:
    """Whether ``query`` counts every graph (the recurring recommendations' included)."""
    from rightsgraph.api import page_data

    return query in (page_data.QUADS_QUERY, page_data.GRAPHS_QUERY)


def _bindings(result: QueryResult) -> list[dict[str, dict]]:
    """The rows of a SELECT result as the SPARQL results JSON format's ``bindings`` (what
    the server's functions read), built from the store's terms: serialising the result and
    parsing it again cost as much as the queries did (decision 0015, "Cheaper")."""
    names = [ox.Variable(name) for name in result.variables]
    return [{name.value: _term(term) for name in names
             if (term := solution[name]) is not None} for solution in result.solutions()]


def _term(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple) -> dict:
    """A term as SPARQL results JSON states it."""
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.Literal):
        if term.language:
            return {"type": "literal", "value": term.value, "xml:lang": term.language}
        if term.datatype.value == XSD_STRING:
            return {"type": "literal", "value": term.value}
        return {"type": "literal", "value": term.value, "datatype": term.datatype.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    return {"type": "triple", "value": {"subject": _term(term.subject),
                                        "predicate": _term(term.predicate),
                                        "object": _term(term.object)}}


def compute(store: Store, index: SearchIndex | None, base: str,
            before_whole: Callable[[], None] | None = None) -> dict:
    """What :func:`store_numbers` stores, computed as the server does (the quads and graphs
    as they are now, the dataset graph included); ``before_whole`` is called once before
    the quads and graphs of the whole store are counted, which is done last."""
    from rightsgraph.api import page_data, statistics

    reader = StoreReader(store, index, base, before_whole=before_whole)

    async def run() -> dict:
        articles = await statistics.per_article(cast(Any, reader), "", None, None)
        description = await page_data.dataset_description(reader)
        graphs = await reader.select(page_data.GRAPHS_QUERY)
        return {"description": page_data.storable(description), "articles": articles,
                "graphs": sorted(row["g"]["value"] for row in graphs if "g" in row)}

    return asyncio.run(run())


def store_numbers(store: Store, index: SearchIndex | None = None,
                  base: str | None = None) -> dict | None:
    """Compute the dataset's numbers and store them with the current state token; the
    numbers, or ``None`` when the store changed meanwhile (then nothing is stored and
    readers count)."""
    base = base or identifiers.base()
    held: list[tuple[str | None, int]] = []

    def token() -> None:  # the state the numbers are of: read before the whole store
        state, before = _state(store, base)
        if state is None:
            store.record(dataset.first_state_update(base))
            state, before = _state(store, base)
        held.append((state, before))

    numbers = compute(store, index, base, token)
    if not held:
        token()
    state, before = held[0]
    if state is None:  # the store lost the token: leave the readers counting
        return None
    described = numbers["description"]
    described["quads"] += dataset.WRITTEN - before
    store.record(dataset.numbers_update(base, state, numbers, quads=described["quads"],
                                        entities=described["documents"]["total"]))
    stored = next(store.query(dataset.stored_query(base)).rows(), None)
    return numbers if stored is not None else None


def _state(store: Store, base: str) -> tuple[str | None, int]:
    row = next(store.query(dataset.state_query(base)).rows(), {})
    return row.get("state"), int(row.get("quads") or 0)
