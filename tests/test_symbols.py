"""Treaty-body document symbols of every era: the forms (data in rightsgraph/core/symbols.toml,
``[[series]]``), what ``parse_symbol`` reads from each, how the finder reads them as PDFs and
web copies print them, and a document's own old-form symbol read from an old header in each
of the six languages (committee from the symbol's prefix, State from the title)."""
from __future__ import annotations

import pytest
from conftest import FIXTURES

from rightsgraph.core import identifiers, registries
from rightsgraph.extract.language import phrases
from rightsgraph.extract.pipeline import extract_file
from rightsgraph.extract.references import find_symbol_mentions

# printed, committee, State, kind, series, session, number, revision, base (None: as printed)
FORMS = [
    # the current form: committee, State and reports in the symbol
    ("CMW/C/AZE/CO/2", "CMW", "AZE", "concluding observations", None, None, None, None, None),
    ("CERD/C/URY/CO/16-20", "CERD", "URY", "concluding observations", None, None, None, None,
     None),
    ("CED/C/MEX/OAI/1", "CED", "MEX", "concluding observations", None, None, None, None, None),
    # numbered addenda of one document: no State
    ("CRC/C/15/Add.240", "CRC", None, "concluding observations", "CRC/C/15/Add.N", None, 240,
     None, None),
    ("E/C.12/1/Add.94", "CESCR", None, "concluding observations", "E/C.12/1/Add.N", None, 94,
     None, None),
    ("CCPR/C/79/Add.38", "CCPR", None, "concluding observations", "CCPR/C/79/Add.N", None, 38,
     None, None),
    ("CERD/C/304/Add.12", "CERD", None, "concluding observations", "CERD/C/304/Add.N", None, 12,
     None, None),
    # session-numbered
    ("CCPR/CO/79/RUS", "CCPR", "RUS", "concluding observations", "CCPR/CO/N/STATE", 79, None,
     None, None),
    ("CAT/C/CR/33/3", "CAT", None, "concluding observations", "CAT/C/CR/N/N", 33, 3, None, None),
    ("CERD/C/63/CO/10", "CERD", None, "concluding observations", "CERD/C/N/CO/N", 63, 10, None,
     None),
    # chapters of annual reports to the General Assembly, one section per State
    ("A/59/38", "CEDAW", None, "annual report", "A/N/38", 59, None, None, None),
    ("A/60/40", "CCPR", None, "annual report", "A/N/40", 60, None, None, None),
    ("A/49/41", "CRC", None, "annual report", "A/N/41", 49, None, None, None),
    ("A/60/44", "CAT", None, "annual report", "A/N/44", 60, None, None, None),
    ("A/49/18", "CERD", None, "annual report", "A/N/18", 49, None, None, None),
    # artefacts of real files: case, revisions, corrigenda, follow-up replies, spaces, breaks
    ("CCPR/C/79/ADD.38/REV.1", "CCPR", None, "concluding observations", "CCPR/C/79/Add.N", None,
     38, "Rev.1", "CCPR/C/79/Add.38"),
    ("CRC/C/15/Add.240/Rev.1", "CRC", None, "concluding observations", "CRC/C/15/Add.N", None,
     240, "Rev.1", "CRC/C/15/Add.240"),
    ("CERD/C/USA/CO/6/Corr.1", "CERD", None, "corrigendum", None, None, None, "Corr.1",
     "CERD/C/USA/CO/6"),
    ("CCPR/C/RUS/CO/6/Add.1", "CCPR", None, "follow-up", None, None, None, None,
     "CCPR/C/RUS/CO/6"),
    ("CCPR/CO/79/RUS/Add.1", "CCPR", None, "follow-up", "CCPR/CO/N/STATE", 79, None, None,
     "CCPR/CO/79/RUS"),
    ("CRC/C/15/\nAdd. 240", "CRC", None, "concluding observations", "CRC/C/15/Add.N", None, 240,
     None, "CRC/C/15/Add.240"),
    ("\u0421RC/C/15/Add. 183", "CRC", None, "concluding observations", "CRC/C/15/Add.N", None,
     183, None, "CRC/C/15/Add.183"),
    ("C RPD/C/HRV/CO/1", "CRPD", "HRV", "concluding observations", None, None, None, None,
     "CRPD/C/HRV/CO/1"),
    # not concluding observations
    ("A/HRC/39/14", None, None, None, None, None, None, None, None),
    ("CRC/C/SR.380", None, None, None, None, None, None, None, None),
    ("A/59/37", None, None, None, None, None, None, None, None),
]


