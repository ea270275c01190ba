"""The URI scheme, the ontology and Document -> RDF (rightsgraph/core/identifiers.py,
extract/triples.py)."""
from __future__ import annotations

from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path

import pytest
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, XSD

from rightsgraph.core import identifiers, links
from rightsgraph.core.links import Kind
from rightsgraph.core.namespaces import HRO
from rightsgraph.extract.model import Document, Footnote, Heading, Item, Paragraph, Reference
from rightsgraph.extract.triples import software_graph, to_graph

ONTOLOGY = Path(__file__).resolve().parents[1] / "ontology" / "rightsgraph.ttl"
B = "https://rightsgraph.org/"
DOC = B + "doc/CMW/C/AZE/CO/3"
NS = {"hro": HRO, "dcterms": DCTERMS, "prov": PROV, "xsd": XSD, "rdfs": RDFS}
GENERATED_AT = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)

# --- URIs ---------------------------------------------------------------------------------

SYMBOL = "CMW/C/AZE/CO/3"
URI_TABLE = [
    ("work", identifiers.document_uri(SYMBOL), DOC),
    ("language version", identifiers.expression_uri(SYMBOL, "zh"), DOC + "/zh"),
    ("named graph", identifiers.graph_uri(SYMBOL, "zh"), B + "graph/CMW/C/AZE/CO/3/zh"),
    ("paragraph", identifiers.paragraph_uri(SYMBOL, 13), DOC + "/para/13"),
    ("sub-item", identifiers.item_uri(SYMBOL, 36, "c.i"), DOC + "/para/36/c.i"),
    ("footnote", identifiers.footnote_uri(SYMBOL, "zh", "6"), DOC + "/zh/fn/6"),
    ("section", identifiers.section_uri(SYMBOL, "C.1"), DOC + "/section/C.1"),
    ("subheading", identifiers.section_uri(SYMBOL, "C.1", 2), DOC + "/section/C.1/2"),
    ("early subheading", identifiers.section_uri(SYMBOL, "", 1), DOC + "/section/1"),
    ("mention", identifiers.mention_uri(SYMBOL, "zh", 7), DOC + "/zh/mention/7"),
    ("activity", identifiers.activity_uri(SYMBOL, "zh"), DOC + "/zh/extraction"),
    ("agent", identifiers.agent_uri("0.1.0"), B + "software/rightsgraph/0.1.0"),
    ("other document", identifiers.document_uri("A/HRC/39/14"), B + "doc/A/HRC/39/14"),
    ("CESCR symbol", identifiers.document_uri("E/C.12/DEU/CO/6"), B + "doc/E/C.12/DEU/CO/6"),
    ("space encoded", identifiers.document_uri("A/49/41 (CRC)"), B + "doc/A/49/41%20(CRC)"),
    ("treaty", identifiers.treaty_uri("ICRMW"), B + "treaty/ICRMW"),
    ("article", identifiers.provision_uri("ICRMW/8"), B + "treaty/ICRMW/article/8"),
    ("provision", identifiers.provision_uri("ICRMW/8(1)"), B + "treaty/ICRMW/article/8/1"),
    ("deep provision", identifiers.provision_uri("ICERD/5(d)(v)"),
     B + "treaty/ICERD/article/5/d/v"),
    ("committee", identifiers.committee_uri("CMW"), B + "committee/CMW"),
    ("State", identifiers.state_uri("AZE"), B + "state/AZE"),
    ("general comment", identifiers.general_comment_uri("CMW/GC/5"), B + "gc/CMW/5"),
    ("ILO", identifiers.ilo_uri("C097"), B + "ilo/C097"),
    ("SDG", identifiers.sdg_uri("16.9"), "http://metadata.un.org/sdg/16.9"),
    (
        "other base",
        identifiers.document_uri(SYMBOL, base="http://x.test/rg"),
        "http://x.test/rg/doc/CMW/C/AZE/CO/3",
    ),
]


@pytest.mark.parametrize(
    ("uri", "expected"), [row[1:] for row in URI_TABLE], ids=[row[0] for row in URI_TABLE]
)
def test_uri_scheme(uri, expected):
    assert isinstance(uri, URIRef)
    assert str(uri) == expected


