"""The researcher API: plain HTTP for people who do not write SPARQL.

Every endpoint is a SPARQL query on the store, answers JSON by default (a listing:
``{"items": [...], "total", "limit", "offset", "next", "previous"}``) or CSV (``format=csv``
or ``Accept: text/csv``; the total in ``X-Total-Count``), and pages with ``limit`` and
``offset`` (:mod:`.listing`).
"""
from __future__ import annotations

import collections
from collections.abc import Callable
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import JSONResponse, Response

from rightsgraph.api import response_examples as examples
from rightsgraph.api import search as search_api
from rightsgraph.api.deps import ServerDep
from rightsgraph.api.filters import (
    FLAGS,
    Flag,
    LinkFilters,
    article_notation,
    article_pattern,
    committee_code,
    document_dataset,
    document_filters,
    link_target,
    notation,
    paragraph_filters,
    provisions_below,
    selected_paragraphs,
    state_code,
)
from rightsgraph.api.listing import (
    Counter,
    Format,
    Item,
    Limit,
    Offset,
    count,
    csv_response,
    distinct_count,
    from_index,
    output_format,
    page,
)
from rightsgraph.api.listing import described as _described
from rightsgraph.api.listing import rows as _rows
from rightsgraph.api.protocol import RefusedError
from rightsgraph.api.server import Server
from rightsgraph.core import identifiers, registries
from rightsgraph.core import sparql as sp
from rightsgraph.core.languages import Language
from rightsgraph.core.links import FILTERS, SCORED
from rightsgraph.core.uhri import slug
from rightsgraph.extract.output import LINK_COLUMNS
from rightsgraph.graph.search import SearchIndex, aggregate
from rightsgraph.graph.search import facets as facet_table
from rightsgraph.graph.search.index import DOCUMENT
from rightsgraph.graph.store import bound

router = APIRouter(prefix="/api", tags=["researcher API"])



StateParam = Annotated[str | None, _described(
    "the State party, by ISO 3166-1 alpha-3 code (any case) or by name in any of the six UN "
    "languages", "AZE", "Azerbaijan", "阿塞拜疆")]
CommitteeParam = Annotated[str | None, _described(
    "the treaty body, by its abbreviation (CERD, CESCR, CCPR, CEDAW, CAT, SPT, CRC, CMW, CRPD, "
    "CED)", "CMW")]
ViaHeading = Annotated[bool, _described(
    "with article: also the paragraphs under a section heading that cites it (default true)",
    True, False)]
ThemeParam = Annotated[str | None, _described(
    "a theme OHCHR's Universal Human Rights Index (UHRI) gives the paragraph, by its label or "
    "slug (loaded with `rightsgraph labels uhri`; not read in the text)", "Migrants")]
AffectedParam = Annotated[str | None, _described(
    "persons UHRI says the paragraph concerns, by label or slug (UHRI's label, not the "
    "text's)", "Migrants", "children")]
FlagParam = Annotated[Flag | None, _described(
    "the kind of paragraph: recommendation, concern (a matter of concern) or positive (a "
    "positive aspect)", "recommendation")]
WordsParam = Annotated[str | None, _described(
    "words the text must contain (all of them, any case, any language)", "移民战略")]
LanguageParam = Annotated[Language | None, _described(
    "only the language versions in this language (en, fr, es, ru, zh, ar)", "zh")]
DocumentParam = Annotated[str | None, _described(
    "one document, by its UN symbol", "CMW/C/AZE/CO/3")]
FollowUpParam = Annotated[bool | None, _described(
    "true: only the paragraphs the document selects for the follow-up procedure (on which "
    "the State party is to report before its next report); false: only the others", True,
    False)]
YearParam = Annotated[int | None, Query(
    ge=1945, le=2100, description="the year the document was adopted",
    openapi_examples={"2023": {"value": 2023}})]
def _local(server: Server, iri: str | None) -> str | None:
    return None if iri is None else server.local_path(iri)


# --- documents ----------------------------------------------------------------------------

DOCUMENT_COLUMNS = ["symbol", "uri", "committee", "state", "adopted_on", "languages",
                    "report_numbers", "follow_up_paragraphs", "follow_up_deadline",
                    "follow_up_deadline_derived"]


@router.get("/documents", summary="Documents the store holds",
            responses=examples.responses("/api/documents"),
            description="Filter by committee (CMW), State (ISO alpha-3, AZE), year of "
                        "adoption and language of the versions held. Each document says "
                        "which paragraphs it selects for the follow-up procedure and by when "
                        "information on them is due (`follow_up_deadline_derived`: the date "
                        "is the adoption plus the period the document gives, not printed).")
