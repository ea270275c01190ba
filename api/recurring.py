"""Recurring recommendations: what a State has been told again and again, by whom, since when.

A State's recommendations are grouped into clusters by two kinds of links, kept apart in
every answer: the **explicit** ones the documents state (``hro:reiterates``, ``hro:recalls``,
``hro:notesNonImplementationOf``, ``hro:citesRecommendation``) and the **inferred** ones of
text similarity (``hro:similarTo``, in the named graphs of :mod:`rightsgraph.graph.similar`,
each with its score).  A cluster is a connected group of two or more paragraphs; it says
when the ask was first and last made, by which bodies, how often, whether the latest
paragraph notes that it was not implemented, and shows the latest text in the reader's
language.  Clusters of procedural paragraphs (the next report, dissemination, follow-up,
the general call to ratify other treaties, technical assistance: every concluding observation
ends with them; :mod:`rightsgraph.extract.procedural`, phrase data per language) are marked
with their kind and come after the others (the page shows them collapsed).  Served as a page
(``/state/{alpha3}/recurring``) and in the researcher API (``/api/states/{alpha3}/recurring``,
JSON or CSV).
"""
from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import AsyncIterator
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from rightsgraph.api import page_data
from rightsgraph.api.deps import ServerDep
from rightsgraph.api.listing import Format, output_format
from rightsgraph.api.protocol import RefusedError
from rightsgraph.api.server import Server
from rightsgraph.core import identifiers
from rightsgraph.core import sparql as sp
from rightsgraph.extract.procedural import procedural_kind

router = APIRouter(tags=["researcher API"])

EXPLICIT = {"reiterates": "reiterates", "recalls": "recalls",
            "notesNonImplementationOf": "notes non-implementation of",
            "citesRecommendation": "cites"}

_RELATIONS = [f"hro:{name}" for name in EXPLICIT]  # the links the text states

EDGES = f"""
SELECT DISTINCT ?later ?relation ?earlier WHERE {{
  ?doc hro:stateParty ?state ; hro:hasParagraph ?later .
  ?later ?relation ?earlier .
  FILTER (?relation IN ({", ".join(_RELATIONS)}))
}}"""

SIMILAR = """
SELECT DISTINCT ?later ?earlier ?score ?lang WHERE {
  GRAPH ?graph { ?link a hro:SimilarityLink ; hro:linkFrom ?later ; hro:linkTo ?earlier ;
                       hro:score ?score . OPTIONAL { ?link dcterms:language ?lang } }
}"""

# Every State's links at once, for the build (:func:`gather_all`): from the links, which are
# few, to their paragraphs' documents (0.4 s at 1.6 M quads, against 1.6-1.9 s for EDGES
# asked for each of the 119 States: it is not bound to one State)
ALL_EDGES = f"""
SELECT DISTINCT ?state ?later ?relation ?earlier WHERE {{
  VALUES ?relation {{ {" ".join(_RELATIONS)} }}
  ?later ?relation ?earlier .
  ?doc hro:hasParagraph ?later ; hro:stateParty ?state .
}}"""

# A linked paragraph's facts, each read by a query of its own and joined here: one query
# with them all as OPTIONALs cost 3 times as much (0.55 ms per paragraph)
NUMBERS = "SELECT DISTINCT ?p ?number WHERE { ?members ?p hro:number ?number }"
TEXTS = "SELECT DISTINCT ?p ?text WHERE { ?members ?p hro:text ?text }"
PARTS = "SELECT DISTINCT ?p ?doc WHERE { ?members ?p dcterms:isPartOf ?doc }"
DOCUMENTS = """
SELECT DISTINCT ?doc ?symbol ?committee ?date WHERE {
  ?documents
  ?doc dcterms:identifier ?symbol .
  OPTIONAL { ?doc hro:committee ?c . BIND(STRAFTER(STR(?c), "/committee/") AS ?committee) }
  OPTIONAL { ?doc hro:adoptedOn ?date }
}"""

