"""HTML for people: the home page, the query editor and a page for every resource."""
from __future__ import annotations

from html import escape

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

router = APIRouter(include_in_schema=False)

LABELS = (
    "http://www.w3.org/2004/02/skos/core#prefLabel", "http://www.w3.org/2000/01/rdf-schema#label",
    "http://purl.org/dc/terms/identifier", "https://rightsgraph.org/ontology#heading",
)


def wants_html(accept: list[str]) -> bool:
    for media in accept:
        if media in ("text/html", "application/xhtml+xml"):
            return True
        if media not in ("*/*",):
            return False
    return False


def page(title: str, body: str) -> HTMLResponse:
    return HTMLResponse(f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(title)} · rightsgraph</title>
<style>
body {{ font-family: system-ui, sans-serif; max-width: 70rem; margin: 1rem auto; padding: 0 1rem;
       line-height: 1.45; }}
header a {{ margin-right: 1rem; }} table {{ border-collapse: collapse; width: 100%; }}
td, th {{ border-top: 1px solid #ddd; padding: .3rem .5rem; vertical-align: top;
          text-align: left; }}
th {{ width: 14rem; font-weight: 600; }} .lang {{ color: #777; font-size: .8em; }}
textarea {{ width: 100%; font-family: monospace; }}
</style></head><body>
<header><a href="/">rightsgraph</a><a href="/sparql">SPARQL</a><a href="/docs">API</a>
<a href="/dumps/rightsgraph.nq.gz">dump</a></header>
<main>{body}</main></body></html>""")


@router.get("/")
async def home(request: Request) -> HTMLResponse:
    return page("Home", """<h1>rightsgraph</h1>
<p>UN treaty-body concluding observations as linked data.</p>
<form action="/search" method="get"><input name="q" size="50"
 placeholder="words in any language, e.g. migration strategy" aria-label="search">
<button>Search</button></form>
<p><a href="/sparql">SPARQL query editor</a> · <a href="/docs">researcher API</a> ·
<a href="/void">dataset description</a></p>""")


def editor_page(request: Request, query: str = "") -> HTMLResponse:
    default = query or "SELECT ?doc ?symbol WHERE { ?doc dcterms:identifier ?symbol ; " \
                       "hro:languageVersion ?v } LIMIT 20"
    return page("SPARQL", f"""<h1>SPARQL</h1>
<form action="/sparql" method="post"><textarea name="query" rows="12">{escape(default)}</textarea>
<select name="format"><option value="html">table</option><option value="json">JSON</option>
<option value="csv">CSV</option><option value="ttl">Turtle</option></select>
<button>Run</button></form>""")


def _term_html(server, term: dict, labels: dict[str, str]) -> str:
    if term["type"] == "uri":
        iri = term["value"]
        local = server.local_path(iri)
        text = escape(labels.get(iri) or iri)
        return f'<a href="{escape(local or iri)}">{text}</a>'
    value = escape(term["value"])
    lang = term.get("xml:lang")
    return f'{value} <span class="lang">@{escape(lang)}</span>' if lang else value


async def resource_page(request: Request, iri: str) -> HTMLResponse:
    """Every statement about ``iri`` and the links into it, with labels."""
    server = request.app.state.server
    outgoing = await server.select(
        f"SELECT DISTINCT ?p ?o WHERE {{ <{iri}> ?p ?o }} ORDER BY ?p ?o LIMIT 5000")
    incoming = await server.select(
        f"SELECT DISTINCT ?s ?p WHERE {{ ?s ?p <{iri}> }} ORDER BY ?p ?s LIMIT 500")
    label_values = " ".join(f"<{label}>" for label in LABELS)
    rows = await server.select(f"""SELECT ?x ?label WHERE {{
        {{ <{iri}> ?p ?x }} UNION {{ ?x ?p <{iri}> }} UNION {{ BIND(<{iri}> AS ?x) }}
        VALUES ?lp {{ {label_values} }} ?x ?lp ?label .
        FILTER (!isLiteral(?label) || LANG(?label) IN ("", "en")) }}""")
    labels: dict[str, str] = {}
    for row in rows:
        labels.setdefault(row["x"]["value"], row["label"]["value"])
    title = labels.get(iri, iri)
    out_rows = "".join(
        f"<tr><th>{_term_html(server, r['p'], labels)}</th>"
        f"<td>{_term_html(server, r['o'], labels)}</td></tr>" for r in outgoing)
    in_rows = "".join(
        f"<tr><td>{_term_html(server, r['s'], labels)}</td>"
        f"<th>{_term_html(server, r['p'], labels)}</th></tr>" for r in incoming)
    formats = " · ".join(f'<a href="?format={f}">{n}</a>' for f, n in
                         (("ttl", "Turtle"), ("jsonld", "JSON-LD"), ("nt", "N-Triples"),
                          ("rdf", "RDF/XML")))
    return page(title, f"""<h1>{escape(title)}</h1><p><code>{escape(iri)}</code></p>
<p>Download: {formats}</p>
<table>{out_rows}</table>
{"<h2>Referred to by</h2><table>" + in_rows + "</table>" if in_rows else ""}""")
