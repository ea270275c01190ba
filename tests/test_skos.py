"""The registries as SKOS (graph/skos.py): the data itself, checked against the registry files."""
from __future__ import annotations

import csv
import dataclasses
from collections import Counter, defaultdict
from pathlib import Path

import pytest
import yaml
from conftest import FIXTURES, SEED
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, SKOS, XSD

from rightsgraph.cli import main
from rightsgraph.core import identifiers
from rightsgraph.core.languages import LANGUAGES
from rightsgraph.core.namespaces import HRO
from rightsgraph.core.registries import SDG_FILE_LANGUAGES, load, registries_dir
from rightsgraph.extract.pipeline import extract_file
from rightsgraph.extract.triples import to_graph
from rightsgraph.graph.skos import registries_graph

G = registries_graph()
B = "https://rightsgraph.org/"
SCHEMES = ("treaties", "committees", "general-comments", "ilo", "sdg", "states")


def rows(name: str) -> list[dict[str, str]]:
    with (registries_dir() / name).open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def scheme(name: str) -> URIRef:
    return URIRef(B + "scheme/" + name)


def concepts(name: str) -> set[URIRef]:
    return set(G.subjects(SKOS.inScheme, scheme(name)))


def labels(node: URIRef, prop: URIRef = SKOS.prefLabel) -> dict[str, str]:
    found = defaultdict(list)
    for label in G.objects(node, prop):
        found[label.language].append(str(label))
    return {lang: values[0] if len(values) == 1 else values for lang, values in found.items()}


def identifiers_of(node: URIRef) -> set[str]:
    return {str(i) for i in G.objects(node, DCTERMS.identifier)}


def plain_notation(node: URIRef) -> str:
    (notation,) = [n for n in G.objects(node, SKOS.notation) if n.datatype is None]
    return str(notation)


def names(row: dict[str, str]) -> dict[str, str]:
    return {lang: row[f"name_{lang}"] for lang in LANGUAGES if row[f"name_{lang}"]}


def typed_notations(node: URIRef, kind: str) -> set[str]:
    datatype = URIRef(B + "notation/" + kind)
    return {str(n) for n in G.objects(node, SKOS.notation) if n.datatype == datatype}


# --- the shape of the graph ---------------------------------------------------------------


def test_one_scheme_per_registry_and_concept_counts():
    assert set(G.subjects(RDF.type, SKOS.ConceptScheme)) == {scheme(s) for s in SCHEMES}
    articles = sum(int(r["articles"]) for r in rows("treaties/treaties.csv"))
    assert {s: len(concepts(s)) for s in SCHEMES} == {
        "treaties": len(rows("treaties/treaties.csv")) + articles,
        "committees": len(rows("treaties/committees.csv")),
        "general-comments": len(rows("treaties/general_comments.csv")),
        "ilo": len(rows("ilo/instruments.csv")),
        "sdg": 17 + 169,
        "states": len(rows("states.csv")),
    }


@pytest.mark.parametrize("name", SCHEMES)
def test_plain_notations_are_unique_in_each_scheme(name):
    notations = Counter(plain_notation(c) for c in concepts(name))
    assert [n for n, count in notations.items() if count > 1] == []


@pytest.mark.parametrize("name", SCHEMES)
def test_typed_notations_are_unique_in_each_scheme(name):
    typed = Counter((n.datatype, str(n)) for c in concepts(name)
                    for n in G.objects(c, SKOS.notation) if n.datatype is not None)
    assert [n for n, count in typed.items() if count > 1] == []


def test_every_concept_is_in_exactly_one_scheme_and_typed():
    for concept in G.subjects(RDF.type, SKOS.Concept):
        assert len(list(G.objects(concept, SKOS.inScheme))) == 1, concept


@pytest.mark.parametrize("prop", [SKOS.broader, SKOS.narrower, SKOS.related])
def test_no_dangling_semantic_relations(prop):
    all_concepts = set(G.subjects(RDF.type, SKOS.Concept))
    for subject, target in G.subject_objects(prop):
        assert subject in all_concepts and target in all_concepts, (subject, prop, target)


def test_broader_and_narrower_are_inverse_and_stay_in_their_scheme():
    broader = set(G.subject_objects(SKOS.broader))
    assert broader == {(o, s) for s, o in G.subject_objects(SKOS.narrower)}
    for child, parent in broader:
        assert G.value(child, SKOS.inScheme) == G.value(parent, SKOS.inScheme), child


