"""Counts for researchers: how many paragraphs cite each SDG target and each treaty
article, what the store holds on each State, and a summary of the whole dataset.

These are aggregates over the corpus.  Per SDG target and per State they are facet counts
of the full-text index (:mod:`rightsgraph.graph.search.aggregate`: columns read per
matching paragraph, no scan of the store); asked of the store instead when the server has
no index (``…_in_store``, also what the tests compare them with).  Per article, text and
heading are counted apart, which the index's ``article`` facet does not tell, so the store
counts them, reading only the links of that kind.  Every answer is kept per snapshot of the
store (:meth:`~.server.Server.cached`).  Listings page and answer JSON or CSV as every
listing does (:mod:`.listing`).
"""
from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from rightsgraph.api import page_data
from rightsgraph.api import response_examples as examples
from rightsgraph.api.deps import ServerDep
from rightsgraph.api.filters import committee_code, document_filters, state_code
from rightsgraph.api.listing import (
    Format,
    Item,
    Limit,
    Offset,
    described,
    from_index,
    page,
    rows,
)
from rightsgraph.api.protocol import RefusedError
from rightsgraph.api.researcher import treaty_of
from rightsgraph.api.server import Server
from rightsgraph.core import identifiers, registries
from rightsgraph.core import sparql as sp
from rightsgraph.graph.search import aggregate
from rightsgraph.graph.search.index import DOCUMENT

router = APIRouter(prefix="/api", tags=["researcher API"])

StateParam = Annotated[str | None, described(
    "only documents on this State party (ISO 3166-1 alpha-3 code or name in any of the six UN "
    "languages)", "AZE", "Ecuador")]
CommitteeParam = Annotated[str | None, described(
    "only documents of this treaty body, by its abbreviation", "CMW")]
TreatyParam = Annotated[str | None, described(
    "only the articles of this treaty, by its abbreviation (ICRMW, CRC, ICERD…)", "ICRMW")]


def _number(value: str | None) -> int:
    return int(value) if value else 0


async def _english_labels(server: Server, iris: list[str]) -> dict[str, str]:
    """The English label of each IRI that has one (:func:`page_data.labels`: read once a
    minute at most, like every page's labels)."""
    found = await page_data.labels(server, iris)
    return {iri: label for iri in iris if (label := found.all(iri).get("en"))}


# --- per SDG target -----------------------------------------------------------------------

SDG_COLUMNS = ["target", "uri", "label", "paragraphs", "documents"]


@router.get("/sdg", responses=examples.responses("/api/sdg"),
            summary="SDG targets, with how many paragraphs refer to each",
            description="One item per SDG target the text of a paragraph refers to: its "
                        "number, UN URI and label, the number of `paragraphs` that refer to it "
                        "and of the `documents` they belong to; most cited first. Filter the "
                        "documents by `state` and `committee`. OHCHR's UHRI tags are not "
                        "counted here (see `/api/sdg/{target}`, key `uhri`).")
async def sdg_counts(request: Request, server: ServerDep, state: StateParam = None,
                     committee: CommitteeParam = None, limit: Limit = 200, offset: Offset = 0,
                     format: Format = None) -> Response:
    committee = committee and committee_code(committee)
    state = state and state_code(state)
    counted = await server.cached(("sdg", committee, state),
                                  lambda: _per_target(server, committee, state))
    found = counted[offset:offset + limit + 1]
    labels = await _english_labels(server, [r["uri"] for r in found])
    items: list[Item] = [{
        "target": r["target"], "uri": r["uri"], "label": labels.get(r["uri"]),
        "page": f"/sdg/{r['target']}", "paragraphs": r["paragraphs"],
        "documents": r["documents"]} for r in found]
    return await page(request, items, limit, offset, format, SDG_COLUMNS, len(counted))


async def _per_target(server: Server, committee: str | None, state: str | None,
                      ) -> list[dict[str, Any]]:
    """Every SDG target paragraphs refer to (of the documents ``committee`` and ``state``
    select), with its numbers of paragraphs and documents, most paragraphs first: counted
    by the full-text index (the paragraphs' ``sdg`` facet), or by the store without one."""
    where = {name: value for name, value in (("committee", committee), ("state", state))
             if value}
    buckets = await from_index(server, lambda index: aggregate.counts(
        index, "sdg", where, within=[DOCUMENT]))
    if buckets is None:
        return await sdg_counts_in_store(server, committee, state)
    found = [{"target": b.value, "uri": str(identifiers.sdg_uri(b.value)),
              "paragraphs": b.paragraphs, "documents": len(b.within[DOCUMENT])}
             for b in buckets]
    return sorted(found, key=lambda r: (-r["paragraphs"], r["uri"]))


