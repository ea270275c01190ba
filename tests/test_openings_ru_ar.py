"""Header metadata of the Russian and Arabic openings in ../shared/corpus, beyond the MANIFEST
columns: report numbers, meetings and their dates, the date of distribution, the State report
and summary records, each checked by reading the opening.  The artefacts each opening carries
(stray spaces in symbols, a misspelt prefix, Arabic-Indic digits, run-together header fields,
an old header layout, a header naming the wrong Convention) are what these tests are about."""
from __future__ import annotations

import pytest
from conftest import shared

from rightsgraph.extract.pipeline import extract_file

# file: expected values; a key left out is not stated by the opening (or not checked).
EXPECTED = {
    "10.ru.txt": {  # "сведенным воедино одиннадцатому и двенадцатому периодическим докладам"
        "report_numbers": [11, 12], "considered_at_meetings": [2598, 2599],
        "considered_on": ["2017-11-28", "2017-11-29"], "adopted_at_meeting": 2609,
        "adopted_on": "2017-12-06", "distributed_on": "2018-01-12", "original_language": "en",
        "state_party_report": "CERD/C/SVK/11-12",
        "summary_records": ["CERD/C/SR.2598", "CERD/C/SR.2599"]},
    "14.ru.txt": {  # "На своем 2670‑м заседании" (no-break hyphen)
        "report_numbers": [12, 13], "considered_at_meetings": [2652, 2653],
        "considered_on": ["2018-08-09", "2018-08-10"], "adopted_at_meeting": 2670,
        "adopted_on": "2018-08-23", "distributed_on": "2018-09-10",
        "state_party_report": "CERD/C/BIH/12-13"},
    "15.ru.txt": {  # "CCRP/C/SR.2692, 2693 и 2694", "(CCPR/C O /83/UZB)"
        "report_numbers": [3], "session": 98, "session_dates": ["2010-03-08", "2010-03-26"],
        "considered_at_meetings": [2692, 2693, 2694], "considered_on": ["2010-03-11", "2010-03-12"],
        "adopted_at_meeting": 2710, "adopted_on": "2010-03-24",
        "state_party_report": "CCPR/C/UZB/3",
        # the records of the consideration; SR.2710 is the adoption meeting's
        "summary_records": ["CCPR/C/SR.2692", "CCPR/C/SR.2693", "CCPR/C/SR.2694"],
        "previous_observations": ["CCPR/CO/83/UZB"]},
    "49.ru.txt": {
        "report_numbers": [1], "considered_at_meetings": [379, 380],
        "considered_on": ["2018-02-27", "2018-02-28"], "adopted_at_meeting": 391,
        "adopted_on": "2018-03-07", "distributed_on": "2018-04-09"},
    "50.ru.txt": {  # "C RPD/C/HRV/CO/1", empty "Original:"; adopted in the same sentence
        "report_numbers": [1], "considered_at_meetings": [178, 179],
        "considered_on": ["2015-03-30", "2015-03-31"], "adopted_at_meeting": 193,
        "adopted_on": "2015-04-13", "distributed_on": "2015-05-15", "original_language": None},
    "55.ru.txt": {
        "report_numbers": [5], "considered_at_meetings": [8, 10],
        "considered_on": ["2023-02-16", "2023-02-17"], "adopted_at_meeting": 30,
        "adopted_on": "2023-03-03"},
    "2.ar.txt": {  # "CERD/C/SR/1946", session "الخامسة والسبعون"
        "session": 75, "session_dates": ["2009-08-03", "2009-08-28"],
        "considered_at_meetings": [1946, 1947], "considered_on": ["2009-08-11", "2009-08-12"],
        "adopted_at_meeting": 1968, "adopted_on": "2009-08-26", "distributed_on": "2009-09-07",
        "state_party_report": "CERD/C/AZE/6",
        # the records of the consideration; SR.1968 is the adoption meeting's
        "summary_records": ["CERD/C/SR.1946", "CERD/C/SR.1947"]},
    "22.ar.txt": {  # old layout: "GENERAL", no "Distr."; "Original: ENGLISH"
        "report_numbers": [6], "session": 95, "considered_at_meetings": [2612, 2613],
        "considered_on": ["2009-03-25"], "adopted_at_meeting": 2625, "adopted_on": "2009-04-02",
        "distributed_on": "2009-05-07", "original_language": "en",
        "state_party_report": "CCPR/C/SWE/6",
        "previous_observations": ["CCPR/CO/74/SWE"]},
    "23.ar.txt": {  # paragraphs numbered "١-", "٢-"; dates in both kinds of digits
        "report_numbers": [3], "considered_at_meetings": [3351, 3352],
        "considered_on": ["2017-03-14", "2017-03-15"], "distributed_on": "2017-04-13",
        "state_party_report": "CCPR/C/BIH/3", "list_of_issues": "CCPR/C/BIH/QPR/3"},
    "24.ar.txt": {  # "E/C.12/BIH/CO/124 January 2006"; "جلساتها 41 إلى 43"
        "report_numbers": [1], "session": 35, "session_dates": ["2005-11-07", "2005-11-25"],
        "considered_at_meetings": [41, 42, 43], "considered_on": ["2005-11-14", "2005-11-15"],
        "adopted_at_meeting": 58, "adopted_on": "2005-11-25", "distributed_on": "2006-01-24",
        "state_party_report": "E/1990/5/Add.65",
        "summary_records": ["E/C.12/2005/SR.41", "E/C.12/2005/SR.42", "E/C.12/2005/SR.43"]},
    "28.ar.txt": {  # OPSC; "حزيران/يونيه" (the UN's spelling, not CLDR's)
        "treaty": "OP-CRC-SC", "report_numbers": [1], "session": 60,
        "session_dates": ["2012-05-29", "2012-06-15"], "considered_at_meetings": [1709],
        "considered_on": ["2012-06-05"], "adopted_at_meeting": 1725, "adopted_on": "2012-06-15",
        "distributed_on": "2012-09-24", "state_party_report": "CRC/C/OPSC/AUS/1"},
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_opening_metadata(name):
    doc = extract_file(shared("corpus", "openings", name))
    got = {key: getattr(doc, key) for key in EXPECTED[name]}
    assert got == EXPECTED[name]


def test_header_naming_another_convention_is_reported_not_trusted():
    doc = extract_file(shared("corpus", "openings", "49.ru.txt"))
    assert (doc.committee, doc.treaty) == ("CRPD", "CRPD")
    assert any("names the ICERD" in w for w in doc.warnings)


def test_stray_spaces_in_the_header_do_not_hide_the_convention():
    doc = extract_file(shared("corpus", "openings", "50.ru.txt"))  # "К онвенция о правах инвалидов"
    assert doc.symbol == "CRPD/C/HRV/CO/1"
    assert not any("names the" in w for w in doc.warnings)


def test_arabic_sections_items_and_digits():
    doc = extract_file(shared("corpus", "openings", "23.ar.txt"))
    assert [p.number for p in doc.paragraphs] == [1, 2, 3, 4]
    assert [p.section for p in doc.paragraphs] == [None, "A", "B", "B"]
    assert [item.label for item in doc.paragraph(3).items] == ["a", "b", "c", "d", "e"]


def test_run_together_symbol_and_date_are_split():
    doc = extract_file(shared("corpus", "openings", "24.ar.txt"))
    assert doc.symbol == "E/C.12/BIH/CO/1"
    assert not doc.symbol_derived
