"""The ontology's HTML documentation (``make docs``, pyLODE): it generates, and the committed
page lists every class and property of the ontology, so the docs cannot fall behind it."""
from __future__ import annotations

import os
import subprocess
import sys
from html.parser import HTMLParser

import pytest
from conftest import ROOT
from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF, RDFS

ONTOLOGY = ROOT / "ontology" / "rightsgraph.ttl"
PAGE = ROOT / "docs" / "ontology.html"
KINDS = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty,
         RDFS.Class, RDF.Property)


class _Entities(HTMLParser):
    """The IRIs and headings of the entries of a pyLODE page: each entry is a
    ``<div class="… entity">`` with an ``<h3>`` heading and an ``IRI`` row ``<code>IRI</code>``."""

    def __init__(self) -> None:
        super().__init__()
        self.entries: dict[str, str] = {}
        self._tag: str | None = None
        self._heading = ""
        self._after_iri = False

    def handle_starttag(self, tag, attrs):
        if tag == "div" and "entity" in (dict(attrs).get("class") or "").split():
            self._heading, self._after_iri = "", False
        self._tag = tag

    def handle_endtag(self, tag):
        self._tag = None

    def handle_data(self, data):
        if self._tag == "h3" and not self._heading:
            self._heading = data.strip()
        elif self._tag == "th" and data.strip() == "IRI":
            self._after_iri = True
        elif self._tag == "code" and self._after_iri:
            self.entries[data.strip()] = self._heading
            self._after_iri = False


def entries(html: str) -> dict[str, str]:
    parser = _Entities()
    parser.feed(html)
    return parser.entries


def terms() -> dict[str, str]:
    """Every class and property the ontology declares -> its English label (or '')."""
    g = Graph().parse(ONTOLOGY)
    found = {s for kind in KINDS for s in g.subjects(RDF.type, kind) if isinstance(s, URIRef)}
    return {str(s): str(g.value(s, RDFS.label) or "") for s in found}


def check_page(html: str) -> None:
    listed = entries(html)
    expected = terms()
    assert sorted(set(expected) - set(listed)) == [], "terms missing from the page"
    assert sorted(set(listed) - set(expected)) == [], "the page lists terms the ontology lacks"
    for iri, label in expected.items():
        if label:
            assert listed[iri] == label, iri


def test_the_committed_page_lists_every_class_and_property():
    assert PAGE.is_file(), "docs/ontology.html is missing: run make docs"
    check_page(PAGE.read_text(encoding="utf-8"))


def test_the_page_names_the_ontology_and_its_current_version():
    html = PAGE.read_text(encoding="utf-8")
    assert "<title>rightsgraph ontology</title>" in html
    version_iri = Graph().parse(ONTOLOGY).value(URIRef("https://rightsgraph.org/ontology"),
                                                OWL.versionIRI)
    assert version_iri is not None and str(version_iri) in html


def test_generation_works_as_make_docs_runs_it(tmp_path):
    out = tmp_path / "ontology.html"
    env = {**os.environ, "PYTHONHASHSEED": "0"}
    run = subprocess.run([sys.executable, "-m", "pylode", str(ONTOLOGY), "-o", str(out)],
                         capture_output=True, text=True, env=env, timeout=120)
    assert run.returncode == 0, run.stderr
    check_page(out.read_text(encoding="utf-8"))


def test_the_checker_notices_a_missing_term():
    html = PAGE.read_text(encoding="utf-8")
    broken = html.replace("<code>https://rightsgraph.org/ontology#reiterates</code>", "")
    with pytest.raises(AssertionError, match="missing"):
        check_page(broken)