def test_top_concepts_are_the_concepts_without_broader():
    for concept in G.subjects(RDF.type, SKOS.Concept):
        top = G.value(concept, SKOS.topConceptOf)
        has_broader = G.value(concept, SKOS.broader) is not None
        assert (top is None) == has_broader, concept
        if top is not None:
            assert top == G.value(concept, SKOS.inScheme)
            assert (top, SKOS.hasTopConcept, concept) in G
    assert len(list(G.subject_objects(SKOS.hasTopConcept))) == len(
        list(G.subject_objects(SKOS.topConceptOf)))


def test_related_is_symmetric_between_general_comments():
    for a, b in G.subject_objects(SKOS.related):
        if G.value(a, SKOS.inScheme) == G.value(b, SKOS.inScheme):
            assert (b, SKOS.related, a) in G


def test_no_blank_nodes():
    blank = [t for t in G if isinstance(t[0], BNode) or isinstance(t[2], BNode)]
    assert blank == []


def test_every_concept_has_one_english_preflabel_and_at_most_one_per_language():
    for concept in G.subjects(RDF.type, SKOS.Concept):
        languages = Counter(label.language for label in G.objects(concept, SKOS.prefLabel))
        assert languages["en"] == 1, concept
        assert max(languages.values()) == 1, concept
        assert None not in languages, concept


def test_preflabels_and_altlabels_are_disjoint():
    """SKOS integrity condition S13."""
    for concept in G.subjects(RDF.type, SKOS.Concept):
        pref = set(G.objects(concept, SKOS.prefLabel))
        assert pref.isdisjoint(G.objects(concept, SKOS.altLabel)), concept


def test_schemes_name_their_source_files():
    for name in SCHEMES:
        sources = [str(s) for s in G.objects(scheme(name), DCTERMS.source)]
        assert sources, name
        root = registries_dir().parent.parent
        assert all((root / s).is_file() for s in sources), sources
        assert G.value(scheme(name), SKOS.prefLabel).language == "en"


# --- treaties and articles ----------------------------------------------------------------

TREATIES = rows("treaties/treaties.csv")


@pytest.mark.parametrize("row", TREATIES, ids=lambda r: r["id"])
def test_every_article_of_every_treaty(row):
    treaty = identifiers.treaty_uri(row["id"])
    articles = {a for a in G.subjects(SKOS.broader, treaty) if (a, RDF.type, HRO.Article) in G}
    count = int(row["articles"])
    assert sorted(plain_notation(a) for a in articles) == sorted(
        f"{row['id']}/{n}" for n in range(1, count + 1))
    assert all((a, DCTERMS.isPartOf, treaty) in G for a in articles)
    assert (identifiers.provision_uri(f"{row['id']}/{count + 1}"), None, None) not in G


def test_icrmw_article_93_exists_and_94_does_not():
    assert (URIRef(B + "treaty/ICRMW/article/93"), RDF.type, HRO.Article) in G
    assert (URIRef(B + "treaty/ICRMW/article/94"), None, None) not in G
    assert labels(URIRef(B + "treaty/ICRMW/article/76"))["en"] == "ICRMW article 76"


@pytest.mark.parametrize("row", TREATIES, ids=lambda r: r["id"])
def test_treaty_facts_come_from_the_csv(row):
    node = identifiers.treaty_uri(row["id"])
    assert plain_notation(node) == row["id"]
    assert labels(node) == names(row)
    for column, prop in (("adopted", DCTERMS.dateAccepted), ("entry_into_force", DCTERMS.valid)):
        expected = [Literal(row[column], datatype=XSD.date)] if row[column] else []
        assert list(G.objects(node, prop)) == expected
    untc = [str(u) for u in G.objects(node, RDFS.seeAlso)]
    if row["untc"]:
        assert untc == [f"https://treaties.un.org/Pages/ViewDetails.aspx?src=TREATY&mtdsg_no="
                        f"{row['untc']}&chapter=4&clang=_en"]
    else:
        assert untc == []
    assert list(G.objects(node, HRO.committee)) == [identifiers.committee_uri(row["committee"])]


