"""The HTML reader on pages that mimic OHCHR and the University of Minnesota mirror."""
from __future__ import annotations

import pytest
from conftest import FIXTURES
from html_builder import ohchr_page, umn_page
from test_gold import META, heading_articles, load_gold, paragraph_links

from rightsgraph.extract.output import model_dict
from rightsgraph.extract.pipeline import ExtractionError, extract_file
from rightsgraph.extract.readers import ReadError, detect_format, read

CERD = FIXTURES / "en" / "cerd_fixture.txt"


@pytest.fixture(scope="module", params=[ohchr_page, umn_page], ids=["ohchr", "umn"])
def page(request, tmp_path_factory):
    path = tmp_path_factory.mktemp("html") / "cerd.html"
    request.param(CERD, path)
    return path


def test_the_page_scores_the_gold_like_the_text(page):
    doc, gold = extract_file(page), load_gold(CERD.with_name("cerd_fixture.gold.json"))
    model = model_dict(doc)
    assert doc.format == "html"
    assert {k: model[k] for k in META if k in gold["document"]} == \
        {k: gold["document"][k] for k in META if k in gold["document"]}
    assert [p.number for p in doc.paragraphs] == [g["n"] for g in gold["paragraphs"]]
    text = extract_file(CERD)
    assert paragraph_links(doc) == paragraph_links(text)
    assert heading_articles(doc) == heading_articles(text)
    assert [[i.label for i in p.items] for p in doc.paragraphs] == \
        [[i.label for i in p.items] for p in text.paragraphs]


def test_site_chrome_is_not_text(page):
    text = "\n".join(b.text for b in read(page).blocks)
    for chrome in ("Treaty bodies", "Privacy policy", "Countries", "Home", "Search",
                   "dataLayer", "margin"):
        assert chrome not in text


def test_footnotes_are_read_and_attached(page):
    doc = extract_file(page)
    assert list(doc.footnotes) == ["1"]
    note = doc.footnotes["1"]
    assert note.text == "Adopted by the Committee at its ninetieth session (2–26 August 2016)."
    assert note.paragraph is None  # it sits on the title


def test_windows_1252_and_utf8_pages_decode(tmp_path):
    for charset, encoding in (("windows-1252", "cp1252"), ("utf-8", "utf-8")):
        path = tmp_path / f"{charset}.htm"
        path.write_bytes(
            f'<html><head><meta http-equiv="Content-Type" content="text/html; charset={charset}">'
            "</head><body><p>1. The Committee’s observations – 2016.</p></body></html>"
            .encode(encoding))
        assert read(path).blocks[0].text == "1. The Committee’s observations – 2016."


def test_a_page_without_charset_that_is_not_utf8_is_read_as_windows_1252(tmp_path):
    path = tmp_path / "old.html"
    path.write_bytes("<html><body><p>1. The Committee’s view.</p></body></html>".encode("cp1252"))
    source = read(path)
    assert source.blocks[0].text == "1. The Committee’s view."
    assert "windows-1252" in source.warnings[0]


def test_tables_become_rows_of_text(tmp_path):
    path = tmp_path / "table.html"
    path.write_text("<html><body><p>1. The Committee notes the data:</p><table>"
                    "<tr><th>Year</th><th>Cases</th></tr><tr><td>2015</td><td>12</td></tr>"
                    "</table></body></html>", encoding="utf-8")
    assert [b.text for b in read(path).blocks] == [
        "1. The Committee notes the data:", "Year\tCases", "2015\t12"]


def test_a_page_without_observations_is_refused(tmp_path):
    path = tmp_path / "search.html"
    path.write_text("<html><body><nav><a href='/'>Home</a></nav><h1>Search results</h1>"
                    "<p>No documents match.</p></body></html>", encoding="utf-8")
    with pytest.raises(ExtractionError, match=r"search\.html: no concluding-observations body"):
        extract_file(path)


def test_html_is_recognised_by_content_too(tmp_path):
    path = tmp_path / "page"
    path.write_text("<!DOCTYPE html><html><body><p>1. Text.</p></body></html>", encoding="utf-8")
    assert detect_format(path) == "html"
    with pytest.raises(ReadError):
        read(tmp_path / "missing.html")
