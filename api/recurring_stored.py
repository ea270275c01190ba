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
are written.  Each entry records what it was read from (``hro:recurringInputs``: the stamps
of the documents and similarity graph it read, :class:`_Inputs`), so a later build gathers
only the States whose inputs changed and keeps the others (decision 0015, "Incremental").
The server reads a State's with one lookup (:func:`read`) and arranges the clusters from
it (:func:`.recurring.arrange`: the reader's language, with or without inferred links), or
gathers from the store as before when the mark is missing or not of the store's current
state: never stale, since every write replaces the token first.
"""
from __future__ import annotations

import asyncio
import hashlib
import json
from collections import defaultdict
from dataclasses import dataclass
from typing import Any, cast

from rightsgraph import __version__
from rightsgraph.core import identifiers
from rightsgraph.core import sparql as sp
from rightsgraph.core.namespaces import HRO
from rightsgraph.graph import dataset
from rightsgraph.graph.store import Store

RECURRING = str(HRO.recurringRecommendations)
MARK = str(HRO.numbersOfState)
INPUTS = str(HRO.recurringInputs)
VERSION = "rightsgraph"  # the inputs' key of the version that gathered
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

# Every language version held: its document, the time it was loaded (its extraction's start:
# every load is a new one, even of the same file) and the document's States (as any graph
# states them: gather's EDGES reads them so)
VERSIONS = """SELECT ?doc ?graph ?time ?state WHERE {
  GRAPH ?graph { ?version a hro:LanguageVersion ; hro:realizes ?doc .
                 OPTIONAL { ?version prov:wasGeneratedBy ?run . ?run prov:startedAtTime ?time } }
  OPTIONAL { ?doc hro:stateParty ?state } }"""

# The similarity graphs (graph/similar.py) and when each was made
SIMILAR_GRAPHS = """SELECT ?graph ?time WHERE { ?graph hro:model ?model
  OPTIONAL { ?graph prov:generatedAtTime ?time }
  FILTER (STRSTARTS(STR(?graph), ?prefix)) }"""


@dataclass
class Stored:
    """What :func:`store_recurring` did: States gathered, kept as stored (their inputs
    unchanged) and removed (no paragraph left)."""

    gathered: int = 0
    kept: int = 0
    removed: int = 0

    def __str__(self) -> str:
        removed = f", {self.removed} removed" if self.removed else ""
        return (f"recurring recommendations of {self.gathered} States gathered, "
                f"{self.kept} kept{removed}")


class _Inputs:
    """What the store holds now that a State's clusters are read from: a stamp of each
    document held (a digest of its language versions' graphs and load times; ``None``
    when one has no load time) and of each similarity graph, and each State's documents."""

    def __init__(self, store: Store, base: str) -> None:
        versions: dict[str, list[str | None]] = defaultdict(list)
        self.documents: dict[str, set[str]] = defaultdict(set)
        prefix = f"{base}state/"
        for row in store.query(VERSIONS).rows():
            doc = row["doc"]
            if row["graph"] and doc:
                time = row["time"]
                versions[doc].append(f"{row['graph']} {time}" if time else None)
            if doc and (state := row["state"]) and state.startswith(prefix):
                self.documents[state.removeprefix(prefix)].add(doc)
        self.stamps: dict[str, str | None] = {
            doc: None if None in lines else _digest(sorted(cast(list[str], lines)))
            for doc, lines in versions.items()}
        similar = sp.literal(f"{base}graph/inferred/similar/")
        for row in store.query(sp.bind(SIMILAR_GRAPHS, prefix=similar)).rows():
            graph, time = row["graph"], row["time"]
            if graph:
                self.stamps[graph] = _digest([time]) if time else None
        self.base = base

    def of(self, code: str, found: dict[str, Any] | None = None,
           before: dict[str, str] | None = None) -> dict[str, str | None]:
        """The stamps of what State ``code``'s entry depends on: its documents, its
        similarity graph, and the documents of the paragraphs its links reach (those of
        ``found``, what gather found, or of ``before``, the entry's stored inputs); and
        the version of rightsgraph that gathers (its code reads the procedural kinds)."""
        names = set(self.documents.get(code, ())) | set(before or ()) - {VERSION}
        names.add(f"{self.base}graph/inferred/similar/{code}")
        for uri in (found or {}).get("members", {}):
            names.add(uri.rsplit("/para/", 1)[0])
        return {**{name: self.stamps.get(name, "") for name in sorted(names)},
                VERSION: __version__}


def _digest(lines: list[str]) -> str:
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()[:16]


def store_recurring(store: Store, base: str | None = None) -> Stored | None:
    """Store every State's clusters, marked with the store's current state token (given
    one first if it has none): gathered from ``store`` for the States whose inputs changed
    since they were stored (:class:`_Inputs`: a document of theirs or one their links
    reach was loaded, replaced or dropped, or their similarity graph was made again), kept
    for the others; what was done, or ``None`` when the store changed meanwhile (then the
    mark is not written and readers gather from the store)."""
    base = base or identifiers.base()
    token = _token(store, base)
    if token is None:
        store.record(dataset.first_state_update(base))
        token = _token(store, base)
    if token is None:  # the store lost the token: leave the readers gathering
        return None
    prefix = f"{base}state/"
    codes = sorted(row["state"].removeprefix(prefix) for row in store.query(STATES).rows()
                   if row["state"] and row["state"].startswith(prefix))
    inputs = _Inputs(store, base)  # read before gathering: a write after it shows next time
    graph = sp.iri(recurring_graph(base))
    stored = _stored_inputs(store, base)
    # the mark first, so no reader mixes entries of two states
    store.record(f"DELETE WHERE {{ GRAPH {graph} {{ {graph} <{MARK}> ?of }} }}")
    done = Stored()
    gone = sorted(set(stored) - set(codes))
    if gone:
        store.record(_delete(graph, [entry(base, code) for code in gone]))
        done.removed = len(gone)
    todo = []
    for code in codes:
        before = stored.get(code)
        now = inputs.of(code, before=before) if before is not None else {}
        if now and now == before and None not in now.values():
            done.kept += 1
        else:
            todo.append(code)
    asyncio.run(_write(store, base, todo, inputs, set(stored), done))
    token_graph = sp.iri(dataset.dataset_graph(base))
    mark = sp.literal(token)
    store.record(f"""INSERT {{ GRAPH {graph} {{ {graph} <{MARK}> {mark} }} }}
        WHERE {{ GRAPH {token_graph} {{ {token_graph} <{dataset.STATE}> {mark} }} }}""")
    return done if _token(store, base) == token else None


async def _write(store: Store, base: str, codes: list[str], inputs: _Inputs,
                 stored: set[str], done: Stored) -> None:
    """Gather ``codes`` (:func:`.recurring.gather_all`, one State's answer in memory at a
    time) and write their entries, in updates of about :data:`UPDATE_CHARS`, replacing
    those of ``stored``."""
    from rightsgraph.api import recurring
    from rightsgraph.api.precomputed import StoreReader

    graph = sp.iri(recurring_graph(base))
    # a reader that keeps no answer: one that kept them all held the whole store's
    # (the build's peak RSS grew to 1.26x at 4x the documents)
    reader = cast(Any, StoreReader(store, None, base, keep=False))
    statements: list[str] = []
    replaced: list[str] = []
    n = 0
    async for code, found in recurring.gather_all(reader, codes):
        n += 1
        replaced += [entry(base, code)] if code in stored else []
        statements.append(
            f"{sp.iri(entry(base, code))} <{RECURRING}> "
            f"{sp.literal(json.dumps(found, ensure_ascii=False))} ; <{INPUTS}> "
            f"{sp.literal(json.dumps(inputs.of(code, found), sort_keys=True))} .")
        if n == len(codes) or sum(map(len, statements)) > UPDATE_CHARS:
            if replaced:
                store.record(_delete(graph, replaced))
            store.record(f"INSERT DATA {{ GRAPH {graph} {{ {' '.join(statements)} }} }}")
            statements, replaced = [], []
        done.gathered += 1


def _stored_inputs(store: Store, base: str) -> dict[str, dict[str, str] | None]:
    """The States stored, each with the inputs of its entry (``None`` when it has none:
    stored by an earlier version)."""
    graph = sp.iri(recurring_graph(base))
    prefix = entry(base, "")
    found: dict[str, dict[str, str] | None] = {}
    for row in store.query(f"""SELECT ?entry ?inputs WHERE {{ GRAPH {graph} {{
            ?entry <{RECURRING}> ?found OPTIONAL {{ ?entry <{INPUTS}> ?inputs }} }} }}""").rows():
        if row["entry"] and row["entry"].startswith(prefix):
            inputs = row["inputs"]
            found[row["entry"].removeprefix(prefix)] = json.loads(inputs) if inputs else None
    return found


def _delete(graph: str, entries: list[str]) -> str:
    """The update that removes these entries (what they hold and their inputs)."""
    values = " ".join(sp.iri(name) for name in entries)
    return (f"DELETE {{ GRAPH {graph} {{ ?entry ?p ?o }} }} WHERE {{ GRAPH {graph} {{ "
            f"VALUES ?entry {{ {values} }} ?entry ?p ?o }} }}")


def _token(store: Store, base: str) -> str | None:
    row = next(store.query(dataset.state_query(base)).rows(), {})
    return row.get("state")
