"""The published JSON-LD ``@context`` (``/context.jsonld``) and JSON-LD compacted with it.

The context is made from the ontology, so it names every ``hro:`` term the graph uses: object
properties take IRIs (``"@type": "@id"``), datatype properties their XSD datatype (integers
and booleans stay JSON numbers and booleans), and the
reused vocabularies keep their usual prefixes.  Linked-data responses in JSON-LD are compacted
with it and point at it by URL, so ``{"concernsArticle": ".../treaty/ICRMW/article/76"}`` reads
as plain JSON and expands to the same RDF.
"""
from __future__ import annotations

import json
from functools import cache

from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF, RDFS

from rightsgraph.core.namespaces import HRO_IRI, PREFIXES
from rightsgraph.graph.rdfio import ontology

XSD_NS = PREFIXES["xsd"]
# the graph's prefixes, and those of the ontology's own vocabulary
CONTEXT_PREFIXES = PREFIXES | {"owl": str(OWL), "eli": "http://data.europa.eu/eli/ontology#"}


@cache
def context() -> dict:
    """``{"@context": {...}}``: the prefixes and one entry per ``hro:`` property and class."""
    onto = ontology()
    terms: dict[str, object] = dict(CONTEXT_PREFIXES)
    for name in _hro_terms(onto, OWL.ObjectProperty):
        terms[name] = {"@id": f"hro:{name}", "@type": "@id"}
    for name in _hro_terms(onto, OWL.DatatypeProperty):
        entry: dict[str, str] = {"@id": f"hro:{name}"}
        datatype = onto.value(URIRef(HRO_IRI + name), RDFS.range)
        # integers and booleans stay JSON numbers and booleans (their default datatypes)
        if datatype is not None and str(datatype).startswith(XSD_NS) and \
                str(datatype)[len(XSD_NS):] not in ("integer", "boolean"):
            entry["@type"] = f"xsd:{str(datatype)[len(XSD_NS):]}"
        terms[name] = entry
    for name in _hro_terms(onto, OWL.Class):
        terms[name] = f"hro:{name}"
    return {"@context": terms}


def _hro_terms(onto: Graph, kind: URIRef) -> list[str]:
    """The local names of the ontology's ``hro:`` terms of type ``kind``, sorted."""
    return sorted(str(term)[len(HRO_IRI):] for term in set(onto.subjects(RDF.type, kind))
                  if str(term).startswith(HRO_IRI))


def compact(rdf: bytes, rdf_format: str, context_url: str) -> bytes:
    """RDF (as the store wrote it) as JSON-LD compacted with the context, which the document
    references by ``context_url`` instead of embedding it."""
    graph = Graph().parse(data=rdf, format=rdf_format)
    data = json.loads(graph.serialize(format="json-ld", context=context()["@context"]))
    data["@context"] = context_url
    return json.dumps(data, ensure_ascii=False, indent=1).encode("utf-8")
