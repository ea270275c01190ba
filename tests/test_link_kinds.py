"""The table of link kinds (rightsgraph/core/links.py) against everything that restates it:
the ontology's sub-properties of hro:refersTo, the SHACL shapes, the registries, the finders,
the reference cases, the links table, the API filters and the paragraph page."""
from __future__ import annotations

import inspect
import re
import tomllib

import pytest
from conftest import ROOT
from rdflib import RDF, RDFS, Graph, URIRef
from rdflib.collection import Collection
from rdflib.namespace import SH, SKOS

from rightsgraph.api import filters, page_data
from rightsgraph.api.protocol import RefusedError
from rightsgraph.core import links, resources
from rightsgraph.core.links import FILTERS, KINDS, SCORED, Kind
from rightsgraph.core.namespaces import HRO
from rightsgraph.core.registries import LANGUAGES
from rightsgraph.graph.rdfio import ontology
from rightsgraph.graph.skos import load_settings, registries_graph
from rightsgraph.graph.validate import shapes

RGS = "https://rightsgraph.org/shapes#"
B = "https://rightsgraph.org/"
WITH_PROPERTY = [k for k in KINDS.values() if k.property is not None]


def test_every_kind_has_a_row_and_a_label_in_each_un_language():
    assert set(KINDS) == set(Kind)
    for kind in KINDS.values():
        assert kind.name in KINDS and KINDS[kind.name] is kind
        assert set(kind.labels) == set(LANGUAGES), kind.name
        assert all(label.strip() for label in kind.labels.values()), kind.name


def test_the_links_table_has_the_scored_kinds_in_order():
    assert SCORED == ("article", "ilo", "sdg", "prior", "general_comment", "document")


def test_the_ontology_has_one_sub_property_of_refers_to_per_kind():
    onto = ontology()
    assert set(onto.subjects(RDFS.subPropertyOf, HRO.refersTo)) == {
        k.property for k in WITH_PROPERTY}
    for kind in WITH_PROPERTY:
        below = set(onto.subjects(RDFS.subPropertyOf, kind.property))
        assert below == set(kind.relations.values()), kind.name


@pytest.mark.parametrize("kind", [k for k in WITH_PROPERTY if k.shacl_class], ids=lambda k: k.name)
def test_the_ontology_range_is_the_shacl_class(kind):
    onto = ontology()
    ranges = set(onto.objects(kind.property, RDFS.range))
    for union in [r for r in ranges if not isinstance(r, URIRef)]:
        ranges |= set(Collection(onto, onto.value(union, URIRef(
            "http://www.w3.org/2002/07/owl#unionOf"))))
    assert kind.shacl_class in ranges


def test_shapes_list_every_kind_as_a_mention_kind():
    graph = shapes()
    listed = graph.value(URIRef(RGS + "Mention-kind"), SH["in"])
    assert {str(v) for v in Collection(graph, listed)} == {str(k) for k in KINDS}


def _reachable(graph: Graph, node) -> Graph:
    """The shape ``node`` and every shape, list and blank node it points at."""
    out, todo, seen = Graph(), [node], set()
    while todo:
        subject = todo.pop()
        if subject in seen:
            continue
        seen.add(subject)
        for p, o in graph.predicate_objects(subject):
            out.add((subject, p, o))
            if not isinstance(o, URIRef) or str(o).startswith(RGS) or p == RDF.rest:
                todo.append(o)
    return out


@pytest.mark.parametrize("kind", WITH_PROPERTY, ids=lambda k: k.name)
def test_shapes_check_the_targets_of_every_kind(kind):
    """A node shape targets the subjects of the kind's property and of each sub-relation,
    and requires the kind's class of the targets (``sh:class``, or a SPARQL constraint)."""
    graph = shapes()
    for prop in (kind.property, *kind.relations.values()):
        targeting = list(graph.subjects(SH.targetSubjectsOf, prop))
        assert targeting, f"no shape targets the subjects of {prop}"
        if kind.shacl_class is None:
            continue
        reached = Graph()
        for shape in targeting:
            reached += _reachable(graph, shape)
        classes = set(reached.objects(None, SH["class"]))
        queries = " ".join(str(q) for q in reached.objects(None, SH.select))
        local = "hro:" + kind.shacl_class.removeprefix(str(HRO))
        assert kind.shacl_class in classes or f"a {local}" in queries, (kind.name, prop)


