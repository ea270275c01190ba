"""Documents of every era (tests/fixtures/eras, written for the tests): a 1990s CRC document
with an ``Add.`` symbol, a 2000s CCPR ``CCPR/CO/…`` document, a recent CRC document citing
the first under its old symbol (reiterates, recalls, non-implementation, plain citation), and
a CEDAW annual-report chapter holding two States, each against its gold."""
from __future__ import annotations

import json
import runpy
from collections import defaultdict

import pytest
from conftest import FIXTURES, ROOT, SHARED

from rightsgraph.core.known_symbols import KnownSymbols
from rightsgraph.extract.output import link_rows, model_dict
from rightsgraph.extract.pipeline import ExtractionError, extract_file, known_entry
from rightsgraph.extract.triples import to_graph
from rightsgraph.graph.validate import validate

ERAS = FIXTURES / "eras"
CASES = ["crc_1996_add", "ccpr_2003_co", "crc_2012_cites_old"]
FIELDS = {"article": "articles", "ilo": "ilo", "sdg": "sdg", "prior": "prior_recommendations",
          "general_comment": "general_comments", "document": "documents"}


def extracted_together() -> dict[str, object]:
    """The fixtures extracted as ``rightsgraph extract`` (or a build) reads them together:
    each knows whose observations the others are."""
    docs = {name: extract_file(ERAS / f"{name}.txt") for name in CASES}
    known = KnownSymbols().adding(e for d in docs.values() if (e := known_entry(d)))
    return {name: extract_file(ERAS / f"{name}.txt", known=known) for name in CASES}


DOCS = extracted_together()


def gold(name: str) -> dict:
    return json.loads((ERAS / f"{name}.gold.json").read_text(encoding="utf-8"))


def paragraph_links(doc) -> dict[int, dict[str, set[str]]]:
    links: dict[int, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for row in link_rows(doc):
        if row["paragraph"] and row["relation"] in FIELDS:
            links[int(row["paragraph"])][FIELDS[row["relation"]]].add(row["target"])
    return links


@pytest.mark.parametrize("name", CASES)
def test_metadata_matches_the_gold(name):
    model, want = model_dict(DOCS[name]), gold(name)["document"]
    got = {key: model.get(key) for key in want if key in model}
    assert got == {key: value for key, value in want.items() if key in model}
    assert (len(DOCS[name].paragraphs), len(DOCS[name].footnotes)) == (
        want["paragraph_count"], want["footnote_count"])


@pytest.mark.parametrize("name", CASES)
def test_paragraphs_and_links_match_the_gold(name):
    links = paragraph_links(DOCS[name])
    for para in gold(name)["paragraphs"]:
        found = DOCS[name].paragraph(para["n"])
        assert (found.section, found.recommendation, found.concern, found.positive,
                [i.label for i in found.items]) == (
            para["section"], para["recommendation"], para["concern"], para["positive"],
            para["items"]), para["n"]
        assert {f: links[para["n"]][f] for f in FIELDS.values()} == {
            f: set(para[f]) for f in FIELDS.values()}, para["n"]


def test_the_relations_stated_to_the_old_observations():
    doc = DOCS["crc_2012_cites_old"]
    relations = {r.target: r.relation for p in doc.paragraphs for r in p.references
                 if r.kind == "prior"}
    assert relations == {"CRC/C/15/Add.77#6": "reiterates", "CRC/C/15/Add.77#7": "recalls",
                         "CRC/C/15/Add.77#5": "notes_non_implementation",
                         "CRC/C/15/Add.77#3": "cites", "CRC/C/AZE/CO/2#23": "reiterates"}


def test_alone_the_document_itself_says_whose_the_old_symbol_is():
    """Read alone, the plain citation of paragraph 7 is an earlier recommendation too: other
    paragraphs call CRC/C/15/Add.77 the committee's previous observations."""
    doc = extract_file(ERAS / "crc_2012_cites_old.txt")
    assert [(r.kind, r.target, r.relation) for r in doc.paragraph(7).references
            if "Add.77" in r.target] == [("prior", "CRC/C/15/Add.77#3", "cites")]


def test_old_documents_are_not_called_truncated():
    """The 1990s CRC asks for no next report; the 2000s CCPR asks for it inside its follow-up
    paragraph: complete documents both."""
    assert not DOCS["crc_1996_add"].truncated and not DOCS["ccpr_2003_co"].truncated
    assert any("no date found for the next report" in w for w in DOCS["crc_1996_add"].warnings)


@pytest.mark.parametrize("name", CASES)
def test_graphs_of_every_era_conform(name):
    """Periods ("within one year": P1Y and the derived deadline) validate, as do the older
    symbols cited as earlier recommendations (their State is the document's)."""
    dataset = to_graph(DOCS[name])
    report = validate(dataset)
    assert report.conforms, report.text()


def test_an_annual_report_chapter_of_two_states_is_refused_by_name():
    with pytest.raises(ExtractionError) as err:
        extract_file(ERAS / "cedaw_a59_38.txt")
    message = str(err.value)
    assert "cedaw_a59_38.txt" in message and "A/59/38 is an annual report of CEDAW" in message
    assert "A/N/38" in message and "ALB from paragraph 52" in message
    assert "ECU from paragraph 58" in message


def test_one_states_section_of_an_annual_report_is_read():
    """A/49/41 (CRC's annual report, 1994), Rwanda's section only (bayefsky.com copy):
    consideration and adoption kept apart."""
    path = SHARED / "corpus" / "openings" / "48.en.txt"
    if not path.exists():
        pytest.skip("../shared/corpus not available")
    doc = extract_file(path)
    assert (doc.symbol, doc.committee, doc.state) == ("A/49/41", "CRC", "RWA")
    assert (doc.considered_at_meetings, doc.considered_on, doc.adopted_at_meeting,
            doc.adopted_on) == ([97, 98], ["1993-10-05"], 103, "1993-10-08")
    assert doc.summary_records == ["CRC/C/SR.97", "CRC/C/SR.98"]


def test_the_quality_table_of_the_readme():
    """tools/score_table.py (the README's table): every gold in every language scored."""
    tool = runpy.run_path(str(ROOT / "tools" / "score_table.py"))
    counts, names = tool["score"]()
    assert sorted(names) == sorted(["en", "fr", "es", "ru", "ar", "zh"]) or not SHARED.exists()
    table = tool["table"](counts, names)
    assert "| prior |" in table and "(written for the tests)" in table
    missed = {key: c for key, c in counts.items() if c["fp"] or c["fn"]}
    assert not missed, missed
