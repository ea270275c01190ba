"""The cheap check before a phrase regex (``extract/prefilter.py``) says "no match" only when
the regex has none: every phrase pattern the extractor guards, on every paragraph, footnote
and heading of the fixtures, the seed and the reference cases, and on texts made to trip
case folding ("İ", "ſ", the Kelvin sign, a final sigma)."""
from __future__ import annotations

import re
import tomllib

import pytest
from conftest import FIXTURES, ROOT

from rightsgraph.extract import prefilter
from rightsgraph.extract.language import phrases, supported
from rightsgraph.extract.pipeline import ExtractionError, extract_file
from rightsgraph.extract.references import _resolutions

GUARDED = [("articles", "mention"), ("ilo", "mention"), ("ilo", "protocol_years"),
           ("ilo", "protocol"), ("sdg", "mention"), ("general_comments", "head"),
           ("general_comments", "mention")]
TRICKY = ["İLO Conventions Nos. 97", "ARTİCLE 5", "artıcle 5 (a)", "Target 16.ſ9", "targetſ 16.9",
          "GENERAL COMMENT No. 3", "Σ ΣΑΣ ς σ", "the Committee recommends", "RECOMMENDS that it",
          "recommendſ the State party", "\u212aONVENTION (No. 189)", "concerned ſ about"]


def patterns(lang: str) -> list[re.Pattern[str]]:
    phr = phrases(lang)
    found = [phr.regex(section, key) for section, key in GUARDED]
    found += [phr.any_of("flags", flag) for flag in ("recommendation", "concern", "positive")]
    found += [pattern for pattern, _ in _resolutions(phr)]
    return [p for p in found if p is not None]


def texts() -> list[str]:
    out = list(TRICKY)
    files = sorted(FIXTURES.rglob("*.txt")) + sorted((ROOT / "seeds").glob("*.txt"))
    for path in files:
        try:
            doc = extract_file(path)
        except ExtractionError:
            continue
        out += [p.text for p in doc.paragraphs] + [f.text for f in doc.footnotes.values()]
        out += [h.text for h in doc.headings]
    for path in sorted((ROOT / "tests" / "references").glob("*.toml")):
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        out += [row["text"] for rows in data.values() if isinstance(rows, list)
                for row in rows if isinstance(row, dict) and "text" in row]
    return out


@pytest.fixture(scope="module")
def corpus() -> list[str]:
    return texts()


@pytest.mark.parametrize("lang", supported())
def test_no_match_is_never_missed(lang, corpus):
    pruned = 0
    for pattern in patterns(lang):
        for text in corpus + [t.upper() for t in corpus[:200]]:
            if not prefilter.may_match(pattern, text):
                pruned += 1
                assert pattern.search(text) is None, (pattern.pattern, text)
    assert pruned > 0  # the check does spare work


def test_case_folding_that_lowering_does_not_give():
    # "ſ" is "s" to re under IGNORECASE, not to str.lower: such a text is always tried
    pattern = re.compile(r"\btargets?\s+\d", re.IGNORECASE)
    assert pattern.search("targetſ 1") and prefilter.may_match(pattern, "targetſ 1")
    kelvin = re.compile(r"convention", re.IGNORECASE)
    assert kelvin.search("\u212aONVENTION".replace("\u212a", "C")) is not None
    assert prefilter.may_match(re.compile("k", re.IGNORECASE), "\u212a")
    assert not prefilter.may_match(re.compile(r"\bno\.\s*\d", re.IGNORECASE), "Nothing here")
    assert prefilter.may_match(re.compile(r"\bno\.\s*\d", re.IGNORECASE), "NO. 5")
