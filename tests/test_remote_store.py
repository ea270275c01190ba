"""The remote store's own behaviour, against a real Oxigraph server (see conftest)."""
from __future__ import annotations

import httpx
import pytest
from rdflib import Graph, Literal, Namespace

from rightsgraph.graph.remote import RemoteStore, endpoint_urls
from rightsgraph.graph.store import ReadOnlyStoreError, StoreError, open_store

EX = Namespace("http://example.org/")


@pytest.mark.parametrize("location, query_url, update_url", [
    ("http://localhost:7878", "http://localhost:7878/query", "http://localhost:7878/update"),
    ("http://localhost:7878/", "http://localhost:7878/query", "http://localhost:7878/update"),
    ("http://h:3030/ds/query", "http://h:3030/ds/query", "http://h:3030/ds/update"),
    ("https://h/sparql", "https://h/sparql", "https://h/sparql"),
])
def test_update_url_is_derived_from_the_query_url(location, query_url, update_url):
    assert endpoint_urls(location) == (query_url, update_url)
    assert endpoint_urls(location, "http://other/update") == (query_url, "http://other/update")


def test_open_store_picks_the_remote_store_for_urls(oxigraph_server):
    with open_store(oxigraph_server) as store:
        assert isinstance(store, RemoteStore)
        assert store.query_url == f"{oxigraph_server}/query"
    with pytest.raises(StoreError, match="only applies to a remote store"):
        open_store("out/store", update_url="http://h/update")


def test_writes_reach_the_server_and_are_visible_to_other_clients(oxigraph_server):
    name = str(EX.remote_only)
    with open_store(oxigraph_server) as store:
        graph = Graph()
        graph.add((EX.s, EX.p, Literal("über", lang="de")))
        store.replace_graphs({name: graph})
    answer = httpx.post(f"{oxigraph_server}/query", data={
        "query": f"SELECT ?o WHERE {{ GRAPH <{name}> {{ ?s ?p ?o }} }}"},
        headers={"Accept": "application/sparql-results+json"}).json()
    assert answer["results"]["bindings"][0]["o"] == {
        "type": "literal", "value": "über", "xml:lang": "de"}
    with open_store(oxigraph_server) as store:
        store.drop_graphs([name])
        assert name not in store.graphs()


def test_a_read_only_remote_store_refuses_writes(oxigraph_server):
    with open_store(oxigraph_server, read_only=True) as store, pytest.raises(ReadOnlyStoreError):
        store.drop_graphs([str(EX.g)])


def test_an_unreachable_endpoint_is_named(oxigraph_server):
    with open_store("http://127.0.0.1:9/query") as store, pytest.raises(
            StoreError, match=r"127\.0\.0\.1:9/query: cannot reach"):
        store.graphs()


def test_a_refused_update_names_the_endpoint_and_the_reason(oxigraph_server):
    wrong = f"{oxigraph_server}/query"  # the query URL does not take updates
    with open_store(oxigraph_server, update_url=wrong) as store, pytest.raises(
            StoreError, match=r"update refused \(HTTP 4\d\d\)"):
        store.drop_graphs([str(EX.g)])
