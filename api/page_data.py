"""What the HTML pages show, read from the store with SPARQL.

Each function returns plain dictionaries and lists for one page's template; nothing here
writes HTML.  Every IRI put into a query goes through :mod:`rightsgraph.core.sparql` (an IRI
that cannot be one answers 404).
"""
from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal, TypedDict

from rightsgraph.api.filters import document_dataset
from rightsgraph.api.jsonld import CONTEXT_PREFIXES
from rightsgraph.api.listing import from_index
from rightsgraph.api.protocol import RefusedError
from rightsgraph.core import identifiers
from rightsgraph.core import sparql as sp
from rightsgraph.core.languages import LANGUAGES
from rightsgraph.core.languages import NAMES as LANGUAGE_NAMES
from rightsgraph.core.links import KINDS as LINK_KINDS
from rightsgraph.core.namespaces import HRO_IRI
from rightsgraph.graph.dataset import stored_query
from rightsgraph.graph.search import aggregate

KINDS = {"Recommendation": "recommendation", "Concern": "concern",
         "PositiveAspect": "positive aspect"}
EARLIER = {"reiterates": "reiterates", "recalls": "recalls",
           "notesNonImplementationOf": "notes non-implementation of",
           "citesRecommendation": "cites"}
LATER = {"isReiteratedBy": "reiterated by", "isRecalledBy": "recalled by",
         "nonImplementationNotedBy": "non-implementation noted by",
         "isCitedAsRecommendationBy": "cited by"}


def _v(row: dict, name: str) -> str | None:
    term = row.get(name)
    return None if term is None else term["value"]


def _s(row: dict, name: str) -> str:
    """The value of ``name`` in ``row``, or an empty string when it is unbound."""
    return _v(row, name) or ""


def _bound(row: dict, name: str) -> str:
    """The value of a variable the query always binds (outside ``OPTIONAL``)."""
    return row[name]["value"]


def pick(texts: dict[str, str], preferred: str = "en") -> tuple[str, str]:
    """The (language, text) to show from ``{language: text}``: ``preferred`` if held, then
    English, then the first UN language, then anything."""
    for lang in (preferred, "en", *LANGUAGES):
        if lang in texts:
            return lang, texts[lang]
    lang = next(iter(texts), "")
    return lang, texts.get(lang, "")


def language_order(langs) -> list[str]:
    return sorted(langs, key=lambda x: (LANGUAGES.index(x) if x in LANGUAGES else 99, x))


def kinds_of(types) -> list[str]:
    return [KINDS[t.rsplit("#", 1)[-1]] for t in sorted(types)
            if t.startswith(HRO_IRI) and t.rsplit("#", 1)[-1] in KINDS]


def paragraph_name(server, iri: str) -> str:
    """``CMW/C/AZE/CO/2 ¶11`` for a paragraph URI (also one the store holds no text for),
    from the URI scheme of :mod:`rightsgraph.core.identifiers`."""
    path = iri[len(server.base):] if iri.startswith(server.base) else iri
    if path.startswith("doc/") and "/para/" in path:
        symbol, number = path[4:].split("/para/", 1)
        return f"{symbol} ¶{number.replace('/', ' ')}"
    return path.removeprefix("doc/")


_PARTS = {"section": "section {}", "fn": "footnote {}", "mention": "mention {}",
          "item": "item {}"}


def display_name(server, iri: str) -> str:
    """A readable name for an IRI that has no label: a paragraph as ``CMW/C/AZE/CO/2 ¶11``,
    a language version as ``CMW/C/AZE/CO/3 (zh)``, a section, footnote or mention by its
    document, an ontology or vocabulary term by its prefixed name (``dcterms:identifier``),
    anything else as itself."""
    for prefix, namespace in CONTEXT_PREFIXES.items():
        if iri.startswith(namespace) and len(iri) > len(namespace):
            return f"{prefix}:{iri[len(namespace):]}"
    if not iri.startswith(server.base + "doc/"):
        return iri
    path = iri[len(server.base) + 4:]
    if "/para/" in path:
        return paragraph_name(server, iri)
    parts = path.split("/")
    for at, part in enumerate(parts):
        if part in LANGUAGES and at > 1:
            rest = parts[at + 1:]
            name = f"{'/'.join(parts[:at])} ({part})"
            if len(rest) == 2 and rest[0] in _PARTS:
                return f"{name} {_PARTS[rest[0]].format(rest[1])}"
            return name if not rest else f"{name} {'/'.join(rest)}"
        if part in _PARTS and at > 1 and at == len(parts) - 2:
            return f"{'/'.join(parts[:at])} {_PARTS[part].format(parts[at + 1])}"
    return path


def natural_key(text: str) -> tuple:
    """Sorts ``¶9`` before ``¶44`` and ``CO/2`` before ``CO/10``: digits as numbers."""
    return tuple((0, int(piece), "") if piece.isdigit() else (1, 0, piece.lower())
                 for piece in re.split(r"(\d+)", text) if piece)


@dataclass
class Labels:
    """Display labels for IRIs: ``skos:prefLabel`` (English first), ``dcterms:identifier``,
    ``rdfs:label`` or a section's ``hro:label``."""

    by_iri: dict[str, dict[str, str]] = field(default_factory=dict)
    fallback: Callable[[str], str] = str

    def __call__(self, iri: str, lang: str = "en") -> str:
        texts = self.by_iri.get(iri)
        return pick(texts, lang)[1] if texts else self.fallback(iri)

    def all(self, iri: str) -> dict[str, str]:
        return self.by_iri.get(iri, {})


async def labels(server, iris) -> Labels:
    """The labels of ``iris``, each read from the store once a minute at most (a page
    labels the same registry entries as the last: States, articles, SDG targets)."""
    wanted = sorted({i for i in iris if i})
    known: dict[str, dict[str, str]] = await server.cached("labels", _no_labels)
    if len(known) + len(wanted) > LABELS_HELD:
        known.clear()
    missing = [iri for iri in wanted if iri not in known]
    found: dict[str, dict[str, str]] = {iri: {} for iri in missing}
    for start in range(0, len(missing), 200):
        # in a stated order (prefLabel first, then by language), so that every store gives
        # the same label where an IRI has several in one language
        rows = await server.select(f"""SELECT DISTINCT ?x ?label ?rank WHERE {{
            {sp.values("x", missing[start:start + 200])}
            {{ ?x skos:prefLabel ?label BIND(1 AS ?rank) }}
            UNION {{ ?x dcterms:identifier ?label BIND(2 AS ?rank) }}
            UNION {{ ?x rdfs:label ?label BIND(3 AS ?rank) }} }}
            ORDER BY ?x ?rank LANG(?label) STR(?label)""")
        for row in rows:
            term = row["label"]
            found[row["x"]["value"]].setdefault(term.get("xml:lang", ""), term["value"])
    known.update(found)
    return Labels({iri: known[iri] for iri in wanted if known.get(iri)},
                  fallback=lambda iri: display_name(server, iri))