async def documents(request: Request, server: ServerDep, committee: CommitteeParam = None,
                    state: StateParam = None, year: YearParam = None,
                    language: LanguageParam = None,
                    limit: Limit = 50, offset: Offset = 0, format: Format = None) -> Response:
    filters = document_filters(committee, state)
    if year:
        filters.append(f"?doc hro:adoptedOn ?y . FILTER (YEAR(?y) = {sp.integer(year)})")
    if language:
        filters.append(f"?doc hro:languageVersion ?lv . ?lv dcterms:language ?l . "
                       f"FILTER (STR(?l) = {sp.literal(language)})")
    matching = f"""{{ {" ".join(filters)}
          ?doc hro:languageVersion ?v ; dcterms:identifier ?symbol . }}"""
    where = _facet_filters({}, state=state, committee=committee, flag=None,
                           language=language, document=None)
    if year:
        where["year"] = str(year)
    held = await server.cached(("documents", tuple(sorted(where.items()))), lambda: from_index(
        server, lambda index: [b.value for b in aggregate.counts(index, DOCUMENT, where)]))
    total: Counter | int
    if held is None:  # no index: the store sorts them all
        selected = f"""{{ SELECT DISTINCT ?doc ?symbol WHERE {matching}
             ORDER BY ?symbol LIMIT {sp.integer(limit + 1)} OFFSET {sp.integer(offset)} }}"""
        total = lambda: count(server, distinct_count("?doc", matching))  # noqa: E731
    else:  # the symbols of the documents, sorted, from the index: the page's looked up
        selected = f"""{{ SELECT DISTINCT ?doc ?symbol WHERE {{
             VALUES ?symbol {{ {" ".join(sp.literal(x) for x in held[offset:offset + limit + 1])} }}
             ?doc dcterms:identifier ?symbol ; hro:languageVersion ?v . }} }}"""
        total = len(held)
    rows = await _rows(server, f"""
        SELECT ?doc ?symbol ?committee ?state ?adopted
               (GROUP_CONCAT(DISTINCT STR(?lang); separator="|") AS ?languages)
               (GROUP_CONCAT(DISTINCT STR(?n); separator="|") AS ?reports)
        WHERE {{
          {selected}
          ?doc hro:languageVersion ?v . ?v dcterms:language ?lang .
          OPTIONAL {{ ?doc hro:committee ?c .
                      BIND(STRAFTER(STR(?c), "/committee/") AS ?committee) }}
          OPTIONAL {{ ?doc hro:stateParty ?s . BIND(STRAFTER(STR(?s), "/state/") AS ?state) }}
          OPTIONAL {{ ?doc hro:adoptedOn ?adopted }}
          OPTIONAL {{ ?doc hro:reportNumber ?n }}
        }}
        GROUP BY ?doc ?symbol ?committee ?state ?adopted ORDER BY ?symbol""")
    items = [{
        "symbol": r["symbol"], "uri": r["doc"], "page": _local(server, r["doc"]),
        "committee": r["committee"], "state": r["state"], "adopted_on": r["adopted"],
        "languages": sorted((r["languages"] or "").split("|")) if r["languages"] else [],
        "report_numbers": sorted(int(n) for n in (r["reports"] or "").split("|") if n),
    } for r in rows]
    await _add_follow_up(server, items)
    return await page(request, items, limit, offset, format, DOCUMENT_COLUMNS, total)


async def _add_follow_up(server: Server, items: list[Item]) -> None:
    """Each document's follow-up procedure: the paragraphs it selects (by number), the
    date information on them is due and whether that date is derived from a period after
    the adoption (``within one year``) rather than printed."""
    if not items:
        return
    # the documents bound in each branch: with the properties as values beside them,
    # Oxigraph read every follow-up fact of the store (45 ms for 50 documents at 12.8M
    # quads, 6 ms this way)
    documents = sp.values("doc", [item["uri"] for item in items])
    found = await _rows(server, "SELECT DISTINCT ?doc ?p ?o WHERE { " + " UNION ".join(
        f"{{ {documents} ?doc {p} ?o BIND({p} AS ?p) }}"
        for p in ("hro:followUpParagraph", "hro:followUpDeadline",
                  "hro:derivedFollowUpDeadline")) + " }")
    facts: dict[tuple[str | None, str], list[str]] = {}
    for r in found:
        facts.setdefault((r["doc"], (r["p"] or "").rpartition("#")[2]), []).append(r["o"] or "")
    for item in items:
        selected = facts.get((item["uri"], "followUpParagraph"), [])
        derived = facts.get((item["uri"], "derivedFollowUpDeadline"), [])
        printed = [d for d in facts.get((item["uri"], "followUpDeadline"), [])
                   if d not in derived]
        item["follow_up_paragraphs"] = sorted(int(p.rpartition("/para/")[2]) for p in selected
                                              if p.rpartition("/para/")[2].isdigit())
        item["follow_up_deadline"] = next(iter(printed or derived), None)
        item["follow_up_deadline_derived"] = bool(derived) and not printed


# --- full-text search ---------------------------------------------------------------------

@router.get("/search", summary="Full-text search of the paragraphs, ranked, with facets",
            description="The paragraphs matching `q`, best first (BM25), each once (its "
                        "URI) with a snippet in the query's language when held (or `lang`), "
                        "the spans to highlight in it, and counts of the matching paragraphs "
                        "by committee, State, year, treaty article (with those inherited from "
                        "section headings), SDG target, ILO instrument, general comment, kind "
                        "and language, and by the themes and affected persons OHCHR's "
                        "Universal Human Rights Index gives the paragraphs (facets `theme` and "
                        "`affected`, each value with its `label` and `source`: `UHRI`; not "
                        "read in the text). A malformed query is a 400 that says what is wrong.",
            responses={400: {"description": "the query cannot run; the text says why"}})
