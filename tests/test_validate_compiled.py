"""The build's validator (the shapes compiled once into Python checks, graph/shacl.py) gives
exactly the results of the reference validator (pySHACL): on every case of
tests/shapes/cases.toml, and on documents broken at random in the ways a bug in the extractor
could break them; it follows the shapes graph (a shape edit changes what it checks) and
refuses, when compiling, SHACL it does not implement."""
from __future__ import annotations

import random
import shutil

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, XSD
from test_shapes import BASE_TTL, CASES, example, turtle

from benchmarks.synthetic import Generator
from rightsgraph.core.namespaces import HRO
from rightsgraph.core.resources import seeds_root
from rightsgraph.extract import extract_file
from rightsgraph.extract.triples import Triples
from rightsgraph.graph import shacl
from rightsgraph.graph import validate as validation
from rightsgraph.graph.build import document_graphs
from rightsgraph.graph.validate import validate, validate_compiled

B = "https://rightsgraph.org/"


def same_results(graph: Graph) -> list:
    reference = validate(graph).results
    compiled = validate_compiled([Triples.of(graph)]).results
    assert compiled == reference
    return reference


def test_the_valid_example_conforms_for_both():
    assert same_results(turtle(BASE_TTL)) == []


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_each_invalid_example_gives_the_same_results(case):
    assert same_results(example(case))


def mutations(graph: Graph, rng: random.Random) -> list[tuple[str, Graph]]:
    """Copies of ``graph`` each broken in one way: a fact dropped or repeated, a value of the
    wrong datatype, form or language, a link to nothing, a link moved to another node, a
    type removed, a number out of range."""
    triples = sorted(graph, key=str)
    out = []

    def mutant(name: str, remove=(), add=()) -> None:
        copy = Graph()
        for triple in triples:
            if triple not in remove:
                copy.add(triple)
        for triple in add:
            copy.add(triple)
        out.append((name, copy))

    for s, p, o in rng.sample(triples, 6):
        mutant(f"without {p}", remove={(s, p, o)})
    literals = [t for t in triples if isinstance(t[2], Literal)]
    for s, p, o in rng.sample(literals, 5):
        mutant(f"{p} as a plain string", remove={(s, p, o)}, add={(s, p, Literal(str(o)))})
        mutant(f"{p} twice", add={(s, p, another(o))})
        mutant(f"{p} as an IRI", remove={(s, p, o)}, add={(s, p, URIRef(f"{s}/{p[-6:]}"))})
        if o.datatype not in (None, XSD.string):
            mutant(f"{p} ill-formed", remove={(s, p, o)},
                   add={(s, p, Literal(str(o) + " again", datatype=o.datatype))})
        if o.language:
            mutant(f"{p} without its language", remove={(s, p, o)},
                   add={(s, p, Literal(str(o)))})
    numbers = [t for t in literals if isinstance(t[2].value, int)
               and not isinstance(t[2].value, bool)]
    for s, p, o in rng.sample(numbers, min(3, len(numbers))):
        mutant(f"{p} negative", remove={(s, p, o)}, add={(s, p, Literal(-1 - o.value))})
        mutant(f"{p} a decimal", remove={(s, p, o)},
               add={(s, p, Literal(str(o.value) + ".5", datatype=XSD.decimal))})
    links = [t for t in triples if t[1] in (HRO.concernsArticle, HRO.refersToSdgTarget,
                                             HRO.citesIloInstrument, HRO.citesGeneralComment,
                                             HRO.reiterates, HRO.citesDocument)]
    for s, p, o in rng.sample(links, min(4, len(links))):
        mutant(f"{p} to nothing", remove={(s, p, o)}, add={(s, p, URIRef(str(o) + "99"))})
    iris = sorted({n for t in triples for n in (t[0], t[2]) if isinstance(n, URIRef)})
    for s, p, o in rng.sample([t for t in triples if isinstance(t[2], URIRef)], 5):
        elsewhere = rng.choice(iris)
        mutant(f"{p} retargeted to {elsewhere}", remove={(s, p, o)}, add={(s, p, elsewhere)})
        mutant(f"{p} moved to {elsewhere}", remove={(s, p, o)}, add={(elsewhere, p, o)})
    typed = [t for t in triples if t[1] == RDF.type]
    for s, p, o in rng.sample(typed, 3):
        mutant(f"not a {o}", remove={(s, p, o)})
        mutant(f"{s} also a {o} twice over", add={(rng.choice(iris), p, o)})
    numbered = [t for t in triples if t[1] == HRO.number]
    s, p, o = numbered[0]
    mutant("a paragraph number repeated", add={(numbered[1][0], p, o)})
    mutant("a number as a string", remove={(s, p, o)}, add={(s, p, Literal(str(o),
                                                                          datatype=XSD.string))})
    spans = {s: o for s, p, o in triples if p == HRO.spanEnd}
    if spans:
        mention = sorted(spans)[0]
        mutant("a span that ends before it starts", remove={(mention, HRO.spanEnd,
                                                             spans[mention])},
               add={(mention, HRO.spanEnd, Literal(0))})
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
    for name, graph in mutations(documents[which], rng):
        try:
            results = same_results(graph)
        except AssertionError as err:
            raise AssertionError(f"{name}: the two validators differ") from err
        failing += any(r.severity == "Violation" for r in results)
    assert failing >= 15  # the mutants do break the shapes: the comparison is not vacuous


