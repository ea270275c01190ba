"""The command-line contract: formats, exit codes, and clear messages for bad input."""
from __future__ import annotations

import csv
import io
import json

import pytest
from conftest import FIXTURES, SEED, SHARED, run_cli
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import XSD

from rightsgraph.cli import main

HRO = "https://rightsgraph.org/ontology#"
PARA = URIRef("https://rightsgraph.org/doc/CMW/C/AZE/CO/3/para/13")




def test_json_model_has_the_contract_keys(capsys):
    code, out, _ = run_cli(capsys, "extract", str(SEED), "--format", "json")
    assert code == 0
    model = json.loads(out)
    for key in ("symbol", "committee", "treaty", "state", "language", "original_language",
                "report_numbers", "session", "distributed_on", "adopted_on",
                "considered_at_meetings", "adopted_at_meeting", "state_party_report",
                "summary_records", "list_of_issues", "follow_up_paragraphs",
                "follow_up_deadline", "next_report_due", "paragraphs", "footnotes"):
        assert key in model, key
    paragraph = model["paragraphs"][35]
    assert paragraph["number"] == 36
    assert set(paragraph) >= {"number", "section", "recommendation", "concern", "positive",
                              "items", "text"}
    assert paragraph["items"][3] == "c.i"


def test_csv_links_table(capsys, tmp_path):
    out_file = tmp_path / "links.csv"
    assert main(["extract", str(SEED), "--format", "csv", "-o", str(out_file)]) == 0
    rows = list(csv.DictReader(io.StringIO(out_file.read_text(encoding="utf-8"))))
    assert list(rows[0]) == ["document", "section", "paragraph", "item", "relation", "target"]
    assert {"document": "CMW/C/AZE/CO/3", "section": "C.1", "paragraph": "13", "item": "",
            "relation": "prior", "target": "CMW/C/AZE/CO/2#11"} in rows
    assert {"document": "CMW/C/AZE/CO/3", "section": "C.1", "paragraph": "", "item": "",
            "relation": "article", "target": "ICRMW/73"} in rows  # a heading mention
    assert {r["relation"] for r in rows} <= {"article", "ilo", "sdg", "prior", "general_comment",
                                             "document"}


@pytest.mark.parametrize(("fmt", "parser"), [("ttl", "turtle"), ("nt", "nt"),
                                             ("jsonld", "json-ld")])
def test_rdf_formats_parse_and_hold_typed_links(capsys, fmt, parser):
    code, out, _ = run_cli(capsys, "extract", str(SEED), "--format", fmt)
    assert code == 0
    graph = Graph().parse(data=out, format=parser)
    assert (PARA, URIRef(HRO + "number"), Literal(13, datatype=XSD.integer)) in graph
    assert (PARA, URIRef(HRO + "reiterates"),
            URIRef("https://rightsgraph.org/doc/CMW/C/AZE/CO/2/para/11")) in graph
    texts = list(graph.objects(PARA, URIRef(HRO + "text")))
    assert texts and all(t.language == "zh" for t in texts)


def test_trig_keeps_one_named_graph_per_document(capsys):
    code, out, _ = run_cli(capsys, "extract", str(SEED), "--format", "trig")
    assert code == 0
    data = Dataset().parse(data=out, format="trig")
    names = {str(g.identifier) for g in data.graphs() if len(g)}
    assert "https://rightsgraph.org/graph/CMW/C/AZE/CO/3/zh" in names


def test_build_writes_the_dataset_and_a_summary(capsys, tmp_path):
    out_file = tmp_path / "graph.trig"
    assert main(["build", str(SEED.parent), "--store", str(tmp_path / "store"),
                 "-o", str(out_file)]) == 0
    out, _ = capsys.readouterr()
    assert "1 documents, 66 paragraphs" in out
    assert out_file.stat().st_size > 0


def test_build_leaves_the_output_alone_when_a_file_fails(capsys, tmp_path):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "bad.txt").write_bytes(b"")
    out_file = tmp_path / "graph.trig"
    out_file.write_text("previous")
    assert main(["build", str(tmp_path / "in"), "--store", str(tmp_path / "store"),
                 "-o", str(out_file)]) == 1
    assert out_file.read_text() == "previous"
    assert "bad.txt" in capsys.readouterr().err


def test_build_picks_up_pdf_and_html_files(capsys, tmp_path):
    from html_builder import umn_page

    (tmp_path / "in").mkdir()
    pdf = FIXTURES / "en" / "pdf" / "crc_fixture.pdf"
    (tmp_path / "in" / pdf.name).write_bytes(pdf.read_bytes())
    umn_page(FIXTURES / "en" / "cerd_fixture.txt", tmp_path / "in" / "cerd.htm")
    out_file = tmp_path / "graph.trig"
    store = tmp_path / "store"
    assert main(["build", str(tmp_path / "in"), "--store", str(store), "-o", str(out_file)]) == 0
    assert "2 documents, 42 paragraphs" in capsys.readouterr().out


def test_extract_reads_a_pdf(capsys):
    code, out, _ = run_cli(capsys, "extract", str(FIXTURES / "en" / "pdf" / "crc_fixture.pdf"),
                       "--format", "json")
    assert code == 0 and json.loads(out)["symbol"] == "CRC/C/NPL/CO/5-6"


BAD = [
    ("empty.txt", b"", "empty file"),
    ("binary.txt", b"\x00\x01\x02binary\x00", "binary"),
    ("latin1.txt", "Comité des droits de l’enfant, élimination".encode("cp1252"), "not UTF-8"),
    ("fake.docx", b"this is not a zip", "not a DOCX"),
    ("fake.pdf", b"1. The Committee", "not a PDF"),
    ("broken.pdf", b"%PDF-1.7\n1 0 obj <<>> garbage", "not a readable PDF"),
    ("index.html", b"<html><body><h1>Search</h1><p>No results.</p></body></html>",
     "no concluding-observations body"),
    ("nothing.txt", b"Just a line of prose without any numbered paragraph.", "no numbered"),
    ("missing.txt", None, "No such file"),
]


@pytest.mark.parametrize(("name", "content", "message"), BAD, ids=[b[0] for b in BAD])
def test_bad_input_exits_1_naming_the_file(capsys, tmp_path, name, content, message):
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    code, out, err = run_cli(capsys, "extract", str(path), "--format", "json")
    assert code == 1
    assert str(path) in err and message in err
    assert "Traceback" not in err and out == ""


def test_unsupported_language_is_a_clear_error(capsys):
    french = SHARED / "corpus" / "openings" / "3.fr.txt"
    if not french.exists():
        pytest.skip("../shared not available")
    code, _, err = run_cli(capsys, "extract", str(french), "--language", "de")
    assert code == 1 and "language 'de' is not supported yet" in err


def test_truncated_opening_gives_a_result_with_a_warning(capsys):
    opening = SHARED / "corpus" / "openings" / "47.en.txt"
    if not opening.exists():
        pytest.skip("../shared not available")
    code, out, err = run_cli(capsys, "extract", str(opening), "--format", "json")
    assert code == 0 and "truncated" in err
    assert json.loads(out)["symbol"] == "CAT/C/ISL/CO/4"


def test_bad_arguments_exit_2(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["extract", str(SEED), "--format", "xml"])
    assert exit_info.value.code == 2
