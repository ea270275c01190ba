"""UHRI labels loaded from a UHRI-shaped test export (tests/fixtures/uhri/) into a store
holding the seed (Chinese) and the English CMW fixture: matched by symbol and paragraph
number, confirmed by the English text, in named graphs of their own with provenance."""
from __future__ import annotations

import json

import pytest
from conftest import FIXTURES, SEED, run_cli

from rightsgraph.core.uhri import (
    UhriExportError,
    canonical_symbol,
    html_text,
    parse_sdg,
    records,
    split_paragraph,
)
from rightsgraph.graph.labels import labels_graph, labels_root, same_text

EXPORT = FIXTURES / "uhri" / "export-test.json"
BASE = "https://rightsgraph.org/"
HRO = "https://rightsgraph.org/ontology#"


@pytest.fixture(scope="module")
def labelled(tmp_path_factory):
    """A store with the seed and the English CMW fixture, the test export loaded."""
    from rightsgraph.graph.build import build
    from rightsgraph.graph.labels import load_uhri
    from rightsgraph.graph.store import open_store

    location = tmp_path_factory.mktemp("labels") / "store"
    with open_store(location) as store:
        built = build([SEED, FIXTURES / "en" / "cmw_fixture.txt"], store, workers=1)
        assert built.ok, built.failures
        report = load_uhri(EXPORT, store, date="2026-12-01")
    return location, report


def query(location, sparql: str) -> list[dict]:
    from rightsgraph.graph.store import open_store

    with open_store(location, read_only=True) as store:
        return list(store.query(sparql).rows())


def test_records_match_paragraphs_and_the_rest_is_listed(labelled):
    _, report = labelled
    assert report.records == 11 and report.other == 1
    assert report.matched == 6 and report.confirmed == 2 and report.documents == 2
    assert dict(report.reasons) == {"text differs": 1, "no such paragraph": 1,
                                    "no paragraph number": 1, "document not in the store": 1}
    listed = {(u.symbol, u.paragraph): u.reason for u in report.unmatched}
    assert listed[("CMW/C/ECU/CO/3", 99)] == "CMW/C/ECU/CO/3 has no paragraph 99"
    assert listed[("CMW/C/ECU/CO/3", 27)].startswith(
        "its text differs from paragraph 27 of the English version held")
    assert listed[("CMW/C/ECU/CO/3", None)] == "its Text starts with no paragraph number"


def test_labels_live_in_their_own_graphs_with_provenance(labelled):
    location, _ = labelled
    rows = query(location, f"""
        SELECT ?g ?para ?id ?theme ?export ?date WHERE {{ GRAPH ?g {{
          ?a a <{HRO}UhriAnnotation> ; <{HRO}annotates> ?para ;
             <http://purl.org/dc/terms/identifier> ?id ; <{HRO}uhriTheme> ?theme ;
             <http://www.w3.org/ns/prov#wasDerivedFrom> ?export }}
          ?export <http://purl.org/dc/terms/date> ?date }}""")
    by_para = {}
    for row in rows:
        by_para.setdefault(row["para"], set()).add(row["theme"])
    seed16 = f"{BASE}doc/CMW/C/AZE/CO/3/para/16"
    assert by_para[seed16] == {f"{BASE}uhri/themes/migrants",
                               f"{BASE}uhri/themes/legal-institutional-reform"}
    graphs = {row["g"] for row in rows}
    assert graphs == {labels_graph("CMW/C/AZE/CO/3"), labels_graph("CMW/C/ECU/CO/3")}
    assert {row["id"] for row in rows if row["para"] == seed16} == {
        "8d7c0a51-0001-4a3e-9f10-000000000016"}
    assert {row["date"] for row in rows} == {"2026-12-01"}
    # the extractor's graphs hold no UHRI term, and UHRI's no extracted link
    mixed = query(location, f"""SELECT ?g WHERE {{ GRAPH ?g {{ ?s ?p ?o }}
        FILTER((STRSTARTS(STR(?p), "{HRO}uhri") && !STRSTARTS(STR(?g), "{labels_root()}"))
            || (?p = <{HRO}refersToSdgTarget> && STRSTARTS(STR(?g), "{labels_root()}"))) }}""")
    assert mixed == []