LABELS_HELD = 100_000  # IRIs whose labels the server keeps (see labels)


async def _no_labels() -> dict[str, dict[str, str]]:
    return {}


async def types_of(server, iri: str) -> set[str]:
    rows = await server.select(sp.bind("SELECT DISTINCT ?t WHERE { ?this a ?t }",
                                       this=sp.iri(iri)))
    return {r["t"]["value"] for r in rows}


# --- search -------------------------------------------------------------------------------

async def filter_choices(server) -> dict[str, list[dict]]:
    """States and committees that documents in the store are addressed to or come from,
    with their English registry labels (read once a minute: every search page shows them,
    and reading them costs as many rows as the store has documents)."""
    return await server.cached("filter_choices", lambda: _filter_choices(server))


async def _filter_choices(server) -> dict[str, list[dict]]:
    choices = {}
    for key, prop in (("states", "hro:stateParty"), ("committees", "hro:committee")):
        # the distinct values first (one row per document version), then their labels; a
        # join, not FILTER EXISTS, which Virtuoso drops from a subquery (it listed them all)
        rows = await server.select(f"""SELECT ?x ?notation ?label WHERE {{
            {{ SELECT DISTINCT ?x WHERE {{ ?doc {prop} ?x ; hro:languageVersion ?v . }} }}
            ?x skos:notation ?notation . FILTER (DATATYPE(?notation) = xsd:string)
            OPTIONAL {{ ?x skos:prefLabel ?label . FILTER (LANG(?label) = "en") }}
            }} ORDER BY ?label""")
        seen: dict[str, str] = {}
        for r in rows:
            seen.setdefault(_bound(r, "notation"), _v(r, "label") or _bound(r, "notation"))
        choices[key] = [{"value": k, "label": v} for k, v in sorted(seen.items(),
                                                                    key=lambda kv: kv[1])]
    return choices


async def states_of(server, paragraphs: list[str]) -> dict[str, str]:
    """The State party of each paragraph's document (paragraph -> State), where it has
    one."""
    if not paragraphs:
        return {}
    rows = await server.select(f"""SELECT DISTINCT ?para ?state WHERE {{
        {sp.values('para', sorted(set(paragraphs)))}
        ?para dcterms:isPartOf ?doc . ?doc hro:stateParty ?state }}""")
    return {_bound(r, "para"): _bound(r, "state") for r in rows}


async def _types_of_many(server, iris: list[str]) -> dict[str, set[str]]:
    if not iris:
        return {}
    rows = await server.select(
        f"SELECT DISTINCT ?x ?t WHERE {{ {sp.values('x', iris)} ?x a ?t }}")
    found: dict[str, set[str]] = defaultdict(set)
    for r in rows:
        found[_bound(r, "x")].add(_bound(r, "t"))
    return found


# --- document -----------------------------------------------------------------------------

DOCUMENT_FIELDS = (
    ("committee", "hro:committee"), ("treaty", "hro:treaty"), ("state", "hro:stateParty"),
    ("session", "hro:session"), ("session_start", "hro:sessionStart"),
    ("session_end", "hro:sessionEnd"), ("considered_on", "hro:consideredOn"),
    ("considered_at_meeting", "hro:consideredAtMeeting"), ("adopted_on", "hro:adoptedOn"),
    ("adopted_at_meeting", "hro:adoptedAtMeeting"), ("report_number", "hro:reportNumber"),
    ("state_party_report", "hro:statePartyReport"), ("list_of_issues", "hro:listOfIssues"),
    ("summary_record", "hro:summaryRecord"), ("previous", "hro:previousObservations"),
    ("follow_up", "hro:followUpParagraph"), ("follow_up_deadline", "hro:followUpDeadline"),
    ("next_report_number", "hro:nextReportNumber"), ("next_report_due", "hro:nextReportDue"),
    ("original_language", "hro:originalLanguage"), ("undocs", "rdfs:seeAlso"),
)


async def _values(server, iri: str, fields) -> dict[str, list[str]]:
    """``{name: values}`` of ``iri``'s properties; ``fields`` are ``(name, prefixed
    property)`` pairs written in this module.  A property path (``a/b``: a chain the store
    does not materialise) is followed from ``iri`` in a branch of its own, as ``VALUES``
    only holds properties."""
    values = " ".join(f"({sp.literal(name)} {prop})" for name, prop in fields
                      if "/" not in prop)
    paths = "".join(f" UNION {{ ?this {prop} ?o . BIND({sp.literal(name)} AS ?name) }}"
                    for name, prop in fields if "/" in prop)
    rows = await server.select(sp.bind(f"""SELECT DISTINCT ?name ?o WHERE {{
        {{ VALUES (?name ?p) {{ {values} }} ?this ?p ?o }}{paths} }}""", this=sp.iri(iri)))
    found: dict[str, list[str]] = defaultdict(list)
    for r in rows:
        found[_bound(r, "name")].append(_bound(r, "o"))
    for name in found:
        found[name].sort(key=lambda v: (len(v), v))
    return found


class Version(TypedDict):
    """A language version as the pages show it."""

    iri: str
    lang: str
    source: str | None
    extractor: str | None
    extracted_at: str | None
    undocs: str | None


async def language_versions(server, work: str) -> list[Version]:
    rows = await server.select(sp.bind("""SELECT DISTINCT ?v ?lang ?source ?agent ?when ?undocs
        WHERE {
        ?work hro:languageVersion ?v . ?v dcterms:language ?lang .
        OPTIONAL { ?v dcterms:source ?source }
        OPTIONAL { ?v rdfs:seeAlso ?undocs }
        OPTIONAL { ?v prov:wasGeneratedBy ?act .
                   OPTIONAL { ?act prov:startedAtTime ?when }
                   OPTIONAL { ?act prov:wasAssociatedWith ?agent } }
        }""", work=sp.iri(work)))
    agents = await labels(server, [_v(r, "agent") for r in rows])
    versions: dict[str, Version] = {}
    for r in rows:
        versions.setdefault(_bound(r, "lang"), {
            "iri": _bound(r, "v"), "lang": _bound(r, "lang"), "source": _v(r, "source"),
            "extractor": agents(_bound(r, "agent")) if r.get("agent") else None,
            "extracted_at": _v(r, "when"),
            "undocs": _v(r, "undocs")})
    return [versions[lang] for lang in language_order(versions)]