def test_the_build_validates_a_document_as_it_is_built(documents):
    """The build's graphs (several, N-Triples terms) give what their union gives."""
    graph = documents[1]
    half = sorted(graph, key=str)
    graphs = [Triples("a", map(triple_terms, half[::2])), Triples("b", map(triple_terms,
                                                                             half[1::2]))]
    assert validate_compiled(graphs).results == validate(graph).results


def triple_terms(triple) -> tuple:
    return tuple(Triples.of(Graph().add(triple)).__iter__().__next__())


@pytest.fixture
def per_focus(monkeypatch):
    """The compiled shapes with every SPARQL constraint run once per focus node (pySHACL's
    way) rather than once per document."""
    monkeypatch.setattr(shacl, "_batchable", lambda query: False)
    validation._compiled_shapes.cache_clear()
    yield
    validation._compiled_shapes.cache_clear()


@pytest.mark.parametrize("case", [c for c in CASES if "rgs:EarlierRecommendation" in str(c)
                                  or "ParagraphNumbers" in str(c) or "followUp" in str(c)],
                         ids=lambda c: c["name"])
def test_sparql_constraints_run_per_focus_node_give_the_same_results(per_focus, case):
    assert same_results(example(case))


def test_the_sparql_constraints_of_the_shapes_run_once_per_document():
    checks = [check for shape, _ in validation._compiled_shapes()._targeted
              for check in shape.batched()]
    assert len(checks) == 4 and all(check.batched for check in checks)


PREFIX = "PREFIX ex: <http://example.org/>\n"


@pytest.mark.parametrize(("query", "batched"), [
    ("SELECT $this ?value WHERE { $this ex:p ?value }", True),
    ("SELECT $this ?value WHERE { $this ex:p ?value FILTER NOT EXISTS { ?value ex:q $this } }",
     True),
    ("SELECT ?value WHERE { $this ex:p ?value }", False),  # which focus node is it for?
    ("SELECT $this ?value WHERE { ?value ex:p ?x OPTIONAL { $this ex:q ?x } }", False),
    ("SELECT $this ?value WHERE { $this ex:p ?value } LIMIT 1", False),
    ("SELECT $this ?value WHERE { $this ex:p ?value MINUS { $this ex:q ?value } }", False),
    ("SELECT $this ?n WHERE { $this ex:p ?v { SELECT (COUNT(*) AS ?n) WHERE { $this ex:q ?x } } }",
     False),  # the count would be over every focus node
    ("SELECT $this ?n WHERE { { SELECT $this (COUNT(*) AS ?n) WHERE { $this ex:q ?x } "
     "GROUP BY $this } }", True),
])
def test_a_query_runs_once_for_all_focus_nodes_only_when_that_gives_the_same_solutions(
        query, batched):
    assert shacl._batchable(PREFIX + query) is batched


