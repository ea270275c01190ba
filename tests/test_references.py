"""Reference cases as data: one file per language, ``tests/references/<lang>.toml``, so that a
new language is a phrase file plus a cases file.  Each case is read as a paragraph of a
document of its owner and must yield exactly the references it lists, each with the text it
matched; relation rows check how a paragraph treats an earlier recommendation, ibid rows what
an "Ibid." footnote stands for."""
from __future__ import annotations

import tomllib

import pytest
from conftest import ROOT

from rightsgraph.extract.language import phrases, supported
from rightsgraph.extract.model import Footnote
from rightsgraph.extract.references import Context, find_references
from rightsgraph.extract.resolve import ibid_references, prior_relation

HERE = ROOT / "tests" / "references"
CASES = {path.stem: tomllib.loads(path.read_text(encoding="utf-8"))
         for path in sorted(HERE.glob("*.toml"))}


def rows(table: str) -> list:
    return [pytest.param(lang, row, id=f"{lang}-{row.get('text', row.get('note'))[:40]}")
            for lang, data in CASES.items() for row in data.get(table, [])]


def test_every_language_has_cases():
    assert set(CASES) == set(supported())
    assert all(data.get("case") for data in CASES.values())


@pytest.mark.parametrize(("lang", "case"), rows("case"))
def test_references(lang, case):
    committee, treaty = CASES[lang]["owners"][case["owner"]]
    text = case["text"]
    found = find_references(text, Context(phrases(lang), committee, treaty), container="paragraph")
    assert sorted(f"{r.kind} {r.target}" for r in found) == sorted(case["expect"])
    for ref in found:
        assert text[ref.start:ref.end] == ref.text


@pytest.mark.parametrize(("lang", "row"), rows("relation"))
def test_prior_relation(lang, row):
    assert prior_relation(row["text"], None, phrases(lang)) == row["relation"]


@pytest.mark.parametrize(("lang", "row"), rows("ibid"))
def test_ibid(lang, row):
    note = Footnote("2", row["note"])
    found = ibid_references(note, row["previous"], phrases(lang))
    assert [f"{r.kind} {r.target}" for r in found] == row["expect"]
    for ref in found:
        assert row["note"].startswith(ref.text) and ref.container == "footnote"
