"""RDF output of ``rightsgraph extract``: each document in its own named graph."""
from __future__ import annotations

from rdflib import Dataset, Graph

from rightsgraph.core import formats
from rightsgraph.core.namespaces import PREFIXES
from rightsgraph.extract.model import Document
from rightsgraph.extract.triples import to_graph


def dataset(docs: list[Document]) -> Dataset:
    """All documents in one dataset, one named graph per language version."""
    merged = Dataset()
    for prefix, namespace in PREFIXES.items():
        merged.bind(prefix, namespace)
    for doc in docs:
        for s, p, o, g in to_graph(doc).quads((None, None, None, None)):
            merged.add((s, p, o, None if g is None else merged.get_context(g)))
    return merged


def serialize(docs: list[Document], fmt: str) -> str:
    """Serialize in ``fmt`` (ttl, nt, jsonld, trig, nq).

    Triple formats (ttl, nt, and jsonld for plain JSON-LD consumers) hold the union of the
    documents' graphs; quad formats (trig, nq) keep one named graph per document.
    """
    data = dataset(docs)
    chosen = formats.rdf(fmt)
    if chosen.name not in ("ttl", "nt", "jsonld"):
        return data.serialize(format=chosen.rdflib_name)
    union = Graph()
    for prefix, namespace in PREFIXES.items():
        union.bind(prefix, namespace)
    for s, p, o, _ in data.quads((None, None, None, None)):
        union.add((s, p, o))
    return union.serialize(format=chosen.rdflib_name)