async def search(
    request: Request, server: ServerDep, q: search_api.QueryText,
    lang: Annotated[Literal["en", "fr", "es", "ru", "zh", "ar"] | None, Query(
        description="show paragraphs in this language when held",
        openapi_examples={"zh": {"value": "zh"}})] = None,
    limit: Annotated[int, Query(ge=1, le=100, description="results per page",
                                openapi_examples={"20": {"value": 20}})] = 20,
    offset: Annotated[int, Query(ge=0, le=10_000, description="results to skip",
                                 openapi_examples={"0": {"value": 0}})] = 0,
    format: Format = None,
) -> Response:
    results = await search_api.run_search(server, q, limit=limit, offset=offset, lang=lang,
                                          snippets=True)
    items = search_api.items_of(server, results)
    extra = {} if output_format(request, format) == "csv" else {
        "query": q, "facets": await search_api.facets_of(server, results, lang)}
    return await page(request, items, limit, offset, format, search_api.COLUMNS,
                      results.total, **extra)


# --- paragraphs ---------------------------------------------------------------------------

PARAGRAPH_COLUMNS = ["document", "number", "uri", "kinds", "language", "via", "text"]


async def paragraphs_in_store(server: Server, filters: list[str], limit: int, offset: int,
                              ) -> list[Item]:
    """A page of the paragraphs ``filters`` select, asked of the store: one item per
    paragraph and language held, by document, number and language.

    The page first, then its paragraphs' kinds (:func:`_kinds`, a second query bound to
    them): read in the page's query, as an ``OPTIONAL`` over each row's version graph,
    Oxigraph 0.5 planned the kinds of some listings (an article with ``follow_up``: a union
    with a join in one branch) as a hash join over every ``rdf:type`` of the store, 1.6 s
    per request at 12.5 M quads."""
    rows = await _rows(server, f"""
        SELECT ?para ?symbol ?number ?text (LANG(?text) AS ?lang) (MAX(?via) AS ?how)
        WHERE {selected_paragraphs(filters)}
        GROUP BY ?para ?symbol ?number ?text
        ORDER BY ?symbol ?number ?lang LIMIT {sp.integer(limit + 1)} OFFSET {sp.integer(offset)}""")
    kinds = await _kinds(server, rows)
    return [{
        "document": r["symbol"], "number": int(bound(r, "number")), "uri": r["para"],
        "page": _local(server, r["para"]),
        "kinds": kinds.get((r["para"], r["text"], r["lang"] or ""), []),
        "language": r["lang"], "via": r.get("how"), "text": r["text"],
    } for r in rows]


async def _kinds(server: Server, rows: list[dict[str, str | None]],
                 ) -> dict[tuple[str | None, str | None, str], list[str]]:
    """The kinds (``recommendation``, ``concern``, ``positive``) each listed paragraph has
    in the language versions holding its text: (paragraph, text, language) -> sorted
    kinds."""
    if not rows:
        return {}
    found = await server.select(f"""SELECT DISTINCT ?para ?text ?kind WHERE {{
        {sp.values("para", sorted({r["para"] for r in rows if r["para"]}))}
        GRAPH ?version {{ ?para hro:text ?text ; a ?kind }}
        FILTER (?kind IN (hro:Recommendation, hro:Concern, hro:PositiveAspect)) }}""")
    kind_names = {v: k for k, v in FLAGS.items()}
    kinds: dict[tuple[str | None, str | None, str], set[str]] = {}
    for row in found:
        text = row["text"]
        key = (row["para"]["value"], text["value"], text.get("xml:lang", ""))
        kinds.setdefault(key, set()).add(kind_names[row["kind"]["value"].rpartition("#")[2]])
    return {key: sorted(names) for key, names in kinds.items()}


@router.get("/paragraphs", summary="Paragraphs, filtered",
            description="One item per paragraph and language held. Filters combine: "
                        "`state` (AZE), `committee` (CMW), "
                        + ", ".join(f"`{name}` ({kind.examples[0]})"
                                    for name, kind in FILTERS.items())
                        + ", `flag` (recommendation, concern, positive), `q` (a full-text "
                        "query as in /api/search; the items are then ranked by relevance), "
                        "`language`, `document` (symbol); `theme` and `affected` filter by "
                        "OHCHR's UHRI labels. With `article`, a paragraph under a section "
                        "heading that cites the article is included (`via`: `heading`; `text` "
                        "when its own text cites it) unless `via_heading=false`. "
                        "`follow_up=true`: the paragraphs selected for the follow-up "
                        "procedure.")
