"""The synthetic corpus generator of the benchmarks writes what the extractor reads back."""
from __future__ import annotations

from benchmarks.synthetic import Generator, check
from rightsgraph.extract import extract_file


def test_every_link_written_is_extracted_and_nothing_else(tmp_path):
    problems = []
    for written in Generator(seed=7).generate(9):
        path = tmp_path / written.plan.file_name
        path.write_text(written.text, encoding="utf-8")
        assert sum(written.links.values()) > 50
        problems += check(written, path)
    assert problems == []


def test_same_seed_same_corpus_other_seed_other_corpus():
    first = [w.text for w in Generator(seed=3).generate(4)]
    assert first == [w.text for w in Generator(seed=3).generate(4)]
    assert first != [w.text for w in Generator(seed=4).generate(4)]


def test_later_cycles_reiterate_the_previous_ones(tmp_path):
    written = list(Generator(seed=1, cycles=3).generate(3))
    assert [w.plan.cycle for w in written] == [1, 2, 3]
    docs = []
    for w in written:
        path = tmp_path / w.plan.file_name
        path.write_text(w.text, encoding="utf-8")
        docs.append(extract_file(path))
    reiterated = {doc.symbol: {r.target for _, _, r in doc.references()
                               if r.kind == "prior" and r.relation == "reiterates"}
                  for doc in docs}
    co1, co2, co3 = (doc.symbol for doc in docs)
    assert not reiterated[co1]
    assert all(t.startswith(co1 + "#") for t in reiterated[co2])
    # two hops: a CO/3 paragraph reiterates a CO/2 paragraph that reiterates CO/1
    co2_reiterating = {f"{co2}#{p.number}" for p in docs[1].paragraphs
                       if any(r.kind == "prior" and r.relation == "reiterates"
                              for r in p.references + [r for f in p.footnotes
                                                       for r in docs[1].footnotes[f].references])}
    assert reiterated[co3] & co2_reiterating
