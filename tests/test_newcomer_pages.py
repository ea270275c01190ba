"""The pages a newcomer meets (issue 11, items 5 to 7): documents and paragraphs the store only
cites, labels and natural order on the other pages, /void for browsers, a language version
asked for but not held, and /docs under the pages' Content-Security-Policy."""
from __future__ import annotations

import re

import pytest

HTML = {"Accept": "text/html,application/xhtml+xml"}
BASE = "https://rightsgraph.org/"


def page(client, path: str, status: int = 200, **params) -> str:
    response = client.get(path, headers=HTML, params=params)
    assert response.status_code == status, response.text[:500]
    assert response.headers["content-type"].startswith("text/html")
    return response.text


def link_texts(html: str) -> list[str]:
    return [re.sub(r"<[^>]+>", "", text) for text in re.findall(r"<a [^>]*>(.*?)</a>", html)]


def test_a_cited_paragraph_says_it_is_not_held_and_what_cites_it(web_client):
    html = page(web_client, "/doc/CMW/C/AZE/CO/2/para/13")
    assert "<title>CMW/C/AZE/CO/2 ¶13 (not held)" in html
    assert "the store does not hold its text" in html
    assert 'href="https://undocs.org/en/CMW/C/AZE/CO/2"' in html
    cited_by = html.split('id="cited-by"', 1)[1].split("</section>", 1)[0]
    assert 'href="/doc/CMW/C/AZE/CO/3/para/11">CMW/C/AZE/CO/3 ¶11</a>' in cited_by
    assert "reiterates" in cited_by and "cites recommendation" not in cited_by
    # nothing is said about the contents of a text the store does not hold
    for statement in ("No article is cited", "No SDG target", "Text in every language"):
        assert statement not in html


def test_a_cited_document_lists_its_cited_paragraphs_in_natural_order(web_client):
    html = page(web_client, "/doc/CMW/C/AZE/CO/2")
    assert "the store does not hold its text" in html
    assert "rightsgraph fetch CMW/C/AZE/CO/2" in html  # concluding observations can be fetched
    assert 'href="https://undocs.org/en/CMW/C/AZE/CO/2"' in html
    cited = html.split('id="cited-paragraphs"', 1)[1]
    numbers = [int(n) for n in re.findall(r'>CMW/C/AZE/CO/2 ¶(\d+)</a>', cited)]
    assert numbers == sorted(numbers) and {9, 13, 44} <= set(numbers)
    assert "Azerbaijan" in html and "previous observations" in html


def test_a_cited_state_party_report(web_client):
    html = page(web_client, "/doc/CMW/C/AZE/3")
    assert "(State party report)" in html and "https://undocs.org/en/CMW/C/AZE/3" in html
    assert "rightsgraph fetch" not in html  # fetch reads concluding observations only
    assert ">CMW/C/AZE/CO/3</a>" in html and "State party report" in html


@pytest.mark.parametrize(("path", "title", "cited_by"), [
    ("/doc/A/RES/73/195", "A/RES/73/195", "CMW/C/AZE/CO/3 ¶7"),
    ("/doc/A/HRC/39/14", "A/HRC/39/14", None),
    ("/doc/A/HRC/39/14/para/141.97", "A/HRC/39/14 ¶141.97", "CMW/C/AZE/CO/3 ¶11"),
])
def test_other_un_documents_cited(web_client, path, title, cited_by):
    html = page(web_client, path)
    assert f"<h1>{title}</h1>" in html and "the store does not hold its text" in html
    assert 'href="https://undocs.org/en/' + title.split(" ")[0] + '"' in html
    assert "rightsgraph fetch" not in html
    if cited_by:
        assert f">{cited_by}</a>" in html.split('id="cited-by"', 1)[1]
    else:
        assert ">A/HRC/39/14 ¶141.97</a>" in html.split('id="cited-paragraphs"', 1)[1]


