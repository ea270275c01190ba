"""The paragraph page shows each sub-item once, in the text where the document puts it, and
the follow-up procedure as the document states it: selected or not, the deadline printed or
derived from a period, the other paragraphs selected (issue 11, item 11)."""
from __future__ import annotations

import html
import re

import pytest

from rightsgraph.api.page_data import period_words, split_items

AZE16 = "/doc/CMW/C/AZE/CO/3/para/16"
ECU23 = "/doc/CMW/C/ECU/CO/3/para/23"


@pytest.fixture(scope="module")
def page(web_client):
    def get(path: str) -> str:
        answer = web_client.get(path, headers={"Accept": "text/html"})
        assert answer.status_code == 200, answer.text[:300]
        return html.unescape(answer.text)
    return get


def section(text: str, name: str) -> str:
    match = re.search(rf'<section id="{name}">(.*?)</section>', text, re.S)
    assert match, name
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", match.group(1)))


@pytest.mark.parametrize(("path", "items"), [
    (AZE16, ["确保该战略将重点放在《公约》的执行上", "采取有效措施，制定明确的时间框架",
             "迅速通过关于海外侨胞和侨民组织的法律草案"]),
    (ECU23, ["Take measures to gradually eliminate immigration detention",
             "The reasons for detention are specified in each case",
             "De veiller à ce que des mesures non privatives de liberté",
             "La mesure soit réexaminée par une autorité judiciaire"]),
])
def test_each_sub_item_is_shown_once(page, path, items):
    text = page(path)
    for words in items:
        assert text.count(words) == 1, words


def test_sub_items_follow_the_lead_in_with_a_link_to_their_page(page):
    text = page(AZE16)
    lead = text.index("委员会建议缔约国立即通过国家移民战略，并建议缔约国")
    first, last = text.index("(a)\t确保该战略"), text.index("(c)\t在一个有阿塞拜疆")
    assert lead < first < last
    assert 'href="/doc/CMW/C/AZE/CO/3/para/16/b"' in text
    assert '<section id="items">' not in text  # no second table of the same sub-items


def test_a_paragraph_selected_for_follow_up_says_by_when(page):
    follow_up = section(page(AZE16), "follow-up")
    assert "Selected for the follow-up procedure" in follow_up
    assert "by 2023-11-01" in follow_up and "not printed" not in follow_up
    assert "¶36, ¶60, ¶62" in follow_up


def test_a_deadline_derived_from_a_period_says_so(page):
    follow_up = section(page("/doc/CERD/C/URY/CO/21-23/para/18"), "follow-up")
    assert "by 2017-08-19" in follow_up
    assert "not printed: 1 year after the adoption on 2016-08-19" in follow_up
    assert "¶12, ¶24" in follow_up


def test_a_paragraph_not_selected_names_those_that_are(page):
    follow_up = section(page("/doc/CMW/C/ECU/CO/3/para/14"), "follow-up")
    assert follow_up.strip().startswith("Follow-up Not selected for the follow-up procedure")
    assert "¶13, ¶23, ¶25, ¶27" in follow_up and "2023-11-01" in follow_up


def test_a_document_without_follow_up_says_so(page):
    follow_up = section(page("/doc/CRC/C/NPL/CO/5-6/para/3"), "follow-up")
    assert "selects no paragraph for the follow-up procedure" in follow_up


ITEMS = [{"iri": "i/a", "label": "a", "texts": {"en": "(a) one;"}},
         {"iri": "i/b", "label": "b", "texts": {"en": "(b) two: (i) x; (ii) y;"}},
         {"iri": "i/b.i", "label": "b.i", "texts": {"en": "(i) x;"}},
         {"iri": "i/c", "label": "c", "texts": {"en": "(c) three."}}]


def test_split_items_shows_a_nested_item_inside_its_parent():
    layout = split_items("Lead: (a) one; (b) two: (i) x; (ii) y; (c) three. End.", "en", ITEMS)
    assert layout["lead"] == "Lead:"
    assert [item["label"] for item in layout["items"]] == ["a", "b", "c"]
    assert layout["items"][1]["text"] == "(b) two: (i) x; (ii) y;"
    assert layout["tail"] == "End."


def test_split_items_keeps_the_whole_text_when_an_item_is_not_in_it():
    layout = split_items("Lead: (a) one;", "en", [ITEMS[0], ITEMS[3]])
    assert layout["lead"] == "Lead: (a) one;"
    assert [item["label"] for item in layout["items"]] == ["c"]  # held apart, shown once
    assert split_items("Only text.", "fr", ITEMS) == {"lead": "Only text.", "items": [],
                                                      "tail": ""}


@pytest.mark.parametrize(("duration", "words"), [
    ("P1Y", "1 year"), ("P2Y", "2 years"), ("P18M", "18 months"), ("P1Y6M", "1 year, 6 months"),
    ("P90D", "90 days"), (None, None), ("soon", "soon")])
def test_period_words(duration, words):
    assert period_words(duration) == words


def test_documents_give_their_follow_up_procedure(web_client):
    documents = {d["symbol"]: d for d in web_client.get("/api/documents").json()["items"]}
    assert documents["CMW/C/AZE/CO/3"] | {
        "follow_up_paragraphs": [16, 36, 60, 62], "follow_up_deadline": "2023-11-01",
        "follow_up_deadline_derived": False} == documents["CMW/C/AZE/CO/3"]
    uruguay = documents["CERD/C/URY/CO/21-23"]
    assert uruguay["follow_up_deadline"] == "2017-08-19"
    assert uruguay["follow_up_deadline_derived"] is True
    nepal = documents["CRC/C/NPL/CO/5-6"]
    assert nepal["follow_up_paragraphs"] == [] and nepal["follow_up_deadline"] is None
    rows = web_client.get("/api/documents", params={"format": "csv", "state": "URY"}).text
    assert rows.splitlines()[1].endswith(",12|18|24,2017-08-19,true")


@pytest.mark.parametrize("q", [None, "the"])
def test_paragraphs_selected_for_follow_up(web_client, q):
    params = {"follow_up": "true", "language": "en", "limit": 100} | ({"q": q} if q else {})
    found = web_client.get("/api/paragraphs", params=params).json()["items"]
    expected = {("CERD/C/URY/CO/21-23", 12), ("CERD/C/URY/CO/21-23", 18),
                ("CERD/C/URY/CO/21-23", 24), ("CMW/C/ECU/CO/3", 13), ("CMW/C/ECU/CO/3", 23),
                ("CMW/C/ECU/CO/3", 25), ("CMW/C/ECU/CO/3", 27)}
    got = {(item["document"], item["number"]) for item in found}
    assert got == expected if q is None else got <= expected and got
    others = web_client.get("/api/recommendations", params={
        "follow_up": "false", "document": "CMW/C/AZE/CO/3", "limit": 100}).json()["items"]
    assert others and not {16, 36, 60, 62} & {item["number"] for item in others}


def test_an_article_page_names_it_by_treaty_and_number_and_says_it_has_no_title(page):
    text = page("/treaty/ICRMW/article/73")
    assert "<h1>ICRMW article 73</h1>" in text
    assert ("International Convention on the Protection of the Rights of All Migrant Workers "
            "and Members of Their Families") in text
    assert 'id="no-title"' in text and "not their titles" in text