async def document(server, iri: str, lang: str | None) -> dict:
    meta = await _values(server, iri, DOCUMENT_FIELDS + (("symbol", "dcterms:identifier"),))
    versions = await language_versions(server, iri)
    held = [v["lang"] for v in versions]
    shown = lang if lang is not None and lang in held else pick(dict.fromkeys(held, ""), "en")[0]
    rows = await server.select(sp.bind("""SELECT DISTINCT ?para ?number ?text ?section WHERE {
        ?doc hro:hasParagraph ?para . ?para hro:number ?number .
        OPTIONAL { ?para hro:text ?text . FILTER (LANG(?text) = ?shown) }
        OPTIONAL { ?para hro:inSection ?section } } ORDER BY ?number""",
        doc=sp.iri(iri), shown=sp.literal(shown)))
    sections = await _sections(server, iri, shown)
    types = await _types_of_many(server, [_bound(r, "para") for r in rows])
    blocks, shown_sections = [], set()
    for r in rows:
        chain, section = [], _v(r, "section")
        while section and section not in shown_sections and section in sections:
            chain.append(section)
            shown_sections.add(section)
            section = sections[section]["parent"]
        for s in reversed(chain):
            blocks.append({"section": sections[s]})
        blocks.append({"paragraph": {"iri": _bound(r, "para"), "number": int(_bound(r, "number")),
                                     "text": _v(r, "text") or "",
                                     "kinds": kinds_of(types.get(_bound(r, "para"), ()))}})
    linked = [x for name in ("committee", "treaty", "state", "previous", "state_party_report",
                             "list_of_issues", "summary_record") for x in meta.get(name, [])]
    for name in ("state_party_report", "list_of_issues", "summary_record", "previous"):
        meta.get(name, []).sort(key=lambda x: natural_key(display_name(server, x)))
    return {"iri": iri, "meta": meta, "versions": versions, "lang": shown, "blocks": blocks,
            "asked": lang, "labels": await labels(server, linked)}


async def _sections(server, doc: str, lang: str) -> dict[str, dict]:
    rows = await server.select(sp.bind("""SELECT DISTINCT ?s ?label ?heading ?parent WHERE {
        ?doc hro:hasSection ?s . ?s hro:label ?label .
        OPTIONAL { ?s hro:heading ?heading . FILTER (LANG(?heading) = ?lang) }
        OPTIONAL { ?s hro:inSection ?parent } }""", doc=sp.iri(doc), lang=sp.literal(lang)))
    sections = {}
    for r in rows:
        label = _bound(r, "label")
        sections[_bound(r, "s")] = {"iri": _bound(r, "s"), "label": label,
                                    "heading": _v(r, "heading"), "parent": _v(r, "parent"),
                                    "depth": label.count(".") + label.count("/")}
    return sections


# --- paragraph ----------------------------------------------------------------------------

LISTED = tuple(k for k in LINK_KINDS.values() if k.property is not None and not k.relations)
"""The link kinds a paragraph's page lists by target, one section each (earlier
recommendations, the kind with sub-relations, have sections of their own)."""
PARAGRAPH_LINKS = tuple((str(k.name), sp.iri(str(k.property))) for k in LISTED) + (
    ("inherited", "hro:withinSection/hro:concernsArticle"), ("section", "hro:inSection"),
    ("part_of", "dcterms:isPartOf"), ("number", "hro:number"),
    ("transitive", "hro:reiteratesTransitively"),
    ("transitive_later", "hro:isReiteratedTransitivelyBy"),
) + tuple((f"earlier:{k}", f"hro:{k}") for k in EARLIER) \
  + tuple((f"later:{k}", f"hro:{k}") for k in LATER)


def _most_specific(server, links: dict, prefix: str, relations: dict[str, str]) -> list[dict]:
    """One entry per linked paragraph, under its most specific relation: the inferred
    super-property (cites) only where nothing more specific is stated."""
    seen: set[str] = set()
    out = []
    for key, label in relations.items():  # most specific first
        for target in links.get(f"{prefix}:{key}", []):
            if target not in seen:
                seen.add(target)
                out.append({"iri": target, "relation": label,
                            "name": paragraph_name(server, target)})
    return out


async def texts(server, iri: str) -> dict[str, str]:
    rows = await server.select(sp.bind("SELECT DISTINCT ?t WHERE { ?this hro:text ?t }",
                                       this=sp.iri(iri)))
    return {r["t"].get("xml:lang", ""): r["t"]["value"] for r in rows}


async def paragraph(server, iri: str) -> dict:
    links = await _values(server, iri, PARAGRAPH_LINKS)
    doc = links["part_of"][0]
    text = await texts(server, iri)
    versions = await language_versions(server, doc)
    this = sp.iri(iri)
    item_rows = await server.select(sp.bind("""SELECT DISTINCT ?item ?label ?text WHERE {
        ?this hro:hasSubItem ?item . ?item hro:label ?label .
        OPTIONAL { ?item hro:text ?text } } ORDER BY ?label""", this=this))
    items: dict[str, dict] = {}
    for r in item_rows:
        item = items.setdefault(_bound(r, "item"), {"iri": _bound(r, "item"),
                                                    "label": _v(r, "label"), "texts": {}})
        if r.get("text"):
            item["texts"][r["text"].get("xml:lang", "")] = r["text"]["value"]
    footnote_rows = await server.select(sp.bind("""SELECT DISTINCT ?fn ?text WHERE {
        ?this hro:hasFootnote ?fn . ?fn hro:text ?text } ORDER BY ?fn""", this=this))
    footnotes = [{"iri": _v(r, "fn"), "lang": r["text"].get("xml:lang", ""),
                  "text": _v(r, "text")} for r in footnote_rows]
    earlier = _most_specific(server, links, "earlier", EARLIER)
    later = _most_specific(server, links, "later", LATER)
    chain = {"earlier": [{"iri": t, "name": paragraph_name(server, t)}
                         for t in links.get("transitive", [])],
             "later": [{"iri": t, "name": paragraph_name(server, t)}
                       for t in links.get("transitive_later", [])]}
    section_chain = await _section_chain(server, links.get("section", [None])[0])
    linked = [x for name in [*(str(k.name) for k in LISTED), "inherited"]
              for x in links.get(name, [])]
    see_also = await _see_also(server, linked)
    uhri = await uhri_labels(server, iri)
    linked += [t for record in uhri for t in record["sdgs"]]
    return {
        "iri": iri, "document": doc, "number": links["number"][0],
        "symbol": (await _values(server, doc, (("symbol", "dcterms:identifier"),)))["symbol"][0],
        "kinds": kinds_of(await types_of(server, iri)),
        "texts": text, "versions": versions, "items": list(items.values()),
        "layout": {lang: split_items(value, lang, list(items.values()))
                   for lang, value in text.items()},
        "follow_up": await follow_up(server, doc, iri),
        "footnotes": footnotes, "links": links, "earlier": earlier, "later": later,
        "chain": chain, "sections": section_chain, "see_also": see_also,
        "headings": {str(k.name): k.labels["en"] for k in LISTED},
        "mentions": await mentions(server, iri, versions),
        "labels": await labels(server, linked + [doc]), "uhri": uhri,
    }


