"""The SPARQL endpoint: SPARQL 1.1 Protocol conformance, content negotiation, and every
refusal that makes it safe to expose; the service description, VoID and dumps."""
from __future__ import annotations

import csv
import gzip
import io
import json
import random
import threading
import time
import xml.etree.ElementTree as ET
from urllib.parse import parse_qsl, quote

import pytest
import rdflib
from conftest import SEED
from fastapi.testclient import TestClient

from rightsgraph.api.app import Settings, create_app
from rightsgraph.api.protocol import accepted_types, form_pairs
from rightsgraph.graph.build import build
from rightsgraph.graph.store import open_store

GRAPH = "https://rightsgraph.org/graph/CMW/C/AZE/CO/3/zh"
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
PARAGRAPHS = ("SELECT ?p ?n WHERE { ?p a hro:Paragraph ; hro:number ?n ; "
              "dcterms:isPartOf <https://rightsgraph.org/doc/CMW/C/AZE/CO/3> } ORDER BY ?n")


@pytest.fixture(scope="module")
def store_dir(tmp_path_factory):
    path = tmp_path_factory.mktemp("endpoint") / "store"
    with open_store(path) as store:
        assert build([SEED], store).ok
    return str(path)


@pytest.fixture(scope="module")
def client(store_dir):
    app = create_app(Settings(store=store_dir, workers=2, timeout=5, max_bytes=5_000_000))
    with TestClient(app) as test_client:
        yield test_client


def select(client, query, **kwargs):
    response = client.get("/sparql", params={"query": query, **kwargs},
                          headers={"Accept": "application/sparql-results+json"})
    assert response.status_code == 200, response.text
    return response.json()["results"]["bindings"]


def test_get_post_form_and_post_body_give_the_same_answer(client):
    via_get = client.get("/sparql", params={"query": PARAGRAPHS},
                         headers={"Accept": "application/sparql-results+json"})
    via_form = client.post("/sparql", data={"query": PARAGRAPHS},
                           headers={"Accept": "application/sparql-results+json"})
    via_body = client.post("/sparql", content=PARAGRAPHS.encode(),
                           headers={"Content-Type": "application/sparql-query",
                                    "Accept": "application/sparql-results+json"})
    assert via_get.status_code == via_form.status_code == via_body.status_code == 200
    assert via_get.json() == via_form.json() == via_body.json()
    rows = via_get.json()["results"]["bindings"]
    assert len(rows) == 66 and rows[15]["n"]["value"] == "16"
    assert via_get.headers["content-type"].startswith("application/sparql-results+json")


@pytest.mark.parametrize("accept, check", [
    ("application/sparql-results+xml",
     lambda body: len(ET.fromstring(body).findall(
         ".//{http://www.w3.org/2005/sparql-results#}result")) == 66),
    ("text/csv", lambda body: len(list(csv.reader(io.StringIO(body.decode())))) == 67),
    ("text/tab-separated-values", lambda body: body.decode().splitlines()[0] == "?p\t?n"),
    ("application/json", lambda body: len(json.loads(body)["results"]["bindings"]) == 66),
])
def test_select_results_in_every_format(client, accept, check):
    response = client.get("/sparql", params={"query": PARAGRAPHS}, headers={"Accept": accept})
    assert response.status_code == 200
    assert check(response.content)


def test_ask(client):
    response = client.get("/sparql", params={"query": "ASK { ?p hro:number 16 }"})
    assert response.json()["boolean"] is True


@pytest.mark.parametrize("accept, rdflib_format", [
    ("text/turtle", "turtle"), ("application/ld+json", "json-ld"),
    ("application/n-triples", "nt"), ("application/rdf+xml", "xml"),
])
def test_construct_in_every_format(client, accept, rdflib_format):
    query = ("CONSTRUCT { ?p hro:number ?n } WHERE { ?p a hro:Recommendation ; hro:number ?n }")
    response = client.get("/sparql", params={"query": query}, headers={"Accept": accept})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(accept)
    graph = rdflib.Graph().parse(data=response.content, format=rdflib_format)
    assert len(graph) == 33


def test_format_parameter_overrides_accept(client):
    response = client.get("/sparql", params={"query": COUNT, "format": "csv"},
                          headers={"Accept": "application/sparql-results+json"})
    assert response.headers["content-type"].startswith("text/csv")


