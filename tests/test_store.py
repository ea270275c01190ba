"""The store contract, on the embedded store and on a real Oxigraph server alike."""
from __future__ import annotations

import csv
import io
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
import xml.etree.ElementTree as ET

import httpx
import pytest
import rdflib
from conftest import SEED
from rdflib import Dataset, Graph, Literal

from rightsgraph.extract import extract_file
from rightsgraph.graph import store as store_module
from rightsgraph.graph.build import document_graphs
from rightsgraph.graph.store import (
    QuerySyntaxError,
    ReadOnlyStoreError,
    StoreError,
    StoreLockedError,
    declares_dataset,
    open_store,
)

EX = rdflib.Namespace("http://example.org/")
G1, G2 = str(EX.g1), str(EX.g2)


@pytest.fixture(scope="module")
def seed_graphs() -> dict[str, Graph]:
    """The seed's graph as rdflib reads it (``replace_graphs`` takes rdflib graphs too)."""
    return {name: triples.graph() for name, triples in document_graphs(extract_file(SEED)).items()}


@pytest.fixture(params=["local", "remote"])
def store(request, tmp_path):
    """An empty store of each kind (the server's dataset is emptied before each test)."""
    if request.param == "local":
        with open_store(tmp_path / "store") as opened:
            yield opened
        return
    url = request.getfixturevalue("oxigraph_server")
    httpx.post(f"{url}/update", content="DROP ALL",
               headers={"Content-Type": "application/sparql-update"}).raise_for_status()
    with open_store(f"{url}/query") as opened:
        yield opened


def graph(*triples: tuple) -> Graph:
    made = Graph()
    for triple in triples:
        made.add(triple)
    return made


def two_graphs(store) -> None:
    store.replace_graphs({
        G1: graph((EX.a, EX.p, Literal("one")), (EX.a, EX.q, EX.b)),
        G2: graph((EX.c, EX.p, Literal("two", lang="en"))),
    })


def subjects(result) -> set[str]:
    return {rdflib.URIRef(row["s"]) for row in result.rows()}


def dataset_of(store) -> Dataset:
    out = io.BytesIO()
    store.dump(out, "nq")
    data = Dataset()
    data.parse(data=out.getvalue().decode("utf-8"), format="nquads")
    return data


def quads(data: Dataset) -> set[tuple]:
    return {(s, p, o, str(g)) for s, p, o, g in data.quads((None, None, None, None))}


# --- loading and replacing ------------------------------------------------------------------


def test_round_trip_of_the_seed(store, seed_graphs):
    store.replace_graphs(seed_graphs)
    (name, original), = seed_graphs.items()
    assert store.graphs() == [name] == ["https://rightsgraph.org/graph/CMW/C/AZE/CO/3/zh"]
    assert len(store) == len(original) > 2000
    assert quads(dataset_of(store)) == {(s, p, o, name) for s, p, o in original}


def test_reingesting_replaces_without_duplicates(store, seed_graphs):
    store.replace_graphs(seed_graphs)
    store.replace_graphs(seed_graphs)
    (name, original), = seed_graphs.items()
    assert len(store) == len(original)
    doc = extract_file(SEED)
    doc.paragraphs[0].text = "A corrected text of the first paragraph."
    store.replace_graphs(document_graphs(doc))
    ask = 'ASK {{ ?p hro:number 1 ; hro:text "{}"@zh }}'
    assert store.query(ask.format("A corrected text of the first paragraph.")).boolean
    old_text = extract_file(SEED).paragraphs[0].text
    assert old_text and not store.query(ask.format(old_text.replace('"', '\\"'))).boolean
    assert len(store) == len(original)


def test_replace_leaves_other_graphs_alone_and_drop_removes(store):
    two_graphs(store)
    store.replace_graphs({G1: graph((EX.z, EX.p, Literal("new")))})
    assert subjects(store.query("SELECT ?s WHERE { ?s ?p ?o }")) == {EX.z, EX.c}
    store.drop_graphs([G1, "http://example.org/absent"])
    assert store.graphs() == [G2]
    assert len(store) == 1