@pytest.fixture
def shapes_copy(tmp_path, monkeypatch):
    """A copy of the shapes, in use (``$RIGHTSGRAPH_SHAPES``) while the test edits it."""
    folder = tmp_path / "shapes"
    shutil.copytree(validation.shapes_dir(), folder)
    monkeypatch.setenv("RIGHTSGRAPH_SHAPES", str(folder))

    def reload() -> None:
        validation.shapes.cache_clear()
        validation._shapes_for_pyshacl.cache_clear()
        validation._compiled_shapes.cache_clear()
    reload()
    yield folder, reload
    monkeypatch.delenv("RIGHTSGRAPH_SHAPES")
    reload()


def test_a_shape_edit_changes_what_the_build_checks(shapes_copy):
    folder, reload = shapes_copy
    assert validate_compiled([Triples.of(turtle(BASE_TTL))]).results == []
    path = folder / "structure.ttl"
    path.write_text(path.read_text(encoding="utf-8").replace(
        "sh:path hro:number ;\n    sh:minCount 1 ; sh:maxCount 1 ; sh:datatype xsd:integer ; "
        "sh:minInclusive 1 ;",
        "sh:path hro:number ;\n    sh:minCount 1 ; sh:maxCount 1 ; sh:datatype xsd:integer ; "
        "sh:minInclusive 2 ;"), encoding="utf-8")
    reload()
    results = same_results(turtle(BASE_TTL))
    assert [(r.shape, r.value) for r in results] == [
        ("https://rightsgraph.org/shapes#Paragraph-number", "1")]


@pytest.mark.parametrize(("edit", "named", "says"), [
    ("sh:minLength 3 ; sh:closed true ;", "rgs:Symbol-identifier", "sh:closed"),
    ("sh:minLength 3 ; sh:hasValue \"X\" ;", "rgs:Symbol-identifier", "sh:hasValue"),
    ("sh:minLength 3 ; sh:languageIn ( \"en\" ) ;", "rgs:Symbol-identifier", "sh:languageIn"),
])
def test_a_constraint_the_build_does_not_implement_is_refused_naming_the_shape(
        shapes_copy, edit, named, says):
    folder, reload = shapes_copy
    path = folder / "documents.ttl"
    text = path.read_text(encoding="utf-8")
    marker = "sh:datatype xsd:string ; sh:minLength 3 ;\n    sh:severity sh:Violation ;\n" \
             "    sh:message \"A document, held or only cited, has exactly one UN symbol"
    assert marker in text
    path.write_text(text.replace(marker, marker.replace("sh:minLength 3 ;", edit)),
                    encoding="utf-8")
    reload()
    with pytest.raises(shacl.UnsupportedShapeError) as raised:
        validate_compiled([Triples.of(turtle(BASE_TTL))])
    assert named in str(raised.value) and says in str(raised.value)


def test_a_reported_shape_without_a_message_is_refused(shapes_copy):
    folder, reload = shapes_copy
    path = folder / "documents.ttl"
    text = path.read_text(encoding="utf-8")
    message = '    sh:message "A session ends on one valid xsd:date."@en .'
    assert message in text
    path.write_text(text.replace("sh:severity sh:Violation ;\n" + message,
                                 "sh:severity sh:Violation ."), encoding="utf-8")
    reload()
    with pytest.raises(shacl.UnsupportedShapeError, match="rgs:Document-sessionEnd.*sh:message"):
        validate_compiled([Triples.of(turtle(BASE_TTL))])