@pytest.mark.parametrize("kind", [k for k in KINDS.values() if k.registry], ids=lambda k: k.name)
def test_the_target_of_every_registry_concept_is_its_uri(kind):
    """The kind's registry is a SKOS scheme, and its URI function mints, from each notation
    of a concept of the kind's class, that concept's URI."""
    assert kind.registry in load_settings()["schemes"]
    registry = registries_graph()
    concepts = set(registry.subjects(SKOS.inScheme, URIRef(B + "scheme/" + kind.registry)))
    if kind.shacl_class is not None:
        concepts &= set(registry.subjects(RDF.type, kind.shacl_class))
    assert concepts
    for concept in concepts:
        notation = next(n for n in registry.objects(concept, SKOS.notation) if n.datatype is None)
        assert kind.target(str(notation), base=B) == concept


def test_finders_are_found_and_return_their_kinds():
    reference_cases = [tomllib.loads(p.read_text(encoding="utf-8"))
                       for p in sorted((ROOT / "tests" / "references").glob("*.toml"))]
    expected = {row.split()[0] for data in reference_cases
                for case in data["case"] for row in case["expect"]}
    with_finder = {str(k.name) for k in KINDS.values() if k.finder}
    assert len(links.finders()) == len({k.finder for k in KINDS.values() if k.finder})
    assert all(callable(find) for find in links.finders())
    assert expected == with_finder  # every kind found has cases, and no case has another kind


def test_link_property_and_target_uri():
    assert links.link_property("prior", "recalls") == HRO.recalls
    assert links.link_property("prior", "cites") == HRO.citesRecommendation
    assert links.link_property("domestic_article") is None
    with pytest.raises(ValueError, match="no URI scheme"):
        links.target_uri("domestic_article", "17")


def test_api_filters_are_the_table_s():
    """Each link kind with an API filter is a documented query parameter of the researcher
    API and the search page, and selects the paragraphs linked to the target it names."""
    parameters = inspect.signature(filters.LinkFilters.__metadata__[0].dependency).parameters
    assert list(parameters) == list(FILTERS) == ["article", "ilo", "sdg", "gc"]
    for name, kind in FILTERS.items():
        assert kind.property is not None and kind.target is not None and kind.api_help
        for example in kind.examples:
            pattern = filters.paragraph_filters(links={name: example})[-1]
            if name == "article":  # also through headings, and with its provisions
                assert pattern == filters.article_pattern(example)
                assert f"<{kind.target(example)}>" in pattern and "hro:concernsArticle" in pattern
            else:
                assert pattern == f"?para <{kind.property}> <{kind.target(example)}> ."
    assert filters.paragraph_filters(links={"ilo": "c097"})[-1].endswith("/ilo/C097> .")
    assert filters.paragraph_filters(links={"gc": "cmw/gc/2"})[-1].endswith("/gc/CMW/2> .")
    with pytest.raises(RefusedError, match=r"is not a valid gc notation \(such as CMW/GC/2\)"):
        filters.paragraph_filters(links={"gc": "CMW/2"})
    with pytest.raises(RefusedError, match="is not an article notation"):
        filters.paragraph_filters(links={"article": "ICRMW"})


def test_the_paragraph_page_lists_every_kind_it_reads():
    """page_data reads each listed kind's property; the template has a section for each."""
    template = resources.package_path("rightsgraph.api", "templates", "paragraph.html")
    sections = set(re.findall(r'linked\("(\w+)"', template.read_text(encoding="utf-8")))
    listed = {str(k.name) for k in page_data.LISTED}
    assert listed == {str(k.name) for k in WITH_PROPERTY if not k.relations}
    assert sections == listed | {"inherited"}
    read = dict(page_data.PARAGRAPH_LINKS)
    assert all(read[str(k.name)] == f"<{k.property}>" for k in page_data.LISTED)
