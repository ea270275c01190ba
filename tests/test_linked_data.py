"""Every URI the graph mints dereferences on the server, with content negotiation."""
from __future__ import annotations

import json

import pytest
import rdflib
from conftest import SEED
from fastapi.testclient import TestClient

from rightsgraph.api.app import Settings, create_app
from rightsgraph.graph.build import build
from rightsgraph.graph.store import open_store

B = "https://rightsgraph.org/"
HRO = rdflib.Namespace(B + "ontology#")
SKOS = rdflib.Namespace("http://www.w3.org/2004/02/skos/core#")
PARA = B + "doc/CMW/C/AZE/CO/3/para/16"


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    path = tmp_path_factory.mktemp("ld") / "store"
    with open_store(path) as store:
        assert build([SEED], store).ok
    with TestClient(create_app(Settings(store=str(path), workers=1))) as test_client:
        yield test_client


@pytest.mark.parametrize("accept, fmt", [
    ("text/turtle", "turtle"), ("application/ld+json", "json-ld"),
    ("application/n-triples", "nt"), ("application/rdf+xml", "xml"),
])
def test_paragraph_in_every_rdf_format(client, accept, fmt):
    response = client.get("/doc/CMW/C/AZE/CO/3/para/16", headers={"Accept": accept})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(accept)
    assert "Accept" in response.headers["vary"]
    data = response.content
    if fmt == "json-ld":  # the document references the published context: resolve it here
        document = json.loads(data)
        assert document["@context"] == "http://testserver/context.jsonld"
        document["@context"] = client.get("/context.jsonld").json()["@context"]
        data = json.dumps(document)
    graph = rdflib.Graph().parse(data=data, format=fmt)
    para = rdflib.URIRef(PARA)
    assert graph.value(para, HRO.number).toPython() == 16
    assert (para, rdflib.RDF.type, HRO.Recommendation) in graph
    assert (rdflib.URIRef(B + "doc/CMW/C/AZE/CO/3"), HRO.followUpParagraph, para) in graph


def test_html_for_browsers_and_format_parameter(client):
    html = client.get("/doc/CMW/C/AZE/CO/3/para/16", headers={"Accept": "text/html,*/*;q=0.8"})
    assert html.status_code == 200 and html.headers["content-type"].startswith("text/html")
    turtle = client.get("/doc/CMW/C/AZE/CO/3/para/16?format=ttl")
    assert turtle.headers["content-type"].startswith("text/turtle")


@pytest.mark.parametrize("path, check", [
    ("doc/CMW/C/AZE/CO/3", lambda g, n: (n, HRO.stateParty, rdflib.URIRef(B + "state/AZE")) in g),
    ("doc/CMW/C/AZE/CO/3/zh", lambda g, n: (n, HRO.realizes, None) in g),
    ("doc/CMW/C/AZE/CO/3/para/16/a", lambda g, n: (n, rdflib.RDF.type, HRO.SubItem) in g),
    ("treaty/ICRMW/article/76",
     lambda g, n: str(g.value(n, SKOS.notation)) == "ICRMW/76"),
    ("state/AZE", lambda g, n: (n, rdflib.RDF.type, HRO.State) in g),
    ("committee/CMW", lambda g, n: (n, SKOS.prefLabel, None) in g),
    ("ilo/C097", lambda g, n: (n, rdflib.RDF.type, HRO.IloInstrument) in g),
])
def test_registry_and_document_uris_dereference(client, path, check):
    response = client.get("/" + path, headers={"Accept": "text/turtle"})
    assert response.status_code == 200, response.text
    graph = rdflib.Graph().parse(data=response.content, format="turtle")
    assert check(graph, rdflib.URIRef(B + path))


def test_unknown_and_unacceptable(client):
    assert client.get("/doc/NOPE/1", headers={"Accept": "text/turtle"}).status_code == 404
    assert client.get("/doc/CMW/C/AZE/CO/3",
                      headers={"Accept": "image/png"}).status_code == 406


def test_base_is_configurable(tmp_path, monkeypatch):
    monkeypatch.setenv("RIGHTSGRAPH_BASE", "http://example.test/data/")
    with open_store(tmp_path / "store") as store:
        assert build([SEED], store).ok
    app = create_app(Settings(store=str(tmp_path / "store"), workers=1,
                              base="http://example.test/data/"))
    with TestClient(app) as other:
        response = other.get("/doc/CMW/C/AZE/CO/3/para/16", headers={"Accept": "text/turtle"})
        assert response.status_code == 200
        graph = rdflib.Graph().parse(data=response.content, format="turtle")
        assert (rdflib.URIRef("http://example.test/data/doc/CMW/C/AZE/CO/3/para/16"),
                HRO.number, None) in graph


def test_paths_that_are_not_iris_are_404(client):
    for path in ("/doc/a%0Ab", "/doc/a%3Eb", "/doc/a%5Cb", "/doc/a%20b"):
        assert client.get(path, headers={"Accept": "text/turtle"}).status_code == 404, path


def test_published_jsonld_context(client):
    response = client.get("/context.jsonld")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/ld+json")
    terms = response.json()["@context"]
    assert terms["hro"] == str(HRO)
    assert terms["concernsArticle"] == {"@id": "hro:concernsArticle", "@type": "@id"}
    assert terms["number"] == {"@id": "hro:number"}  # a JSON number is an xsd:integer
    assert terms["adoptedOn"] == {"@id": "hro:adoptedOn", "@type": "xsd:date"}
    assert terms["Recommendation"] == "hro:Recommendation"
    paragraph = client.get("/doc/CMW/C/AZE/CO/3/para/16",
                           headers={"Accept": "application/ld+json"}).json()
    nodes = paragraph.get("@graph", [paragraph])
    [node] = [n for n in nodes if n.get("@id") == PARA]
    assert node["number"] == 16 and "Recommendation" in node["@type"]