async def sdg_counts_in_store(server: Server, committee: str | None, state: str | None,
                              ) -> list[dict[str, Any]]:
    """What :func:`_per_target` counts, asked of the store (every link to an SDG target
    read: the cost grows with the corpus)."""
    pattern = f"""{{
        {{ SELECT DISTINCT ?para ?target WHERE {{ ?para hro:refersToSdgTarget ?target }} }}
        ?para a hro:Paragraph ; dcterms:isPartOf ?doc .
        {" ".join(document_filters(committee, state))} }}"""
    found = await rows(server, f"""SELECT ?target (COUNT(DISTINCT ?para) AS ?paragraphs)
        (COUNT(DISTINCT ?doc) AS ?documents) WHERE {pattern} GROUP BY ?target
        ORDER BY DESC(?paragraphs) ?target""")
    return [{"target": r["target"].rsplit("/", 1)[-1], "uri": r["target"],
             "paragraphs": _number(r["paragraphs"]), "documents": _number(r["documents"])}
            for r in found if r["target"]]


# --- per treaty article -------------------------------------------------------------------

ARTICLE_COLUMNS = ["article", "uri", "treaty", "treaty_name", "label", "text", "heading",
                   "documents"]


@router.get("/articles", responses=examples.responses("/api/articles"),
            summary="Treaty articles, with how many paragraphs concern each",
            description="One item per treaty article (or provision, such as CRC/3(1)) that "
                        "paragraphs concern, with two counts kept apart: `text`, the paragraphs "
                        "whose own text cites it, and `heading`, the paragraphs that only "
                        "inherit it from a section heading that cites it; `documents` holding "
                        "either. Most cited first. The registries give no article titles "
                        "(only the number of articles of each treaty), so an article is named "
                        "by its treaty and number (`label`, `treaty_name`). Filter by `treaty` "
                        "and the documents by `state` and `committee`.")
async def article_counts(request: Request, server: ServerDep, treaty: TreatyParam = None,
                         state: StateParam = None, committee: CommitteeParam = None,
                         limit: Limit = 200, offset: Offset = 0,
                         format: Format = None) -> Response:
    treaties = registries.load().treaties
    prefix = ""
    if treaty:
        code = treaty.strip().upper()
        if code not in treaties:
            raise RefusedError(404, f"no treaty called {treaty!r} in the registry",
                               hint="one of " + ", ".join(treaties))
        prefix = str(identifiers.treaty_uri(code)) + "/article/"
    committee = committee and committee_code(committee)
    state = state and state_code(state)
    stored = None if committee or state else await page_data.stored_numbers(server)
    if stored is not None:  # every article, as the build counted them
        counted = {iri: n for iri, n in stored["articles"].items() if iri.startswith(prefix)}
    else:
        counted = await server.cached(("articles", prefix, committee, state),
                                      lambda: per_article(server, prefix, committee, state))
    ranked = sorted(counted.items(), key=lambda kv: (-kv[1]["text"] - kv[1]["heading"], kv[0]))
    found: list[dict[str, Any]] = [{"article": iri, **numbers}
                                   for iri, numbers in ranked[offset:offset + limit + 1]]
    notations = {r["article"]: identifiers.provision_notation(r["article"] or "")
                 for r in found}
    articles = {iri: str(identifiers.provision_uri(n.split("(", 1)[0]))
                for iri, n in notations.items() if iri and n}
    labels = await _english_labels(server, sorted(set(articles.values())))
    items: list[Item] = []
    for r in found:
        notation = notations[r["article"]]
        if notation is None or r["article"] is None:
            continue
        code = notation.split("/", 1)[0]
        levels = notation[len(notation.split("(", 1)[0]):]  # a provision's "(1)", if any
        label = labels.get(articles[r["article"]])
        items.append({
            "article": notation, "uri": r["article"], "treaty": code,
            "treaty_name": treaty_of(notation)["name"],
            "label": f"{label}{levels}" if label else notation,
            "page": server.local_path(r["article"] or ""),
            "api": "/api/articles/" + notation,
            "text": r["text"], "heading": r["heading"], "documents": r["documents"]})
    return await page(request, items, limit, offset, format, ARTICLE_COLUMNS, len(counted))


