"""OWL-RL inferences for one document graph, kept apart from what the extractor asserted.

owlrl computes the full OWL 2 RL closure, but on a document graph of a few thousand triples
that takes about half a second, most of it re-deriving what the ontology alone entails.  So
the ontology is closed once with owlrl, and what that closure says about classes and
properties is compiled into rules that are applied to each document: superclasses,
superproperties, inverses, domains and ranges, transitive properties and property chains.
These are the OWL 2 RL rules whose premises involve the ontology (cax-sco, prp-spo1,
prp-inv1/2, prp-dom, prp-rng, prp-trp, prp-spo2, prp-symp); the tests check that the result
equals owlrl's own closure on real documents, minus the noise owlrl adds (``x owl:sameAs x``
for every node, triples about literals, facts the ontology entails by itself).

One chain is not materialised (:data:`NOT_MATERIALISED`): a paragraph's articles inherited
from its sections, ``hro:concernsArticleViaSection``, whose pairs are the path
``hro:withinSection/hro:concernsArticle`` over what the store holds.

The chain of reiterations across reporting cycles spans documents; :func:`reiteration_chains`
computes it over the reiteration links of a whole store, which are few.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

import owlrl
from rdflib import Graph, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS
from rdflib.term import Node

from rightsgraph.core.namespaces import HRO
from rightsgraph.extract.triples import Term, Triple, term
from rightsgraph.graph import rdfio
from rightsgraph.graph.rdfio import union


@dataclass(frozen=True)
class Rules:
    """What the closed ontology says, as lookup tables from a class or property, each term
    written as in N-Triples (:data:`.triples.Term`), as the document's triples are."""

    superclasses: dict[Term, frozenset[Term]]
    superproperties: dict[Term, frozenset[Term]]
    inverses: dict[Term, frozenset[Term]]
    domains: dict[Term, frozenset[Term]]
    ranges: dict[Term, frozenset[Term]]
    transitive: frozenset[Term]
    symmetric: frozenset[Term]
    chains: tuple[tuple[Term, Term, Term], ...]  # (first, second, implied)
    tbox_terms: frozenset[Term]


def closed_ontology(ontology: Graph | None = None) -> Graph:
    """The ontology with its OWL-RL closure (owlrl), computed once per process."""
    if ontology is None:
        return _closed_default()
    graph = Graph()
    for triple in ontology:
        graph.add(triple)
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics).expand(graph)
    return graph


@cache
def _closed_default() -> Graph:
    return closed_ontology(rdfio.ontology())


NOT_MATERIALISED: frozenset[Term] = frozenset({term(HRO.concernsArticleViaSection)})
"""Properties the ontology defines by a chain (``owl:propertyChainAxiom``) whose triples are
not inferred into the store: a reader follows the chain's path instead,
``?p hro:withinSection/hro:concernsArticle ?a`` (``hro:withinSection`` is materialised and
transitive).  Materialised, the section-inherited article links were 21.6 % of the 1M
benchmark corpus's quads and a tenth of its build (decision 0011, round 8)."""

_rules: list[Rules] = []  # this process's, compiled once or taken from the build's main one


def rules() -> Rules:
    """The rules of the project's ontology, compiled once per process."""
    if not _rules:
        _rules.append(compile_rules(closed_ontology()))
    return _rules[0]


def adopt_rules(compiled: Rules) -> None:
    """Use ``compiled`` (:func:`rules` of another process) as this process's rules: a build's
    workers take them from the main process instead of each computing the OWL-RL closure
    (1.4 s of a worker's start)."""
    _rules[:] = [compiled]


