"""The HTTP server: SPARQL endpoint, linked data, dumps and the researcher API.

``create_app(Settings(store=...))`` gives a FastAPI application; ``rightsgraph serve`` runs it
with uvicorn.  SPARQL runs in worker processes (:mod:`.pool`); everything else the server
knows, it asks with SPARQL too, so a remote store works the same as the embedded one.
"""
from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import re
import signal
import sys
from collections.abc import Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any, Literal

from fastapi import FastAPI, Request
from fastapi.responses import FileResponse, Response
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from rightsgraph import __version__
from rightsgraph.api.jsonld import context
from rightsgraph.api.protocol import RefusedError, form_pairs
from rightsgraph.api.server import Server, Settings
from rightsgraph.core import formats
from rightsgraph.core import sparql as sp

__all__ = ["Settings", "create_app"]
DocumentDump = Literal["nq", "trig"]  # the quad formats of formats.RDF

# A document's graphs: each language version's, and the graph inferred from it when there is
# one.  Looked up from the document, not by listing every graph (``GRAPH ?g { }``), which
# some stores (Virtuoso) do not answer.
DOCUMENT_GRAPHS = """SELECT DISTINCT ?g WHERE {
  { ?doc dcterms:identifier ?symbol ; hro:languageVersion ?v .
    GRAPH ?g { ?v a hro:LanguageVersion } }
  UNION
  { ?doc dcterms:identifier ?symbol ; hro:languageVersion ?v .
    GRAPH ?version { ?v a hro:LanguageVersion }
    BIND(IRI(CONCAT(STR(?version), "/inferred")) AS ?g)
    FILTER EXISTS { GRAPH ?g { ?s ?p ?o } } }
} ORDER BY ?g"""


def create_app(settings: Settings) -> FastAPI:
    server = Server(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        await server.start()
        _reload_on_sighup(server)
        try:
            yield
        finally:
            server.close()

    app = App(
        title="rightsgraph",
        version=__version__,
        description="UN treaty-body concluding observations as linked data: a SPARQL 1.1 "
                    "endpoint, dereferenceable URIs, dumps and a researcher API.",
        lifespan=lifespan,
        docs_url=None,  # served below from the vendored Swagger UI, so it works offline
        redoc_url=None,
    )
    app.state.server = server

    @app.get("/docs", include_in_schema=False)
    async def api_docs(request: Request) -> Response:
        """The researcher API's documentation: Swagger UI (Apache-2.0, vendored in
        ``static/swagger_ui/`` by ``tools/vendor_swagger_ui.sh``) on ``/openapi.json``,
        started by ``static/docs.js`` so that the page needs no inline script."""
        from rightsgraph.api.web import render

        return render(request, server, "docs.html", title="researcher API",
                      openapi_url=app.openapi_url or "/openapi.json")

    from rightsgraph.api import (
        linked_data,
        problems,
        recurring,
        researcher,
        sparql,
        statistics,
        web,
    )

    app.include_router(sparql.router)
    app.sparql_answer, app.server = sparql.answer, server
    app.sparql_plain = functools.partial(sparql.plain, server=server)
    # the public lane, when its workers take /sparql connections (api/handover.py)
    app.sparql_handover = server.public if server.public.lane.handover is not None else None
    app.include_router(researcher.router)
    app.include_router(statistics.router)
    app.include_router(web.router)
    app.include_router(recurring.router)
    web.mount_static(app)

    app.add_middleware(SecurityHeaders)
    problems.install(app)

    @app.get("/dumps/rightsgraph.nq.gz", tags=["linked data"],
             summary="The whole dataset as gzipped N-Quads (one named graph per document "
                     "language version, plus registries, ontology and inferences)")
    async def dump() -> Response:
        path = await server.dump_file()
        return FileResponse(path, media_type="application/gzip", filename="rightsgraph.nq.gz")

    @app.get("/dumps/document", tags=["linked data"],
             summary="One document: every language version, its inferences, as N-Quads or TriG")
    async def document_dump(symbol: str, format: DocumentDump = "nq") -> Response:
        graphs = [row["g"]["value"] for row in await server.select(sp.bind(
            DOCUMENT_GRAPHS, symbol=sp.literal(symbol)))]
        if not graphs:
            raise RefusedError(404, f"no document {symbol!r} in the store")
        loop = asyncio.get_running_loop()
        body = await loop.run_in_executor(None, _dump_graphs, server.location, graphs, format)
        media = formats.rdf(format).media_type
        name = symbol.replace("/", "_") + "." + format
        return Response(body, media_type=media,
                        headers={"Content-Disposition": f'attachment; filename="{name}"'})

    @app.get("/context.jsonld", name="jsonld_context", tags=["linked data"],
             summary="The JSON-LD @context of the graph's JSON-LD (made from the ontology)")
    async def jsonld_context() -> Response:
        return Response(json.dumps(context(), indent=1), media_type="application/ld+json",
                        headers={"Access-Control-Allow-Origin": "*"})

    app.include_router(linked_data.router)  # last: it answers any path under the base
    return app


# Headers on every response (README, "Running it in public"): no MIME sniffing (a 404 that
# echoes a path is text, never HTML), no framing, no referrer to other sites, and for HTML
# pages a Content-Security-Policy that allows only this server's own scripts and styles.
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "strict-origin-when-cross-origin",
}
PAGE_POLICY = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
               "img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; "
               "form-action 'self'; frame-ancestors 'none'")
