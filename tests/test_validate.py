"""`rightsgraph validate`: what the extractor writes conforms; broken graphs fail naming the
node, the path and the source paragraph; files that cannot be read exit 2."""
from __future__ import annotations

import json

import pytest
from conftest import FIXTURES, SEED, run_cli
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import XSD

from rightsgraph.cli import main

HRO = "https://rightsgraph.org/ontology#"
DOC = URIRef("https://rightsgraph.org/doc/CMW/C/AZE/CO/3")




@pytest.fixture(scope="module")
def seed_nt(tmp_path_factory) -> str:
    path = tmp_path_factory.mktemp("seed") / "seed.nt"
    assert main(["extract", str(SEED), "--format", "nt", "-q", "-o", str(path)]) == 0
    return str(path)


def edited(seed_nt: str, tmp_path, *, remove=(), add=(), suffix=".ttl") -> str:
    graph = Graph().parse(seed_nt, format="nt")
    for triple in remove:
        graph.remove(triple)
    for triple in add:
        graph.add(triple)
    path = tmp_path / f"edited{suffix}"
    graph.serialize(path, format="turtle" if suffix == ".ttl" else "json-ld")
    return str(path)


def test_seed_graph_conforms(capsys, seed_nt):
    code, out, _ = run_cli(capsys, "validate", seed_nt)
    assert code == 0, out
    assert "conforms (0 violations" in out


@pytest.mark.parametrize("name", ["cerd_fixture", "cmw_fixture", "crc_fixture"])
def test_fixture_graphs_conform(capsys, tmp_path, name):
    path = tmp_path / f"{name}.trig"
    assert main(["extract", str(FIXTURES / "en" / f"{name}.txt"), "-q", "--format", "trig",
                 "-o", str(path)]) == 0
    code, out, _ = run_cli(capsys, "validate", str(path))
    assert code == 0, out


def test_ill_formed_date_names_the_node(capsys, seed_nt, tmp_path):
    adopted = URIRef(HRO + "adoptedOn")
    path = edited(seed_nt, tmp_path,
                  remove=[(DOC, adopted, None)],
                  add=[(DOC, adopted, Literal("2021-10-32", datatype=XSD.date))])
    code, out, _ = run_cli(capsys, "validate", path)
    assert code == 1
    line = next(line for line in out.splitlines() if "adoptedOn" in line)
    assert line.strip().startswith("Violation:")
    assert f"<{DOC}>" in line and '"2021-10-32"^^xsd:date' in line
    assert "rgs:Document-adoptedOn" in line and "[document CMW/C/AZE/CO/3]" in line


def test_second_value_of_a_single_valued_property(capsys, seed_nt, tmp_path):
    para = URIRef(f"{DOC}/para/13")
    path = edited(seed_nt, tmp_path, add=[(para, URIRef(HRO + "number"), Literal(14))])
    code, out, _ = run_cli(capsys, "validate", path)
    assert code == 1
    line = next(line for line in out.splitlines() if "rgs:Paragraph-number" in line)
    assert f"<{para}> hro:number" in line
    assert "[document CMW/C/AZE/CO/3, paragraph 13 or 14]" in line


def test_article_not_in_registry_as_json(capsys, seed_nt, tmp_path):
    para = URIRef(f"{DOC}/para/13")
    article = URIRef("https://rightsgraph.org/treaty/ICRMW/article/94")
    path = edited(seed_nt, tmp_path, add=[(para, URIRef(HRO + "concernsArticle"), article)],
                  suffix=".jsonld")
    code, out, _ = run_cli(capsys, "validate", path, "--format", "json")
    assert code == 1
    report = json.loads(out)[path]
    assert report["conforms"] is False
    assert report["results"] == [{
        "severity": "Violation", "focus": str(para), "path": HRO + "concernsArticle",
        "value": str(article), "value_datatype": None,
        "message": "The linked article is not an article of a treaty in the registry.",
        "shape": "https://rightsgraph.org/shapes#ArticleLink-registered",
        "document": "CMW/C/AZE/CO/3", "paragraph": "13",
    }]


def test_warnings_do_not_fail(capsys, seed_nt, tmp_path):
    path = edited(seed_nt, tmp_path, remove=[(DOC, URIRef(HRO + "adoptedOn"), None)])
    code, out, _ = run_cli(capsys, "validate", path)
    assert code == 0
    assert "Warning:" in out and "rgs:Document-adoptionKnown" in out


def test_unreadable_files_exit_2(capsys, tmp_path):
    broken = tmp_path / "broken.ttl"
    broken.write_text("<a> <b> .\n", encoding="utf-8")
    code, _, err = run_cli(capsys, "validate", str(broken))
    assert code == 2 and str(broken) in err and "not valid turtle" in err
    code, _, err = run_cli(capsys, "validate", str(tmp_path / "missing.nt"))
    assert code == 2 and "missing.nt: no such file" in err
    code, _, err = run_cli(capsys, "validate", str(SEED))
    assert code == 2 and "unknown RDF format" in err


def test_validation_leaves_the_shapes_graph_as_its_files_say(seed_nt):
    """pyshacl adds two RDFS facts to the shapes graph it is given: the cached graph that
    ``build`` stores must not get them, or the stored shapes depend on ``-j`` (issue #10)."""
    from rdflib.compare import isomorphic

    from rightsgraph.graph.validate import shapes, shapes_dir, validate

    fresh = Graph()
    for path in sorted(shapes_dir().glob("*.ttl")):
        fresh.parse(path, format="turtle")
    validate(Graph().parse(seed_nt, format="nt"))
    assert isomorphic(shapes(), fresh)