@pytest.mark.parametrize(
    ("kind", "notation", "expected"),
    [
        ("article", "ICRMW/8(1)", B + "treaty/ICRMW/article/8/1"),
        ("article", "ICERD/5(d)(v)", B + "treaty/ICERD/article/5/d/v"),
        ("treaty", "OP-CRC-AC", B + "treaty/OP-CRC-AC"),
        ("ilo", "C097", B + "ilo/C097"),
        ("sdg", "16.9", "http://metadata.un.org/sdg/16.9"),
        ("general_comment", "CRC/GC/22", B + "gc/CRC/22"),
        ("document", "A/RES/73/195", B + "doc/A/RES/73/195"),
        ("document", "A/HRC/39/14#141.97", B + "doc/A/HRC/39/14/para/141.97"),
        ("document", "A/HRC/39/14/Add.1#34", B + "doc/A/HRC/39/14/Add.1/para/34"),
        ("prior", "CMW/C/AZE/CO/2#13", B + "doc/CMW/C/AZE/CO/2/para/13"),
        ("prior", "CMW/C/AZE/CO/2", B + "doc/CMW/C/AZE/CO/2"),
    ],
)
def test_target_uri(kind, notation, expected):
    assert str(links.target_uri(kind, notation, base=B)) == expected


@pytest.mark.parametrize(
    ("kind", "notation"),
    [("domestic_article", "Migration Code/17"), ("article", "ICRMW"), ("general_comment", "CMW/5")],
)
def test_target_uri_rejects(kind, notation):
    with pytest.raises(ValueError):
        links.target_uri(kind, notation)


def test_base_from_environment(monkeypatch):
    monkeypatch.setenv("RIGHTSGRAPH_BASE", "http://example.test/rg")
    assert identifiers.base() == "http://example.test/rg/"
    assert str(identifiers.paragraph_uri(SYMBOL, 1)) == "http://example.test/rg/doc/CMW/C/AZE/CO/3/para/1"
    monkeypatch.delenv("RIGHTSGRAPH_BASE")
    assert identifiers.base() == B


def test_outside_urls():
    assert identifiers.undocs_url("CMW/C/AZE/CO/3") == "https://undocs.org/en/CMW/C/AZE/CO/3"
    assert identifiers.undocs_url("CMW/C/AZE/CO/3", "zh") == "https://undocs.org/zh/CMW/C/AZE/CO/3"
    assert identifiers.normlex_url("C097") == (
        "https://normlex.ilo.org/dyn/nrmlx_en/f?p=NORMLEXPUB:12100:0::NO::P12100_ILO_CODE:C097"
    )


# --- a hand-built Document modelled on CMW/C/AZE/CO/3 ---------------------------------------

TEXTS = {
    "zh": {
        "C": "关注的主要问题及建议",
        "C.1": "一般执行措施(第73和第84条)",
        "art": ("第73", "第84条"),
        "sub": "批准相关文书",
        "11": "委员会重申其先前的建议，建议缔约国：\n"
        "(a)\t审查《移民法》以及《劳动法》和《就业法》的有关规定，"
        "并在必要时加以修订，以使缔约国的法律框架完全符合《公约》；",
        "item": "(a)",
        "14": "委员会重申其先前的建议，建议缔约国尽快批准或加入国际劳工组织(劳工组织)1949年"
        "《移民就业公约(修订本)》(第97号)。",
        "ilo": "《移民就业公约(修订本)》(第97号)",
        "fn6": "CMW/C/AZE/CO/2, 第13段。",
        "fn6ref": "CMW/C/AZE/CO/2, 第13段",
    },
    "en": {
        "C": "Principal subjects of concern and recommendations",
        "C.1": "General measures of implementation (arts. 73 and 84)",
        "art": ("73", "84"),
        "sub": "Ratification of relevant instruments",
        "11": "The Committee reiterates its previous recommendation and recommends that the State "
        "party:\n(a)\tReview and, where necessary, amend the Migration Code and the relevant "
        "provisions of the Labour Code and the Employment Act, in order to bring them into full "
        "conformity with the Convention;",
        "item": "(a)",
        "14": "The Committee reiterates its previous recommendation that the State party ratify "
        "the ILO Migration for Employment Convention (Revised), 1949 (No. 97).",
        "ilo": "Migration for Employment Convention (Revised), 1949 (No. 97)",
        "fn6": "CMW/C/AZE/CO/2, para. 13.",
        "fn6ref": "CMW/C/AZE/CO/2, para. 13",
    },
}


def _ref(kind, target, text, container_text, container, **kw) -> Reference:
    start = container_text.index(text)
    return Reference(Kind(kind), target, text, start, start + len(text), container, **kw)


