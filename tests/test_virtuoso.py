"""The remote store on a second engine: Virtuoso Open Source (Debian's
``virtuoso-opensource``), whose SPARQL dialect and update semantics differ from Oxigraph's.

The seed and the test fixtures are built into a Virtuoso started here (benchmarks/engines.py)
by ``rightsgraph build`` (through its Graph Store Protocol URL), and the server's pages,
researcher API and search over it must answer as over the embedded store.  CI installs
Virtuoso (.ci/run); elsewhere these tests are skipped when it is missing, with how to
install it.
"""
from __future__ import annotations

import json
import os
import re

import pytest
from conftest import WEB_SOURCES
from rdflib import BNode, Graph, Literal, Namespace

from benchmarks import engines
from rightsgraph.graph.store import open_store

EX = Namespace("http://example.org/")


@pytest.fixture(scope="module")
def virtuoso(tmp_path_factory):
    try:
        engines.virtuoso_binaries()
    except engines.EngineMissingError as err:
        if os.environ.get("CI"):
            pytest.fail(f"{err} (.ci/run installs it)")
        pytest.skip(str(err))
    with engines.virtuoso(tmp_path_factory.mktemp("virtuoso")) as engine:
        yield engine


@pytest.fixture(scope="module")
def virtuoso_site(virtuoso, tmp_path_factory):
    """WEB_SOURCES built into Virtuoso by the command line, its index in a folder of its
    own; a TestClient on a server of it."""
    from fastapi.testclient import TestClient

    from rightsgraph.api.app import Settings, create_app

    index = tmp_path_factory.mktemp("virtuoso-index") / "search"
    from rightsgraph.cli import main

    code = main([str(arg) for arg in ("build", *WEB_SOURCES, "--store", virtuoso.store,
                                      *virtuoso.build_options, "--index", index)])
    assert code == 0
    with TestClient(create_app(Settings(store=virtuoso.store, index=str(index),
                                        workers=2))) as client:
        yield client, index


def test_blank_nodes_and_language_tags_reach_virtuoso_through_sparql_update(virtuoso):
    """SPARQL Update without the Graph Store Protocol: blank nodes (refused by Virtuoso in
    INSERT DATA) and more triples than one Virtuoso operation takes."""
    graph = Graph()
    node = BNode()
    graph.add((EX.s, EX.list, node))
    graph.add((node, EX.first, Literal("über", lang="de")))
    for i in range(600):
        graph.add((EX[f"s{i}"], EX.p, Literal(f"text {i}", lang="en")))
    name = str(EX.update_graph)
    with open_store(virtuoso.store) as store:
        store.replace_graphs({name: graph})
        rows = list(store.query(f"""SELECT ?o WHERE {{ GRAPH <{name}> {{
            <{EX.s}> <{EX.list}> ?n . ?n <{EX.first}> ?o }} }}""").solutions())
        assert [(row["o"].value, row["o"].language) for row in rows] == [("über", "de")]
        assert len(list(store.query(f"SELECT * WHERE {{ GRAPH <{name}> {{ ?s ?p ?o }} }}")
                        .rows())) == 602
        assert name in store.graphs()
        store.drop_graphs([name])
        assert name not in store.graphs()


def test_construct_and_select_answer_in_their_own_formats(virtuoso):
    with open_store(virtuoso.store) as store:
        graph = Graph()
        graph.add((EX.a, EX.b, Literal("c")))
        store.replace_graphs({str(EX.forms): graph})
        triples = list(store.query(
            f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{EX.forms}> {{ ?s ?p ?o }} }}").triples)
        assert [t.object.value for t in triples] == ["c"]
        assert store.query("ASK { ?s ?p ?o }").boolean is True
        store.drop_graphs([str(EX.forms)])


def _same_json(local, remote, path):
    one, other = local.get(path), remote.get(path)
    assert (one.status_code, other.status_code) == (200, 200), (path, other.text[:500])
    return one.json(), other.json()