def split_items(text: str, lang: str, items: list[dict]) -> dict:
    """A paragraph's text in ``lang`` laid out so that its sub-items show once: the
    ``lead`` before the first sub-item, each sub-item (``iri``, ``label``, ``text``) in the
    order the text gives them, and the ``tail`` after the last.  The paragraph's text holds
    its sub-items' texts; a sub-item found inside the one before it (``c.i`` in ``c``) is
    shown there.  When a sub-item's text is not found in the paragraph's, the whole text is
    the lead and the sub-items held in ``lang`` follow it."""
    spans = []
    for item in items:
        value = item["texts"].get(lang)
        if not value:
            continue
        start = text.find(value)
        if start < 0:
            return {"lead": text, "tail": "", "items": [
                {"iri": i["iri"], "label": i["label"], "text": i["texts"][lang]}
                for i in items if i["texts"].get(lang) and i["texts"][lang] not in text]}
        spans.append((start, start + len(value), item))
    shown, end = [], 0
    for start, stop, item in sorted(spans, key=lambda span: (span[0], -span[1])):
        if start >= end:  # not inside the sub-item shown before it
            shown.append({"iri": item["iri"], "label": item["label"], "text": text[start:stop]})
            end = stop
    first = min((start for start, _, _ in spans), default=len(text))
    return {"lead": text[:first].strip(), "items": shown, "tail": text[end:].strip()
            if shown else ""}


FOLLOW_UP_FIELDS = (("selected", "hro:followUpParagraph"), ("deadline", "hro:followUpDeadline"),
                    ("derived", "hro:derivedFollowUpDeadline"), ("within", "hro:followUpWithin"),
                    ("adopted", "hro:adoptedOn"))
_PERIOD = re.compile(r"^P(?:(?P<Y>\d+)Y)?(?:(?P<M>\d+)M)?(?:(?P<W>\d+)W)?(?:(?P<D>\d+)D)?$")
_UNITS = {"Y": "year", "M": "month", "W": "week", "D": "day"}


def period_words(duration: str | None) -> str | None:
    """``P1Y`` -> ``1 year``, ``P18M`` -> ``18 months`` (an xsd:duration of whole years,
    months, weeks or days, as ``hro:followUpWithin`` holds); anything else as it is."""
    match = _PERIOD.match(duration or "")
    if not duration or not match or not any(match.groupdict().values()):
        return duration
    return ", ".join(f"{n} {_UNITS[unit]}{'' if n == '1' else 's'}"
                     for unit, n in match.groupdict().items() if n)


async def follow_up(server, doc: str, iri: str) -> dict:
    """The follow-up procedure as the document states it: whether this paragraph is among
    those the State party is asked to report on (``selected``), by when (``deadline``: as
    printed, or ``derived`` from a period after the adoption, ``within``) and the
    document's other follow-up paragraphs (``others``, by number)."""
    values = await _values(server, doc, FOLLOW_UP_FIELDS)
    derived = values.get("derived", [None])[0]
    printed = [d for d in values.get("deadline", []) if d != derived]
    others = [(p.rpartition("/para/")[2], p) for p in values.get("selected", []) if p != iri]
    return {"selected": iri in values.get("selected", []),
            "deadline": printed[0] if printed else derived,
            "derived": derived is not None and not printed,
            "within": period_words(values.get("within", [None])[0]),
            "adopted": values.get("adopted", [None])[0],
            "others": [{"iri": p, "number": n} for n, p in sorted(
                others, key=lambda pair: (len(pair[0]), pair[0]))]}


UHRI_LABELS = {"hro:uhriTheme": "themes", "hro:uhriAffectedPersons": "affected",
               "hro:uhriSdg": "sdgs"}


async def uhri_labels(server, iri: str) -> list[dict]:
    """OHCHR's UHRI labels of a paragraph (``rightsgraph labels uhri``), one entry per record:
    its id, type, date and export date, themes and affected persons (concept, English label)
    and SDG tags.  Kept apart from the links read in the text."""
    rows = await server.select(sp.bind("""SELECT ?a ?id ?type ?issued ?export ?rel ?value ?label
        WHERE { ?a hro:annotates ?this ; dcterms:identifier ?id .
        OPTIONAL { ?a hro:uhriAnnotationType ?type } OPTIONAL { ?a dcterms:issued ?issued }
        OPTIONAL { ?a prov:wasDerivedFrom ?e . ?e dcterms:date ?export }
        OPTIONAL { VALUES ?rel { hro:uhriTheme hro:uhriAffectedPersons hro:uhriSdg }
                   ?a ?rel ?value
                   OPTIONAL { ?value skos:prefLabel ?label } } }
        ORDER BY ?id ?label""", this=sp.iri(iri)))
    records: dict[str, dict] = {}
    names = {HRO_IRI + k.removeprefix("hro:"): v for k, v in UHRI_LABELS.items()}
    for r in rows:
        record = records.setdefault(_bound(r, "a"), {
            "iri": _bound(r, "a"), "id": _v(r, "id"), "type": _v(r, "type"),
            "issued": _v(r, "issued"), "export": _v(r, "export"),
            "themes": {}, "affected": {}, "sdgs": []})
        name, value = names.get(_v(r, "rel") or ""), _v(r, "value")
        if name == "sdgs":
            if value not in record["sdgs"]:
                record["sdgs"].append(value)
        elif name and value:
            label = r.get("label")
            texts = record[name].setdefault(value, {})
            if label:  # a concept may be labelled in several languages (labels uhri)
                texts.setdefault(label.get("xml:lang", ""), label["value"])
    for record in records.values():
        for name in ("themes", "affected"):
            record[name] = {value: pick(texts, "en")[1] if texts else value.rsplit("/", 1)[-1]
                            for value, texts in record[name].items()}
    return list(records.values())


