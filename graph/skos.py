"""The registries as linked data: one SKOS concept scheme per registry.

``registries_graph()`` turns :func:`rightsgraph.core.registries.load` into an rdflib Graph.  Every
concept has the URI that document graphs link to (:mod:`rightsgraph.core.identifiers`), the
notation of the links table as its plain ``skos:notation`` (``ICRMW/76``, ``C097``, ``16.9``,
``CMW/GC/5``, ``AZE``, ``CMW``), ``skos:prefLabel`` in each language the registry files give,
and its ``hro:`` class besides ``skos:Concept``.  Scheme titles, typed-notation datatypes,
article-label patterns and the UNTC link pattern are data in ``schemes.toml``.
"""
from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cached_property

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, SKOS, XSD

from rightsgraph.core import identifiers, registries
from rightsgraph.core.namespaces import HRO, PREFIXES
from rightsgraph.core.registries import Registries

SCHEMES_FILE = "schemes.toml"


def registries_graph(reg: Registries | None = None, *, base: str | None = None) -> Graph:
    """The SKOS graph of every registry (``reg`` defaults to :func:`registries.load`)."""
    graph = Graph()
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace)
    _Writer(graph, reg or registries.load(), base).write()
    return graph


def load_settings() -> dict:
    """``schemes.toml`` from the registries directory."""
    with (registries.registries_dir() / SCHEMES_FILE).open("rb") as f:
        return tomllib.load(f)


def _labels(values: dict[str, str]) -> list[Literal]:
    return [Literal(text, lang=lang) for lang, text in values.items() if text]


