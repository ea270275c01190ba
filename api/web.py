"""HTML for people: the home page with its search, a page for every resource the graph mints
(documents, paragraphs, articles, registry entries; anything else as a table of statements),
a page per SDG target, and the SPARQL editor (YASGUI).

Pages are Jinja2 templates (``templates/``, autoescaped) filled from :mod:`.page_data`; they
need no JavaScript, except the editor.
"""
from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, FastAPI, Query, Request
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader

from rightsgraph.api import page_data
from rightsgraph.api.deps import ServerDep
from rightsgraph.api.examples import example_queries
from rightsgraph.api.filters import Flag, LinkFilters, paragraph_filters
from rightsgraph.api.protocol import RefusedError
from rightsgraph.api.recurring import paragraph_neighbours
from rightsgraph.api.server import Server
from rightsgraph.core import formats
from rightsgraph.core import sparql as sp
from rightsgraph.core.languages import RTL
from rightsgraph.core.links import FILTERS
from rightsgraph.core.namespaces import HRO_IRI
from rightsgraph.core.resources import package_path

TEMPLATES = package_path("rightsgraph.api", "templates")
STATIC = package_path("rightsgraph.api", "static")
PAGE_SIZE = 20
SNIPPET = 240
DOWNLOADS = tuple((name, formats.rdf(name).label) for name in formats.GRAPHS)

router = APIRouter(include_in_schema=False)
templates = Jinja2Templates(env=Environment(
    loader=FileSystemLoader(TEMPLATES), autoescape=True,
    trim_blocks=True, lstrip_blocks=True))


