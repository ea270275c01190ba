"""The facet table (``facets.toml``) and what each facet's values are for one paragraph.

A facet row names a field filter (``committee:CMW``), a label, the property paths from a
paragraph that reach its values and how a node becomes a value (a registry notation, a
year, a language tag or a mapped class); see the comment at the top of ``facets.toml``.
"""
from __future__ import annotations

import hashlib
import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache, lru_cache
from typing import Protocol
from urllib.parse import unquote

from rdflib import URIRef

from rightsgraph.core import identifiers, registries, uhri
from rightsgraph.core.errors import RightsgraphError
from rightsgraph.core.namespaces import PREFIXES
from rightsgraph.core.resources import package_path
from rightsgraph.extract.triples import Term, language, value

VALUE_KINDS = ("notation", "year", "language", "map")


class FacetTableError(RightsgraphError, ValueError):
    """``facets.toml`` is malformed; the message names the row and the problem."""


class Lookup(Protocol):
    """What a facet reads of a document's triples (terms written as in N-Triples):
    ``graph.search.rows`` makes one per language version."""

    def objects(self, subject: Term, predicate: Term) -> Iterable[Term]: ...

    def subjects(self, predicate: Term, obj: Term) -> Iterable[Term]: ...


@dataclass(frozen=True)
class Step:
    predicate: URIRef
    backwards: bool = False
    term: Term = field(init=False)  # the predicate as N-Triples writes it

    def __post_init__(self) -> None:
        object.__setattr__(self, "term", f"<{self.predicate}>")


@dataclass(frozen=True)
class Facet:
    name: str
    label: str
    paths: tuple[tuple[Step, ...], ...]
    value: str
    values: dict[str, str] = field(default_factory=dict)
    store: bool = False
    path_text: tuple[str, ...] = ()
    source: str | None = None  # who gives the values, when not the text (UHRI)
    _memo: dict[str, dict[Term, str | None]] = field(default_factory=dict, compare=False,
                                                     repr=False)  # base -> IRI -> value

    def of(self, graph: Lookup, node: Term, base: str | None = None) -> set[str]:
        """This facet's values for ``node`` (a paragraph) in ``graph`` (``base``: of the
        minted IRIs, :func:`.identifiers.base` unless given)."""
        found: set[str] = set()
        base = base or identifiers.base()
        for path in self.paths:
            # one step forwards (most facets): the objects as they are, repeats included
            ends = (graph.objects(node, path[0].term) if len(path) == 1 and not path[0].backwards
                    else _follow(graph, node, path))
            for end in ends:
                shown = self._value(end, base)
                if shown:
                    found.add(shown)
        return found

    def _value(self, node: Term, base: str) -> str | None:
        """:meth:`value_of`, remembered for IRIs (registry items, named again and again
        by every document; bounded: forgotten past :data:`_REMEMBERED` IRIs)."""
        if node[0] != "<":
            return self.value_of(node)
        memo = self._memo.setdefault(base, {})
        if node not in memo:
            if len(memo) >= _REMEMBERED:
                memo.clear()
            memo[node] = self.value_of(node)
        return memo[node]

    def value_of(self, node: Term) -> str | None:
        """The value a node at the end of a path gives (a term written as in N-Triples)."""
        if self.value == "map":
            return self.values.get(value(node))
        if self.value == "language":
            return language(node)
        if self.value == "year":
            match = re.match(r"(\d{4})-", value(node))
            return match.group(1) if match else None
        return notation(value(node)) if node[0] == "<" else None

    def filter_value(self, value: str) -> str:
        """A filter's value as the index holds it: a UHRI theme or affected persons by its
        label or its slug (``"Legal & institutional reform"`` -> ``legal-institutional-reform``)."""
        return uhri.slug(value) if self.name in uhri.SCHEMES else value


def _follow(graph: Lookup, node: Term, path: tuple[Step, ...]) -> Iterable[Term]:
    nodes: Iterable[Term] = (node,)
    for step in path:
        predicate = step.term
        if step.backwards:
            nodes = {o for n in nodes for o in graph.subjects(predicate, n)}
        else:
            nodes = {o for n in nodes for o in graph.objects(n, predicate)}
    return nodes


_REMEMBERED = 20_000  # IRIs whose facet value each facet remembers (a corpus names ~5,000)


def expand(curie: str) -> URIRef:
    prefix, sep, local = curie.partition(":")
    if not sep or prefix not in PREFIXES:
        raise FacetTableError(f"{curie!r}: not a prefixed name with a known prefix "
                              f"({', '.join(PREFIXES)})")
    return URIRef(PREFIXES[prefix] + local)


def parse_path(text: str) -> tuple[Step, ...]:
    steps = []
    for part in text.split("/"):
        part = part.strip()
        backwards = part.startswith("^")
        steps.append(Step(expand(part.lstrip("^")), backwards))
    return tuple(steps)