async def per_article(server: Server, prefix: str, committee: str | None,
                       state: str | None) -> dict[str, dict[str, int]]:
    """``{article IRI: {"text", "heading", "documents"}}`` for every article (whose IRI
    starts with ``prefix``) paragraphs concern, of the documents ``committee`` and
    ``state`` select.  The full-text index's ``article`` facet counts, per article, the
    paragraphs that cite or inherit it and their documents; the store, the paragraphs
    whose own text cites it (a link of the text: few, beside the many inherited ones);
    heading = both ways - text.  All asked of the store when there is no index."""
    where = {name: value for name, value in (("committee", committee), ("state", state))
             if value}
    buckets = await from_index(server, lambda index: aggregate.counts(
        index, "article", where, within=[DOCUMENT]))
    if buckets is None:
        return await article_counts_in_store(server, prefix, committee, state)
    either = {str(identifiers.provision_uri(b.value)): b for b in buckets}
    either = {iri: b for iri, b in either.items() if iri.startswith(prefix)}
    only = await _documents_selected(server, committee, state)
    cited = await rows(server, f"""SELECT ?article (COUNT(DISTINCT ?p) AS ?n) WHERE {{
        ?p hro:concernsArticle ?article . ?p a hro:Paragraph .
        {_starts_with(prefix)} BIND(STRBEFORE(STR(?p), "/para/") AS ?d)
        FILTER (?d != "") {only} }} GROUP BY ?article""")
    text = {r["article"]: _number(r["n"]) for r in cited if r["article"]}
    return {iri: {"text": text.get(iri, 0), "heading": b.paragraphs - text.get(iri, 0),
                  "documents": len(b.within[DOCUMENT])} for iri, b in either.items()}


def _starts_with(prefix: str) -> str:
    return f"FILTER (STRSTARTS(STR(?article), {sp.literal(prefix)}))" if prefix else ""


async def _documents_selected(server: Server, committee: str | None, state: str | None,
                              ) -> str:
    """``VALUES ?d {…}``: the documents (as strings) of ``committee`` and ``state``; empty
    when neither is given."""
    if not committee and not state:
        return ""
    selected = await rows(server, f"""SELECT DISTINCT ?doc WHERE {{
        {" ".join(document_filters(committee, state))} ?doc hro:languageVersion ?v }}""")
    return "VALUES ?d { %s }" % " ".join(  # noqa: UP031 - braces of SPARQL
        str(sp.literal(r["doc"] or "")) for r in selected)


async def article_counts_in_store(server: Server, prefix: str, committee: str | None,
                                  state: str | None) -> dict[str, dict[str, int]]:
    """What :func:`per_article` counts, asked of the store.  Three grouped queries,
    none with a negation or a join over the inherited links (there are many: a heading
    citing "arts. 8-35" gives each paragraph under it 28): the paragraphs citing each
    article, those inheriting it (``hro:withinSection`` a section that concerns it: the
    chain ``hro:concernsArticleViaSection``, not materialised; counted distinct, as a
    paragraph may sit in two sections that both cite it), those doing both (heading =
    inheriting - both); a paragraph's document is the start of its URI
    (``…/doc/SYMBOL/para/N``), and a URI without ``/para/`` is a section's (sections
    inherit their parents' articles too)."""
    only = await _documents_selected(server, committee, state)
    restrict = _starts_with(prefix)

    async def grouped(pattern: str) -> list[dict[str, str | None]]:
        return await rows(server, f"""SELECT ?article ?d (COUNT(DISTINCT ?p) AS ?n) WHERE {{
            {pattern} {restrict} BIND(STRBEFORE(STR(?p), "/para/") AS ?d)
            FILTER (?d != "") {only} }} GROUP BY ?article ?d""")

    text = await grouped("?p hro:concernsArticle ?article . ?p a hro:Paragraph .")
    inherited = await grouped("?s hro:concernsArticle ?article . ?p hro:withinSection ?s .")
    both = await grouped("?s hro:concernsArticle ?article . ?p hro:withinSection ?s ; "
                         "hro:concernsArticle ?article .")
    counted: dict[str, dict[str, int]] = {}
    documents: dict[str, set[str]] = {}
    for found, key, sign in ((text, "text", 1), (inherited, "heading", 1),
                             (both, "heading", -1)):
        for r in found:
            if not r["article"]:
                continue
            numbers = counted.setdefault(r["article"], {"text": 0, "heading": 0})
            numbers[key] += sign * _number(r["n"])
            documents.setdefault(r["article"], set()).add(r["d"] or "")
    for article, numbers in counted.items():
        numbers["documents"] = len(documents[article])
    return counted


# --- per State ----------------------------------------------------------------------------