async def _section_chain(server, section: str | None) -> list[dict]:
    chain = []
    while section:
        rows = await server.select(sp.bind("""SELECT DISTINCT ?label ?heading ?parent WHERE {
            ?section hro:label ?label .
            OPTIONAL { ?section hro:heading ?heading }
            OPTIONAL { ?section hro:inSection ?parent } }""", section=sp.iri(section)))
        if not rows:
            break
        headings = {r["heading"].get("xml:lang", ""): r["heading"]["value"]
                    for r in rows if r.get("heading")}
        chain.append({"iri": section, "label": _v(rows[0], "label"), "headings": headings})
        section = _v(rows[0], "parent")
    return list(reversed(chain))


async def _see_also(server, iris: list[str]) -> dict[str, str]:
    if not iris:
        return {}
    rows = await server.select(f"""SELECT DISTINCT ?x ?url WHERE {{
        {sp.values("x", iris)} ?x rdfs:seeAlso ?url }}""")
    return {_bound(r, "x"): _bound(r, "url") for r in rows}


async def mentions(server, iri: str, versions: list[Version]) -> list[dict]:
    """Every mention found in the paragraph, its sub-items and footnotes, in every language
    version: what matched, where, and (from ``versions``, :func:`language_versions`) from
    which file and by which extractor.  The query reads only the document's graphs, and
    what every mention of a version shares is read once, with the versions."""
    dataset = await document_dataset(server, sp.bind("?doc hro:hasParagraph ?this .",
                                                     this=sp.iri(iri)))
    if dataset is None:
        return []
    rows = await server.select(sp.bind("""SELECT DISTINCT ?m ?kind ?notation ?target ?matched
            ?start ?end ?container ?item ?lang """ + dataset + """ WHERE {
        ?this hro:mention ?m .
        ?m hro:linkKind ?kind ; hro:notation ?notation ; hro:matchedText ?matched ;
           hro:inLanguageVersion ?v .
        ?v dcterms:language ?lang .
        OPTIONAL { ?m hro:mentionOf ?target }
        OPTIONAL { ?m hro:spanStart ?start ; hro:spanEnd ?end }
        OPTIONAL { ?m hro:inContainer ?container }
        OPTIONAL { ?m hro:inSubItem ?i . ?i hro:label ?item }
        }""", this=sp.iri(iri)))
    by_lang = {v["lang"]: v for v in versions}

    def of_version(lang: str | None, key: Literal["source", "extractor"]) -> str | None:
        version = by_lang.get(lang) if lang is not None else None
        return version[key] if version is not None else None

    found = [{"iri": _v(r, "m"), "kind": _v(r, "kind"), "notation": _v(r, "notation"),
              "target": _v(r, "target"), "matched": _v(r, "matched"),
              "start": _v(r, "start"), "end": _v(r, "end"),
              "in": "footnote" if "/fn/" in (_v(r, "container") or "") else "paragraph",
              "item": _v(r, "item"), "lang": _v(r, "lang"),
              "source": of_version(_v(r, "lang"), "source"),
              "extractor": of_version(_v(r, "lang"), "extractor")} for r in rows]
    order = {lang: n for n, lang in enumerate(LANGUAGES)}

    def key(m: dict) -> tuple:
        number = m["iri"].rsplit("/", 1)[-1]
        return order.get(m["lang"], 99), int(number) if number.isdigit() else 0

    return sorted(found, key=key)


# --- articles, SDG targets, registry entries ----------------------------------------------

VIA_SECTION = "?section hro:concernsArticle ?target . ?para hro:withinSection ?section ."
"""Paragraphs that inherit an article ``?target`` from a section heading: the chain
``hro:concernsArticleViaSection``, not materialised, looked up from the article (the
sections that state it, then what is within them)."""


async def citing_paragraphs(server, iri: str, prop: str) -> list[dict]:
    """Paragraphs linked to ``iri`` by ``prop`` (a prefixed property or path written in
    this module, or a graph pattern from ``?target`` to ``?para`` such as
    :data:`VIA_SECTION`), across documents and States."""
    link = prop if prop.endswith(" .") else f"?para {prop} ?target ."
    rows = await server.select(sp.bind(f"""SELECT DISTINCT ?para ?symbol ?number ?state ?text
        WHERE {{
        {link} ?para hro:number ?number ; dcterms:isPartOf ?doc .
        ?doc dcterms:identifier ?symbol .
        OPTIONAL {{ ?doc hro:stateParty ?state }}
        OPTIONAL {{ ?para hro:text ?text }} }} ORDER BY ?symbol ?number""", target=sp.iri(iri)))
    found: dict[str, dict] = {}
    for r in rows:
        para = found.setdefault(_bound(r, "para"), {
            "iri": _bound(r, "para"), "symbol": _v(r, "symbol"), "number": int(_bound(r, "number")),
            "state": _v(r, "state"), "texts": {}})
        if r.get("text"):
            para["texts"][r["text"].get("xml:lang", "")] = r["text"]["value"]
    types = await _types_of_many(server, list(found))
    for para in found.values():
        para["kinds"] = kinds_of(types.get(para["iri"], ()))
    return list(found.values())


ENTRY_FIELDS = (("notation", "skos:notation"), ("scheme", "skos:inScheme"),
                ("top", "skos:topConceptOf"), ("broader", "skos:broader"),
                ("related", "skos:related"), ("see_also", "rdfs:seeAlso"),
                ("date", "dcterms:dateAccepted"), ("treaty", "hro:treaty"))


async def registry_entry(server, iri: str, paragraphs: bool = True,
                         uhri: bool | None = None) -> dict:
    """A registry entry (article, SDG target, committee, State, treaty, ILO instrument,
    general comment): its labels in every language, its place in the registry, the
    documents that name it and (with ``paragraphs``) the paragraphs that link to it; an
    article's, an SDG target's, an ILO instrument's and a general comment's page list them
    a page at a time, apart (the researcher API's listing). ``uhri`` (by default as
    ``paragraphs``): the paragraphs OHCHR's UHRI labels with it."""
    fields = await _values(server, iri, ENTRY_FIELDS)
    docs = await server.select(sp.bind("""SELECT DISTINCT ?doc ?symbol WHERE {
        { ?doc hro:committee ?entry } UNION { ?doc hro:stateParty ?entry }
        UNION { ?doc hro:treaty ?entry }
        ?doc hro:languageVersion ?v ; dcterms:identifier ?symbol . } ORDER BY ?symbol""",
        entry=sp.iri(iri)))
    direct: list[dict] = []
    via_section: list[dict] = []
    tagged: list[dict] = []
    if paragraphs:
        direct = await citing_paragraphs(server, iri, "hro:refersTo")
        via_section = await citing_paragraphs(server, iri, VIA_SECTION)
    if paragraphs if uhri is None else uhri:
        tagged = await citing_paragraphs(
            server, iri, "^hro:annotates/(hro:uhriSdg|hro:uhriTheme|hro:uhriAffectedPersons)")
    linked = [x for name in ("scheme", "top", "broader", "related", "treaty")
              for x in fields.get(name, [])]
    states = {p["state"] for p in direct + via_section + tagged if p["state"]}
    found = await labels(server, [iri, *linked, *states])
    return {"iri": iri, "fields": fields, "labels": found,
            "documents": [{"iri": _v(r, "doc"), "symbol": _v(r, "symbol")} for r in docs],
            "paragraphs": direct, "via_section": via_section, "uhri": tagged}


