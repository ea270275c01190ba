"""Validation of document graphs against the SHACL shapes in ``shapes/``.

A document graph names registry items (articles, committees, States, ILO instruments, SDG
targets, general comments) without describing them: the registry graph does.  So that the
shapes can tell ``ICRMW/93`` (an article) from ``ICRMW/94`` (none), the validator adds to
the data what the registry and the ontology say about the IRIs the data uses: their types,
what they are part of and the class hierarchy.  That keeps each validation small (one
document plus a few hundred registry facts) instead of one document plus the registries.
"""
from __future__ import annotations

import itertools
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from pyshacl import validate as shacl_validate
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, SH
from rdflib.plugins.sparql import processor

from rightsgraph.core import identifiers
from rightsgraph.core.namespaces import HRO
from rightsgraph.core.resources import shapes_root
from rightsgraph.extract.triples import Term, Triple, Triples, software_graph, term
from rightsgraph.graph.rdfio import ontology, union
from rightsgraph.graph.shacl import (
    CompiledShapes,
    Data,
    Found,
    compile_shapes,
    rdflib_term,
    text_of,
)
from rightsgraph.graph.skos import registries_graph

SEVERITIES = {SH.Violation: "Violation", SH.Warning: "Warning", SH.Info: "Info"}


def _prepare_each_query_once() -> None:
    """pyshacl hands rdflib the text of a SPARQL-based constraint once per focus node, and
    rdflib parses it every time: parsing was 70% of the validation time of the seed.  Keep
    what rdflib's own ``prepareQuery`` would keep (the translated algebra, which does not
    depend on the bindings) for each distinct query text."""
    query = processor.SPARQLProcessor.query
    if getattr(query, "prepares_once", False):
        return

    @cache
    def prepared(text: str, base: str | None, namespaces: tuple | None):
        parsed = processor.parseQuery(text)
        return processor.translateQuery(parsed, base, dict(namespaces) if namespaces else None)

    def query_prepared_once(self, query_or_text, initBindings=None, initNs=None,  # noqa: N803
                            base=None, DEBUG=False):  # noqa: N803
        if isinstance(query_or_text, str):
            namespaces = tuple(sorted(initNs.items())) if initNs else None
            query_or_text = prepared(query_or_text, base, namespaces)
        return query(self, query_or_text, initBindings, initNs, base, DEBUG)

    # patching rdflib's processor, the whole point; the mark keeps it from being done twice
    query_prepared_once.prepares_once = True  # type: ignore[attr-defined]
    processor.SPARQLProcessor.query = query_prepared_once  # type: ignore[method-assign]


_prepare_each_query_once()


def shapes_dir() -> Path:
    """``$RIGHTSGRAPH_SHAPES`` or the shapes shipped in the package (``shapes/``)."""
    given = os.environ.get("RIGHTSGRAPH_SHAPES")
    return Path(given) if given else shapes_root()


@cache
def shapes() -> Graph:
    graph = Graph()
    files = sorted(shapes_dir().glob("*.ttl"))
    if not files:
        raise FileNotFoundError(f"no SHACL shapes (*.ttl) in {shapes_dir()}")
    for path in files:
        graph.parse(path, format="turtle")
    return graph


@cache
def _shapes_for_pyshacl() -> Graph:
    """A copy of :func:`shapes` for pyshacl, which adds to the shapes graph it is given (two
    RDFS facts on first use): the shapes stored by ``build`` stay what the files say, whether
    documents were validated in this process or in ``-j`` workers."""
    graph = Graph()
    for triple in shapes():
        graph.add(triple)
    return graph


@cache
def _class_hierarchy() -> tuple[tuple, ...]:
    return tuple(ontology().triples((None, RDFS.subClassOf, None)))


def _registry_facts() -> dict[URIRef, tuple[tuple, ...]]:
    """For each registry IRI (and the extractor's software agent), the facts shapes test:
    its types and what it is part of."""
    return _registry_facts_for(identifiers.base())


@cache
def _registry_facts_for(base: str) -> dict[URIRef, tuple[tuple, ...]]:
    registry = registries_graph(base=base) + software_graph(base=base)
    facts: dict[URIRef, list[tuple]] = {}
    for predicate in (RDF.type, DCTERMS.isPartOf):
        for s, p, o in registry.triples((None, predicate, None)):
            if isinstance(s, URIRef):
                facts.setdefault(s, []).append((s, p, o))
    return {node: tuple(triples) for node, triples in facts.items()}


def validation_graph(data: Graph) -> Graph:
    """``data`` plus the registry facts about the IRIs it uses and the class hierarchy."""
    graph = Graph()
    for triple in data:
        graph.add(triple)
    for triple in _facts_about([data]):
        graph.add(triple)
    return graph