def test_the_document_page_names_the_documents_it_cites_by_symbol(web_client):
    html = page(web_client, "/doc/CMW/C/AZE/CO/3")
    for name, symbol in (("State party report", "CMW/C/AZE/3"),
                         ("List of issues", "CMW/C/AZE/QPR/3"),
                         ("Summary records", "CMW/C/SR.464")):
        row = html.split(f"<th>{name}</th>", 1)[1].split("</tr>", 1)[0]
        assert f'href="/doc/{symbol}">{symbol}</a>' in row
        assert BASE not in row


@pytest.mark.parametrize(("path", "title"), [
    ("/doc/CMW/C/AZE/CO/3/zh", "CMW/C/AZE/CO/3 (zh)"),
    ("/doc/CMW/C/AZE/CO/3/section/C.1", "CMW/C/AZE/CO/3 section C.1"),
])
def test_other_pages_have_labels_not_iris(web_client, path, title):
    html = page(web_client, path)
    assert f"<h1>{title}</h1>" in html
    texts = link_texts(html.split("<main>", 1)[1])
    assert not [t for t in texts if t.startswith(("http://purl.org", "http://www.w3.org",
                                                   BASE + "doc/", BASE + "ontology"))]
    assert "dcterms:isPartOf" in texts or "rdf:type" in texts


def test_paragraphs_on_other_pages_are_in_natural_order(web_client):
    html = page(web_client, "/doc/CMW/C/AZE/CO/3/section/C.1")
    numbers = [int(n) for n in re.findall(
        r">CMW/C/AZE/CO/3 ¶(\d+)</a></td><th><a [^>]+>in section</a>", html)]
    assert len(numbers) > 3 and numbers == sorted(numbers) and 9 in numbers


def test_void_is_a_page_for_browsers_and_rdf_for_programs(web_client):
    html = page(web_client, "/void")
    summary = html.split('id="summary"', 1)[1].split("</table>", 1)[0]
    for expected in ("Chinese (<code>zh</code>)", "French (<code>fr</code>)", "Quads",
                     "Named graphs", 'href="/sparql"', 'href="/dumps/rightsgraph.nq.gz"',
                     "https://opensource.org/licenses/MIT"):
        assert expected in summary, expected
    links = html.split('id="links"', 1)[1]
    counts = dict(re.findall(r"<code>(\w+)</code></td><td>([\d,]+)</td>", links))
    assert int(counts["article"].replace(",", "")) > 0 and "sdg" in counts
    for accept in ("text/turtle", "*/*", "application/ld+json"):
        response = web_client.get("/void", headers={"Accept": accept})
        assert response.status_code == 200 and "html" not in response.headers["content-type"]
    turtle = web_client.get("/void", params={"format": "ttl"}, headers=HTML)
    assert turtle.headers["content-type"].startswith("text/turtle")
    assert "void:Dataset" in turtle.text or "rdfs.org/ns/void#Dataset" in turtle.text


@pytest.mark.parametrize("path", ["/doc/CMW/C/AZE/CO/3", "/doc/CMW/C/AZE/CO/3/para/16"])
def test_a_language_not_held_is_said_and_the_held_ones_linked(web_client, path):
    html = page(web_client, path, lang="fr")
    notice = html.split('id="lang-not-held"', 1)[1].split("</p>", 1)[0]
    assert "The French version" in notice and "is not held" in notice
    assert 'href="?lang=zh">Chinese</a>' in notice
    assert 'href="https://undocs.org/fr/CMW/C/AZE/CO/3"' in notice
    assert 'id="lang-not-held"' not in page(web_client, path, lang="zh")
    assert "not one of the six UN languages" in page(web_client, path, lang="xx")


def test_a_language_held_shows_no_notice(web_client):
    assert 'id="lang-not-held"' not in page(web_client, "/doc/CMW/C/ECU/CO/3", lang="fr")