def test_themes_and_affected_persons_are_skos_schemes(labelled):
    location, _ = labelled
    rows = query(location, f"""SELECT ?scheme ?label WHERE {{ GRAPH <{labels_root()}> {{
        ?c a <http://www.w3.org/2004/02/skos/core#Concept> ;
           <http://www.w3.org/2004/02/skos/core#inScheme> ?scheme ;
           <http://www.w3.org/2004/02/skos/core#prefLabel> ?label }} }}""")
    themes = {r["label"] for r in rows if r["scheme"] == f"{BASE}uhri/themes"}
    affected = {r["label"] for r in rows if r["scheme"] == f"{BASE}uhri/affected-persons"}
    assert "Legal & institutional reform" in themes and "Right to health" in themes
    assert "Members of families of migrant workers" in affected  # stray spaces gone
    assert len(themes) == 8 and len(affected) == 4


def test_sdg_tags_use_the_uns_uris_targets_and_goals(labelled):
    location, _ = labelled
    rows = query(location, f"""SELECT ?para ?sdg WHERE {{ ?a <{HRO}annotates> ?para ;
        <{HRO}uhriSdg> ?sdg }}""")
    seed20 = {r["sdg"] for r in rows if r["para"].endswith("AZE/CO/3/para/20")}
    assert seed20 == {"http://metadata.un.org/sdg/17.18", "http://metadata.un.org/sdg/10"}


