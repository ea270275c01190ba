"""The researcher API: plain HTTP for people who do not write SPARQL.

Every endpoint is a SPARQL query on the store, answers JSON (``{"items": [...], "limit",
"offset", "next"}``) or CSV (``?format=csv``), and pages with ``limit`` and ``offset``.
"""
from __future__ import annotations

import csv
import io
import re
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, Response

from rightsgraph.api.protocol import RefusedError, safe_iri
from rightsgraph.core import identifiers
from rightsgraph.extract.output import LINK_COLUMNS

router = APIRouter(prefix="/api", tags=["researcher API"])

Format = Annotated[Literal["json", "csv"], Query(description="json (default) or csv")]
Limit = Annotated[int, Query(ge=1, le=1000, description="page size")]
Offset = Annotated[int, Query(ge=0, description="items to skip")]
FLAGS = {"recommendation": "Recommendation", "concern": "Concern", "positive": "PositiveAspect"}
LANGUAGES = ("en", "fr", "es", "ru", "zh", "ar")
_SAFE = re.compile(r"^[A-Za-z0-9 ._/()\-#]+$")


def _literal(value: str) -> str:
    """A SPARQL string literal for user input."""
    escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'


def _notation(value: str, what: str) -> str:
    if not _SAFE.match(value):
        raise RefusedError(400, f"{value!r} is not a {what} notation")
    return value


def _value(term: dict | None) -> str | None:
    return None if term is None else term["value"]


async def _rows(request: Request, query: str) -> list[dict[str, str | None]]:
    bindings = await request.app.state.server.select(query)
    return [{name: _value(term) for name, term in row.items()} for row in bindings]


def _page(request: Request, items: list[dict], limit: int, offset: int, fmt: str,
          columns: list[str]) -> Response:
    more = len(items) > limit
    items = items[:limit]
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n",
                                extrasaction="ignore")
        writer.writeheader()
        for item in items:
            writer.writerow({k: ("|".join(map(str, v)) if isinstance(v, list) else v)
                             for k, v in item.items()})
        return Response(out.getvalue(), media_type="text/csv; charset=utf-8")
    following = None
    if more:
        following = str(request.url.include_query_params(offset=offset + limit, limit=limit))
    return JSONResponse({"items": items, "limit": limit, "offset": offset, "next": following})


def _local(request: Request, iri: str | None) -> str | None:
    if iri is None:
        return None
    return request.app.state.server.local_path(iri)


# --- documents ----------------------------------------------------------------------------


def _document_filters(committee: str | None, state: str | None) -> list[str]:
    """Graph patterns restricting ``?doc`` to a committee (CMW) and a State (AZE)."""
    f = []
    if committee:
        iri = identifiers.committee_uri(_notation(committee, 'committee'))
        f.append(f"?doc hro:committee <{iri}> .")
    if state:
        iri = identifiers.state_uri(_notation(state.upper(), 'State'))
        f.append(f"?doc hro:stateParty <{iri}> .")
    return f

DOCUMENT_COLUMNS = ["symbol", "uri", "committee", "state", "adopted_on", "languages",
                    "report_numbers"]


@router.get("/documents", summary="Documents the store holds",
            description="Filter by committee (CMW), State (ISO alpha-3, AZE), year of "
                        "adoption and language of the versions held.")