def snippet(text: str, words: str = "", width: int = SNIPPET) -> str:
    """About ``width`` characters of ``text``, around the first of ``words`` it contains."""
    text = " ".join(text.split())
    if len(text) <= width:
        return text
    lowered = text.lower()
    at = min((i for i in (lowered.find(w.lower()) for w in words.split()) if i >= 0), default=0)
    start = max(0, min(at - width // 3, len(text) - width))
    return ("…" if start else "") + text[start:start + width] + "…"


templates.env.filters["snippet"] = snippet
templates.env.globals["direction"] = lambda lang: "rtl" if lang in RTL else "ltr"
templates.env.globals["DOWNLOADS"] = DOWNLOADS


def mount_static(app: FastAPI) -> None:
    """Serve ``static/`` (the stylesheet and the vendored YASGUI) at ``/static``; call it
    before the linked-data router, which answers every other path."""
    app.mount("/static", StaticFiles(directory=STATIC), name="static")


def wants_html(accept: list[str]) -> bool:
    for media in accept:
        if media in ("text/html", "application/xhtml+xml"):
            return True
        if media not in ("*/*",):
            return False
    return False


def render(request: Request, server: Server, template: str, status: int = 200,
           **context: Any) -> HTMLResponse:
    context.setdefault("title", "rightsgraph")
    return templates.TemplateResponse(
        request, template, {"local": lambda iri: server.local_path(iri) or iri, **context},
        status_code=status)


# --- home page and search -----------------------------------------------------------------

@router.get("/")
async def home(
    request: Request, server: ServerDep, links: LinkFilters, q: str = "", state: str = "",
    committee: str = "", flag: Flag | Literal[""] = "",
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
) -> HTMLResponse:
    form = {"q": q.strip(), "state": state, "committee": committee,
            **{name: links.get(name, "") for name in FILTERS}, "flag": flag}
    searching = any(form.values())
    results: list[dict[str, Any]] = []
    total, error, status = 0, None, 200
    if searching:
        try:
            filters = paragraph_filters(state=state or None, committee=committee or None,
                                        links=links, flag=flag or None, q=q.strip() or None)
            total, results = await page_data.search(server, filters, PAGE_SIZE,
                                                    (page - 1) * PAGE_SIZE)
        except RefusedError as err:
            error, status = err.message, err.status
    pages = max(1, -(-total // PAGE_SIZE))
    query = {k: v for k, v in form.items() if v}

    def page_link(n: int) -> str:
        return "/?" + urlencode({**query, "page": n})

    return render(request, server, "home.html", status, title="Search", form=form,
                  searching=searching, results=results, total=total, page=page, pages=pages,
                  page_link=page_link, error=error, link_filters=FILTERS,
                  choices=await page_data.filter_choices(server))


# --- pages for the graph's resources ------------------------------------------------------

async def resource_page(request: Request, server: Server, iri: str) -> HTMLResponse:
    """The page for ``iri``, by what it is; 404 when the store lacks what the page needs (a
    document half described, a store being rebuilt), never a 500."""
    try:
        return await _resource_page(request, server, iri)
    except (IndexError, KeyError) as err:
        raise RefusedError(404, f"{iri}: the store does not hold what this page needs "
                           f"(missing {err}); it may be incomplete") from err


async def _resource_page(request: Request, server: Server, iri: str) -> HTMLResponse:
    types = await page_data.types_of(server, iri)
    if HRO_IRI + "Paragraph" in types:
        data = await page_data.paragraph(server, iri)
        data["state"], data["neighbours"] = await paragraph_neighbours(server, data)
        return render(request, server, "paragraph.html",
                      title=f"{data['symbol']} ¶{data['number']}",
                      p=data, languages=[v["lang"] for v in data["versions"]])
    if await server.ask(sp.bind("ASK { ?this hro:languageVersion ?v }", this=sp.iri(iri))):
        data = await page_data.document(server, iri, request.query_params.get("lang"))
        return render(request, server, "document.html", title=data["meta"]["symbol"][0],
                      d=data)
    if "http://www.w3.org/2004/02/skos/core#Concept" in types:
        return await _entry_page(request, server, iri)
    return await _statements_page(request, server, iri)


async def _entry_page(request: Request, server: Server, iri: str, *,
                      title: str | None = None, external: str | None = None) -> HTMLResponse:
    data = await page_data.registry_entry(server, iri)
    kind = next((t.rsplit("#", 1)[-1] for t in await page_data.types_of(server, iri)
                 if t.startswith(HRO_IRI)), "entry")
    return render(request, server, "entry.html", title=title or data["labels"](iri), e=data,
                  kind=kind, external=external)


@router.get("/sdg/{target}")
async def sdg_page(request: Request, server: ServerDep, target: str) -> HTMLResponse:
    """A local page for an SDG target: its URI is the UN's, so it cannot dereference here."""
    iri = page_data.sdg_iri(target)
    if not await server.ask(sp.bind("ASK { ?target skos:prefLabel ?label }",
                                    target=sp.iri(iri))):
        raise RefusedError(404, f"{target} is not an SDG target in the registry")
    return await _entry_page(request, server, iri, title=f"SDG target {target}", external=iri)


async def _statements_page(request: Request, server: Server, iri: str) -> HTMLResponse:
    """Every statement about ``iri`` and the links into it, with labels."""
    this = sp.iri(iri)
    outgoing = await server.select(sp.bind(
        "SELECT DISTINCT ?p ?o WHERE { ?this ?p ?o } ORDER BY ?p ?o LIMIT 5000", this=this))
    incoming = await server.select(sp.bind(
        "SELECT DISTINCT ?s ?p WHERE { ?s ?p ?this } ORDER BY ?p ?s LIMIT 500", this=this))
    iris = {iri} | {t["value"] for r in outgoing + incoming for t in r.values()
                    if t["type"] == "uri"}
    labels = await page_data.labels(server, iris)
    return render(request, server, "statements.html", title=labels(iri), iri=iri,
                  labels=labels, outgoing=outgoing, incoming=incoming)


# --- the SPARQL editor --------------------------------------------------------------------

def editor_page(request: Request, server: Server) -> HTMLResponse:
    """YASGUI on this server's ``/sparql``, with the example queries as tabs."""
    return render(request, server, "editor.html", title="SPARQL",
                  examples=[asdict(q) for q in example_queries()])
