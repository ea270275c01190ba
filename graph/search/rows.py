"""What the index holds of one document: each language version's paragraphs, with their
text and facet values, read from the document's named graphs."""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache

from rdflib.namespace import DCTERMS, PROV, RDF

from rightsgraph.core import identifiers
from rightsgraph.core.namespaces import HRO
from rightsgraph.extract.triples import Term, Triples, language, value
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


def document_rows(graphs: Mapping[str, Triples]) -> list[GraphRows]:
    """The rows of every language version among ``graphs`` (name -> its triples), each read
    together with the triples inferred from it (``{name}/inferred``)."""
    out = []
    for name, triples in graphs.items():
        if name.endswith(INFERRED):
            continue
        lookup = _Lookup([part for part in (triples, graphs.get(name + INFERRED)) if part])
        out.append(GraphRows(name, lookup.stamp(), list(paragraph_versions(lookup))))
    return out


_TYPE, _PARAGRAPH, _IS_PART_OF, _IDENTIFIER, _NUMBER, _TEXT, _GENERATED_BY, _STARTED, _SHA256 = (
    f"<{iri}>" for iri in (RDF.type, HRO.Paragraph, DCTERMS.isPartOf, DCTERMS.identifier,
                           HRO.number, HRO.text, PROV.wasGeneratedBy, PROV.startedAtTime,
                           HRO.sha256))


@cache
def _read() -> dict[Term, bool]:
    """The predicates the rows read (the facets' paths and what places a paragraph), each
    with whether it is also read backwards (from object to subject)."""
    read = dict.fromkeys([step.term for facet in facets.facets() for path in facet.paths
                          for step in path] + [_IS_PART_OF, _IDENTIFIER, _NUMBER, _TEXT,
                                               _GENERATED_BY, _STARTED, _SHA256], False)
    read.update(dict.fromkeys([step.term for facet in facets.facets() for path in facet.paths
                               for step in path if step.backwards] + [_TYPE], True))
    return read


class _Lookup:
    """Objects and subjects by predicate over one language version's triples (asserted and
    inferred), for the predicates the rows read (:class:`.facets.Lookup`)."""

    def __init__(self, parts: list[Triples]) -> None:
        wanted = _read()
        self.forward: dict[tuple[Term, Term], list[Term]] = defaultdict(list)
        self.backward: dict[tuple[Term, Term], list[Term]] = defaultdict(list)
        for part in parts:
            for s, p, o in part:
                backwards = wanted.get(p)
                if backwards is not None:
                    self.forward[s, p].append(o)
                    if backwards:
                        self.backward[p, o].append(s)

    def objects(self, subject: Term, predicate: Term) -> list[Term]:
        return self.forward.get((subject, predicate), [])

    def subjects(self, predicate: Term, obj: Term) -> list[Term]:
        return self.backward.get((predicate, obj), [])

    def first(self, subject: Term | None, predicate: Term) -> Term | None:
        found = self.forward.get((subject, predicate)) if subject is not None else None
        return found[0] if found else None

    def stamp(self) -> str:
        """The language version's stamp (:func:`stamp`)."""
        for (version, predicate), activities in self.forward.items():
            if predicate != _GENERATED_BY:
                continue
            for activity in activities:
                started = self.first(activity, _STARTED)
                if started is not None:
                    sha = self.first(version, _SHA256)
                    return stamp(value(started), value(sha) if sha else "")
        return ""


def paragraph_versions(graph: _Lookup) -> Iterator[Version]:
    table, base = facets.facets(), identifiers.base()
    for para in graph.subjects(_TYPE, _PARAGRAPH):
        if para[0] != "<":
            continue
        symbol_term = graph.first(graph.first(para, _IS_PART_OF), _IDENTIFIER)
        symbol = value(symbol_term) if symbol_term else ""
        number = graph.first(para, _NUMBER)
        for text in graph.objects(para, _TEXT):
            lang = language(text)
            if not lang:
                continue
            words = value(text)
            yield Version(value(para), lang.lower(), words, tokens(words, lang.lower()),
                          int(value(number)) if number is not None else 0, symbol,
                          facets.values_of(graph, para, table, base))
