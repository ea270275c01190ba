"""The SHACL shapes: the valid example conforms, each invalid example (tests/shapes/cases.toml)
yields exactly the results it lists, and every named shape has an invalid example."""
from __future__ import annotations

import tomllib

import pytest
from conftest import ROOT
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, SH, XSD

from rightsgraph.core.namespaces import HRO
from rightsgraph.graph.validate import shapes, validate

HERE = ROOT / "tests" / "shapes"
BASE_TTL = (HERE / "base.ttl").read_text(encoding="utf-8")
PREFIXES = "\n".join(line for line in BASE_TTL.splitlines() if line.startswith("@prefix"))
CASES = tomllib.loads((HERE / "cases.toml").read_text(encoding="utf-8"))["case"]
RGS = "https://rightsgraph.org/shapes#"
SHORT = {
    "rgs:": RGS, "hro:": str(HRO), "dcterms:": str(DCTERMS), "prov:": str(PROV),
    "doc:": "https://rightsgraph.org/doc/CMW/C/AZE/CO/3/",
    "co2:": "https://rightsgraph.org/doc/CMW/C/AZE/CO/2/", "B:": "https://rightsgraph.org/",
}


def expand(name: str) -> str:
    if name.startswith("^"):
        return "^" + expand(name[1:])
    for prefix, namespace in SHORT.items():
        if name.startswith(prefix):
            return namespace + name[len(prefix):]
    return name


def turtle(snippet: str) -> Graph:
    return Graph().parse(data=PREFIXES + "\n" + snippet, format="turtle")


def example(case: dict) -> Graph:
    graph = turtle(BASE_TTL)
    removed = turtle(case.get("remove", ""))
    for triple in removed:
        assert triple in graph, f"{case['name']}: base.ttl has no {triple}"
        graph.remove(triple)
    for triple in turtle(case.get("add", "")):
        graph.add(triple)
    return graph


def test_valid_example_conforms():
    report = validate(turtle(BASE_TTL))
    assert report.conforms and not report.results, report.text()


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_invalid_example_yields_exactly_the_expected_results(case):
    report = validate(example(case))
    got = sorted((r.shape, r.focus, r.path or "", r.severity) for r in report.results)
    expected = sorted(
        (expand(e["shape"]), expand(e["focus"]), expand(e.get("path", "")),
         e.get("severity", "Violation"))
        for e in case["expect"]
    )
    assert got == expected, report.text()
    for e in case["expect"]:
        if "value" in e:
            values = {r.value for r in report.results
                      if (r.shape, r.focus) == (expand(e["shape"]), expand(e["focus"]))}
            assert expand(e["value"]) in values, report.text()
    assert report.conforms == all(e.get("severity", "Violation") != "Violation"
                                  for e in case["expect"])


def test_every_named_shape_has_an_invalid_example():
    graph = shapes()
    reportable = {
        str(s) for s in graph.subjects(RDF.type, SH.PropertyShape) if isinstance(s, URIRef)
    } | {
        str(s) for s in graph.subjects(RDF.type, SH.NodeShape)
        if isinstance(s, URIRef)
        and ((s, SH.sparql, None) in graph or (s, SH["class"], None) in graph)
    }
    covered = {expand(e["shape"]) for case in CASES for e in case["expect"]}
    assert reportable - covered == set()
    assert covered - reportable == set()


def test_every_shape_is_named_and_every_constraint_has_a_message():
    graph = shapes()
    for shape in graph.subjects(RDF.type, SH.PropertyShape):
        assert isinstance(shape, URIRef)
        assert graph.value(shape, SH.message) is not None, shape
        assert graph.value(shape, SH.severity) in (SH.Violation, SH.Warning), shape
    for constraint in graph.subjects(RDF.type, SH.SPARQLConstraint):
        assert isinstance(graph.value(constraint, SH.message), Literal), constraint


def test_dates_at_the_precision_printed_conform():
    """"due in 2026", "by June 2027", "within one year" (and the deadline it gives) are valid."""
    graph = example({"remove": """<https://rightsgraph.org/doc/CMW/C/AZE/CO/3>
        hro:nextReportDue "2026-11-01"^^xsd:date ; hro:followUpDeadline "2023-11-01"^^xsd:date .""",
                     "add": """<https://rightsgraph.org/doc/CMW/C/AZE/CO/3>
        hro:nextReportDue "2026"^^xsd:gYear ; hro:followUpWithin "P1Y"^^xsd:duration ;
        hro:derivedFollowUpDeadline "2022-10-08"^^xsd:date ."""})
    report = validate(graph)
    assert report.conforms and not report.results, report.text()
    graph.remove((None, HRO.nextReportDue, None))
    graph.add((URIRef("https://rightsgraph.org/doc/CMW/C/AZE/CO/3"), HRO.nextReportDue,
               Literal("2027-06", datatype=XSD.gYearMonth)))
    assert validate(graph).conforms
