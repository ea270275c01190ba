"""Header metadata of all real openings in ../shared/corpus (English, Chinese, French, Spanish,
Russian, Arabic) against their MANIFEST rows.  A symbol marked "?" is not printed: the
extractor may only derive it (and must say so), never read it from nowhere.  Openings that
are not concluding observations must be reported as such."""
from __future__ import annotations

import csv

import pytest
from conftest import SHARED

from rightsgraph.extract.pipeline import ExtractionError, extract_file


def manifest_rows() -> list[dict[str, str]]:
    path = SHARED / "corpus" / "MANIFEST.tsv"
    if not path.exists():
        return []
    with open(path, encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t"))
    return [r for r in rows if r["file"].startswith("openings/")
            and r["language"] in ("en", "zh", "fr", "es", "ru", "ar")]


ROWS = manifest_rows()
NOT_CO = {r["file"] for r in ROWS if "not a CO" in r["notes"]}


@pytest.mark.skipif(not ROWS, reason="../shared/corpus not available")
@pytest.mark.parametrize("row", ROWS, ids=[r["file"] for r in ROWS])
def test_opening_header_matches_manifest(row):
    path = SHARED / "corpus" / row["file"]
    if row["file"] in NOT_CO:
        try:
            doc = extract_file(path)
        except ExtractionError as err:
            assert "concluding observations" in str(err)
            return
        assert doc.document_type != "concluding observations"
        assert any("not concluding observations" in w for w in doc.warnings)
        return
    doc = extract_file(path)
    assert doc.language == row["language"]
    assert doc.committee == row["committee"]
    assert doc.state == row["state"]
    assert doc.document_type == "concluding observations"
    symbol = row["symbol"]
    if symbol.endswith("?"):
        assert doc.symbol in (None, symbol[:-1])
        assert doc.symbol is None or doc.symbol_derived
    elif " " not in symbol:
        assert doc.symbol == symbol
    assert doc.truncated, "openings are cut mid-text; the extractor must say so"