# The headings above a paragraph, innermost first: its thematic subheading (which lists its
# paragraphs), its section, the sections around that.
HEADINGS = """
SELECT DISTINCT ?p ?heading ?depth WHERE {
  ?members
  { ?section hro:hasParagraph ?p . BIND(0 AS ?depth) }
  UNION { ?p hro:inSection ?section . BIND(1 AS ?depth) }
  UNION { ?p hro:inSection/hro:inSection+ ?section . BIND(2 AS ?depth) }
  ?section hro:heading ?heading .
}"""


def _value(row: dict, name: str) -> str | None:
    term = row.get(name)
    return None if term is None else term["value"]


def _bound(row: dict, name: str) -> str:
    """The value of a variable the query always binds (outside ``OPTIONAL``)."""
    return row[name]["value"]


class _Clusters:
    """Union-find over paragraph IRIs."""

    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def find(self, x: str) -> str:
        self.parent.setdefault(x, x)
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def join(self, a: str, b: str) -> None:
        self.parent[self.find(a)] = self.find(b)

    def groups(self) -> list[list[str]]:
        out: dict[str, list[str]] = defaultdict(list)
        for x in self.parent:
            out[self.find(x)].append(x)
        return [sorted(g) for g in out.values() if len(g) > 1]


async def recurring(server: Server, alpha3: str, lang: str = "en",
                    include_inferred: bool = True) -> list[dict[str, Any]]:
    """The clusters of recurring recommendations to State ``alpha3``, latest first: from
    what the build stored (:mod:`.recurring_stored`) when it is of the store's current
    state, else read from the store (:func:`gather`)."""
    found = await server.cached(("recurring", alpha3), lambda: _stored_or_gathered(
        server, alpha3))
    return arrange(found, lang, include_inferred)


async def _stored_or_gathered(server: Server, alpha3: str) -> dict[str, Any]:
    from rightsgraph.api import recurring_stored

    stored = await recurring_stored.read(server, alpha3)
    return stored if stored is not None else await gather(server, alpha3)


async def gather(server: Server, alpha3: str) -> dict[str, Any]:
    """What the clusters of State ``alpha3`` are made of, read from the store: ``links``,
    the explicit ones and the inferred ones (each ``from``, ``to``, ``relation``, ``kind``,
    ``score``), and ``members``, each linked paragraph's facts by URI (:func:`_members`)."""
    state = sp.iri(str(identifiers.state_uri(alpha3, base=server.base)))
    return await _gathered(server, alpha3, await server.select(sp.bind(EDGES, state=state)))


async def gather_all(server: Server, codes: list[str]) -> AsyncIterator[tuple[str, dict]]:
    """:func:`gather` of each State of ``codes``, in that order; from
    :data:`ALL_EDGES_FROM` States on, with the links of every State read by one query
    (:data:`ALL_EDGES`: the store's links are few, a State's answer is made one at a
    time)."""
    if len(codes) < ALL_EDGES_FROM:
        for code in codes:
            yield code, await gather(server, code)
        return
    edges: dict[str, list[dict]] = defaultdict(list)
    for row in await server.select(ALL_EDGES):
        edges[_bound(row, "state")].append(row)
    for code in codes:
        state = str(identifiers.state_uri(code, base=server.base))
        yield code, await _gathered(server, code, edges.get(state, []))


ALL_EDGES_FROM = 24  # States: ALL_EDGES costs about what EDGES costs for 25-30 States


