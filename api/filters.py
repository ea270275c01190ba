"""The filters that the web pages and the researcher API share: query parameters (State,
committee, one per link kind with an API filter, flag, language, document) turned into
SPARQL graph patterns over ``?doc``, ``?para`` and ``?text``.  Words go to the full-text
index instead (:mod:`.search`)."""
from __future__ import annotations

import difflib
import inspect
import re
from collections.abc import Awaitable, Callable, Iterable, Mapping
from functools import cache
from typing import Annotated, Literal

from fastapi import Depends, Query

from rightsgraph.api.protocol import RefusedError
from rightsgraph.core import identifiers, registries
from rightsgraph.core import sparql as sp
from rightsgraph.core.languages import LANGUAGES
from rightsgraph.core.links import FILTERS, LinkKind
from rightsgraph.core.uhri import concept_uri

Flag = Literal["recommendation", "concern", "positive"]
FLAGS: dict[str, str] = {  # flag -> hro: class of the paragraphs it selects
    "recommendation": "Recommendation", "concern": "Concern", "positive": "PositiveAspect"}
_SAFE = re.compile(r"^[A-Za-z0-9 ._/()\-#]+$")


def notation(value: str, what: str) -> str:
    """``value`` if it can be a registry notation (``ICRMW/76``, ``C097``); a 400 otherwise."""
    if not _SAFE.match(value):
        raise RefusedError(400, f"{value!r} is not a {what} notation")
    return value


def document_filters(committee: str | None, state: str | None) -> list[str]:
    """Graph patterns restricting ``?doc`` to a committee (CMW) and a State (AZE)."""
    f = []
    if committee:
        committee_iri = identifiers.committee_uri(committee_code(committee))
        f.append(f"?doc hro:committee {sp.iri(committee_iri)} .")
    if state:
        f.append(f"?doc hro:stateParty {sp.iri(identifiers.state_uri(state_code(state)))} .")
    return f


# --- what the user typed -> the registry's notation ----------------------------------------

def _close(value: str, choices: Iterable[str]) -> str | None:
    """``did you mean …?`` naming the choices closest to ``value``, if any is close."""
    found = difflib.get_close_matches(value, list(choices), n=3, cutoff=0.6)
    return f"did you mean {' or '.join(found)}?" if found else None


@cache
def _state_names() -> dict[str, str]:
    """Every name and alias of a State in the six languages, casefolded -> ISO alpha-3."""
    reg = registries.load()
    names = {code.casefold(): code for code in reg.states}
    for language in LANGUAGES:
        names.update((name.casefold(), code) for name, code in reg.state_names(language))
    return names


def state_code(value: str) -> str:
    """The ISO alpha-3 code of a State given by code (aze) or by name in any of the six
    languages (Azerbaijan, Azerbaïdjan, 阿塞拜疆); 404 with the closest names otherwise."""
    text = " ".join(value.split())
    code = _state_names().get(text.casefold())
    if code is None:
        names = registries.load().states
        close = difflib.get_close_matches(text.casefold(), _state_names(), n=3, cutoff=0.7)
        hint = ("did you mean " + " or ".join(
            f"{names[_state_names()[name]].names.get('en', name)} ({_state_names()[name]})"
            for name in close) + "?") if close else (
            "give the ISO 3166-1 alpha-3 code (AZE) or the State's name in English, French, "
            "Spanish, Russian, Chinese or Arabic")
        raise RefusedError(404, f"no State called {value!r} in the registry", hint=hint)
    return code


def committee_code(value: str) -> str:
    """The registry's abbreviation of a treaty body, in any case (cmw -> CMW)."""
    committees = registries.load().committees
    code = value.strip().upper()
    if code not in committees:
        raise RefusedError(404, f"no treaty body called {value!r}",
                           hint=_close(code, committees) or "one of " + ", ".join(committees))
    return code


_ARTICLE = re.compile(r"(?P<treaty>[A-Za-z][A-Za-z0-9-]*)\s*/\s*(?:art(?:icle)?\.?\s*)?"
                      r"(?P<article>\d+)(?P<levels>(?:\([0-9A-Za-z]+\))*)", re.IGNORECASE)


