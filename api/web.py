"""HTML for people: the home page with its search, a page for every resource the graph mints
(documents, paragraphs, articles, registry entries; anything else as a table of statements),
a page per SDG target, and the SPARQL editor (YASGUI).

Pages are Jinja2 templates (``templates/``, autoescaped) filled from :mod:`.page_data`; they
need no JavaScript, except the editor.
"""
from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import asdict
from functools import lru_cache
from typing import Annotated, Any, Literal
from urllib.parse import quote, quote_plus, urlencode

from fastapi import APIRouter, FastAPI, Query, Request
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader
from markupsafe import Markup

from rightsgraph.api import page_data, researcher
from rightsgraph.api import search as search_api
from rightsgraph.api.deps import ServerDep
from rightsgraph.api.examples import example_queries
from rightsgraph.api.filters import Flag, LinkFilters, article_notation, link_target
from rightsgraph.api.listing import counted_page
from rightsgraph.api.protocol import RefusedError
from rightsgraph.api.recurring import paragraph_neighbours
from rightsgraph.api.server import Server
from rightsgraph.core import formats, identifiers, uhri
from rightsgraph.core import sparql as sp
from rightsgraph.core.languages import LANGUAGES, RTL, written_in
from rightsgraph.core.languages import NAMES as LANGUAGE_NAMES
from rightsgraph.core.links import FILTERS
from rightsgraph.core.namespaces import HRO_IRI
from rightsgraph.core.resources import package_path
from rightsgraph.graph.search import Results, facets

TEMPLATES = package_path("rightsgraph.api", "templates")
STATIC = package_path("rightsgraph.api", "static")
PAGE_SIZE = 20
ARTICLE_PAGE = 100  # an article's or SDG target's page: /api/articles/..., /api/sdg/...
LINK_PAGE = 50  # an ILO instrument's or general comment's page: /api/paragraphs' default limit
MAX_PAGES = 500  # the index pages through its first 10,000 results
FACET_VALUES = 12
SNIPPET = 240
DOWNLOADS = tuple((name, formats.rdf(name).label) for name in formats.GRAPHS)

