"""rightsgraph.core.sparql: what goes into a query text is checked or escaped, and bound
values end up where the variables were, never in strings, IRIs or comments."""
from __future__ import annotations

import pyoxigraph as ox
import pytest

from rightsgraph.core import sparql


@pytest.mark.parametrize("text", ["", "a b", "x>y", 'x"y', "x{y}", "x|y", "x^y", "x`y",
                                  "x\\y", "x\ny", "x\x00y", "<x>"])
def test_a_text_that_cannot_be_an_iri_is_refused(text):
    assert not sparql.safe_iri(text)
    with pytest.raises(sparql.UnsafeIriError):
        sparql.iri(text)


def test_iris_are_bracketed_once():
    assert sparql.iri("https://rightsgraph.org/doc/CMW/C/AZE/CO/3/para/16") == \
        "<https://rightsgraph.org/doc/CMW/C/AZE/CO/3/para/16>"
    assert sparql.iri("https://undocs.org/en/A/HRC/39/14#141.97") == \
        "<https://undocs.org/en/A/HRC/39/14#141.97>"


@pytest.mark.parametrize("value", ['say "no"', "back\\slash\\", "two\nlines\r", "移民战略",
                                   "' ; DROP GRAPH <x> #", '"""', "ends with \\"])
def test_a_literal_reads_back_as_the_same_string(value):
    """Whatever the text, the store reads the literal back as exactly that text."""
    query = sparql.bind("SELECT ?v WHERE { BIND(?value AS ?v) }",
                        value=sparql.literal(value))
    [row] = list(ox.Store().query(query))
    assert row["v"] == ox.Literal(value)


def test_a_literal_may_carry_a_language_tag_and_nothing_else():
    assert sparql.literal("texte", "fr") == '"texte"@fr'
    with pytest.raises(ValueError, match="language tag"):
        sparql.literal("x", 'fr" . ?s ?p ?o #')


def test_integers_only():
    assert sparql.integer(51) == "51"
    for value in (True, 1.5, "5"):
        with pytest.raises(TypeError):
            sparql.integer(value)  # type: ignore[arg-type]


def test_bind_replaces_variables_but_not_strings_iris_or_comments():
    query = sparql.bind(
        '''SELECT ?label WHERE { ?this skos:prefLabel ?label . # ?this in a comment
           FILTER (?label != "?this" && STR(?this) != STR(<http://x.org/?this>)) }''',
        this=sparql.iri("http://example.org/a"))
    assert query.count("<http://example.org/a>") == 2
    assert "# ?this in a comment" in query
    assert '"?this"' in query and "<http://x.org/?this>" in query
    assert sparql.bind("?this ?thisOne", this=sparql.iri("http://e.org/")) == \
        "<http://e.org/> ?thisOne"


def test_binding_a_variable_the_query_lacks_is_an_error():
    with pytest.raises(ValueError, match="no variable that"):
        sparql.bind("SELECT ?x WHERE { ?x ?p ?o }", that=sparql.iri("http://e.org/"))


def test_values_block_checks_every_iri():
    assert sparql.values("x", ["http://e.org/a", "http://e.org/b"]) == \
        "VALUES ?x { <http://e.org/a> <http://e.org/b> }"
    with pytest.raises(sparql.UnsafeIriError):
        sparql.values("x", ["http://e.org/a", "http://e.org/b> } ?s ?p ?o . VALUES ?y {"])


def test_a_bound_query_runs():
    store = ox.Store()
    a, label = ox.NamedNode("http://example.org/a"), ox.Literal("A", language="en")
    store.add(ox.Quad(a, ox.NamedNode("http://www.w3.org/2004/02/skos/core#prefLabel"), label))
    query = sparql.bind("PREFIX skos: <http://www.w3.org/2004/02/skos/core#> "
                        "SELECT ?label WHERE { ?this skos:prefLabel ?label }",
                        this=sparql.iri(a.value))
    assert [row["label"] for row in store.query(query)] == [label]
