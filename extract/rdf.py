"""RDF output of ``rightsgraph extract``: each document in its own named graph."""
from __future__ import annotations

from rdflib import Dataset, Graph

from rightsgraph.extract.model import Document
from rightsgraph.extract.triples import to_graph

RDF_FORMATS = {"ttl": "turtle", "nt": "nt", "jsonld": "json-ld", "trig": "trig", "nq": "nquads"}
PREFIXES = {
    "hro": "https://rightsgraph.org/ontology#",
    "dcterms": "http://purl.org/dc/terms/",
    "prov": "http://www.w3.org/ns/prov#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
}


def dataset(docs: list[Document]) -> Dataset:
    """All documents in one dataset, one named graph per language version."""
    merged = Dataset()
    for prefix, namespace in PREFIXES.items():
        merged.bind(prefix, namespace)
    for doc in docs:
        for quad in to_graph(doc).quads((None, None, None, None)):
            merged.add(quad)
    return merged


def serialize(docs: list[Document], fmt: str) -> str:
    """Serialize in ``fmt`` (ttl, nt, jsonld, trig, nq).

    Triple formats (ttl, nt, and jsonld for plain JSON-LD consumers) hold the union of the
    documents' graphs; quad formats (trig, nq) keep one named graph per document.
    """
    data = dataset(docs)
    if fmt not in ("ttl", "nt", "jsonld"):
        return data.serialize(format=RDF_FORMATS[fmt])
    union = Graph()
    for prefix, namespace in PREFIXES.items():
        union.bind(prefix, namespace)
    for s, p, o, _ in data.quads((None, None, None, None)):
        union.add((s, p, o))
    return union.serialize(format=RDF_FORMATS[fmt])