def sdg_iri(target: str) -> str:
    try:
        return str(identifiers.sdg_uri(target))
    except ValueError as err:
        raise RefusedError(404, f"{target!r} is not an SDG target") from err


# --- documents and paragraphs the store only cites ----------------------------------------

ELI_WORK = CONTEXT_PREFIXES["eli"] + "Work"
CITED_FIELDS = (("symbol", "dcterms:identifier"), ("part_of", "dcterms:isPartOf"),
                ("number", "hro:number"), ("committee", "hro:committee"),
                ("state", "hro:stateParty"), ("report_number", "hro:reportNumber"),
                ("undocs", "rdfs:seeAlso"))
IMPLIED = {HRO_IRI + name for name in ("refersTo", "mentionOf", "isPartOf")} | {
    "http://purl.org/dc/terms/isPartOf"}
"""Links into a cited resource that say nothing a more specific one does not (every link is
also ``hro:refersTo``), or that come from a mention (shown with its paragraph)."""
GENERAL = {HRO_IRI + "citesRecommendation": {HRO_IRI + k for k in EARLIER},
           HRO_IRI + "reiteratesTransitively": {HRO_IRI + "reiterates"}}
"""An inferred relation shown only where no more specific one is stated."""


async def is_cited_only(server, iri: str, types: set[str]) -> bool:
    """Whether ``iri`` is a document, or a paragraph of a document, that the store knows only
    because documents it holds cite it (no language version is held)."""
    if HRO_IRI + "Paragraph" in types:
        query = "ASK { ?this dcterms:isPartOf ?doc . ?doc hro:languageVersion ?v }"
    elif ELI_WORK in types or HRO_IRI + "TreatyBodyDocument" in types:
        query = "ASK { ?this hro:languageVersion ?v }"
    elif not types and iri.startswith(server.base + "doc/"):
        # a UN document other than a treaty body's (A/RES/73/195), named by its symbol or
        # by the paragraphs of it that are cited (A/HRC/39/14)
        return await server.ask(sp.bind("""ASK {
            { ?this dcterms:identifier ?id }
            UNION { ?part dcterms:isPartOf ?this ; a hro:Paragraph }
            FILTER NOT EXISTS { ?this hro:languageVersion ?v } }""", this=sp.iri(iri)))
    else:
        return False
    return not await server.ask(sp.bind(query, this=sp.iri(iri)))


async def _citing(server, iri: str, registry_only: bool = False) -> list[dict]:
    """What links to ``iri``: each paragraph or document with its relations (labelled, most
    specific first), in natural order; with ``registry_only``, only what the registries
    say (the scheme, a joint general comment), read in their graph alone."""
    links = "?s ?p ?this . FILTER NOT EXISTS { ?s a hro:Mention }"
    if registry_only:
        links = f"GRAPH {sp.iri(server.base + 'graph/registries')} {{ ?s ?p ?this }}"
    rows = await server.select(sp.bind(f"""SELECT DISTINCT ?s ?p WHERE {{
        {links} }} LIMIT 2000""", this=sp.iri(iri)))
    by_subject: dict[str, set[str]] = defaultdict(set)
    for r in rows:
        if _v(r, "p") not in IMPLIED:
            by_subject[_s(r, "s")].add(_s(r, "p"))
    for relations in by_subject.values():
        for general, specific in GENERAL.items():
            if general in relations and relations & specific:
                relations.discard(general)
    found = await labels(server, [*by_subject, *{p for ps in by_subject.values() for p in ps}])
    citing = [{"iri": s, "name": found(s), "relations": sorted(found(p) for p in ps)}
              for s, ps in by_subject.items() if ps]
    return sorted(citing, key=lambda c: natural_key(c["name"]))


async def cited_only(server, iri: str, types: set[str], citing: bool = True) -> dict:
    """A document or paragraph the store does not hold: what it knows of it (symbol, number,
    committee, State), what cites it (unless ``citing`` is false: then only what the
    registries link to it, for a general comment's page lists the paragraphs citing it a
    page at a time, apart) and where to read it (undocs.org)."""
    fields = await _values(server, iri, CITED_FIELDS)
    document = fields["part_of"][0] if fields.get("part_of") else iri
    if document != iri:
        fields.update({k: v for k, v in (await _values(server, document, CITED_FIELDS)).items()
                       if k not in ("number", "part_of")})
    symbol = fields["symbol"][0] if fields.get("symbol") else display_name(server, document)
    undocs = fields.get("undocs", [None])[0] or identifiers.undocs_url(symbol)
    doc_types = types if document == iri else await types_of(server, document)
    kind = [t for t in doc_types if t.startswith(HRO_IRI) and t != HRO_IRI + "TreatyBodyDocument"]
    paragraphs: list[dict[str, Any]] = []
    if document == iri:
        rows = await server.select(sp.bind("""SELECT DISTINCT ?para WHERE {
            ?para dcterms:isPartOf ?this ; a hro:Paragraph }""", this=sp.iri(iri)))
        paragraphs = [{"iri": _s(r, "para"), "name": paragraph_name(server, _s(r, "para")),
                       "citing": await _citing(server, _s(r, "para"))} for r in rows]
        paragraphs.sort(key=lambda p: natural_key(str(p["name"])))
    cited_by = await _citing(server, iri, registry_only=not citing)
    if citing and not cited_by and not any(p["citing"] for p in paragraphs):
        raise RefusedError(404, f"{iri}: the store neither holds this text nor cites it")
    linked = [*fields.get("committee", []), *fields.get("state", []), *kind]
    found = await labels(server, [iri, *linked])  # a general comment by its registry title
    return {"iri": iri, "document": document, "symbol": symbol,
            "name": found(iri), "number": fields.get("number", [None])[0],
            "undocs": undocs, "fields": fields, "kinds": kind,
            "observations": HRO_IRI + "ConcludingObservations" in doc_types,
            "citing": cited_by, "paragraphs": paragraphs, "labels": found}


# --- the dataset (/void for browsers) and the documents held (home page) -------------------

