"""Dereferenceable URIs: every IRI the graph mints under the base answers at its path on this
server, as HTML for people and as Turtle, JSON-LD, N-Triples or RDF/XML for machines."""
from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from rightsgraph.api.deps import ServerDep
from rightsgraph.api.jsonld import compact
from rightsgraph.api.protocol import FORMAT_NAMES, RefusedError, accepted_types
from rightsgraph.core import formats
from rightsgraph.core import sparql as sp

router = APIRouter(tags=["linked data"])

RDF_TYPES = tuple(formats.rdf(name).media_type for name in formats.GRAPHS)
MAX_INCOMING = 2000

DESCRIBE = """CONSTRUCT { ?this ?p ?o . ?s ?q ?this . }
WHERE {
  { SELECT DISTINCT ?p ?o WHERE { ?this ?p ?o } }
  UNION
  { SELECT DISTINCT ?s ?q WHERE { ?s ?q ?this } LIMIT ?limit }
}"""


def negotiate(accept: list[str]) -> str | None:
    """``text/html`` or one of the RDF types, in the client's order; ``None`` if none fits."""
    for media in accept:
        if media in ("text/html", "application/xhtml+xml"):
            return "text/html"
        if media in RDF_TYPES:
            return media
        if media == "application/json":
            return "application/ld+json"
        if media in ("*/*", "text/*"):
            return "text/html" if media == "*/*" else "text/turtle"
        if media == "application/*":
            return "application/ld+json"
    return None


@router.get("/{path:path}", summary="Dereference a rightsgraph URI (content negotiation)",
            description="Any URI the graph mints (documents, language versions, paragraphs, "
                        "sub-items, sections, footnotes, registry entries, States) answers at "
                        "its path: HTML for browsers; Turtle, JSON-LD, N-Triples or RDF/XML by "
                        "`Accept` or `?format=ttl|jsonld|nt|rdf`.")
async def resource(request: Request, server: ServerDep, path: str) -> Response:
    fmt = request.query_params.get("format")
    if fmt is not None:
        if fmt not in FORMAT_NAMES:
            raise RefusedError(400, f"unknown format {fmt!r}")
        accept = [FORMAT_NAMES[fmt]]
    else:
        accept = accepted_types(request.headers.get("accept"))
    media = negotiate(accept)
    if media is None:
        raise RefusedError(406, "available as text/html, " + ", ".join(RDF_TYPES))
    iri = server.base + path
    if not sp.safe_iri(iri):
        raise RefusedError(404, f"no resource at /{path}")
    this = sp.iri(iri)
    if not await server.ask(sp.bind("ASK { { ?this ?p ?o } UNION { ?s ?q ?this } }", this=this)):
        raise RefusedError(404, f"nothing is known about <{iri}>")
    if media == "text/html":
        from rightsgraph.api.web import resource_page

        return await resource_page(request, server, iri)
    headers = {"Vary": "Accept", "Link": f'<{iri}>; rel="canonical"'}
    describe = sp.bind(DESCRIBE, this=this, limit=sp.integer(MAX_INCOMING))
    if media == "application/ld+json":
        answer = await server.sparql(describe, ["application/n-triples"])
        body = compact(answer.body, "nt", str(request.url_for("jsonld_context")))
        return Response(body, media_type=media, headers=headers)
    answer = await server.sparql(describe, [media])
    return Response(answer.body, media_type=answer.media_type, headers=headers)
