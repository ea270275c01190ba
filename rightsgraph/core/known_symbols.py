"""Which committee, State and reporting cycle a document symbol stands for, when the symbol
itself does not say.

A symbol of the current form names all three (``CRC/C/AZE/CO/3-4``); one of the older
series names at most its committee (``CRC/C/15/Add.77``, ``E/C.12/1/Add.94``,
``CAT/C/CR/33/3``): the State is printed in the document's title only.  When a later
document cites such a symbol, the extractor can tell that it cites earlier observations of
the same State if the text says so ("its previous concluding observations") or if it knows
whose observations they are.  :class:`KnownSymbols` is that knowledge: ``build`` fills it
from the documents the store already holds, then with each document it extracts, and hands
it to the extractor (``Context.known``).  It is an immutable value: adding documents
returns a new one.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from rightsgraph.core.identifiers import normalise_symbol, parse_symbol


@dataclass(frozen=True)
class Known:
    """What a symbol stands for: committee, State (ISO alpha-3), the numbers of the reports
    of its cycle, and the other symbols of the same document (an older form, a reissue)."""

    committee: str | None
    state: str
    reports: tuple[int, ...] = ()
    same_as: tuple[str, ...] = ()


@dataclass(frozen=True)
class KnownSymbols:
    """Symbol -> :class:`Known`, for concluding observations."""

    entries: Mapping[str, Known] = field(default_factory=dict)

    def lookup(self, symbol: str) -> Known | None:
        """What ``symbol`` stands for: as the documents known say (its revisions and
        corrigenda aside), else as the symbol itself says when it names a State; ``None``
        when neither does."""
        symbol = normalise_symbol(symbol)
        parts = parse_symbol(symbol)
        held = self.entries.get(symbol) or self.entries.get(parts["base"] or symbol)
        if held is not None:
            return held
        if parts["kind"] == "concluding observations" and parts["state"]:
            return Known(parts["committee"], parts["state"],
                         tuple(parts["report_numbers"] or ()))
        return None

    def state_of(self, symbol: str) -> str | None:
        known = self.lookup(symbol)
        return known.state if known else None

    def adding(self, documents: Iterable[tuple[str, Known]]) -> KnownSymbols:
        """These symbols known as well (each under every symbol of its document); a new value."""
        entries = dict(self.entries)
        for symbol, known in documents:
            names = list(dict.fromkeys(normalise_symbol(s) for s in (symbol, *known.same_as)))
            for name in names:
                others = tuple(n for n in names if n != name)
                entries[name] = Known(known.committee, known.state, known.reports, others)
        return KnownSymbols(entries)

    def __len__(self) -> int:
        return len(self.entries)