def test_nine_core_treaties_on_top_protocols_under_their_treaty():
    top = {plain_notation(t) for t in G.objects(scheme("treaties"), SKOS.hasTopConcept)}
    assert top == {"ICERD", "ICCPR", "ICESCR", "CEDAW", "CAT", "CRC", "ICRMW", "CRPD", "ICPPED"}
    protocols = {plain_notation(p): plain_notation(G.value(p, SKOS.broader))
                 for p in G.subjects(RDF.type, HRO.OptionalProtocol)}
    assert protocols == {
        "ICCPR-OP1": "ICCPR", "ICCPR-OP2": "ICCPR", "OP-ICESCR": "ICESCR", "OP-CEDAW": "CEDAW",
        "OP-CAT": "CAT", "OP-CRC-AC": "CRC", "OP-CRC-SC": "CRC", "OP-CRC-IC": "CRC",
        "OP-CRPD": "CRPD",
    }
    assert all((p, RDF.type, HRO.Treaty) in G for p in G.subjects(RDF.type, HRO.OptionalProtocol))


def test_treaty_aliases_are_altlabels():
    for row in rows("treaties/aliases.csv"):
        mint = identifiers.treaty_uri if row["kind"] == "treaty" else identifiers.committee_uri
        node = mint(row["id"])
        assert Literal(row["alias"], lang=row["language"]) in set(G.objects(node, SKOS.altLabel))


# --- committees ---------------------------------------------------------------------------


@pytest.mark.parametrize("row", rows("treaties/committees.csv"), ids=lambda r: r["id"])
def test_committees(row):
    node = identifiers.committee_uri(row["id"])
    assert (node, RDF.type, HRO.Committee) in G
    assert plain_notation(node) == row["id"]
    assert typed_notations(node, "symbol-prefix") == {row["symbol_prefix"]}
    assert labels(node) == names(row)
    monitored = {t["id"] for t in TREATIES if t["committee"] == row["id"]}
    assert {plain_notation(t) for t in G.objects(node, SKOS.related)} == monitored


def test_cmw_monitors_icrmw_and_spt_has_no_chinese_name():
    cmw = identifiers.committee_uri("CMW")
    assert {plain_notation(t) for t in G.objects(cmw, SKOS.related)} == {
        "ICRMW"}
    assert "zh" not in labels(identifiers.committee_uri("SPT"))


# --- general comments ---------------------------------------------------------------------

GENERAL_COMMENTS = rows("treaties/general_comments.csv")


@pytest.mark.parametrize("row", GENERAL_COMMENTS, ids=lambda r: f"{r['committee']}/{r['number']}")
def test_general_comments(row):
    notation = f"{row['committee']}/GC/{row['number']}"
    node = identifiers.general_comment_uri(notation)
    assert plain_notation(node) == notation
    assert labels(node) == {"en": row["title_en"]}
    years = [Literal(row["year"], datatype=XSD.gYear)] if row["year"] else []
    assert list(G.objects(node, DCTERMS.issued)) == years
    committees = {row["committee"]} | {j.split()[0] for j in row["joint_with"].split(";") if j}
    assert {plain_notation(c) for c in G.objects(node, HRO.committee)} == committees


def test_joint_general_comments_have_both_committees_and_both_symbols():
    node = identifiers.general_comment_uri("CMW/GC/3")
    assert {plain_notation(c) for c in G.objects(node, HRO.committee)} == {"CMW", "CRC"}
    assert (node, SKOS.related, identifiers.general_comment_uri("CRC/GC/22")) in G
    assert identifiers_of(node) == {"CRC/C/GC/22", "CMW/C/GC/3"}
    assert URIRef("https://undocs.org/en/CMW/C/GC/3") in set(G.objects(node, RDFS.seeAlso))
    cedaw = identifiers.general_comment_uri("CEDAW/GC/31")
    assert {plain_notation(c) for c in G.objects(cedaw, HRO.committee)} == {"CEDAW", "CRC"}
    assert identifiers_of(cedaw) == {"CEDAW/C/GC/31/Rev.1", "CRC/C/GC/18/Rev.1"}


def test_general_comment_issued_in_a_report_gets_a_citation_not_a_symbol():
    node = identifiers.general_comment_uri("CERD/GC/23")
    assert identifiers_of(node) == set()
    assert str(G.value(node, DCTERMS.bibliographicCitation)) == "A/54/18, annex V"
    assert set(G.objects(node, RDFS.seeAlso)) == {URIRef("https://undocs.org/en/A/54/18")}
    assert G.value(identifiers.general_comment_uri("CEDAW/GC/11"), DCTERMS.issued) is None
    ccpr = identifiers.general_comment_uri("CCPR/GC/20")
    assert str(G.value(ccpr, DCTERMS.bibliographicCitation)).startswith("HRI/GEN/1/Rev.9")


