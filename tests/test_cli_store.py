"""`rightsgraph build --store`, `query` and `export`, as a user runs them."""
from __future__ import annotations

import csv
import gzip
import io
import json
import shutil
from collections import Counter

import pytest
import rdflib
from conftest import FIXTURES, SEED, run_cli, shared

from rightsgraph import cli
from rightsgraph.api.recurring_stored import recurring_graph
from rightsgraph.cli import main
from rightsgraph.extract import extract_file, to_graph
from rightsgraph.extract.output import link_rows
from rightsgraph.extract.triples import Triples
from rightsgraph.graph.build import DocumentRejectedError, build, support_graphs
from rightsgraph.graph.dataset import WRITTEN, dataset_graph
from rightsgraph.graph.reason import infer
from rightsgraph.graph.store import open_store

SEED_GRAPH = "https://rightsgraph.org/graph/CMW/C/AZE/CO/3/zh"




@pytest.fixture(scope="module")
def seed_store(tmp_path_factory):
    store = tmp_path_factory.mktemp("built") / "store"
    assert main(["build", str(SEED), "--store", str(store)]) == 0
    return store


def test_build_summary_matches_the_seed(capsys, tmp_path):
    gold = json.loads(shared("gold", "CMW_C_AZE_CO_3.zh.json").read_text(encoding="utf-8"))
    code, out, _ = run_cli(capsys, "build", SEED.parent, "--store", tmp_path / "store")
    assert code == 0
    assert f"1 documents, {len(gold['paragraphs'])} paragraphs" in out  # 66
    doc = extract_file(SEED)
    links = Counter(row["relation"] for row in link_rows(doc))
    assert "links: " + ", ".join(f"{k} {n}" for k, n in sorted(links.items())) in out
    # the document's graph, what is inferred from it, and registries, ontology and shapes
    asserted = Triples.of(to_graph(doc))
    expected = len(asserted) + len(infer(asserted)) + sum(map(len, support_graphs().values()))
    assert f"{tmp_path / 'store'} now holds 1 documents (zh 1), {expected} quads" in out
    assert "warnings: 0" in out


def test_building_twice_adds_no_duplicates(capsys, tmp_path):
    for _ in range(2):
        assert run_cli(capsys, "build", SEED, "--store", tmp_path / "store")[0] == 0
    assert run_cli(capsys, "build", SEED, "--store", tmp_path / "store", "--force")[0] == 0
    asserted = Triples.of(to_graph(extract_file(SEED)))
    support = support_graphs()
    with open_store(tmp_path / "store", read_only=True) as store:
        assert store.graphs() == sorted([SEED_GRAPH, SEED_GRAPH + "/inferred", *support,
                                         dataset_graph(), recurring_graph()])
        # + the dataset's numbers, the State's recurring recommendations, what they were
        # read from and their mark
        assert len(store) == (len(asserted) + len(infer(asserted))
                              + sum(map(len, support.values())) + WRITTEN + 3)


def test_an_unchanged_file_is_skipped_a_changed_one_extracted_again(capsys, tmp_path):
    corpus = tmp_path / "in"
    corpus.mkdir()
    shutil.copy(SEED, corpus / "seed.txt")
    store = tmp_path / "store"
    assert "loaded 1 documents" in run_cli(capsys, "build", corpus, "--store", store)[1]
    code, out, _ = run_cli(capsys, "build", corpus, "--store", store, "--replace")
    assert code == 0 and "loaded 0 documents" in out
    assert "unchanged: 1 files skipped" in out and "now holds 1 documents (zh 1)" in out
    changed = SEED.read_text(encoding="utf-8").replace("移民", "移徙", 1)
    (corpus / "seed.txt").write_text(changed, encoding="utf-8")
    code, out, _ = run_cli(capsys, "build", corpus, "--store", store)
    assert code == 0 and "loaded 1 documents" in out and "files skipped" not in out
    code, out, _ = run_cli(capsys, "build", corpus, "--store", store, "--force")
    assert code == 0 and "loaded 1 documents" in out and "files skipped" not in out


def test_a_build_leaves_no_write_ahead_log_behind(capsys, tmp_path):
    assert run_cli(capsys, "build", SEED, "--store", tmp_path / "store")[0] == 0
    data = sum(f.stat().st_size for f in (tmp_path / "store").glob("*.sst"))
    logs = {f.name: f.stat().st_size for f in (tmp_path / "store").glob("*.log")}
    assert data > 1_000_000 and sum(logs.values()) < 1000, logs