async def paragraphs(
    request: Request, server: ServerDep, links: LinkFilters, state: StateParam = None,
    committee: CommitteeParam = None, flag: FlagParam = None, q: WordsParam = None,
    language: LanguageParam = None, document: DocumentParam = None, limit: Limit = 50,
    offset: Offset = 0, format: Format = None, theme: ThemeParam = None,
    affected: AffectedParam = None, via_heading: ViaHeading = True,
    follow_up: FollowUpParam = None,
) -> Response:
    if q:  # UHRI's labels are facets of the index; the follow-up procedure is in the store
        labels = paragraph_filters(follow_up=follow_up)
        items, total = await _paragraphs_found(server, search_api.with_filters(
            q, state=state and state.upper(), committee=committee, kind=flag, lang=language,
            document=document, theme=theme and slug(theme),
            affected=affected and slug(affected), **search_api.link_filters(links)),
            language, limit, offset, labels)
        return await page(request, items, limit, offset, format, PARAGRAPH_COLUMNS, total)
    if not theme and not affected:
        # every filter is a facet of the index, or paragraphs the store names (those
        # selected for the follow-up procedure, those citing the article in their text)
        where = _facet_filters(links, state=state, committee=committee, flag=flag,
                               language=language, document=document)
        found = await _index_page(server, where, limit, offset, links.get("article"),
                                  follow_up, via_heading)
        if found is not None:
            return await page(request, found[0], limit, offset, format, PARAGRAPH_COLUMNS,
                              found[1])
    provisions = await provisions_below(server, links["article"]) if links.get("article") \
        else []
    filters = paragraph_filters(state=state, committee=committee, links=links, flag=flag,
                                language=language, document=document, theme=theme,
                                affected=affected, via_heading=via_heading,
                                follow_up=follow_up, provisions=provisions)
    return await _paragraph_page(request, server, filters, limit, offset, format)


async def link_listing(server: Server, name: str, value: str, limit: int, offset: int,
                       ) -> tuple[list[Item], int | Counter]:
    """A page of the paragraphs whose text links to ``value`` by the link filter ``name``
    (``sdg`` 4.1, ``ilo`` C097, ``gc`` CMW/GC/2), one more than ``limit``, with their total
    or what counts them: ``/api/paragraphs?{name}={value}``'s listing (the full-text
    index's facets, else the store), that of ``/api/sdg/...`` and of the target's HTML
    page."""
    links = {name: value}
    where = _facet_filters(links, state=None, committee=None, flag=None, language=None,
                           document=None)
    found = await _index_page(server, where, limit, offset)
    if found is not None:
        return found
    filters = paragraph_filters(links=links)
    return (await paragraphs_in_store(server, filters, limit, offset),
            lambda: _count_paragraphs(server, filters))


async def _paragraph_page(request: Request, server: Server, filters: list[str], limit: int,
                          offset: int, fmt: str | None, **extra: object) -> Response:
    """A page of the paragraphs ``filters`` select, with their total (one item per
    paragraph and language held)."""
    items = await paragraphs_in_store(server, filters, limit, offset)
    return await page(request, items, limit, offset, fmt, PARAGRAPH_COLUMNS,
                      lambda: _count_paragraphs(server, filters), **extra)


async def _count_paragraphs(server: Server, filters: list[str]) -> int:
    """The number of items :func:`_paragraphs` lists for ``filters``: paragraphs times the
    languages held, read as the listing reads them (inside one version's graph each)."""
    return await count(server, distinct_count("?para ?text", selected_paragraphs(filters)))


async def _paragraphs_found(server: Server, text: str, language: str | None, limit: int,
                            offset: int, labels: list[str]
                            ) -> tuple[list[Item], int | Counter]:
    """Items of the paragraphs the full-text index finds for ``text``, best first, one per
    language version held (or in ``language``); with ``labels`` (graph patterns over
    ``?para``), only the paragraphs the store says match them.  With them, their total
    among the best :data:`~.search.MAX_RESULTS` paragraphs (or what counts it)."""
    wanted = offset + limit + 1
    if wanted > search_api.MAX_RESULTS:
        raise RefusedError(400, f"with q, at most {search_api.MAX_RESULTS} items can be paged "
                                "through: narrow the query or add filters")
    results = await search_api.run_search(
        server, text, limit=search_api.MAX_RESULTS if labels else wanted, offset=0)
    if labels and results.items:
        rows = await _rows(server, f"""SELECT DISTINCT ?para WHERE {{
            {sp.values("para", [hit.uri for hit in results.items])} {" ".join(labels)} }}""")
        kept = {row["para"] for row in rows}
        results.items = [hit for hit in results.items if hit.uri in kept]
    items = [{"document": hit.symbol, "number": hit.number, "uri": hit.uri,
              "page": _local(server, hit.uri), "kinds": hit.facets.get("kind", []),
              "language": lang, "text": value, "score": round(hit.score, 4)}
             for hit in results.items for lang, value in hit.texts.items()
             if language in (None, lang)]

    async def total() -> int:  # every item of the best MAX_RESULTS paragraphs
        if results.total <= search_api.MAX_RESULTS:  # all of them: the language facet says
            held = dict(results.facets.get("lang", []))
            return held.get(language, 0) if language else sum(held.values())
        every = await search_api.run_search(server, text, limit=search_api.MAX_RESULTS,
                                            offset=0)
        return sum(1 for hit in every.items for lang in hit.texts if language in (None, lang))

    if labels:
        return items[offset:offset + limit + 1], len(items)
    # counted once per snapshot: past one page it reads the best MAX_RESULTS paragraphs
    return items[offset:offset + limit + 1], lambda: server.cached(
        ("search total", text, language), total)


