"""The HTML pages: search, document, paragraph side by side, article, SDG and registry pages,
escaping, and the example queries the editor opens."""
from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from conftest import ROOT

from rightsgraph.api.examples import QUERIES, example_queries, parse_example

HTML = {"Accept": "text/html"}
PARA16 = "/doc/CMW/C/AZE/CO/3/para/16"


@pytest.fixture(scope="module")
def web(web_client):
    return web_client


def page(web, path: str, status: int = 200, **params) -> str:
    response = web.get(path, headers=HTML, params=params)
    assert response.status_code == status, response.text[:500]
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    return response.text


class Sections(HTMLParser):
    """Text per element id, and the ``data-lang`` of each side-by-side column."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str | None] = []
        self.text: dict[str, str] = {}
        self.columns: list[str] = []
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag not in ("br", "meta", "link", "input", "img"):
            self.stack.append(attrs.get("id"))
        if "data-lang" in attrs:
            self.columns.append(attrs["data-lang"])
        if tag == "a" and "href" in attrs:
            self.links.append(attrs["href"])

    def handle_endtag(self, tag):
        if tag not in ("br", "meta", "link", "input", "img") and self.stack:
            self.stack.pop()

    def handle_data(self, data):
        for name in filter(None, self.stack):
            self.text[name] = self.text.get(name, "") + data


def parse(html: str) -> Sections:
    parser = Sections()
    parser.feed(html)
    return parser


def test_home_page_has_the_search_form_with_registry_labels(web):
    html = page(web, "/")
    assert '<input name="q"' in html
    assert '<option value="AZE">Azerbaijan</option>' in html
    assert ('<option value="CMW">Committee on the Protection of the Rights of All Migrant '
            'Workers and Members of Their Families</option>') in html
    assert 'name="article"' in html and 'name="sdg"' in html and 'name="flag"' in html
    assert 'name="ilo"' in html and 'name="gc"' in html


def test_search_by_general_comment(web):
    """The form's general comment field is the index's ``gc`` facet: the paragraphs whose
    text cites it, whatever their language."""
    html = page(web, "/", gc="cmw/gc/2", state="AZE")
    assert "2 paragraphs found" in html
    assert sorted(set(re.findall(r"CMW/C/AZE/CO/3 ¶(\d+)</a>", html))) == ["30", "54"]


def test_search_in_chinese_finds_the_migration_strategy(web):
    html = page(web, "/", q="移民战略")
    assert "2 paragraphs found" in html
    assert f'<a href="{PARA16}">CMW/C/AZE/CO/3 ¶16</a>' in html
    assert '<span class="kind">recommendation</span>' in html


def test_search_by_state_and_kind_pages_through_results(web):
    first = page(web, "/", state="AZE", flag="recommendation")
    total = int(re.search(r"(\d+) paragraphs found · page 1 of (\d+)", first).group(1))
    assert total > 20
    assert 'href="/?state=AZE&amp;flag=recommendation&amp;page=2" rel="next"' in first
    second = page(web, "/", state="AZE", flag="recommendation", page=2)
    numbers = [re.findall(r"¶(\d+)</a>", html) for html in (first, second)]
    assert len(numbers[0]) == 20 and not set(numbers[0]) & set(numbers[1])


def test_search_page_and_api_answer_alike_by_the_lean_and_the_routed_path(web):
    """``/?q=`` and ``/api/search?q=`` skip FastAPI's layers when their query string holds
    only plain parameters (``api.app.LEAN``); anything else is routed and validated there.
    Both paths give the same answers, errors and headers."""
    from rightsgraph.api.app import LEAN, lean_arguments

    home, api = LEAN["/"][1], LEAN["/api/search"][1]
    assert lean_arguments(b"q=migra%C3%A7%C3%A3o+x&page=2", home) == {
        "q": "migração x", "page": 2}
    assert lean_arguments(b"q=a&lang=fr&limit=100&offset=0", api) == {
        "q": "a", "lang": "fr", "limit": 100, "offset": 0}
    for routed in (b"page=1", b"q=a&q=b", b"q=a&page=0", b"q=a&page=501", b"q=a&page=02",
                   b"q=a&page=+2", b"q=a&state=", b"q=a&article=76"):
        assert lean_arguments(routed, home) is None, routed
    for routed in (b"lang=fr", b"q=a&lang=de", b"q=a&limit=101", b"q=a&offset=10001",
                   b"q=a&format=csv"):
        assert lean_arguments(routed, api) is None, routed
    for lean, routed in ((("/", {"q": "移民战略"}), ("/", {"q": "移民战略", "state": ""})),
                         (("/", {"q": '"unclosed'}), ("/", {"q": '"unclosed', "flag": ""})),
                         (("/api/search", {"q": "移民战略"}),
                          ("/api/search", {"q": "移民战略", "format": "json"})),
                         (("/api/search", {"q": '"unclosed'}),
                          ("/api/search", {"q": '"unclosed', "format": "json"}))):
        for accept in (HTML, {}):
            one = web.get(lean[0], params=lean[1], headers=accept)
            other = web.get(routed[0], params=routed[1], headers=accept)
            assert one.status_code == other.status_code, (lean, accept)
            assert one.headers == other.headers, (lean, accept)
            if one.headers["content-type"].startswith("text/html"):
                assert one.text == other.text
            else:
                assert {k: v for k, v in one.json().items() if k != "instance"} == \
                    {k: v for k, v in other.json().items() if k != "instance"}
    assert page(web, "/", 400, q="x", page="501")  # out of bounds: routed, refused there


def test_search_with_a_bad_article_explains_the_problem(web):
    html = page(web, "/", 400, article="<script>")
    assert "is not a article notation" in html or "not an article" in html
    assert "<script>" not in html.split("<main>", 1)[1]
    assert "&lt;script&gt;" in html


def test_paragraph_page_shows_every_language_held_side_by_side(web):
    html = page(web, "/doc/CMW/C/ECU/CO/3/para/13")
    parsed = parse(html)
    assert parsed.columns == ["en", "fr", "es", "ru", "ar"]
    texts = parsed.text["texts"]
    for words in ("In line with target 10.7", "Compte tenu de la cible 10.7",
                  "En consonancia con la meta 10.7", "В соответствии с задачей 10.7",
                  "تماشياً مع الغاية 10.7"):
        assert words in texts
    assert 'lang="ar" dir="rtl"' in html


def test_paragraph_page_of_the_migration_strategy(web):
    html = page(web, PARA16)
    parsed = parse(html)
    assert parsed.columns == ["zh"] and "立即通过国家移民战略" in parsed.text["texts"]
    assert "ICRMW article 73" in parsed.text["inherited"]
    assert "ICRMW article 84" in parsed.text["inherited"]
    assert "No article is cited" in parsed.text["articles"]
    assert [label for label in ("a", "b", "c") if f'{PARA16}/{label}"' in html] == ["a", "b", "c"]
    for fmt in ("ttl", "jsonld", "nt", "rdf"):
        assert f'href="?format={fmt}"' in html


def test_paragraph_page_shows_links_chain_and_mentions(web):
    parsed = parse(page(web, "/doc/CMW/C/AZE/CO/3/para/13"))
    assert "ICRMW article 76" in parsed.text["articles"]
    assert "reiterates CMW/C/AZE/CO/2 ¶11" in " ".join(parsed.text["earlier"].split())
    mentions = parsed.text["mentions"]
    assert "第76和第77条" in mentions and "000_1bae2115e5d01706.txt" in mentions
    assert "rightsgraph 0.2.0" in mentions or "rightsgraph " in mentions
    earlier = parse(page(web, "/doc/CMW/C/AZE/CO/2/para/11"))
    assert earlier.text, "an earlier paragraph the store holds no text for still has a page"
    ecu = parse(page(web, "/doc/CMW/C/ECU/CO/3/para/13"))
    assert "Facilitate orderly, safe, regular and responsible migration" in ecu.text["sdg"]
    assert "http://metadata.un.org/sdg/10.7" in ecu.links and "/sdg/10.7" in ecu.links
    ilo = parse(page(web, "/doc/CMW/C/AZE/CO/3/para/14"))
    assert any("normlex.ilo.org" in link for link in ilo.links)


def test_document_page_has_metadata_sections_and_paragraphs_in_order(web):
    html = page(web, "/doc/CMW/C/AZE/CO/3")
    assert "Azerbaijan" in html and "2021-10-08" in html
    assert "000_1bae2115e5d01706.txt" in html
    assert "一般执行措施(第73和第84条)" in html
    numbers = [int(n) for n in re.findall(r'class="num" href="[^"]+">(\d+)\.</a>', html)]
    assert numbers == list(range(1, 67))
    for follow_up in (16, 36, 60, 62):
        assert f'href="/doc/CMW/C/AZE/CO/3/para/{follow_up}">¶{follow_up}</a>' in html
    assert 'href="/doc/CMW/C/AZE/CO/2"' in html


def test_document_page_in_another_language(web):
    html = page(web, "/doc/CMW/C/ECU/CO/3", lang="fr")
    assert "Paragraphs <span class=\"lang\">(fr)</span>" in html
    assert "Compte tenu de la cible 10.7" in html


def test_article_page_lists_paragraphs_across_states(web):
    html = page(web, "/treaty/ICRMW/article/76")
    assert "<h1>ICRMW article 76</h1>" in html
    assert "/doc/CMW/C/AZE/CO/3/para/13" in html and "/doc/CMW/C/ECU/CO/3/para/9" in html
    assert "Azerbaijan" in html and "Ecuador" in html


def test_article_page_lists_the_paragraphs_that_inherit_it_from_a_heading(web):
    """ICRMW/73 is named by the heading of section C.1 ("arts. 73 and 84"), never in a
    paragraph's text: the store does not materialise hro:concernsArticleViaSection, and the
    page still lists the paragraphs under that heading (through hro:withinSection)."""
    html = page(web, "/treaty/ICRMW/article/73")
    rows = re.findall(r'<tr><td>[^<]*</td><td><a href="([^"]+)">.*?</tr>', html, re.S)
    assert PARA16 in rows and "/doc/CMW/C/AZE/CO/3/para/14" in rows
    row = html.split(f'<a href="{PARA16}">', 1)[1].split("</tr>", 1)[0]
    assert "under a heading" in row


def test_article_page_lists_a_page_of_the_api_listing_with_its_total_and_links(web):
    """The article page lists its paragraphs as /api/articles/... does (the same items, in
    the same order), a page at a time, with the total and links to the next and previous
    pages and to the whole list; past the end, no rows and the total, as the API."""
    path, api = "/treaty/ICRMW/article/76", "/api/articles/ICRMW/76"
    listed = web.get(api).json()
    assert listed["total"] >= 3
    links = re.compile(r'<tr><td>[^<]*</td><td><a href="([^"]+)">')
    first = page(web, path)
    assert links.findall(first) == [item["page"] for item in listed["items"]][:100]
    assert f'{listed["total"]:,} paragraphs (one per language held)' in first
    assert f'href="{api}"' in first and f'href="{api}?format=csv&amp;limit=1000"' in first
    one, two = page(web, path, limit=1), page(web, path, limit=1, offset=1)
    assert links.findall(one) == [listed["items"][0]["page"]]
    assert links.findall(two) == [listed["items"][1]["page"]]
    assert 'rel="next" href="?offset=1&amp;limit=1"' in one and 'rel="prev"' not in one
    assert 'rel="prev" href="?offset=0&amp;limit=1"' in two
    assert 'rel="next" href="?offset=2&amp;limit=1"' in two
    assert "<h1>ICRMW article 76</h1>" in two
    beyond = page(web, path, offset=listed["total"] + 5)
    assert web.get(api, params={"offset": listed["total"] + 5}).json()["items"] == []
    assert not links.findall(beyond) and "No paragraph at this offset" in beyond
    assert f'{listed["total"]:,} paragraphs' in beyond and 'rel="prev"' in beyond
    assert 'rel="next"' not in beyond
    page(web, path, status=400, offset="x")


def test_sdg_page_is_local_with_the_un_labels(web):
    html = page(web, "/sdg/10.7")
    assert 'href="http://metadata.un.org/sdg/10.7"' in html
    assert "Faciliter la migration et la mobilit" in html  # the registry text is NFD
    assert "/doc/CMW/C/ECU/CO/3/para/13" in html
    assert web.get("/sdg/99.99", headers=HTML).status_code == 404


@pytest.mark.parametrize(("path", "api", "size"), [
    ("/sdg/10.7", "/api/sdg/10.7", 100), ("/ilo/C097", "/api/paragraphs?ilo=C097", 50),
    ("/gc/CMW/3", "/api/paragraphs?gc=CMW/GC/3", 50)])
def test_sdg_ilo_and_general_comment_pages_list_a_page_of_the_api_listing(web, path, api, size):
    """An SDG target's, an ILO instrument's and a general comment's page list the
    paragraphs whose text refers to it as the researcher API does (the same items, in the
    same order, a page of its default size), with the total and links to the pages around
    and to the whole list."""
    listed = web.get(api).json()
    assert listed["total"] >= 2 and listed["limit"] == size
    links = re.compile(r'<tr><td>[^<]*</td><td><a href="([^"]+)">')
    first = page(web, path)
    assert links.findall(first) == [item["page"] for item in listed["items"]]
    assert f'{listed["total"]:,} paragraphs (one per language held) refer to it' in first
    csv = api + ("&" if "?" in api else "?") + "format=csv&limit=1000"
    shown = first.replace("&amp;", "&")
    assert f'id="listed-api" href="{api}"' in shown and f'href="{csv}"' in shown
    one, two = page(web, path, limit=1), page(web, path, limit=1, offset=1)
    assert links.findall(one) == [listed["items"][0]["page"]]
    assert links.findall(two) == [listed["items"][1]["page"]]

    def table(html: str) -> str:
        return html.split('id="listed"')[1].split("</table>")[0]

    assert table(one) != table(two)
    assert f'lang="{listed["items"][1]["language"]}"' in table(two)
    assert 'rel="next" href="?offset=1&amp;limit=1"' in one and 'rel="prev"' not in one
    assert 'rel="prev" href="?offset=0&amp;limit=1"' in two
    assert f'{listed["total"]:,} paragraphs' in two


def test_a_general_comment_s_page_keeps_what_the_registries_link_to_it(web):
    """A general comment is a text the store does not hold: its page says so, lists the
    paragraphs citing it a page at a time (above) and, apart, what the registries link to
    it: its concept scheme and the other committee's number of a joint one."""
    html = page(web, "/gc/CMW/3")
    assert 'id="not-held"' in html
    assert "<h1>Joint general comment No. 3 (2017) of the Committee" in html  # its title
    registries = html.split("<h2>In the registries</h2>", 1)[1].split("</section>", 1)[0]
    assert 'href="/gc/CRC/22"' in registries and 'href="/scheme/general-comments"' in registries
    assert "/para/" not in registries