STATE_COLUMNS = ["state", "uri", "name", "documents", "languages", "paragraphs",
                 "recommendations"]


@router.get("/states", responses=examples.responses("/api/states"),
            summary="States, with what the store holds on each",
            description="One item per State party the documents held are addressed to: the "
                        "number of `documents`, the `languages` held, the number of "
                        "`paragraphs` and of `recommendations` among them. Filter by "
                        "`committee`; ordered by the State's code.")
async def state_counts(request: Request, server: ServerDep, committee: CommitteeParam = None,
                       limit: Limit = 300, offset: Offset = 0,
                       format: Format = None) -> Response:
    committee = committee and committee_code(committee)
    counted = await server.cached(("states", committee),
                                  lambda: _per_state(server, committee))
    found = counted[offset:offset + limit + 1]
    labels = await _english_labels(server, [r["uri"] for r in found])
    items: list[Item] = [{
        "state": r["state"], "uri": r["uri"], "name": labels.get(r["uri"]),
        "page": server.local_path(r["uri"]), "documents": r["documents"],
        "languages": r["languages"], "paragraphs": r["paragraphs"],
        "recommendations": r["recommendations"]} for r in found]
    return await page(request, items, limit, offset, format, STATE_COLUMNS, len(counted))


async def _per_state(server: Server, committee: str | None) -> list[dict[str, Any]]:
    """Every State the documents (of ``committee``) are addressed to, by code, with its
    numbers of documents, paragraphs and recommendations and the languages held: counted by
    the full-text index (the paragraphs' ``state`` facet), or by the store without one."""
    buckets = await from_index(server, lambda index: aggregate.counts(
        index, "state", {"committee": committee} if committee else {},
        within=[DOCUMENT, "lang", "kind"]))
    if buckets is None:
        return await state_counts_in_store(server, committee)
    return [{"state": b.value, "uri": str(identifiers.state_uri(b.value)),
             "documents": len(b.within[DOCUMENT]), "languages": sorted(b.within["lang"]),
             "paragraphs": b.paragraphs,
             "recommendations": b.within["kind"].get("recommendation", 0)}
            for b in sorted(buckets, key=lambda b: str(identifiers.state_uri(b.value)))]


async def state_counts_in_store(server: Server, committee: str | None,
                                ) -> list[dict[str, Any]]:
    """What :func:`_per_state` counts, asked of the store (every paragraph read: the cost
    grows with the corpus)."""
    pattern = f"""{{ {" ".join(document_filters(committee, None))}
        GRAPH ?version {{ ?doc hro:stateParty ?state ; hro:languageVersion ?v ;
                                hro:hasParagraph ?para .
                          ?v dcterms:language ?lang .
                          OPTIONAL {{ ?para a hro:Recommendation . BIND(?para AS ?rec) }} }} }}"""
    found = await rows(server, f"""SELECT ?state (COUNT(DISTINCT ?doc) AS ?documents)
        (GROUP_CONCAT(DISTINCT STR(?lang); separator="|") AS ?languages)
        (COUNT(DISTINCT ?para) AS ?paragraphs) (COUNT(DISTINCT ?rec) AS ?recommendations)
        WHERE {pattern} GROUP BY ?state ORDER BY ?state""")
    return [{"state": r["state"].rsplit("/", 1)[-1], "uri": r["state"],
             "documents": _number(r["documents"]),
             "languages": sorted((r["languages"] or "").split("|")) if r["languages"] else [],
             "paragraphs": _number(r["paragraphs"]),
             "recommendations": _number(r["recommendations"])}
            for r in found if r["state"]]


# --- the dataset --------------------------------------------------------------------------

@router.get("/summary", responses=examples.responses("/api/summary", csv=False),
            summary="What the dataset holds, in numbers",
            description="The documents held, their language versions (per language), "
                        "paragraphs (and how many are recommendations, concerns, positive "
                        "aspects), the links read in the text per kind (paragraph to target, "
                        "each once) and, apart, the articles a paragraph only inherits from "
                        "a section heading that cites them, the "
                        "committees and States with their number of documents, the first and "
                        "last adoption dates, the documents with a follow-up procedure and "
                        "OHCHR UHRI labels loaded. `/void` is the same dataset described in "
                        "RDF (VoID).")
async def summary(server: ServerDep) -> Response:
    return JSONResponse({**await page_data.summary(server), "more": {
        "per_state": "/api/states", "per_article": "/api/articles", "per_sdg_target": "/api/sdg",
        "documents": "/api/documents", "void": "/void"}})
