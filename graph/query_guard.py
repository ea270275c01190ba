"""What a query from the public may be, decided before the engine sees it.

Two checks, both for queries that come from outside (``/sparql``); the server's own queries
are written by us and skip them:

* :func:`check_shape` (cheap, in the server process, before a worker is used): nesting of
  brackets and the number of tokens.  Oxigraph's parser and evaluator recurse on both, and
  past a few thousand levels a worker dies of a stack overflow (5,000 nested parentheses,
  30,000 nested ``{}`` or a FILTER of 10,000 ``+`` did in the attack tests of issue #10).
* :func:`check_federation` (in the query worker, so its time and memory are bounded by the
  worker's limits): federation is decided on the **parsed** query, never on its text.  The
  query is parsed by rdflib's SPARQL grammar and every ``ServiceGraphPattern`` of the tree is
  collected wherever it sits (subqueries, OPTIONAL, MINUS, UNION, GRAPH, FILTER EXISTS,
  NOT EXISTS, expressions in SELECT, ORDER BY or HAVING), with or without SILENT; a service
  named by a variable is always refused, an IRI (or prefixed name, resolved against the
  query's own prologue) only passes if it is on the allow-list.

Cost: rdflib's parser (pyparsing) needs 10-40 ms for an ordinary query and seconds for very
long ones (3,600 triple patterns, 100,000 characters: 9 s), so the parse only runs when the
word ``service`` occurs in the query at all (after SPARQL's ``\\u`` escapes are expanded):
without it no federation is possible, since ``SERVICE`` is the only federation keyword of
SPARQL 1.1.  The parse tree is enough (the algebra that ``translateQuery`` makes from it has
the same ``ServiceGraphPattern`` nodes, but its translation is quadratic in the number of
triple patterns: 86 s for 3,000).  A query that mentions ``service`` but does not parse
with rdflib's grammar (SPARQL-star, say) is refused, since it cannot be checked.
"""
from __future__ import annotations

import re
import sys
import threading
from collections.abc import Iterable

from rightsgraph.core.errors import EXIT_USAGE
from rightsgraph.graph.store import StoreError

MAX_NESTING = 200
MAX_TOKENS = 10_000
# The parse needs deep recursion (rdflib's grammar recurses once per triple pattern).
_PARSE_STACK_BYTES = 64 * 2**20
_PARSE_RECURSION = 200_000

_TOKEN = re.compile(
    r'"""[\s\S]*?(?:"""|$)|\'\'\'[\s\S]*?(?:\'\'\'|$)|"(?:[^"\\\n]|\\.)*"?|\'(?:[^\'\\\n]|\\.)*\'?'
    r'|<[^<>"{}|^`\\\x00-\x20]*>|#[^\n]*|[(\[{]|[)\]}]|[^\s()\[\]{}"\'#<]+|\S'
)
_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")


class QueryRefusedError(StoreError):
    """A query this server will not run; the message says why and what is allowed."""

    exit_code = EXIT_USAGE


def check_shape(query: str, *, max_nesting: int = MAX_NESTING,
                max_tokens: int = MAX_TOKENS) -> None:
    """Refuse a query nested deeper than ``max_nesting`` brackets or longer than
    ``max_tokens`` tokens (strings, IRIs, names, numbers, operators; comments do not count).
    Linear in the length of the query; at once for a query too short to break either
    limit (a token is at least one character, a level of nesting one opening bracket)."""
    if len(query) <= max_tokens and sum(map(query.count, "([{")) <= max_nesting:
        return
    depth = deepest = tokens = 0
    for match in _TOKEN.finditer(query):
        token = match.group(0)
        if token[0] == "#":
            continue
        tokens += 1
        if token in "([{":
            depth += 1
            deepest = max(deepest, depth)
        elif token in ")]}":
            depth = max(0, depth - 1)
    if deepest > max_nesting:
        raise QueryRefusedError(f"the query nests brackets {deepest} deep; the limit is "
                                f"{max_nesting}")
    if tokens > max_tokens:
        raise QueryRefusedError(f"the query has {tokens:,} tokens; the limit is {max_tokens:,}")


def expand_escapes(query: str) -> str:
    """The query with SPARQL's codepoint escapes (``\\u0053``, ``\\U00000053``) expanded, as
    the SPARQL 1.1 grammar (section 19.2) applies them before parsing."""
    def char(match: re.Match) -> str:
        code = int(match.group(1) or match.group(2), 16)
        return chr(code) if code < 0x110000 else match.group(0)

    return _ESCAPE.sub(char, query)


def may_federate(query: str) -> bool:
    """Whether the word SERVICE occurs anywhere in the query, escapes expanded, in any case:
    without it the query cannot federate."""
    return "service" in query.lower() or "service" in expand_escapes(query).lower()


def services(query: str) -> list[str | None]:
    """The services the query calls: each ``SERVICE`` IRI (absolute), ``None`` for one named
    by a variable.  Raises :class:`QueryRefusedError` if rdflib's grammar cannot parse it."""
    outcome: list = []

    def parse() -> None:
        try:
            outcome.append(_services(query))
        except BaseException as err:  # noqa: BLE001 - handed to the caller's thread
            outcome.append(err)

    limit = sys.getrecursionlimit()
    size = threading.stack_size()
    try:
        sys.setrecursionlimit(max(limit, _PARSE_RECURSION))
        threading.stack_size(_PARSE_STACK_BYTES)
        worker = threading.Thread(target=parse, name="rightsgraph-sparql-parse")
        worker.start()
    finally:
        threading.stack_size(size)
    worker.join()
    sys.setrecursionlimit(limit)
    result = outcome[0]
    if isinstance(result, BaseException):
        raise QueryRefusedError(
            "this query mentions SERVICE and its federation cannot be checked because it "
            f"does not parse as SPARQL 1.1 ({type(result).__name__}: "
            f"{str(result).splitlines()[0] if str(result) else ''}); federated queries are "
            "refused unless their services are allowed") from result
    return result


def _services(query: str) -> list[str | None]:
    from rdflib.plugins.sparql.algebra import translatePName, translatePrologue, traverse
    from rdflib.plugins.sparql.parser import parseQuery
    from rdflib.plugins.sparql.parserutils import CompValue
    from rdflib.term import URIRef, Variable

    parsed = parseQuery(query)
    prologue = translatePrologue(parsed[0], None)
    found: list[str | None] = []

    def visit(node):
        if isinstance(node, CompValue) and node.name == "ServiceGraphPattern":
            term = node.get("term")
            if isinstance(term, CompValue):  # a prefixed name
                term = translatePName(term, prologue)
            elif isinstance(term, URIRef):
                term = prologue.absolutize(term)
            found.append(None if isinstance(term, Variable) or term is None else str(term))
        return None

    traverse(parsed[1], visitPre=visit)
    return found


def check_federation(query: str, allow: Iterable[str] = ()) -> None:
    """Refuse (:class:`QueryRefusedError`) a query that calls a service not in ``allow``."""
    if not may_federate(query):
        return
    allowed = set(allow)
    for service in services(query):
        if service is None:
            raise QueryRefusedError("SERVICE with a variable is not allowed on this endpoint")
        if service not in allowed:
            if allowed:
                raise QueryRefusedError(
                    f"SERVICE <{service}> is not allowed; this endpoint federates only with: "
                    + ", ".join(sorted(allowed)))
            raise QueryRefusedError("federated queries (SERVICE) are disabled on this endpoint")
