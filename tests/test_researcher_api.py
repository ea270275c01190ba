"""The researcher API (/api/...) on a store of the seed and the fixtures: filters,
pagination, CSV, refusals, the links table and the OpenAPI schema."""
from __future__ import annotations

import csv
import io
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import SEED

AZE = "CMW/C/AZE/CO/3"
ECU = "CMW/C/ECU/CO/3"


@pytest.fixture(scope="module")
def api(web_client):
    return web_client


def items(response) -> list[dict]:
    assert response.status_code == 200, response.text
    return response.json()["items"]


def test_documents_lists_every_document_with_its_languages(api):
    docs = {d["symbol"]: d for d in items(api.get("/api/documents"))}
    assert set(docs) == {AZE, ECU, "CERD/C/URY/CO/21-23", "CRC/C/NPL/CO/5-6"}
    assert docs[AZE]["languages"] == ["zh"]
    assert docs[ECU]["languages"] == ["ar", "en", "es", "fr", "ru"]
    assert docs[AZE] | {"committee": "CMW", "state": "AZE", "adopted_on": "2021-10-08",
                        "report_numbers": [3]} == docs[AZE]
    assert docs[AZE]["page"] == "/doc/CMW/C/AZE/CO/3"


@pytest.mark.parametrize(("params", "expected"), [
    ({"committee": "CMW"}, {AZE, ECU}),
    ({"state": "aze"}, {AZE}),
    ({"year": 2021}, {AZE, ECU}),
    ({"year": 2016}, {"CERD/C/URY/CO/21-23"}),
    ({"language": "fr"}, {ECU}),
    ({"committee": "CRC", "language": "zh"}, set()),
])
def test_documents_filters(api, params, expected):
    assert {d["symbol"] for d in items(api.get("/api/documents", params=params))} == expected


def test_documents_pages_with_limit_offset_and_next(api):
    first = api.get("/api/documents", params={"limit": 3}).json()
    assert len(first["items"]) == 3 and first["offset"] == 0
    assert "offset=3" in first["next"] and "limit=3" in first["next"]
    second = api.get(first["next"]).json()
    assert second["next"] is None and len(second["items"]) == 1
    symbols = [d["symbol"] for d in first["items"] + second["items"]]
    assert symbols == sorted(symbols) and len(set(symbols)) == 4


@pytest.mark.parametrize(("path", "params"), [
    ("/api/documents", {}),
    ("/api/paragraphs", {"document": ECU}),
    ("/api/paragraphs", {"committee": "CMW", "flag": "recommendation"}),
    ("/api/paragraphs", {"q": "migrant"}),
    ("/api/recommendations", {"state": "AZE"}),
    ("/api/articles/ICRMW/76", {}),
    ("/api/sdg/10.7", {}),
    ("/api/search", {"q": "migrant"}),
])
def test_every_listing_gives_the_total_of_matching_items_on_each_page(api, path, params):
    """Paging with limit 2: every page says the same total, next and previous chain the
    pages, and walking them yields exactly ``total`` items; CSV says it in X-Total-Count."""
    first = api.get(path, params={**params, "limit": 2}).json()
    total = first["total"]
    assert total > 2 and first["previous"] is None
    seen, url, pages = [], path, 0
    while url:
        answer = api.get(url, params={**params, "limit": 2} if url == path else None).json()
        assert answer["total"] == total and answer["limit"] == 2
        seen += answer["items"]
        pages += 1
        if pages > 1:
            assert "offset=" in answer["previous"]
        url = answer["next"]
    assert len(seen) == total and pages == (total + 1) // 2
    past_the_end = api.get(path, params={**params, "limit": 2, "offset": total + 10}).json()
    assert past_the_end["items"] == [] and past_the_end["total"] == total
    as_csv = api.get(path, params={**params, "limit": 2, "format": "csv"})
    assert int(as_csv.headers["x-total-count"]) == total
    assert 'rel="next"' in as_csv.headers["link"]


def test_a_listing_without_format_follows_the_accept_header(api):
    as_csv = api.get("/api/documents", headers={"Accept": "text/csv"})
    assert as_csv.headers["content-type"].startswith("text/csv")
    assert as_csv.text.startswith("symbol,uri,")
    for accept in ("application/json", "*/*", "text/html"):
        answer = api.get("/api/documents", headers={"Accept": accept})
        assert answer.headers["content-type"] == "application/json", accept
    assert api.get("/api/documents", params={"format": "json"},
                   headers={"Accept": "text/csv"}).json()["total"] == 4