router = APIRouter(include_in_schema=False)
templates = Jinja2Templates(env=Environment(
    loader=FileSystemLoader(TEMPLATES), autoescape=True,
    trim_blocks=True, lstrip_blocks=True,
    auto_reload=False))  # templates are package data: no stat of each file per page


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
templates.env.globals["language_names"] = LANGUAGE_NAMES
templates.env.globals["undocs"] = identifiers.undocs_url


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
    page: Annotated[int, Query(ge=1, le=MAX_PAGES)] = 1,
) -> HTMLResponse:
    form = {"q": q.strip(), "state": state, "committee": committee,
            **{name: links.get(name, "") for name in FILTERS}, "flag": flag}
    searching = any(form.values())
    results: Results | None = None
    error, status = None, 200
    if searching:
        try:
            text = search_api.with_filters(form["q"], state=state.upper(), committee=committee,
                                           kind=flag, **search_api.link_filters(links))
            results = await search_api.run_search(server, text, limit=PAGE_SIZE,
                                                  offset=(page - 1) * PAGE_SIZE,
                                                  facet_size=FACET_VALUES, snippets=True)
        except RefusedError as err:
            error, status = err.message, err.status
    total = results.total if results else 0
    pages = min(MAX_PAGES, max(1, -(-total // PAGE_SIZE)))
    query = {k: v for k, v in form.items() if v}

    rest = urlencode({k: v for k, v in query.items() if k != "q"})
    rest = "&" + rest if rest else ""

    def page_link(n: int) -> str:
        return "/?" + urlencode({**query, "page": n})

    words = quote_plus(form["q"] + " ") if form["q"] else ""

    def refine(name: str, value: str) -> str:
        """The link that adds the filter ``name:value`` to the query (quoted as
        ``urlencode`` would quote the query and the filter together)."""
        return "/?q=" + words + _filter_quoted(name, value) + rest

    facets = (await _facets(server, results, _language(request), refine)
              if results and results.total else [])
    nothing = bool(results) and not total
    # what the store holds, read once per snapshot (they scan every document)
    shown = HELD_ON_NO_RESULTS if nothing else HELD_ON_HOME
    held = await server.cached(f"documents_held {shown}", lambda: page_data.documents_held(
        server, shown)) if nothing or not searching else None
    languages = await server.cached("languages_held", lambda: page_data.languages_held(
        server)) if held else []
    choices = await page_data.filter_choices(server)
    return render(request, server, "home.html", status, title="Search", form=form,
                  searching=searching, results=results.items if results else [],
                  total=total, page=page, pages=pages, page_link=page_link, refine=refine,
                  page_numbers=page_numbers(page, pages),
                  facets=facets, error=error, marked=marked, link_filters=FILTERS,
                  hints=search_hints(form, query) if nothing else [],
                  held=held, languages=languages, choices=choices,
                  unwritten=_languages_not_held(form["q"], languages) if nothing else None)


@lru_cache(maxsize=20_000)
def _filter_quoted(name: str, value: str) -> str:
    """The filter ``name:value`` as a query string quotes it, once per facet value (a page
    links about a hundred)."""
    return quote_plus(search_api.with_filters("", **{name: value}))


def page_numbers(page: int, pages: int) -> list[int | None]:
    """The pages the page list links to: the first three, the last two and two on either
    side of ``page``; ``None`` where some are left out."""
    shown = sorted({n for n in (1, 2, 3, pages - 1, pages, *range(page - 2, page + 3))
                    if 1 <= n <= pages})
    out: list[int | None] = []
    for n in shown:
        if out and out[-1] is not None and n > out[-1] + 1:
            out.append(None)
        out.append(n)
    return out


HELD_ON_HOME = 50
HELD_ON_NO_RESULTS = 10


def _languages_not_held(q: str, languages: list[dict]) -> list[dict] | None:
    """The languages the words of ``q`` may be in when the store holds none of them (English,
    French, Spanish for ``migration strategy`` on a store of Chinese versions), else None."""
    words = " ".join(w for w in q.split() if ":" not in w and w not in ("AND", "OR", "NOT"))
    possible = written_in(words)
    if not possible or possible & {lang["lang"] for lang in languages}:
        return None
    return [{"lang": lang, "name": LANGUAGE_NAMES[lang]} for lang in LANGUAGES
            if lang in possible]


def marked(text: str, spans: list[tuple[int, int]]) -> list[tuple[str, bool]]:
    """``text`` cut into pieces, each with whether it is highlighted."""
    pieces, at = [], 0
    for start, end in spans:
        pieces += [(text[at:start], False), (text[start:end], True)]
        at = end
    return [*pieces, (text[at:], False)]


def _language(request: Request) -> str:
    """The reader's language among the six, from ``Accept-Language`` (English otherwise)."""
    for part in request.headers.get("accept-language", "").split(","):
        code = part.split(";")[0].strip().lower()[:2]
        if code in LANGUAGES:
            return code
    return "en"


async def _facets(server: Server, results, lang: str = "en",
                  refine: Callable[[str, str], str] | None = None) -> list[dict]:
    """The facets of a search as the page shows them: label (and who gives the values when
    not the text: UHRI), and each value with its count, its label (in ``lang`` when held),
    the text shown and the link that adds it (``refine``)."""
    iris = {(name, value): _iri_of(name, value, server.base)
            for name, counted in results.facets.items() for value, _ in counted[:FACET_VALUES]}
    labels = await page_data.labels(server, [i for i in iris.values() if i])
    shown = []
    for facet in facets.facets():
        counted = results.facets.get(facet.name, [])[:FACET_VALUES]
        if not counted:
            continue
        values = []
        for value, count in counted:
            iri = iris[facet.name, value]
            label = labels(iri, lang) if iri else value
            values.append({"value": value, "count": count, "label": label,
                           "shown": label if (label == value or facet.source)
                           else f"{value} {label}",
                           "link": refine(facet.name, value) if refine else None})
        shown.append({"name": facet.name, "label": facet.label, "source": facet.source,
                      "values": values})
    return shown


@lru_cache(maxsize=20_000)
def _iri_of(facet: str, value: str, base: str) -> str | None:
    """:func:`facets.iri_of`, once per value (the base, read from the environment, is part
    of the key)."""
    return facets.iri_of(facet, value)


_OPTIONS: dict[int, tuple[object, list[tuple[str, str, str]], Markup]] = {}


def options(choices: list[dict], selected: str) -> Markup:
    """The ``<option>`` elements of a filter's choices (every State held: hundreds), made
    once per list of choices (the list is made once per snapshot), ``selected`` marked;
    with none selected (most pages), the same elements each time."""
    held = _OPTIONS.get(id(choices))
    if held is None or held[0] is not choices:
        made = [(c["value"], str(Markup('<option value="{}"').format(c["value"])),
                 str(Markup(">{}</option>").format(c["label"]))) for c in choices]
        if len(_OPTIONS) > 16:
            _OPTIONS.clear()
        _OPTIONS[id(choices)] = held = (choices, made, _marked_options(made, ""))
    return held[2] if not selected else _marked_options(held[1], selected)


def _marked_options(made: list[tuple[str, str, str]], selected: str) -> Markup:
    return Markup("".join(head + (" selected" if value == selected else "") + tail
                          for value, head, tail in made))


templates.env.globals["options"] = options


def search_hints(form: dict[str, str], query: dict[str, str]) -> list[tuple[str, str | None]]:
    """What to try when nothing is found: each hint, with a link when it is a query."""
    hints: list[tuple[str, str | None]] = []
    for name in [key for key in form if key != "q"]:
        if form[name]:
            rest = {k: v for k, v in query.items() if k != name}
            hints.append((f"without the filter {name} = {form[name]}", "/?" + urlencode(rest)))
    words = form["q"].split()
    if len(words) > 1 and not any(w in ("OR", "AND", "NOT") or '"' in w for w in words):
        either = " OR ".join(words)
        hints.append((f"any of the words: {either}", "/?" + urlencode({**query, "q": either})))
    if any(w.isalpha() and len(w) > 4 for w in words):
        stems = " ".join(w[:max(3, len(w) - 3)] + "*" if w.isalpha() and len(w) > 4 else w
                         for w in words)
        hints.append((f"word beginnings: {stems}", "/?" + urlencode({**query, "q": stems})))
    hints.append(("words in another language: each language version held is searched "
                  "(移民战略, stratégie nationale, estrategia)", None))
    hints.append(("another spelling, or fewer words", None))
    return hints


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
    if await page_data.is_cited_only(server, iri, types):
        # a general comment: what cites it is the paragraphs of its listing, a page at a time
        listing = _listing_of(server, iri, "")
        listed = await _listed(request, server, *listing) if listing else None
        if listed is not None and not listed["total"]:
            raise RefusedError(404, f"{iri}: the store neither holds this text nor cites it")
        data = await page_data.cited_only(server, iri, types, citing=listed is None)
        return render(request, server, "cited.html", title=f"{data['name']} (not held)",
                      c=data, listed=listed)
    if HRO_IRI + "Paragraph" in types:
        data = await page_data.paragraph(server, iri)
        data["state"], data["neighbours"] = await paragraph_neighbours(server, data)
        return render(request, server, "paragraph.html",
                      title=f"{data['symbol']} ¶{data['number']}",
                      p=data, languages=[v["lang"] for v in data["versions"]],
                      asked=request.query_params.get("lang"))
    if await server.ask(sp.bind("ASK { ?this hro:languageVersion ?v }", this=sp.iri(iri))):
        data = await page_data.document(server, iri, request.query_params.get("lang"))
        return render(request, server, "document.html", title=data["meta"]["symbol"][0],
                      d=data)
    if "http://www.w3.org/2004/02/skos/core#Concept" in types:
        return await _entry_page(request, server, iri)
    return await _statements_page(request, server, iri)


async def _entry_page(request: Request, server: Server, iri: str, *,
                      title: str | None = None, external: str | None = None) -> HTMLResponse:
    kind = next((t.rsplit("#", 1)[-1] for t in await page_data.types_of(server, iri)
                 if t.startswith(HRO_IRI)), "entry")
    listing = _listing_of(server, iri, kind)
    data = await page_data.registry_entry(server, iri, paragraphs=listing is None,
                                          uhri=kind != "Article")
    concept = uhri.concept_of(iri, server.base)
    if concept is not None:  # OHCHR's label: no text refers to it, UHRI labels with it
        kind = {"theme": "UHRI theme", "affected": "UHRI affected persons"}[concept[0]]
    listed = await _listed(request, server, *listing) if listing else None
    return render(request, server, "entry.html", title=title or data["labels"](iri), e=data,
                  kind=kind, external=external, uhri_only=concept is not None, listed=listed)


def _paged(offset: int, limit: int, size: int) -> str:
    return f"?offset={offset}" + (f"&limit={limit}" if limit != size else "")


Listing = Callable[[int, int], Awaitable[tuple[list[dict[str, Any]], Any]]]


def _listing_of(server: Server, iri: str, kind: str,
                ) -> tuple[Listing, str, int, bool] | None:
    """How the researcher API lists the paragraphs that concern a registry entry (a page of
    them from (limit, offset)), the API's path for that list, its default page size and
    whether it is an article's (an article, an SDG target, an ILO instrument, a general
    comment); ``None`` for the other entries (committees, States, treaties, SDG goals: few
    paragraphs name them, and their pages list every one, from the registry entry)."""
    if kind == "Article":
        path = iri.removeprefix(server.base + "treaty/").replace("/article/", "/", 1)
        name = article_notation(path)
        return ((lambda limit, offset: researcher.article_listing(server, name, limit, offset)),
                f"/api/articles/{path}", ARTICLE_PAGE, True)
    value = facets.notation(iri)
    filter_name = ("sdg" if iri.startswith(page_data.sdg_iri("")) else
                   "ilo" if iri.startswith(server.base + "ilo/") else
                   "gc" if iri.startswith(server.base + "gc/") else None)
    if value is None or filter_name is None:
        return None
    try:  # what the API would refuse (an SDG goal), listed as before
        link_target(FILTERS[filter_name], value)
    except RefusedError:
        return None
    return ((lambda limit, offset: researcher.link_listing(server, filter_name, value, limit,
                                                           offset)),
            *((f"/api/sdg/{quote(value)}", ARTICLE_PAGE) if filter_name == "sdg" else
              (f"/api/paragraphs?{filter_name}={quote(value)}", LINK_PAGE)), False)


async def _listed(request: Request, server: Server, listing: Listing, api: str, size: int,
                  article: bool) -> dict[str, Any]:
    """A page of the paragraphs that concern a registry entry, as the researcher API lists
    them (one item per paragraph and language held, its default page size; ``?offset=``,
    ``?limit=``), with their States, the total and the links to the pages before and after
    and to the whole list (the API, CSV)."""
    try:
        offset = max(0, int(request.query_params.get("offset", 0)))
        limit = min(1000, max(1, int(request.query_params.get("limit", size))))
    except ValueError as err:
        raise RefusedError(400, "offset and limit must be whole numbers") from err
    listed, counted = await listing(limit, offset)
    items, total = await counted_page(listed, limit, offset, counted)
    states = await page_data.states_of(server, [item["uri"] for item in items])
    found = await page_data.labels(server, sorted(set(states.values())))
    for item in items:
        item["state"] = found(states[item["uri"]]) if item["uri"] in states else None
    return {"rows": items, "total": total, "offset": offset, "limit": limit,
            "article": article,
            "previous": _paged(max(0, offset - limit), limit, size) if offset > 0 else None,
            "next": _paged(offset + limit, limit, size) if offset + limit < total else None,
            "api": api, "csv": api + ("&" if "?" in api else "?") + "format=csv&limit=1000"}


@router.get("/sdg/{target}")
async def sdg_page(request: Request, server: ServerDep, target: str) -> HTMLResponse:
    """A local page for an SDG target: its URI is the UN's, so it cannot dereference here."""
    iri = page_data.sdg_iri(target)
    if not await server.ask(sp.bind("ASK { ?target skos:prefLabel ?label }",
                                    target=sp.iri(iri))):
        raise RefusedError(404, f"{target} is not an SDG target in the registry")
    what = "SDG target" if "." in target else "SDG goal"  # UHRI tags whole goals too
    return await _entry_page(request, server, iri, title=f"{what} {target}", external=iri)


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

    def shown(term: dict) -> str:
        return labels(term["value"]) if term["type"] == "uri" else term["value"]

    outgoing.sort(key=lambda r: (page_data.natural_key(shown(r["p"])),
                                 page_data.natural_key(shown(r["o"]))))
    incoming.sort(key=lambda r: (page_data.natural_key(shown(r["p"])),
                                 page_data.natural_key(shown(r["s"]))))
    return render(request, server, "statements.html", title=labels(iri), iri=iri,
                  labels=labels, outgoing=outgoing, incoming=incoming)


async def void_page(request: Request, server: Server) -> HTMLResponse:
    """``/void`` for people: what the dataset holds and where to get it."""
    return render(request, server, "void.html", title="Dataset",
                  v=await page_data.dataset(server))


# --- the SPARQL editor --------------------------------------------------------------------

def editor_page(request: Request, server: Server) -> HTMLResponse:
    """YASGUI on this server's ``/sparql``, with the example queries as tabs."""
    return render(request, server, "editor.html", title="SPARQL",
                  examples=[asdict(q) for q in example_queries()])