@pytest.mark.parametrize(
    ("printed", "committee", "state", "kind", "series", "session", "number", "revision", "base"),
    FORMS, ids=[f[0] for f in FORMS])
def test_parse_symbol_of_every_era(printed, committee, state, kind, series, session, number,
                                   revision, base):
    parts = identifiers.parse_symbol(printed)
    expected_base = None if kind is None else (base or printed)
    assert (parts["committee"], parts["state"], parts["kind"], parts["series"], parts["session"],
            parts["number"], parts["revision"], parts["base"]) == (
        committee, state, kind, series, session, number, revision, expected_base)


@pytest.mark.parametrize(
    ("symbol", "committee", "protocol", "state", "numbers"),
    [
        ("CMW/C/AZE/CO/2", "CMW", None, "AZE", [2]),
        ("CERD/C/URY/CO/16-20", "CERD", None, "URY", [16, 17, 18, 19, 20]),
        ("E/C.12/DEU/CO/6", "CESCR", None, "DEU", [6]),
        ("CRC/C/OPAC/IND/CO/1", "CRC", "OPAC", "IND", [1]),
        ("CRC/C/NZL/CO/3-4", "CRC", None, "NZL", [3, 4]),
        ("CCPR/CO/79/RUS", "CCPR", None, "RUS", None),  # the number is a session
        ("CRC/C/15/Add.183", "CRC", None, None, None),  # the State is in the title only
    ],
)
def test_parse_symbol_report_numbers(symbol, committee, protocol, state, numbers):
    parts = identifiers.parse_symbol(symbol)
    assert (parts["committee"], parts["protocol"], parts["state"], parts["report_numbers"]) == (
        committee, protocol, state, numbers)


# --- the series data itself -----------------------------------------------------------


SERIES = identifiers.symbol_series()


@pytest.mark.parametrize("series", SERIES, ids=[s.name for s in SERIES])
def test_each_series_is_well_formed(series):
    assert series.committee in registries.load().committees
    assert series.kind in ("concluding observations", "annual report")
    assert series.source == f"https://undocs.org/{series.example}"
    assert series.pattern.fullmatch(series.example), "the example is of its own series"
    others = [s.name for s in SERIES if s is not series and s.pattern.fullmatch(series.example)]
    assert not others, "two series would claim one symbol"
    assert identifiers.parse_symbol(series.example)["series"] == series.name


def test_every_committee_that_reported_before_2008_has_an_old_series():
    committees = {s.committee for s in SERIES if s.kind == "concluding observations"}
    assert committees >= {"CRC", "CESCR", "CCPR", "CAT", "CERD"}
    reports = {s.committee for s in SERIES if s.kind == "annual report"}
    assert reports >= {"CEDAW", "CCPR", "CAT", "CERD", "CRC"}


# --- cited: as the six languages print a pinpointed citation --------------------------

CITED = [
    ("en", "(CRC/C/15/Add.240, para. 5)", "CRC/C/15/Add.240", ["5"]),
    ("en", "(see E/C.12/1/Add.94, paras. 12 and 14)", "E/C.12/1/Add.94", ["12", "14"]),
    ("en", "(CCPR/C/79/Add. 38, para. 9)", "CCPR/C/79/Add.38", ["9"]),
    ("en", "(CCPR/CO/79/\nRUS, para. 4)", "CCPR/CO/79/RUS", ["4"]),
    ("en", "(CAT/C/CR/33/3, para. 6)", "CAT/C/CR/33/3", ["6"]),
    ("en", "(CERD/C/63/CO/10, para. 11)", "CERD/C/63/CO/10", ["11"]),
    ("en", "(CERD/C/304/Add.\n12, para. 7)", "CERD/C/304/Add.12", ["7"]),
    ("en", "(A/59/38, paras. 52-54)", "A/59/38", ["52", "53", "54"]),
    ("en", "(CCPR/C/79/ADD.38/REV.1, para. 9)", "CCPR/C/79/Add.38/Rev.1", ["9"]),
    ("fr", "(CRC/C/15/Add.240, par. 5)", "CRC/C/15/Add.240", ["5"]),
    ("fr", "(E/C.12/1/Add. 94, paragraphes 12 et 14)", "E/C.12/1/Add.94", ["12", "14"]),
    ("fr", "(CAT/C/CR/33/3, par. 6)", "CAT/C/CR/33/3", ["6"]),
    ("fr", "(A/59/38, par. 52 à 54)", "A/59/38", ["52", "53", "54"]),
    ("es", "(CRC/C/15/Add.240, párr. 5)", "CRC/C/15/Add.240", ["5"]),
    ("es", "(CCPR/CO/79/RUS, párrs. 4 y 6)", "CCPR/CO/79/RUS", ["4", "6"]),
    ("es", "(CERD/C/63/CO/10, párr. 11)", "CERD/C/63/CO/10", ["11"]),
    ("ru", "(CRC/C/15/Add.240, пункт 5)", "CRC/C/15/Add.240", ["5"]),
    ("ru", "(CCPR/C/79/Add.38, пункты 9 и 12)", "CCPR/C/79/Add.38", ["9", "12"]),
    ("ru", "(\u0421AT/C/CR/33/3, пункт 6)", "CAT/C/CR/33/3", ["6"]),
    ("ar", "(CRC/C/15/Add.240، الفقرة 5)", "CRC/C/15/Add.240", ["5"]),
    ("ar", "(E/C.12/1/Add.94، الفقرتان 12 و14)", "E/C.12/1/Add.94", ["12", "14"]),
    ("ar", "(CERD/C/63/CO/10، الفقرة 11)", "CERD/C/63/CO/10", ["11"]),
    ("zh", "(CRC/C/15/Add.240，第5段)", "CRC/C/15/Add.240", ["5"]),
    ("zh", "(CCPR/CO/79/RUS，第4和第6段)", "CCPR/CO/79/RUS", ["4", "6"]),
    ("zh", "(CAT/C/CR/33/3，第6段)", "CAT/C/CR/33/3", ["6"]),
]