async def documents(request: Request, committee: str | None = None, state: str | None = None,
                    year: Annotated[int | None, Query(ge=1945, le=2100)] = None,
                    language: Literal["en", "fr", "es", "ru", "zh", "ar"] | None = None,
                    limit: Limit = 50, offset: Offset = 0, format: Format = "json") -> Response:
    filters = _document_filters(committee, state)
    if year:
        filters.append(f"?doc hro:adoptedOn ?y . FILTER (YEAR(?y) = {year})")
    if language:
        filters.append(f'?doc hro:languageVersion ?lv . ?lv dcterms:language ?l . '
                       f'FILTER (STR(?l) = "{language}")')
    rows = await _rows(request, f"""
        SELECT ?doc ?symbol ?committee ?state ?adopted
               (GROUP_CONCAT(DISTINCT STR(?lang); separator="|") AS ?languages)
               (GROUP_CONCAT(DISTINCT STR(?n); separator="|") AS ?reports)
        WHERE {{
          ?doc hro:languageVersion ?v ; dcterms:identifier ?symbol .
          ?v dcterms:language ?lang .
          OPTIONAL {{ ?doc hro:committee ?c .
                      BIND(STRAFTER(STR(?c), "/committee/") AS ?committee) }}
          OPTIONAL {{ ?doc hro:stateParty ?s . BIND(STRAFTER(STR(?s), "/state/") AS ?state) }}
          OPTIONAL {{ ?doc hro:adoptedOn ?adopted }}
          OPTIONAL {{ ?doc hro:reportNumber ?n }}
          {" ".join(filters)}
        }}
        GROUP BY ?doc ?symbol ?committee ?state ?adopted
        ORDER BY ?symbol LIMIT {limit + 1} OFFSET {offset}""")
    items = [{
        "symbol": r["symbol"], "uri": r["doc"], "page": _local(request, r["doc"]),
        "committee": r["committee"], "state": r["state"], "adopted_on": r["adopted"],
        "languages": sorted((r["languages"] or "").split("|")) if r["languages"] else [],
        "report_numbers": sorted(int(n) for n in (r["reports"] or "").split("|") if n),
    } for r in rows]
    return _page(request, items, limit, offset, format, DOCUMENT_COLUMNS)


# --- paragraphs ---------------------------------------------------------------------------

PARAGRAPH_COLUMNS = ["document", "number", "uri", "kinds", "language", "text"]


def paragraph_filters(*, state=None, committee=None, article=None, ilo=None, sdg=None,
                       flag=None, q=None, language=None, document=None) -> list[str]:
    f = _document_filters(committee, state)
    if document:
        f.append(f"?doc dcterms:identifier {_literal(document)} .")
    if article:
        try:
            target = identifiers.provision_uri(_notation(article, "article"))
        except ValueError as err:
            raise RefusedError(400, f"{article!r} is not an article notation such as ICRMW/76") \
                from err
        f.append(f"?para hro:concernsArticle <{target}> .")
    if ilo:
        iri = identifiers.ilo_uri(_notation(ilo.upper(), 'ILO'))
        f.append(f"?para hro:citesIloInstrument <{iri}> .")
    if sdg:
        iri = identifiers.sdg_uri(_notation(sdg, 'SDG target'))
        f.append(f"?para hro:refersToSdgTarget <{iri}> .")
    if flag:
        f.append(f"?para a hro:{FLAGS[flag]} .")
    if q:
        for word in q.split():
            f.append(f"FILTER (CONTAINS(LCASE(STR(?text)), LCASE({_literal(word)})))")
    if language:
        f.append(f'FILTER (LANG(?text) = "{language}")')
    return f


async def _paragraphs(request: Request, filters: list[str], limit: int, offset: int,
                      ) -> list[dict]:
    rows = await _rows(request, f"""
        SELECT ?para ?symbol ?number ?text (LANG(?text) AS ?lang)
               (GROUP_CONCAT(DISTINCT STRAFTER(STR(?kind), "#"); separator="|") AS ?kinds)
        WHERE {{
          ?doc hro:hasParagraph ?para ; dcterms:identifier ?symbol .
          ?para hro:number ?number ; hro:text ?text .
          OPTIONAL {{ ?para a ?kind . FILTER (?kind IN (hro:Recommendation, hro:Concern,
                                                        hro:PositiveAspect)) }}
          {" ".join(filters)}
        }}
        GROUP BY ?para ?symbol ?number ?text
        ORDER BY ?symbol ?number ?lang LIMIT {limit + 1} OFFSET {offset}""")
    kind_names = {v: k for k, v in FLAGS.items()}
    return [{
        "document": r["symbol"], "number": int(r["number"]), "uri": r["para"],
        "page": _local(request, r["para"]),
        "kinds": sorted(kind_names[k] for k in (r.get("kinds") or "").split("|") if k),
        "language": r["lang"], "text": r["text"],
    } for r in rows]