def test_a_failing_file_is_named_and_the_others_are_loaded(capsys, tmp_path):
    corpus = tmp_path / "in" / "deeper"
    corpus.mkdir(parents=True)
    shutil.copy(SEED, corpus / "seed.txt")
    (tmp_path / "in" / "broken.txt").write_bytes(b"")
    code, out, err = run_cli(capsys, "build", tmp_path / "in", "--store", tmp_path / "store")
    assert code == 1
    assert f"{tmp_path / 'in' / 'broken.txt'}" in err and "empty" in err
    assert "1 documents, 66 paragraphs" in out and "failed: 1" in out
    with open_store(tmp_path / "store", read_only=True) as store:
        documents = [g for g in store.graphs()
                     if g not in support_graphs()
                     and g not in (dataset_graph(), recurring_graph())]
        assert documents == [SEED_GRAPH, SEED_GRAPH + "/inferred"]


def test_progress_and_a_note_when_two_files_are_one_document(capsys, tmp_path, monkeypatch):
    monkeypatch.setattr(cli, "PROGRESS_SECONDS", 0)
    for name in ("a.txt", "b.txt", "c.txt"):
        shutil.copy(SEED, tmp_path / name)
    code, out, err = run_cli(capsys, "build", tmp_path, "--store", tmp_path / "store")
    assert code == 0
    assert "  1/3 files, 1 loaded, 0 failed" in err and "  2/3 files" in err
    assert f"{tmp_path / 'b.txt'} replaced {tmp_path / 'a.txt'} in graph <{SEED_GRAPH}>" in err
    assert "loaded 3 documents, 198 paragraphs" in out
    assert "now holds 1 documents (zh 1)" in out  # the three files are one document


def test_a_build_step_can_keep_a_document_out(tmp_path):
    def reject(doc, graphs):
        raise DocumentRejectedError(f"{doc.source}: does not conform to the shapes")

    with open_store(tmp_path / "store") as store:
        report = build([SEED], store, steps=[reject])
        assert report.failures == [f"{SEED}: does not conform to the shapes"]
        assert report.documents == 0
        assert [g for g in store.graphs() if g not in support_graphs()] == []


def test_output_exports_the_store_as_trig(capsys, tmp_path):
    code, _, _ = run_cli(capsys, "build", SEED, "--store", tmp_path / "store",
                     "-o", tmp_path / "graph.trig")
    assert code == 0
    data = rdflib.Dataset().parse(tmp_path / "graph.trig", format="trig")
    assert len(data.graph(rdflib.URIRef(SEED_GRAPH))) == len(to_graph(extract_file(SEED)))


def test_the_store_of_another_process_is_named_not_a_traceback(capsys, tmp_path):
    with open_store(tmp_path / "store"):
        code, _, err = run_cli(capsys, "build", SEED, "--store", tmp_path / "store")
    assert code == 1 and "open for writing in another process" in err
    assert "Traceback" not in err


COUNT = ("SELECT (COUNT(?p) AS ?n) WHERE { ?p a hro:Paragraph ; "
         "dcterms:isPartOf <https://rightsgraph.org/doc/CMW/C/AZE/CO/3> }")


@pytest.mark.parametrize("fmt", ["json", "xml", "csv", "tsv"])
def test_query_results_in_every_format(capsys, seed_store, fmt):
    query = ('SELECT ?p WHERE { ?p hro:number 13 ; dcterms:isPartOf '
             '<https://rightsgraph.org/doc/CMW/C/AZE/CO/3> }')
    code, out, _ = run_cli(capsys, "query", query, "--store", seed_store, "--format", fmt)
    assert code == 0
    rows = list(rdflib.query.Result.parse(io.BytesIO(out.encode()), format=fmt))
    assert [str(row.p) for row in rows] == ["https://rightsgraph.org/doc/CMW/C/AZE/CO/3/para/13"]


def test_query_from_a_file_defaults_to_tsv(capsys, seed_store, tmp_path):
    (tmp_path / "count.rq").write_text(
        "SELECT (COUNT(?p) AS ?n) WHERE { ?p a hro:Recommendation }", encoding="utf-8")
    code, out, _ = run_cli(capsys, "query", f"@{tmp_path / 'count.rq'}", "--store", seed_store)
    assert code == 0
    header, value = out.splitlines()
    assert header == "?n" and int(value.split("^^")[0].strip('"')) > 10


@pytest.mark.parametrize("fmt, rdflib_format", [
    ("ttl", "turtle"), ("nt", "nt"), ("jsonld", "json-ld"), ("rdf", "xml"),
    ("xml", "xml")])  # RDF/XML is rdf, as on the web; xml is accepted for it
def test_construct_queries_give_rdf(capsys, seed_store, fmt, rdflib_format):
    query = ("CONSTRUCT { ?p hro:concernsArticle ?a } WHERE { ?p hro:number 13 ; "
             "hro:concernsArticle ?a }")
    code, out, _ = run_cli(capsys, "query", query, "--store", seed_store, "--format", fmt)
    assert code == 0
    graph = rdflib.Graph().parse(data=out, format=rdflib_format)
    assert len(graph) > 0
    assert {str(p) for p in graph.predicates()} == {"https://rightsgraph.org/ontology#concernsArticle"}


