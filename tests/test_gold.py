"""The extractor against hand-annotated gold standards: the seed (Chinese, ../shared/gold)
and the English fixtures (tests/fixtures/en), as plain text, rebuilt as DOCX and as PDF."""
from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

import pytest
from conftest import FIXTURES, SEED, shared
from docx_builder import docx_from_export

from rightsgraph.extract.output import link_rows, model_dict
from rightsgraph.extract.pipeline import extract_file

GOLD_FIELDS = {"article": "articles", "ilo": "ilo", "sdg": "sdg", "prior": "prior_recommendations",
               "general_comment": "general_comments", "document": "documents"}
META = ("symbol", "committee", "treaty", "state", "language", "report_numbers", "session",
        "adopted_on", "considered_at_meetings", "considered_on", "adopted_at_meeting",
        "state_party_report", "list_of_issues", "summary_records", "follow_up_paragraphs",
        "follow_up_deadline", "next_report_due", "next_report_numbers", "previous_observations",
        "original_language", "paragraph_count", "footnote_count", "session_dates")


def cases() -> list[tuple[Path, Path]]:
    en = sorted(FIXTURES.glob("en/*_fixture.txt"))
    return [(SEED, Path("gold/CMW_C_AZE_CO_3.zh.json"))] + [
        (f, f.with_name(f.stem + ".gold.json")) for f in en]


def load_gold(path: Path) -> dict:
    if not path.is_absolute():
        path = shared(*path.parts)
    return json.loads(path.read_text(encoding="utf-8"))


def paragraph_links(doc) -> dict[int, dict[str, set[str]]]:
    links: dict[int, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for row in link_rows(doc):
        if row["paragraph"]:
            links[int(row["paragraph"])][row["relation"]].add(row["target"])
    return links


def heading_articles(doc) -> set[str]:
    return {row["target"] for row in link_rows(doc)
            if not row["paragraph"] and row["relation"] == "article"}


def pdf_cases() -> list[tuple[Path, Path]]:
    """The English fixtures as PDFs (LibreOffice, tools/build_pdf_fixtures.py): same gold."""
    return [(f, FIXTURES / "en" / (f.stem + ".gold.json"))
            for f in sorted(FIXTURES.glob("en/pdf/*_fixture.pdf"))]


@pytest.fixture(scope="module", params=cases() + pdf_cases(),
                ids=lambda c: f"{c[0].stem}{c[0].suffix}")
def case(request):
    source, gold_path = request.param
    return extract_file(source), load_gold(gold_path)


def test_metadata(case):
    doc, gold = case
    model = model_dict(doc)
    wrong = {k: (model.get(k), gold["document"][k]) for k in META
             if k in gold["document"] and model.get(k) != gold["document"][k]}
    assert not wrong, f"metadata fields differ (got, want): {wrong}"


def test_paragraphs_flags_and_items(case):
    doc, gold = case
    assert [p.number for p in doc.paragraphs] == [g["n"] for g in gold["paragraphs"]]
    for p, g in zip(doc.paragraphs, gold["paragraphs"], strict=True):
        got = (p.recommendation, p.concern, p.positive, [i.label for i in p.items], p.section)
        want = (g["recommendation"], g["concern"], g["positive"], g["items"], g["section"])
        assert got == want, f"paragraph {p.number}: got {got}, want {want}"


def test_paragraph_links(case):
    doc, gold = case
    found = paragraph_links(doc)
    for g in gold["paragraphs"]:
        for relation, field in GOLD_FIELDS.items():
            assert found[g["n"]][relation] == set(g[field]), \
                f"paragraph {g['n']} {relation}: got {sorted(found[g['n']][relation])}"


def test_heading_links(case):
    doc, gold = case
    want = {a for s in gold["sections"].values() for a in s["articles"]}
    want |= {a for arts in gold.get("subheading_articles", {}).values() for a in arts}
    assert heading_articles(doc) == want


def test_every_reference_keeps_its_text_and_span(case):
    doc, _ = case
    for paragraph, heading, ref in doc.references():
        container = (heading.text if heading else doc.footnotes[ref.footnote].text
                     if ref.container == "footnote" else paragraph.text)
        assert container[ref.start:ref.end] == ref.text and ref.text, ref


@pytest.mark.parametrize("numbered", [False, True], ids=["typed-numbers", "word-numbering"])
@pytest.mark.parametrize("source", [c[0] for c in cases()], ids=lambda p: p.stem)
def test_docx_gives_the_same_links_as_text(tmp_path, source, numbered):
    """A DOCX with real footnotes (and optionally Word numbering) extracts like its text."""
    docx = tmp_path / f"{source.stem}.docx"
    docx_from_export(source, docx, numbered=numbered)
    from_text, from_docx = extract_file(source), extract_file(docx)
    assert from_docx.format == "docx"
    for key in ("symbol", "state", "report_numbers", "adopted_on", "follow_up_paragraphs"):
        assert getattr(from_docx, key) == getattr(from_text, key), key
    assert paragraph_links(from_docx) == paragraph_links(from_text)
    assert [len(p.items) for p in from_docx.paragraphs] == \
        [len(p.items) for p in from_text.paragraphs]


@pytest.mark.parametrize("source", [c[0] for c in pdf_cases()], ids=lambda p: p.stem)
def test_pdf_gives_the_same_footnotes_as_text(source):
    """Footnotes read from page bottoms sit where the text export puts them."""
    from_pdf = extract_file(source)
    from_text = extract_file(FIXTURES / "en" / f"{source.stem}.txt")
    assert from_pdf.format == "pdf" and not from_pdf.warnings
    assert [(f.paragraph, f.item) for f in from_pdf.footnotes.values()] == \
        [(f.paragraph, f.item) for f in from_text.footnotes.values()]
    assert [f.text for f in from_pdf.footnotes.values()] == \
        [f.text.lstrip("*").strip() for f in from_text.footnotes.values()]