def _facts_about(graphs: list[Graph]) -> Iterator[tuple]:
    """The registry facts about the IRIs ``graphs`` use, then the class hierarchy."""
    facts = _registry_facts()
    nodes = {n for graph in graphs for t in graph for n in (t[0], t[2]) if isinstance(n, URIRef)}
    for iri in nodes:
        yield from facts.get(iri, ())
    yield from _class_hierarchy()


@dataclass(frozen=True)
class Result:
    """One validation result, with where in the sources it points.  Terms are kept as they
    are in the graph: IRIs in full, literals as their lexical form (``value_datatype`` says
    which datatype the value had, if any)."""

    severity: str
    focus: str
    path: str | None
    value: str | None
    message: str
    shape: str | None
    document: str | None = None
    paragraph: str | None = None
    value_datatype: str | None = None

    def __str__(self) -> str:
        where = _short(self.focus)
        if self.path:
            where += f" {_short(self.path)}"
        if self.value is not None:
            literal = self.value_datatype or not self.value.startswith(("http:", "https:"))
            value = (Literal(self.value, datatype=self.value_datatype)
                     .n3(_names().namespace_manager) if literal else _short(self.value))
            where += f" = {value}"
        source = ""
        if self.document:
            source = f" [document {self.document}"
            source += f", paragraph {self.paragraph}]" if self.paragraph else "]"
        shape = _short(self.shape) if self.shape else "an anonymous shape"
        return f"{self.severity}: {where}: {self.message} ({shape}){source}"


@dataclass
class Report:
    results: list[Result] = field(default_factory=list)

    @property
    def conforms(self) -> bool:
        """No violation (warnings do not make a graph non-conforming)."""
        return not self.violations

    @property
    def violations(self) -> list[Result]:
        return [r for r in self.results if r.severity == "Violation"]

    @property
    def warnings(self) -> list[Result]:
        return [r for r in self.results if r.severity != "Violation"]

    def text(self) -> str:
        return "\n".join(str(r) for r in self.results)


def validate(data: Graph) -> Report:
    """Validate ``data`` (any rdflib graph; a Dataset is read as its union) with the shapes,
    by pySHACL: the reference validator (``rightsgraph validate`` and the shape tests)."""
    data = union(data)
    graph = validation_graph(data)
    _, report, text = shacl_validate(
        graph, shacl_graph=_shapes_for_pyshacl(), inference="none", allow_warnings=True,
        inplace=True,
    )
    return _report(report, text, Data(Triples.of(data)))


def validate_compiled(graphs: Iterable[Triples]) -> Report:
    """The same validation as :func:`validate`, for the build: the shapes compiled once
    per process into Python checks (:mod:`.shacl`, ``docs/decisions/0016``), run on the
    document's N-Triples terms and the registry facts about the IRIs they use.
    ``tests/test_validate_compiled.py`` checks that both give the same results."""
    graphs = list(graphs)
    facts = registry_fact_terms(identifiers.base())
    nodes: set[Term] = set()
    for triples in graphs:
        nodes.update([s for s, _, _ in triples])
        nodes.update([o for _, _, o in triples])
    data = Data(itertools.chain(*graphs, *(facts[node] for node in nodes & facts.keys()),
                                _hierarchy_terms()))
    return _sorted([_found_result(found, data) for found in _compiled_shapes().validate(data)])


_fact_terms: dict[str, dict[Term, tuple[Triple, ...]]] = {}  # base -> registry_fact_terms


def registry_fact_terms(base: str) -> dict[Term, tuple[Triple, ...]]:
    """:func:`_registry_facts` as N-Triples terms, by IRI (written as a term); made once per
    process, or taken from the build's main process (:func:`adopt_registry_fact_terms`)."""
    if base not in _fact_terms:
        _fact_terms[base] = {
            term(node): tuple((term(s), term(p), term(o)) for s, p, o in facts)
            for node, facts in _registry_facts_for(base).items()}
    return _fact_terms[base]


def adopt_registry_fact_terms(base: str, facts: dict[Term, tuple[Triple, ...]]) -> None:
    """Use ``facts`` (:func:`registry_fact_terms` of another process): a build's workers
    take them from the main process instead of each building the registries' graph
    (1.3 s of a worker's start)."""
    _fact_terms[base] = facts


@cache
def _hierarchy_terms() -> tuple[Triple, ...]:
    """:func:`_class_hierarchy` as N-Triples terms."""
    return tuple((term(s), term(p), term(o)) for s, p, o in _class_hierarchy())


@cache
def _compiled_shapes() -> CompiledShapes:
    return compile_shapes(shapes())


