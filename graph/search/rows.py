"""What the index holds of one document: each language version's paragraphs, with their
text and facet values, read from the document's named graphs."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from rdflib import Graph, Literal, URIRef
from rdflib.graph import ReadOnlyGraphAggregate
from rdflib.namespace import DCTERMS, PROV, RDF

from rightsgraph.core.namespaces import HRO
from rightsgraph.graph.search import facets
from rightsgraph.graph.search.analysis import tokens

INFERRED = "/inferred"


@dataclass
class Version:
    """One paragraph in one language version."""

    uri: str
    lang: str
    text: str
    tokens: str
    number: int
    symbol: str
    facets: dict[str, list[str]] = field(default_factory=dict)


@dataclass
class GraphRows:
    """One language version's graph: its name, the stamp that tells its content apart
    (when it was extracted, and from which file), and its paragraphs."""

    graph: str
    stamp: str
    versions: list[Version]


def stamp_query() -> str:
    """SPARQL for ``?g ?t ?sha`` of each language version's graph: when it was extracted,
    and the SHA-256 of its source file."""
    return f"""SELECT ?g (MAX(STR(?time)) AS ?t) (MAX(STR(?hash)) AS ?sha) WHERE {{
        GRAPH ?g {{ ?v <{PROV.wasGeneratedBy}> ?a . ?a <{PROV.startedAtTime}> ?time .
                   OPTIONAL {{ ?v <{HRO.sha256}> ?hash }} }} }} GROUP BY ?g"""


def store_stamps(store) -> dict[str, str]:
    """Each language version's graph in ``store`` -> its stamp (with the digest of its
    document's UHRI labels, when the store holds some)."""
    labels = label_stamps(store)
    return {row["g"]: with_labels(stamp(row["t"], row["sha"]), labels.get(row["g"]))
            for row in store.query(stamp_query()).rows()}


def label_stamps(store, graphs: list[str] | None = None) -> dict[str, str]:
    """Language version's graph -> the digest of its document's UHRI labels
    (``hro:labelsSha256`` of the document's label graph, ``rightsgraph labels uhri``): the
    labels are facets of its paragraphs, so new labels make its stamp differ.  Only the
    graphs in ``graphs`` when given."""
    values = ("VALUES ?g { " + " ".join(f"<{g}>" for g in graphs) + " }") if graphs else ""
    if graphs is not None and not graphs:
        return {}
    query = f"""SELECT ?g ?digest WHERE {{ {values}
        GRAPH ?labels {{ ?labels <{HRO.labelsSha256}> ?digest ; <{DCTERMS.subject}> ?doc }}
        GRAPH ?g {{ ?doc <{HRO.languageVersion}> ?v }} }}"""
    return {row["g"]: row["digest"] for row in store.query(query).rows()}


def with_labels(stamp_text: str, digest: str | None) -> str:
    """A language version's stamp with its labels' digest (none: the stamp as it is)."""
    return f"{stamp_text} uhri:{digest}" if digest else stamp_text


def stamp(time: object, sha: object) -> str:
    """One language version's stamp: its extraction time (the same however it was written:
    ``…Z`` or ``…+00:00``) and source file's SHA-256."""
    try:
        moment = datetime.fromisoformat(str(time)).isoformat()
    except ValueError:
        moment = str(time)
    return f"{moment} {sha or ''}"


def stamp_of(graph: Graph) -> str:
    for version, activity in graph.subject_objects(PROV.wasGeneratedBy):
        for started in graph.objects(activity, PROV.startedAtTime):
            return stamp(started, next(iter(graph.objects(version, HRO.sha256)), ""))
    return ""


def document_rows(graphs: Mapping[str, Graph]) -> list[GraphRows]:
    """The rows of every language version among ``graphs`` (name -> graph), each read
    together with the graph inferred from it (``{name}/inferred``)."""
    out = []
    for name, graph in graphs.items():
        if name.endswith(INFERRED):
            continue
        parts = [part for part in (graph, graphs.get(name + INFERRED)) if part is not None]
        union = ReadOnlyGraphAggregate(parts)  # read in place: copying cost more than the rest
        out.append(GraphRows(name, stamp_of(graph), list(paragraph_versions(union))))
    return out


def paragraph_versions(graph: Graph):
    table = facets.facets()
    for para in graph.subjects(RDF.type, HRO.Paragraph):
        if not isinstance(para, URIRef):
            continue
        doc = next(graph.objects(para, DCTERMS.isPartOf), None)
        symbol = str(next(graph.objects(doc, DCTERMS.identifier), "")) if doc else ""
        number = next(graph.objects(para, HRO.number), None)
        for text in graph.objects(para, HRO.text):
            if not isinstance(text, Literal) or not text.language:
                continue
            lang = text.language.lower()
            values = facets.values_of(graph, para, table)
            yield Version(str(para), lang, str(text), tokens(str(text), lang),
                          int(str(number)) if number is not None else 0, symbol, values)