async def _gathered(server: Server, alpha3: str, edges: list[dict]) -> dict[str, Any]:
    """:func:`gather`, given the rows of State ``alpha3``'s :data:`EDGES`."""
    links: list[dict[str, Any]] = []
    explicit: dict[tuple[str, str], str] = {}
    for row in edges:
        name = _bound(row, "relation").rsplit("#", 1)[-1]
        pair = (_bound(row, "later"), _bound(row, "earlier"))
        order = list(EXPLICIT)
        if pair not in explicit or order.index(name) < order.index(explicit[pair]):
            explicit[pair] = name  # the most specific relation the text states
    for (later, earlier), name in sorted(explicit.items()):  # not in the store's order
        links.append({"from": later, "to": earlier, "relation": EXPLICIT[name],
                      "kind": "explicit", "score": None})
    graph = sp.iri(f"{server.base}graph/inferred/similar/{alpha3}")
    for row in await server.select(sp.bind(SIMILAR, graph=graph)):
        pair = (_bound(row, "later"), _bound(row, "earlier"))
        if pair in explicit or pair[::-1] in explicit:
            continue  # what the text states is not repeated as an inference
        links.append({"from": pair[0], "to": pair[1], "relation": "similar to",
                      "kind": "inferred", "score": float(_value(row, "score") or 0),
                      "language": _value(row, "lang")})
    linked = sorted({p for link in links for p in (link["from"], link["to"])})
    return {"links": links, "members": await _members(server, linked)}


def arrange(found: dict[str, Any], lang: str = "en",
            include_inferred: bool = True) -> list[dict[str, Any]]:
    """The clusters of what :func:`gather` found, latest first, each text shown in
    ``lang`` when held; without ``include_inferred``, of the explicit links only."""
    links = [link for link in found["links"]
             if include_inferred or link["kind"] == "explicit"]
    members = found["members"]
    clusters = _Clusters()
    for link in links:
        clusters.join(link["from"], link["to"])
    out = [_cluster(group, members, links, lang) for group in clusters.groups()]
    # the latest and largest first; among equals, by their first paragraph (not in the order
    # the store happened to return the links, which differs between stores)
    out.sort(key=lambda c: c["paragraphs"][0]["uri"])
    out.sort(key=lambda c: (c["latest"] or "", c["count"]), reverse=True)
    out.sort(key=lambda c: c["procedural"] is not None)  # stable: latest first in each part
    for n, cluster in enumerate(out, 1):
        cluster["id"] = n
    return out


async def _members(server: Server, iris: list[str]) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for start in range(0, len(iris), 200):
        chunk = iris[start:start + 200]
        members = sp.values("p", chunk)
        numbers = {_bound(row, "p"): _bound(row, "number")
                   for row in await server.select(sp.bind(NUMBERS, members=members))}
        parts: dict[str, list[str]] = defaultdict(list)
        for row in await server.select(sp.bind(PARTS, members=members)):
            parts[_bound(row, "p")].append(_bound(row, "doc"))
        documents: dict[str, list[tuple[str, str | None, str | None]]] = defaultdict(list)
        if parts:
            held = sp.values("doc", sorted({doc for docs in parts.values() for doc in docs}))
            for row in await server.select(sp.bind(DOCUMENTS, documents=held)):
                documents[_bound(row, "doc")].append((
                    _bound(row, "symbol"), _value(row, "committee"), _value(row, "date")))
        for p in chunk:
            # a paragraph is part of one document; of several, the same one every time
            symbol, committee, date = min(
                (fact for doc in parts.get(p, ()) for fact in documents.get(doc, ())),
                key=lambda fact: tuple(v or "" for v in fact), default=(None, None, None))
            number = numbers.get(p)
            found[p] = {"uri": p, "page": server.local_path(p), "texts": {},
                        "document": symbol, "committee": committee, "date": date,
                        "number": int(number) if number and number.isdigit() else None}
        for row in await server.select(sp.bind(TEXTS, members=members)):
            term = row["text"]
            found[_bound(row, "p")]["texts"][term.get("xml:lang", "")] = term["value"]
        headings: dict[str, list[tuple[int, str, str]]] = defaultdict(list)
        for row in await server.select(sp.bind(HEADINGS, members=members)):
            term = row["heading"]
            headings[_value(row, "p") or ""].append((int(_value(row, "depth") or 0),
                                               term.get("xml:lang", ""), term["value"]))
        for p in chunk:
            found[p]["procedural"] = _procedural(found[p]["texts"], sorted(headings[p]))
    for p in iris:  # paragraphs only cited: their document and number from the URI
        if p not in found or not found[p]["document"]:
            name = page_data.paragraph_name(server, p)
            symbol, _, number = name.partition(" ¶")
            found[p] = {**found.get(p, {}), "uri": p, "page": server.local_path(p),
                        "texts": {}, "document": symbol, "committee": None, "date": None,
                        "number": int(number) if number.isdigit() else None}
    for member in found.values():
        member["held"] = bool(member["texts"])
        member.setdefault("procedural", None)
    return found