@router.get("/paragraphs", summary="Paragraphs, filtered",
            description="One item per paragraph and language held. Filters combine: "
                        "`state` (AZE), `committee` (CMW), `article` (ICRMW/76), `ilo` (C097), "
                        "`sdg` (10.7), `flag` (recommendation, concern, positive), `q` (words "
                        "the text must contain, any language), `language`, `document` (symbol).")
async def paragraphs(
    request: Request, state: str | None = None, committee: str | None = None,
    article: str | None = None, ilo: str | None = None, sdg: str | None = None,
    flag: Literal["recommendation", "concern", "positive"] | None = None,
    q: str | None = None, language: Literal["en", "fr", "es", "ru", "zh", "ar"] | None = None,
    document: str | None = None, limit: Limit = 50, offset: Offset = 0,
    format: Format = "json",
) -> Response:
    filters = paragraph_filters(state=state, committee=committee, article=article, ilo=ilo,
                                 sdg=sdg, flag=flag, q=q, language=language, document=document)
    items = await _paragraphs(request, filters, limit, offset)
    return _page(request, items, limit, offset, format, PARAGRAPH_COLUMNS)


@router.get("/recommendations", summary="Recommendations, filtered",
            description="As /api/paragraphs with flag=recommendation.")
async def recommendations(
    request: Request, state: str | None = None, committee: str | None = None,
    article: str | None = None, ilo: str | None = None, sdg: str | None = None,
    q: str | None = None, language: Literal["en", "fr", "es", "ru", "zh", "ar"] | None = None,
    document: str | None = None, limit: Limit = 50, offset: Offset = 0,
    format: Format = "json",
) -> Response:
    return await paragraphs(request, state, committee, article, ilo, sdg, "recommendation", q,
                            language, document, limit, offset, format)


@router.get("/articles/{treaty}/{article}", summary="One treaty article's page",
            description="The article (from the registry) and every recommendation that "
                        "concerns it, across States and committees.")
async def article_page(request: Request, treaty: str, article: str, limit: Limit = 100,
                       offset: Offset = 0, format: Format = "json") -> Response:
    notation = f"{_notation(treaty, 'treaty')}/{_notation(article, 'article')}"
    iri = identifiers.provision_uri(notation)
    label = await _rows(request, f"""SELECT ?label WHERE {{ <{iri}> skos:prefLabel ?label .
        FILTER (LANG(?label) = "en") }} LIMIT 1""")
    if not label:
        raise RefusedError(404, f"{notation} is not an article in the registry")
    items = await _paragraphs(request, [f"?para hro:concernsArticle <{iri}> ."], limit, offset)
    if format == "csv":
        return _page(request, items, limit, offset, format, PARAGRAPH_COLUMNS)
    page = _page(request, items, limit, offset, format, PARAGRAPH_COLUMNS)
    body = page.body.decode()
    return Response(body[:-1] + f', "article": {{"notation": "{notation}", "uri": "{iri}", '
                    f'"label": {_json(label[0]["label"])}}}}}',
                    media_type="application/json")


@router.get("/sdg/{target}", summary="One SDG target's page",
            description="The target (UN label and URI) and every paragraph that refers to it.")
async def sdg_page(request: Request, target: str, limit: Limit = 100, offset: Offset = 0,
                   format: Format = "json") -> Response:
    iri = identifiers.sdg_uri(_notation(target, "SDG target"))
    label = await _rows(request, f"""SELECT ?label WHERE {{ <{iri}> skos:prefLabel ?label .
        FILTER (LANG(?label) = "en") }} LIMIT 1""")
    if not label:
        raise RefusedError(404, f"{target} is not an SDG target")
    items = await _paragraphs(request, [f"?para hro:refersToSdgTarget <{iri}> ."], limit, offset)
    page = _page(request, items, limit, offset, format, PARAGRAPH_COLUMNS)
    if format == "csv":
        return page
    body = page.body.decode()
    return Response(body[:-1] + f', "target": {{"notation": "{target}", "uri": "{iri}", '
                    f'"label": {_json(label[0]["label"])}}}}}', media_type="application/json")