def test_a_failure_inside_the_update_leaves_the_old_version(store, monkeypatch):
    two_graphs(store)
    before = quads(dataset_of(store))
    original = store_module.replacement_update
    # the drops and inserts run, then a last operation fails
    monkeypatch.setattr(store_module, "replacement_update", lambda graphs: original(graphs)
                        + " ;\nDROP GRAPH <http://example.org/no-such-graph>")
    with pytest.raises(StoreError, match="no-such-graph"):
        store.replace_graphs({G1: graph((EX.z, EX.p, Literal("new"))), G2: Graph()})
    assert quads(dataset_of(store)) == before


def test_a_failure_while_preparing_the_graphs_leaves_the_old_version(store):
    two_graphs(store)
    before = quads(dataset_of(store))

    class Broken(Graph):
        def serialize(self, *args, **kwargs):
            raise RuntimeError("disk full while serialising")

    broken = Broken()
    broken.add((EX.x, EX.p, Literal("x")))
    with pytest.raises(RuntimeError, match="disk full"):
        store.replace_graphs({G1: graph((EX.z, EX.p, Literal("new"))), G2: broken})
    assert quads(dataset_of(store)) == before


# --- querying -------------------------------------------------------------------------------


def test_the_default_graph_is_the_union_of_the_named_graphs(store):
    two_graphs(store)
    assert subjects(store.query("SELECT ?s WHERE { ?s ?p ?o }")) == {EX.a, EX.c}
    alone = store.query("SELECT ?s WHERE { ?s ?p ?o }", union_default_graph=False)
    assert subjects(alone) == set()


def test_the_dataset_can_be_restricted(store):
    two_graphs(store)
    only_g1 = store.query("SELECT ?s WHERE { ?s ?p ?o }", default_graph=[G1])
    assert subjects(only_g1) == {EX.a}
    named = store.query("SELECT ?s ?g WHERE { GRAPH ?g { ?s ?p ?o } }", named_graphs=[G2])
    assert [(r["s"], r["g"]) for r in named.rows()] == [(str(EX.c), G2)]
    # the default graph given alone: GRAPH sees no named graph (SPARQL 1.1 Protocol)
    none = store.query("SELECT ?s WHERE { GRAPH ?g { ?s ?p ?o } }", default_graph=[G1])
    assert subjects(none) == set()
    own = store.query(f"SELECT ?s FROM <{G2}> WHERE {{ ?s ?p ?o }}")
    assert subjects(own) == {EX.c}


def test_rows_give_lexical_values_and_none_when_unbound(store):
    two_graphs(store)
    result = store.query("SELECT ?s ?o ?missing WHERE { ?s ?p ?o } ORDER BY ?o")
    assert result.kind == "select" and result.variables == ["s", "o", "missing"]
    rows = list(result.rows())
    assert {"s": str(EX.a), "o": "one", "missing": None} in rows
    assert {"s": str(EX.c), "o": "two", "missing": None} in rows
    with pytest.raises(StoreError, match="only once"):
        list(result.rows())


SELECT = "SELECT ?s ?o WHERE { ?s ex:p ?o }"
PREFIXED = "PREFIX ex: <http://example.org/> "


@pytest.mark.parametrize("media_type, rdflib_format", [
    ("application/sparql-results+json", "json"),
    ("application/sparql-results+xml", "xml"),
    ("text/csv", "csv"),
    ("text/tab-separated-values", "tsv"),
])
def test_select_results_parse_back_in_every_format(store, media_type, rdflib_format):
    two_graphs(store)
    data = store.query(PREFIXED + SELECT).serialize(media_type)
    parsed = rdflib.query.Result.parse(io.BytesIO(data), format=rdflib_format)
    assert {(str(row.s), str(row.o)) for row in parsed} == {
        (str(EX.a), "one"), (str(EX.c), "two")}


def test_select_results_are_standard_json_and_csv(store):
    two_graphs(store)
    document = json.loads(store.query(PREFIXED + SELECT).serialize(
        "application/sparql-results+json"))
    assert document["head"]["vars"] == ["s", "o"]
    assert {"type": "literal", "value": "two", "xml:lang": "en"} in [
        b["o"] for b in document["results"]["bindings"]]
    table = list(csv.DictReader(io.StringIO(
        store.query(PREFIXED + SELECT).serialize("text/csv").decode("utf-8"))))
    assert sorted((r["s"], r["o"]) for r in table) == [(str(EX.a), "one"), (str(EX.c), "two")]


@pytest.mark.parametrize("media_type", [
    "application/sparql-results+json", "application/sparql-results+xml"])
