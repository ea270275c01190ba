"""Header metadata of the French and Spanish openings beyond the MANIFEST columns: values read
by hand from each opening in ../shared/corpus/openings (report numbers, session, dates,
meetings, State report), and the parallel versions of one document agreeing field by field."""
from __future__ import annotations

import pytest
from conftest import shared

from rightsgraph.extract.pipeline import extract_file

OPENINGS = {
    # file: fields as printed in the opening
    "3.fr.txt": {"treaty": "OP-CRC-AC", "report_numbers": [1], "distributed_on": "2014-07-07",
                     "original_language": "en", "considered_at_meetings": [1885, 1886],
                     "considered_on": ["2014-06-02", "2014-06-03"], "adopted_at_meeting": 1901,
                     "adopted_on": "2014-06-13", "state_party_report": "CRC/C/OPAC/IND/1"},
    "4.fr.txt": {"symbol": "CRC/C/15/Add.183", "distributed_on": "2002-06-13", "session": 30,
                     "original_language": "en", "report_numbers": [1],
                     "considered_at_meetings": [794, 795], "considered_on": ["2002-05-31"],
                     "state_party_report": "CRC/C/78/Add.2"},
    "7.fr.txt": {"symbol": "CRC/C/15/Add.141", "distributed_on": "2000-10-23", "session": 25,
                     "considered_at_meetings": [665, 666], "considered_on": ["2000-10-05"],
                     "summary_records": ["CRC/C/SR.665", "CRC/C/SR.666"]},
    "8.fr.txt": {"symbol": "CRC/C/OPAC/IRQ/CO/1", "symbol_derived": True, "treaty": "OP-CRC-AC",
                     "considered_at_meetings": [1962], "considered_on": ["2015-01-22"],
                     "adopted_at_meeting": 1983, "adopted_on": "2015-01-30"},
    "9.fr.txt": {"session": 19, "report_numbers": [1], "considered_at_meetings": [493, 494, 495],
                     "considered_on": ["1998-09-01", "1998-09-02"]},
    "36.fr.txt": {"distributed_on": "2019-10-24", "original_language": "es",
                      "considered_at_meetings": [297, 301], "considered_on": ["2019-10-01", "2019-10-04"],
                      "adopted_at_meeting": 310, "adopted_on": "2019-10-10",
                      "state_party_report": "CED/C/BOL/1", "list_of_issues": "CED/C/BOL/Q/1/Add.1"},
    "37.fr.txt": {"distributed_on": "2022-05-05", "original_language": "fr",
                      "considered_at_meetings": [385, 386], "considered_on": ["2022-03-29", "2022-03-30"],
                      "adopted_at_meeting": 399, "adopted_on": "2022-04-07"},
    "38.fr.txt": {"distributed_on": "2021-06-02", "original_language": "es"},
    "17.es.txt": {"report_numbers": [2], "considered_at_meetings": [595, 596],
                      "considered_on": ["2000-01-14"], "adopted_at_meeting": 615,
                      "adopted_on": "2000-01-28", "state_party_report": "CRC/C/65/Add.7"},
    "18.es.txt": {"session": 6, "original_language": "en", "distributed_on": None, "report_numbers": [1],
                      "considered_at_meetings": [56, 57], "considered_on": ["2011-09-20"],
                      "adopted_at_meeting": 62, "adopted_on": "2011-09-23", "summary_records": []},
    "19.es.txt": {"symbol": "CRPD/C/TKM/CO/1", "symbol_derived": True, "report_numbers": [1],
                      "considered_at_meetings": [182, 183], "considered_on": ["2015-04-01", "2015-04-02"],
                      "adopted_at_meeting": 195, "adopted_on": "2015-04-14"},
    "30.es.txt": {"session": 36, "report_numbers": [6], "original_language": "en",
                      "considered_at_meetings": [751, 752], "considered_on": ["2006-08-17"],
                      "state_party_report": "CEDAW/C/MEX/6", "list_of_issues": "CEDAW/C/MEX/Q/6"},
    "31.es.txt": {"symbol": "CEDAW/C/BEL/CO/6", "symbol_derived": True, "session": 42,
                      "session_dates": ["2008-10-20", "2008-11-07"], "report_numbers": [5, 6],
                      "considered_at_meetings": [852, 853], "considered_on": ["2008-10-21"]},
    "32.es.txt": {"symbol": "CEDAW/C/BIH/CO/3", "symbol_derived": True, "session": 35,
                      "report_numbers": [1, 2, 3], "considered_at_meetings": [721, 722],
                      "considered_on": ["2006-05-16"], "state_party_report": "CEDAW/C/BIH/1-3"},
}


@pytest.mark.parametrize("name", sorted(OPENINGS))
def test_opening_fields(name):
    doc = extract_file(shared("corpus", "openings", name))
    fields = {key: getattr(doc, key) for key in OPENINGS[name]}
    assert fields == OPENINGS[name]


def test_unprinted_paragraph_numbers_are_numbered_and_said():
    doc = extract_file(shared("corpus", "openings", "19.es.txt"))
    assert [p.number for p in doc.paragraphs][:3] == [1, 2, 3]
    assert doc.paragraphs[0].text.startswith("El Comité examinó el informe inicial")
    assert any("paragraph numbers are not printed" in w for w in doc.warnings)


HEADER = ("symbol", "committee", "treaty", "state", "report_numbers", "original_language",
          "distributed_on", "considered_at_meetings", "considered_on", "adopted_at_meeting",
          "adopted_on", "summary_records", "state_party_report")


@pytest.mark.parametrize("pair", [("41.fr.txt", "43.es.txt"), ("40.fr.txt", "39.es.txt")])
def test_parallel_openings_share_their_header(pair):
    """CMW/C/AZE/CO/3 in French and Spanish; CED/C/MNG/CO/1 in French and Spanish."""
    french, spanish = (extract_file(shared("corpus", "openings", name)) for name in pair)
    assert (french.language, spanish.language) == ("fr", "es")
    assert {k: getattr(french, k) for k in HEADER} == {k: getattr(spanish, k) for k in HEADER}
    assert french.adopted_at_meeting is not None and french.considered_on
