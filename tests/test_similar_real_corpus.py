"""The reading of real UN text for the evaluation of similar recommendations
(benchmarks/real_corpus.py): the UPR recommendations to Slovenia, the compilations' explicit
links and the aligned en/ru pairs, as ``benchmarks.similar_eval --real`` uses them."""
from __future__ import annotations

import tomllib

from conftest import ROOT, shared

from benchmarks import real_corpus as rc


def test_every_numbered_recommendation_of_the_four_cycles_is_read_without_the_states():
    corpus = shared("corpus")
    names = rc._state_names()
    read = {symbol: rc.upr_recommendations(corpus, symbol, names) for symbol in rc.UPR_REPORTS}
    # the last number of each report's list (2010: paragraph 111, items 1-97)
    assert {s: len(r) for s, r in read.items()} == {
        "A/HRC/14/15": 97, "A/HRC/28/15": 163, "A/HRC/43/15": 215, "A/HRC/59/15": 254}
    assert read["A/HRC/59/15"][-1].id == "A/HRC/59/15 140.254"
    first = read["A/HRC/59/15"][0]
    assert "(Algeria)" in first.text and "Sri Lanka" in first.text
    assert first.ask == ("Ratify the International Convention on the Protection of the Rights "
                         "of All Migrant Workers and Members of Their Families")
    asks = [r.ask for recs in read.values() for r in recs]
    assert not [a for a in asks if "GE." in a or "have not been edited" in a]


def test_brackets_naming_states_go_and_others_stay():
    names = rc._state_names()
    text = ("To ratify (Spain, Tunisia, Portugal) the ILO Convention (No. 118) (Venezuela "
            "(Bolivarian Republic of)) (Russian Federation);")
    assert rc.without_states(text, names) == "To ratify the ILO Convention (No. 118)"


def test_the_compilations_endnotes_name_the_earlier_recommendations_of_each_heading():
    links = rc.compilation_links(shared("corpus"), "A/HRC/WG.6/34/SVN/2")
    by_heading = {link.heading: link for link in links}
    assert len(links) == 15
    equality = by_heading["Equality and non-discrimination"]
    assert equality.cited == "A/HRC/28/15"
    assert equality.recommendations[:4] == tuple(f"A/HRC/28/15 115.{n}" for n in (44, 45, 46, 47))
    assert equality.paragraphs[0][0] == "A/HRC/WG.6/34/SVN/2 para. 8"
    # "151.119–115.127" as printed (note 41): the range of 115
    slavery = by_heading["Prohibition of all forms of slavery"]
    assert slavery.recommendations[0] == "A/HRC/28/15 115.119"


def test_the_labelled_pairs_name_real_recommendations_of_their_part():
    corpus = shared("corpus")
    names = rc._state_names()
    cycle = {r.id: r.cycle for s in rc.UPR_REPORTS for r in rc.upr_recommendations(corpus, s,
                                                                                  names)}
    pairs = tomllib.loads((ROOT / "benchmarks" / "similar_labels.toml").read_text(
        encoding="utf-8"))["pair"]
    assert {p["part"] for p in pairs} == {"tuning", "held-out"}
    for pair in pairs:
        a, b = cycle[pair["a"]], cycle[pair["b"]]
        assert a < b and (b <= 3 if pair["part"] == "tuning" else b == 4), pair
        assert isinstance(pair["same"], bool) and pair["note"]


def test_the_aligned_pairs_are_numbered_paragraphs_in_both_languages():
    pairs = rc.aligned_pairs(shared("corpus"))
    assert len(pairs) == 95
    assert all(en.split(".")[0] == ru.split(".")[0] for en, ru in pairs)