@pytest.mark.parametrize("row", GENERAL_COMMENTS, ids=lambda r: f"{r['committee']}/{r['number']}")
def test_every_general_comment_symbol_is_an_identifier_linked_to_undocs(row):
    node = identifiers.general_comment_uri(f"{row['committee']}/GC/{row['number']}")
    own = identifiers_of(node)
    assert all(symbol in row["symbol"] for symbol in own)
    assert bool(own) == ("/GC/" in row["symbol"])
    if not own:
        assert str(G.value(node, DCTERMS.bibliographicCitation)) == row["symbol"]
    links = {str(u) for u in G.objects(node, RDFS.seeAlso)}
    assert {identifiers.undocs_url(s) for s in own} <= links
    assert all(link.startswith("https://undocs.org/en/") for link in links)


# --- ILO ----------------------------------------------------------------------------------

ILO = rows("ilo/instruments.csv")


@pytest.mark.parametrize("row", ILO, ids=lambda r: r["code"])
def test_every_ilo_instrument_has_its_titles_and_a_normlex_link(row):
    node = identifiers.ilo_uri(row["code"])
    assert (node, RDF.type, HRO.IloInstrument) in G
    assert labels(node) == {lang: row[f"title_{lang}"] for lang in ("en", "fr", "es")
                            if row[f"title_{lang}"]}
    (page,) = G.objects(node, RDFS.seeAlso)
    assert str(page).startswith("https://normlex.ilo.org/")
    assert str(page).endswith("P12100_ILO_CODE:" + row["code"])
    assert G.value(node, DCTERMS.dateAccepted) == Literal(row["year"], datatype=XSD.gYear)


def test_ilo_protocols_are_under_their_convention():
    protocols = {r["code"]: f"C{int(r['number']):03d}" for r in ILO if r["kind"] == "protocol"}
    assert protocols
    for code, convention in protocols.items():
        assert G.value(identifiers.ilo_uri(code), SKOS.broader) == identifiers.ilo_uri(convention)
    assert G.value(identifiers.ilo_uri("P029"), SKOS.broader) == identifiers.ilo_uri("C029")
    assert {plain_notation(c) for c in G.objects(scheme("ilo"), SKOS.hasTopConcept)} == {
        r["code"] for r in ILO if r["kind"] == "convention"}


# --- SDG ----------------------------------------------------------------------------------


def sdg_file(kind: str, file_lang: str) -> dict[str, str]:
    text = (registries_dir() / "sdg" / f"global_{kind}.{file_lang}.yml").read_text("utf-8")
    return yaml.safe_load(text)


def test_sdg_concepts_use_the_uns_uris():
    for node in concepts("sdg"):
        assert str(node) == "http://metadata.un.org/sdg/" + plain_notation(node)
    assert (URIRef("http://metadata.un.org/sdg/4.1"), RDF.type, HRO.SdgTarget) in G
    assert G.value(URIRef("http://metadata.un.org/sdg/4.1"), SKOS.broader) == URIRef(
        "http://metadata.un.org/sdg/4")
    assert identifiers.sdg_uri("16.9") in concepts("sdg")


@pytest.mark.parametrize(("file_lang", "lang"), SDG_FILE_LANGUAGES.items())
def test_sdg_labels_in_every_language_the_files_give(file_lang, lang):
    targets = sdg_file("targets", file_lang)
    for key, text in targets.items():
        notation = key.removesuffix("-title").replace("-", ".")
        node = URIRef("http://metadata.un.org/sdg/" + notation)
        assert labels(node).get(lang) == (text or None), (key, lang)
        assert G.value(node, SKOS.broader) == URIRef(
            "http://metadata.un.org/sdg/" + notation.split(".")[0])
    goals = sdg_file("goals", file_lang)
    for n in range(1, 18):
        node = URIRef(f"http://metadata.un.org/sdg/{n}")
        assert labels(node).get(lang) == (goals.get(f"{n}-title") or None)
        assert labels(node, SKOS.altLabel).get(lang) == (goals.get(f"{n}-short") or None)


def test_sdg_chinese_is_tagged_zh():
    assert all(label.language != "zh-Hans" for label in G.objects(None, SKOS.prefLabel))
    assert labels(URIRef("http://metadata.un.org/sdg/4.1"))["zh"]