def _facet_filters(links: dict[str, str], *, state: str | None, committee: str | None,
                   flag: str | None, language: str | None, document: str | None,
                   ) -> dict[str, str]:
    """The filters of a listing as the full-text index's facets (``facets.toml``), each
    value normalised as the store's patterns normalise it; the article apart."""
    where = {"state": state and state_code(state),
             "committee": committee and committee_code(committee),
             "kind": flag, "lang": language, DOCUMENT: document}
    for name, value in links.items():
        if name != "article":
            where[name] = facet_table.notation(link_target(FILTERS[name], value)) or value
    return {name: value for name, value in where.items() if value}


async def _index_page(server: Server, where: dict[str, str], limit: int, offset: int,
                      article: str | None = None, follow_up: bool | None = None,
                      via_heading: bool = True) -> tuple[list[Item], int] | None:
    """A page of the paragraphs that match ``where`` (:func:`_facet_filters`) and, with
    ``article``, concern it (or a provision below it) in their text or through a section
    heading, with their total: the same items as :func:`paragraphs_in_store`, found by the
    full-text index (its facets; its ``article`` facet holds both ways) in the order of its
    ``uri`` column, so the cost is that of the answer.  ``None`` when the index is not
    available.  The texts and kinds come from the index; with ``article``, whether a
    paragraph's own text cites it (``via``) from the store, for this page's paragraphs only
    (without, ``via`` is ``None``, as the store's listing says).  With ``follow_up``, only
    the paragraphs a document selects for the follow-up procedure (true) or the others
    (false), as the store says (:func:`_follow_up_paragraphs`); with ``article`` and not
    ``via_heading``, only the paragraphs whose own text cites it (:func:`_citing`).

    The documents of the listing's items are counted once per snapshot
    (:func:`_listed_documents`); a page lists only the documents its items are in."""
    name = article_notation(article) if article else None
    languages = [where["lang"]] if "lang" in where else None
    kept: list[Callable[[str], bool]] = []
    if follow_up is not None:
        selected_for = await server.cached(("follow-up paragraphs",),
                                           lambda: _follow_up_paragraphs(server))
        kept.append(lambda uri: (uri in selected_for) == follow_up)
    if name and not via_heading:
        citing = await server.cached(("citing", name), lambda: _citing(server, name))
        if citing is None:
            return None
        kept.append(citing.__contains__)
    keep = (lambda uri: all(k(uri) for k in kept)) if kept else None
    documents = await server.cached(
        ("listed documents", name, follow_up, via_heading or not name,
         tuple(sorted(where.items()))),
        lambda: from_index(server, lambda index: _listed_documents(index, where, name, keep)))
    if documents is None:
        return None
    concerned, per_document = documents

    def listed(index: SearchIndex) -> tuple[list[aggregate.Listed], int, dict]:
        selected = {**where, "article": concerned} if name else where
        if per_document is None:  # too many documents to count by: list them all
            found = [item for item in aggregate.listing(index, selected, languages)
                     if keep is None or keep(item.uri)]
            shown = found[offset:offset + limit + 1]
            return shown, len(found), aggregate.stored(index, {item.uri for item in shown})
        before, chosen, start = 0, [], 0
        for symbol, items in per_document:  # the documents this page's items are in
            if start + items <= offset:
                before += items
            elif start < offset + limit + 1:
                chosen.append(symbol)
            start += items
        found = [item for item in aggregate.listing(index, {**selected, DOCUMENT: chosen},
                                                    languages)
                 if keep is None or keep(item.uri)] if chosen else []
        shown = found[offset - before:offset - before + limit + 1]
        return shown, start, aggregate.stored(index, {item.uri for item in shown})

    answer = await from_index(server, listed)
    if answer is None:
        return None
    shown, total, parts = answer
    cited = set()
    if shown and name:
        # from the page's paragraphs to their articles: with the article given as values
        # too, Oxigraph read every paragraph citing it (1,373 for CAT/23 at 12.5 M quads)
        provisions = ", ".join(sp.iri(str(identifiers.provision_uri(n))) for n in concerned)
        rows = await _rows(server, f"""SELECT DISTINCT ?para WHERE {{
            {sp.values("para", sorted({item.uri for item in shown}))}
            ?para hro:concernsArticle ?concerned FILTER (?concerned IN ({provisions})) }}""")
        cited = {row["para"] for row in rows}
    items = []
    for item in shown:
        version = next(p for p in parts[item.uri].values() if p["lang"] == item.lang)
        via = ("text" if item.uri in cited else "heading") if name else None
        items.append({
            "document": item.symbol, "number": item.number, "uri": item.uri,
            "page": _local(server, item.uri), "kinds": version["facets"].get("kind", []),
            "language": item.lang, "via": via, "text": version["text"]})
    return items, total