def _procedural(texts: dict[str, str], headings: list[tuple[int, str, str]]) -> str | None:
    """The kind of procedural paragraph a member is, read in each language it is held in
    (its own headings first, then those of the sections around them)."""
    for lang, text in texts.items():
        kind = procedural_kind(lang, text, [h for _, hl, h in headings if hl == lang])
        if kind:
            return kind
    return None


def _cluster(group: list[str], members: dict[str, dict[str, Any]],
             links: list[dict[str, Any]], lang: str) -> dict[str, Any]:
    paragraphs = sorted((members[p] for p in group),
                        key=lambda m: (m["date"] or "", m["document"] or "", m["number"] or 0))
    inside = sorted((link for link in links if link["from"] in group),
                    key=lambda link: (link["from"], link["to"]))
    dated = [m for m in paragraphs if m["date"]]
    latest = max(dated, key=lambda m: m["date"]) if dated else paragraphs[-1]
    held = [m for m in paragraphs if m["held"]]
    shown = max(held, key=lambda m: m["date"] or "") if held else None
    text_lang, text = page_data.pick(shown["texts"], lang) if shown else ("", "")
    kinds = [m["procedural"] for m in held]
    procedural = max(set(kinds), key=kinds.count) if held and all(kinds) else None
    return {
        "first": dated[0]["date"] if dated else None,
        "latest": latest["date"],
        "bodies": sorted({m["committee"] for m in paragraphs if m["committee"]}),
        "count": len(paragraphs),
        "non_implementation": any(link["from"] == latest["uri"]
                                  and link["relation"] == "notes non-implementation of"
                                  for link in inside),
        "procedural": procedural,
        "explicit_links": sum(1 for link in inside if link["kind"] == "explicit"),
        "inferred_links": sum(1 for link in inside if link["kind"] == "inferred"),
        "text": text, "language": text_lang,
        "representative": shown["uri"] if shown else None,
        "paragraphs": [{k: v for k, v in m.items() if k != "texts"} for m in paragraphs],
        "links": inside,
    }


CSV_COLUMNS = ["cluster", "first", "latest", "bodies", "count", "non_implementation",
               "procedural", "explicit_links", "inferred_links", "paragraphs", "language",
               "text"]


def _csv(alpha3: str, clusters: list[dict[str, Any]]) -> Response:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for c in clusters:
        names = " | ".join(f"{m['document']} ¶{m['number']}" for m in c["paragraphs"])
        writer.writerow([c["id"], c["first"] or "", c["latest"] or "", ", ".join(c["bodies"]),
                         c["count"], "yes" if c["non_implementation"] else "no",
                         c["procedural"] or "", c["explicit_links"], c["inferred_links"],
                         names, c["language"], c["text"]])
    # A byte-order mark so that spreadsheet programs read the file as UTF-8.
    return Response("\ufeff" + out.getvalue(), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition":
                             f'attachment; filename="{alpha3}-recurring.csv"'})


