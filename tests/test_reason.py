"""Reasoning: the compiled per-document rules give exactly what owlrl's full OWL-RL closure
gives (without its noise), and the inferences users rely on are there."""
from __future__ import annotations

import pytest
from conftest import FIXTURES, SEED
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF

from rightsgraph.core.namespaces import HRO
from rightsgraph.extract.pipeline import extract_file
from rightsgraph.extract.triples import Triples, to_graph
from rightsgraph.graph.rdfio import union
from rightsgraph.graph.reason import infer, owlrl_inferences, reiteration_chains

DOC = "https://rightsgraph.org/doc/CMW/C/AZE/CO/3"


def graph_of(path) -> Graph:
    return union(to_graph(extract_file(path)))


@pytest.fixture(scope="module")
def seed() -> Graph:
    return graph_of(SEED)


@pytest.fixture(scope="module")
def seed_inferred(seed) -> Graph:
    return Triples("inferred", infer(Triples.of(seed))).graph()


@pytest.mark.parametrize("path", [SEED, FIXTURES / "en" / "crc_fixture.txt"],
                         ids=["seed", "crc_fixture"])
def test_compiled_rules_equal_full_owlrl_closure(path):
    data = graph_of(path)
    ours = infer(Triples.of(data))
    reference = set(Triples.of(owlrl_inferences(data)))
    assert ours == reference, (sorted(ours - reference)[:5], sorted(reference - ours)[:5])


def test_no_noise(seed_inferred, seed):
    for s, p, o in seed_inferred:
        assert not isinstance(s, Literal)
        assert p != OWL.sameAs
        assert not (p == RDF.type and (o == OWL.Thing or isinstance(o, BNode)))
        assert (s, p, o) not in seed


def test_inverse_links(seed_inferred):
    para13 = URIRef(f"{DOC}/para/13")
    earlier = URIRef("https://rightsgraph.org/doc/CMW/C/AZE/CO/2/para/11")
    assert (earlier, HRO.isReiteratedBy, para13) in seed_inferred
    assert (earlier, HRO.isCitedAsRecommendationBy, para13) in seed_inferred
    assert (para13, HRO.citesRecommendation, earlier) in seed_inferred
    assert (para13, HRO.refersTo, URIRef("https://rightsgraph.org/treaty/ICRMW/article/76")) \
        in seed_inferred


def test_paragraph_inherits_its_sections_articles_as_a_separate_link(seed, seed_inferred):
    # paragraph 14 sits under a subheading of section C.1 "(arts. 73 and 84)"
    para14 = URIRef(f"{DOC}/para/14")
    article73 = URIRef("https://rightsgraph.org/treaty/ICRMW/article/73")
    assert (para14, HRO.withinSection, URIRef(f"{DOC}/section/C.1")) in seed_inferred
    assert (para14, HRO.concernsArticleViaSection, article73) in seed_inferred
    assert (para14, HRO.concernsArticle, article73) not in seed | seed_inferred


def test_class_membership_through_subclasses(seed_inferred):
    work = URIRef(DOC)
    assert (work, RDF.type, HRO.TreatyBodyDocument) in seed_inferred
    assert (work, RDF.type, URIRef("http://data.europa.eu/eli/ontology#Work")) in seed_inferred
    assert (URIRef(f"{DOC}/zh"), RDF.type,
            URIRef("http://data.europa.eu/eli/ontology#Expression")) in seed_inferred


def test_inference_is_bounded(seed, seed_inferred):
    # measured on the seed: 2,634 asserted triples, 1,742 inferred, 1,169 of them the
    # section-inherited article links; a regression that multiplies them fails here
    assert len(seed_inferred) < len(seed)


def test_reiteration_chains_across_cycles():
    b = "https://rightsgraph.org/doc/CMW/C/AZE/CO/"
    co3, co2, co1 = (URIRef(f"{b}{n}/para/{p}") for n, p in ((3, 13), (2, 11), (1, 17)))
    chains = reiteration_chains([(co3, HRO.reiterates, co2), (co2, HRO.reiterates, co1)])
    assert set(chains) == {
        (co3, HRO.reiteratesTransitively, co1),
        (co1, HRO.isReiteratedTransitivelyBy, co3),
    }