async def _citing(server: Server, article: str) -> frozenset[str] | None:
    """The paragraphs whose own text cites ``article`` or a provision below it (the
    provisions the index holds, as its listing reads them), read once per snapshot: the
    index's ``article`` facet holds the headings' articles too.  ``None`` when the index is
    not available."""
    concerned = await from_index(
        server, lambda index: [article, *aggregate.provisions(index, article)])
    if concerned is None:
        return None
    rows = await _rows(server, f"""SELECT DISTINCT ?para WHERE {{
        {sp.values("concerned", [str(identifiers.provision_uri(n)) for n in concerned])}
        ?para hro:concernsArticle ?concerned }}""")
    return frozenset(r["para"] for r in rows if r["para"])


async def _follow_up_paragraphs(server: Server) -> frozenset[str]:
    """Every paragraph a document selects for the follow-up procedure (13,308 at 12.5 M
    quads), read once per snapshot: the follow-up procedure is in the store, not the
    index."""
    rows = await _rows(server, """SELECT DISTINCT ?para WHERE {
        ?selecting hro:followUpParagraph ?para }""")
    return frozenset(r["para"] for r in rows if r["para"])


def _listed_documents(index: SearchIndex, where: dict[str, str], article: str | None,
                      keep: Callable[[str], bool] | None = None,
                      ) -> tuple[list[str], list[tuple[str, int]] | None]:
    """What :func:`_index_page` keeps per snapshot for a listing: the article's provisions
    held below it, and the documents of the listing's items, by symbol, each with its
    number of items (paragraphs times the languages listed); ``None`` instead when they are
    more than one aggregation counts.  A page then lists only the documents its items are
    in: listing every matching paragraph to sort them and keep a page grew with the corpus
    (9,104 items for CAT/9 at 12.5 M quads, 19 ms of the index's time per request).  With
    ``keep`` (a paragraph's URI -> whether it is listed), the items are listed and kept
    here, once."""
    concerned = [article, *aggregate.provisions(index, article)] if article else []
    selected = {**where, "article": concerned} if article else where
    if keep is not None:
        counted = collections.Counter(item.symbol for item in aggregate.listing(
            index, selected, [where["lang"]] if "lang" in where else None) if keep(item.uri))
        return concerned, sorted(counted.items())
    try:
        buckets = aggregate.counts(index, DOCUMENT, selected, within=["lang"])
    except aggregate.AggregateError:
        return concerned, None
    per_document = []
    for bucket in buckets:  # the listing's order: by symbol, then number and language
        items = sum(n for lang, n in bucket.within["lang"].items()
                    if "lang" not in where or lang == where["lang"])
        if items:
            per_document.append((str(bucket.value), items))
    return concerned, sorted(per_document)


@router.get("/recommendations", summary="Recommendations, filtered",
            description="As /api/paragraphs with flag=recommendation.")
async def recommendations(
    request: Request, server: ServerDep, links: LinkFilters, state: StateParam = None,
    committee: CommitteeParam = None, q: WordsParam = None, language: LanguageParam = None,
    document: DocumentParam = None, limit: Limit = 50, offset: Offset = 0,
    format: Format = None, theme: ThemeParam = None, affected: AffectedParam = None,
    via_heading: ViaHeading = True, follow_up: FollowUpParam = None,
) -> Response:
    return await paragraphs(request, server, links, state, committee, "recommendation", q,
                            language, document, limit, offset, format, theme, affected,
                            via_heading, follow_up)


@router.get("/articles/{treaty}/{article}", summary="One treaty article's page",
            description="The article (from the registry) and every paragraph that "
                        "concerns it, across States and committees: its own text cites the "
                        "article (`via`: `text`) or a section heading above it does (`via`: "
                        "`heading`, left out with `via_heading=false`).")
async def article_page(request: Request, server: ServerDep,
                       treaty: Annotated[str, Path(description="the treaty's abbreviation",
                                                   openapi_examples={"ICRMW": {"value": "ICRMW"}})],
                       article: Annotated[str, Path(
                           description="the article's number (with its paragraph: 3(1))",
                           openapi_examples={"73": {"value": "73"}})],
                       limit: Limit = 100, offset: Offset = 0,
                       format: Format = None, via_heading: ViaHeading = True) -> Response:
    name = article_notation(f"{treaty}/{article}")
    iri = str(identifiers.provision_uri(name))
    label = await _english_label(server, str(identifiers.provision_uri(name.split("(")[0])))
    if label is None:
        raise RefusedError(404, f"{name} is not an article in the registry")
    about = {"article": {"notation": name, "uri": iri, "label": label,
                         "treaty": treaty_of(name)}}
    items, total = await article_listing(server, name, limit, offset, via_heading)
    return await page(request, items, limit, offset, format, PARAGRAPH_COLUMNS, total,
                      **about)


async def article_listing(server: Server, name: str, limit: int, offset: int,
                          via_heading: bool = True) -> tuple[list[Item], int | Counter]:
    """A page of the paragraphs that concern the article ``name`` (``CAT/23``), one more
    than ``limit`` (as :func:`~rightsgraph.api.listing.page` reads it), with their total or
    what counts them: by the full-text index (:func:`_index_page`), else by the store.  The
    listing of ``/api/articles/...`` and of the article's HTML page."""
    found = await _index_page(server, {}, limit, offset, name, via_heading=via_heading)
    if found is not None:
        return found
    pattern = article_pattern(name, via_heading=via_heading,
                              provisions=await provisions_below(server, name))
    return (await paragraphs_in_store(server, [pattern], limit, offset),
            lambda: _count_paragraphs(server, [pattern]))


