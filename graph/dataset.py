"""The dataset's numbers, stored by the writer in their own named graph, and the guard that
tells a reader whether they are those of the store's current state.

``{base}graph/dataset`` holds:

* ``hro:storeState``: a token every write of :class:`~.store.Store` replaces *before* it
  writes (:func:`state_update`, see :func:`.store.changes`): whatever wrote the store
  last, the token is new.  A store gets its first token when numbers are first stored
  (:func:`first_state_update`); until then it has none and writes leave it without;
* what ``rightsgraph build`` and ``rightsgraph labels uhri`` computed once the writes were
  done (``api/precomputed.py``): the VoID description of the dataset (``void:triples``,
  ``void:entities``), the numbers ``/void``, ``/api/summary`` and ``/api/articles`` give
  (``hro:datasetNumbers``, JSON), when (``prov:generatedAtTime``), by which version
  (``prov:wasAttributedTo``), and the token they were computed at (``hro:numbersOfState``).

The numbers are written only if the token is still the one read before counting (one
conditional update, :func:`numbers_update`); a reader uses them only when
``hro:numbersOfState`` equals ``hro:storeState`` (:func:`stored_query`), and otherwise
counts as before.  So they are never stale: a write that comes after them changes the
token first, a crash between the token and the write leaves them unused.
"""
from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime

from rightsgraph import __version__
from rightsgraph.core import identifiers
from rightsgraph.core import sparql as sp
from rightsgraph.core.namespaces import HRO

VOID = "http://rdfs.org/ns/void#"
PROV = "http://www.w3.org/ns/prov#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
XSD_DATETIME = "http://www.w3.org/2001/XMLSchema#dateTime"
STATE = str(HRO.storeState)
NUMBERS_OF_STATE = str(HRO.numbersOfState)
NUMBERS = str(HRO.datasetNumbers)


def dataset_graph(base: str | None = None) -> str:
    """``{base}graph/dataset``."""
    return f"{base or identifiers.base()}graph/dataset"


def state_update(base: str | None = None) -> str:
    """The SPARQL Update that gives the store a new state token if it has one: a store
    without numbers stored has none, and is left as it is."""
    graph = sp.iri(dataset_graph(base))
    token = sp.literal(uuid.uuid4().hex)
    return (f"DELETE {{ GRAPH {graph} {{ {graph} <{STATE}> ?state }} }}\n"
            f"INSERT {{ GRAPH {graph} {{ {graph} <{STATE}> {token} }} }}\n"
            f"WHERE {{ GRAPH {graph} {{ {graph} <{STATE}> ?state }} }}")


def first_state_update(base: str | None = None) -> str:
    """The SPARQL Update that gives a store its first state token (before numbers are
    counted: from then on every write replaces it)."""
    graph = sp.iri(dataset_graph(base))
    return f"INSERT DATA {{ GRAPH {graph} {{ {graph} <{STATE}> {sp.literal(uuid.uuid4().hex)} }} }}"


def state_query(base: str | None = None) -> str:
    """SELECT ``?state`` (the current token, if any) and ``?quads`` (of the graph)."""
    graph = sp.iri(dataset_graph(base))
    return f"""SELECT ?state ?quads WHERE {{
        {{ SELECT (COUNT(*) AS ?quads) WHERE {{ GRAPH {graph} {{ ?s ?p ?o }} }} }}
        OPTIONAL {{ GRAPH {graph} {{ {graph} <{STATE}> ?state }} }} }}"""


def stored_query(base: str) -> str:
    """SELECT ``?numbers`` (JSON) when the stored numbers are of the current state: no row
    otherwise."""
    graph = sp.iri(dataset_graph(base))
    return f"""SELECT ?numbers WHERE {{ GRAPH {graph} {{
        {graph} <{STATE}> ?state ; <{NUMBERS_OF_STATE}> ?of ; <{NUMBERS}> ?numbers .
        FILTER (STR(?state) = STR(?of)) }} }}"""


WRITTEN = 8  # the quads numbers_update writes


def numbers_update(base: str | None, state: str, numbers: dict, *, quads: int,
                   entities: int) -> str:
    """The update that replaces the graph by the numbers computed at ``state`` (its
    :data:`WRITTEN` quads), applied only if the token is still ``state``; ``quads`` and
    ``entities`` are what ``void:triples`` and ``void:entities`` say."""
    graph = sp.iri(dataset_graph(base))
    now = datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
    triples = [
        (f"<{RDF_TYPE}>", f"<{VOID}Dataset>"),
        (f"<{VOID}triples>", str(sp.integer(quads))),
        (f"<{VOID}entities>", str(sp.integer(entities))),
        (f"<{STATE}>", str(sp.literal(state))),
        (f"<{NUMBERS_OF_STATE}>", str(sp.literal(state))),
        (f"<{NUMBERS}>", str(sp.literal(json.dumps(numbers, ensure_ascii=False)))),
        (f"<{PROV}generatedAtTime>", f'"{now}"^^<{XSD_DATETIME}>'),
        (f"<{PROV}wasAttributedTo>", str(sp.iri(str(identifiers.agent_uri(__version__,
                                                                          base=base))))),
    ]
    assert len(triples) == WRITTEN
    body = " ".join(f"{graph} {p} {o} ." for p, o in triples)
    update = (f"DELETE {{ GRAPH {graph} {{ ?s ?p ?o }} }}\n"
              f"INSERT {{ GRAPH {graph} {{ {body} }} }}\n"
              f"WHERE {{ GRAPH {graph} {{ {graph} <{STATE}> {sp.literal(state)} . ?s ?p ?o }} }}")
    return update
