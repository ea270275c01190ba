"""Parallel fixtures: the English CMW fixture translated into French and Spanish
(tests/fixtures/{fr,es}/cmw_fixture.txt, UN terminology of the CMW openings 41.fr and 43.es)
must give the same links and merge with the English version into one set of paragraphs."""
from __future__ import annotations

from datetime import UTC, datetime

import pytest
from conftest import FIXTURES
from rdflib import Dataset, Literal, URIRef
from rdflib.namespace import XSD

from rightsgraph.core.namespaces import HRO
from rightsgraph.extract.output import link_rows
from rightsgraph.extract.pipeline import extract_file
from rightsgraph.extract.triples import to_graph

B = "https://rightsgraph.org/"
DOC = B + "doc/CMW/C/ECU/CO/3"
AT = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def versions():
    return {lang: extract_file(FIXTURES / lang / "cmw_fixture.txt") for lang in ("en", "fr", "es")}


def links(doc) -> set[tuple[str, str, str, str]]:
    """(paragraph, item, kind, target notation) of every link, headings included."""
    return {(r["paragraph"], r["item"], r["relation"], r["target"]) for r in link_rows(doc)}


def priors(doc) -> set[tuple[int, str, str]]:
    return {(p.number, ref.target, ref.relation) for p, _, ref in doc.references()
            if p is not None and ref.kind == "prior"}


@pytest.mark.parametrize("lang", ["fr", "es"])
def test_same_links_as_english(versions, lang):
    english, other = versions["en"], versions[lang]
    assert other.language == lang
    assert len(links(english)) > 80
    assert links(other) == links(english)
    assert priors(other) == priors(english)
    assert {relation for _, _, relation in priors(other)} == {
        "reiterates", "recalls", "notes_non_implementation"}


@pytest.mark.parametrize("lang", ["fr", "es"])
def test_same_structure_flags_and_metadata(versions, lang):
    english, other = versions["en"], versions[lang]

    def shape(doc):
        return [(p.number, p.section, [i.label for i in p.items], p.recommendation, p.concern,
                 p.positive) for p in doc.paragraphs]

    assert shape(other) == shape(english)
    fields = ("symbol", "symbol_derived", "state", "report_numbers", "session", "session_dates",
              "considered_at_meetings", "considered_on", "adopted_at_meeting", "adopted_on",
              "state_party_report", "summary_records", "list_of_issues", "follow_up_paragraphs",
              "follow_up_deadline", "next_report_numbers", "next_report_due")
    assert {f: getattr(other, f) for f in fields} == {f: getattr(english, f) for f in fields}


def test_rdf_of_three_languages_merges(versions):
    merged = Dataset(default_union=True)
    graphs = {lang: to_graph(doc, base=B, generated_at=AT) for lang, doc in versions.items()}
    for dataset in graphs.values():
        for quad in dataset.quads():
            merged.add(quad)
    paragraph = URIRef(DOC + "/para/23")
    assert {t.language for t in merged.objects(paragraph, HRO.text)} == {"en", "fr", "es"}
    assert len(set(merged.subjects(HRO.number, Literal(23, datatype=XSD.integer)))) == 1
    assert set(merged.objects(URIRef(DOC), HRO.languageVersion)) == {
        URIRef(f"{DOC}/{lang}") for lang in ("en", "fr", "es")}
    paragraphs = {lang: set(g.subjects(HRO.number, None)) for lang, g in graphs.items()}
    assert paragraphs["fr"] == paragraphs["es"] == paragraphs["en"]
