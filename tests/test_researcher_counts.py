"""Counts a researcher asked for (issue 11, item 11): paragraphs per SDG target, per treaty
article (cited in the text, or only inherited from a heading: kept apart) and per State, and
a summary of the dataset; each checked against the listings it counts, on the store of the
seed and the fixtures."""
from __future__ import annotations

import csv
import io
from collections import Counter

import pytest

from rightsgraph.core import identifiers

AZE = "CMW/C/AZE/CO/3"


@pytest.fixture(scope="module")
def api(web_client):
    return web_client


def every_item(api, path: str, **params) -> list[dict]:
    """All the items of a listing, following its next links."""
    found, url, query = [], path, {**params, "limit": 1000}
    while url:
        answer = api.get(url, params=query)
        assert answer.status_code == 200, answer.text
        page = answer.json()
        found += page["items"]
        url, query = page["next"], None
    return found


def paragraphs_of(items: list[dict]) -> set[tuple[str, int]]:
    return {(item["document"], item["number"]) for item in items}


def test_sdg_targets_count_the_paragraphs_of_each_target_page(api):
    targets = every_item(api, "/api/sdg")
    assert targets and [t["paragraphs"] for t in targets] == sorted(
        (t["paragraphs"] for t in targets), reverse=True)
    for target in targets:
        listed = every_item(api, f"/api/sdg/{target['target']}")
        assert target["paragraphs"] == len(paragraphs_of(listed)), target["target"]
        assert target["documents"] == len({item["document"] for item in listed})
    legal_identity = next(t for t in targets if t["target"] == "16.9")
    assert legal_identity["label"].startswith("By 2030, provide legal identity for all")
    assert legal_identity["uri"] == "http://metadata.un.org/sdg/16.9"
    assert legal_identity["paragraphs"] == 3


def test_sdg_targets_filtered_by_state(api):
    azerbaijan = {t["target"]: t["paragraphs"] for t in every_item(api, "/api/sdg", state="AZE")}
    listed = every_item(api, "/api/paragraphs", state="AZE", sdg="16.9")
    assert azerbaijan["16.9"] == len(paragraphs_of(listed)) == 1


@pytest.mark.parametrize("article", ["ICRMW/73", "ICRMW/76", "ICRMW/10", "CRC/12", "ICERD/2"])
def test_article_counts_keep_text_and_heading_apart(api, article):
    articles = {a["article"]: a for a in every_item(api, "/api/articles")}
    assert not [a for a in articles if a.startswith(article + "(")]  # no provision of it
    listed = every_item(api, "/api/articles/" + article)
    via = {(item["document"], item["number"]): item["via"] for item in listed}
    assert articles[article]["text"] == sum(v == "text" for v in via.values())
    assert articles[article]["heading"] == sum(v == "heading" for v in via.values())
    assert articles[article]["documents"] == len({document for document, _ in via})


def test_the_article_inherited_from_a_heading_is_counted_apart(api):
    """ICRMW/73 is cited by the heading "General measures of implementation (arts. 73 and
    84)" of the seed and of the CMW fixture, never in a paragraph's own text: the issue's
    example, which listed no paragraph; both counts are given, apart."""
    counted = {a["article"]: a for a in every_item(api, "/api/articles", treaty="icrmw")}
    general = counted["ICRMW/73"]
    assert general["text"] == 0 and general["heading"] >= 20 and general["documents"] == 2
    assert general["label"] == "ICRMW article 73"
    assert general["treaty_name"] == ("International Convention on the Protection of the "
                                      "Rights of All Migrant Workers and Members of Their "
                                      "Families")
    assert all(a["treaty"] == "ICRMW" for a in counted.values())
    only_text = every_item(api, "/api/articles/ICRMW/73", via_heading="false")
    assert general["text"] == len(paragraphs_of(only_text))


def test_articles_name_a_provision_by_its_article_and_never_invent_a_title(api):
    crc = {a["article"]: a for a in every_item(api, "/api/articles", treaty="CRC")}
    assert crc["CRC/3(1)"]["label"] == "CRC article 3(1)"
    assert crc["CRC/3(1)"]["uri"] == "https://rightsgraph.org/treaty/CRC/article/3/1"
    assert all(set(a) >= {"label", "treaty_name"} and "title" not in a for a in crc.values())


