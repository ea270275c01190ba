"""The remote store's own behaviour, against a real Oxigraph server (see conftest)."""
from __future__ import annotations

import httpx
import pytest
from rdflib import BNode, Graph, Literal, Namespace

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


def test_an_update_keeps_blank_nodes_out_of_insert_data_and_operations_small():
    """What Virtuoso refuses (tests/test_virtuoso.py runs it there): blank nodes in
    ``INSERT DATA``, and operations of thousands of triples."""
    from rightsgraph.graph.store import INSERT_DATA_TRIPLES, replacement_update

    graph = Graph()
    node = BNode()
    graph.add((EX.s, EX.list, node))
    graph.add((node, EX.first, Literal("a _:x .", lang="en")))  # a label-like literal
    for i in range(2 * INSERT_DATA_TRIPLES + 1):
        graph.add((EX[f"s{i}"], EX.p, Literal(f"_:b{i}")))
    update = replacement_update({str(EX.g): graph, str(EX.empty): Graph()})
    operations = update.split(" ;\n")
    assert operations[:2] == [f"DROP SILENT GRAPH <{EX.g}>", f"DROP SILENT GRAPH <{EX.empty}>"]
    data = [op for op in operations if op.startswith("INSERT DATA")]
    assert len(data) == 3
    assert all(op.count("\n") - 1 <= INSERT_DATA_TRIPLES for op in data)
    assert not any(line.startswith("_:") or line.rstrip(" .").split()[-1].startswith("_:")
                   for op in data for line in op.splitlines()[1:-1])
    template = operations[-1]
    assert template.startswith("INSERT {") and template.endswith("} WHERE {}")
    assert template.count("_:") == 3  # the node as object and as subject, and the literal's


def test_the_updates_result_is_the_graph_given(oxigraph_server):
    graph = Graph()
    node = BNode()
    graph.add((EX.s, EX.list, node))
    graph.add((node, EX.first, Literal("x")))
    for i in range(1200):
        graph.add((EX[f"s{i}"], EX.p, Literal(i)))
    with open_store(oxigraph_server) as store:
        store.replace_graphs({str(EX.big): graph})
        rows = list(store.query(f"""SELECT ?o WHERE {{ GRAPH <{EX.big}> {{
            <{EX.s}> <{EX.list}> ?n . ?n <{EX.first}> ?o }} }}""").rows())
        count = list(store.query(
            f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{EX.big}> {{ ?s ?p ?o }} }}").rows())
        store.drop_graphs([str(EX.big)])
    assert rows == [{"o": "x"}]
    assert count == [{"n": "1202"}]


@pytest.mark.parametrize("text, form", [
    ("SELECT * WHERE { ?s ?p ?o }", "select"),
    ("PREFIX ex: <http://example.org/select#> # construct\n ask { ?s ?p 'SELECT' }", "ask"),
    ('BASE <http://x/> CONSTRUCT { ?s ?p "describe" } WHERE { ?s ?p ?o }', "construct"),
    ("DESCRIBE <http://example.org/ask>", "describe"),
    ("SELECT ?ask WHERE { ?ask ?p ?o }", "select"),
])
def test_the_query_form_is_read_past_the_prologue_strings_and_comments(text, form):
    from rightsgraph.graph.store import query_form

    assert query_form(text) == form


def test_blank_node_labels_from_an_endpoint_become_valid_and_stay_distinct():
    from rightsgraph.graph.remote import _blank_node_labels

    answer = (b'{"head": {"vars": ["s", "o"]}, "results": {"bindings": [{'
              b'"s": {"type": "bnode", "value": "nodeID://b1_0"},'
              b'"o": {"type": "bnode", "value": "nodeID://b1:0"}}]}}')
    import pyoxigraph as ox

    solutions = list(ox.parse_query_results(_blank_node_labels(answer),
                                            ox.QueryResultsFormat.JSON))
    assert solutions[0]["s"] != solutions[0]["o"]
    assert all(isinstance(solutions[0][name], ox.BlankNode) for name in ("s", "o"))


def test_a_graph_store_url_writes_each_graph_by_put(oxigraph_server):
    name, other = str(EX.gsp_one), str(EX.gsp_two)
    one = Graph()
    one.add((EX.s, EX.p, Literal("one", lang="en")))
    with open_store(oxigraph_server, graph_store_url=f"{oxigraph_server}/store") as store:
        store.replace_graphs({name: one, other: one})
        assert {name, other} <= set(store.graphs())
        store.replace_graphs({name: Graph(), other: one})  # empty: the graph goes
        assert name not in store.graphs()
        assert other in store.graphs()
        store.replace_graphs({str(EX.never_held): Graph()})  # nothing to delete: no error
        store.drop_graphs([other])
    with open_store(oxigraph_server, graph_store_url=f"{oxigraph_server}/store",
                    read_only=True) as store, pytest.raises(ReadOnlyStoreError):
        store.replace_graphs({name: one})