def compile_rules(closed: Graph) -> Rules:
    def table(predicate: URIRef) -> dict[Term, frozenset[Term]]:
        out: dict[Term, set[Term]] = defaultdict(set)
        for s, o in closed.subject_objects(predicate):
            if isinstance(s, URIRef) and isinstance(o, URIRef) and s != o:
                out[term(s)].add(term(o))
        return {k: frozenset(v) for k, v in out.items()}

    inverses: dict[Term, set[Term]] = defaultdict(set)
    for p, q in closed.subject_objects(OWL.inverseOf):
        if isinstance(p, URIRef) and isinstance(q, URIRef):
            inverses[term(p)].add(term(q))
            inverses[term(q)].add(term(p))
    chains: list[tuple[Term, Term, Term]] = []
    for implied, head in closed.subject_objects(OWL.propertyChainAxiom):
        steps = list(Collection(closed, head))
        if len(steps) != 2:
            raise ValueError(f"only two-step property chains are compiled, not {implied}")
        if term(implied) in NOT_MATERIALISED:
            continue
        chains.append((term(steps[0]), term(steps[1]), term(implied)))
    tbox = {s for s, p, _ in closed if isinstance(s, URIRef)} | {
        o for p in (RDFS.subClassOf, RDFS.subPropertyOf, RDFS.domain, RDFS.range, OWL.inverseOf)
        for o in closed.objects(None, p) if isinstance(o, URIRef)}
    return Rules(
        superclasses=table(RDFS.subClassOf),
        superproperties=table(RDFS.subPropertyOf),
        inverses={k: frozenset(v) for k, v in inverses.items()},
        domains=table(RDFS.domain),
        ranges=table(RDFS.range),
        transitive=frozenset(map(term, closed.subjects(RDF.type, OWL.TransitiveProperty))),
        symmetric=frozenset(map(term, closed.subjects(RDF.type, OWL.SymmetricProperty))),
        chains=tuple(chains),
        tbox_terms=frozenset(map(term, tbox)),
    )


_TYPE, _THING = term(RDF.type), term(OWL.Thing)
_NOISE = frozenset(map(term, (OWL.sameAs, OWL.differentFrom)))


def infer(data: Iterable[Triple], rule_set: Rules | None = None) -> set[Triple]:
    """The triples the ontology and ``data`` (a document's triples, N-Triples terms)
    entail that ``data`` does not assert.

    Properties first, classes last: the only rule with an ``rdf:type`` premise is cax-sco
    (superclasses), whose conclusions are types again, so every type follows from the
    property triples once they are closed.  Each node's classes are gathered in one pass
    (its asserted types, the domains of what it is the subject of and the ranges of what it
    is the object of) and closed under superclasses, instead of one derivation per triple
    and class (four times fewer steps on a document's graph).  Only triples whose property
    some rule reads are worked on (most of a document's are of no such property)."""
    r = rule_set or rules()
    asserted = set(data)
    known = set(asserted)
    superproperties, inverses, symmetric = r.superproperties, r.inverses, r.symmetric
    transitive, chains = r.transitive, r.chains
    chained = {p for chain in chains for p in chain[:2]}
    indexed = transitive | chained  # the predicates rules look up by subject or object
    active = superproperties.keys() | inverses.keys() | symmetric | indexed
    # p -> s -> {o}, and p -> o -> {s}, for the indexed predicates
    by_subject: dict[Term, dict[Term, set[Term]]] = {p: defaultdict(set) for p in indexed}
    by_object: dict[Term, dict[Term, set[Term]]] = {p: defaultdict(set) for p in indexed}
    todo = []
    for triple in asserted:
        p = triple[1]
        if p in active:
            todo.append(triple)
            if p in indexed:
                by_subject[p][triple[0]].add(triple[2])
                by_object[p][triple[2]].add(triple[0])

    def derive(triple: Triple) -> None:
        if triple not in known:
            known.add(triple)
            if triple[1] in active:
                todo.append(triple)
                if triple[1] in indexed:
                    by_subject[triple[1]][triple[0]].add(triple[2])
                    by_object[triple[1]][triple[2]].add(triple[0])

    while todo:
        s, p, o = todo.pop()
        for q in superproperties.get(p, ()):
            derive((s, q, o))
        if o[0] == '"':  # a literal
            continue
        for q in inverses.get(p, ()):
            derive((o, q, s))
        if p in symmetric:
            derive((o, p, s))
        if p in transitive:
            for nxt in list(by_subject[p].get(o, ())):
                derive((s, p, nxt))
            for prev in list(by_object[p].get(s, ())):
                derive((prev, p, o))
        if p not in chained:
            continue
        for first, second, implied in chains:
            if p == first:
                for nxt in list(by_subject[second].get(o, ())):
                    derive((s, implied, nxt))
            if p == second:
                for prev in list(by_object[first].get(s, ())):
                    derive((prev, implied, o))
    new = {triple for triple in known - asserted if _kept(triple, r)}
    tbox = r.tbox_terms
    for node, classes in _classes(known, r).items():
        if node[0] not in "<_" or node in tbox:
            continue  # not kept (_kept): a literal, or a term of the ontology
        for cls in classes:
            # not kept either: membership of an anonymous class expression, or of everything
            if cls[0] != "_" and cls != _THING and (node, _TYPE, cls) not in asserted:
                new.add((node, _TYPE, cls))
    return new