async def documents_held(server, limit: int) -> dict:
    """How many documents the store holds and the ``limit`` latest adopted: symbol,
    committee, State, year, languages held and number of paragraphs."""
    count = await server.select("""SELECT (COUNT(DISTINCT ?doc) AS ?n) (COUNT(?v) AS ?versions)
        WHERE { ?doc hro:languageVersion ?v }""")
    rows = await server.select(f"""SELECT ?doc ?symbol ?committee ?state ?adopted
            (GROUP_CONCAT(DISTINCT STR(?lang); separator=" ") AS ?languages)
            (COUNT(DISTINCT ?para) AS ?paragraphs) WHERE {{
        {{ SELECT ?doc (MAX(?on) AS ?adopted) WHERE {{
              ?doc hro:languageVersion ?v0 . OPTIONAL {{ ?doc hro:adoptedOn ?on }} }}
           GROUP BY ?doc ORDER BY DESC(?adopted) ?doc LIMIT {sp.integer(limit)} }}
        ?doc dcterms:identifier ?symbol ; hro:languageVersion ?v . ?v dcterms:language ?lang .
        OPTIONAL {{ ?doc hro:committee ?committee }} OPTIONAL {{ ?doc hro:stateParty ?state }}
        OPTIONAL {{ ?doc hro:hasParagraph ?para }}
        }} GROUP BY ?doc ?symbol ?committee ?state ?adopted""")
    found = await labels(server, [x for r in rows for x in (_s(r, "committee"), _s(r, "state"))])
    notations = await _notations(server, [_s(r, "committee") for r in rows if r.get("committee")])
    documents = [{
        "iri": _v(r, "doc"), "symbol": _v(r, "symbol"),
        "committee": _v(r, "committee"), "state": _v(r, "state"),
        "committee_code": notations.get(_v(r, "committee") or "", ""),
        "state_name": found(_s(r, "state")) if r.get("state") else "",
        "year": (_v(r, "adopted") or "")[:4],
        "languages": language_order((_v(r, "languages") or "").split()),
        "paragraphs": int(_v(r, "paragraphs") or 0)} for r in rows]
    documents.sort(key=lambda d: (str(d["year"]) or "0000", natural_key(str(d["symbol"]))),
                   reverse=True)
    return {"total": int(_v(count[0], "n") or 0) if count else 0, "documents": documents,
            "labels": found}


async def _notations(server, iris: list[str]) -> dict[str, str]:
    if not iris:
        return {}
    rows = await server.select(f"""SELECT ?x ?n WHERE {{ {sp.values("x", iris)}
        ?x skos:notation ?n . FILTER (DATATYPE(?n) = xsd:string) }}""")
    return {_s(r, "x"): _s(r, "n") for r in rows}


async def languages_held(server) -> list[dict]:
    """Each language the store holds versions in: code, English name, number of versions."""
    rows = await server.select("""SELECT ?lang (COUNT(DISTINCT ?v) AS ?n) WHERE {
        ?doc hro:languageVersion ?v . ?v dcterms:language ?lang } GROUP BY ?lang""")
    counts = {_s(r, "lang"): int(_s(r, "n") or 0) for r in rows}
    return [{"lang": lang, "name": LANGUAGE_NAMES.get(lang, lang), "versions": counts[lang]}
            for lang in language_order(counts)]


async def dataset(server) -> dict:
    """:func:`dataset_description`: as the build stored it (:func:`stored_numbers`), or
    computed once per snapshot of the store served (it counts every quad and lists every
    graph)."""
    stored = await stored_numbers(server)
    if stored is not None:
        described = stored["description"]
        return {**described, "documents": {**described["documents"], "documents": [],
                                           "labels": await labels(server, [])}}
    return await server.cached(("dataset",), lambda: dataset_description(server))


async def stored_numbers(server) -> dict | None:
    """The dataset's numbers the writer stored (``api/precomputed.py``): what
    :func:`dataset_description` (``description``), ``/api/articles`` (``articles``) and
    the service description (``graphs``) answer, when they are of the store's current
    state; ``None`` otherwise (the callers then count).  One lookup, once per snapshot."""
    async def read() -> dict | None:
        rows = await server.select(stored_query(server.base))
        return json.loads(_s(rows[0], "numbers")) if rows else None
    return await server.cached(("stored numbers",), read)


def storable(description: dict) -> dict:
    """:func:`dataset_description` as JSON (the latest documents and their labels, which it
    does not list, left out)."""
    return {**description, "documents": {"total": description["documents"]["total"]}}


# from their quads: Virtuoso answers GRAPH ?g { } with one row, ?g unbound
GRAPHS_QUERY = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
QUADS_QUERY = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"


async def dataset_description(server) -> dict:
    """What ``/void`` says, for people: documents and languages held, quads, named graphs,
    links per kind, licences stated in the graph, and the :func:`summary` of the dataset
    that ``/api/summary`` gives."""
    kinds = [k for k in LINK_KINDS.values() if k.property is not None]
    numbers = await summary(server)
    licences = await server.select("""SELECT ?thing ?licence (SAMPLE(?t) AS ?title) WHERE {
        ?thing dcterms:license ?licence
        OPTIONAL { ?thing dcterms:title ?t . FILTER (LANG(?t) IN ("en", "")) } }
        GROUP BY ?thing ?licence ORDER BY ?thing""")
    found = await labels(server, [_s(r, "thing") for r in licences])
    documents = await documents_held(server, 0)
    languages = await languages_held(server)
    # the whole store last (the build counts the rest while it writes the recurring graph)
    quads = await server.select(QUADS_QUERY)
    # sorted here: ORDER BY made Oxigraph 0.5 sort every quad (252 s at 1.6 M quads, 1.4 s
    # without it)
    graphs = sorted(await server.select(GRAPHS_QUERY), key=lambda r: _s(r, "g"))
    graph_names = [_s(r, "g") for r in graphs]
    prefix = server.base + "graph/"
    per_document = [g for g in graph_names if g.startswith(prefix)
                    and g.removeprefix(prefix).split("/")[-1] in LANGUAGES]
    return {
        "documents": documents,
        "languages": languages,
        "quads": int(_s(quads[0], "n") or 0) if quads else 0,
        "graphs": len(graph_names), "version_graphs": len(per_document),
        "other_graphs": [g for g in graph_names if g not in set(per_document)],
        "links": [{"kind": str(k.name), "label": k.labels["en"],
                   "count": numbers["links"][str(k.name)]} for k in kinds],
        "summary": numbers,
        "licences": [{"thing": _v(r, "thing"), "name": found(_s(r, "thing")),
                      "title": _v(r, "title"), "licence": _v(r, "licence")}
                     for r in licences]}


# --- the dataset in numbers (/api/summary, /void) -----------------------------------------

def _int(row: dict, name: str) -> int:
    return int(_v(row, name) or 0)


