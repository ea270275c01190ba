"""The list of concluding observations that exist, read from the UHRI export, and the
selection a user makes from it (committee, State, years)."""
from __future__ import annotations

import os
from dataclasses import dataclass

from rightsgraph.core import registries
from rightsgraph.core.identifiers import parse_symbol
from rightsgraph.core.uhri import records


@dataclass(frozen=True)
class KnownDocument:
    symbol: str
    committee: str | None
    state: str | None  # alpha-3
    published: str | None  # YYYY-MM-DD


def known_documents(export: str | os.PathLike) -> list[KnownDocument]:
    """Every concluding observations document the export has a record of, by symbol."""
    names = {name.casefold(): alpha3 for name, alpha3 in registries.load().state_names("en")}
    found: dict[str, KnownDocument] = {}
    for record in records(export):
        if not record.symbol or record.symbol in found:
            continue
        parts = parse_symbol(record.symbol)
        if parts["kind"] != "concluding observations":  # UPR, special procedures, reports…
            continue
        state = parts["state"]
        if state is None and len(record.countries) == 1:
            state = names.get(record.countries[0].casefold())
        found[record.symbol] = KnownDocument(record.symbol, parts["committee"], state,
                                             record.published)
    return sorted(found.values(), key=lambda d: (d.published or "", d.symbol))


def select(documents: list[KnownDocument], *, committee: str | None = None,
           state: str | None = None, since: str | None = None,
           until: str | None = None) -> list[str]:
    """The symbols that pass every filter given; ``since``/``until`` are a year or a date,
    both ends included."""
    out = []
    for doc in documents:
        if committee and (doc.committee or "").upper() != committee.upper():
            continue
        if state and (doc.state or "").upper() != state.upper():
            continue
        if since and (doc.published is None or doc.published < _start(since)):
            continue
        if until and (doc.published is None or doc.published > _end(until)):
            continue
        out.append(doc.symbol)
    return out


def _start(value: str) -> str:
    return value if len(value) > 4 else f"{value}-01-01"


def _end(value: str) -> str:
    return value if len(value) > 4 else f"{value}-12-31"
