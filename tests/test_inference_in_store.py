"""Inference in the store: the example queries of docs/reasoning.md answer on a store built
from the seed, and the reiteration chain spans documents loaded separately."""
from __future__ import annotations

import re

import pytest
from conftest import ROOT, SEED
from rdflib import Graph, Literal, URIRef

from rightsgraph.core.namespaces import HRO
from rightsgraph.graph.build import build, reiteration_chains_graph
from rightsgraph.graph.store import open_store

QUERIES = re.findall(r"```sparql\n(.*?)```", (ROOT / "docs" / "reasoning.md").read_text(), re.S)


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    with open_store(tmp_path_factory.mktemp("inference") / "store") as store:
        assert build([SEED], store).ok
        yield store


def test_docs_have_example_queries():
    assert len(QUERIES) >= 5


@pytest.mark.parametrize("query", QUERIES, ids=[f"query{i}" for i in range(len(QUERIES))])
def test_example_query_answers_on_the_seed(store, query):
    rows = list(store.query(query).rows())
    assert rows, query


def test_example_queries_need_the_inferred_graphs(store):
    """Without the inferred graphs the examples find nothing: they show what reasoning adds."""
    asserted = [g for g in store.graphs() if not g.endswith("/inferred")
                and "/graph/inferred/" not in g]
    empty = [q for q in QUERIES if "eli:Work" not in q
             and not list(store.query(q, default_graph=asserted).rows())]
    assert len(empty) == len(QUERIES) - 1


def test_reiteration_chain_across_three_cycles(tmp_path):
    base = "https://rightsgraph.org/"
    paragraphs = {n: URIRef(f"{base}doc/CMW/C/AZE/CO/{n}/para/{p}")
                  for n, p in ((1, 17), (2, 11), (3, 13))}
    with open_store(tmp_path / "store") as store:
        for later, earlier in ((2, 1), (3, 2)):  # each cycle's document says one hop
            graph = Graph()
            graph.add((paragraphs[later], HRO.reiterates, paragraphs[earlier]))
            graph.add((paragraphs[later], HRO.number, Literal(later)))
            store.replace_graphs({f"{base}graph/CMW/C/AZE/CO/{later}/en": graph})
        store.replace_graphs(reiteration_chains_graph(store))
        rows = store.query(
            f"SELECT ?e WHERE {{ <{paragraphs[3]}> hro:reiteratesTransitively ?e }}").rows()
        assert {row["e"] for row in rows} == {str(paragraphs[1])}
        rows = store.query(
            f"SELECT ?l WHERE {{ <{paragraphs[1]}> hro:isReiteratedTransitivelyBy ?l }}").rows()
        assert {row["l"] for row in rows} == {str(paragraphs[3])}
