"""The search filters that the web pages and the researcher API share: query parameters
(State, committee, one per link kind with an API filter, flag, words, language, document)
turned into SPARQL graph patterns over ``?doc``, ``?para`` and ``?text``."""
from __future__ import annotations

import inspect
import re
from collections.abc import Callable, Mapping
from typing import Annotated, Literal

from fastapi import Depends, Query

from rightsgraph.api.protocol import RefusedError
from rightsgraph.core import identifiers
from rightsgraph.core import sparql as sp
from rightsgraph.core.links import FILTERS, LinkKind
from rightsgraph.graph.labels import concept_uri

Flag = Literal["recommendation", "concern", "positive"]
FLAGS: dict[str, str] = {  # flag -> hro: class of the paragraphs it selects
    "recommendation": "Recommendation", "concern": "Concern", "positive": "PositiveAspect"}
_SAFE = re.compile(r"^[A-Za-z0-9 ._/()\-#]+$")
# A search is one FILTER per word: many words make a query the engine cannot parse or
# answer in time (10,000 words killed a worker, issue #10).
MAX_SEARCH_WORDS = 32
MAX_SEARCH_CHARS = 500


def notation(value: str, what: str) -> str:
    """``value`` if it can be a registry notation (``ICRMW/76``, ``C097``); a 400 otherwise."""
    if not _SAFE.match(value):
        raise RefusedError(400, f"{value!r} is not a {what} notation")
    return value


def document_filters(committee: str | None, state: str | None) -> list[str]:
    """Graph patterns restricting ``?doc`` to a committee (CMW) and a State (AZE)."""
    f = []
    if committee:
        f.append(f"?doc hro:committee {_iri(identifiers.committee_uri, committee, 'committee')} .")
    if state:
        f.append(f"?doc hro:stateParty {_iri(identifiers.state_uri, state.upper(), 'State')} .")
    return f


def _iri(mint: Callable[[str], str], value: str, what: str) -> sp.Term:
    return sp.iri(mint(notation(value, what)))


def paragraph_filters(*, state: str | None = None, committee: str | None = None,
                      links: Mapping[str, str | None] | None = None, flag: str | None = None,
                      q: str | None = None, language: str | None = None,
                      document: str | None = None, theme: str | None = None,
                      affected: str | None = None) -> list[str]:
    """Graph patterns selecting paragraphs (``?para`` of ``?doc``, with ``?text``); ``links``
    maps the API filter of a link kind (``article``, ``ilo``, ``sdg``) to a notation;
    ``theme`` and ``affected`` are OHCHR's UHRI labels (by label or slug), not the text's."""
    f = document_filters(committee, state)
    if document:
        f.append(f"?doc dcterms:identifier {sp.literal(document)} .")
    for name, value in (links or {}).items():
        if value:
            kind = FILTERS[name]
            f.append(f"?para {sp.iri(str(kind.property))} {sp.iri(_link_target(kind, value))} .")
    if flag:
        f.append(f"?para a hro:{FLAGS[flag]} .")
    for kind, value, prop in (("theme", theme, "uhriTheme"),
                              ("affected", affected, "uhriAffectedPersons")):
        if value:  # any label: the concept's IRI is its slug ([a-z0-9-])
            concept = sp.iri(concept_uri(kind, value))
            f.append(f"?para ^hro:annotates/hro:{prop} {concept} .")
    if q:
        words = q.split()
        if len(words) > MAX_SEARCH_WORDS or len(q) > MAX_SEARCH_CHARS:
            raise RefusedError(400, f"search for at most {MAX_SEARCH_WORDS} words and "
                               f"{MAX_SEARCH_CHARS} characters")
        for word in words:
            f.append(f"FILTER (CONTAINS(LCASE(STR(?text)), LCASE({sp.literal(word)})))")
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


def _link_target(kind: LinkKind, value: str) -> str:
    """The URI of the target a link filter names; a 400 if the value is not a notation."""
    what = f"{kind.api_filter} notation such as {kind.examples[0]}"
    if not _SAFE.match(value) or kind.target is None:
        raise RefusedError(400, f"{value!r} is not an {what}")
    try:
        return str(kind.target(kind.normalise(value)))
    except ValueError as err:
        raise RefusedError(400, f"{value!r} is not an {what}") from err


def _link_filter_parameters() -> Callable[..., dict[str, str]]:
    """A FastAPI dependency taking one query parameter per link kind with an API filter
    (``article``, ``ilo``, ``sdg``), documented in the OpenAPI schema, and returning the
    ones given."""
    def given(**values: str | None) -> dict[str, str]:
        return {name: value.strip() for name, value in values.items() if value and value.strip()}

    setattr(given, "__signature__", inspect.Signature([  # noqa: B010 - FastAPI reads it
        inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, annotation=str | None,
                          default=Query(None, description=kind.api_help, openapi_examples={
                              example: {"value": example} for example in kind.examples}))
        for name, kind in FILTERS.items()]))
    return given


LinkFilters = Annotated[dict[str, str], Depends(_link_filter_parameters())]
"""The link filters of a request: parameter name -> notation, only those given."""