def co3(language: str) -> Document:
    """Two paragraphs (one with a sub-item and a footnote citing a prior recommendation),
    a cluster heading with articles and a thematic subheading."""
    t = TEXTS[language]
    first, second = t["art"]
    articles = [
        _ref("article", "ICRMW/73", first, t["C.1"], "heading"),
        _ref("article", "ICRMW/84", second, t["C.1"], "heading"),
    ]
    item_start = t["11"].index(t["item"])
    fn6 = Footnote(
        "6",
        t["fn6"],
        paragraph=11,
        offset=t["11"].index("，" if language == "zh" else " and"),
        references=[
            _ref(
                "prior", "CMW/C/AZE/CO/2#13", t["fn6ref"], t["fn6"], "footnote",
                footnote="6", relation="reiterates",
            ),
        ],
    )
    return Document(
        source=f"/data/CMW_C_AZE_CO_3.{language}.txt",
        sha256="ab" * 32,
        format="text",
        language=language,
        symbol=SYMBOL,
        document_type="concluding observations",
        committee="CMW",
        treaty="ICRMW",
        state="AZE",
        report_numbers=[3],
        session=33,
        session_dates=["2021-09-27", "2021-10-08"],
        considered_at_meetings=[464, 465],
        considered_on=["2021-10-04", "2021-10-05"],
        adopted_at_meeting=472,
        adopted_on="2021-10-08",
        state_party_report="CMW/C/AZE/3",
        list_of_issues="CMW/C/AZE/QPR/3",
        summary_records=["CMW/C/SR.464", "CMW/C/SR.465"],
        previous_observations=["CMW/C/AZE/CO/2", "CMW/C/AZE/CO/1"],
        follow_up_paragraphs=[16],
        follow_up_deadline="2023-11-01",
        next_report_numbers=[4],
        next_report_due="2026-11-01",
        headings=[
            Heading("C", 1, "C.", t["C"], 19),
            Heading("C.1", 2, "1.", t["C.1"], 20, references=articles),
            Heading("C.1", 3, None, t["sub"], 34, paragraphs=[14]),
        ],
        paragraphs=[
            Paragraph(
                11,
                t["11"],
                25,
                section="C.1",
                items=[Item("a", item_start, len(t["11"]))],
                footnotes=["6"],
                recommendation=True,
            ),
            Paragraph(
                14,
                t["14"],
                35,
                section="C.1",
                heading=t["sub"],
                recommendation=True,
                references=[_ref("ilo", "C097", t["ilo"], t["14"], "paragraph")],
            ),
        ],
        footnotes={"6": fn6},
    )


@pytest.fixture(scope="module")
def zh() -> Dataset:
    return to_graph(co3("zh"), base=B, generated_at=GENERATED_AT)


@pytest.fixture(scope="module")
def en() -> Dataset:
    return to_graph(co3("en"), base=B, generated_at=GENERATED_AT)


@pytest.fixture(scope="module")
def ontology() -> Graph:
    return Graph().parse(ONTOLOGY)


def ask(dataset: Dataset, where: str) -> bool:
    return dataset.query(f"ASK {{ {where} }}", initNs=NS).askAnswer


def values(dataset: Dataset, subject: str, predicate: URIRef) -> set:
    return set(dataset.objects(URIRef(subject), predicate))


def test_one_named_graph(zh):
    graphs = [g.identifier for g in zh.graphs() if len(g)]
    assert graphs == [URIRef(B + "graph/CMW/C/AZE/CO/3/zh")]