def _found_result(found: Found, data: Data) -> Result:
    value = found.value
    literal = rdflib_term(value) if value is not None else None
    datatype = (str(literal.datatype) if isinstance(literal, Literal) and literal.datatype
                else None)
    document, paragraph = _whereabouts(data, found.focus)
    return Result(
        severity=SEVERITIES.get(found.severity, "Violation"),
        focus=text_of(found.focus),
        path=found.path,
        value=text_of(value) if value is not None else None,
        value_datatype=datatype,
        message="; ".join(sorted(found.messages)) or "constraint not met",
        shape=str(found.shape) if isinstance(found.shape, URIRef) else None,
        document=document,
        paragraph=paragraph,
    )


def _sorted(results: list[Result]) -> Report:
    results.sort(key=lambda r: (r.severity != "Violation", r.document or "", r.focus,
                                r.shape or "", r.path or "", r.value or "", r.message))
    return Report(results)


def _report(report: object, text: str, data: Data) -> Report:
    if not isinstance(report, Graph):  # the validator could not apply the shapes at all
        raise RuntimeError(f"the SHACL shapes in {shapes_dir()} cannot be applied: {text}")
    return _sorted([_result(report, result, data)
                    for top in report.subjects(RDF.type, SH.ValidationReport)
                    for result in report.objects(top, SH.result)])


@cache
def _names() -> Graph:
    """Prefixes to show IRIs with: the ontology's, the shapes' and the URI base's."""
    names = Graph()
    for source in (ontology(), shapes()):
        for prefix, namespace in source.namespaces():
            if prefix:
                names.bind(prefix, namespace, override=False)
    return names


def _result(report: Graph, node, data: Data) -> Result:
    focus = report.value(node, SH.focusNode)
    path = report.value(node, SH.resultPath)
    value = report.value(node, SH.value)
    shape = report.value(node, SH.sourceShape)
    severity = SEVERITIES.get(report.value(node, SH.resultSeverity), "Violation")
    messages = sorted(str(m) for m in report.objects(node, SH.resultMessage))
    document, paragraph = _whereabouts(data, term(focus))
    return Result(
        severity=severity,
        focus=str(focus),
        path=_path_text(report, path),
        value=str(value) if value is not None else None,
        value_datatype=str(value.datatype) if isinstance(value, Literal) and value.datatype
        else None,
        message="; ".join(messages) or "constraint not met",
        shape=str(shape) if isinstance(shape, URIRef) else None,
        document=document,
        paragraph=paragraph,
    )


def _path_text(report: Graph, path) -> str | None:
    """An IRI, ``^IRI`` for an inverse path, or a note for other path expressions."""
    if path is None:
        return None
    if isinstance(path, URIRef):
        return str(path)
    inverse = report.value(path, SH.inversePath)
    if isinstance(inverse, URIRef):
        return f"^{inverse}"
    return "(path expression)"


def _short(iri: str) -> str:
    if iri.startswith("^"):
        return "^" + _short(iri[1:])
    if not iri.startswith(("http:", "https:", "urn:")):
        return iri
    return URIRef(iri).n3(_names().namespace_manager)


_TYPE, _PARAGRAPH, _NUMBER, _LABEL = (term(RDF.type), term(HRO.Paragraph), term(HRO.number),
                                      term(HRO.label))
_IDENTIFIER, _LANGUAGE_VERSION, _MENTION = (term(DCTERMS.identifier),
                                            term(HRO.languageVersion), term(HRO.mention))
_PARENTS = tuple(term(p) for p in (HRO.inContainer, HRO.footnoteOf, DCTERMS.isPartOf,
                                   HRO.realizes))


def _whereabouts(data: Data, focus: Term) -> tuple[str | None, str | None]:
    """The symbol of the document and the number of the paragraph ``focus`` is in, if any:
    followed up through mentions, footnotes, sub-items and isPartOf."""
    paragraph = None
    seen: set = set()
    node: Term | None = focus
    while node is not None and node not in seen:
        seen.add(node)
        if paragraph is None and data.has(node, _TYPE, _PARAGRAPH):
            numbers = sorted({text_of(n) for p in (_NUMBER, _LABEL)
                              for n in data.objects(node, p)}, key=lambda n: (len(n), n))
            paragraph = " or ".join(numbers) or None
        symbol = min(data.objects(node, _IDENTIFIER), key=text_of, default=None)
        if symbol is not None and any(True for _ in data.objects(node, _LANGUAGE_VERSION)):
            return text_of(symbol), paragraph
        node = _up(data, node)
    return None, paragraph


def _up(data: Data, node: Term) -> Term | None:
    """The node ``node`` is part of; of several (a broken document), the first in IRI order,
    so that the answer does not depend on the order the graph holds them in."""
    for predicate in _PARENTS:
        parent = min(data.objects(node, predicate), key=text_of, default=None)
        if parent is not None:
            return parent
    return min(data.subjects(_MENTION, node), key=text_of, default=None)
