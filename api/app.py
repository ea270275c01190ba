"""The HTTP server: SPARQL endpoint, linked data, dumps and the researcher API.

``create_app(Settings(store=...))`` gives a FastAPI application; ``rightsgraph serve`` runs it
with uvicorn.  SPARQL runs in worker processes (:mod:`.pool`); everything else the server
knows, it asks with SPARQL too, so a remote store works the same as the embedded one.
"""
from __future__ import annotations

import asyncio
import gzip
import json
import os
import tempfile
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from fastapi import FastAPI, Request
from fastapi.responses import FileResponse, PlainTextResponse, Response

from rightsgraph import __version__
from rightsgraph.api.jsonld import context
from rightsgraph.api.pool import Answer, QueryError, QueryPool, default_workers
from rightsgraph.api.protocol import RefusedError
from rightsgraph.core import identifiers


@dataclass
class Settings:
    """How the server runs; see ``rightsgraph serve --help``."""

    store: str
    base: str = field(default_factory=identifiers.base)
    workers: int = field(default_factory=default_workers)
    timeout: float = 30.0
    max_bytes: int = 50_000_000
    service_allow: tuple[str, ...] = ()
    dumps: str | None = None  # folder for generated dumps; default: a temporary folder


class Server:
    """State shared by the routes: the settings and the query pool."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.base = settings.base if settings.base.endswith("/") else settings.base + "/"
        self.pool = QueryPool(settings.store, workers=settings.workers,
                              timeout=settings.timeout, max_bytes=settings.max_bytes)
        self.dump_dir = Path(settings.dumps or tempfile.mkdtemp(prefix="rightsgraph-dumps-"))
        self._dump_lock = asyncio.Lock()

    async def sparql(self, query: str, accept: list[str], **dataset) -> Answer:
        return await self.pool.query(query, accept, **dataset)

    async def select(self, query: str) -> list[dict[str, dict]]:
        """SELECT bindings as SPARQL JSON terms (``{"type", "value", "xml:lang", ...}``)."""
        answer = await self.pool.query(query, ["application/sparql-results+json"])
        return json.loads(answer.body)["results"]["bindings"]

    async def ask(self, query: str) -> bool:
        answer = await self.pool.query(query, ["application/sparql-results+json"])
        return bool(json.loads(answer.body)["boolean"])

    def local_path(self, iri: str) -> str | None:
        """The path on this server where ``iri`` dereferences, if it is one of ours."""
        return "/" + iri[len(self.base):] if iri.startswith(self.base) else None

    async def dump_file(self) -> Path:
        """The whole dataset as gzipped N-Quads, written once per server run."""
        target = self.dump_dir / "rightsgraph.nq.gz"
        async with self._dump_lock:
            if not target.exists():
                loop = asyncio.get_running_loop()
                await loop.run_in_executor(None, _write_dump, self.settings.store, target)
        return target


def _write_dump(location: str, target: Path) -> None:
    from rightsgraph.graph.store import open_store

    partial = target.with_suffix(".partial")
    with open_store(location, read_only=True) as store, gzip.open(partial, "wb") as out:
        store.dump(out, "nq")
    os.replace(partial, target)


def create_app(settings: Settings) -> FastAPI:
    server = Server(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        await server.pool.start()
        try:
            yield
        finally:
            server.pool.close()

    app = FastAPI(
        title="rightsgraph",
        version=__version__,
        description="UN treaty-body concluding observations as linked data: a SPARQL 1.1 "
                    "endpoint, dereferenceable URIs, dumps and a researcher API.",
        lifespan=lifespan,
    )
    app.state.server = server

    from rightsgraph.api import linked_data, researcher, sparql, web

    app.include_router(sparql.router)
    app.include_router(researcher.router)
    app.include_router(web.router)
    web.mount_static(app)

    @app.exception_handler(QueryError)
    async def query_error(request: Request, err: QueryError) -> Response:
        return PlainTextResponse(err.message + "\n", status_code=err.status)

    @app.exception_handler(RefusedError)
    async def refused(request: Request, err: RefusedError) -> Response:
        return PlainTextResponse(err.message + "\n", status_code=err.status)

    @app.get("/dumps/rightsgraph.nq.gz", tags=["linked data"],
             summary="The whole dataset as gzipped N-Quads (one named graph per document "
                     "language version, plus registries, ontology and inferences)")
    async def dump() -> Response:
        path = await server.dump_file()
        return FileResponse(path, media_type="application/gzip", filename="rightsgraph.nq.gz")

    @app.get("/dumps/document", tags=["linked data"],
             summary="One document: every language version, its inferences, as N-Quads or TriG")
    async def document_dump(symbol: str, format: Literal["nq", "trig"] = "nq") -> Response:
        prefix = f"{server.base}graph/{symbol}/"
        graphs = [row["g"]["value"] for row in await server.select(
            f"SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ }} FILTER STRSTARTS(STR(?g), "
            f"{json.dumps(prefix)}) }} ORDER BY ?g")]
        if not graphs:
            raise RefusedError(404, f"no document {symbol!r} in the store")
        loop = asyncio.get_running_loop()
        body = await loop.run_in_executor(None, _dump_graphs, settings.store, graphs, format)
        media = "application/n-quads" if format == "nq" else "application/trig"
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
            out.write(ox.serialize(parsed, format=ox.RdfFormat.TRIG))
    return out.getvalue()

