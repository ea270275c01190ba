"""What a newcomer types gets an answer (issue 11, items 3, 4 and 8): one error shape (RFC
9457 problem details) with a hint, HTML with navigation for browsers, input normalised
(case, an article without its paragraph, a State by name in six languages), articles
inherited from section headings, and a reiteration chain with one row per paragraph."""
from __future__ import annotations

import csv
import io

import pytest

AZE = "CMW/C/AZE/CO/3"
BASE = "https://rightsgraph.org/doc/CMW/C/AZE/CO/"
HTML = {"Accept": "text/html,application/xhtml+xml"}


def found(client, path, **params) -> list[dict]:
    response = client.get(path, params=params)
    assert response.status_code == 200, response.text
    return response.json()["items"]


def numbers(items) -> set[tuple[str, int]]:
    return {(item["document"], item["number"]) for item in items}


@pytest.mark.parametrize("state", ["AZE", "aze", "Azerbaijan", "azerbaïdjan", "阿塞拜疆",
                                   "Азербайджан", "أذربيجان", "Azerbaiyán"])
def test_a_state_by_code_or_name_in_any_language(web_client, state):
    docs = found(web_client, "/api/documents", state=state)
    assert [d["symbol"] for d in docs] == [AZE]


@pytest.mark.parametrize(("params", "status", "hint"), [
    ({"state": "Azerbajan"}, 404, "Azerbaijan (AZE)"),
    ({"article": "ICRMW/999"}, 404, "ICRMW has articles 1 to 93"),
    ({"article": "FOO/1"}, 404, "one of"),
    ({"article": "ICRM/76"}, 404, "did you mean ICRMW"),
    ({"article": "76"}, 400, "TREATY/ARTICLE"),
    ({"committee": "CWM"}, 404, "did you mean CMW"),
])
def test_what_cannot_be_normalised_gets_a_problem_with_a_hint(web_client, params, status, hint):
    response = web_client.get("/api/paragraphs", params=params)
    assert response.status_code == status
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["status"] == status and problem["title"] and problem["detail"]
    assert hint in problem["hint"]


def test_validation_errors_are_problems_too(web_client):
    response = web_client.get("/dumps/document", params={"symbol": AZE, "format": "ttl"})
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"
    assert "format" in response.json()["detail"] and "'nq'" in response.json()["detail"]


def test_a_browser_gets_an_error_page_with_navigation(web_client):
    for path in ("/api/paragraphs?article=FOO/1", "/doc/NOPE/1", "/no/such/page"):
        response = web_client.get(path, headers=HTML)
        assert response.status_code in (400, 404), path
        assert response.headers["content-type"].startswith("text/html")
        for link in ('href="/"', 'href="/sparql"', 'href="/docs"', 'href="/void"'):
            assert link in response.text, (path, link)


def test_article_in_any_case_and_without_its_paragraph(web_client):
    upper = numbers(found(web_client, "/api/paragraphs", article="ICRMW/76", via_heading=False))
    assert upper and numbers(found(web_client, "/api/paragraphs", article="icrmw/76",
                                   via_heading=False)) == upper


def test_articles_inherited_from_headings_are_included_and_say_so(web_client):
    inherited = found(web_client, "/api/recommendations", article="ICRMW/73", document=AZE,
                      limit=200)
    assert (AZE, 16) in numbers(inherited)  # ¶16 sits under a heading citing article 73
    assert {item["via"] for item in inherited} <= {"text", "heading"}
    assert next(i for i in inherited if i["number"] == 16)["via"] == "heading"
    direct = found(web_client, "/api/recommendations", article="ICRMW/73", document=AZE,
                   via_heading="false", limit=200)
    assert numbers(direct) < numbers(inherited)
    assert all(item["via"] == "text" for item in direct)
    page = web_client.get("/api/articles/ICRMW/73", params={"limit": 200}).json()
    assert (AZE, 16) in numbers(page["items"])


def test_chain_one_row_per_paragraph_ordered_by_cycle(web_client):
    chain = web_client.get("/api/chain", params={"document": AZE, "number": 13}).json()
    uris = [item["uri"] for item in chain["earlier"]]
    assert len(uris) == len(set(uris))
    cycles = [item["cycle"] for item in chain["earlier"]]
    assert cycles == sorted(cycles) and cycles[0] == 1
    assert any(len(item["relations"]) > 1 for item in chain["earlier"])


def test_chain_accepts_its_own_links_back_and_writes_csv(web_client):
    chain = web_client.get("/api/chain", params={"document": AZE, "number": 13}).json()
    link = chain["earlier"][-1]["page"]
    assert link.startswith("/doc/")
    back = web_client.get("/api/chain", params={"uri": link})
    assert back.status_code == 200 and back.json()["later"]
    response = web_client.get("/api/chain", params={"document": AZE, "number": 13,
                                                    "format": "csv"})
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert len(rows) == len(chain["earlier"]) + len(chain["later"])
    assert rows[0]["direction"] == "earlier" and "|" in "".join(r["relations"] for r in rows)


def test_chain_of_a_paragraph_that_does_not_exist(web_client):
    response = web_client.get("/api/chain", params={"document": AZE, "number": 999})
    assert response.status_code == 404
    assert response.json()["hint"] == f"{AZE} has paragraphs 1 to 66"