async def summary(server) -> dict:
    """:func:`dataset_numbers`: as the build stored it (:func:`stored_numbers`), or
    computed once per snapshot of the store served."""
    stored = await stored_numbers(server)
    if stored is not None:
        return stored["description"]["summary"]
    return await server.cached(("summary",), lambda: dataset_numbers(server))


async def dataset_numbers(server) -> dict:
    """The dataset in numbers: documents and language versions (per language), first and
    last adoption dates, paragraphs by kind, links read in the text per link kind (each
    paragraph-target pair once) and, apart, the articles a paragraph only inherits from a
    section heading, committees and States with their number of documents, the follow-up
    procedure and OHCHR UHRI labels loaded.  Aggregates over the corpus: each query reads
    only what it counts."""
    documents = (await server.select("""SELECT (COUNT(DISTINCT ?doc) AS ?documents)
        (COUNT(DISTINCT ?v) AS ?versions) (MIN(?adopted) AS ?first) (MAX(?adopted) AS ?last)
        WHERE { ?doc hro:languageVersion ?v . OPTIONAL { ?doc hro:adoptedOn ?adopted } }"""))[0]
    paragraphs = (await server.select("""SELECT (COUNT(DISTINCT ?para) AS ?paragraphs)
        (COUNT(DISTINCT ?text) AS ?texts) (COUNT(DISTINCT ?rec) AS ?recommendations)
        (COUNT(DISTINCT ?concern) AS ?concerns) (COUNT(DISTINCT ?positive) AS ?positive)
        WHERE { GRAPH ?version { ?doc hro:hasParagraph ?para . ?para hro:text ?text .
          OPTIONAL { ?para a hro:Recommendation . BIND(?para AS ?rec) }
          OPTIONAL { ?para a hro:Concern . BIND(?para AS ?concern) }
          OPTIONAL { ?para a hro:PositiveAspect . BIND(?para AS ?positive) } } }"""))[0]
    kinds = [kind for kind in LINK_KINDS.values() if kind.property is not None]
    values = " ".join(f"({sp.literal(str(kind.name))} {sp.iri(str(kind.property))})"
                      for kind in kinds)
    links = await server.select(f"""SELECT ?kind (COUNT(*) AS ?n) WHERE {{
        {{ SELECT DISTINCT ?kind ?para ?target WHERE {{ VALUES (?kind ?p) {{ {values} }}
            ?para ?p ?target . ?para a hro:Paragraph }} }} }} GROUP BY ?kind""")
    per_kind = {_v(r, "kind"): _int(r, "n") for r in links}
    only_via_heading = await _articles_only_via_heading(server, per_kind.get("article", 0))
    follow_up = (await server.select("""SELECT (COUNT(DISTINCT ?doc) AS ?documents)
        (COUNT(DISTINCT ?para) AS ?paragraphs) WHERE {
        ?doc hro:followUpParagraph ?para ; hro:languageVersion ?v }"""))[0]
    uhri = (await server.select("""SELECT (COUNT(DISTINCT ?a) AS ?records)
        (COUNT(DISTINCT ?para) AS ?paragraphs) WHERE { ?a hro:annotates ?para }"""))[0]
    return {
        "documents": _int(documents, "documents"),
        "language_versions": _int(documents, "versions"),
        "languages": {lang["lang"]: lang["versions"] for lang in await languages_held(server)},
        "adopted": {"first": _v(documents, "first"), "last": _v(documents, "last")},
        "paragraphs": _int(paragraphs, "paragraphs"),
        "paragraph_texts": _int(paragraphs, "texts"),
        "recommendations": _int(paragraphs, "recommendations"),
        "concerns": _int(paragraphs, "concerns"), "positive_aspects": _int(paragraphs, "positive"),
        "links": {str(kind.name): per_kind.get(str(kind.name), 0) for kind in kinds},
        "articles_only_via_heading": only_via_heading,
        "committees": await _documents_per(server, "hro:committee"),
        "states": await _documents_per(server, "hro:stateParty"),
        "follow_up": {"documents": _int(follow_up, "documents"),
                      "paragraphs": _int(follow_up, "paragraphs")},
        "uhri": {"records": _int(uhri, "records"), "paragraphs": _int(uhri, "paragraphs")},
    }


async def _articles_only_via_heading(server, cited: int) -> int:
    """The (paragraph, article) pairs a paragraph only inherits from a section heading,
    ``cited`` being those its own text cites: the pairs of the full-text index's
    ``article`` facet (cited or inherited) less ``cited``, a count per article (3.6 s of
    SPARQL at 1.6 M quads, 5 ms this way); asked of the store when there is no index."""
    buckets = await from_index(server, lambda index: aggregate.counts(index, "article"))
    if buckets is not None:
        return sum(bucket.paragraphs for bucket in buckets) - cited
    return await articles_only_via_heading_in_store(server)


async def articles_only_via_heading_in_store(server) -> int:
    """What :func:`_articles_only_via_heading` counts, asked of the store: inherited (a
    section that concerns the article, and what is ``hro:withinSection`` it: the chain
    ``hro:concernsArticleViaSection``, not materialised; distinct pairs, as a paragraph may
    sit in two sections that both cite it) - inherited and cited (a negation per inherited
    link costs seconds: a heading citing "arts. 8-35" gives each paragraph under it 28);
    sections inherit their parents' articles too: a paragraph's URI has /para/."""
    inherited, both = [(await server.select(f"""SELECT (COUNT(*) AS ?n) WHERE {{
        SELECT DISTINCT ?para ?article WHERE {{ {pattern}
          FILTER (CONTAINS(STR(?para), "/para/")) }} }}"""))[0] for pattern in (
        "?section hro:concernsArticle ?article . ?para hro:withinSection ?section .",
        "?section hro:concernsArticle ?article . ?para hro:withinSection ?section ; "
        "hro:concernsArticle ?article .")]
    return _int(inherited, "n") - _int(both, "n")


async def _documents_per(server, prop: str) -> list[dict]:
    """``[{"code", "name", "documents"}]`` for each value of ``prop`` (a prefixed property
    written in this module) among the documents held, most documents first."""
    rows = await server.select(f"""SELECT ?x (COUNT(DISTINCT ?doc) AS ?n) WHERE {{
        ?doc {prop} ?x ; hro:languageVersion ?v }} GROUP BY ?x ORDER BY DESC(?n) ?x""")
    values = [(_v(r, "x") or "", _int(r, "n")) for r in rows if r.get("x")]
    found = await labels(server, [value for value, _ in values])
    return [{"code": value.rsplit("/", 1)[-1], "name": found(value), "documents": n}
            for value, n in values]