def test_article_counts_refuse_an_unknown_treaty(api):
    answer = api.get("/api/articles", params={"treaty": "NOPE"})
    assert answer.status_code == 404 and "ICRMW" in answer.json()["hint"]


def test_states_count_documents_paragraphs_and_recommendations(api):
    states = {s["state"]: s for s in every_item(api, "/api/states")}
    assert set(states) == {"AZE", "ECU", "NPL", "URY"}
    azerbaijan = states["AZE"]
    assert azerbaijan["name"] == "Azerbaijan" and azerbaijan["languages"] == ["zh"]
    assert azerbaijan["documents"] == 1 and azerbaijan["paragraphs"] == 66
    recommendations = every_item(api, "/api/recommendations", state="AZE")
    assert azerbaijan["recommendations"] == len(paragraphs_of(recommendations))
    ecuador = states["ECU"]
    assert ecuador["languages"] == ["ar", "en", "es", "fr", "ru"]
    assert ecuador["paragraphs"] == len(paragraphs_of(every_item(api, "/api/paragraphs",
                                                                 state="ECU")))
    only_cmw = {s["state"] for s in every_item(api, "/api/states", committee="CMW")}
    assert only_cmw == {"AZE", "ECU"}


def test_counts_as_csv_with_their_total(api):
    answer = api.get("/api/states", params={"format": "csv"})
    rows = list(csv.DictReader(io.StringIO(answer.text)))
    assert answer.headers["x-total-count"] == "4" == str(len(rows))
    assert rows[0]["state"] == "AZE" and rows[0]["paragraphs"] == "66"
    articles = api.get("/api/articles", params={"limit": 5}, headers={"Accept": "text/csv"})
    assert articles.text.startswith("article,uri,treaty,treaty_name,label,text,heading")
    assert int(articles.headers["x-total-count"]) > 5


def test_summary_agrees_with_the_listings(api):
    summary = api.get("/api/summary").json()
    documents = every_item(api, "/api/documents")
    assert summary["documents"] == len(documents) == 4
    languages = Counter(lang for d in documents for lang in d["languages"])
    assert summary["languages"] == dict(languages)
    assert summary["language_versions"] == sum(languages.values())
    assert summary["adopted"] == {"first": min(d["adopted_on"] for d in documents),
                                  "last": max(d["adopted_on"] for d in documents)}
    states = every_item(api, "/api/states")
    assert summary["paragraphs"] == sum(s["paragraphs"] for s in states)
    assert summary["recommendations"] == sum(s["recommendations"] for s in states)
    assert summary["links"]["sdg"] == sum(t["paragraphs"] for t in every_item(api, "/api/sdg"))
    articles = every_item(api, "/api/articles")
    assert summary["links"]["article"] == sum(a["text"] for a in articles)
    assert summary["articles_only_via_heading"] == sum(a["heading"] for a in articles)
    assert {c["code"]: c["documents"] for c in summary["committees"]} == {
        "CMW": 2, "CERD": 1, "CRC": 1}
    assert {s["code"] for s in summary["states"]} == {"AZE", "ECU", "NPL", "URY"}
    assert summary["follow_up"]["documents"] == 3  # AZE, ECU and URY name paragraphs
    assert summary["uhri"] == {"records": 0, "paragraphs": 0}


@pytest.mark.parametrize("notation", ["ICRMW/76", "CRC/3(1)", "ICERD/5(d)(v)"])
def test_a_provision_notation_comes_back_from_its_uri(notation):
    assert identifiers.provision_notation(identifiers.provision_uri(notation)) == notation


def test_another_uri_has_no_provision_notation():
    assert identifiers.provision_notation(str(identifiers.state_uri("AZE"))) is None


