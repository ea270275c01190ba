"""``/sparql``: the SPARQL 1.1 Protocol (query operation only), its service description and
the VoID description of the dataset."""
from __future__ import annotations

from collections.abc import Awaitable, Coroutine
from typing import Any
from urllib.parse import parse_qsl

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from rightsgraph.api.app import API_HEADERS, with_security_headers
from rightsgraph.api.deps import ServerDep
from rightsgraph.api.pool import GRAPH_TYPES, RESULT_TYPES, QueryError
from rightsgraph.api.pool import Answer as QueryAnswer
from rightsgraph.api.problems import problem
from rightsgraph.api.protocol import (
    FORMAT_NAMES,
    RefusedError,
    accepted_types,
    check_query,
    form_pairs,
    plain_query,
    read_body,
)
from rightsgraph.api.server import Server
from rightsgraph.core import sparql as sp
from rightsgraph.core.namespaces import HRO_IRI

router = APIRouter(tags=["SPARQL"])

SPARQL_DOC = """SPARQL 1.1 Protocol query endpoint.

* `GET /sparql?query=…`, `POST` with `application/x-www-form-urlencoded` (`query=…`) or with
  `application/sparql-query` (the query as the body); `default-graph-uri` and
  `named-graph-uri` restrict the dataset. Without them the default graph is the union of all
  named graphs, so queries need no `GRAPH` clause (the prefixes `hro:`, `dcterms:`, `prov:`,
  `skos:`, `xsd:`, `rdf:`, `rdfs:` are predeclared).
* SELECT/ASK results as JSON, XML, CSV or TSV; CONSTRUCT/DESCRIBE as Turtle, JSON-LD,
  N-Triples or RDF/XML, by `Accept` (or `format=json|xml|csv|tsv|ttl|jsonld|nt|rdf`).
* Read-only: updates are refused with 403, `SERVICE` with 400 (unless allow-listed);
  each query has a time limit (503 when exceeded), a memory limit (503) and a result-size
  cap (413); a busy server answers 503 with `Retry-After`, a client with too many queries
  running 429.
* `GET /sparql` without a query returns the SPARQL service description (or the query editor
  for a browser).
"""


async def _form(request: Request) -> list[tuple[str, str]]:
    body = await read_body(request)
    if body.isascii():
        return form_pairs(body)
    return parse_qsl(body.decode("utf-8", errors="replace"), keep_blank_values=True)


def _header(scope: Scope, name: bytes) -> str | None:
    """The first value of header ``name`` (lower case, as ASGI servers give names), read from
    the scope's raw list rather than through a ``Headers`` mapping."""
    for key, value in scope["headers"]:
        if key == name:
            return value.decode("latin-1")
    return None


@router.get("/sparql", summary="SPARQL 1.1 query (GET)", description=SPARQL_DOC,
            operation_id="sparql_query_get")
@router.post("/sparql", summary="SPARQL 1.1 query (POST)", description=SPARQL_DOC,
             operation_id="sparql_query_post")
async def sparql(request: Request, server: ServerDep) -> Response:
    # Read from the ASGI scope as it is (query string, raw headers): Starlette's
    # QueryParams and Headers mappings cost more than the rest of this function.
    scope = request.scope
    params = form_pairs(scope["query_string"])
    query = None
    if scope["method"] == "POST":
        content_type = (_header(scope, b"content-type") or "").split(";")[0].strip().lower()
        if content_type == "application/sparql-update":
            raise RefusedError(403, "this endpoint is read-only: SPARQL Update is not accepted")
        if content_type == "application/sparql-query":
            query = (await read_body(request)).decode("utf-8", errors="replace")
        elif content_type in ("application/x-www-form-urlencoded", ""):
            params += await _form(request)
        else:
            raise RefusedError(415, f"POST a query as application/sparql-query or "
                               f"application/x-www-form-urlencoded, not {content_type}")
    given: dict[str, list[str]] = {}  # the values of each parameter, in order
    for name, value in params:
        given.setdefault(name, []).append(value)
    if "update" in given or "using-graph-uri" in given or "using-named-graph-uri" in given:
        raise RefusedError(403, "this endpoint is read-only: SPARQL Update is not accepted")
    queries = given.get("query", ())
    if query is None:
        if len(queries) > 1:
            raise RefusedError(400, "give exactly one query parameter")
        query = queries[0] if queries else None
    elif queries:
        raise RefusedError(400, "a query in the body and in the URL: give one")
    accept = accepted_types(_header(scope, b"accept"))
    if "format" in given:
        fmt = given["format"][0]
        if fmt not in FORMAT_NAMES:
            raise RefusedError(400, f"unknown format {fmt!r}; use one of {', '.join(FORMAT_NAMES)}")
        accept = [FORMAT_NAMES[fmt]]
    if query is None:
        from rightsgraph.api.web import wants_html

        if wants_html(accept):
            from rightsgraph.api.web import editor_page

            return editor_page(request, server)
        return await service_description(request, server, accept)
    if not query or query.isspace():
        raise RefusedError(400, "the query is empty")
    check_query(query)
    client = scope.get("client")
    answer = await server.sparql(
        query, accept, public=True, client=client[0] if client else None,
        default_graph=given.get("default-graph-uri", ()),
        named_graphs=given.get("named-graph-uri", ()),
    )
    return Answered(answer)