@pytest.mark.parametrize(("lang", "text", "symbol", "pinpoints"), CITED,
                         ids=[f"{c[0]}-{c[2]}" for c in CITED])
def test_cited_old_symbol_in_every_language(lang, text, symbol, pinpoints):
    found = find_symbol_mentions(text, phrases(lang))
    assert [(s.symbol, s.pinpoints) for s in found] == [(symbol, pinpoints)]


# --- the document's own symbol in an old header, in every language ---------------------

OWN = [
    ("CRC/C/15/Add.77", "CRC/C/15/Add.77", "CRC"),
    ("E/C.12/1/Add.94", "E/C.12/1/Add.94", "CESCR"),
    ("CCPR/C/79/Add.38", "CCPR/C/79/Add.38", "CCPR"),
    ("CCPR/CO/79/AZE", "CCPR/CO/79/AZE", "CCPR"),
    ("CAT/C/CR/33/3", "CAT/C/CR/33/3", "CAT"),
    ("CERD/C/63/CO/10", "CERD/C/63/CO/10", "CERD"),
    ("CERD/C/304/Add.12", "CERD/C/304/Add.12", "CERD"),
    ("CCPR/C/79/ADD.38/REV.1", "CCPR/C/79/Add.38/Rev.1", "CCPR"),
    ("CRC/C/15/\nAdd.77", "CRC/C/15/Add.77", "CRC"),  # broken over two lines, as PDFs do
]

# Old headers ("Distr. GENERAL", "Original: ENGLISH", capitals, the session in the heading,
# no list of meetings), written for these tests in each language (fixtures/eras/README.md);
# {symbol} and {committee} are filled in.
HEADERS = {path.name.split(".")[1]: path.read_text(encoding="utf-8")
           for path in sorted((FIXTURES / "eras").glob("old_header.*.txt"))}


def test_an_old_header_in_each_language():
    assert sorted(HEADERS) == ["ar", "en", "es", "fr", "ru", "zh"]


@pytest.mark.parametrize("lang", sorted(HEADERS))
@pytest.mark.parametrize(("printed", "symbol", "committee"), OWN, ids=[o[1] for o in OWN])
def test_own_old_symbol_in_every_language(tmp_path, lang, printed, symbol, committee):
    name = registries.load().committees[committee].names[lang]
    text = HEADERS[lang].format(symbol=printed,
                                committee=name.upper() if lang in ("en", "fr", "es", "ru")
                                else name)
    path = tmp_path / f"old.{lang}.txt"
    path.write_text(text, encoding="utf-8")
    doc = extract_file(path)
    assert (doc.language, doc.symbol, doc.symbol_derived, doc.committee, doc.state,
            doc.document_type) == (lang, symbol, False, committee, "AZE",
                                   "concluding observations")
    # every field the old header prints
    assert (doc.session, doc.report_numbers, doc.original_language, doc.distributed_on,
            doc.considered_at_meetings, doc.adopted_at_meeting, doc.adopted_on) == (
        33, [1], "en", "2003-06-18", [380, 381], 395, "2003-06-06")
