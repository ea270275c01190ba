"""The ``hro:`` namespace of the rightsgraph ontology and the prefixes every output uses."""
from __future__ import annotations

from rdflib import Namespace
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, SKOS, XSD

HRO_IRI = "https://rightsgraph.org/ontology#"
HRO = Namespace(HRO_IRI)

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