def test_pages_api_and_search_answer_as_over_the_embedded_store(virtuoso_site, web_client):
    remote, index = virtuoso_site
    assert (index / "rightsgraph.json").exists()  # built beside, by the same build
    # the paragraph page, and the other pages, as people read them
    paragraph = "/doc/CMW/C/AZE/CO/3/para/16"
    assert "国家移民战略" in remote.get(paragraph).text
    for page in (paragraph, "/", "/?q=移民战略", "/doc/CMW/C/AZE/CO/3", "/state/AZE",
                 "/committee/CMW", "/treaty/ICRMW/article/44", "/sdg/10.7",
                 "/state/AZE/recurring"):
        one, other = web_client.get(page), remote.get(page)
        assert (one.status_code, other.status_code) == (200, 200), page
        assert _text(other.text) == _text(one.text), page
    # researcher API routes
    for path in ("/api/documents", "/api/recommendations?state=AZE",
                 "/api/states/AZE/recurring",
                 "/api/articles/ICRMW/44", "/api/links?document=CMW/C/AZE/CO/3&format=json"):
        local, far = _same_json(web_client, remote, path)
        assert _sorted(far) == _sorted(local), path
    # search: the same paragraphs found, with the same facet counts
    local, far = _same_json(web_client, remote, "/api/search?q=移民战略")
    assert {item["uri"] for item in far["items"]} == {item["uri"] for item in local["items"]}
    assert "https://rightsgraph.org/doc/CMW/C/AZE/CO/3/para/16" in {
        item["uri"] for item in far["items"]}
    assert far["facets"] == local["facets"]
    # the home page offers the committees that documents come from, not every committee
    home = remote.get("/")
    choices = re.findall(r'<option value="(\w+)">', home.text.split('name="committee"')[1]
                         .split("</select>")[0])
    assert sorted(choices) == ["CERD", "CMW", "CRC"]
    # a document's dump and the dataset's description
    dump = remote.get("/dumps/document", params={"symbol": "CMW/C/AZE/CO/3", "format": "nq"})
    assert dump.status_code == 200
    assert b"<https://rightsgraph.org/graph/CMW/C/AZE/CO/3/zh/inferred>" in dump.content
    assert remote.get("/void", headers={"Accept": "text/turtle"}).status_code == 200


def test_the_sparql_endpoint_reaches_virtuoso(virtuoso_site):
    remote, _ = virtuoso_site
    answer = remote.get("/sparql", params={
        "query": "SELECT (COUNT(*) AS ?n) WHERE { ?p a hro:Paragraph ; hro:number 16 }"},
        headers={"Accept": "application/sparql-results+json"})
    assert answer.status_code == 200
    assert int(answer.json()["results"]["bindings"][0]["n"]["value"]) >= 1


def _text(html: str) -> str:
    """A page's text, without the timings and the host that differ between two servers."""
    text = re.sub(r"<[^>]+>", " ", html)
    text = re.sub(r"[\d.]+\s*(ms|s)\b", "T", text)
    return " ".join(text.split())


def _sorted(value):
    """JSON with every list sorted, so that rows of equal rank compare in any order."""
    if isinstance(value, dict):
        return {k: _sorted(v) for k, v in value.items() if k not in ("next", "seconds")}
    if isinstance(value, list):
        return sorted((_sorted(v) for v in value), key=lambda v: json.dumps(v, sort_keys=True))
    return value



def test_an_index_made_elsewhere_is_rebuilt_from_virtuoso(virtuoso, virtuoso_site, tmp_path):
    """A ``serve`` on another machine (no index beside it) re-indexes every language
    version from the store before serving: the same paragraphs as the build's index."""
    from rightsgraph.graph.search import SearchIndex, open_index

    _, built = virtuoso_site
    fresh = open_index(virtuoso.store, tmp_path / "fresh")
    with SearchIndex(built, writable=False) as original:
        assert len(fresh) == len(original) > 0
    found = fresh.search("移民战略")
    assert "https://rightsgraph.org/doc/CMW/C/AZE/CO/3/para/16" in {h.uri for h in found.items}


def test_the_whole_dump_from_virtuoso_parses(virtuoso_site):
    import gzip

    import pyoxigraph as ox

    remote, _ = virtuoso_site
    answer = remote.get("/dumps/rightsgraph.nq.gz")
    assert answer.status_code == 200
    quads = list(ox.parse(gzip.decompress(answer.content), ox.RdfFormat.N_QUADS))
    graphs = {q.graph_name.value for q in quads}
    assert "https://rightsgraph.org/graph/CMW/C/AZE/CO/3/zh" in graphs


def test_the_build_stores_the_dataset_numbers_in_virtuoso(virtuoso, virtuoso_site):
    """The numbers' conditional update runs on Virtuoso too; the server reads them and
    answers what counting gives (api/precomputed.py, decision 0014)."""
    from rightsgraph.api.precomputed import compute
    from rightsgraph.graph.dataset import stored_query

    client, _ = virtuoso_site
    with open_store(virtuoso.store, read_only=True) as store:
        assert list(store.query(stored_query("https://rightsgraph.org/")).rows())
        counted = compute(store, None, "https://rightsgraph.org/")
    summary = client.get("/api/summary").json()
    summary.pop("more")  # the routes it links to
    assert summary == counted["description"]["summary"]
