"""The README's examples work on what `make graph` builds: the seed alone, CMW/C/AZE/CO/3 in
Chinese (issue 11, item 5).  Every search example of the query-language block finds
paragraphs, and every server path the README names answers."""
from __future__ import annotations

import re

import pytest
from conftest import ROOT, SEED

README = (ROOT / "README.md").read_text(encoding="utf-8")
NOT_EXAMPLES = {
    "/api": "the prefix of the researcher API's routes, not a page",
    "/api/chain": "a route name: it needs the paragraph as uri=",
    "/api/search": "a route name: it needs the query as q=",
}
"""Paths the README names that are not examples to open as they stand, with the reason."""


def search_examples() -> list[str]:
    """The queries of the README's query-language block (a field-filter line gives one
    query per filter)."""
    block = README.split("## Search", 1)[1].split("```text\n", 1)[1].split("```", 1)[0]
    queries = []
    for line in block.splitlines():
        if not line.strip() or line.startswith(" "):
            continue
        query = re.split(r"\s{2,}", line.strip())[0]
        queries += query.split() if ":" in query and not query.startswith('"') else [query]
    return queries


def paths() -> list[str]:
    found = {p for p in re.findall(r"`(/[^`\s]*)`", README)
             if "…" not in p and not p.endswith("=") and "{" not in p}
    return sorted(found - set(NOT_EXAMPLES))


@pytest.fixture(scope="module")
def seed_client(tmp_path_factory):
    from fastapi.testclient import TestClient

    from rightsgraph.api.app import Settings, create_app
    from rightsgraph.graph.build import build
    from rightsgraph.graph.search import SearchIndex, default_path
    from rightsgraph.graph.store import open_store

    location = tmp_path_factory.mktemp("seed") / "store"
    with open_store(location) as store, SearchIndex(default_path(location)) as index:
        assert build([SEED], store, index=index).ok
    with TestClient(create_app(Settings(store=str(location), workers=1))) as client:
        yield client


def test_the_readme_has_search_examples_and_paths():
    assert len(search_examples()) >= 15 and "移民 工人" in search_examples()
    assert "/doc/CMW/C/AZE/CO/3/para/16" in paths() and "/void" in paths()


@pytest.mark.parametrize("query", search_examples())
def test_each_search_example_finds_paragraphs_of_the_seed(seed_client, query):
    response = seed_client.get("/api/search", params={"q": query})
    assert response.status_code == 200, response.text
    assert response.json()["total"] > 0, query


def test_the_quickstart_search_finds_paragraph_16(seed_client):
    assert "`移民战略` finds ¶16" in README
    items = seed_client.get("/api/search", params={"q": "移民战略"}).json()["items"]
    assert 16 in [item["number"] for item in items]


@pytest.mark.parametrize("path", paths())
def test_each_path_the_readme_names_answers(seed_client, path):
    response = seed_client.get(path, headers={"Accept": "text/html"})
    assert response.status_code == 200, (path, response.text[:300])
