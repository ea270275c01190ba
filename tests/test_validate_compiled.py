"""The build's validator (the shapes compiled once, pyshacl-turbo) gives exactly the results
of the reference validator (pySHACL): on every case of tests/shapes/cases.toml, and on
documents broken at random in the ways a bug in the extractor could break them.

One known difference: on an ill-formed literal (``"15 again"^^xsd:integer``, which the
extractor cannot write: it makes literals from Python values) pyshacl-turbo also reports
the range constraints (``sh:minInclusive``, ``sh:lessThan``, also on the other side of
the comparison) that pySHACL skips; both reject the document, so there the test checks
that every result of pySHACL is among pyshacl-turbo's."""
from __future__ import annotations

import random

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, XSD
from test_shapes import BASE_TTL, CASES, example, turtle

from benchmarks.synthetic import Generator
from rightsgraph.core.namespaces import HRO
from rightsgraph.core.resources import seeds_root
from rightsgraph.extract import extract_file
from rightsgraph.extract.triples import Triples
from rightsgraph.graph.build import document_graphs
from rightsgraph.graph.validate import validate, validate_compiled

B = "https://rightsgraph.org/"


def same_results(graph: Graph, *, exact: bool = True) -> list:
    reference = validate(graph).results
    compiled = validate_compiled([Triples.of(graph)]).results
    if exact:
        assert compiled == reference
    else:
        assert set(reference) <= set(compiled)
        assert any(r.severity == "Violation" for r in reference)
    return reference


def test_the_valid_example_conforms_for_both():
    assert same_results(turtle(BASE_TTL)) == []


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_each_invalid_example_gives_the_same_results(case):
    assert same_results(example(case))


def mutations(graph: Graph, rng: random.Random) -> list[tuple[str, Graph, bool]]:
    """Copies of ``graph`` each broken in one way: a fact dropped, a value of the wrong
    datatype or language, a link to nothing, a duplicated value, a type removed."""
    triples = sorted(graph, key=str)
    out = []

    def mutant(name: str, remove=(), add=(), exact: bool = True) -> None:
        copy = Graph()
        for triple in triples:
            if triple not in remove:
                copy.add(triple)
        for triple in add:
            copy.add(triple)
        out.append((name, copy, exact))

    for s, p, o in rng.sample(triples, 6):
        mutant(f"without {p}", remove={(s, p, o)})
    literals = [t for t in triples if isinstance(t[2], Literal)]
    for s, p, o in rng.sample(literals, 4):
        mutant(f"{p} as a plain string", remove={(s, p, o)}, add={(s, p, Literal(str(o)))})
        mutant(f"{p} twice", add={(s, p, another(o))})
        if o.datatype not in (None, XSD.string):
            mutant(f"{p} ill-formed", remove={(s, p, o)}, exact=False,
                   add={(s, p, Literal(str(o) + " again", datatype=o.datatype))})
    links = [t for t in triples if t[1] in (HRO.concernsArticle, HRO.refersToSdgTarget,
                                             HRO.citesIloInstrument, HRO.citesGeneralComment,
                                             HRO.reiterates, HRO.citesDocument)]
    for s, p, o in rng.sample(links, min(4, len(links))):
        mutant(f"{p} to nothing", remove={(s, p, o)}, add={(s, p, URIRef(str(o) + "99"))})
    typed = [t for t in triples if t[1] == RDF.type]
    for s, p, o in rng.sample(typed, 3):
        mutant(f"not a {o}", remove={(s, p, o)})
    numbers = [t for t in triples if t[1] == HRO.number]
    s, p, o = numbers[0]
    mutant("a paragraph number repeated", add={(numbers[1][0], p, o)})
    mutant("a number as a string", remove={(s, p, o)}, add={(s, p, Literal(str(o),
                                                                          datatype=XSD.string))})
    return out


def another(value: Literal) -> Literal:
    """A second, well-formed value of the same datatype or language."""
    if isinstance(value.value, bool):
        return Literal(not value.value)
    if isinstance(value.value, int):
        return Literal(value.value + 1, datatype=value.datatype)
    if value.datatype == XSD.date:
        return Literal("2001-01-01", datatype=XSD.date)
    if value.datatype == XSD.dateTime:
        return Literal("2001-01-01T00:00:00+00:00", datatype=XSD.dateTime)
    return Literal(str(value) + " again", lang=value.language, datatype=value.datatype)


def union_of(graphs) -> Graph:
    graph = Graph()
    for named in graphs.values():
        graph.parse(data=named.ntriples(), format="nt")
    return graph


@pytest.fixture(scope="module")
def documents(tmp_path_factory) -> list[Graph]:
    """The seed (Chinese) and two synthetic English documents, as the build makes them."""
    folder = tmp_path_factory.mktemp("synthetic")
    paths = [next(seeds_root().glob("*.txt"))]
    for written in Generator(seed=11).generate(3):
        path = folder / written.plan.file_name
        path.write_text(written.text, encoding="utf-8")
        paths.append(path)
    return [union_of(document_graphs(extract_file(path))) for path in paths[:3]]


@pytest.mark.parametrize("which", range(3))
def test_mutated_documents_give_the_same_results(documents, which):
    rng = random.Random(which)
    failing = 0
    for name, graph, exact in mutations(documents[which], rng):
        try:
            results = same_results(graph, exact=exact)
        except AssertionError as err:
            raise AssertionError(f"{name}: the two validators differ") from err
        failing += any(r.severity == "Violation" for r in results)
    assert failing >= 6  # the mutants do break the shapes: the comparison is not vacuous