@pytest.mark.parametrize("path", [
    "/api/documents", "/api/links", "/api/sdg", "/api/articles", "/api/states",
    "/api/search?q=migrant", "/api/chain?document=CMW/C/AZE/CO/3&number=16",
    "/api/states/AZE/recurring", "/api/sdg/16.9", "/api/articles/ICRMW/76"])
def test_every_route_answers_json_by_default_and_csv_when_asked(api, path):
    assert api.get(path).headers["content-type"] == "application/json", path
    by_format = path + ("&" if "?" in path else "?") + "format=csv"
    for answer in (api.get(path, headers={"Accept": "text/csv"}), api.get(by_format)):
        assert answer.headers["content-type"].startswith("text/csv"), answer.url
        assert answer.text.count("\n") >= 1


def test_documents_as_csv(api):
    response = api.get("/api/documents", params={"format": "csv", "state": "AZE"})
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert [(r["symbol"], r["committee"], r["languages"]) for r in rows] == [(AZE, "CMW", "zh")]


def test_paragraphs_filtered_by_words_in_chinese_find_the_migration_strategy(api):
    found = items(api.get("/api/paragraphs", params={"q": "移民战略"}))
    assert [(p["document"], p["number"]) for p in found] == [(AZE, 15), (AZE, 16)]
    sixteen = found[1]
    assert sixteen["kinds"] == ["recommendation"] and sixteen["language"] == "zh"
    assert "国家移民战略" in sixteen["text"]


@pytest.mark.parametrize(("params", "expected"), [
    ({"article": "ICRMW/76"}, {(AZE, 12), (AZE, 13), (ECU, 9), (ECU, 10)}),
    ({"sdg": "16.9", "state": "AZE"}, {(AZE, 46)}),
    ({"ilo": "c097", "committee": "CMW", "language": "zh"}, {(AZE, 14)}),
    ({"gc": "cmw/gc/2", "state": "AZE"}, {(AZE, 30), (AZE, 54)}),
    ({"state": "AZE", "flag": "positive", "q": "战略"}, {(AZE, 15)}),
    ({"document": AZE, "q": "第76和第77条"}, {(AZE, 12), (AZE, 13)}),
])
def test_paragraph_filters_combine(api, params, expected):
    assert {(p["document"], p["number"]) for p in items(api.get("/api/paragraphs",
                                                                params=params))} == expected


def test_an_article_matches_the_paragraphs_citing_its_provisions(api):
    def found(path: str, **params) -> set[tuple[str, int]]:
        return {(p["document"], p["number"]) for p in items(api.get(path, params=params))}

    provision = found("/api/paragraphs", article="CRC/3(1)", via_heading="false")
    article = found("/api/paragraphs", article="CRC/3", via_heading="false")
    assert ("CRC/C/NPL/CO/5-6", 6) in provision  # "article 3 (1) of the Convention"
    assert provision <= article == found("/api/articles/CRC/3", via_heading="false")


def test_paragraphs_give_one_item_per_language_held(api):
    found = items(api.get("/api/paragraphs", params={"document": ECU, "sdg": "10.7"}))
    assert sorted(p["language"] for p in found) == ["ar", "en", "es", "fr", "ru"]
    french = items(api.get("/api/paragraphs", params={"sdg": "10.7", "language": "fr"}))
    assert [p["text"][:13] for p in french] == ["Compte tenu d"]


def test_paragraphs_page_in_order_without_overlap(api):
    params = {"document": AZE, "limit": 25}
    seen, url = [], "/api/paragraphs"
    while url:
        page = api.get(url, params=params if url == "/api/paragraphs" else None).json()
        seen += [p["number"] for p in page["items"]]
        url = page["next"]
    assert seen == list(range(1, 67))


def test_recommendations_are_the_paragraphs_flagged_so(api):
    found = items(api.get("/api/recommendations", params={"document": AZE, "limit": 100}))
    assert found and all("recommendation" in p["kinds"] for p in found)
    assert {16, 13} <= {p["number"] for p in found} and 15 not in {p["number"] for p in found}


def test_paragraphs_as_csv(api):
    response = api.get("/api/paragraphs", params={"q": "移民战略", "format": "csv"})
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert list(rows[0]) == ["document", "number", "uri", "kinds", "language", "via", "text"]
    assert [(r["number"], r["kinds"]) for r in rows] == [("15", "concern|positive"),
                                                         ("16", "recommendation")]