def test_ask_results(store, media_type):
    two_graphs(store)
    yes = store.query('ASK { ?s ?p "one" }')
    assert yes.kind == "ask" and yes.boolean is True
    assert store.query('ASK { ?s ?p "three" }').boolean is False
    data = yes.serialize(media_type)
    if "json" in media_type:
        assert json.loads(data)["boolean"] is True
    else:
        root = ET.fromstring(data)
        assert root.find("{http://www.w3.org/2005/sparql-results#}boolean").text == "true"


@pytest.mark.parametrize("media_type, rdflib_format", [
    ("text/turtle", "turtle"),
    ("application/n-triples", "nt"),
    ("application/ld+json", "json-ld"),
    ("application/rdf+xml", "xml"),
    ("application/n-quads", "nquads"),
])
def test_graph_results_parse_back_in_every_format(store, media_type, rdflib_format):
    two_graphs(store)
    result = store.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }")
    assert result.kind == "graph"
    parsed = Dataset() if rdflib_format == "nquads" else Graph()
    parsed.parse(data=result.serialize(media_type).decode("utf-8"), format=rdflib_format)
    assert {(s, p, o) for s, p, o, *_ in (
        parsed.quads((None, None, None, None)) if rdflib_format == "nquads" else parsed)} == {
        (EX.a, EX.p, Literal("one")), (EX.a, EX.q, EX.b), (EX.c, EX.p, Literal("two", lang="en"))}


def test_a_media_type_that_does_not_fit_is_refused(store):
    two_graphs(store)
    with pytest.raises(ValueError, match="text/turtle"):
        store.query("SELECT * WHERE { ?s ?p ?o }").serialize("text/turtle")
    with pytest.raises(ValueError, match="sparql-results"):
        store.query("CONSTRUCT WHERE { ?s ?p ?o }").serialize("application/sparql-results+json")


def test_a_query_that_does_not_parse_says_where(store):
    with pytest.raises(QuerySyntaxError, match="1:"):
        store.query("SELEKT ?s WHERE { ?s ?p ?o }")


def test_the_graph_prefixes_need_no_declaration(store, seed_graphs):
    store.replace_graphs(seed_graphs)
    result = store.query("SELECT (COUNT(?p) AS ?n) WHERE { ?p a hro:Recommendation }")
    assert int(next(result.rows())["n"]) > 0


# --- dumping --------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt, rdflib_format", [
    ("nq", "nquads"), ("trig", "trig"), ("ttl", "turtle"), ("nt", "nt"), ("jsonld", "json-ld")])
def test_dump_parses_back(store, fmt, rdflib_format):
    two_graphs(store)
    out = io.BytesIO()
    store.dump(out, fmt)
    parsed = Dataset()
    parsed.parse(data=out.getvalue().decode("utf-8"), format=rdflib_format)
    found = quads(parsed)
    if fmt in ("nq", "trig", "jsonld"):
        assert found == quads(dataset_of(store)) and len(found) == 3
    else:  # triple formats hold the union
        assert {q[:3] for q in found} == {q[:3] for q in quads(dataset_of(store))}


def test_dump_of_one_graph(store):
    two_graphs(store)
    out = io.BytesIO()
    store.dump(out, "ttl", graph=G2)
    assert set(Graph().parse(data=out.getvalue().decode(), format="turtle")) == {
        (EX.c, EX.p, Literal("two", lang="en"))}
    with pytest.raises(StoreError, match="no graph"):
        store.dump(io.BytesIO(), "nq", graph="http://example.org/absent")
    with pytest.raises(ValueError, match="unknown dump format"):
        store.dump(io.BytesIO(), "csv")


# --- the embedded store ---------------------------------------------------------------------


def test_a_second_writer_is_refused_and_readers_are_not(tmp_path):
    with open_store(tmp_path / "store") as writer:
        two_graphs(writer)
        with pytest.raises(StoreLockedError, match="another process"):
            open_store(tmp_path / "store")
        with open_store(tmp_path / "store", read_only=True) as reader:
            assert reader.graphs() == [G1, G2]
            with pytest.raises(ReadOnlyStoreError):
                reader.drop_graphs([G1])