def _json(value: str) -> str:
    import json

    return json.dumps(value, ensure_ascii=False)


@router.get("/chain", summary="A recommendation's reiteration chain",
            description="Given a paragraph URI (or `document` and `number`), its earlier "
                        "versions (what it reiterates, recalls or cites, across cycles) and its "
                        "later versions (the paragraphs that reiterate it).")
async def chain(request: Request, uri: str | None = None, document: str | None = None,
                number: int | None = None) -> Response:
    if uri is None:
        if not document or number is None:
            raise RefusedError(400, "give uri, or document and number")
        uri = str(identifiers.paragraph_uri(_notation(document, "document"), number))
    if not safe_iri(uri):
        raise RefusedError(400, "not a paragraph URI")
    async def related(pattern: str) -> list[dict]:
        rows = await _rows(request, f"""SELECT DISTINCT ?p ?relation ?symbol ?number WHERE {{
            {pattern}
            OPTIONAL {{ ?p dcterms:isPartOf ?d . ?d dcterms:identifier ?symbol }}
            OPTIONAL {{ ?p hro:number ?number }} }} ORDER BY ?symbol ?number""")
        return [{"uri": r["p"], "page": _local(request, r["p"]), "document": r["symbol"],
                 "number": int(r["number"]) if r["number"] else None,
                 "relation": r["relation"].rsplit("#", 1)[-1]} for r in rows]
    earlier = await related(f"""<{uri}> ?relation ?p .
        FILTER (?relation IN (hro:reiterates, hro:recalls, hro:notesNonImplementationOf,
                              hro:citesRecommendation, hro:reiteratesTransitively))""")
    later = await related(f"""?p ?inverse <{uri}> .
        FILTER (?inverse IN (hro:reiterates, hro:recalls, hro:notesNonImplementationOf,
                             hro:citesRecommendation, hro:reiteratesTransitively))
        BIND(?inverse AS ?relation)""")
    return JSONResponse({"paragraph": uri, "earlier": earlier, "later": later})


@router.get("/links", summary="The links table",
            description="The same CSV as `rightsgraph extract --format csv` (document, "
                        "section, paragraph, item, relation, target), for one document or all; "
                        "JSON with ?format=json.")
async def links(request: Request, document: str | None = None,
                format: Annotated[Literal["json", "csv"], Query()] = "csv",
                limit: Annotated[int, Query(ge=1, le=100000)] = 100000,
                offset: Offset = 0) -> Response:
    restrict = f"?doc dcterms:identifier {_literal(document)} ." if document else ""
    rows = await _rows(request, f"""
        SELECT DISTINCT ?document ?section ?paragraph ?item ?relation ?target ?order ?m WHERE {{
          ?doc hro:languageVersion ?v ; dcterms:identifier ?document .
          {restrict}
          ?m hro:inLanguageVersion ?v ; hro:linkKind ?relation ; hro:notation ?target .
          FILTER (?relation IN ("article", "ilo", "sdg", "prior", "general_comment", "document"))
          ?owner hro:mention ?m .
          OPTIONAL {{ ?owner hro:number ?paragraph }}
          OPTIONAL {{ ?owner a hro:Section ; hro:label ?ownLabel }}
          OPTIONAL {{ ?owner hro:inSection ?parent . ?parent hro:label ?parentLabel }}
          BIND(COALESCE(?ownLabel, ?parentLabel) AS ?section)
          OPTIONAL {{ ?m hro:inSubItem ?i . ?i hro:label ?item }}
          BIND(xsd:integer(STRAFTER(STR(?m), "/mention/")) AS ?order)
        }} ORDER BY ?document ?order LIMIT {limit + 1} OFFSET {offset}""")
    items = [{column: r.get(column) or "" for column in LINK_COLUMNS} for r in rows]
    return _page(request, items, limit, offset, format, list(LINK_COLUMNS))
