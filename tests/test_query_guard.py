"""Federation is decided on the parsed query, never on its text; nesting and length are
capped before any parser sees a query (issue #10)."""
from __future__ import annotations

import pytest

from rightsgraph.graph.query_guard import (
    MAX_NESTING,
    MAX_TOKENS,
    QueryRefusedError,
    check_federation,
    check_shape,
    services,
)

X = "http://127.0.0.1:7878/query"

# Every form of federation, each calling X once (or a variable).
FEDERATED = [
    f"SELECT * WHERE {{ SERVICE<{X}>{{ ?s ?p ?o }} }}",  # no space: got through the regex
    f"SELECT * WHERE {{ SERVICE SILENT <{X}> {{ ?s ?p ?o }} }}",
    f"select * where {{ service silent<{X}>{{?s ?p ?o}} }}",
    f"SELECT * WHERE {{ ?a ?b ?c OPTIONAL {{ SERVICE <{X}> {{ ?s ?p ?o }} }} }}",
    f"SELECT * WHERE {{ ?a ?b ?c MINUS {{ SERVICE <{X}> {{ ?a ?p ?o }} }} }}",
    f"SELECT * WHERE {{ ?a ?b ?c FILTER EXISTS {{ SERVICE <{X}> {{ ?a ?p ?o }} }} }}",
    f"SELECT * WHERE {{ ?a ?b ?c FILTER (NOT EXISTS {{ SERVICE <{X}> {{ ?a ?p ?o }} }}) }}",
    f"SELECT * WHERE {{ {{ SELECT * WHERE {{ SERVICE <{X}> {{ ?a ?p ?o }} }} }} }}",
    f"SELECT * WHERE {{ {{ ?a ?b ?c }} UNION {{ SERVICE <{X}> {{ ?a ?p ?o }} }} }}",
    f"CONSTRUCT {{ ?a ?p ?o }} WHERE {{ GRAPH ?g {{ SERVICE <{X}> {{ ?a ?p ?o }} }} }}",
    f"ASK {{ SERVICE <{X}> {{ ?a ?p ?o }} }}",
    f"DESCRIBE ?a WHERE {{ SERVICE <{X}> {{ ?a ?p ?o }} }}",
    f"SELECT (EXISTS {{ SERVICE <{X}> {{ ?a ?p ?o }} }} AS ?x) WHERE {{ }}",
    f"SELECT * WHERE {{ ?s ?p ?o }} ORDER BY (EXISTS {{ SERVICE <{X}> {{ ?s ?p ?o }} }})",
    f"SELECT ?s WHERE {{ ?s ?p ?o }} GROUP BY ?s "
    f"HAVING (EXISTS {{ SERVICE <{X}> {{ ?s ?p ?o }} }})",
    f"PREFIX e: <{X[:-5]}> SELECT * WHERE {{ SERVICE e:query {{ ?a ?p ?o }} }}",
    f"BASE <{X[:-5]}> SELECT * WHERE {{ SERVICE <query> {{ ?a ?p ?o }} }}",
    f"SELECT * WHERE {{ \\u0053ERVICE <{X}> {{ ?a ?p ?o }} }}",  # a SPARQL codepoint escape
    f"SELECT * WHERE {{ # SERVICE in a comment, then the real one\n SERVICE <{X}> {{ }} }}",
]


@pytest.mark.parametrize("query", FEDERATED)
def test_every_form_of_federation_is_found_and_refused(query):
    assert services(query) == [X]
    with pytest.raises(QueryRefusedError, match="disabled"):
        check_federation(query)
    check_federation(query, allow=[X])  # allowed: passes
    with pytest.raises(QueryRefusedError, match="not allowed"):
        check_federation(query, allow=["http://example.org/sparql"])


def test_a_service_named_by_a_variable_is_refused_even_when_others_are_allowed():
    query = f"SELECT * WHERE {{ VALUES ?e {{ <{X}> }} SERVICE ?e {{ ?a ?p ?o }} }}"
    assert services(query) == [None]
    with pytest.raises(QueryRefusedError, match="variable"):
        check_federation(query, allow=[X])


@pytest.mark.parametrize("query", [
    'SELECT * WHERE { ?s ?p "SERVICE <http://127.0.0.1:7878/query> { }" }',
    "SELECT * WHERE { ?s <http://example.org/service> ?o }",
    "SELECT ?service WHERE { ?service ?p ?o }",
    "SELECT * WHERE { ?s ?p ?o } # SERVICE <http://127.0.0.1:7878/query> {}",
])
def test_the_word_service_alone_is_not_federation(query):
    assert services(query) == []
    check_federation(query)


def test_a_query_that_mentions_service_and_cannot_be_parsed_is_refused():
    # SPARQL-star, which rdflib's grammar does not know: fail closed.
    query = f"SELECT * WHERE {{ << ?a ?b ?c >> ?p ?o . SERVICE <{X}> {{ }} }}"
    with pytest.raises(QueryRefusedError, match="cannot be checked"):
        check_federation(query)


def test_a_long_query_is_parsed_despite_the_recursion_of_the_grammar():
    patterns = " ".join(f"?s{n} <http://example.org/p> ?o{n} ." for n in range(300))
    assert services(f"SELECT * WHERE {{ {patterns} SERVICE <{X}> {{ }} }}") == [X]


@pytest.mark.parametrize("query, message", [
    ("SELECT * WHERE { ?s ?p ?o FILTER(" + "(" * 5000 + "1" + ")" * 5000 + ") }",
     "nests brackets 5002 deep"),
    ("SELECT * WHERE {" + "{" * 30000 + "}" * 30000 + "}", "nests brackets 30001 deep"),
    ("SELECT * WHERE { FILTER(" + "1 + " * 20000 + "1) }", "tokens; the limit"),
])
def test_deep_or_long_queries_are_refused_before_parsing(query, message):
    with pytest.raises(QueryRefusedError, match=message):
        check_shape(query)


def test_ordinary_queries_pass_the_shape_check():
    check_shape("SELECT * WHERE { ?s ?p ?o FILTER(" + "(" * (MAX_NESTING - 3) + "1"
                + ")" * (MAX_NESTING - 3) + ") }")
    check_shape("SELECT * WHERE { VALUES ?x { " + "1 " * (MAX_TOKENS - 20) + "} }")
    # Brackets inside strings, IRIs and comments do not count.
    check_shape('SELECT * WHERE { ?s ?p "' + "(" * 1000 + '" } # ' + "{" * 1000)
    # many brackets side by side, none deep: the count alone cannot pass it, the scan does
    check_shape("SELECT * WHERE { " + "{ ?s ?p ?o } UNION " * 400 + "{ ?s ?p ?o } }")


def test_a_short_query_nested_past_the_limit_is_refused():
    # short enough for the quick pass on its length, too many brackets for it
    query = "ASK {" + "(" * (MAX_NESTING + 1) + "1" + ")" * (MAX_NESTING + 1) + "}"
    assert len(query) < MAX_TOKENS
    with pytest.raises(QueryRefusedError, match=f"nests brackets {MAX_NESTING + 2} deep"):
        check_shape(query)
