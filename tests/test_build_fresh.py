"""A fresh build bulk-loads its documents (graph/build.py, ``_Loader``): the store it makes
holds exactly what one transaction per document makes, a file loaded twice still replaces
the first, and a first build that did not finish is loaded again whole."""
from __future__ import annotations

import re
import shutil
from collections import Counter

import pyoxigraph as ox
import pytest
from conftest import FIXTURES, SEED

from rightsgraph.graph import build as build_module
from rightsgraph.graph import local as local_module
from rightsgraph.graph.build import build, support_graphs
from rightsgraph.graph.local import LocalStore
from rightsgraph.graph.store import StoreLockedError, open_store

FILES = [SEED, *sorted((FIXTURES / "en").glob("*_fixture.txt"))]
TIMES = ("startedAtTime", "endedAtTime", "generatedAtTime")


def _quads(location) -> dict[str, Counter]:
    """Each graph's N-Quads lines, without the extraction times (a build's own clock) and
    with blank nodes unlabelled (the shapes and the ontology have some)."""
    with open_store(location, read_only=True) as store:
        text = ox.serialize(store._store, format=ox.RdfFormat.N_QUADS).decode()
    graphs: dict[str, Counter] = {}
    for line in text.splitlines():
        if any(name in line for name in TIMES):
            continue
        graph = line.rsplit(" ", 2)[-2]
        graphs.setdefault(graph, Counter())[re.sub(r"_:\w+", "_:", line)] += 1
    return graphs


@pytest.fixture
def bulk_calls(monkeypatch):
    calls = []
    original = LocalStore.add_new_graphs

    def spy(self, batch, **kwargs):
        calls.append(len(batch))
        return original(self, batch, **kwargs)

    monkeypatch.setattr(LocalStore, "add_new_graphs", spy)
    return calls


def test_a_fresh_build_holds_what_one_transaction_per_document_holds(tmp_path, bulk_calls,
                                                                     monkeypatch):
    monkeypatch.setattr(build_module, "BULK_QUADS", 3000)  # several batches
    monkeypatch.setattr(local_module, "SPOOL_QUADS", 20000)  # several bulk loads
    with open_store(tmp_path / "fresh") as store:
        report = build(FILES, store)
        assert report.ok and report.documents == len(FILES)
    assert sum(bulk_calls) == len(FILES) and len(bulk_calls) > 1
    bulk_calls.clear()
    # a store that is not empty loads each document in its own transaction
    with open_store(tmp_path / "incremental") as store:
        store.replace_graphs(support_graphs())
        report = build(FILES, store)
        assert report.ok and report.documents == len(FILES)
    assert bulk_calls == []
    fresh, incremental = _quads(tmp_path / "fresh"), _quads(tmp_path / "incremental")
    assert sorted(fresh) == sorted(incremental)
    for graph in fresh:
        assert fresh[graph] == incremental[graph], graph


def test_a_file_loaded_twice_in_a_fresh_build_replaces_the_first(tmp_path, bulk_calls):
    for name in ("a.txt", "b.txt"):
        shutil.copy(SEED, tmp_path / name)
    with open_store(tmp_path / "twice") as store:
        report = build([tmp_path], store)
        assert report.ok and report.documents == 2
        assert any("b.txt replaced" in note for note in report.notes)
        twice = len(store)
    with open_store(tmp_path / "once") as store:
        build([SEED], store)
        assert len(store) == twice


def test_a_first_build_that_did_not_finish_is_loaded_again_whole(tmp_path):
    store_dir = tmp_path / "store"
    with open_store(store_dir) as store:
        build(FILES, store)
    complete = _quads(store_dir)
    # as a kill in the middle of a bulk load leaves it: part of a document, and none of
    # the support graphs (written last)
    graph = "https://rightsgraph.org/graph/CMW/C/AZE/CO/3/zh"
    with open_store(store_dir) as store:
        store.drop_graphs(support_graphs())
        store._store.update(f"DELETE WHERE {{ GRAPH <{graph}> {{ ?s a ?type }} }}")
    with open_store(store_dir) as store:
        report = build(FILES, store)
        assert report.unchanged == 0 and report.documents == len(FILES)
        assert any("did not finish" in note for note in report.notes)
    assert _quads(store_dir) == complete
    # and once complete, the next build skips every file again
    with open_store(store_dir) as store:
        assert build(FILES, store).unchanged == len(FILES)


@pytest.mark.parametrize("path", [SEED, FIXTURES / "en" / "crc_fixture.txt"],
                         ids=["seed", "crc_fixture"])
