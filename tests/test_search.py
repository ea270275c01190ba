"""Full-text search over a built store: per language, boolean and phrase queries; the seed's
¶16 in Chinese and English; facet counts against SPARQL; the index kept in step with the
store (a build killed between the two, a missing index rebuilt); the command line."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from urllib.parse import parse_qs, urlsplit

import pytest
from conftest import FIXTURES, SEED, run_cli

from rightsgraph.graph.search import SearchIndex, default_path, facets, open_index
from rightsgraph.graph.search.rows import store_stamps
from rightsgraph.graph.store import open_store

ECU = "https://rightsgraph.org/doc/CMW/C/ECU/CO/3/para/"
AZE = "https://rightsgraph.org/doc/CMW/C/AZE/CO/3/para/"
ENGLISH_AZE = FIXTURES / "search" / "cmw_aze_en.txt"


@pytest.fixture(scope="module")
def index(web_store):
    """The index that the build of ``web_store`` made (the seed in Chinese, the English
    fixtures, the CMW fixture in French, Spanish, Russian and Arabic)."""
    return open_index(str(web_store))


def found(index, query: str, **options) -> list[str]:
    return [hit.uri for hit in index.search(query, limit=100, **options).items]


# (query, paragraphs found); each language's words, phrases, AND, OR and NOT.
CASES = [
    ('"human mobility plan"', [ECU + "12"]),
    ("plan abroad", [ECU + "12"]),
    ("plan AND abroad -consular", []),
    ('"plan national de mobilité humaine"', [ECU + "12"]),
    ('"plan national de mobilite humaine" lang:fr', [ECU + "12"]),
    ("plan -consulaire lang:fr", []),
    ('"plan nacional de movilidad humana"', [ECU + "12"]),
    ("planes movilidad", [ECU + "12"]),
    ('"национального плана мобильности"', [ECU + "12"]),
    ("плана NOT рубежом lang:ru", []),
    ('"الخطة الوطنية للتنقل البشري"', [ECU + "12"]),
    ("الخطه AND الإكوادوريين", [ECU + "12"]),
    ("移民战略", [AZE + "15", AZE + "16"]),
    ("国家移民战略", [AZE + "15", AZE + "16"]),
    ('"移民战略" -关切', [AZE + "16"]),
    ("第76和第77条 document:CMW/C/AZE/CO/3", [AZE + "12", AZE + "13"]),
]


@pytest.mark.parametrize(("query", "expected"), CASES)
def test_words_phrases_and_booleans_in_each_language(index, query, expected):
    assert sorted(found(index, query)) == sorted(expected)


def test_or_finds_either(index):
    either = found(index, "移民战略 OR 第76和第77条")
    assert sorted(either) == [AZE + "12", AZE + "13", AZE + "15", AZE + "16"]


def test_a_prefix_finds_every_word_it_begins(index):
    assert set(found(index, "mobil* lang:en")) >= set(found(index, "mobility lang:en"))
    assert ECU + "12" in found(index, "mobilit*")


def test_the_paragraph_is_shown_in_the_query_language_with_the_words_highlighted(index):
    results = index.search("plan nacional", limit=5)
    hit = next(h for h in results.items if h.uri == ECU + "12")
    assert hit.lang == "es" and {"en", "fr", "es", "ru", "ar"} <= set(hit.languages)
    marked = [hit.snippet[a:b] for a, b in hit.highlights]
    assert "Plan" in marked and "Nacional" in marked
    shown = index.search("plan nacional", lang="fr", limit=5).items
    assert next(h for h in shown if h.uri == ECU + "12").lang == "fr"


def test_one_result_per_paragraph_however_many_versions_match(index):
    uris = found(index, "migrant* OR migrat* OR мигрант*")
    assert len(uris) == len(set(uris))


def _sparql_counts(store, facet, where: str) -> dict[str, int]:
    paths = " | ".join("/".join(("^" if s.backwards else "") + f"<{s.predicate}>" for s in p)
                       for p in facet.paths)
    rows = store.query(f"SELECT DISTINCT ?para ?x WHERE {{ {where} ?para {paths} ?x . "
                       "?para a <https://rightsgraph.org/ontology#Paragraph> }")
    counts: dict[str, set[str]] = {}
    for row in rows.solutions():
        value = facet.value_of(str(row["x"]))  # the term as N-Triples writes it
        if value:
            counts.setdefault(value, set()).add(row["para"].value)
    return {value: len(paras) for value, paras in counts.items()}


@pytest.mark.parametrize("query", ["kind:recommendation", "committee:CMW", "lang:en"])
def test_facet_counts_are_the_counts_sparql_gives(index, web_store, query):
    results = index.search(query, limit=1, facet_size=1000)
    field, value = query.split(":")
    # paragraphs with a text (those of other documents that are only cited have none)
    wanted = "?para <https://rightsgraph.org/ontology#text> [] . " + {
              "kind": "?para a <https://rightsgraph.org/ontology#Recommendation> .",
              "committee": "?para <http://purl.org/dc/terms/isPartOf>/"
                           "<https://rightsgraph.org/ontology#committee> "
                           "<https://rightsgraph.org/committee/CMW> .",
              "lang": '?para <https://rightsgraph.org/ontology#text> ?t . '
                      'FILTER (LANG(?t) = "en")'}[field]
    with open_store(web_store, read_only=True) as store:
        total = store.query(f"SELECT (COUNT(DISTINCT ?para) AS ?n) WHERE {{ {wanted} "
                            "?para a <https://rightsgraph.org/ontology#Paragraph> }").rows()
        assert results.total == int(next(total)["n"])
        for facet in facets.facets():
            expected = _sparql_counts(store, facet, wanted + " ")
            assert dict(results.facets.get(facet.name, [])) == expected, facet.name
    assert results.facets["article"], "articles counted, inherited ones included"


def test_facet_counts_are_exact_across_segments(tmp_path):
    """Each segment counts all its values: a value below the per-segment cut of Tantivy's
    default (10 x the values asked for) in one segment is still counted there."""
    import tantivy

    from rightsgraph.graph.search import index as index_module

    made = tantivy.Index(index_module.schema(), path=str(tmp_path))
    writer = made.writer(heap_size=15_000_000, num_threads=1)
    number = 0

    def paragraph(state: str) -> None:
        nonlocal number
        number += 1
        doc = tantivy.Document(uri=f"https://example.org/p/{number}")
        doc.add_text("f_state", state)
        writer.add_document(doc)

    for k in range(11):  # one segment: eleven values held twice, X once
        paragraph(f"S{k:02d}")
        paragraph(f"S{k:02d}")
    paragraph("X")
    writer.commit()
    for _ in range(3):  # another: X three times
        paragraph("X")
    writer.commit()
    writer.wait_merging_threads()
    made.reload()
    searcher = made.searcher()
    assert searcher.num_segments == 2
    counted = index_module._facet_counts(searcher, tantivy.Query.exists_query("uri"), 1)
    assert counted["state"] == [("X", 4)]


def test_articles_inherited_from_section_headings_are_counted(index):
    # ¶12-¶16 of the seed sit under "一般执行措施(第73和第84条)"
    inherited = dict(index.search("国家移民战略", limit=5).facets["article"])
    assert inherited["ICRMW/73"] == 2 and inherited["ICRMW/84"] == 2
    assert set(found(index, "国家移民战略 article:ICRMW/84")) == {AZE + "15", AZE + "16"}


@pytest.fixture(scope="module")
def english_store(tmp_path_factory):
    """The seed and an English version of its first sixteen paragraphs, built by the CLI."""
    from rightsgraph.cli import main

    store = tmp_path_factory.mktemp("english") / "store"
    assert main(["build", str(SEED), str(ENGLISH_AZE), "--store", str(store), "-j", "1"]) == 0
    return store


def test_national_migration_strategy_finds_paragraph_16_in_english(english_store):
    index = open_index(str(english_store))
    results = index.search("national migration strategy", limit=5)
    assert [h.uri for h in results.items] == [AZE + "15", AZE + "16"]
    sixteen = results.items[1]
    assert sixteen.lang == "en" and sixteen.languages == ["en", "zh"]
    assert "adopt the national migration strategy without delay" in sixteen.snippet
    assert dict(results.facets["lang"]) == {"en": 2, "zh": 2}
    chinese = index.search("移民战略", limit=5).items
    assert [(h.uri, h.lang) for h in chinese] == [(AZE + "15", "zh"), (AZE + "16", "zh")]


def test_search_command_prints_ranked_paragraphs_and_json(english_store, capsys):
    code, out, _ = run_cli(capsys, "search", "national migration strategy", "--store",
                           str(english_store))
    assert code == 0 and out.startswith("2 paragraphs")
    assert out.index(AZE + "15") < out.index(AZE + "16")
    code, out, _ = run_cli(capsys, "search", "移民战略", "--store", str(english_store),
                           "--format", "json")
    assert code == 0 and '"total": 2' in out and '"facets"' in out
    code, _, err = run_cli(capsys, "search", '"unclosed', "--store", str(english_store))
    assert code == 2 and "a phrase is not closed" in err


def test_a_missing_index_is_rebuilt_from_the_store(english_store, tmp_path, capsys):
    elsewhere = tmp_path / "index"
    code, out, _ = run_cli(capsys, "index", "--store", str(english_store), "--index",
                           str(elsewhere))
    assert code == 0 and "66 paragraphs" in out and "2 language versions indexed" in out
    code, out, _ = run_cli(capsys, "index", "--store", str(english_store), "--index",
                           str(elsewhere))
    assert "0 language versions indexed" in out
    with SearchIndex(elsewhere, writable=False) as index:
        assert AZE + "16" in [h.uri for h in index.search("national migration strategy").items]


def test_rebuilding_a_document_replaces_its_rows(tmp_path):
    from rightsgraph.graph.build import build

    location = tmp_path / "store"
    with open_store(location) as store, SearchIndex(default_path(location)) as index:
        build([SEED], store, index=index)
        first = index.stamps()
        build([SEED], store, index=index)  # unchanged: skipped, the index as it was
        assert index.stamps() == first
        build([SEED], store, index=index, force=True)
        assert index.stamps().keys() == first.keys() and index.stamps() != first
        assert len(index) == 66
        assert found(index, "国家移民战略") == [AZE + "15", AZE + "16"]
        (graph,) = first
        index.replace([], dropped=[graph])
        assert len(index) == 0 and index.stamps() == {}


def test_a_repeated_search_is_answered_again_only_while_the_index_is_unchanged(tmp_path):
    """The server's searches (``api.search.run_search``) keep their last answers, per
    state of the index: a change to the index is seen at once."""
    import asyncio
    from types import SimpleNamespace

    from rightsgraph.api import search as search_api
    from rightsgraph.graph.build import build

    location = tmp_path / "store"
    with open_store(location) as store, SearchIndex(default_path(location)) as index:
        build([SEED], store, index=index)
        server = SimpleNamespace(search_index=lambda: index)

        def ask():
            return asyncio.run(search_api.run_search(server, "国家移民战略", limit=20,
                                                     offset=0, snippets=True))

        first, again = ask(), ask()
        assert [hit.uri for hit in first.items] == [AZE + "15", AZE + "16"]
        assert again.items[0] is first.items[0] and "移民" in again.items[0].snippet
        again.items.clear()  # a caller narrowing its answer does not change the next one
        assert [hit.uri for hit in ask().items] == [AZE + "15", AZE + "16"]
        (graph,) = index.stamps()
        index.replace([], dropped=[graph])
        index.commit()
        assert ask().total == 0


KILLED_BUILD = textwrap.dedent("""
    import os, signal, sys
    from rightsgraph.graph.local import LocalStore
    from rightsgraph.graph.search import index as search_index
    from rightsgraph.cli import main

    def killed(self, *args, **kwargs):
        os.kill(os.getpid(), signal.SIGKILL)

    if sys.argv[3] == "incremental":  # the store holds the document; the index not yet
        search_index.SearchIndex.replace = killed
    else:  # a fresh build: the index holds the document; the store has not loaded it yet
        search_index.COMMIT_VERSIONS = 1
        LocalStore.load_added = killed
    sys.exit(main(["build", sys.argv[1], "--store", sys.argv[2], "-j", "1"]))