def article_notation(value: str) -> str:
    """The registry's notation of an article (``icrmw/76`` -> ``ICRMW/76``, ``CRC/3(1)``):
    400 when it cannot be read, 404 when the treaty or the article does not exist."""
    match = _ARTICLE.fullmatch(value.strip())
    if not match:
        raise RefusedError(400, f"{value!r} is not an article notation",
                           hint="write TREATY/ARTICLE, such as ICRMW/76 or CRC/3(1)")
    treaties = registries.load().treaties
    treaty = match["treaty"].upper()
    if treaty not in treaties:
        raise RefusedError(404, f"no treaty called {match['treaty']!r} in the registry",
                           hint=_close(treaty, treaties) or "one of " + ", ".join(treaties))
    number = int(match["article"])
    if not treaties[treaty].has_article(number):
        raise RefusedError(404, f"{treaty} has no article {number}",
                           hint=f"{treaty} has articles 1 to {treaties[treaty].articles}")
    return f"{treaty}/{number}{match['levels'].lower()}"


def article_pattern(value: str, *, via_heading: bool = True,
                    provisions: Iterable[str] = ()) -> str:
    """Paragraphs ``?para`` that concern an article or provision: cited in their text, or
    (unless ``via_heading`` is false) inherited from a section heading that cites it (the
    chain ``hro:concernsArticleViaSection``, not materialised: a ``?citing_section`` that
    concerns it, then what is ``hro:withinSection`` it); ``?via`` says which ("text"
    wins).  A paragraph under two sections that both cite it comes once per section: the
    readers group or count distinct paragraphs.  ``provisions`` are the IRIs of the
    provisions below it that count too (:func:`provisions_below`: CRC/3 matches CRC/3(1)).

    The article and its provisions are bound first (``VALUES``), then the sections, then
    the paragraphs looked up from them, so the query costs what its answer costs.  Matched
    by a filter on every linked IRI instead, it read every article link of the store, and
    Oxigraph's planner only starts from the article when the IRIs are given as values
    (``tests/test_lookup_cost.py``)."""
    target = str(identifiers.provision_uri(article_notation(value)))
    iris = " ".join(sp.iri(iri) for iri in dict.fromkeys([target, *provisions]))
    text = '{ ?para hro:concernsArticle ?concerned . BIND("text" AS ?via) }'
    if not via_heading:
        return f"VALUES ?concerned {{ {iris} }} {text}"
    return (f"VALUES ?concerned {{ {iris} }} {{ {text} UNION {{ ?citing_section "
            "hro:concernsArticle ?concerned . ?para hro:withinSection ?citing_section . "
            'BIND("heading" AS ?via) } }')


async def provisions_below(server, value: str) -> list[str]:
    """The IRIs of the provisions the store holds below an article (``CRC/3`` -> those of
    ``CRC/3(1)``, ``CRC/3(2)(a)``…: each is ``dcterms:isPartOf`` the one above it); none
    below a provision (``CRC/3(1)`` matches itself only)."""
    name = article_notation(value)
    if "(" in name:
        return []
    rows = await server.select(f"""SELECT DISTINCT ?provision WHERE {{
        ?provision dcterms:isPartOf+ {sp.iri(str(identifiers.provision_uri(name)))} }}""")
    return [row["provision"]["value"] for row in rows]