def _classes(triples: Iterable[Triple], r: Rules) -> dict[Term, set[Term]]:
    """Each node's classes: asserted (``rdf:type``), from the domains and ranges of the
    properties it has (prp-dom, prp-rng), closed under superclasses (cax-sco)."""
    domains, ranges = r.domains, r.ranges
    classes: dict[Term, set[Term]] = defaultdict(set)
    for s, p, o in triples:
        if p == _TYPE:
            classes[s].add(o)
            continue
        if p in domains:
            classes[s] |= domains[p]
        if p in ranges and o[0] != '"':
            classes[o] |= ranges[p]
    superclasses = r.superclasses
    closed: dict[frozenset[Term], set[Term]] = {}  # most nodes share their classes
    for node, found in classes.items():
        key = frozenset(found)
        done = closed.get(key)
        if done is None:
            todo = list(found)
            while todo:
                for cls in superclasses.get(todo.pop(), ()):
                    if cls not in found:
                        found.add(cls)
                        todo.append(cls)
            closed[key] = found
        else:
            classes[node] = done
    return classes


def _kept(triple: Triple, r: Rules) -> bool:
    """Not noise: nothing about literals, ``owl:sameAs``, ``owl:Thing``, anonymous classes
    (the union that is the range of hro:concernsArticle) or the ontology's own terms."""
    s, p, o = triple
    if p == _TYPE and (o.startswith("_:") or o == _THING):
        return False  # membership of an anonymous class expression, or of everything
    return s[0] in "<_" and p not in _NOISE and s not in r.tbox_terms


def owlrl_inferences(data: Graph, ontology: Graph | None = None, *,
                     materialised_only: bool = True) -> Graph:
    """Reference: what owlrl's full OWL-RL closure of ontology + ``data`` adds, with the same
    noise removed as :func:`infer`.  Slow; used to check :func:`infer` on samples.

    With ``materialised_only`` (the default), without the triples of the properties in
    :data:`NOT_MATERIALISED`: owlrl derives them from their chain axiom, the store does not
    hold them (its readers follow the chain's path), so what :func:`infer` gives and the
    build stores is compared with the rest."""
    onto = ontology if ontology is not None else rdfio.ontology()
    closed_onto = closed_ontology(onto)
    graph = Graph()
    for triple in onto:
        graph.add(triple)
    asserted = set(union(data))
    for triple in asserted:
        graph.add(triple)
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics).expand(graph)
    r = compile_rules(closed_onto)
    out = Graph()
    for triple in graph:
        if triple in asserted or triple in closed_onto or not _kept(_terms(triple), r):
            continue
        if materialised_only and term(triple[1]) in NOT_MATERIALISED:
            continue
        out.add(triple)
    return out


def _terms(triple: tuple[Node, Node, Node]) -> Triple:
    s, p, o = triple
    return term(s), term(p), term(o)


def reiteration_chains(reiterations: Iterable[tuple[Node, Node, Node]]) -> Graph:
    """The transitive closure of ``hro:reiterates`` links across documents, two hops and
    more (one hop is inferred per document), with its inverse: what owlrl would derive for
    ``hro:reiteratesTransitively`` over the whole store, computed from the reiteration links
    alone."""
    following: dict[Node, set[Node]] = defaultdict(set)
    for s, _, o in reiterations:
        following[s].add(o)
    chains = Graph()
    for start in list(following):
        seen: set[Node] = set()
        frontier: set[Node] = set()
        for first in following[start]:
            frontier |= following.get(first, set())
        while frontier:
            node = frontier.pop()
            if node in seen:
                continue
            seen.add(node)
            chains.add((start, HRO.reiteratesTransitively, node))
            chains.add((node, HRO.isReiteratedTransitivelyBy, start))
            frontier |= following.get(node, set()) - seen
    return chains
