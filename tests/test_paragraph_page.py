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