def test_the_void_page_shows_the_same_summary_for_people(api):
    import html as markup
    import re

    summary = api.get("/api/summary").json()
    page = markup.unescape(api.get("/void", headers={"Accept": "text/html"}).text)
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))
    assert f"Paragraphs {summary['paragraphs']} " in text
    assert f"{summary['recommendations']} recommendations" in text
    assert f"from {summary['adopted']['first']} to {summary['adopted']['last']}" in text
    assert "Committee on the Protection of the Rights of All Migrant Workers" in text
    assert 'href="/api/summary"' in page
    links = dict(re.findall(r"<code>(\w+)</code></td><td>([\d,]+)</td>", page))
    assert {kind: int(n.replace(",", "")) for kind, n in links.items()} == summary["links"]


def test_article_counts_of_one_state(api):
    ecuador = {a["article"]: a for a in every_item(api, "/api/articles", state="Ecuador")}
    listed = every_item(api, "/api/paragraphs", article="ICRMW/73", state="ECU")
    via = {(item["document"], item["number"]): item["via"] for item in listed}
    assert ecuador["ICRMW/73"]["heading"] == sum(v == "heading" for v in via.values()) > 0
    assert ecuador["ICRMW/73"]["documents"] == 1
    assert not every_item(api, "/api/articles", state="NPL", treaty="ICRMW")


def test_counts_are_kept_per_snapshot_and_renewed_by_a_reload(tmp_path):
    """The counts are computed once per snapshot of the store served; a build while
    serving is counted after the reload that serves it, never before."""
    from conftest import FIXTURES, SEED
    from fastapi.testclient import TestClient

    from rightsgraph.api.app import Settings, create_app
    from rightsgraph.graph.build import build
    from rightsgraph.graph.store import open_store

    location = tmp_path / "store"
    with open_store(location) as store:
        assert build([SEED], store).ok
    app = create_app(Settings(store=str(location), workers=1))
    with TestClient(app) as client:
        assert client.get("/api/summary").json()["documents"] == 1
        assert client.get("/api/documents", params={"limit": 1}).json()["total"] == 1
        void_ttl = client.get("/void", params={"format": "ttl"}).text
        void_page = client.get("/void", headers={"Accept": "text/html"}).text
        with open_store(location) as store:
            assert build([FIXTURES / "en" / "crc_fixture.txt"], store).ok
        assert client.get("/api/summary").json()["documents"] == 1  # the snapshot served
        # /void counts every quad and lists every graph: once per snapshot, like the counts
        assert client.get("/void", params={"format": "ttl"}).text == void_ttl
        assert client.get("/void", headers={"Accept": "text/html"}).text == void_page
        client.portal.call(app.state.server.reload)
        assert client.get("/api/summary").json()["documents"] == 2
        renewed = client.get("/void", params={"format": "ttl"}).text
        assert "NPL" in renewed and "NPL" not in void_ttl
        assert client.get("/void", headers={"Accept": "text/html"}).text != void_page
        assert {s["state"] for s in client.get("/api/states").json()["items"]} == {"AZE",
                                                                                  "NPL"}
        assert client.get("/api/documents", params={"limit": 1}).json()["total"] == 2


def test_the_documented_examples_are_what_the_seed_answers(tmp_path):
    """The JSON examples /docs shows (api/response_examples.json, recorded by
    tools/record_api_examples.py) are the answers of a store of the seed."""
    from conftest import SEED
    from fastapi.testclient import TestClient

    from rightsgraph.api import response_examples
    from rightsgraph.api.app import Settings, create_app
    from rightsgraph.graph.build import build
    from rightsgraph.graph.store import open_store

    with open_store(tmp_path / "store") as store:
        assert build([SEED], store).ok
    app = create_app(Settings(store=str(tmp_path / "store"), workers=1))
    with TestClient(app) as client:
        assert response_examples.record(client) == response_examples.recorded(), (
            "run tools/record_api_examples.py")
        schema = client.get("/openapi.json").json()["paths"]
    for route, example in response_examples.recorded().items():
        documented = schema[route]["get"]["responses"]["200"]["content"]
        # the schema leaves out null values ("next": null)
        assert documented["application/json"]["example"] == without_nulls(example["answer"])
    assert "X-Total-Count" in schema["/api/states"]["get"]["responses"]["200"]["headers"]


def without_nulls(value):
    if isinstance(value, dict):
        return {k: without_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [without_nulls(v) for v in value]
    return value