class Answered(Response):
    """A query's answer as a response: its body and headers as the worker gave them, made
    without :class:`Response`'s header negotiation (see :func:`answer`)."""

    def __init__(self, answer: QueryAnswer) -> None:
        self.status_code = 200
        self.body = answer.body
        self.background = None
        self.media_type = answer.media_type
        self.raw_headers = [(b"content-length", str(len(answer.body)).encode("latin-1")),
                            *(_ANSWER_HEADERS.get(answer.media_type)
                               or _answer_headers(answer.media_type))]


def _answer_headers(media: str) -> list[tuple[bytes, bytes]]:
    charset = "; charset=utf-8" if media.startswith("text/") or "json" in media else ""
    return [(b"content-type", (media + charset).encode("latin-1")), (b"vary", b"Accept"),
            (b"cache-control", b"no-cache")]


# the headers of an answer in each media type a worker gives (pool.RESULT_TYPES, GRAPH_TYPES)
_ANSWER_HEADERS = {media: _answer_headers(media) for media in (*RESULT_TYPES, *GRAPH_TYPES)}


def plain(scope: Scope, server: Server) -> Coroutine[Any, Any, PlainOutcome] | None:
    """A plain ``GET /sparql?query=…`` (the query its only parameter, passing
    :func:`check_query`), answered by the HTTP protocol without ASGI (``api/http.py``): its
    outcome to come, the answer's headers and body or an ASGI application that renders the
    lane's refusal as :func:`answer` does.  ``None`` when the route must answer (any other
    parameter, no query, a refusal of the route's own): it then answers as always.  The
    route's checks, in the route's order, on the same values."""
    query = plain_query(scope["query_string"])
    if query is None:
        return None
    client = scope.get("client")
    return _plain(server.sparql(query, accepted_types(_header(scope, b"accept")), public=True,
                                client=client[0] if client else None))


PlainOutcome = tuple[list[tuple[bytes, bytes]], bytes] | ASGIApp


async def _plain(asked: Awaitable[QueryAnswer]) -> PlainOutcome:
    try:
        found = await asked
    except QueryError as err:
        return _refused(err)
    return Answered(found).raw_headers + API_HEADERS, found.body


async def refused(status: int, message: str,
                  headers: dict[str, str] | None = None) -> PlainOutcome:
    """A refusal a public worker gave back with its connection (``api/handover.py``),
    rendered as the plain path renders the lane's refusals."""
    return _refused(QueryError(status, message, headers))


def handover_headers() -> dict[str, bytes]:
    """An answer's header lines in each media type a worker gives, but its length (the
    lines the plain path writes after ``content-length``), for the workers that answer
    connections themselves (``api/handover.py``)."""
    from rightsgraph.api.handover import answer_lines

    return {media: answer_lines(headers + API_HEADERS)
            for media, headers in _ANSWER_HEADERS.items()}


def _refused(err: QueryError) -> ASGIApp:
    """The lane's refusal as an ASGI application: a problem, as :func:`answer` gives it."""
    async def refuse(scope: Scope, receive: Receive, send: Send) -> None:
        response = problem(Request(scope, receive), err.status, err.message,
                           headers=err.headers)
        await response(scope, receive, with_security_headers(send))

    return refuse


async def answer(scope: Scope, receive: Receive, send: Send, server: Server) -> None:
    """``/sparql`` as an ASGI application (see :class:`~rightsgraph.api.app.App`): the route
    :func:`sparql`, its refusals answered as everywhere else (:func:`.problems.problem`),
    the security headers on every response."""
    request = Request(scope, receive)
    response: Response
    try:
        response = await sparql(request, server)
    except RefusedError as err:
        response = problem(request, err.status, err.message, err.hint, err.headers)
    except QueryError as err:
        response = problem(request, err.status, err.message, headers=err.headers)
    if type(response) is Answered:
        # an answer: its headers and the security headers, sent as they are
        await send({"type": "http.response.start", "status": 200,
                    "headers": response.raw_headers + API_HEADERS})
        await send({"type": "http.response.body", "body": response.body})
        return
    await response(scope, receive, with_security_headers(send))


