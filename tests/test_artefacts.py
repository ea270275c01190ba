"""Artefacts of copies found in the wild do not change what is extracted."""
from __future__ import annotations

import re

from conftest import FIXTURES

from rightsgraph.extract.output import link_rows
from rightsgraph.extract.pipeline import extract_file


def test_empty_footnote_placeholders_change_nothing(tmp_path):
    """Web copies print a footnote whose marker was lost as "( )"."""
    original = FIXTURES / "en" / "cmw_fixture.txt"
    text = original.read_text(encoding="utf-8")
    damaged = re.sub(r"(\n5\.\t[^.]*\.)", r"\1( )", text, count=1)
    damaged = re.sub(r"(\n12\.\t[^.]*\.)", r"\1 ( )", damaged, count=1)
    assert damaged.count("( )") == 2
    path = tmp_path / "placeholders.txt"
    path.write_text(damaged, encoding="utf-8")
    before, after = extract_file(original), extract_file(path)
    assert link_rows(after) == link_rows(before)
    assert [(p.number, [i.label for i in p.items]) for p in after.paragraphs] == \
        [(p.number, [i.label for i in p.items]) for p in before.paragraphs]