def test_query_errors_are_clear(capsys, seed_store, tmp_path):
    code, _, err = run_cli(capsys, "query", "SELEKT", "--store", seed_store)
    assert code == 2 and "the query does not parse" in err
    code, _, err = run_cli(capsys, "query", "ASK { ?s ?p ?o }", "--store", seed_store, "-f", "ttl")
    assert code == 2 and "ASK result cannot be written as ttl" in err
    code, _, err = run_cli(capsys, "query", "ASK {}", "--store", tmp_path / "none")
    assert code == 1 and "no store here" in err
    code, _, err = run_cli(capsys, "query", f"@{tmp_path / 'missing.rq'}", "--store", seed_store)
    assert code == 2 and "missing.rq" in err


def test_export_gzipped_nquads_round_trips(capsys, seed_store, tmp_path):
    code, _, _ = run_cli(capsys, "export", "--store", seed_store, "--gzip", "-o",
                     tmp_path / "all.nq.gz")
    assert code == 0
    data = rdflib.Dataset().parse(
        data=gzip.decompress((tmp_path / "all.nq.gz").read_bytes()).decode(), format="nquads")
    assert len(data.graph(rdflib.URIRef(SEED_GRAPH))) == len(to_graph(extract_file(SEED)))


def test_export_one_graph_as_turtle_to_stdout(capsys, seed_store):
    code, out, _ = run_cli(capsys, "export", "--store", seed_store, "--format", "ttl",
                       "--graph", SEED_GRAPH)
    assert code == 0 and out.startswith("@prefix")
    assert len(rdflib.Graph().parse(data=out, format="turtle")) == len(
        to_graph(extract_file(SEED)))
    code, _, err = run_cli(capsys, "export", "--store", seed_store, "--graph", "http://x.org/none")
    assert code == 1 and "no graph <http://x.org/none>" in err


def test_build_and_query_a_remote_store(capsys, oxigraph_server):
    code, out, _ = run_cli(capsys, "build", SEED, "--store", oxigraph_server)
    assert code == 0 and "1 documents, 66 paragraphs" in out
    code, out, _ = run_cli(capsys, "query", COUNT, "--store", oxigraph_server, "-f", "csv")
    assert code == 0
    (row,) = list(csv.DictReader(io.StringIO(out)))
    assert int(row["n"]) == 66


def test_build_refuses_a_non_conforming_document_and_keeps_what_is_stored(tmp_path):
    """Validation runs before loading: a document that breaks the shapes is reported with
    the violation and the previous version stays as it was."""

    from rightsgraph.graph.build import reasoning_step, validation_step

    def corrupt(doc, graphs):
        graphs[SEED_GRAPH].add(("<https://rightsgraph.org/doc/CMW/C/AZE/CO/3>",
                                "<https://rightsgraph.org/ontology#adoptedOn>",
                                f'"2021-02-30"^^<{rdflib.XSD.date}>'))
        return graphs

    with open_store(tmp_path / "store") as store:
        assert build([SEED], store).ok
        before = len(store)
        report = build([SEED], store, steps=[corrupt, validation_step, reasoning_step],
                       force=True)
        assert report.documents == 0
        [failure] = report.failures
        assert failure.startswith(f"{SEED}: does not conform to the shapes, not loaded")
        assert "rgs:Document-adoptedOn" in failure and '"2021-02-30"^^xsd:date' in failure
        assert len(store) == before


def test_building_in_worker_processes_gives_the_same_store(tmp_path):
    from conftest import FIXTURES

    files = [SEED, *sorted((FIXTURES / "en").glob("*_fixture.txt"))]
    counts = []
    for workers in (1, 2):
        with open_store(tmp_path / f"store{workers}") as store:
            report = build(files, store, workers=workers)
            assert report.ok and report.documents == 4
            counts.append((store.graphs(), len(store), report.paragraphs, report.links))
    assert counts[0] == counts[1]


# --- what the store holds, and --replace ----------------------------------------------------

CMW_EN, CMW_FR = FIXTURES / "en" / "cmw_fixture.txt", FIXTURES / "fr" / "cmw_fixture.txt"
CERD_EN = FIXTURES / "en" / "cerd_fixture.txt"


def _documents(location) -> list[str]:
    """The language-version graphs of a store (no inferences, registries or chains)."""
    with open_store(location, read_only=True) as store:
        return [g.removeprefix("https://rightsgraph.org/graph/") for g in store.graphs()
                if g not in support_graphs() and not g.endswith("/inferred")
                and "/graph/inferred/" not in g
                and g not in (dataset_graph(), recurring_graph())]


