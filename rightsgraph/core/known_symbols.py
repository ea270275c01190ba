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

A cache folder that ``rightsgraph fetch --uhri`` fills also holds the list of concluding
observations the UHRI export knows (:data:`TABLE`, ``known-symbols.tsv``: symbol, committee,
State, publication date and where that was read), so that ``build DIR`` knows whose older
observations a document cites even when the store does not hold them (the documents the
store holds say more, and win).
"""
from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from rightsgraph.core.errors import RightsgraphError
from rightsgraph.core.identifiers import normalise_symbol, parse_symbol

TABLE = "known-symbols.tsv"
COLUMNS = ("symbol", "committee", "state", "published", "source")


class KnownTableError(RightsgraphError):
    """A ``known-symbols.tsv`` cannot be read; the message names the file and line."""


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


def write_table(folder: str | os.PathLike, rows: Iterable[tuple[str, Known, str | None]],
                source: str) -> int:
    """Write :data:`TABLE` in ``folder`` (replacing it in one rename): each (symbol, what it
    stands for, publication date) read from ``source``.  Returns the rows written."""
    lines = ["\t".join(COLUMNS)]
    for symbol, known, published in rows:
        lines.append("\t".join((symbol, known.committee or "", known.state, published or "",
                                 source)))
    path = Path(folder) / TABLE
    partial = path.with_name(f".{TABLE}.partial")
    partial.write_text("\n".join(lines) + "\n", encoding="utf-8")
    os.replace(partial, path)
    return len(lines) - 1


def read_table(path: str | os.PathLike) -> list[tuple[str, Known]]:
    """The (symbol, :class:`Known`) of a :data:`TABLE`; :class:`KnownTableError` naming the
    file and line for a row that is not one."""
    out = []
    with open(path, encoding="utf-8") as fh:
        for number, line in enumerate(fh, 1):
            cells = line.rstrip("\n").split("\t")
            if number == 1:
                if tuple(cells) != COLUMNS:
                    raise KnownTableError(f"{path}, line 1: expected the columns "
                                          f"{' '.join(COLUMNS)}")
                continue
            if not line.strip():
                continue
            if len(cells) != len(COLUMNS) or not cells[0] \
                    or not re.fullmatch(r"[A-Z]{3}", cells[2]):
                raise KnownTableError(f"{path}, line {number}: expected a symbol, a committee, "
                                      f"an ISO alpha-3 State, a date and a source: {line!r}")
            out.append((normalise_symbol(cells[0]), Known(cells[1] or None, cells[2])))
    return out