""")


@pytest.mark.parametrize("build", ["incremental", "fresh"])
def test_a_build_killed_between_store_and_index_leaves_them_agreeing(tmp_path, build,
                                                                      capsys):
    store_path = tmp_path / "store"
    before = 0
    if build == "incremental":
        crc = FIXTURES / "en" / "crc_fixture.txt"
        assert run_cli(capsys, "build", crc, "--store", store_path)[0] == 0
        with SearchIndex(default_path(store_path), writable=False) as index:
            before = len(index)
    process = subprocess.run([sys.executable, "-c", KILLED_BUILD, str(SEED), str(store_path),
                              build], capture_output=True, text=True, timeout=600,
                             cwd=tmp_path, env={**os.environ, "HOME": str(tmp_path)})
    assert process.returncode == -signal.SIGKILL, process.stderr
    with open_store(store_path, read_only=True) as store:
        seed_in_store = any("CMW/C/AZE/CO/3" in graph for graph in store.graphs())
    with SearchIndex(default_path(store_path), writable=False) as index:
        seed_in_index = any("CMW/C/AZE/CO/3" in graph for graph in index.stamps())
        assert len(index) == before + (0 if build == "incremental" else 66)
    assert (seed_in_store, seed_in_index) == ((True, False) if build == "incremental"
                                              else (False, True))
    index = open_index(str(store_path))  # what serve, search and build do first
    with open_store(store_path, read_only=True) as store:
        in_store = store_stamps(store)
    assert index.stamps() == in_store
    if build == "incremental":
        assert len(index) == before + 66
        assert found(index, "国家移民战略") == [AZE + "15", AZE + "16"]
    else:
        assert len(index) == 0 and found(index, "国家移民战略") == []


def test_api_search_answers_ranked_items_with_snippets_and_facets(web_client):
    response = web_client.get("/api/search", params={"q": "移民战略"})
    assert response.status_code == 200
    body = response.json()
    assert body["total"] == 2 and [i["uri"] for i in body["items"]] == [AZE + "15", AZE + "16"]
    sixteen = body["items"][1]
    assert sixteen["page"] == "/doc/CMW/C/AZE/CO/3/para/16" and sixteen["language"] == "zh"
    assert sixteen["score"] > 0 and "国家移民战略" in sixteen["snippet"]
    assert [sixteen["snippet"][a:b] for a, b in sixteen["highlights"]] == ["移民战略"]
    assert {"value": "CMW", "count": 2} in body["facets"]["committee"]
    assert {"value": "ICRMW/84", "count": 2} in body["facets"]["article"]


def test_api_search_as_csv_and_paged(web_client):
    response = web_client.get("/api/search", params={"q": "committee:CMW", "format": "csv",
                                                     "limit": 3})
    assert response.headers["content-type"].startswith("text/csv")
    lines = response.text.splitlines()
    assert lines[0] == "uri,document,number,score,language,languages,snippet"
    assert len(lines) == 4
    body = web_client.get("/api/search", params={"q": "committee:CMW", "limit": 3}).json()
    following = parse_qs(urlsplit(body["next"]).query)
    assert following["offset"] == ["3"] and following["limit"] == ["3"] and body["total"] > 3


@pytest.mark.parametrize(("q", "message"), [
    ('"national strategy', "a phrase is not closed"),
    ("colour:red", "unknown field colour:"),
    ("-children", "the query only excludes"),
    ("x" * 501, "at most 500"),
])
def test_api_search_refuses_a_bad_query_naming_the_problem(web_client, q, message):
    response = web_client.get("/api/search", params={"q": q})
    assert response.status_code == 400 and message in response.text


def test_api_search_is_described_in_the_openapi_schema(web_client):
    operation = web_client.get("/openapi.json").json()["paths"]["/api/search"]["get"]
    parameters = {p["name"]: p for p in operation["parameters"]}
    assert set(parameters) >= {"q", "lang", "limit", "offset", "format"}
    assert "phrases" in parameters["q"]["description"]
    examples = [e["value"] for e in parameters["q"]["examples"].values()]
    assert "移民战略" in examples and "national migration strategy" in examples


def test_api_paragraphs_words_go_to_the_index(web_client):
    items = web_client.get("/api/paragraphs", params={"q": "mobility plan",
                                                      "language": "en"}).json()["items"]
    assert [(i["uri"], i["language"]) for i in items] == [(ECU + "12", "en")]


def test_search_page_links_facets_and_explains_no_results(web_client):
    html = web_client.get("/", params={"q": "移民战略"}, headers={"Accept": "text/html"}).text
    assert '<mark>移民战略</mark>' in html
    assert 'href="/?q=%E7%A7%BB%E6%B0%91%E6%88%98%E7%95%A5+article%3AICRMW%2F84"' in html
    assert 'id="facet-article"' in html and '<span class="count">2</span>' in html
    html = web_client.get("/", params={"q": "zzyzx", "committee": "CMW"},
                          headers={"Accept": "text/html"}).text
    assert "0 paragraphs found" in html and "No paragraph matches" in html
    assert '<a href="/?q=zzyzx">without the filter committee = CMW</a>' in html