@pytest.mark.parametrize(("path", "expected"), [
    ("/committee/CMW", "/doc/CMW/C/AZE/CO/3"),
    ("/state/AZE", "/doc/CMW/C/AZE/CO/3"),
    ("/ilo/C097", "Migration for Employment Convention"),
    ("/gc/CMW/3", "Joint general comment No. 3"),
    ("/doc/CMW/C/AZE/CO/3/section/C.1", "一般执行措施"),
])
def test_registry_and_other_pages(web, path, expected):
    assert expected in page(web, path)


def test_text_is_escaped(web):
    html = page(web, "/", q='<b>bold</b>')
    assert "<b>bold</b>" not in html and "&lt;b&gt;bold&lt;/b&gt;" in html
    html = page(web, "/", 400, q='"><b>bold</b>')  # an unclosed phrase: a bad query
    assert "<b>bold</b>" not in html and "a phrase is not closed" in html


def test_pages_need_no_javascript_except_the_editor(web):
    for path in ("/", PARA16, "/doc/CMW/C/AZE/CO/3", "/sdg/10.7", "/state/AZE"):
        assert "<script" not in page(web, path)
    assert "/static/yasgui/yasgui.min.js" in page(web, "/sparql")


def test_editor_page_holds_every_example_query(web):
    html = page(web, "/sparql")
    examples = example_queries()
    assert len(examples) >= 5
    for example in examples:
        assert example.title in html.replace("&#39;", "'")
    assert web.get("/static/yasgui/yasgui.min.css").status_code == 200
    assert (ROOT / "api" / "static" / "yasgui" / "LICENSE").read_text().startswith(
        "The MIT License")


def test_every_example_query_answers_with_rows(web):
    for example in example_queries():
        response = web.post("/sparql", data={"query": example.text},
                            headers={"Accept": "application/sparql-results+json"})
        assert response.status_code == 200, f"{example.name}: {response.text}"
        assert response.json()["results"]["bindings"], f"{example.name} returned no rows"


def test_example_queries_have_headers_and_are_in_the_readme():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for path in sorted(QUERIES.glob("*.rq")):
        example = parse_example(path)
        assert example.description, path
        assert f"api/queries/{path.name}" in readme, f"README does not list {path.name}"


def test_a_query_file_without_title_is_refused(tmp_path):
    bad = tmp_path / "untitled.rq"
    bad.write_text("SELECT * WHERE { ?s ?p ?o }\n")
    with pytest.raises(ValueError, match="untitled.rq:1"):
        parse_example(bad)