def test_reloading_replaces_and_never_duplicates(labelled, tmp_path):
    from rightsgraph.graph.labels import load_uhri
    from rightsgraph.graph.store import open_store

    location, _ = labelled
    before = query(location, "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
    smaller = tmp_path / "one.json"
    data = json.loads(EXPORT.read_text(encoding="utf-8"))
    smaller.write_text(json.dumps(data[:1]), encoding="utf-8")
    with open_store(location) as store:
        load_uhri(smaller, store)
        assert labels_graph("CMW/C/ECU/CO/3") not in store.graphs()  # no labels left: dropped
        load_uhri(EXPORT, store, date="2026-12-01")
    assert query(location, "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }") == before


def test_the_agreement_report_per_committee(labelled, capsys):
    location, _ = labelled
    from rightsgraph.graph.labels import agreement
    from rightsgraph.graph.store import open_store

    with open_store(location, read_only=True) as store:
        [cmw] = agreement(store)
    # AZE 16: 10.7 (UHRI) / none; 20: 17.18 both + goal 10; 46: 16.9 both; 48: 4.5 / 4.1;
    # ECU 13: 10.7 both; 25: 8.7 both, 5.2 UHRI / 16.2 text
    assert (cmw.committee, cmw.paragraphs, cmw.with_sdg) == ("CMW", 6, 6)
    assert (cmw.both, cmw.uhri_only, cmw.text_only) == (4, 3, 2)
    assert (cmw.goals, cmw.goals_cited, cmw.same) == (1, 0, 3)
    code, out, _ = run_cli(capsys, "labels", "report", "--store", location)
    assert code == 0
    assert out.splitlines()[1].split() == ["CMW", "6", "6", "3", "4", "3", "2", "0.44", "1", "0"]


def test_the_command_line_loads_and_lists_the_unmatched(tmp_path, capsys):
    store = tmp_path / "store"
    assert run_cli(capsys, "build", SEED, "--store", store, "-j", "1")[0] == 0
    code, out, _ = run_cli(capsys, "labels", "uhri", EXPORT, "--store", store,
                           "--unmatched", tmp_path / "unmatched.tsv")
    assert code == 0
    assert out.startswith("11 records read in")
    assert "4 matched to paragraphs of 1 documents" in out
    assert "document not in the store 6" in out  # CMW/C/ECU/CO/3 is not held here
    rows = (tmp_path / "unmatched.tsv").read_text(encoding="utf-8").splitlines()
    assert rows[0] == "index\tannotation_id\tsymbol\tparagraph\treason"


def test_labels_uhri_updates_the_search_index_for_the_paragraphs_it_labels(tmp_path, capsys):
    store = tmp_path / "store"
    assert run_cli(capsys, "build", SEED, "--store", store, "-j", "1")[0] == 0
    assert _searched(capsys, store, "theme:migrants") == []  # no labels yet
    code, out, _ = run_cli(capsys, "labels", "uhri", EXPORT, "--store", store)
    assert code == 0 and "1 language versions re-indexed" in out
    # no `rightsgraph index` needed: the facet finds the seed's paragraphs UHRI labels
    assert _searched(capsys, store, "theme:migrants") == [16, 20]
    assert _searched(capsys, store, '移民战略 theme:"Legal & institutional reform"') == [16]
    assert _searched(capsys, store, "affected:children") == [46, 48]
    # the same labels again: nothing to re-index
    assert "0 language versions re-indexed" in run_cli(
        capsys, "labels", "uhri", EXPORT, "--store", store)[1]


def test_a_kill_between_the_labels_and_the_index_is_caught_up(tmp_path, capsys):
    """The store holds new labels the index has not seen (``labels uhri`` killed after its
    store update): the labels' digest is part of each language version's stamp, so the next
    reconcile (here: ``search``) re-indexes exactly those versions."""
    from rightsgraph.graph.labels import load_uhri
    from rightsgraph.graph.search import SearchIndex, default_path
    from rightsgraph.graph.store import open_store

    store = tmp_path / "store"
    assert run_cli(capsys, "build", SEED, "--store", store, "-j", "1")[0] == 0
    with open_store(store) as held:
        load_uhri(EXPORT, held)  # the store only, as a kill before the index would leave it
    assert _searched(capsys, store, "theme:migrants") == [16, 20]
    smaller = tmp_path / "one.json"
    smaller.write_text(json.dumps(json.loads(EXPORT.read_text("utf-8"))[:1]), "utf-8")
    with open_store(store) as held:
        load_uhri(smaller, held)  # record 16 only: paragraph 20 loses its theme
    assert _searched(capsys, store, "theme:migrants") == [16]
    with open_store(store, read_only=True) as held, SearchIndex(default_path(store)) as index:
        assert index.reconcile(held) == (0, 0)  # store and index agree


def _searched(capsys, store, query: str) -> list[int]:
    code, out, err = run_cli(capsys, "search", query, "--store", store, "--format", "json")
    assert code == 0, err
    return sorted(item["number"] for item in json.loads(out)["items"])


def test_a_broken_export_is_named(tmp_path, capsys):
    bad = tmp_path / "bad.json"
    bad.write_text('[{"AnnotationId": "x", "Symbol": "CMW/C/AZE/CO/3"}, {"Text": ', "utf-8")
    broken = r"bad\.json: not valid JSON after \d+ records: parse error"
    with pytest.raises(UhriExportError, match=broken):
        list(records(bad))
    notarray = tmp_path / "obj.json"
    notarray.write_text('{"records": []}', "utf-8")
    code, _, err = run_cli(capsys, "labels", "uhri", notarray, "--store", tmp_path / "s")
    assert code == 1 and "obj.json: not a UHRI export" in err


@pytest.mark.parametrize(("raw", "canonical"), [
    ("CRC/C/15/ADD.183", "CRC/C/15/Add.183"),
    ("crc/c/gc/7/rev.1", "CRC/C/GC/7/Rev.1"),
    ("CMW/C/AZE/CO/3 ", "CMW/C/AZE/CO/3"),
    ("CCPR/C/RUS/CO/6/Corr.1", "CCPR/C/RUS/CO/6/Corr.1"),
])
def test_symbols_are_normalised(raw, canonical):
    assert canonical_symbol(raw) == canonical


def test_sdg_tags_and_paragraph_numbers_are_read():
    target = parse_sdg("10.7 - Facilitate orderly, safe, and responsible migration")
    assert target.notation == "10.7" and not target.is_goal
    goal = parse_sdg("10 - REDUCED INEQUALITIES")
    assert goal.is_goal and goal.notation == "10"
    assert parse_sdg("16.a - Strengthen institutions").notation == "16.a"
    text = html_text("<p><strong>Migration&nbsp;policy</strong></p><p>13. In line with "
                     "target 10.7&#8230;</p>")
    assert split_paragraph(text) == ("Migration policy", 13, "In line with target 10.7…")
    assert split_paragraph("4.The Committee reminds")[1] == 4
    assert split_paragraph("141.97 Continue efforts")[1] is None


def test_same_text_tolerates_spacing_but_not_another_paragraph():
    held = "The Committee is concerned that the residence permits of migrant workers are tied"
    assert same_text("The  Committee is concerned that the “residence permits” of migrant "
                     "workers are tied", held)
    assert not same_text("The Committee welcomes the adoption of the National Human Mobility "
                         "Plan", held)


# --- shown and filtered by the server, marked as UHRI's ------------------------------------

HTML = {"Accept": "text/html"}


@pytest.fixture(scope="module")
def client(labelled):
    from fastapi.testclient import TestClient

    from rightsgraph.api.app import Settings, create_app

    with TestClient(create_app(Settings(store=str(labelled[0]), workers=1))) as test_client:
        yield test_client


def _found(response) -> list[tuple[str, int]]:
    assert response.status_code == 200, response.text
    return sorted({(item["document"], item["number"]) for item in response.json()["items"]})


def test_the_researcher_api_filters_by_uhri_theme_and_affected_persons(client):
    assert _found(client.get("/api/paragraphs", params={"theme": "Legal & institutional reform"})) \
        == [("CMW/C/AZE/CO/3", 16), ("CMW/C/ECU/CO/3", 13)]
    assert _found(client.get("/api/paragraphs", params={"affected": "children"})) == [
        ("CMW/C/AZE/CO/3", 46), ("CMW/C/AZE/CO/3", 48), ("CMW/C/ECU/CO/3", 13)]
    both = client.get("/api/recommendations", params={"theme": "migrants", "state": "ECU"})
    assert _found(both) == [("CMW/C/ECU/CO/3", 13)]  # 27 did not match: not labelled
    assert _found(client.get("/api/paragraphs", params={"theme": "No such theme"})) == []


def test_the_sdg_target_shows_text_mentions_and_uhri_tags_apart(client):
    answer = client.get("/api/sdg/10.7").json()
    assert {(i["document"], i["number"]) for i in answer["items"]} == {("CMW/C/ECU/CO/3", 13)}
    assert {(i["document"], i["number"]) for i in answer["uhri"]} == {
        ("CMW/C/AZE/CO/3", 16), ("CMW/C/ECU/CO/3", 13)}
    page = client.get("/sdg/10.7", headers=HTML).text
    read, tagged = page.split("Paragraphs OHCHR's Universal Human Rights Index labels")
    assert "CMW/C/ECU/CO/3" in read and "CMW/C/AZE/CO/3" not in read
    assert "CMW/C/AZE/CO/3" in tagged


def test_the_paragraph_page_shows_uhris_labels_as_uhris(client):
    page = client.get("/doc/CMW/C/AZE/CO/3/para/16", headers=HTML).text
    section = page.split('id="uhri"')[1].split("</section>")[0]
    assert "OHCHR's labels (Universal Human Rights Index)" in section
    assert "8d7c0a51-0001-4a3e-9f10-000000000016" in section and "export of 2026-12-01" in section
    assert "Legal &amp; institutional reform" in section and 'href="/sdg/10.7"' in section
    # the text's own SDG links do not list UHRI's tag
    assert 'href="/sdg/10.7"' not in page.split('id="sdg"')[1].split("</section>")[0]
    assert 'id="uhri"' not in client.get("/doc/CMW/C/AZE/CO/3/para/17", headers=HTML).text


def test_the_labels_are_queryable_in_their_named_graphs(client):
    query = """SELECT DISTINCT ?g WHERE { GRAPH ?g { ?a hro:uhriSdg ?sdg } }"""
    answer = client.get("/sparql", params={"query": query},
                        headers={"Accept": "application/sparql-results+json"}).json()
    assert {b["g"]["value"] for b in answer["results"]["bindings"]} == {
        labels_graph("CMW/C/AZE/CO/3"), labels_graph("CMW/C/ECU/CO/3")}


def test_a_theme_has_a_page_listing_the_paragraphs_uhri_labels_with_it(client):
    page = client.get("/uhri/themes/legal-institutional-reform", headers=HTML)
    assert page.status_code == 200
    assert "Legal &amp; institutional reform" in page.text
    assert '<span class="kind">UHRI theme</span>' in page.text
    assert "refer to it" not in page.text  # no text refers to OHCHR's label
    tagged = page.text.split('id="uhri"')[1]
    assert "CMW/C/AZE/CO/3" in tagged and "CMW/C/ECU/CO/3" in tagged


def test_uhri_themes_are_search_facets_marked_as_uhris(client):
    answer = client.get("/api/search", params={"q": "theme:migrants"})
    assert answer.status_code == 200, answer.text
    found = answer.json()
    assert sorted((i["document"], i["number"]) for i in found["items"]) == [
        ("CMW/C/AZE/CO/3", 16), ("CMW/C/AZE/CO/3", 20), ("CMW/C/ECU/CO/3", 13)]
    themes = {v["value"]: v for v in found["facets"]["theme"]}
    assert themes["legal-institutional-reform"] == {
        "value": "legal-institutional-reform", "count": 2,
        "label": "Legal & institutional reform", "source": "UHRI"}
    assert {v["source"] for v in found["facets"]["affected"]} == {"UHRI"}
    assert "source" not in found["facets"]["committee"][0]  # the text's own facets
    # a label works as a filter as well as its slug
    by_label = client.get("/api/search", params={"q": 'theme:"Legal & institutional reform"'})
    assert _found(by_label) == [("CMW/C/AZE/CO/3", 16), ("CMW/C/ECU/CO/3", 13)]


def test_the_search_page_offers_uhri_themes_and_its_links_filter(client):
    import html
    import re

    page = client.get("/", params={"q": "migration"}, headers=HTML).text
    facet = page.split('id="facet-theme"')[1].split("</section>")[0]
    assert '<span class="source"' in facet and ">UHRI</span>" in facet
    link = re.search(r'href="([^"]+)" data-value="legal-institutional-reform">'
                     r"Legal &amp; institutional reform</a>", facet)
    assert link, facet
    refined = client.get(html.unescape(link.group(1)), headers=HTML)
    assert refined.status_code == 200
    results = refined.text.split('class="results"')[1]
    assert re.findall(r">(CMW/C/\w+/CO/3 ¶\d+)</a>", results) == ["CMW/C/ECU/CO/3 ¶13"]


def test_the_researcher_api_filters_words_and_uhri_labels_together(client):
    assert _found(client.get("/api/paragraphs", params={
        "q": "移民战略", "theme": "Legal & institutional reform"})) == [("CMW/C/AZE/CO/3", 16)]
    assert _found(client.get("/api/paragraphs", params={"q": "移民战略", "theme": "children"})) \
        == []


def test_a_goal_uhri_tags_has_its_page_with_the_paragraph(client):
    """UHRI tags ¶20 of the seed with the whole goal 10 (the text cites none of its
    targets): the goal's page lists it as UHRI's, under the goal's name."""
    page = client.get("/sdg/10", headers=HTML).text
    assert "<h1>SDG goal 10</h1>" in page and "the UN's page for this goal" in page
    tagged = page.split('id="uhri"')[1]
    assert "CMW/C/AZE/CO/3" in tagged and ">20<" in tagged
    assert [(i["document"], i["number"], i["language"]) for i in
            client.get("/api/sdg/10").json()["uhri"]] == [("CMW/C/AZE/CO/3", 20, "zh")]


SPANISH = {"Migrants": "Migrantes",
           "Legal & institutional reform": "Reforma jurídica e institucional",
           "Human rights & the SDGs": "Los derechos humanos y los ODS",
           "Rights related to name, identity & nationality":
               "Derechos relacionados con el nombre, la identidad y la nacionalidad",
           "Members of families of migrant workers": "Familiares de trabajadores migratorios",
           "Right to education": "Derecho a la educación", "Children": "Niños"}


def test_an_export_in_another_language_labels_the_same_concepts(tmp_path, capsys):
    """OHCHR publishes the export in other languages too (export-full-es.json, cited in
    fetch/sources.toml); loaded after the English one, it labels the same concepts in Spanish
    (records matched by AnnotationId, each concept's label the one its records share) and
    changes nothing else.  The Spanish labels here are test data made from the English
    fixture, not OHCHR's."""
    store = tmp_path / "store"
    assert run_cli(capsys, "build", SEED, "--store", store, "-j", "1")[0] == 0
    assert run_cli(capsys, "labels", "uhri", EXPORT, "--store", store)[0] == 0
    before = query(store, "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
    spanish = []
    for record in json.loads(EXPORT.read_text("utf-8")):
        record = dict(record, Themes=[SPANISH.get(t.strip(), t) for t in record["Themes"]],
                      AffectedPersons=[SPANISH.get(a.strip(), a)
                                       for a in record["AffectedPersons"]])
        spanish.append(record)
    export = tmp_path / "export-es.json"
    export.write_text(json.dumps(spanish[::-1]), "utf-8")  # another order: by id, not place
    code, out, _ = run_cli(capsys, "labels", "uhri", export, "--store", store, "--language", "es")
    assert code == 0, out
    assert "labels in es for 5 themes and 3 affected persons" in out
    rows = query(store, """SELECT ?label WHERE { <https://rightsgraph.org/uhri/themes/migrants>
        <http://www.w3.org/2004/02/skos/core#prefLabel> ?label }""")
    assert sorted(r["label"] for r in rows) == ["Migrantes", "Migrants"]
    # only the translations graph is new: the concepts and annotations are untouched
    added = query(store, "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
    graph = "https://rightsgraph.org/graph/labels/uhri-es"
    assert int(added[0]["n"]) - int(before[0]["n"]) == int(query(
        store, f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")[0]["n"])
    from fastapi.testclient import TestClient

    from rightsgraph.api.app import Settings, create_app

    with TestClient(create_app(Settings(store=str(store), workers=1))) as client:
        found = client.get("/api/search", params={"q": "theme:migrants", "lang": "es"}).json()
        assert {v["value"]: v["label"] for v in found["facets"]["theme"]}["migrants"] \
            == "Migrantes"
        page = client.get("/", params={"q": "移民"},
                          headers={**HTML, "Accept-Language": "es-ES,es;q=0.9"}).text
        assert ">Reforma jurídica e institucional</a>" in page.split('id="facet-theme"')[1]
        english = client.get("/", params={"q": "移民"}, headers=HTML).text
        assert ">Legal &amp; institutional reform</a>" in english.split('id="facet-theme"')[1]
        para = client.get("/doc/CMW/C/AZE/CO/3/para/16", headers=HTML).text
        assert "Legal &amp; institutional reform" in para.split('id="uhri"')[1]


def test_a_label_is_given_only_when_the_records_settle_it():
    from rightsgraph.graph.labels import _resolve

    # a: its records share only "A"; b: "A" set aside, "B" is left; c and d always come
    # together (two labels, no way to tell them apart); e: two concepts claim "E"
    found = _resolve({"a": {"A"}, "b": {"A", "B"}, "c": {"C", "D"}, "d": {"C", "D"},
                      "e1": {"E"}, "e2": {"E"}, "f": set()})
    assert found == {"a": "A", "b": "B"}
