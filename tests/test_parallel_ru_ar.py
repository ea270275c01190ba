"""Parallel fixtures: the Russian and Arabic translations of the English CMW fixture
(paragraphs 1-14 with their footnotes, tests/fixtures/{ru,ar}/cmw_fixture.txt) give the same
links as the English text, and their RDF merges with the English version's into one set of
paragraph nodes with a text in each language."""
from __future__ import annotations

import pytest
from conftest import FIXTURES
from rdflib import Dataset, Literal

from rightsgraph.core import identifiers
from rightsgraph.core.links import SCORED
from rightsgraph.core.namespaces import HRO
from rightsgraph.extract.pipeline import extract_file
from rightsgraph.extract.triples import to_graph

SYMBOL = "CMW/C/ECU/CO/3"


def links(doc, paragraphs=None, sections=None):
    """(paragraph, kind, target, relation) of every link; headings have paragraph ""."""
    out = set()
    for paragraph, heading, ref in doc.references():
        if ref.kind not in SCORED:
            continue
        if paragraphs is not None and not (
                paragraph.number in paragraphs if paragraph else heading.section in sections):
            continue
        out.add((str(paragraph.number) if paragraph else "", ref.kind, ref.target, ref.relation))
    return out


@pytest.fixture(scope="module")
def english():
    return extract_file(FIXTURES / "en" / "cmw_fixture.txt")


@pytest.mark.parametrize("lang", ["ru", "ar"])
def test_same_links_as_english(lang, english):
    doc = extract_file(FIXTURES / lang / "cmw_fixture.txt")
    assert doc.language == lang
    assert (doc.symbol, doc.symbol_derived, doc.state) == (SYMBOL, True, "ECU")
    assert [p.number for p in doc.paragraphs] == list(range(1, 15))
    numbers = {p.number for p in doc.paragraphs}
    sections = {p.section for p in doc.paragraphs} | {h.section for h in doc.headings}
    expected = links(english, numbers, sections)
    assert len(expected) > 20
    assert links(doc) == expected
    for number in numbers:
        mine, theirs = doc.paragraph(number), english.paragraph(number)
        assert [i.label for i in mine.items] == [i.label for i in theirs.items]
        assert mine.section == theirs.section
        flags = ("recommendation", "concern", "positive")
        assert [getattr(mine, f) for f in flags] == [getattr(theirs, f) for f in flags], number


@pytest.mark.parametrize("lang", ["ru", "ar"])
def test_versions_merge_into_one_set_of_paragraphs(lang, english):
    merged = Dataset(default_union=True)
    for doc in (english, extract_file(FIXTURES / lang / "cmw_fixture.txt")):
        for quad in to_graph(doc).quads():
            merged.add(quad)
    para = identifiers.paragraph_uri(SYMBOL, 8)
    texts = {t.language for t in merged.objects(para, HRO.text) if isinstance(t, Literal)}
    assert texts == {"en", lang}
    paragraphs = set(merged.subjects(HRO.number, None))
    assert identifiers.paragraph_uri(SYMBOL, 14) in paragraphs
    assert not any(lang in str(p).split("/") for p in paragraphs)