async def _checked_state(server: Server, alpha3: str) -> str:
    code = alpha3.upper()
    if not code.isalpha() or len(code) != 3:
        raise RefusedError(404, f"{alpha3!r} is not an ISO 3166 alpha-3 code (AZE, GHA…)")
    known = await server.ask(sp.bind("ASK { ?state skos:notation ?n }",
                                     state=sp.iri(str(identifiers.state_uri(code,
                                                                            base=server.base)))))
    if not known:
        raise RefusedError(404, f"{code} is not a State in the registry")
    return code


Lang = Annotated[Literal["en", "fr", "es", "ru", "zh", "ar"],
                 Query(description="language of the representative text, when held",
                       openapi_examples={"en": {"value": "en"}})]
Alpha3 = Annotated[str, Path(description="the State's ISO 3166-1 alpha-3 code (any case)",
                             openapi_examples={"AZE": {"value": "AZE"}})]


@router.get("/api/states/{alpha3}/recurring",
            summary="A State's recurring recommendations",
            description="Clusters of recommendations to one State across bodies and cycles: "
                        "explicit reiteration links (what the documents state) merged with "
                        "inferred similarity links (text similarity, with their score), each "
                        "link marked `explicit` or `inferred`. Each cluster has its first and "
                        "latest date, the bodies, the number of paragraphs, whether the latest "
                        "notes non-implementation and the latest text. Clusters of "
                        "procedural paragraphs (next report, dissemination, follow-up, "
                        "ratification of other treaties, technical assistance) carry their "
                        "kind in `procedural` and come last. CSV (one row per cluster) opens "
                        "in a spreadsheet.")
async def recurring_api(request: Request, server: ServerDep, alpha3: Alpha3,
                        lang: Lang = "en",
                        inferred: Annotated[bool, Query(
                            description="include links inferred by text similarity",
                            openapi_examples={"true": {"value": True}})] = True,
                        format: Format = None) -> Response:
    code = await _checked_state(server, alpha3)
    clusters = await recurring(server, code, lang, include_inferred=inferred)
    if output_format(request, format) == "csv":  # one row per cluster
        return _csv(code, clusters)
    return JSONResponse({"state": code, "clusters": clusters, "total": len(clusters)})


@router.get("/state/{alpha3}/recurring", include_in_schema=False)
async def recurring_page(request: Request, server: ServerDep, alpha3: str,
                         lang: str = "en") -> HTMLResponse:
    from rightsgraph.api.web import render

    code = await _checked_state(server, alpha3)
    clusters = await recurring(server, code, lang)
    labels = await page_data.labels(server, [str(identifiers.state_uri(code,
                                                                       base=server.base))])
    name = labels(str(identifiers.state_uri(code, base=server.base)), lang)
    return render(request, server, "recurring.html", title=f"Recurring recommendations: {name}",
                  state=code, name=name, clusters=clusters, lang=lang)


async def paragraph_neighbours(server: Server, data: dict[str, Any]
                               ) -> tuple[str | None, list[dict[str, Any]] | None]:
    """The State of a paragraph's document and the paragraph's nearest neighbours among the
    State's other documents; ``None`` for the neighbours when the server has no vectors (the
    optional model is not installed, or the store was built without ``--similar``)."""
    import asyncio
    from pathlib import Path

    rows = await server.select(sp.bind("SELECT ?s WHERE { ?doc hro:stateParty ?s } LIMIT 1",
                                       doc=sp.iri(data["document"])))
    state = _bound(rows[0], "s").rsplit("/", 1)[-1] if rows else None
    folder = server.settings.vectors
    number = str(data["number"])
    if not folder or state is None or not number.isdigit():
        return state, None
    try:
        from rightsgraph.graph import similar
    except ImportError:
        return state, None
    loop = asyncio.get_running_loop()
    found = await loop.run_in_executor(None, lambda: similar.neighbours(
        Path(folder), state, data["symbol"], int(number)))
    return state, [{"uri": n.uri(server.base), "symbol": n.symbol, "number": n.number,
                    "score": n.score, "language": n.language, "committee": n.committee,
                    "date": n.date} for n in found]