def treaty_of(notation: str) -> dict[str, str | None]:
    """The treaty of an article notation, with its English name from the registry (the
    registries give no article titles: an article is named by its treaty and number)."""
    code = notation.split("/", 1)[0]
    treaty = registries.load().treaties.get(code)
    return {"notation": code, "name": treaty.names.get("en") if treaty else None}


async def _english_label(server: Server, iri: str) -> str | None:
    """The registry entry's English ``skos:prefLabel``; ``None`` if there is none."""
    rows = await _rows(server, sp.bind("""SELECT ?label WHERE { ?entry skos:prefLabel ?label .
        FILTER (LANG(?label) = "en") } LIMIT 1""", entry=sp.iri(iri)))
    return rows[0]["label"] if rows else None


@router.get("/sdg/{target}", summary="One SDG target's page",
            description="The target (UN label and URI) and every paragraph whose text refers "
                        "to it (`items`); apart, `uhri`: the paragraphs OHCHR's Universal "
                        "Human Rights Index tags with it (its labels, not read in the text).")
async def sdg_page(request: Request, server: ServerDep,
                   target: Annotated[str, Path(description="the SDG target's number",
                                               openapi_examples={"16.9": {"value": "16.9"}})],
                   limit: Limit = 100,
                   offset: Offset = 0, format: Format = None) -> Response:
    iri = str(identifiers.sdg_uri(notation(target, "SDG target")))
    label = await _english_label(server, iri)
    if label is None:
        raise RefusedError(404, f"{target} is not an SDG target")
    tagged = await paragraphs_in_store(
        server, [f"?para ^hro:annotates/hro:uhriSdg {sp.iri(iri)} ."], limit, offset)
    about = {"target": {"notation": target, "uri": iri, "label": label},
             "uhri": tagged[:limit]}
    items, total = await link_listing(server, "sdg", facet_table.notation(iri) or target,
                                      limit, offset)
    return await page(request, items, limit, offset, format, PARAGRAPH_COLUMNS, total,
                      **about)


CHAIN_RELATIONS = ("reiterates", "recalls", "notesNonImplementationOf", "citesRecommendation",
                   "reiteratesTransitively")
CHAIN_COLUMNS = ["direction", "document", "cycle", "number", "relations", "uri", "page"]


@router.get("/chain", summary="A recommendation's reiteration chain",
            description="Given a paragraph (its URI, its path on this server, or `document` "
                        "and `number`), its earlier versions (what it reiterates, recalls or "
                        "cites, across cycles) and its later versions (the paragraphs that "
                        "cite it): one item per paragraph with all its `relations`, ordered by "
                        "the reporting cycle of its document, then by number.")
async def chain(
    request: Request,
    server: ServerDep,
    uri: Annotated[str | None, _described(
        "the paragraph's URI, or its path on this server (the `page` of an item)",
        "https://rightsgraph.org/doc/CMW/C/AZE/CO/3/para/16")] = None,
    document: Annotated[str | None, _described(
        "the paragraph's document by its UN symbol (with number, instead of uri)",
        "CMW/C/AZE/CO/3")] = None,
    number: Annotated[int | None, Query(description="the paragraph's number (with document)",
                                        openapi_examples={"16": {"value": 16}})] = None,
    format: Format = None,
) -> Response:
    if uri is None:
        if not document or number is None:
            raise RefusedError(400, "give uri, or document and number",
                               hint="uri=https://rightsgraph.org/doc/CMW/C/AZE/CO/3/para/16 or "
                               "document=CMW/C/AZE/CO/3&number=16")
        uri = str(identifiers.paragraph_uri(notation(document.strip(), "document"), number))
    elif uri.startswith("/"):  # a page link of this server, given back
        uri = server.base + uri[1:]
    if not sp.safe_iri(uri):
        raise RefusedError(400, f"{uri!r} is not a paragraph URI",
                           hint="give a paragraph's URI, such as "
                           "https://rightsgraph.org/doc/CMW/C/AZE/CO/3/para/16")
    paragraph = sp.iri(uri)
    relations = ", ".join(f"hro:{name}" for name in CHAIN_RELATIONS)

    async def related(pattern: str, direction: str) -> list[Item]:
        rows = await _rows(server, sp.bind(f"""SELECT ?p ?symbol ?number
            (GROUP_CONCAT(DISTINCT STRAFTER(STR(?relation), "#"); separator="|") AS ?relations)
            WHERE {{
            {pattern} FILTER (?relation IN ({relations}))
            OPTIONAL {{ ?p dcterms:isPartOf ?d . ?d dcterms:identifier ?symbol }}
            OPTIONAL {{ ?p hro:number ?number }} }} GROUP BY ?p ?symbol ?number""",
            paragraph=paragraph))
        items = []
        for r in rows:
            symbol = r["symbol"] or _symbol_of(r["p"] or "")
            items.append({
                "direction": direction, "document": symbol, "cycle": _cycle(symbol),
                "number": _number(r["number"], r["p"] or ""),
                "relations": sorted((r["relations"] or "").split("|")),
                "uri": r["p"], "page": _local(server, r["p"])})
        return sorted(items, key=lambda item: (item["cycle"] is None, item["cycle"] or 0,
                                               item["document"] or "", item["number"] or 0))

    earlier = await related("?paragraph ?relation ?p .", "earlier")
    later = await related("?p ?relation ?paragraph .", "later")
    if not earlier and not later and not await server.ask(sp.bind(
            "ASK { ?paragraph hro:number ?n }", paragraph=paragraph)):
        raise RefusedError(404, f"no paragraph <{uri}> in the store",
                           hint=await _paragraph_range(server, uri))
    if output_format(request, format) == "csv":
        return csv_response(earlier + later, CHAIN_COLUMNS)
    return JSONResponse({"paragraph": uri, "earlier": earlier, "later": later})


