"""Procedural paragraphs (extract/procedural.py): the phrase data of every language, and the
cases of tests/procedural/cases.toml (real and hand-translated paragraphs with their
headings, and the kind each must be given)."""
from __future__ import annotations

import re
import tomllib

import pytest
from conftest import ROOT

from rightsgraph.extract.language import phrase_data, supported
from rightsgraph.extract.procedural import KINDS, procedural_kind

CASES = tomllib.loads((ROOT / "tests" / "procedural" / "cases.toml").read_text(
    encoding="utf-8"))["case"]


@pytest.mark.parametrize("language", supported())
def test_every_language_names_every_kind_by_heading_and_by_text(language):
    table = phrase_data(language)["procedural"]
    assert set(table) == {"headings", "text"}
    for where in ("headings", "text"):
        assert set(table[where]) == set(KINDS), (language, where)
        for kind, patterns in table[where].items():
            assert patterns and all(isinstance(p, str) for p in patterns), (language, kind)
            for pattern in patterns:
                re.compile(pattern)


@pytest.mark.parametrize("language", supported())
def test_every_language_has_a_case_of_every_kind_and_of_substance(language):
    kinds = {case["kind"] for case in CASES if case["language"] == language}
    assert kinds == {*KINDS, ""}, language


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c['language']}-{c['kind'] or 'substance'}"
                         f"-{c['source'][-9:]}")
def test_each_case_gets_its_kind_from_its_headings_and_from_its_text(case):
    expected = case["kind"] or None
    assert procedural_kind(case["language"], case["text"], case["headings"]) == expected
    assert procedural_kind(case["language"], case["text"]) == (case["text_kind"] or None)


def test_the_innermost_heading_decides():
    headings = ["Next periodic report", "Dissemination and follow-up"]
    assert procedural_kind("en", "The Committee requests …", headings) == "reporting"
    # a specific ratification under a general heading on ratification stays substance only
    # when the heading is specific: "Ratification of relevant instruments" names no kind
    assert procedural_kind("en", "Consider ratifying ILO Convention No. 97.",
                           ["Ratification of relevant instruments"]) is None


def test_a_language_without_phrase_data_has_no_procedural_paragraphs():
    assert procedural_kind("xx", "submit its next periodic report", ["Next report"]) is None


def test_the_recurrence_view_reads_the_headings_above_a_paragraph_from_the_graph(web_store):
    """The seed's closing paragraphs (CMW/C/AZE/CO/3, zh) are procedural by their headings
    alone, as the recurrence view reads them (api/recurring.HEADINGS, innermost first)."""
    from rightsgraph.api.recurring import HEADINGS
    from rightsgraph.core import identifiers
    from rightsgraph.core import sparql as sp
    from rightsgraph.graph.store import open_store

    numbers = {62: None, 63: "dissemination", 64: "assistance", 65: "follow_up",
               66: "reporting"}
    iris = {str(identifiers.paragraph_uri("CMW/C/AZE/CO/3", n)): n for n in numbers}
    with open_store(web_store, read_only=True) as store:
        rows = list(store.query(sp.bind(HEADINGS, members=sp.values("p", list(iris)))).rows())
    above: dict[int, list[tuple[int, str]]] = {n: [] for n in numbers}
    for row in rows:
        above[iris[row["p"]]].append((int(row["depth"]), row["heading"]))
    for n, kind in numbers.items():
        headings = [h for _, h in sorted(above[n])]
        assert headings, n
        assert procedural_kind("zh", "", headings) == kind, (n, headings)
