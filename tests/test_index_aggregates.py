"""Counts and listings answered by the full-text index (graph/search/aggregate.py) are the
answers the store gives (the SPARQL queries they replace, kept for a server without an
index): same items, same numbers, same order, same totals and pages, on the store of the
seed and the fixtures (several States, committees and languages)."""
from __future__ import annotations

import pytest

from rightsgraph.api import page_data, researcher, statistics
from rightsgraph.api.filters import paragraph_filters, provisions_below
from rightsgraph.graph.search import aggregate


@pytest.fixture(scope="module")
def api(web_client):
    return web_client


def in_store(api, function, *args):
    """What a ``…_in_store`` function answers on the server of ``api``."""
    server = api.app.state.server
    return api.portal.call(function, server, *args)


def every_item(api, path: str, **params) -> tuple[list[dict], list[dict]]:
    """All the items of a listing, following its next links, and the pages' envelopes."""
    found, pages, url, query = [], [], path, {**params, "limit": 7}
    while url:
        answer = api.get(url, params=query)
        assert answer.status_code == 200, answer.text
        page = answer.json()
        found += page["items"]
        pages.append({k: v for k, v in page.items() if k != "items"})
        url, query = page["next"], None
    return found, pages


@pytest.mark.parametrize("filters", [{}, {"state": "AZE"}, {"state": "ECU"},
                                     {"committee": "CMW"}, {"committee": "CRC"},
                                     {"committee": "CMW", "state": "ECU"}])
def test_sdg_counts_from_the_index_are_the_store_s(api, filters):
    items, pages = every_item(api, "/api/sdg", **filters)
    expected = in_store(api, statistics.sdg_counts_in_store, filters.get("committee"),
                        filters.get("state"))
    assert [{k: i[k] for k in ("target", "uri", "paragraphs", "documents")}
            for i in items] == expected
    assert all(p["total"] == len(expected) for p in pages)
    if not filters:
        assert len(expected) > 7 and len(pages) > 1  # paged, with counts that differ
        assert len({i["paragraphs"] for i in items}) > 1


@pytest.mark.parametrize("committee", [None, "CMW", "CRC", "CERD"])
def test_state_counts_from_the_index_are_the_store_s(api, committee):
    params = {"committee": committee} if committee else {}
    items, pages = every_item(api, "/api/states", **params)
    expected = in_store(api, statistics.state_counts_in_store, committee)
    assert [{k: v for k, v in i.items() if k not in ("name", "page")} for i in items] \
        == expected
    assert expected and all(p["total"] == len(expected) for p in pages)


def test_facet_counts_of_the_index(api):
    index = api.app.state.server.search_index()
    by_state = {b.value: b for b in aggregate.counts(index, "state", within=["document"])}
    assert by_state["AZE"].paragraphs == 66
    assert by_state["AZE"].within["document"] == {"CMW/C/AZE/CO/3": 66}
    assert aggregate.counts(index, "state", {"state": "XXX"}) == []
    with pytest.raises(aggregate.AggregateError):
        aggregate.counts(index, "no_such_facet")


ARTICLES = ["ICRMW/73", "ICRMW/76", "ICRMW/10", "CRC/12", "CRC/3", "ICERD/2", "ICERD/5"]