SD = """PREFIX sd: <http://www.w3.org/ns/sparql-service-description#>
PREFIX void: <http://rdfs.org/ns/void#>
PREFIX dcterms: <http://purl.org/dc/terms/>
CONSTRUCT {
  ?endpoint a sd:Service ;
      sd:endpoint ?endpoint ;
      sd:supportedLanguage sd:SPARQL11Query ;
      sd:resultFormat <http://www.w3.org/ns/formats/SPARQL_Results_JSON>,
          <http://www.w3.org/ns/formats/SPARQL_Results_XML>,
          <http://www.w3.org/ns/formats/SPARQL_Results_CSV>,
          <http://www.w3.org/ns/formats/SPARQL_Results_TSV>,
          <http://www.w3.org/ns/formats/Turtle>, <http://www.w3.org/ns/formats/JSON-LD>,
          <http://www.w3.org/ns/formats/N-Triples>, <http://www.w3.org/ns/formats/RDF_XML> ;
      sd:feature sd:UnionDefaultGraph ;
      sd:defaultDataset ?dataset .
  ?dataset a sd:Dataset, void:Dataset ;
      dcterms:title "rightsgraph" ;
      void:sparqlEndpoint ?endpoint ;
      void:dataDump ?dump ;
      void:uriSpace ?uriSpace ;
      void:vocabulary ?hro, <http://www.w3.org/2004/02/skos/core#>,
          <http://purl.org/dc/terms/>, <http://www.w3.org/ns/prov#> ;
      void:triples ?triples ;
      void:entities ?documents ;
      sd:namedGraph ?namedGraph .
  ?namedGraph sd:name ?graph .
}
WHERE {
  %s
  BIND(IRI(CONCAT(STR(?dataset), "/graph/", ENCODE_FOR_URI(STR(?graph)))) AS ?namedGraph) }
}"""

# counted on request
SD_COUNTED = SD % """{ SELECT (COUNT(*) AS ?triples) WHERE { GRAPH ?g { ?s ?p ?o } } }
  { SELECT (COUNT(DISTINCT ?doc) AS ?documents) WHERE { ?doc hro:languageVersion ?v } }
  # the graphs read from their quads: Virtuoso answers GRAPH ?graph { } with one "true"
  OPTIONAL { { SELECT DISTINCT ?graph WHERE { GRAPH ?graph { ?s ?p ?o } } }"""

# the numbers the build stored (page_data.stored_numbers)
SD_STORED = SD % """VALUES (?triples ?documents) { (?storedTriples ?storedDocuments) }
  OPTIONAL { ?storedGraphs"""


def _root(request: Request) -> str:
    return str(request.base_url)


async def service_description(request: Request, server: Server,
                              accept: list[str]) -> Response:
    """The SPARQL service description with the VoID description of the dataset."""
    from rightsgraph.api.page_data import stored_numbers

    root = _root(request)
    stored = await stored_numbers(server)
    if stored is None:
        template = SD_COUNTED
        numbers: dict[str, sp.Term] = {}
    else:
        template = SD_STORED
        described = stored["description"]
        numbers = {"storedTriples": sp.integer(described["quads"]),
                   "storedDocuments": sp.integer(described["documents"]["total"]),
                   "storedGraphs": sp.values("graph", stored["graphs"])}
    query = sp.bind(template, **numbers, endpoint=sp.iri(f"{root}sparql"),
                    dataset=sp.iri(f"{root}void#dataset"),
                    dump=sp.iri(f"{root}dumps/rightsgraph.nq.gz"),
                    uriSpace=sp.literal(server.base), hro=sp.iri(HRO_IRI))
    graph_types = [m for m in accept if not m.startswith(("application/sparql-results",
                                                          "text/csv", "text/tab"))]
    types = graph_types or ["text/turtle"]
    # it counts every quad and lists every graph: once per snapshot of the store served
    answer = await server.cached(("void", root, *types), lambda: server.sparql(query, types))
    return Response(answer.body, media_type=answer.media_type, headers={"Vary": "Accept"})


@router.get("/void", summary="VoID description of the dataset (with the service description); "
                             "a summary page for browsers")
@router.get("/.well-known/void", include_in_schema=False)
async def void(request: Request, server: ServerDep) -> Response:
    """To a browser a page that summarises the dataset; to RDF clients VoID with the service
    description, by ``Accept`` or ``?format=ttl|jsonld|nt|rdf``."""
    from rightsgraph.api.web import void_page, wants_html

    fmt = request.query_params.get("format")
    if fmt is not None and fmt not in FORMAT_NAMES:
        raise RefusedError(400, f"unknown format {fmt!r}; use one of {', '.join(FORMAT_NAMES)}")
    accept = [FORMAT_NAMES[fmt]] if fmt else accepted_types(request.headers.get("accept"))
    if wants_html(accept):
        return await void_page(request, server)
    return await service_description(request, server, accept)