def test_document_metadata(zh):
    assert ask(zh, f"""
        <{DOC}> a hro:ConcludingObservations ;
            dcterms:identifier "CMW/C/AZE/CO/3" ;
            rdfs:seeAlso <https://undocs.org/en/CMW/C/AZE/CO/3> ;
            hro:committee <{B}committee/CMW> ; hro:treaty <{B}treaty/ICRMW> ;
            hro:stateParty <{B}state/AZE> ;
            hro:reportNumber 3 ; hro:session 33 ;
            hro:sessionStart "2021-09-27"^^xsd:date ; hro:sessionEnd "2021-10-08"^^xsd:date ;
            hro:consideredAtMeeting 464, 465 ;
            hro:consideredOn "2021-10-04"^^xsd:date, "2021-10-05"^^xsd:date ;
            hro:adoptedAtMeeting 472 ; hro:adoptedOn "2021-10-08"^^xsd:date ;
            hro:statePartyReport <{B}doc/CMW/C/AZE/3> ;
            hro:listOfIssues <{B}doc/CMW/C/AZE/QPR/3> ;
            hro:summaryRecord <{B}doc/CMW/C/SR.464>, <{B}doc/CMW/C/SR.465> ;
            hro:previousObservations <{B}doc/CMW/C/AZE/CO/2>, <{B}doc/CMW/C/AZE/CO/1> ;
            hro:followUpParagraph <{DOC}/para/16> ;
            hro:followUpDeadline "2023-11-01"^^xsd:date ;
            hro:nextReportNumber 4 ; hro:nextReportDue "2026-11-01"^^xsd:date .
        <{B}doc/CMW/C/AZE/3> a hro:StatePartyReport ; dcterms:identifier "CMW/C/AZE/3" .
        <{B}doc/CMW/C/SR.464> a hro:SummaryRecord .
        <{B}doc/CMW/C/AZE/CO/1> a hro:ConcludingObservations ; hro:reportNumber 1 .
    """)
    assert values(zh, DOC, HRO.adoptedOn) == {Literal("2021-10-08", datatype=XSD.date)}
    assert values(zh, DOC, HRO.session) == {Literal(33, datatype=XSD.integer)}
    assert not values(zh, DOC, HRO.originalLanguage)  # None is skipped


def test_language_version_and_provenance(zh):
    assert ask(zh, f"""
        <{DOC}/zh> a hro:LanguageVersion ; hro:realizes <{DOC}> ;
            dcterms:language "zh"^^xsd:language ;
            dcterms:source "CMW_C_AZE_CO_3.zh.txt" ; hro:sha256 "{"ab" * 32}" ;
            prov:wasGeneratedBy ?run .
        <{DOC}> hro:languageVersion <{DOC}/zh> .
        ?run a prov:Activity ; prov:startedAtTime "2026-11-29T12:00:00+00:00"^^xsd:dateTime ;
            prov:wasAssociatedWith <{B}software/rightsgraph/{version('rightsgraph')}> .
    """)
    # the agent is described once, in the store's software graph, not in each document
    assert not ask(zh, "?agent a prov:SoftwareAgent")
    assert (URIRef(f"{B}software/rightsgraph/{version('rightsgraph')}"), RDFS.label,
            Literal(f"rightsgraph {version('rightsgraph')}")) in software_graph()


def test_sections(zh):
    assert ask(zh, f"""
        <{DOC}> hro:hasSection <{DOC}/section/C>, <{DOC}/section/C.1>, <{DOC}/section/C.1/1> .
        <{DOC}/section/C.1> a hro:Section ; hro:label "C.1" ; hro:inSection <{DOC}/section/C> ;
            hro:heading "一般执行措施(第73和第84条)"@zh ;
            hro:concernsArticle <{B}treaty/ICRMW/article/73>, <{B}treaty/ICRMW/article/84> .
        <{DOC}/section/C.1/1> hro:inSection <{DOC}/section/C.1> ;
            hro:heading "批准相关文书"@zh ; hro:hasParagraph <{DOC}/para/14> .
    """)
    assert not values(zh, DOC + "/section/C", HRO.inSection)


def test_paragraphs_items_and_footnotes(zh):
    text = TEXTS["zh"]["11"]
    assert ask(zh, f"""
        <{DOC}/para/11> a hro:Paragraph, hro:Recommendation ; hro:number 11 ;
            dcterms:isPartOf <{DOC}> ; hro:inSection <{DOC}/section/C.1> ;
            hro:hasSubItem <{DOC}/para/11/a> ; hro:hasFootnote <{DOC}/zh/fn/6> .
        <{DOC}> hro:hasParagraph <{DOC}/para/11>, <{DOC}/para/14> .
        <{DOC}/para/11/a> a hro:SubItem ; hro:label "a" ; dcterms:isPartOf <{DOC}/para/11> .
        <{DOC}/zh/fn/6> a hro:Footnote ; hro:footnoteOf <{DOC}/para/11> ;
            hro:text "CMW/C/AZE/CO/2, 第13段。"@zh ; dcterms:isPartOf <{DOC}/zh> .
    """)
    assert not ask(zh, f"<{DOC}/para/11> a hro:Concern")
    assert values(zh, DOC + "/para/11", HRO.text) == {Literal(text, lang="zh")}
    item = text[text.index("(a)") :]
    assert values(zh, DOC + "/para/11/a", HRO.text) == {Literal(item, lang="zh")}
    assert values(zh, DOC + "/para/11", HRO.number) == {Literal(11, datatype=XSD.integer)}