def test_dataset_from_the_protocol(client):
    [whole] = select(client, COUNT)
    [one] = select(client, COUNT, **{"default-graph-uri": GRAPH})
    assert 0 < int(one["n"]["value"]) < int(whole["n"]["value"])
    rows = select(client, "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }",
                  **{"named-graph-uri": GRAPH})
    assert [row["g"]["value"] for row in rows] == [GRAPH]


def test_unacceptable_media_type_is_406(client):
    response = client.get("/sparql", params={"query": COUNT}, headers={"Accept": "image/png"})
    assert response.status_code == 406


@pytest.mark.parametrize("request_kwargs", [
    {"method": "POST", "data": {"update": "DROP ALL"}},
    {"method": "POST", "content": b"DROP ALL",
     "headers": {"Content-Type": "application/sparql-update"}},
    {"method": "GET", "params": {"query": "INSERT DATA { <a:b> <a:c> <a:d> }"}},
    {"method": "GET", "params": {"query": "PREFIX x: <http://x/> LOAD <http://example.org/x>"}},
    {"method": "GET", "params": {"query": "\n BASE <http://x/>\n\tprefix y:<http://y/>\n"
                                          "  delete WHERE { ?s ?p ?o }"}},
    {"method": "GET", "params": {"query": "CLEAR ALL"}},
])
def test_updates_are_refused_with_403(client, store_dir, request_kwargs):
    method = request_kwargs.pop("method")
    response = client.request(method, "/sparql", **request_kwargs)
    assert response.status_code == 403
    assert "read-only" in response.text
    assert select(client, COUNT)  # nothing was dropped


def test_service_is_refused_with_400(client):
    query = "SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }"
    response = client.get("/sparql", params={"query": query})
    assert response.status_code == 400 and "SERVICE" in response.text


def test_syntax_error_is_400_and_quotes_the_problem(client):
    response = client.get("/sparql", params={"query": "SELECT ?s WHERE { ?s ?p }"})
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"
    detail = response.json()["detail"]
    assert detail.startswith("SPARQL syntax error:") and "1:" in detail


def test_size_cap_is_413(store_dir):
    app = create_app(Settings(store=store_dir, workers=1, max_bytes=10_000))
    with TestClient(app) as small:
        response = small.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o }"})
        assert response.status_code == 413 and "10,000 bytes" in response.text
        assert small.get("/sparql", params={"query": COUNT}).status_code == 200


SLOW = ("SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i "
        "FILTER (STR(?c) = STR(?f) && STR(?f) = STR(?i)) }")


def test_time_limit_stops_a_query_and_the_server_carries_on(store_dir):
    app = create_app(Settings(store=store_dir, workers=1, timeout=1.0))
    with TestClient(app) as limited:
        started = time.monotonic()
        response = limited.get("/sparql", params={"query": SLOW})
        assert response.status_code == 503 and "time limit of 1 s" in response.text
        assert time.monotonic() - started < 15
        assert limited.get("/sparql", params={"query": COUNT}).status_code == 200


def test_a_slow_query_does_not_block_others(store_dir):
    app = create_app(Settings(store=store_dir, workers=2, timeout=4.0))
    with TestClient(app) as both:
        finished = {}

        def slow():
            both.get("/sparql", params={"query": SLOW})
            finished["slow"] = time.monotonic()

        thread = threading.Thread(target=slow)
        thread.start()
        time.sleep(0.3)
        assert both.get("/sparql", params={"query": COUNT}).status_code == 200
        finished["fast"] = time.monotonic()
        thread.join()
        assert finished["fast"] < finished["slow"]


def test_accept_header_ranking():
    assert accepted_types("text/csv;q=0.5, application/sparql-results+json") == [
        "application/sparql-results+json", "text/csv"]
    assert accepted_types("*/*;q=0.1, text/turtle") == ["text/turtle", "*/*"]
    assert accepted_types("image/png;q=0") == ["*/*"]
    assert accepted_types(None) == ["*/*"]
    # answers are kept per header (a copy each time: a caller may change its list)
    first = accepted_types("text/csv, text/turtle;q=0.2")
    first.append("image/png")
    assert accepted_types("text/csv, text/turtle;q=0.2") == ["text/csv", "text/turtle"]
    long = ", ".join(f"application/x-{n};q=0.{n % 9 + 1}" for n in range(200))
    assert accepted_types(long)[0] == "application/x-8"


