"""The dataset's numbers are counted by the writer (``build``, ``labels uhri``) and stored in
``{base}graph/dataset`` with the store's state token (graph/dataset.py, api/precomputed.py):
``/void`` (page and VoID), ``/api/summary`` and ``/api/articles`` read them with one lookup
and answer exactly what counting on request answers; a write after them makes the server
count again, so they are never stale."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

from conftest import FIXTURES, SEED, WEB_SOURCES, run_cli
from rdflib import Graph
from rdflib.compare import isomorphic

from rightsgraph.graph import dataset
from rightsgraph.graph.store import open_store

BASE = "https://rightsgraph.org/"
ROUTES = ["/api/summary", "/api/articles?limit=1000", "/api/articles?treaty=icrmw",
          "/api/articles?limit=3&offset=2&format=csv"]
EXPORT = FIXTURES / "uhri" / "export-test.json"


def stored(location) -> bool:
    """Whether the store holds numbers of its current state."""
    with open_store(location, read_only=True) as store:
        return bool(list(store.query(dataset.stored_query(BASE)).rows()))


def answers(location) -> dict[str, object]:
    """What a server of ``location`` answers on the routes that aggregate the store."""
    from fastapi.testclient import TestClient

    from rightsgraph.api.app import Settings, create_app

    found: dict[str, object] = {}
    settings = Settings(store=str(location), workers=1, site_workers=1)
    with TestClient(create_app(settings)) as client:
        for route in ROUTES:
            answer = client.get(route)
            assert answer.status_code == 200, (route, answer.text)
            found[route] = answer.text if "csv" in route else answer.json()
        for fmt in ("ttl", "nt"):
            answer = client.get(f"/void?format={fmt}")
            assert answer.status_code == 200, answer.text
            found[f"/void?format={fmt}"] = Graph().parse(data=answer.text, format=fmt)
        answer = client.get("/void", headers={"Accept": "text/html"})
        assert answer.status_code == 200 and "<html" in answer.text
        found["/void page"] = answer.text
    return found


def assert_same_as_counted(location, tmp_path: Path) -> dict[str, object]:
    """The answers of a server reading the stored numbers equal those of a server counting
    on request (the same store, its token replaced: the numbers are then not used)."""
    assert stored(location)
    read = answers(location)
    counted_store = tmp_path / f"counted-{len(list(tmp_path.iterdir()))}"
    shutil.copytree(location, counted_store)
    with open_store(counted_store) as store:
        store.mark_changed()
    assert not stored(counted_store)
    counted = answers(counted_store)
    assert read.keys() == counted.keys()
    for route, answer in read.items():
        if isinstance(answer, Graph):
            assert isomorphic(answer, counted[route]), route  # type: ignore[arg-type]
        else:
            assert answer == counted[route], route
    return read


def summary_of(read: dict[str, object]) -> dict:
    summary = read["/api/summary"]
    assert isinstance(summary, dict)
    return summary


def test_the_seed_numbers_are_stored_and_answer_as_counting_does(tmp_path, capsys):
    store = tmp_path / "store"
    code, _, err = run_cli(capsys, "build", SEED, "--store", store, "-j", "1")
    assert code == 0 and "dataset numbers stored" in err
    read = assert_same_as_counted(store, tmp_path)
    summary = summary_of(read)
    assert summary["documents"] == 1 and summary["languages"] == {"zh": 1}
    assert summary["paragraphs"] == 66
    with open_store(store, read_only=True) as opened:
        quads = len(opened)
        (row,) = opened.query(f"""SELECT ?triples ?entities ?when ?agent WHERE {{ GRAPH
            <{BASE}graph/dataset> {{ <{BASE}graph/dataset> a <{dataset.VOID}Dataset> ;
            <{dataset.VOID}triples> ?triples ; <{dataset.VOID}entities> ?entities ;
            <{dataset.PROV}generatedAtTime> ?when ; <{dataset.PROV}wasAttributedTo> ?agent
            }} }}""").rows()
    assert int(row["triples"] or 0) == quads  # the graph of the numbers counted too
    assert row["entities"] == "1" and row["agent"] and row["when"]


def test_several_documents_an_incremental_build_and_a_replace(tmp_path, capsys):
    store = tmp_path / "store"
    first, rest = WEB_SOURCES[:2], WEB_SOURCES[2:]
    assert run_cli(capsys, "build", *first, "--store", store, "-j", "1")[0] == 0
    two = summary_of(assert_same_as_counted(store, tmp_path))
    # incremental: more documents added to the same store
    assert run_cli(capsys, "build", *first, *rest, "--store", store, "-j", "1")[0] == 0
    every = summary_of(assert_same_as_counted(store, tmp_path))
    assert every["documents"] > two["documents"]
    assert every["language_versions"] == len(WEB_SOURCES)
    # --replace with one file fewer: its document is dropped
    folder = tmp_path / "corpus"
    folder.mkdir()
    for path in WEB_SOURCES[1:]:
        target = folder / path.parent.name / path.name
        target.parent.mkdir(exist_ok=True)
        shutil.copy(path, target)
    code, out, _ = run_cli(capsys, "build", folder, "--store", store, "--replace", "-j", "1")
    assert code == 0 and "dropped (--replace)" in out
    fewer = summary_of(assert_same_as_counted(store, tmp_path))
    assert fewer["documents"] == every["documents"] - 1
    assert fewer["languages"].get("zh", 0) == 0  # the seed was the Chinese version


def test_labels_uhri_stores_the_new_uhri_counts(tmp_path, capsys):
    store = tmp_path / "store"
    assert run_cli(capsys, "build", SEED, "--store", store, "-j", "1")[0] == 0
    assert summary_of(answers(store))["uhri"] == {"records": 0, "paragraphs": 0}
    code, _, err = run_cli(capsys, "labels", "uhri", EXPORT, "--store", store)
    assert code == 0 and "dataset numbers stored" in err
    labelled = summary_of(assert_same_as_counted(store, tmp_path))
    assert labelled["uhri"]["records"] == 4 and labelled["uhri"]["paragraphs"] >= 1


def test_any_write_after_the_numbers_makes_the_server_count(tmp_path, capsys):
    from rightsgraph.graph.build import build

    store = tmp_path / "store"
    assert run_cli(capsys, "build", SEED, "--store", store, "-j", "1")[0] == 0
    assert stored(store)
    with open_store(store) as opened:  # a build that does not store numbers (the API)
        build([FIXTURES / "en" / "cmw_fixture.txt"], opened, workers=1)
    assert not stored(store)
    summary = summary_of(answers(store))
    assert summary["documents"] == 2  # counted, not the stored 1


def test_numbers_counted_at_an_older_state_are_not_written(tmp_path, capsys):
    from rightsgraph.api.precomputed import compute

    store = tmp_path / "store"
    assert run_cli(capsys, "build", SEED, "--store", store, "-j", "1")[0] == 0
    with open_store(store) as opened:
        (row,) = opened.query(dataset.state_query(BASE)).rows()
        numbers = compute(opened, None, BASE)
        opened.mark_changed()  # another writer, meanwhile
        opened.record(dataset.numbers_update(BASE, str(row["state"]), numbers, quads=1,
                                             entities=1))
    assert not stored(store)


def test_the_build_s_numbers_count_the_recurring_recommendations_it_stored(tmp_path, capsys):
    """``build`` stores the recurring recommendations, then counts the numbers (each after
    the store let go of its caches): their graph is in the numbers' graphs and quads, and
    the numbers answer as counting does."""
    from rightsgraph.api.recurring_stored import recurring_graph

    store = tmp_path / "store"
    code, _, err = run_cli(capsys, "build", SEED, "--store", store, "-j", "1")
    assert code == 0 and "recurring recommendations of" in err and "dataset numbers stored" in err
    assert err.index("recurring recommendations of") < err.index("dataset numbers stored")
    assert stored(store)
    with open_store(store, read_only=True) as opened:
        numbers = json.loads(next(opened.query(dataset.stored_query(BASE)).rows())["numbers"])
        assert numbers["description"]["quads"] == len(opened)
    assert recurring_graph(BASE) in numbers["graphs"]
    assert_same_as_counted(store, tmp_path)


def test_the_numbers_are_stored_in_a_remote_store(tmp_path, capsys):
    """An Oxigraph server of its own (the session's is shared with tests that expect to
    build the seed into it first)."""
    from benchmarks import engines
    from rightsgraph.api.precomputed import store_numbers

    with engines.oxigraph(tmp_path / "oxigraph") as server:
        code, _, err = run_cli(capsys, "build", SEED, "--store", server.store, "-j", "1",
                               "--index", tmp_path / "index")
        assert code == 0 and "dataset numbers stored" in err, err
        assert stored(server.store)
        with open_store(server.store) as opened:
            again = store_numbers(opened)
            counted = _counted(opened)
            opened.replace_graphs({f"{BASE}graph/extra": Graph()})  # a write: not stored now
        assert not stored(server.store)
    assert again is not None
    assert again["description"]["summary"] == counted["description"]["summary"]
    assert again["description"]["quads"] == counted["description"]["quads"]


def _counted(store) -> dict:
    from rightsgraph.api.precomputed import compute

    return compute(store, None, BASE)


def test_the_writers_reader_answers_rows_as_the_sparql_json_results_state_them(tmp_path):
    """The writer's reader builds the rows the server's functions read from the store's
    terms instead of serialising each answer and parsing it again: the same rows (IRIs,
    blank nodes, plain, language-tagged and typed literals, unbound variables)."""
    import asyncio
    import json

    from rightsgraph.api.precomputed import StoreReader

    with open_store(tmp_path / "store") as store:
        store.record("""INSERT DATA { GRAPH <http://example.org/g> {
            <http://example.org/a> <http://example.org/p> "plain", "text"@en, 3,
                "2020-01-01"^^<http://www.w3.org/2001/XMLSchema#date>, _:b,
                <http://example.org/b> } }""")
        query = """SELECT ?o ?unbound WHERE { <http://example.org/a> ?p ?o
                   OPTIONAL { ?o <http://example.org/q> ?unbound } }"""
        serialised = json.loads(store.query(query).serialize(
            "application/sparql-results+json"))["results"]["bindings"]
        rows = asyncio.run(StoreReader(store, None, "http://example.org/").select(query))
        assert len(rows) == 6
        assert sorted(rows, key=repr) == sorted(serialised, key=repr)
        assert {"type": "literal", "value": "text", "xml:lang": "en"} in [
            row["o"] for row in rows]