# --- States -------------------------------------------------------------------------------


@pytest.mark.parametrize("row", rows("states.csv"), ids=lambda r: r["alpha3"])
def test_states(row):
    node = identifiers.state_uri(row["alpha3"])
    assert (node, RDF.type, HRO.State) in G
    assert plain_notation(node) == row["alpha3"]
    assert typed_notations(node, "iso3166-alpha2") == {row["alpha2"]}
    assert typed_notations(node, "m49") == {row["m49"]}
    assert labels(node) == names(row)


def test_state_aliases_are_altlabels():
    for row in rows("states_aliases.csv"):
        node = identifiers.state_uri(row["alpha3"])
        assert Literal(row["alias"], lang=row["language"]) in set(G.objects(node, SKOS.altLabel))


def test_un_short_names_are_altlabels_in_six_languages():
    unterm = [r for r in rows("states_aliases.csv") if "UNTERM short name" in r["source"]]
    assert {r["language"] for r in unterm} == set(LANGUAGES)
    bolivia = labels(identifiers.state_uri("BOL"), SKOS.altLabel)
    assert "Bolivia (Plurinational State of)" in bolivia["en"]
    assert bolivia["zh"] == "多民族玻利维亚国"
    assert "Fédération de Russie" in str(labels(identifiers.state_uri("RUS"), SKOS.altLabel)["fr"])


# --- links in document graphs land on registry concepts ----------------------------------

LINK_PROPERTIES = (HRO.concernsArticle, HRO.citesIloInstrument, HRO.refersToSdgTarget,
                   HRO.citesGeneralComment, HRO.committee, HRO.treaty, HRO.stateParty)


@pytest.mark.parametrize("path", [SEED, *sorted((FIXTURES / "en").glob("*.txt"))],
                         ids=lambda p: Path(p).name)
def test_document_links_land_on_registry_concepts(path):
    graph = to_graph(extract_file(path))
    all_concepts = set(G.subjects(RDF.type, SKOS.Concept))
    targets = {o for prop in LINK_PROPERTIES for o in graph.objects(None, prop)}
    assert targets
    for target in targets:
        while (target, RDF.type, HRO.Provision) in graph:  # ICRMW/8(1) is part of ICRMW/8
            target = graph.value(target, DCTERMS.isPartOf)
        assert target in all_concepts, target


# --- errors and the command line ----------------------------------------------------------


def test_a_joint_comment_missing_from_the_registry_is_an_error():
    reg = load()
    gc = dataclasses.replace(reg.general_comments["CMW/GC/3"], joint_with=("CRC/GC/99",))
    broken = dataclasses.replace(reg, general_comments={"CMW/GC/3": gc})
    with pytest.raises(ValueError, match=r"general_comments.csv: CMW/GC/3 .* CRC/GC/99"):
        registries_graph(broken)


def test_an_ilo_protocol_without_its_convention_is_an_error():
    reg = load()
    broken = dataclasses.replace(reg, ilo={"P029": reg.ilo["P029"]})
    with pytest.raises(ValueError, match=r"instruments.csv: protocol P029 amends C029"):
        registries_graph(broken)


def test_another_base_mints_other_uris_but_keeps_the_uns_sdg_uris():
    graph = registries_graph(base="https://example.org/rg")
    article = URIRef("https://example.org/rg/treaty/ICRMW/article/93")
    assert (article, RDF.type, HRO.Article) in graph
    assert (URIRef("http://metadata.un.org/sdg/4.1"), RDF.type, HRO.SdgTarget) in graph


@pytest.mark.parametrize(("fmt", "rdf_format"), [("nt", "nt"), ("jsonld", "json-ld")])
def test_cli_writes_the_registries(tmp_path, fmt, rdf_format):
    out = tmp_path / f"registries.{fmt}"
    assert main(["registries", "--format", fmt, "-o", str(out)]) == 0
    graph = Graph().parse(out, format=rdf_format)
    assert len(graph) == len(G)
    assert (URIRef(B + "treaty/ICRMW/article/93"), SKOS.notation, Literal("ICRMW/93")) in graph


def test_cli_writes_turtle_to_stdout(capsys):
    assert main(["registries"]) == 0
    graph = Graph().parse(data=capsys.readouterr().out, format="turtle")
    assert len(graph) == len(G)