def test_query_strings_are_decoded_as_urllib_decodes_them():
    # form_pairs decodes percent escapes in C; the pairs are urllib's, whatever the string
    pieces = ["a", "b", "=", "&", "+", "%", "%3D", "%3d", "%20", "%e2%82%ac", "%C3", "%zz",
              "%4", "%%", "&&", "==", "é", "~", ";", "\n", "0", "F"]
    rng = random.Random(15)
    for _ in range(20_000):
        raw = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 12))).encode("utf-8")
        assert form_pairs(raw) == parse_qsl(raw.decode("latin-1"), keep_blank_values=True), raw


def test_a_query_with_every_kind_of_escape_is_answered_as_sent(client):
    # '+' and '%20' for spaces, a raw '=' and '&' escaped in the query, a Chinese literal
    query = ('SELECT ?n WHERE { ?p hro:number ?n FILTER(?n = 16 && STR(?n) != "移民 = %zz") '
             'FILTER(?n + 0 = 16) }')
    encoded = quote(query, safe="=").replace("%20", "+")
    via_get = client.get(f"/sparql?query={encoded}&format=json")
    via_form = client.post("/sparql", data={"query": query, "format": "json"})
    assert via_get.status_code == via_form.status_code == 200, via_get.text
    assert via_get.json() == via_form.json()
    assert {row["n"]["value"] for row in via_get.json()["results"]["bindings"]} == {"16"}


def test_service_description_and_void(client):
    response = client.get("/sparql", headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    graph = rdflib.Graph().parse(data=response.text, format="turtle")
    sd = rdflib.Namespace("http://www.w3.org/ns/sparql-service-description#")
    void = rdflib.Namespace("http://rdfs.org/ns/void#")
    assert (None, rdflib.RDF.type, sd.Service) in graph
    [dataset] = graph.subjects(rdflib.RDF.type, void.Dataset)
    assert int(graph.value(dataset, void.triples)) > 20000
    assert int(graph.value(dataset, void.entities)) == 1
    assert str(graph.value(dataset, void.dataDump)).endswith("/dumps/rightsgraph.nq.gz")
    names = {str(o) for o in graph.objects(None, sd.name)}
    assert GRAPH in names and GRAPH + "/inferred" in names
    assert client.get("/void", headers={"Accept": "application/ld+json"}).json()


def test_dumps(client, store_dir):
    response = client.get("/dumps/rightsgraph.nq.gz")
    assert response.status_code == 200
    dataset = rdflib.Dataset()
    dataset.parse(data=gzip.decompress(response.content), format="nquads")
    with open_store(store_dir, read_only=True) as store:
        assert sum(len(graph) for graph in dataset.graphs()) == len(store)
    one = client.get("/dumps/document", params={"symbol": "CMW/C/AZE/CO/3"})
    assert one.status_code == 200
    graphs = rdflib.Dataset()
    graphs.parse(data=one.content, format="nquads")
    assert {str(g.identifier) for g in graphs.graphs() if len(g)} == {GRAPH, GRAPH + "/inferred"}
    trig = client.get("/dumps/document", params={"symbol": "CMW/C/AZE/CO/3", "format": "trig"})
    quads = rdflib.Dataset().parse(data=trig.content, format="trig")
    assert sum(map(len, quads.graphs())) == sum(map(len, graphs.graphs()))
    assert client.get("/dumps/document", params={"symbol": "X/Y"}).status_code == 404


def test_a_server_leaves_no_dump_folder_behind(store_dir, tmp_path, monkeypatch):
    """Without ``--dumps`` the whole-dataset dump goes to a temporary folder made on the
    first request for it and removed when the server stops; a server asked for no dump
    makes none.  A folder the user names is theirs: its dump stays."""
    import tempfile as tempfile_module

    monkeypatch.setattr(tempfile_module, "tempdir", str(tmp_path))
    with TestClient(create_app(Settings(store=str(store_dir), workers=1))) as quiet:
        assert quiet.get("/sparql", params={"query": "ASK {}"}).status_code == 200
    assert list(tmp_path.iterdir()) == []
    with TestClient(create_app(Settings(store=str(store_dir), workers=1))) as dumping:
        assert dumping.get("/dumps/rightsgraph.nq.gz").status_code == 200
        [made] = tmp_path.iterdir()
        assert (made / "rightsgraph.nq.gz").stat().st_size > 0
    assert list(tmp_path.iterdir()) == []
    kept = tmp_path / "dumps"
    kept.mkdir()
    with TestClient(create_app(Settings(store=str(store_dir), workers=1, dumps=str(kept)))) as own:
        assert own.get("/dumps/rightsgraph.nq.gz").status_code == 200
    assert (kept / "rightsgraph.nq.gz").is_file()