def paragraph_filters(*, state: str | None = None, committee: str | None = None,
                      links: Mapping[str, str | None] | None = None, flag: str | None = None,
                      language: str | None = None, document: str | None = None,
                      theme: str | None = None, affected: str | None = None,
                      via_heading: bool = True, follow_up: bool | None = None,
                      provisions: Iterable[str] = ()) -> list[str]:
    """Graph patterns selecting paragraphs (``?para`` of ``?doc``, with ``?text``); ``links``
    maps the API filter of a link kind (``article``, ``ilo``, ``sdg``) to a notation (an
    article also through section headings unless ``via_heading`` is false, and with the
    ``provisions`` below it, see :func:`article_pattern`); ``theme`` and ``affected`` are
    OHCHR's UHRI labels (by label or slug), not the text's; ``follow_up`` keeps the
    paragraphs their document selects for the follow-up procedure (true) or the others
    (false)."""
    f = document_filters(committee, state)
    if document:
        f.append(f"?doc dcterms:identifier {sp.literal(document)} .")
    for name, value in (links or {}).items():
        if value and name == "article":
            f.append(article_pattern(value, via_heading=via_heading, provisions=provisions))
        elif value:
            kind = FILTERS[name]
            f.append(f"?para {sp.iri(str(kind.property))} {sp.iri(link_target(kind, value))} .")
    if flag:
        f.append(f"?para a hro:{FLAGS[flag]} .")
    for scheme, value, prop in (("theme", theme, "uhriTheme"),
                                ("affected", affected, "uhriAffectedPersons")):
        if value:  # any label: the concept's IRI is its slug ([a-z0-9-])
            concept = sp.iri(concept_uri(scheme, value))
            f.append(f"?para ^hro:annotates/hro:{prop} {concept} .")
    if follow_up is not None:
        selected = "?selecting hro:followUpParagraph ?para ."
        f.append(selected if follow_up else f"FILTER NOT EXISTS {{ {selected} }}")
    if language:
        f.append(f"FILTER (LANG(?text) = {sp.literal(language)})")
    return f


async def document_dataset(server, document: str) -> str | None:
    """``FROM <graph> …``: the named graphs of the language versions of one document
    (``document``, a pattern that selects ``?doc``), so that a query about that document
    reads only its own graphs, whatever the size of the store; ``None`` when the store
    holds no version of it."""
    rows = await server.select(f"""SELECT DISTINCT ?g WHERE {{
        GRAPH ?g {{ {document} ?doc hro:languageVersion ?v }} }}""")
    if not rows:
        return None
    return " ".join(f"FROM {sp.iri(row['g']['value'])}" for row in rows)


def link_target(kind: LinkKind, value: str) -> str:
    """The URI of the target a link filter names; a 400 if the value is not a notation."""
    what = f"{kind.api_filter} notation (such as {kind.examples[0]})"
    if not _SAFE.match(value) or kind.target is None:
        raise RefusedError(400, f"{value!r} is not a valid {what}")
    try:
        return str(kind.target(kind.normalise(value)))
    except ValueError as err:
        raise RefusedError(400, f"{value!r} is not a valid {what}") from err


def _link_filter_parameters() -> Callable[..., Awaitable[dict[str, str]]]:
    """A FastAPI dependency taking one query parameter per link kind with an API filter
    (``article``, ``ilo``, ``sdg``), documented in the OpenAPI schema, and returning the
    ones given (``async``: FastAPI would run a plain function in a thread)."""
    async def given(**values: str | None) -> dict[str, str]:
        return {name: value.strip() for name, value in values.items() if value and value.strip()}

    setattr(given, "__signature__", inspect.Signature([  # noqa: B010 - FastAPI reads it
        inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, annotation=str | None,
                          default=Query(None, description=kind.api_help, openapi_examples={
                              example: {"value": example} for example in kind.examples}))
        for name, kind in FILTERS.items()]))
    return given


LinkFilters = Annotated[dict[str, str], Depends(_link_filter_parameters())]
"""The link filters of a request: parameter name -> notation, only those given."""


def selected_paragraphs(filters: list[str]) -> str:
    """A group graph pattern binding ``?para``, its document's ``?symbol``, its ``?number``,
    each of its texts ``?text`` and the ``?version`` graph that holds that text, for the
    paragraphs ``filters`` (:func:`paragraph_filters`) select: the filter patterns first,
    then the paragraph's facts read inside one language version's graph.  Joined across
    the union default graph instead, a fact every version states comes once per version's
    graph and each join multiplies the rows by the number of versions (2.4 million rows and
    33 s for 117 on five versions of one document; 11,914 rows this way)."""
    patterns = [f for f in filters if not f.startswith("FILTER")]
    conditions = [f for f in filters if f.startswith("FILTER")]
    return f"""{{
          {" ".join(patterns)}
          GRAPH ?version {{ ?doc hro:hasParagraph ?para ; dcterms:identifier ?symbol .
                            ?para hro:number ?number ; hro:text ?text . }}
          {" ".join(conditions)} }}"""
