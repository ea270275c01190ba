"""Addenda to concluding observations (the State's follow-up information or comments, symbol
``…/CO/6/Add.1``) are recognised as such, not labelled concluding observations."""
from __future__ import annotations

import pytest
from conftest import FIXTURES

from rightsgraph.extract.pipeline import extract_file

ADDENDA = sorted((FIXTURES / "addenda").glob("*.txt"))


@pytest.mark.parametrize("path", ADDENDA, ids=[p.stem for p in ADDENDA])
def test_addendum_is_not_concluding_observations(path):
    doc = extract_file(path)
    assert doc.symbol.endswith("/Add.1")
    assert doc.document_type == "other"
    assert any("not concluding observations" in w for w in doc.warnings)