def test_the_store_holds_what_the_reference_path_gives(tmp_path, path):
    """The build reads each document's triples as N-Triples terms in every step; its store
    holds what the reference path gives: the document's graph as rdflib reads it
    (``to_graph``), owlrl's full OWL-RL closure of it (``owlrl_inferences``, less the chain
    the store does not materialise, ``reason.NOT_MATERIALISED``), and nothing pySHACL
    (``validate``) rejects."""
    from rdflib import Dataset

    from rightsgraph.extract import extract_file, to_graph
    from rightsgraph.graph.reason import owlrl_inferences
    from rightsgraph.graph.validate import validate

    graph = [g for g in to_graph(extract_file(path)).graphs() if len(g)][0]
    assert validate(graph).conforms
    reference = Dataset()
    for triple in graph:
        reference.add((*triple, graph.identifier))
    inferred = reference.graph(graph.identifier + "/inferred")
    for triple in owlrl_inferences(graph):
        inferred.add(triple)
    expected = set(ox.parse(reference.serialize(format="nquads"), format=ox.RdfFormat.N_QUADS))
    with open_store(tmp_path / "store") as store:
        assert build([path], store).ok
        held = {quad for quad in store._store
                if quad.graph_name.value in (str(graph.identifier), expected_inferred(graph))}
    # the extraction time is the build's own clock
    assert {q for q in held if "startedAtTime" not in q.predicate.value} == \
        {q for q in expected if "startedAtTime" not in q.predicate.value}
    assert len(held) == len(expected) > 500


def expected_inferred(graph) -> str:
    return str(graph.identifier) + "/inferred"


def test_what_is_added_is_seen_by_every_later_read_and_an_error_forgets_it(tmp_path):
    """The local store spools what ``add_new_graphs`` adds and bulk-loads it at the next
    read or write (or closing); leaving the store after an error loads none of it, so a
    fresh build that broke leaves an empty store (the next build starts again)."""
    graphs = {name: triples for name, triples in support_graphs().items()
              if name.endswith(("/ontology", "/shapes"))}
    with open_store(tmp_path / "a") as store:
        store.add_new_graphs([graphs])
        assert sorted(store.graphs()) == sorted(graphs)
        held = len(store)
    with open_store(tmp_path / "b") as store:
        store.add_new_graphs([graphs])
    with open_store(tmp_path / "b", read_only=True) as store:
        assert len(store) == held > 100
    with pytest.raises(RuntimeError), open_store(tmp_path / "c") as store:
        store.add_new_graphs([graphs])
        raise RuntimeError("a file broke the build")
    with open_store(tmp_path / "c", read_only=True) as store:
        assert store.graphs() == [] and len(store) == 0


def test_releasing_memory_keeps_what_is_stored_spooled_and_locked(tmp_path):
    """``release_memory`` (the build, before it gathers what readers need) closes the
    Oxigraph store and opens it again: what was spooled is loaded first, the store holds
    and takes the same quads after, and no other process can take it meanwhile."""
    graphs = {name: triples for name, triples in support_graphs().items()
              if name.endswith(("/ontology", "/shapes"))}
    with open_store(tmp_path / "a") as store:
        store.add_new_graphs([graphs])  # spooled, not loaded yet
        store.release_memory()
        assert sorted(store.graphs()) == sorted(graphs)
        held = len(store)
        with pytest.raises(StoreLockedError):
            open_store(tmp_path / "a")
        store.record("INSERT DATA { GRAPH <urn:x> { <urn:a> <urn:b> <urn:c> } }")
        store.release_memory()
        assert len(store) == held + 1 > 100
    with open_store(tmp_path / "a", read_only=True) as store:
        store.release_memory()  # nothing to release: a reader's store is left open
        assert len(store) == held + 1


def niceness_step(doc, graphs):
    """A build step that says, in the document's warnings, how nice its process runs."""
    import os

    doc.warnings.append(f"niceness {os.nice(0)}")
    return graphs


def test_the_workers_yield_to_the_build_and_take_what_it_compiled(tmp_path):
    """The workers run below the build's own threads (its bulk loads), and start while
    the build compiles what they take from it: the documents are built all the same."""
    import os

    with open_store(tmp_path / "store") as store:
        report = build(FILES, store, steps=(niceness_step,), workers=2)
    assert report.ok and report.documents == len(FILES)
    expected = min(19, os.nice(0) + build_module.WORKER_NICE)
    assert {w.rsplit(" ", 1)[-1] for w in report.warnings if "niceness" in w} == {str(expected)}
    with open_store(tmp_path / "parallel") as store:
        report = build(FILES, store, workers=2)  # the rules and facts handed to the workers
    assert report.ok and report.documents == len(FILES)
    with open_store(tmp_path / "serial") as store:
        build(FILES, store)
    assert _quads(tmp_path / "parallel") == _quads(tmp_path / "serial")


def test_a_compilation_that_fails_stops_the_workers_and_is_raised(tmp_path, monkeypatch):
    """The workers wait for what the build compiles; when compiling fails they stop, and
    the build raises the error instead of waiting for them."""
    def broken(steps):
        raise RuntimeError("the rules do not compile")

    monkeypatch.setattr(build_module, "_compiled_once", broken)
    with open_store(tmp_path / "store") as store, \
            pytest.raises(RuntimeError, match="the rules do not compile"):
        build(FILES, store, workers=2)