@pytest.mark.parametrize(("query", "read"), [
    ("SELECT * { ?s ex:a/^ex:b* ?o }", {"a", "b"}),
    ("SELECT * { ?s ex:a ?o ; ?p ?x FILTER (?p IN (ex:c, ex:d)) }", {"a", "c", "d"}),
    ("SELECT * { ?s ex:a ?o FILTER NOT EXISTS { ?o ex:b ?x FILTER NOT EXISTS { ?x a ex:C } } }",
     {"a", "b", "type"}),
    ("SELECT * { ?s ex:a ?o ; ?p ?x }", None),  # any predicate
    ("SELECT * { ?s !ex:a ?o }", None),
    # the sub-select's ?p is its own: the outer FILTER does not keep it to ex:c
    ("SELECT * { ?s ex:a ?p { SELECT ?s WHERE { ?s ?p ?o } } FILTER (?p IN (ex:c)) }", None),
])
def test_the_store_of_a_document_holds_what_its_sparql_constraints_can_read(query, read):
    found = shacl._predicates_read(PREFIX + query)
    names = {t.rsplit("/", 1)[-1].rsplit("#", 1)[-1][:-1] for t in found} if found else None
    assert names == read


@pytest.mark.parametrize(("query", "classes"), [
    ("SELECT * { ?s a ex:C ; ex:a ?o }", {"C"}),
    ("SELECT * { ?s ex:a ?o FILTER NOT EXISTS { ?o a ex:D } }", {"D"}),
    ("SELECT * { ?s ex:a ?o }", set()),
    ("SELECT * { ?s a ?c }", None),  # any class
    ("SELECT * { ?s ex:a/a ex:C }", None),  # rdf:type within a path
    ("SELECT * { ?s a ex:C ; ?p ex:D FILTER (?p IN (ex:a, <http://www.w3.org/1999/02/22-rdf-"
     "syntax-ns#type>)) }", None),  # a variable predicate that may be rdf:type
])
def test_the_store_of_a_document_holds_the_types_its_sparql_constraints_can_read(query, classes):
    found = shacl._types_read(PREFIX + query)
    names = {t.rsplit("/", 1)[-1][:-1] for t in found} if found is not None else None
    assert names == classes


def test_blank_nodes_are_the_same_nodes_for_the_sparql_constraints():
    """A paragraph written as a blank node, numbered like another: its SPARQL constraint
    names the blank node (Oxigraph would rename it if it parsed it)."""
    graph = turtle(BASE_TTL + """
        <https://rightsgraph.org/doc/CMW/C/AZE/CO/3> hro:hasParagraph _:again .
        _:again dcterms:isPartOf <https://rightsgraph.org/doc/CMW/C/AZE/CO/3> ; hro:number 1 .
    """)
    results = same_results(graph)
    assert any(r.shape.endswith("ParagraphNumbersShape") and r.value not in (None, "")
               and not r.value.startswith("http") for r in results)


def test_a_check_of_a_term_remembers_few_and_short_terms_only(monkeypatch):
    """What the checks remember does not grow with the documents a build's worker
    validates: a text (long) is tested each time it comes, and a check forgets all it
    remembered once it holds ``_MEMORY`` terms."""
    monkeypatch.setattr(shacl, "_MEMORY", 4)
    tested: list[str] = []

    def test(v: str) -> bool:
        tested.append(v)
        return True

    check = shacl._per_term(test)
    remembered = next(cell.cell_contents for cell in check.__closure__
                      if isinstance(cell.cell_contents, dict))
    text = '"' + "a paragraph's text " * 10 + '"@en'
    assert len(text) > shacl._REMEMBERED
    for _ in range(2):
        assert check(None, None, [("<f>", ['"12"', text])]) == []
    assert tested == ['"12"', text, text]  # the short term once, the text each time
    assert list(remembered) == ['"12"']
    for n in range(10):
        check(None, None, [("<f>", [f'"{n}"'])])
        assert len(remembered) <= 4
    assert all(len(v) <= shacl._REMEMBERED for v in remembered)