@pytest.mark.parametrize(("path", "params", "status"), [
    ("/api/paragraphs", {"article": "not an article"}, 400),
    ("/api/paragraphs", {"state": "AZE>"}, 404),
    ("/api/paragraphs", {"flag": "maybe"}, 400),
    ("/api/paragraphs", {"limit": 0}, 400),
    ("/api/documents", {"year": 1800}, 400),
    ("/api/documents", {"committee": 'CMW"}'}, 404),
    ("/api/articles/ICRMW/999", {}, 404),
    ("/api/sdg/16.99", {}, 404),
    ("/api/chain", {}, 400),
    ("/api/chain", {"uri": "https://x/<y>"}, 400),
])
def test_bad_input_is_refused_clearly(api, path, params, status):
    response = api.get(path, params=params)
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["status"] == status and response.json()["detail"]


def test_article_page_lists_recommendations_across_states(api):
    page = api.get("/api/articles/ICRMW/76").json()
    assert page["article"] == {"notation": "ICRMW/76",
                               "uri": "https://rightsgraph.org/treaty/ICRMW/article/76",
                               "label": "ICRMW article 76",
                               "treaty": {"notation": "ICRMW", "name": (
                                   "International Convention on the Protection of the Rights "
                                   "of All Migrant Workers and Members of Their Families")}}
    # one item per paragraph and language: ECU's paragraphs are held in five languages
    assert {(p["document"], p["number"]) for p in page["items"]} == {
        (AZE, 12), (AZE, 13), (ECU, 9), (ECU, 10)}
    rows = list(csv.DictReader(io.StringIO(
        api.get("/api/articles/ICRMW/76", params={"format": "csv"}).text)))
    assert len(rows) == 2 + 2 * 5


def test_sdg_page_has_the_un_label_and_every_paragraph(api):
    page = api.get("/api/sdg/16.9").json()
    assert page["target"]["uri"] == "http://metadata.un.org/sdg/16.9"
    assert page["target"]["label"].startswith("By 2030, provide legal identity for all")
    assert {p["document"] for p in page["items"]} == {AZE, ECU, "CERD/C/URY/CO/21-23"}


def test_chain_gives_earlier_and_later_versions(api):
    chain = api.get("/api/chain", params={"document": AZE, "number": 13}).json()
    base = "https://rightsgraph.org/doc/CMW/C/AZE/CO/"
    earlier = {e["uri"]: e["relations"] for e in chain["earlier"]}
    assert "reiterates" in earlier[base + "2/para/11"]
    assert "reiteratesTransitively" in earlier[base + "1/para/17"]
    assert all(e["document"] and e["number"] for e in chain["earlier"])
    later = api.get("/api/chain", params={"uri": base + "2/para/11"}).json()["later"]
    assert {(e["document"], e["number"]) for e in later} == {(AZE, 13)}


def test_links_csv_equals_the_extractor_csv(api):
    rightsgraph = Path(sys.executable).parent / "rightsgraph"
    expected = subprocess.run([str(rightsgraph), "extract", "--format", "csv", "--quiet",
                               str(SEED)], capture_output=True, text=True, check=True).stdout
    response = api.get("/api/links", params={"document": AZE, "format": "csv"})
    assert response.headers["content-type"].startswith("text/csv")
    assert response.text == expected
    assert int(response.headers["x-total-count"]) == expected.count("\n") - 1
    by_accept = api.get("/api/links", params={"document": AZE},
                        headers={"Accept": "text/csv"})
    assert by_accept.text == expected


def test_links_default_to_json_pages_with_their_total(api):
    everything = api.get("/api/links", params={"document": AZE}).json()
    assert everything["total"] == len(everything["items"]) > 5
    page = api.get("/api/links", params={"document": AZE, "limit": 5}).json()
    assert len(page["items"]) == 5 and page["next"] and page["previous"] is None
    assert page["total"] == everything["total"]
    assert set(page["items"][0]) == {"document", "section", "paragraph", "item", "relation",
                                     "target"}


def test_openapi_documents_every_researcher_endpoint(api):
    schema = api.get("/openapi.json").json()
    paths = schema["paths"]
    for path in ("/api/documents", "/api/paragraphs", "/api/recommendations",
                 "/api/articles/{treaty}/{article}", "/api/sdg/{target}", "/api/chain",
                 "/api/links", "/api/sdg", "/api/articles", "/api/states", "/api/summary"):
        operation = paths[path]["get"]
        assert operation["summary"] and operation.get("description"), path
        assert "researcher API" in operation["tags"]
    names = {p["name"] for p in paths["/api/paragraphs"]["get"]["parameters"]}
    assert names >= {"state", "committee", "article", "ilo", "sdg", "flag", "q", "language",
                     "document", "limit", "offset", "format"}
