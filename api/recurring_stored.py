"""A State's recurring recommendations, gathered by the writer instead of each reader.

Reading what a State's clusters are made of (:func:`.recurring.gather`: its paragraphs'
reiteration and similarity links, then each linked paragraph's document, date, number,
texts and headings) costs about 1 ms of store work per linked paragraph: 200 ms for a
State with 15 documents, and a State of the real corpus has up to ~50 documents in up to
six languages.  So ``rightsgraph build`` (and ``labels uhri``) runs the same function once
per State after its writes (:func:`store_recurring`, before the dataset's numbers of
:mod:`.precomputed` are counted) and stores its answer as JSON in ``{base}graph/recurring``
(``hro:recurringRecommendations`` of ``{base}graph/recurring/{alpha3}``), marked with the
store's state token (``hro:numbersOfState``, :mod:`rightsgraph.graph.dataset`) once all
are written.  The server reads a State's with one lookup (:func:`read`) and arranges the
clusters from it (:func:`.recurring.arrange`: the reader's language, with or without
inferred links), or gathers from the store as before when the mark is missing or not of
the store's current state: never stale, since every write replaces the token first.
"""
from __future__ import annotations

import asyncio
import json
from typing import Any, cast

from rightsgraph.core import identifiers
from rightsgraph.core import sparql as sp
from rightsgraph.core.namespaces import HRO
from rightsgraph.graph import dataset
from rightsgraph.graph.store import Store

RECURRING = str(HRO.recurringRecommendations)
MARK = str(HRO.numbersOfState)
UPDATE_CHARS = 4_000_000  # what one update writes at most, besides its last State's


def recurring_graph(base: str | None = None) -> str:
    """``{base}graph/recurring``."""
    return f"{base or identifiers.base()}graph/recurring"


def entry(base: str, alpha3: str) -> str:
    """``{base}graph/recurring/{alpha3}``: what is stored of one State (its own IRI, so
    the State's page and ``/sparql`` do not show it as a fact about the State)."""
    return f"{recurring_graph(base)}/{alpha3}"


def _lookup(base: str, alpha3: str) -> str:
    """SELECT one row when what is stored is of the store's current state, with
    ``?found`` (JSON) when the State has documents; no row otherwise."""
    graph = sp.iri(recurring_graph(base))
    token_graph = sp.iri(dataset.dataset_graph(base))
    state = sp.iri(entry(base, alpha3))
    return f"""SELECT ?found WHERE {{
        GRAPH {token_graph} {{ {token_graph} <{dataset.STATE}> ?token }}
        GRAPH {graph} {{ {graph} <{MARK}> ?of }}
        FILTER (STR(?token) = STR(?of))
        OPTIONAL {{ GRAPH {graph} {{ {state} <{RECURRING}> ?found }} }} }}"""


async def read(server: Any, alpha3: str) -> dict[str, Any] | None:
    """What :func:`.recurring.gather` answers for ``alpha3``, as the build stored it;
    ``None`` when nothing is stored for the store's current state (the caller gathers)."""
    rows = await server.select(_lookup(server.base, alpha3))
    if not rows:
        return None
    found = rows[0].get("found")
    return json.loads(found["value"]) if found else {"links": [], "members": {}}


# States with a paragraph: those whose clusters gather can find (its EDGES query)
STATES = """SELECT DISTINCT ?state WHERE { ?doc hro:stateParty ?state ; hro:hasParagraph ?p }"""


def store_recurring(store: Store, base: str | None = None) -> int | None:
    """Gather every State's clusters from ``store`` and store them, marked with the store's
    current state token (given one first if it has none); the number of States, or
    ``None`` when the store changed meanwhile (then the mark is not written and readers
    gather from the store)."""
    from rightsgraph.api import recurring
    from rightsgraph.api.precomputed import StoreReader

    base = base or identifiers.base()
    token = _token(store, base)
    if token is None:
        store.record(dataset.first_state_update(base))
        token = _token(store, base)
    if token is None:  # the store lost the token: leave the readers gathering
        return None
    prefix = f"{base}state/"
    codes = sorted(row["state"]["value"].removeprefix(prefix)
                   for row in asyncio.run(StoreReader(store, None, base).select(STATES))
                   if row["state"]["value"].startswith(prefix))
    graph = sp.iri(recurring_graph(base))
    store.record(f"DROP SILENT GRAPH {graph}")  # the mark first, so no reader mixes
    statements: list[str] = []
    for n, code in enumerate(codes, 1):
        # a reader per State: a reader keeps every answer it gave (the dataset's numbers
        # ask some twice), and one for all States kept the whole store's (memory grew with
        # the corpus: peak RSS of the build 1.26x at 4x the documents)
        found = asyncio.run(recurring.gather(cast(Any, StoreReader(store, None, base)), code))
        statements.append(f"{sp.iri(entry(base, code))} <{RECURRING}> "
                          f"{sp.literal(json.dumps(found, ensure_ascii=False))} .")
        if n == len(codes) or sum(map(len, statements)) > UPDATE_CHARS:
            store.record(f"INSERT DATA {{ GRAPH {graph} {{ {' '.join(statements)} }} }}")
            statements = []
    token_graph = sp.iri(dataset.dataset_graph(base))
    mark = sp.literal(token)
    store.record(f"""INSERT {{ GRAPH {graph} {{ {graph} <{MARK}> {mark} }} }}
        WHERE {{ GRAPH {token_graph} {{ {token_graph} <{dataset.STATE}> {mark} }} }}""")
    return len(codes) if _token(store, base) == token else None


def _token(store: Store, base: str) -> str | None:
    row = next(store.query(dataset.state_query(base)).rows(), {})
    return row.get("state")
