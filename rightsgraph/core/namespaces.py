"""The ``hro:`` namespace of the rightsgraph ontology and the prefixes every output uses."""
from __future__ import annotations

from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, SKOS, XSD

from rightsgraph.core._hro import HRO

HRO_IRI = str(HRO)
"""The namespace IRI as a string; ``HRO`` is the closed namespace generated from the
ontology (``tools/build_namespace.py``): ``HRO.concernsArticle``, and an error for a term
the ontology does not declare."""

# One table of prefixes: Turtle/TriG/JSON-LD output, SPARQL prologues and page labels.
PREFIXES: dict[str, str] = {
    "hro": HRO_IRI,
    "dcterms": str(DCTERMS),
    "prov": str(PROV),
    "skos": str(SKOS),
    "xsd": str(XSD),
    "rdf": str(RDF),
    "rdfs": str(RDFS),
}