@pytest.mark.parametrize("article", ARTICLES)
def test_article_listings_from_the_index_are_the_store_s(api, article):
    server = api.app.state.server
    provisions = api.portal.call(provisions_below, server, article)
    filters = paragraph_filters(links={"article": article}, provisions=provisions)
    for path in (f"/api/articles/{article}", "/api/paragraphs"):
        params = {"article": article} if path == "/api/paragraphs" else {}
        items, pages = every_item(api, path, **params)
        expected = api.portal.call(researcher.paragraphs_in_store, server, filters, 10_000, 0)
        assert items == expected, path
        assert all(p["total"] == len(expected) for p in pages)
        assert len(pages) == max(1, -(-len(expected) // 7))


@pytest.mark.parametrize("params", [
    {"article": "ICRMW/73", "language": "fr"}, {"article": "ICRMW/76", "state": "ECU"},
    {"article": "CRC/12", "committee": "CRC", "flag": "recommendation"},
    {"article": "ICRMW/73", "document": "CMW/C/AZE/CO/3"},
    {"article": "ICRMW/73", "sdg": "10.7"}])
def test_filtered_article_listings_are_the_store_s(api, params):
    server = api.app.state.server
    article = params["article"]
    provisions = api.portal.call(provisions_below, server, article)
    links = {k: v for k, v in params.items() if k in ("article", "sdg")}
    filters = paragraph_filters(
        state=params.get("state"), committee=params.get("committee"), links=links,
        flag=params.get("flag"), language=params.get("language"),
        document=params.get("document"), provisions=provisions)
    expected = api.portal.call(researcher.paragraphs_in_store, server, filters, 10_000, 0)
    for path in ("/api/paragraphs", "/api/recommendations"):
        if path == "/api/recommendations":
            if params.get("flag"):
                continue
            filters = paragraph_filters(
                state=params.get("state"), committee=params.get("committee"), links=links,
                flag="recommendation", language=params.get("language"),
                document=params.get("document"), provisions=provisions)
            expected = api.portal.call(researcher.paragraphs_in_store, server, filters,
                                       10_000, 0)
        items, pages = every_item(api, path, **params)
        assert expected and items == expected, (path, params)
        assert all(p["total"] == len(expected) for p in pages)


@pytest.mark.parametrize("params", [
    {}, {"state": "AZE"}, {"state": "Ecuador", "flag": "recommendation"},
    {"committee": "CRC"}, {"committee": "CMW", "language": "fr"}, {"sdg": "10.7"},
    {"ilo": "C097"}, {"gc": "CMW/GC/3"}, {"document": "CMW/C/AZE/CO/3", "flag": "concern"}])
def test_listings_without_an_article_from_the_index_are_the_store_s(api, params):
    """/api/paragraphs by State, committee, SDG target, ILO instrument, kind, language or
    document: answered by the index (the filters are its facets), as the store lists
    them."""
    server = api.app.state.server
    links = {k: v for k, v in params.items() if k in ("sdg", "ilo", "gc")}
    filters = paragraph_filters(
        state=params.get("state"), committee=params.get("committee"), links=links,
        flag=params.get("flag"), language=params.get("language"),
        document=params.get("document"))
    expected = api.portal.call(researcher.paragraphs_in_store, server, filters, 10_000, 0)
    paths = ["/api/paragraphs"] + ([f"/api/sdg/{params['sdg']}"] if "sdg" in params else [])
    for path in paths:  # an SDG target's page lists the same paragraphs
        items, pages = every_item(api, path, **({} if path.startswith("/api/sdg") else params))
        assert expected and items == expected, (path, params)
        assert all(p["total"] == len(expected) for p in pages)
        assert len(pages) == max(1, -(-len(expected) // 7))


def test_the_summary_s_inherited_articles_from_the_index_are_the_store_s(api):
    summary = api.get("/api/summary").json()
    expected = in_store(api, page_data.articles_only_via_heading_in_store)
    assert summary["articles_only_via_heading"] == expected > 20


@pytest.mark.parametrize("params", [{}, {"treaty": "ICRMW"}, {"treaty": "CRC"},
                                    {"state": "ECU"}, {"committee": "CMW"},
                                    {"committee": "CRC", "treaty": "CRC"}])
def test_article_counts_from_the_index_are_the_store_s(api, params):
    from rightsgraph.core import identifiers
    prefix = (str(identifiers.treaty_uri(params["treaty"])) + "/article/"
              if "treaty" in params else "")
    expected = in_store(api, statistics.article_counts_in_store, prefix,
                        params.get("committee"), params.get("state"))
    ranked = sorted(expected.items(), key=lambda kv: (-kv[1]["text"] - kv[1]["heading"], kv[0]))
    items, pages = every_item(api, "/api/articles", **params)
    assert expected and [(i["uri"], {k: i[k] for k in ("text", "heading", "documents")})
                         for i in items] == ranked
    assert all(p["total"] == len(expected) for p in pages)


@pytest.mark.parametrize("params", [{}, {"state": "ECU"}, {"committee": "CMW"},
                                    {"language": "fr"}, {"language": "zh"}, {"year": 2023},
                                    {"committee": "CRC", "language": "en"}])
def test_documents_paged_from_the_index_are_the_store_s(api, params, tmp_path):
    """The symbols of the documents held come from the index; every page the same as
    when the store sorted them all (the server without an index)."""
    from fastapi.testclient import TestClient

    from rightsgraph.api.app import Settings, create_app

    items, pages = every_item(api, "/api/documents", **params)
    server = api.app.state.server
    not_an_index = tmp_path / "not-an-index"
    not_an_index.write_text("a file where the index should be")
    settings = Settings(store=server.settings.store, index=str(not_an_index), workers=1)
    with TestClient(create_app(settings)) as without:
        assert without.get("/api/search", params={"q": "migration"}).status_code == 503
        expected, expected_pages = every_item(without, "/api/documents", **params)
    assert items == expected and pages == expected_pages
    assert len(expected) > 1 or params


@pytest.mark.parametrize("symbol", ["CMW/C/AZE/CO/3", "CCPR/C/79/Add.1 (1996)",
                                    "E/C.12/1/Add.87*"])
def test_a_listed_paragraph_s_document_and_number_are_read_from_its_uri(symbol):
    from rightsgraph.core import identifiers

    uri = str(identifiers.paragraph_uri(symbol, 16))
    assert aggregate.paragraph_of(uri) == (symbol, 16)


def test_counts_past_an_aggregation_s_buckets_are_counted_by_parts_of_documents(
        api, monkeypatch):
    """Articles with their documents at 12.8 M quads ask 125,000 buckets, past Tantivy's
    65,000: the count is then made a few documents at a time (halved while a part is still
    too large) and added up, to the same numbers."""
    from rightsgraph.graph.search.index import DOCUMENT

    index = api.app.state.server.search_index()
    whole = aggregate.counts(index, "article", within=[DOCUMENT, "state"])
    assert len(whole) > 5 and any(len(b.within[DOCUMENT]) > 1 for b in whole)
    documents = sorted(b.value for b in aggregate.counts(index, DOCUMENT))
    real_query, real_aggregate = aggregate.query, aggregate._aggregate
    asked: list[dict] = []

    def query(index, where):
        asked.append({k: [v] if isinstance(v, str) else list(v) for k, v in where.items()})
        return real_query(index, where)

    def limited(index, selected, aggregation):  # "too many buckets" past two documents
        where = asked[-1]
        if aggregation["by"]["terms"]["field"] != "symbol" and len(where.get(DOCUMENT,
                                                                             "all")) > 2:
            raise aggregate.AggregateError("the index cannot count this exactly: bucket limit")
        return real_aggregate(index, selected, aggregation)

    monkeypatch.setattr(aggregate, "query", query)
    monkeypatch.setattr(aggregate, "_aggregate", limited)
    assert aggregate.counts(index, "article", within=[DOCUMENT, "state"]) == whole
    parts = [where[DOCUMENT] for where in asked if DOCUMENT in where]
    assert parts and all(len(part) <= 2 for part in parts[-2:])
    # every document in one part that was counted
    assert sorted(d for part in parts if len(part) <= 2 for d in part) == documents


@pytest.mark.parametrize("params", [
    {"follow_up": True}, {"follow_up": False, "committee": "CMW"},
    {"follow_up": True, "state": "AZE", "flag": "recommendation"},
    {"follow_up": True, "article": "ICRMW/73"}, {"follow_up": False, "article": "ICRMW/73"},
    {"follow_up": False, "article": "ICRMW/73", "language": "fr"},
    {"follow_up": False, "article": "CRC/3"}])
def test_follow_up_listings_from_the_index_are_the_store_s(api, params):
    """With follow_up the index lists the paragraphs and the store says which its documents
    select for the follow-up procedure: the store's own listing, page by page."""
    server = api.app.state.server
    article = params.get("article")
    provisions = api.portal.call(provisions_below, server, article) if article else []
    filters = paragraph_filters(
        state=params.get("state"), committee=params.get("committee"),
        links={"article": article} if article else {}, flag=params.get("flag"),
        language=params.get("language"), follow_up=params["follow_up"],
        provisions=provisions)
    expected = api.portal.call(researcher.paragraphs_in_store, server, filters, 10_000, 0)
    items, pages = every_item(api, "/api/paragraphs", **params)
    assert expected and items == expected, params
    assert all(p["total"] == len(expected) for p in pages)
    assert len(pages) == max(1, -(-len(expected) // 7))


@pytest.mark.parametrize("params", [
    {"article": "ICRMW/76"}, {"article": "CRC/3"}, {"article": "ICERD/5"},
    {"article": "ICRMW/76", "language": "fr"}, {"article": "ICRMW/76", "state": "ECU"},
    {"article": "ICRMW/76", "follow_up": False}])
def test_article_listings_without_headings_from_the_index_are_the_store_s(api, params):
    """``via_heading=false``: the index lists the article's paragraphs and keeps those the
    store says cite it in their own text, as the store lists them."""
    server = api.app.state.server
    article = params["article"]
    provisions = api.portal.call(provisions_below, server, article)
    filters = paragraph_filters(
        state=params.get("state"), links={"article": article},
        language=params.get("language"), follow_up=params.get("follow_up"),
        via_heading=False, provisions=provisions)
    expected = api.portal.call(researcher.paragraphs_in_store, server, filters, 10_000, 0)
    paths = ["/api/paragraphs"] + ([f"/api/articles/{article}"] if len(params) == 1 else [])
    for path in paths:
        query = {**params, "via_heading": False} if path == "/api/paragraphs" \
            else {"via_heading": False}
        items, pages = every_item(api, path, **query)
        assert expected and items == expected, (path, params)
        assert all(p["via"] == "text" for p in items)
        assert all(p["total"] == len(expected) for p in pages)