API_POLICY = "default-src 'none'; frame-ancestors 'none'"
# the same for a response that is not a page, as ASGI headers (see sparql.answer)
API_HEADERS = [(name.lower().encode("latin-1"), value.encode("latin-1")) for name, value in
               (*SECURITY_HEADERS.items(), ("Content-Security-Policy", API_POLICY))]


def with_security_headers(send: Send) -> Send:
    """``send``, adding :data:`SECURITY_HEADERS` (and a Content-Security-Policy) to the
    response's start."""
    async def with_headers(message: Message) -> None:
        if message["type"] == "http.response.start":
            headers = MutableHeaders(scope=message)
            for name, value in SECURITY_HEADERS.items():
                headers.setdefault(name, value)
            html = headers.get("content-type", "").startswith("text/html")
            headers.setdefault("Content-Security-Policy", PAGE_POLICY if html else API_POLICY)
        await send(message)

    return with_headers


class SecurityHeaders:
    """Adds the security headers to every response (:func:`with_security_headers`); a
    plain ASGI middleware, which costs a function call per response (Starlette's
    ``BaseHTTPMiddleware`` runs each request in a task group of its own)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        await self.app(scope, receive, with_security_headers(send))


class App(FastAPI):
    """The application: ``/sparql`` (GET and POST) is answered by its route function called
    directly, without FastAPI's routing, dependency injection and middleware stack, which
    cost more of the server's CPU than a point query itself (a public endpoint is asked
    many small queries).  Its answers are the same: errors as problem details
    (:mod:`.problems`), the security headers on every response.  So are the search page
    (``/?q=…``) and ``/api/search?q=…`` when their query string holds only parameters
    :data:`LEAN` reads (a fifth of a search page's CPU in the server went to FastAPI's
    layers); any other request to them takes the routed path, which validates the rest."""

    # set by create_app: sparql.answer and the server (read per request: no import, no
    # State.__getattr__, which raises and catches an AttributeError each time)
    sparql_answer: Callable[[Scope, Receive, Send, Server], Awaitable[None]]
    server: Server
    # a plain GET /sparql?query=…, answered by the HTTP protocol (api/http.py) without ASGI
    sparql_plain: Callable[[Scope], Awaitable[Any] | None]
    sparql_handover: Any = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            path = scope["path"]
            if path == "/sparql" and scope["method"] in ("GET", "POST"):
                scope["app"] = self
                await self.sparql_answer(scope, receive, send, self.server)
                return
            lean = LEAN.get(path)
            if lean is not None and scope["method"] == "GET":
                arguments = lean_arguments(scope["query_string"], lean[1])
                if arguments is not None:
                    scope["app"] = self
                    await _answer_lean(scope, receive, send, self.server, lean[0], arguments)
                    return
        await super().__call__(scope, receive, send)


async def _home(request: Request, server: Server, arguments: dict[str, Any]) -> Response:
    from rightsgraph.api.web import home

    return await home(request, server, {}, **arguments)  # no link filters


async def _search(request: Request, server: Server, arguments: dict[str, Any]) -> Response:
    from rightsgraph.api.researcher import search

    return await search(request, server, **arguments)


_PAGE = re.compile(r"[1-9][0-9]{0,3}")
_LIMIT = re.compile(r"[1-9][0-9]{0,2}")
_OFFSET = re.compile(r"0|[1-9][0-9]{0,4}")


def _number(pattern: re.Pattern[str], low: int, high: int) -> Callable[[str], int | None]:
    def read(value: str) -> int | None:
        return int(value) if pattern.fullmatch(value) and low <= int(value) <= high else None

    return read


def _language(value: str) -> str | None:
    return value if value in ("en", "fr", "es", "ru", "zh", "ar") else None


# The routes answered without FastAPI's layers when their query string holds only these
# parameters, each once, with values the routed path would accept as they are (a number
# written plainly, within the route's bounds): what calls the route function, and
# parameter -> how its value is read (None: refused, so the routed path answers with its
# own error).  The route's other parameters keep their defaults; the search
# page's link filters are then none.  Anything else (another parameter, a repeated one, a
# value to validate) goes the routed way.
LEAN: dict[str, tuple[Callable[[Request, Server, dict[str, Any]], Awaitable[Response]],
                      dict[str, Callable[[str], Any]]]] = {
    "/": (_home, {"q": str, "page": _number(_PAGE, 1, 500)}),
    "/api/search": (_search, {"q": str, "lang": _language, "limit": _number(_LIMIT, 1, 100),
                              "offset": _number(_OFFSET, 0, 10_000)}),
}


def lean_arguments(query_string: bytes, readers: dict[str, Callable[[str], Any]],
                   ) -> dict[str, Any] | None:
    """The arguments of a lean route from its query string, or None when the routed path
    must answer (see :data:`LEAN`)."""
    arguments: dict[str, Any] = {}
    for name, value in form_pairs(query_string):
        read = readers.get(name)
        if read is None or name in arguments:
            return None
        found = read(value)
        if found is None:
            return None
        arguments[name] = found
    if "q" not in arguments:
        return None
    return arguments


async def _answer_lean(scope: Scope, receive: Receive, send: Send, server: Server,
                       route: Callable[[Request, Server, dict[str, Any]], Awaitable[Response]],
                       arguments: dict[str, Any]) -> None:
    """A lean route's answer: the route function's response, or its refusal as a problem
    (:func:`.problems.problem`, as the routed path's handlers give it), with the security
    headers."""
    from rightsgraph.api.pool import QueryError
    from rightsgraph.api.problems import problem

    request = Request(scope, receive)
    try:
        response = await route(request, server, arguments)
    except RefusedError as err:
        response = problem(request, err.status, err.message, err.hint, err.headers)
    except QueryError as err:
        response = problem(request, err.status, err.message, headers=err.headers)
    except sp.UnsafeIriError as err:
        response = problem(request, 404, f"no resource at {err.value!r}")
    await response(scope, receive, with_security_headers(send))


def _reload_on_sighup(server: Server) -> None:
    """``kill -HUP`` makes the server serve a new snapshot of its store (where signals can
    be handled: in the main thread on Unix)."""
    loop = asyncio.get_running_loop()

    def reload() -> None:
        async def run() -> None:
            location = await server.reload()
            print(f"rightsgraph: now serving {location} (a snapshot of "
                  f"{server.settings.store})", file=sys.stderr, flush=True)

        loop.create_task(run())

    with contextlib.suppress(NotImplementedError, RuntimeError, ValueError, AttributeError):
        loop.add_signal_handler(signal.SIGHUP, reload)


def _dump_graphs(location: str, graphs: list[str], fmt: str) -> bytes:
    import io

    from rightsgraph.graph.store import open_store

    out = io.BytesIO()
    with open_store(location, read_only=True) as store:
        if fmt == "nq":
            for graph in graphs:
                store.dump(out, "nq", graph=graph)
        else:
            import pyoxigraph as ox

            quads = io.BytesIO()
            for graph in graphs:
                store.dump(quads, "nq", graph=graph)
            parsed = ox.parse(quads.getvalue(), format=ox.RdfFormat.N_QUADS)
            ox.serialize(parsed, out, format=ox.RdfFormat.TRIG)
    return out.getvalue()