def test_a_store_is_not_made_in_a_folder_of_other_files(tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(StoreError, match="other files"):
        open_store(tmp_path)
    with pytest.raises(StoreError, match="no store here"):
        open_store(tmp_path / "missing", read_only=True)
    assert not (tmp_path / "missing").exists()


@pytest.mark.parametrize("query, declares", [
    ("SELECT * FROM <http://g> WHERE { ?s ?p ?o }", True),
    ("select * from named <http://g> where { graph ?g { ?s ?p ?o } }", True),
    ('SELECT * WHERE { ?s ?p "from <x>" }', False),
    ("SELECT * WHERE { ?s <http://ex.org/FROM> ?o } # FROM <g>", False),
    ("SELECT ?from WHERE { ?s ?p ?from }", False),
])
def test_declares_dataset(query, declares):
    assert declares_dataset(query) is declares


KILLED_WRITER = textwrap.dedent("""
    import sys
    from rdflib import Graph, Literal, Namespace
    from rightsgraph.graph import store as store_module
    from rightsgraph.graph.store import open_store
    EX = Namespace("http://example.org/")
    graphs = {}
    for g in range(4):
        graph = Graph()
        for i in range(20_000):
            graph.add((EX[f"s{g}-{i}"], EX.version, Literal(f"new version of {i}")))
        graphs[str(EX[f"g{g}"])] = graph
    prepare = store_module.replacement_update

    def announced(graphs):  # tell the test when the store starts writing
        update = prepare(graphs)
        print("writing", flush=True)
        return update

    store_module.replacement_update = announced
    with open_store(sys.argv[1]) as store:
        store.replace_graphs(graphs)
        print("replaced", flush=True)
""")


def test_a_writer_killed_in_the_middle_of_a_replace_leaves_the_old_version(tmp_path):
    """A real process is SIGKILLed while it writes 4 graphs (80,000 triples) over old ones."""
    path = tmp_path / "store"
    with open_store(path) as store:
        store.replace_graphs({
            str(EX[f"g{g}"]): graph(*((EX[f"s{g}-{i}"], EX.version, Literal("old"))
                                     for i in range(250)))
            for g in range(4)})
    writer = subprocess.Popen([sys.executable, "-c", KILLED_WRITER, str(path)],
                              stdout=subprocess.PIPE, text=True)
    assert writer.stdout.readline().strip() == "writing"
    time.sleep(0.25)  # writing 80,000 triples transactionally takes seconds
    os.kill(writer.pid, signal.SIGKILL)
    assert writer.wait(timeout=30) == -signal.SIGKILL
    assert writer.stdout.read() == "", "the writer finished before it was killed"
    with open_store(path, read_only=True) as store:
        rows = store.query("SELECT ?v (COUNT(*) AS ?n) "
                           "WHERE { ?s <http://example.org/version> ?v } GROUP BY ?v").rows()
        assert {row["v"]: int(row["n"]) for row in rows} == {"old": 1000}
        assert store.graphs() == [str(EX[f"g{g}"]) for g in range(4)]


def test_an_invalid_default_graph_iri_is_a_syntax_error_not_a_crash(tmp_path):
    with open_store(tmp_path / "store") as store:
        two_graphs(store)
        with pytest.raises(QuerySyntaxError, match="not a valid graph IRI"):
            store.query("SELECT * WHERE { ?s ?p ?o }", default_graph=["not an iri"])


BUSY_WRITER = textwrap.dedent("""
    import sys, time
    import pyoxigraph as ox
    store = ox.Store(sys.argv[1])
    print("writing", flush=True)
    deadline = time.monotonic() + float(sys.argv[2])
    n = 0
    while time.monotonic() < deadline:
        store.update("DROP SILENT GRAPH <http://example.org/g> ; INSERT DATA { GRAPH "
                     "<http://example.org/g> { " + " ".join(
                         f"<http://example.org/s{n}-{i}> <http://example.org/p> {i} ."
                         for i in range(2000)) + " } }")
        store.flush()
        store.optimize()
        n += 1
""")


def test_opening_read_only_beside_a_busy_writer_fails_only_with_a_store_error(tmp_path):
    """RocksDB sometimes raises ``RuntimeError`` ("Corruption: ... .sst") for a reader
    opened while a writer compacts: the local store retries and, at worst, raises a
    :class:`StoreError`, never anything else."""
    path = tmp_path / "store"
    open_store(path).close()
    writer = subprocess.Popen([sys.executable, "-c", BUSY_WRITER, str(path), "6"],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert writer.stdout.readline().strip() == "writing"
        opened = 0
        deadline = time.monotonic() + 4
        while time.monotonic() < deadline:
            try:
                with open_store(path, read_only=True) as reader:
                    reader.graphs()
                    opened += 1
            except StoreError:
                pass
        assert opened > 0
    finally:
        writer.kill()
        writer.wait(timeout=30)



class _CountingOptimize:
    """An Oxigraph store that counts the compactions asked of it (and does them)."""

    def __init__(self, store, calls: list) -> None:
        self._inner, self._calls = store, calls

    def optimize(self) -> None:
        self._calls.append("optimize")
        self._inner.optimize()

    def __len__(self) -> int:
        return len(self._inner)

    def __getattr__(self, name: str):
        return getattr(self._inner, name)


def test_closing_compacts_only_once_much_of_the_store_was_removed(tmp_path, seed_graphs):
    """Compaction costs as much as the whole store (5 s at 1.6M quads) and rewrites
    bulk-loaded files larger, so closing after bookkeeping writes (the build's stored
    numbers) and a few replaced or dropped graphs does not compact; dropping most of the
    store does, and its files shrink."""
    from rightsgraph.graph.local import LocalStore

    path, calls = tmp_path / "store", []

    def opened() -> LocalStore:
        local = LocalStore(path)
        local._store = _CountingOptimize(local._store, calls)
        return local

    with opened() as local:
        local.add_new_graphs([seed_graphs])
        for n in range(3):
            local.replace_graphs({f"{EX}small/{n}": Graph().add((EX.s, EX.p, Literal(n)))})
    with opened() as local:
        local.record(f"INSERT DATA {{ GRAPH <{EX}book> {{ <{EX}a> <{EX}b> 1 }} }}")
        local.replace_graphs({f"{EX}small/0": Graph().add((EX.s, EX.p, Literal("new")))})
        local.drop_graphs([f"{EX}small/1", f"{EX}absent"])
    assert calls == []
    with opened() as local:
        assert len(local) > 1000
        local.drop_graphs(list(seed_graphs))
        assert len(local) < 10
    assert calls == ["optimize"]


def test_a_spool_loaded_meanwhile_is_in_before_any_read(tmp_path, seed_graphs, monkeypatch):
    """A full spool is bulk-loaded in a thread while the build spools the next documents;
    a read waits for it, so no reader sees the store without what was added."""
    from rightsgraph.graph import local as local_module

    monkeypatch.setattr(local_module, "SPOOL_FIRST", 1)  # each addition loads meanwhile
    monkeypatch.setattr(local_module, "SPOOL_QUADS", 1)
    expected = sum(len(graph) for graph in seed_graphs.values())
    with local_module.LocalStore(tmp_path / "store") as local:
        local.add_new_graphs([seed_graphs])
        assert local._loading is not None  # loading in its threads
        more = {f"{EX}more": Graph().add((EX.s, EX.p, Literal(1)))}
        local.add_new_graphs([more])  # does not wait: queued behind the first
        assert local._added is None
        assert len(local) == expected + 1
        assert local._loading is None


def _graph(n: int, size: int) -> dict[str, Graph]:
    graph = Graph()
    for i in range(size):
        graph.add((EX[f"s{n}"], EX.p, Literal(i)))
    return {f"{EX}g{n}": graph}


def test_the_first_spool_is_small_and_the_last_ones_get_smaller(tmp_path, monkeypatch):
    """The loads start early (a small first spool) and end early: once less is to come
    than a full spool, a spool loads at half of what is still to come, and the last
    addition (``to_come=0``) waits for :meth:`load_added`, which loads it beside the
    others; the store then holds everything."""
    from rightsgraph.graph import local as local_module

    assert local_module.spool_quads(None, first=True) == local_module.SPOOL_FIRST
    assert local_module.SPOOL_FIRST < local_module.SPOOL_QUADS
    assert local_module.spool_quads(None, first=False) == local_module.SPOOL_QUADS
    assert local_module.spool_quads(10 * local_module.SPOOL_QUADS, first=False) \
        == local_module.SPOOL_QUADS
    assert local_module.spool_quads(300_000, first=False) == 150_000
    assert local_module.spool_quads(1_000, first=False) == local_module.SPOOL_LEAST

    loads: list[int] = []
    original = local_module._bulk_load

    def counted(store, spool, path):
        spool.flush()
        spool.seek(0)
        loads.append(spool.read().count(b"\n"))
        original(store, spool, path)

    monkeypatch.setattr(local_module, "_bulk_load", counted)
    monkeypatch.setattr(local_module, "SPOOL_FIRST", 10)
    monkeypatch.setattr(local_module, "SPOOL_QUADS", 40)
    monkeypatch.setattr(local_module, "SPOOL_LEAST", 5)
    with local_module.LocalStore(tmp_path / "store") as local:
        local.add_new_graphs([_graph(0, 10)], to_come=100)  # the first: 10 quads, loaded
        local.add_new_graphs([_graph(1, 30)], to_come=70)  # 30 < 40: waits
        local.add_new_graphs([_graph(2, 10)], to_come=60)  # 40: loaded
        local.add_new_graphs([_graph(3, 20)], to_come=40)  # 20 >= 40 // 2: loaded
        local.add_new_graphs([_graph(4, 8)], to_come=10)  # 8 >= 5: loaded
        local.add_new_graphs([_graph(5, 10)], to_come=0)  # the last: left for load_added
        assert local._added_quads == 10
        local.load_added()
        assert sorted(loads) == sorted([10, 40, 20, 8, 10])
        assert len(local) == 88


@pytest.mark.parametrize("documents", [444, 1_775, 4_436])  # the 1M, 4M and 10M corpora
def test_the_largest_load_is_the_same_whatever_the_corpus(tmp_path, monkeypatch, documents):
    """A bulk load's memory grows with the quads it loads (~0.8 KB each at its peak), so
    the largest call must not grow with the corpus: at 1x the spools taper (half of what
    is still to come) before they reach the cap, so the cap is what the 1M corpus reaches
    too, and within LOAD_BUDGET a full spool never loads beside another one of its size
    (decision 0011, 2026-12-06, third session)."""
    from collections import Counter

    from rightsgraph.graph import build as build_module
    from rightsgraph.graph import local as local_module

    calls: list[int] = []

    class Recorded:  # the loaders, recording each call's quads instead of loading
        def __init__(self, store, path) -> None:
            pass

        def add(self, spool, quads) -> None:
            spool.close()
            calls.append(quads)

        def check(self) -> None:
            pass

        def wait(self) -> None:
            pass

    monkeypatch.setattr(local_module, "_Loading", Recorded)
    per_document = 2_860  # quads per document in the synthetic corpora
    with local_module.LocalStore(tmp_path / "store") as local:
        loader = build_module._Loader(local, build_module.BuildReport(), {}, None, bulk=True)
        for n in range(documents):
            loader.to_come = documents - n - 1
            loader.load(build_module.Prepared(
                tmp_path / f"{n}.txt", graphs={f"{EX}g{n}": build_module.NTriples(b"",
                                                                               per_document)}))
        loader.flush()
        local.load_added()
    assert sum(calls) == documents * per_document
    cap = local_module.SPOOL_QUADS
    assert cap <= max(calls) < cap + build_module.BULK_QUADS + per_document
    assert 2 * cap > local_module.LOAD_BUDGET >= cap + build_module.BULK_QUADS + per_document
    full = Counter(quads >= cap for quads in calls)[True]
    assert full >= 1 and (full > 3) == (documents > 1_000)


def test_small_spools_load_side_by_side_and_a_full_one_alone(tmp_path, monkeypatch):
    """Up to LOADERS spools load at once while the quads being loaded stay within
    LOAD_BUDGET (the loaders' memory): two small ones overlap, a full one does not."""
    import threading

    from rightsgraph.graph import local as local_module

    running, most, lock = [0], [0], threading.Lock()
    released = []

    def slow(store, spool, path):
        with lock:
            running[0] += 1
            most[0] = max(most[0], running[0])
        time.sleep(0.3)
        spool.close()
        with lock:
            running[0] -= 1

    monkeypatch.setattr(local_module, "_bulk_load", slow)
    monkeypatch.setattr(local_module, "release_freed_memory", lambda: released.append(1))
    monkeypatch.setattr(local_module, "LOAD_BUDGET", 100)
    monkeypatch.setattr(local_module, "SPOOL_BACKLOG", 4)
    loading = local_module._Loading(None, tmp_path)
    for quads in (100, 100):  # each a full budget: one after the other
        loading.add(tempfile_in(tmp_path), quads)
    loading.wait()
    assert most[0] == 1
    loading = local_module._Loading(None, tmp_path)
    for quads in (50, 50):  # together within the budget: side by side
        loading.add(tempfile_in(tmp_path), quads)
    loading.wait()
    assert most[0] == local_module.LOADERS == 2
    assert len(released) == 4  # the memory each load freed is given back


def tempfile_in(folder):
    import tempfile

    return tempfile.TemporaryFile(dir=folder)


def test_a_failed_final_load_is_reported_naming_the_store_and_the_rest_is_not_loaded(
        tmp_path, seed_graphs, monkeypatch):
    """A bulk load that fails (a full disk, say) is raised by the next read, or by
    closing, naming the store; the spools after it are not loaded, and the store is left
    without its support graphs, so the next build loads every file again."""
    from rightsgraph.graph import local as local_module

    path, calls = tmp_path / "store", []

    def failing(store, spool, where):
        calls.append(where)
        spool.close()
        raise StoreError(f"{where}: bulk loading failed: No space left on device")

    monkeypatch.setattr(local_module, "_bulk_load", failing)
    monkeypatch.setattr(local_module, "LOADERS", 1)
    monkeypatch.setattr(local_module, "SPOOL_BACKLOG", 4)
    monkeypatch.setattr(local_module, "SPOOL_FIRST", 1)
    monkeypatch.setattr(local_module, "SPOOL_QUADS", 1)
    local = local_module.LocalStore(path)
    local.add_new_graphs([seed_graphs], to_come=10)
    local._loading.threads[0].join(0.5)  # the first load has failed by now
    with pytest.raises(StoreError, match=f"{path}: bulk loading failed: No space"):
        local.add_new_graphs([seed_graphs], to_come=0)  # no more spooling for it
    with pytest.raises(StoreError, match=f"{path}: bulk loading failed: No space"):
        local.close()  # the final load: the failure named, not hidden
    assert calls == [path]  # nothing loaded after the failure
    with local_module.LocalStore(path, read_only=True) as store:
        assert len(store) == 0


def test_leaving_after_an_error_forgets_the_spools_waiting(tmp_path, seed_graphs, monkeypatch):
    """A build that breaks while spools wait their turn leaves them unloaded (only the one
    loading cannot be stopped)."""
    import threading

    from rightsgraph.graph import local as local_module

    started, go, loaded = threading.Event(), threading.Event(), []

    def held(store, spool, where):
        started.set()
        go.wait(5)
        loaded.append(spool)
        spool.close()

    monkeypatch.setattr(local_module, "_bulk_load", held)
    monkeypatch.setattr(local_module, "LOADERS", 1)
    monkeypatch.setattr(local_module, "SPOOL_BACKLOG", 4)
    monkeypatch.setattr(local_module, "SPOOL_FIRST", 1)
    monkeypatch.setattr(local_module, "SPOOL_QUADS", 1)
    with pytest.raises(RuntimeError), local_module.LocalStore(tmp_path / "store") as local:
        local.add_new_graphs([seed_graphs], to_come=10)
        started.wait(5)
        local.add_new_graphs([{f"{EX}more": Graph().add((EX.s, EX.p, Literal(1)))}],
                             to_come=10)  # waits its turn
        go.set()
        raise RuntimeError("a file broke the build")
    assert len(loaded) == 1


def test_a_bulk_load_that_fails_meanwhile_is_reported_at_the_next_read(tmp_path, seed_graphs,
                                                                       monkeypatch):
    from rightsgraph.graph import local as local_module

    path = tmp_path / "store"

    def failing(store, spool, where):  # as the loader fails (a full disk, say)
        spool.close()
        raise StoreError(f"{where}: bulk loading failed: No space left on device")

    monkeypatch.setattr(local_module, "SPOOL_FIRST", 1)
    monkeypatch.setattr(local_module, "_bulk_load", failing)
    local = local_module.LocalStore(path)
    local.add_new_graphs([seed_graphs])
    with pytest.raises(StoreError, match=f"{path}: bulk loading failed: No space"):
        len(local)
    local.close()