def test_the_summary_says_what_the_store_holds_not_only_what_was_loaded(capsys, tmp_path):
    store = tmp_path / "store"
    assert run_cli(capsys, "build", CMW_EN, CMW_FR, CERD_EN, "--store", store)[0] == 0
    code, out, _ = run_cli(capsys, "build", SEED, "--store", store)
    assert code == 0
    assert "loaded 1 documents, 66 paragraphs" in out
    assert f"{store} now holds 3 documents (en 2, fr 1, zh 1)" in out


def test_replace_drops_the_documents_and_versions_not_given(capsys, tmp_path):
    store = tmp_path / "store"
    assert run_cli(capsys, "build", SEED, CMW_EN, CMW_FR, CERD_EN, "--store", store)[0] == 0
    code, out, _ = run_cli(capsys, "build", SEED, CMW_EN, "--store", store, "--replace")
    assert code == 0
    assert "dropped (--replace): CERD/C/URY/CO/21-23 (en); CMW/C/ECU/CO/3 (fr)" in out
    assert "now holds 2 documents (en 1, zh 1)" in out
    assert _documents(store) == ["CMW/C/AZE/CO/3/zh", "CMW/C/ECU/CO/3/en"]
    with open_store(store, read_only=True) as held:  # no inferences left of what was dropped
        assert not [g for g in held.graphs() if "CERD" in g or g.endswith("/fr/inferred")]
        stray = held.query("ASK { ?p <https://rightsgraph.org/ontology#number> ?n ; "
                           "<http://purl.org/dc/terms/isPartOf> "
                           "<https://rightsgraph.org/doc/CERD/C/URY/CO/21-23> }")
        assert stray.boolean is False


def test_replace_drops_nothing_when_a_file_fails(capsys, tmp_path):
    store = tmp_path / "store"
    assert run_cli(capsys, "build", SEED, CERD_EN, "--store", store)[0] == 0
    (tmp_path / "in").mkdir()
    shutil.copy(SEED, tmp_path / "in" / "seed.txt")
    (tmp_path / "in" / "broken.txt").write_bytes(b"")
    code, out, err = run_cli(capsys, "build", tmp_path / "in", "--store", store, "--replace")
    assert code == 1
    assert "no document was dropped" in err and "dropped (--replace)" not in out
    assert _documents(store) == ["CERD/C/URY/CO/21-23/en", "CMW/C/AZE/CO/3/zh"]


# --- messages of the command line -----------------------------------------------------------

def test_build_of_a_missing_path_creates_no_store(capsys, tmp_path):
    code, out, err = run_cli(capsys, "build", tmp_path / "nope", "--store", tmp_path / "store")
    assert code == 1 and out == ""
    assert f"{tmp_path / 'nope'}: no such file or folder" in err
    assert not (tmp_path / "store").exists()


def test_build_of_an_empty_folder_names_every_readable_suffix(capsys, tmp_path):
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "notes.md").write_text("# not a document\n")
    code, _, err = run_cli(capsys, "build", tmp_path / "empty", "--store", tmp_path / "store")
    assert code == 1
    assert f"no files to build under {tmp_path / 'empty'}" in err
    for suffix in (".txt", ".docx", ".pdf", ".html", ".htm"):
        assert suffix in err
    assert not (tmp_path / "store").exists()


def test_build_of_a_document_without_a_symbol_says_why_it_is_not_loaded(capsys, tmp_path):
    letter = tmp_path / "letter.txt"
    letter.write_text("Minutes of the garden club\n\n1. The club met on Tuesday.\n"
                      "2. The club will meet again next week.\n", encoding="utf-8")
    code, _, err = run_cli(capsys, "build", letter, "--store", tmp_path / "store")
    assert code == 1
    assert f"{letter}" in err and "no UN document symbol" in err
    assert "does not look like concluding observations" in err
    assert "needs a symbol and a language" not in err


def test_query_refuses_an_update_as_read_only(capsys, seed_store):
    code, _, err = run_cli(capsys, "query", "DELETE WHERE { ?s ?p ?o }", "--store", seed_store)
    assert code == 2
    assert "read-only" in err and "expected" not in err
    with open_store(seed_store, read_only=True) as store:
        assert len(store) > 1000


def test_serve_on_a_busy_port_says_so_before_serving(capsys, seed_store):
    import socket

    with socket.socket() as other:
        other.bind(("127.0.0.1", 0))
        other.listen()
        port = other.getsockname()[1]
        code, _, err = run_cli(capsys, "serve", "--store", seed_store, "--port", port)
    assert code == 3  # the server could not start
    assert f"127.0.0.1:{port}: the port is in use" in err and "serving" not in err