def test_links_and_prior_recommendation(zh):
    prior = f"{B}doc/CMW/C/AZE/CO/2"
    assert ask(zh, f"""
        <{DOC}/para/11> hro:reiterates <{prior}/para/13> .
        <{prior}/para/13> a hro:Paragraph ; hro:number 13 ; dcterms:isPartOf <{prior}> .
        <{prior}> a hro:ConcludingObservations ; dcterms:identifier "CMW/C/AZE/CO/2" ;
            hro:committee <{B}committee/CMW> ; hro:stateParty <{B}state/AZE> ;
            hro:reportNumber 2 ; rdfs:seeAlso <https://undocs.org/en/CMW/C/AZE/CO/2> .
        <{DOC}/para/14> hro:citesIloInstrument <{B}ilo/C097> .
    """)
    # registry items are described once, by the registry graph, not by every document
    assert not ask(zh, f"<{B}ilo/C097> ?p ?o")
    assert not ask(zh, f"<{B}committee/CMW> ?p ?o")


def test_mentions(zh):
    fn = TEXTS["zh"]["fn6"]
    matched = TEXTS["zh"]["fn6ref"]
    rows = zh.query(
        """SELECT ?owner ?m ?target ?kind ?text ?start ?end ?container ?version WHERE {
            ?owner hro:mention ?m .
            ?m a hro:Mention ; hro:mentionOf ?target ; hro:linkKind ?kind ;
               hro:matchedText ?text ; hro:spanStart ?start ; hro:spanEnd ?end ;
               hro:inContainer ?container ; hro:inLanguageVersion ?version .
        } ORDER BY ?m""",
        initNs=NS,
    )
    by_mention = {str(row.m).rsplit("/", 1)[1]: row for row in rows}
    assert sorted(by_mention) == ["1", "2", "3", "4"]  # headings first, then paragraphs
    heading = by_mention["1"]
    assert heading.owner == heading.container == URIRef(DOC + "/section/C.1")
    prior = by_mention["3"]
    assert prior.owner == URIRef(DOC + "/para/11")
    assert prior.target == URIRef(B + "doc/CMW/C/AZE/CO/2/para/13")
    assert prior.container == URIRef(DOC + "/zh/fn/6")
    assert prior.kind == Literal("prior")
    assert prior.text == Literal(matched, lang="zh")
    assert (prior.start.toPython(), prior.end.toPython()) == (0, len(matched))
    assert fn[prior.start.toPython() : prior.end.toPython()] == matched
    assert prior.start.datatype == XSD.integer
    assert {row.version for row in by_mention.values()} == {URIRef(DOC + "/zh")}


def test_cited_document_pinpoint():
    doc = co3("en")
    text = "A/HRC/39/14, para. 141.97."
    pinpoint = _ref(
        "document", "A/HRC/39/14#141.97", "A/HRC/39/14, para. 141.97", text, "footnote",
        footnote="7",
    )
    doc.footnotes["7"] = Footnote("7", text, paragraph=11, references=[pinpoint])
    doc.paragraphs[0].footnotes.append("7")
    dataset = to_graph(doc, base=B)
    assert ask(dataset, f"""
        <{DOC}/para/11> hro:citesDocument <{B}doc/A/HRC/39/14/para/141.97> .
        <{B}doc/A/HRC/39/14/para/141.97> a hro:Paragraph ; hro:label "141.97" ;
            dcterms:isPartOf <{B}doc/A/HRC/39/14> .
        <{B}doc/A/HRC/39/14> dcterms:identifier "A/HRC/39/14" ;
            rdfs:seeAlso <https://undocs.org/en/A/HRC/39/14> .
    """)
    assert not ask(dataset, f"<{B}doc/A/HRC/39/14> hro:stateParty ?state")


def test_cited_old_symbol_gives_its_state_and_no_report():
    """"CCPR/CO/83/UZB" names a session, not a report: the node has the State and committee
    the symbol gives, and no report number (the extraction of such a document used to fail)."""
    doc = co3("en")
    doc.previous_observations = ["CCPR/CO/83/UZB"]
    dataset = to_graph(doc, base=B)
    assert ask(dataset, f"""
        <{B}doc/CCPR/CO/83/UZB> a hro:ConcludingObservations ;
            hro:stateParty <{B}state/UZB> ; hro:committee <{B}committee/CCPR> .
    """)
    assert not ask(dataset, f"<{B}doc/CCPR/CO/83/UZB> hro:reportNumber ?n")