def test_the_api_docs_have_the_pages_security_policy(web_client):
    response = web_client.get("/docs", headers=HTML)
    assert response.status_code == 200
    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy.split(
        "script-src", 1)[1].split(";", 1)[0]
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", response.text, re.S)
    assert scripts and all('src="/static/' in attrs and not body.strip()
                           for attrs, body in scripts)
    for src in re.findall(r'src="(/static/[^"]+)"', response.text):
        assert web_client.get(src).status_code == 200


def test_the_home_page_lists_the_documents_held(web_client):
    html = page(web_client, "/")
    table = html.split('id="documents"', 1)[1].split("</section>", 1)[0]
    rows = re.findall(r"<tr><td>(.*?)</tr>", table, re.S)
    assert len(rows) == 4  # web_store: the seed, ECU in five languages, URY, NPL
    aze = next(r for r in rows if ">CMW/C/AZE/CO/3</a>" in r)
    assert 'href="/doc/CMW/C/AZE/CO/3"' in aze and ">CMW</a>" in aze and ">Azerbaijan</a>" in aze
    assert "<td>2021</td>" in aze and ">zh</a>" in aze and "<td>66</td>" in aze
    ecu = next(r for r in rows if ">CMW/C/ECU/CO/3</a>" in r)
    assert re.search(r">en</a> <a [^>]+>fr</a> <a [^>]+>es</a> <a [^>]+>ru</a> <a [^>]+>ar</a>",
                     ecu)
    assert "Chinese (1)" in table and "English (" in table


def test_a_search_in_a_language_not_held_says_which_are_held(tmp_path_factory):
    """On what `make graph` builds (Chinese only) the README's English words find nothing;
    the page says why, which documents and languages are held, and what to do."""
    from conftest import SEED
    from fastapi.testclient import TestClient

    from rightsgraph.api.app import Settings, create_app
    from rightsgraph.graph.build import build
    from rightsgraph.graph.search import SearchIndex, default_path
    from rightsgraph.graph.store import open_store

    location = tmp_path_factory.mktemp("seed") / "store"
    with open_store(location) as store, SearchIndex(default_path(location)) as index:
        assert build([SEED], store, index=index).ok
    with TestClient(create_app(Settings(store=str(location), workers=1))) as client:
        html = page(client, "/", q="migration strategy")
        assert "0 paragraphs found" in html
        held = html.split('id="held-languages"', 1)[1].split("</p>", 1)[0]
        assert "1 document in" in held and "Chinese (<code>zh</code>" in held
        assert 'href="/doc/CMW/C/AZE/CO/3">CMW/C/AZE/CO/3</a>' in held
        notice = html.split('id="not-in-a-held-language"', 1)[1].split("</p>", 1)[0]
        assert "English" in notice and "Search in Chinese" in notice
        assert "rightsgraph fetch CMW/C/AZE/CO/3 --language en" in notice
        browse = html.split('id="browse"', 1)[1].split("</p>", 1)[0]
        assert 'href="/?q=lang%3Azh"' in browse and 'href="/?committee=CMW"' in browse
        assert 'href="/?state=AZE"' in browse
        assert 'id="count">66 ' in page(client, "/", q="lang:zh")
        # words in the language held: no such notice
        html = page(client, "/", q="移民战略 zzyzx")
        assert "0 paragraphs found" in html and "not-in-a-held-language" not in html


def test_an_empty_store_says_how_to_fill_it(tmp_path):
    from fastapi.testclient import TestClient

    from rightsgraph.api.app import Settings, create_app
    from rightsgraph.graph.store import open_store

    with open_store(tmp_path / "store"):
        pass
    with TestClient(create_app(Settings(store=str(tmp_path / "store"), workers=1))) as client:
        html = page(client, "/")
        empty = html.split('id="documents"', 1)[1].split("</section>", 1)[0]
        assert "The store is empty" in empty
        assert "rightsgraph build seeds --store out/store" in empty
        assert "rightsgraph fetch" in empty and "make graph" in empty
        assert 'id="store-empty"' in page(client, "/", q="migration")
        void = page(client, "/void")
        assert "<td>0 " in void