@dataclass
class _Writer:
    graph: Graph
    reg: Registries
    base: str | None

    @cached_property
    def settings(self) -> dict:
        return load_settings()

    def write(self) -> None:
        self.write_schemes()
        self.write_notation_types()
        self.write_treaties()
        self.write_committees()
        self.write_general_comments()
        self.write_ilo()
        self.write_sdg()
        self.write_states()

    # --- building blocks -----------------------------------------------------------------

    def add(self, s: URIRef, p: URIRef, o: URIRef | Literal) -> None:
        self.graph.add((s, p, o))

    def scheme(self, name: str) -> URIRef:
        return identifiers.scheme_uri(name, base=self.base)

    def notation_type(self, kind: str) -> URIRef:
        if kind not in self.settings["notations"]:
            raise KeyError(f"{SCHEMES_FILE}: no [notations.{kind}] for a typed notation")
        return identifiers.notation_type_uri(kind, base=self.base)

    def concept(
        self,
        node: URIRef,
        scheme: str,
        cls: URIRef | tuple[URIRef, ...] | None,
        notation: str,
        labels: dict[str, str],
        aliases: dict[str, tuple[str, ...]] | None = None,
        broader: URIRef | None = None,
    ) -> URIRef:
        """A concept in ``scheme``: top concept unless it has a ``broader`` one."""
        self.add(node, RDF.type, SKOS.Concept)
        for c in (cls,) if isinstance(cls, URIRef) else cls or ():
            self.add(node, RDF.type, c)
        scheme_node = self.scheme(scheme)
        self.add(node, SKOS.inScheme, scheme_node)
        self.add(node, SKOS.notation, Literal(notation))
        for label in _labels(labels):
            self.add(node, SKOS.prefLabel, label)
        for lang, names in (aliases or {}).items():
            for name in names:
                self.add(node, SKOS.altLabel, Literal(name, lang=lang))
        if broader is None:
            self.add(node, SKOS.topConceptOf, scheme_node)
            self.add(scheme_node, SKOS.hasTopConcept, node)
        else:
            self.add(node, SKOS.broader, broader)
            self.add(broader, SKOS.narrower, node)
        return node

    def typed_notation(self, node: URIRef, kind: str, value: str) -> None:
        self.add(node, SKOS.notation, Literal(value, datatype=self.notation_type(kind)))

    def date(self, node: URIRef, prop: URIRef, value: str | None) -> None:
        if value:
            self.add(node, prop, Literal(value, datatype=XSD.date))

    def year(self, node: URIRef, prop: URIRef, value: int | None) -> None:
        if value is not None:
            self.add(node, prop, Literal(f"{value:04d}", datatype=XSD.gYear))

    # --- schemes ----------------------------------------------------------------------------

    def write_schemes(self) -> None:
        for name, scheme in self.settings["schemes"].items():
            node = self.scheme(name)
            self.add(node, RDF.type, SKOS.ConceptScheme)
            self.add(node, SKOS.prefLabel, Literal(scheme["title"], lang="en"))
            self.add(node, DCTERMS.title, Literal(scheme["title"], lang="en"))
            self.add(node, DCTERMS.description, Literal(scheme["description"], lang="en"))
            for file in scheme["files"]:
                self.add(node, DCTERMS.source, Literal(f"ontology/registries/{file}"))

    def write_notation_types(self) -> None:
        for kind, spec in self.settings["notations"].items():
            node = self.notation_type(kind)
            self.add(node, RDF.type, RDFS.Datatype)
            self.add(node, RDFS.label, Literal(spec["label"], lang="en"))
            self.add(node, RDFS.comment, Literal(spec["comment"], lang="en"))

    # --- treaties, protocols, articles ------------------------------------------------------

    def treaty(self, treaty_id: str) -> URIRef:
        return identifiers.treaty_uri(treaty_id, base=self.base)

    def committee(self, committee_id: str) -> URIRef:
        return identifiers.committee_uri(committee_id, base=self.base)

    def write_treaties(self) -> None:
        untc_link = self.settings["links"]["untc"]
        for t in self.reg.treaties.values():
            node = self.treaty(t.id)
            parent = self.treaty(t.parent) if t.parent else None
            classes = (HRO.Treaty, HRO.OptionalProtocol) if parent else HRO.Treaty
            self.concept(node, "treaties", classes, t.id, t.names, t.aliases, broader=parent)
            self.add(node, HRO.committee, self.committee(t.committee))
            self.date(node, DCTERMS.dateAccepted, t.adopted)
            self.date(node, DCTERMS.valid, t.entry_into_force)
            if t.untc:
                self.add(node, RDFS.seeAlso, URIRef(untc_link.format(untc=t.untc)))
            self.write_articles(t.id, t.articles, node)

    def write_articles(self, treaty_id: str, count: int, treaty: URIRef) -> None:
        patterns = self.settings["article_labels"]
        for number in range(1, count + 1):
            notation = f"{treaty_id}/{number}"
            labels = {lang: p.format(treaty=treaty_id, number=number)
                      for lang, p in patterns.items()}
            node = identifiers.provision_uri(notation, base=self.base)
            self.concept(node, "treaties", HRO.Article, notation, labels, broader=treaty)
            self.add(node, DCTERMS.isPartOf, treaty)

    # --- committees -------------------------------------------------------------------------

    def write_committees(self) -> None:
        for c in self.reg.committees.values():
            node = self.committee(c.id)
            self.concept(node, "committees", HRO.Committee, c.id, c.names, c.aliases)
            self.typed_notation(node, "symbol-prefix", c.symbol_prefix)
            for t in self.reg.treaties.values():
                if t.committee == c.id:
                    self.add(node, SKOS.related, self.treaty(t.id))

    # --- general comments -------------------------------------------------------------------

    def write_general_comments(self) -> None:
        for gc in self.reg.general_comments.values():
            node = identifiers.general_comment_uri(gc.notation, base=self.base)
            self.concept(node, "general-comments", HRO.GeneralComment, gc.notation,
                         {"en": gc.title_en})
            self.add(node, HRO.committee, self.committee(gc.committee))
            self.year(node, DCTERMS.issued, gc.year)
            self.write_symbol(node, gc.symbol)
            for joint in gc.joint_with:
                other = self.reg.general_comments.get(joint)
                if other is None:
                    raise ValueError(f"general_comments.csv: {gc.notation} is joint with "
                                     f"{joint}, which the registry does not have")
                self.add(node, SKOS.related, identifiers.general_comment_uri(joint, base=self.base))
                self.add(node, HRO.committee, self.committee(other.committee))

    def write_symbol(self, node: URIRef, cell: str) -> None:
        """Its own UN symbols as dcterms:identifier; a comment issued inside an annual report
        gets the cell as a bibliographic citation. Each symbol links to undocs.org."""
        symbols, report = _symbols(cell)
        for symbol in symbols:
            self.add(node, DCTERMS.identifier, Literal(symbol))
        if cell and not symbols:
            self.add(node, DCTERMS.bibliographicCitation, Literal(cell))
        for symbol in [*symbols, report] if report else symbols:
            self.add(node, RDFS.seeAlso, URIRef(identifiers.undocs_url(symbol)))

    # --- ILO --------------------------------------------------------------------------------

    def write_ilo(self) -> None:
        for code, item in self.reg.ilo.items():
            convention = None
            if item.kind == "protocol":
                parent = self.reg.ilo_convention(item.number)
                if parent is None:
                    raise ValueError(f"ilo/instruments.csv: protocol {code} amends C"
                                     f"{item.number:03d}, which the registry does not have")
                convention = identifiers.ilo_uri(parent.code, base=self.base)
            node = identifiers.ilo_uri(code, base=self.base)
            self.concept(node, "ilo", HRO.IloInstrument, code, item.titles, broader=convention)
            self.year(node, DCTERMS.dateAccepted, item.year)
            self.add(node, RDFS.seeAlso, URIRef(identifiers.normlex_url(code)))
            if item.status_note:
                self.add(node, SKOS.historyNote, Literal(item.status_note, lang="en"))

    # --- SDG --------------------------------------------------------------------------------

    def write_sdg(self) -> None:
        for goal in self.reg.sdg_goals.values():
            node = identifiers.sdg_uri(goal.notation)
            self.concept(node, "sdg", None, goal.notation, goal.labels,
                         {lang: (label,) for lang, label in goal.short_labels.items()})
        for target in self.reg.sdg_targets.values():
            owner = self.reg.sdg_goals.get(target.goal)
            if owner is None:
                raise ValueError(f"sdg: target {target.notation} of goal {target.goal}, "
                                 "which the goal files do not have")
            self.concept(identifiers.sdg_uri(target.notation), "sdg", HRO.SdgTarget,
                         target.notation,
                         target.labels, broader=identifiers.sdg_uri(owner.notation))

    # --- States -----------------------------------------------------------------------------

    def write_states(self) -> None:
        for state in self.reg.states.values():
            node = identifiers.state_uri(state.alpha3, base=self.base)
            self.concept(node, "states", HRO.State, state.alpha3, state.names, state.aliases)
            self.typed_notation(node, "iso3166-alpha2", state.alpha2)
            self.typed_notation(node, "m49", state.m49)


def _symbols(cell: str) -> tuple[list[str], str | None]:
    """The general-comment symbols in a ``symbol`` cell, else the symbol of the report that
    carries the comment: ``CRC/C/GC/22, CMW/C/GC/3`` and ``CMW/C/GC/7–CERD/C/GC/38`` give two
    symbols; ``A/54/18, annex V`` gives none and the report ``A/54/18``;
    ``HRI/GEN/1/Rev.9 (Vol. I), p. 200`` gives neither."""
    parts = [p.strip() for p in cell.replace("–", ",").split(",") if p.strip()]
    own = [p for p in parts if "/GC/" in p and " " not in p]
    if own:
        return own, None
    report = parts[0] if parts and "/" in parts[0] and " " not in parts[0] else None
    return [], report