def test_base_from_environment_in_graph(monkeypatch):
    monkeypatch.setenv("RIGHTSGRAPH_BASE", "http://example.test/")
    dataset = to_graph(co3("zh"))
    assert ask(dataset, "<http://example.test/doc/CMW/C/AZE/CO/3/para/11> hro:number 11")


def test_needs_symbol_and_language():
    doc = co3("zh")
    doc.symbol = None
    with pytest.raises(ValueError, match="symbol"):
        to_graph(doc)


# --- two language versions merge --------------------------------------------------------------


def language_independent(dataset: Dataset, language: str) -> set:
    """Triples that touch nothing of the language version and hold no language-tagged text."""
    expression = f"{DOC}/{language}"

    def of_version(term) -> bool:
        return isinstance(term, URIRef) and f"{term}/".startswith(expression + "/")

    return {
        (s, p, o)
        for s, p, o, _ in dataset.quads()
        if not (of_version(s) or of_version(o) or (isinstance(o, Literal) and o.language))
    }


def test_language_versions_merge(zh, en, ontology):
    merged = Dataset(default_union=True)
    for dataset in (zh, en):
        for quad in dataset.quads():
            merged.add(quad)
    assert len(list(merged.graphs())) >= 2
    texts = values(merged, DOC + "/para/11", HRO.text)
    assert {text.language for text in texts} == {"zh", "en"}
    assert len(set(merged.subjects(HRO.number, Literal(11, datatype=XSD.integer)))) == 1
    assert language_independent(zh, "zh") == language_independent(en, "en")
    link_properties = set(ontology.transitive_subjects(RDFS.subPropertyOf, HRO.refersTo))

    def links(dataset: Dataset) -> set:
        return {(s, p, o) for s, p, o, _ in dataset.quads() if p in link_properties}

    assert len(links(zh)) == 4
    assert links(zh) == links(en) == links(merged)
    assert values(merged, DOC, HRO.languageVersion) == {URIRef(DOC + "/zh"), URIRef(DOC + "/en")}


# --- the ontology ---------------------------------------------------------------------------

DECLARATIONS = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty)
BUILTIN = {RDF.type, RDFS.label, RDFS.seeAlso}


def declared(ontology: Graph, kind: URIRef) -> set:
    return set(ontology.subjects(RDF.type, kind))


def test_ontology_header(ontology):
    onto = URIRef("https://rightsgraph.org/ontology")
    assert (onto, RDF.type, OWL.Ontology) in ontology
    # the ontology is versioned with the package that emits its terms
    assert ontology.value(onto, OWL.versionIRI) == URIRef(
        f"https://rightsgraph.org/ontology/{version('rightsgraph')}")
    for predicate in (DCTERMS.title, DCTERMS.description, DCTERMS.license, DCTERMS.created):
        assert ontology.value(onto, predicate) is not None


def test_every_term_is_labelled_and_declared(ontology):
    terms = {t for t in ontology.all_nodes() if isinstance(t, URIRef) and t.startswith(str(HRO))}
    terms |= {p for p in ontology.predicates() if p.startswith(str(HRO))}
    all_declared = set().union(*(declared(ontology, kind) for kind in DECLARATIONS))
    assert terms <= all_declared
    for term in terms:
        labels = {o.language for o in ontology.objects(term, RDFS.label)}
        comments = {o.language for o in ontology.objects(term, RDFS.comment)}
        assert "en" in labels and "en" in comments, term


def test_graph_uses_only_declared_terms(ontology, zh):
    classes = declared(ontology, OWL.Class)
    object_properties = declared(ontology, OWL.ObjectProperty)
    datatype_properties = declared(ontology, OWL.DatatypeProperty)
    for _, p, o, _ in zh.quads():
        if p == RDF.type:
            assert o in classes, o
        elif p not in BUILTIN:
            expected = datatype_properties if isinstance(o, Literal) else object_properties
            assert p in expected, (p, o)


def test_literals_match_declared_ranges(ontology, zh):
    """Dates are xsd:date, numbers xsd:integer, texts language-tagged, as the ontology says."""
    checked = set()
    for _, p, o, _ in zh.quads():
        expected = ontology.value(p, RDFS.range)
        if not isinstance(o, Literal) or expected is None:
            continue
        datatype = o.datatype or (RDF.langString if o.language else XSD.string)
        assert datatype == expected, (p, o)
        if o.language:
            assert o.language == "zh", (p, o)
        checked.add(expected)
    assert {XSD.date, XSD.integer, RDF.langString} <= checked