def load(text: str) -> tuple[Facet, ...]:
    """The facets of a ``facets.toml`` text, checked."""
    rows = tomllib.loads(text).get("facet", [])
    facets, names = [], set()
    for n, row in enumerate(rows, 1):
        where = f"facets.toml, facet {n} ({row.get('name', '?')})"
        unknown = set(row) - {"name", "label", "paths", "value", "values", "store", "source"}
        if unknown:
            raise FacetTableError(f"{where}: unknown keys {sorted(unknown)}")
        name = row.get("name", "")
        if not re.fullmatch(r"[a-z][a-z0-9_]*", name) or name in names:
            raise FacetTableError(f"{where}: name must be a new lower-case word")
        names.add(name)
        if row.get("value") not in VALUE_KINDS:
            raise FacetTableError(f"{where}: value must be one of {', '.join(VALUE_KINDS)}")
        if not row.get("paths") or not row.get("label"):
            raise FacetTableError(f"{where}: needs a label and at least one path")
        if (row["value"] == "map") != bool(row.get("values")):
            raise FacetTableError(f"{where}: `values` goes with value = \"map\" and only there")
        try:
            paths = tuple(parse_path(p) for p in row["paths"])
            values = {str(expand(k)): v for k, v in row.get("values", {}).items()}
        except FacetTableError as err:
            raise FacetTableError(f"{where}: {err}") from None
        source = row.get("source")
        if source is not None and (not isinstance(source, str) or not source.strip()):
            raise FacetTableError(f"{where}: source must be a name (UHRI)")
        facets.append(Facet(name, row["label"], paths, row["value"], values,
                            bool(row.get("store", False)), tuple(row["paths"]), source))
    return tuple(facets)


@cache
def table_text() -> str:
    return package_path("rightsgraph.graph.search", "facets.toml").read_text("utf-8")


@cache
def facets() -> tuple[Facet, ...]:
    """The facet table shipped with rightsgraph."""
    return load(table_text())


def by_name() -> dict[str, Facet]:
    return {facet.name: facet for facet in facets()}


def fingerprint() -> str:
    return hashlib.sha256(table_text().encode()).hexdigest()[:16]


# --- registry notations from IRIs (the inverse of rightsgraph.core.identifiers) ------------

def notation(iri: str) -> str | None:
    """The registry notation an IRI of the graph encodes: ``…/committee/CMW`` -> ``CMW``,
    ``…/treaty/ICERD/article/5/d/v`` -> ``ICERD/5(d)(v)``, ``…/gc/CMW/5`` -> ``CMW/GC/5``,
    ``http://metadata.un.org/sdg/10.7`` -> ``10.7``, a UHRI theme or affected persons'
    concept ``…/uhri/themes/legal-institutional-reform`` -> its slug; ``None`` for other
    IRIs."""
    return _notation(iri, identifiers.base())


@lru_cache(maxsize=100_000)  # a corpus names a few thousand registry items, again and again
def _notation(iri: str, base: str) -> str | None:
    sdg = registries.SDG_URI.format("")
    if iri.startswith(sdg):
        return unquote(iri[len(sdg):])
    if not iri.startswith(base):
        return None
    concept = uhri.concept_of(iri, base)
    if concept is not None:
        return concept[1]
    parts = [unquote(p) for p in iri[len(base):].split("/")]
    kind, rest = parts[0], parts[1:]
    if kind in ("committee", "state", "ilo") and len(rest) == 1:
        return rest[0]
    if kind == "gc" and len(rest) == 2:
        return f"{rest[0]}/GC/{rest[1]}"
    if kind == "treaty" and len(rest) >= 3 and rest[1] == "article":
        return f"{rest[0]}/{rest[2]}" + "".join(f"({level})" for level in rest[3:])
    return None


def iri_of(facet: str, value: str) -> str | None:
    """The IRI a facet value (a notation) stands for, to look up its label; ``None`` when
    the facet's values are not IRIs or the notation is not well formed."""
    mint = {"committee": identifiers.committee_uri, "state": identifiers.state_uri,
            "ilo": identifiers.ilo_uri, "sdg": identifiers.sdg_uri,
            "gc": identifiers.general_comment_uri, "article": identifiers.provision_uri}
    if facet in uhri.SCHEMES:
        return uhri.concept_uri(facet, value)
    try:
        return str(mint[facet](value)) if facet in mint else None
    except ValueError:
        return None


def values_of(graph: Lookup, node: Term, table: Iterable[Facet] | None = None,
              base: str | None = None) -> dict[str, list[str]]:
    """Every facet's values for a paragraph in ``graph`` (facets looked up in the store are
    left out: :mod:`.index` adds them)."""
    out = {}
    base = base or identifiers.base()
    for facet in table if table is not None else facets():
        if not facet.store:
            found = facet.of(graph, node, base)
            if found:
                out[facet.name] = sorted(found)
    return out