def _symbol_of(uri: str) -> str | None:
    """The document symbol in a paragraph URI (``…/doc/CMW/C/AZE/CO/2/para/13``)."""
    path = uri.partition("/doc/")[2]
    return path.rpartition("/para/")[0] or None


def _cycle(symbol: str | None) -> int | None:
    """The (first) report number of a document symbol: its reporting cycle."""
    if not symbol:
        return None
    numbers = identifiers.parse_symbol(symbol).get("report_numbers") or []
    return numbers[0] if numbers else None


def _number(value: str | None, uri: str) -> int | None:
    text = value or uri.rpartition("/para/")[2]
    return int(text) if text.isdigit() else None


async def _paragraph_range(server: Server, uri: str) -> str | None:
    """``CMW/C/AZE/CO/3 has paragraphs 1 to 66`` when the document is held."""
    symbol = _symbol_of(uri)
    if not symbol:
        return None
    rows = await _rows(server, sp.bind("""SELECT (MIN(?n) AS ?first) (MAX(?n) AS ?last) WHERE {
        ?doc dcterms:identifier ?symbol ; hro:hasParagraph ?p . ?p hro:number ?n }""",
        symbol=sp.literal(symbol)))
    if not rows or rows[0].get("first") is None:
        return f"{symbol} is not held here; the documents held are listed at /api/documents"
    return f"{symbol} has paragraphs {rows[0]['first']} to {rows[0]['last']}"


@router.get("/links", summary="The links table",
            description="The links found in the text (document, section, paragraph, item, "
                        "relation, target), for one document or all, as JSON like every "
                        "listing; with `format=csv` (or `Accept: text/csv`) the same CSV as "
                        "`rightsgraph extract --format csv`.")
async def links(request: Request, server: ServerDep, document: DocumentParam = None,
                format: Format = None,
                limit: Annotated[int, Query(ge=1, le=100000, description="rows (1 to 100000)",
                                            openapi_examples={"1000": {"value": 1000}})
                                 ] = 100000,
                offset: Offset = 0) -> Response:
    restrict, dataset = "", ""
    if document:
        # one document: the query reads only its graphs (one per language version held)
        restrict = f"?doc dcterms:identifier {sp.literal(document)} ."
        graphs = await document_dataset(server, restrict)
        if graphs is None:
            return await page(request, [], limit, offset, format, list(LINK_COLUMNS), 0)
        dataset = graphs
    scored = ", ".join(sp.literal(kind) for kind in SCORED)
    mentions = f"""{{
          ?doc hro:languageVersion ?v ; dcterms:identifier ?document .
          {restrict}
          ?m hro:inLanguageVersion ?v ; hro:linkKind ?relation ; hro:notation ?target .
          FILTER (?relation IN ({scored}))
          ?owner hro:mention ?m . }}"""
    rows = await _rows(server, f"""
        SELECT DISTINCT ?document ?section ?paragraph ?item ?relation ?target ?order ?m
        {dataset} WHERE {{
          ?doc hro:languageVersion ?v ; dcterms:identifier ?document .
          {restrict}
          ?m hro:inLanguageVersion ?v ; hro:linkKind ?relation ; hro:notation ?target .
          FILTER (?relation IN ({scored}))
          ?owner hro:mention ?m .
          OPTIONAL {{ ?owner hro:number ?paragraph }}
          OPTIONAL {{ ?owner a hro:Section ; hro:label ?ownLabel }}
          OPTIONAL {{ ?owner hro:inSection ?parent . ?parent hro:label ?parentLabel }}
          BIND(COALESCE(?ownLabel, ?parentLabel) AS ?section)
          OPTIONAL {{ ?m hro:inSubItem ?i . ?i hro:label ?item }}
          BIND(xsd:integer(STRAFTER(STR(?m), "/mention/")) AS ?order)
        }} ORDER BY ?document ?order LIMIT {sp.integer(limit + 1)} OFFSET {sp.integer(offset)}""")
    items = [{column: r.get(column) or "" for column in LINK_COLUMNS} for r in rows]
    return await page(request, items, limit, offset, format, list(LINK_COLUMNS),
                      lambda: count(server, distinct_count("?m", mentions, dataset)))
