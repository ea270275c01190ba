"""The SHACL shapes compiled once into Python checks: the build's validator.

:func:`compile_shapes` reads the shapes graph and makes, for each shape, its targets, its
path and one check per constraint component it declares; :meth:`CompiledShapes.validate`
runs them on one document's triples (N-Triples terms, :class:`Data`).  The checks follow
pySHACL's reading of SHACL Core (the reference, ``validate.validate``), literal values and
comparisons included (rdflib's literals, pySHACL's ``compare_literal``), so that both give
the same results: ``tests/test_validate_compiled.py`` checks it on every shape test case and
on mutated documents.  SPARQL-based constraints (``sh:sparql`` with ``sh:select``) run in
Oxigraph on an in-memory store of the triples they can read, ``$this`` pre-bound per focus
node as pySHACL does, or once per document with ``VALUES ?this`` when the query's algebra
shows that this gives the same solutions (:func:`_batchable`).

A constraint component, target or path this module does not know raises
:class:`UnsupportedShapeError` naming the shape when the shapes are compiled: a shape edit
can never be silently skipped by the build.  ``docs/decisions/0016-own-shacl-checks.md``
says why (and what it costs against pySHACL and pyshacl-turbo).
"""
from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from functools import lru_cache, partial
from typing import Any

import pyoxigraph as ox
from pyshacl.rdfutil.compare import compare_literal
from rdflib import BNode, Graph, Literal, URIRef, Variable
from rdflib.collection import Collection as RDFList
from rdflib.namespace import OWL, RDF, RDFS, SH, XSD
from rdflib.term import Node

from rightsgraph.core.errors import RightsgraphError
from rightsgraph.extract.triples import Term, Triple, language, literal_text, term, value

ALLOWED = {SH.Warning, SH.Info}  # severities that do not make a graph non-conforming
_TYPE, _SUBCLASS = term(RDF.type), term(RDFS.subClassOf)
_XSD_STRING = term(XSD.string)


class UnsupportedShapeError(RightsgraphError, ValueError):
    """The shapes use SHACL the build's validator does not implement."""


# --- the data ------------------------------------------------------------------------------

class Data:
    """The triples one validation reads, indexed by predicate both ways (terms as in
    N-Triples), and, when a SPARQL-based constraint needs it, an Oxigraph store of them."""

    __slots__ = ("_forward", "_backward", "_supers", "_classes", "_store", "_stored",
                 "_stored_types", "cache")

    def __init__(self, triples: Iterable[Triple]) -> None:
        forward: dict[Term, dict[Term, dict[Term, None]]] = {}
        for s, p, o in triples:
            by_subject = forward.get(p)
            if by_subject is None:
                forward[p] = {s: {o: None}}
                continue
            objects = by_subject.get(s)
            if objects is None:
                by_subject[s] = {o: None}
            else:
                objects[o] = None
        self._forward = forward
        self._backward: dict[Term, dict[Term, dict[Term, None]]] = {}  # made when asked
        self._supers: dict[Term, set[Term]] = {}
        self._classes: dict[Term, set[Term]] = {}  # node -> its classes, as is_instance reads
        self._store: ox.Store | None = None
        self._stored: set[Term] = set()  # the predicates whose triples the store holds
        self._stored_types: set[Term] = set()  # the classes whose rdf:type triples it holds
        self.cache: dict[int, Any] = {}  # what checks ran once for all focus nodes

    def _by_object(self, predicate: Term) -> dict[Term, dict[Term, None]]:
        index = self._backward.get(predicate)
        if index is None:
            index = self._backward[predicate] = {}
            for s, objects in self._forward.get(predicate, {}).items():
                for o in objects:
                    subjects = index.get(o)
                    if subjects is None:
                        index[o] = {s: None}
                    else:
                        subjects[s] = None
        return index

    def objects(self, subject: Term, predicate: Term) -> Collection[Term]:
        return self._forward.get(predicate, {}).get(subject, ())

    def subjects(self, predicate: Term, obj: Term) -> Collection[Term]:
        return self._by_object(predicate).get(obj, ())

    def subjects_of(self, predicate: Term) -> Collection[Term]:
        return self._forward.get(predicate, {}).keys()

    def objects_of(self, predicate: Term) -> Collection[Term]:
        return self._by_object(predicate).keys()

    def has(self, subject: Term, predicate: Term, obj: Term) -> bool:
        return obj in self._forward.get(predicate, {}).get(subject, ())

    def holds(self, node: Term) -> bool:
        """Whether ``node`` is the subject or object of some triple."""
        return any(node in by_subject or any(node in objects for objects in by_subject.values())
                   for by_subject in self._forward.values())

    def superclasses(self, cls: Term) -> set[Term]:
        """``cls`` and what it is a subclass of, transitively (``rdfs:subClassOf*``)."""
        found = self._supers.get(cls)
        if found is None:
            found = _closure(cls, lambda c: self.objects(c, _SUBCLASS))
            self._supers[cls] = found
        return found

    def is_instance(self, node: Term, cls: Term) -> bool:
        """A SHACL instance: ``node rdf:type/rdfs:subClassOf* cls``."""
        classes = self._classes.get(node)
        if classes is None:
            classes = self._classes[node] = {
                c for t in self.objects(node, _TYPE) for c in self.superclasses(t)}
        return cls in classes

    def index(self, predicate: Term) -> dict[Term, dict[Term, None]]:
        """The objects of ``predicate`` by subject."""
        return self._forward.get(predicate, {})

    def instances(self, cls: Term) -> set[Term]:
        subclasses = _closure(cls, lambda c: self.subjects(_SUBCLASS, c))
        return {s for c in subclasses for s in self.subjects(_TYPE, c)}

    def store(self, predicates: frozenset[Term] | None = None,
              types: frozenset[Term] | None = None) -> ox.Store:
        """An Oxigraph store holding at least the triples whose predicate is one of
        ``predicates`` (all if ``None``), and of the ``rdf:type`` triples those whose
        class is one of ``types`` (all if ``None``): what a SPARQL-based constraint can
        read (:func:`_predicates_read`, :func:`_types_read`).  Made on first use, and given
        more triples when a later constraint reads more: a document's store holds only what
        the constraints that ran on it read (most run on no focus node)."""
        if self._store is None:
            self._store = ox.Store()
        triples: list[Triple] = []
        for p in (self._forward if predicates is None else predicates):
            if p in self._stored or p not in self._forward:
                continue
            if p == _TYPE and types is not None:  # only the classes asked, the rest if asked
                for cls in types - self._stored_types:
                    triples.extend((s, p, cls) for s in self.subjects(p, cls))
                self._stored_types.update(types)
                continue
            self._stored.add(p)
            triples.extend((s, p, o) for s, objects in self._forward[p].items()
                           for o in objects if p != _TYPE or o not in self._stored_types)
        if triples:
            lines, blank = [], []
            for s, p, o in triples:
                if s[0] == "_" or o[0] == "_":
                    blank.append(ox.Quad(_oxigraph(s), ox.NamedNode(p[1:-1]),  # type: ignore[arg-type]
                                         _oxigraph(o)))
                else:
                    lines.append(f"{s} {p} {o} .\n")
            self._store.load("".join(lines), format=ox.RdfFormat.N_TRIPLES, lenient=True)
            self._store.extend(blank)  # added as terms: a parser would rename blank nodes
        return self._store


def _closure(start: Term, step: Callable[[Term], Iterable[Term]]) -> set[Term]:
    found = {start}
    todo = [start]
    while todo:
        for following in step(todo.pop()):
            if following not in found:
                found.add(following)
                todo.append(following)
    return found


@lru_cache(maxsize=1 << 12)  # bounded as :data:`_MEMORY` is: the same terms come back
def rdflib_term(t: Term) -> Node:
    """The rdflib term an N-Triples term stands for (literals as rdflib reads them: their
    value, ill-typed or not), made once per distinct term."""
    if t[0] == "<":
        return URIRef(t[1:-1])
    if t[0] == "_":
        return BNode(t[2:])
    lang = language(t)
    end = t.rindex('"')
    datatype = t[end + 4:-1] if t.startswith("^^<", end + 1) else None
    return Literal(value(t), lang=lang, datatype=datatype)


def text_of(t: Term) -> str:
    """``str()`` of the rdflib term: an IRI, a blank node's label, a literal's lexical
    form."""
    return str(rdflib_term(t))


# --- results -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Found:
    """One validation result: ``focus`` and ``value`` as N-Triples terms, ``path`` as
    ``validate.Result`` writes it."""

    severity: URIRef
    focus: Term
    path: str | None
    value: Term | None
    messages: tuple[str, ...]
    shape: Node


# --- paths ---------------------------------------------------------------------------------

PathFunction = Callable[[Data, Term], Collection[Term]]


@dataclass(frozen=True)
class _Path:
    evaluate: PathFunction
    sparql: str  # for $PATH in SPARQL-based constraints
    text: str  # as a result names it: an IRI, ^IRI or "(path expression)"
    predicate: Term | None = None  # the path is this one predicate


def _compile_path(shapes: Graph, path: Node, shape: str) -> _Path:
    if isinstance(path, URIRef):
        p = term(path)
        return _Path(lambda data, focus: data.objects(focus, p), p, str(path), p)
    if not isinstance(path, BNode):
        raise UnsupportedShapeError(f"{shape}: sh:path {path} is not a property path")
    if (path, RDF.first, None) in shapes:
        steps = [_compile_path(shapes, item, shape) for item in RDFList(shapes, path)]

        def sequence(data: Data, focus: Term) -> Collection[Term]:
            nodes: Collection[Term] = (focus,)
            for step in steps:
                nodes = dict.fromkeys(v for n in nodes for v in step.evaluate(data, n))
            return nodes
        return _Path(sequence, "(" + "/".join(s.sparql for s in steps) + ")",
                     "(path expression)")
    kinds = dict(shapes.predicate_objects(path))
    if len(kinds) != 1:
        raise UnsupportedShapeError(f"{shape}: the property path {_names(kinds)} is not one "
                                    "the build's validator knows")
    (kind, inner_node), = kinds.items()
    if kind == SH.alternativePath:
        options = [_compile_path(shapes, item, shape) for item in RDFList(shapes, inner_node)]
        return _Path(lambda data, focus: dict.fromkeys(v for o in options
                                                       for v in o.evaluate(data, focus)),
                     "(" + "|".join(o.sparql for o in options) + ")", "(path expression)")
    inner = _compile_path(shapes, inner_node, shape)
    if kind == SH.inversePath:
        if not isinstance(inner_node, URIRef):
            raise UnsupportedShapeError(f"{shape}: sh:inversePath of a path expression is not "
                                        "supported by the build's validator")
        p = term(inner_node)
        return _Path(lambda data, focus: data.subjects(p, focus), f"^{p}", f"^{inner_node}")
    if kind in (SH.zeroOrMorePath, SH.oneOrMorePath):
        with_focus = kind == SH.zeroOrMorePath

        def repeated(data: Data, focus: Term) -> Collection[Term]:
            found = _closure(focus, lambda n: inner.evaluate(data, n))
            if not with_focus and not any(focus in inner.evaluate(data, n) for n in found):
                found.discard(focus)
            return found
        return _Path(repeated, f"({inner.sparql}){'*' if with_focus else '+'}",
                     "(path expression)")
    if kind == SH.zeroOrOnePath:
        return _Path(lambda data, focus: {focus, *inner.evaluate(data, focus)},
                     f"({inner.sparql})?", "(path expression)")
    raise UnsupportedShapeError(f"{shape}: the property path {_names(kinds)} is not one the "
                                "build's validator knows")


def _names(kinds: dict) -> str:
    return ", ".join(sorted(str(k) for k in kinds)) or "(empty)"


# --- shapes --------------------------------------------------------------------------------

Pairs = list[tuple[Term, Collection[Term]]]  # focus nodes, each with its value nodes
Check = Callable[["_Shape", Data, Pairs], list[Found]]

# The shape parameters that are not constraints of their own.
_DESCRIPTIVE = {SH.path, SH.property, SH.severity, SH.message, SH.name, SH.description,
                SH.order, SH.group, SH.deactivated, SH.targetClass, SH.targetNode,
                SH.targetSubjectsOf, SH.targetObjectsOf, SH.flags, SH.qualifiedMinCount,
                SH.qualifiedMaxCount, SH.qualifiedValueShapesDisjoint, SH.defaultValue}
_TARGETS = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf)


class _Shape:
    """One shape, compiled: its path (a property shape's), its checks, its sub-shapes."""

    def __init__(self, node: Node, name: str) -> None:
        self.node = node
        self.name = name
        self.severity: URIRef = SH.Violation
        self.messages: tuple[Literal, ...] = ()
        self.path: _Path | None = None
        self.checks: list[Check] = []
        self.properties: list[_Shape] = []

    def batched(self) -> Iterator[_SparqlCheck]:
        """The SPARQL-based checks of this shape and its property shapes: they run on the
        same focus nodes."""
        for check in self.checks:
            if isinstance(check, _SparqlCheck):
                yield check
        for shape in self.properties:
            yield from shape.batched()

    def result(self, focus: Term, value: Term | None = None) -> Found:
        return Found(self.severity, focus, self.path.text if self.path else None, value,
                     tuple(str(m) for m in self.messages), self.node)

    def validate(self, data: Data, focus: Term) -> tuple[bool, list[Found]]:
        """Whether ``focus`` conforms (pySHACL's reading: results of severity Warning or
        Info do not count), and the results."""
        pairs: Pairs = [(focus, self.path.evaluate(data, focus) if self.path else (focus,))]
        conforms = True
        results: list[Found] = []
        allowed = self.severity in ALLOWED
        for check in self.checks:
            found = check(self, data, pairs)
            if found:
                if conforms and not allowed:
                    conforms = all(r.severity in ALLOWED for r in found)
                results.extend(found)
        for shape in self.properties:
            ok, found = shape.validate(data, focus)
            if not ok and not allowed:
                conforms = conforms and all(r.severity in ALLOWED for r in found)
            results.extend(found)
        return conforms, results

    def report(self, data: Data, focus_nodes: Collection[Term], out: list[Found]) -> None:
        """The results of validating each of ``focus_nodes``, added to ``out``: what
        :meth:`validate` finds, each check run once over all of them."""
        path = self.path
        if path is None:
            pairs: Pairs = [(f, (f,)) for f in focus_nodes]
        elif path.predicate is not None:  # the common case, read at once
            index = data.index(path.predicate)
            pairs = [(f, index.get(f, ())) for f in focus_nodes]
        else:
            pairs = [(f, path.evaluate(data, f)) for f in focus_nodes]
        for check in self.checks:
            out.extend(check(self, data, pairs))
        for shape in self.properties:
            shape.report(data, focus_nodes, out)


class CompiledShapes:
    """The shapes with targets, compiled, and what they target."""

    def __init__(self, targeted: list[tuple[_Shape, list[Callable[[Data], Iterable[Term]]]]]
                 ) -> None:
        self._targeted = targeted

    def validate(self, data: Data) -> list[Found]:
        results: list[Found] = []
        for shape, targets in self._targeted:
            focus_nodes = dict.fromkeys(n for target in targets for n in target(data))
            for check in shape.batched():
                check.prefetch(data, focus_nodes)
            shape.report(data, focus_nodes.keys(), results)
        return results


def compile_shapes(shapes: Graph) -> CompiledShapes:
    """Compile every shape of ``shapes`` (those with targets and those they use); raise
    :class:`UnsupportedShapeError` for SHACL this module does not implement."""
    return _Compiler(shapes).compile()


class _Compiler:
    def __init__(self, shapes: Graph) -> None:
        self.shapes = shapes
        self.compiled: dict[Node, _Shape] = {}
        self.reported: set[Node] = set()  # shapes whose results a report shows

    def name(self, node: Node) -> str:
        if isinstance(node, URIRef):
            return node.n3(self.shapes.namespace_manager)
        owners = [self.name(s) for p in (SH.property, SH.qualifiedValueShape, SH.node)
                  for s in self.shapes.subjects(p, node)]
        return f"an anonymous shape of {owners[0]}" if owners else "an anonymous shape"

    def compile(self) -> CompiledShapes:
        g = self.shapes
        roots = dict.fromkeys(s for p in _TARGETS for s in g.subjects(p, None))
        for root in roots:
            if (root, RDF.type, RDFS.Class) in g or (root, RDF.type, OWL.Class) in g:
                raise UnsupportedShapeError(f"{self.name(root)}: implicit class targets "
                                            "are not supported by the build's validator")
        declared = [s for kind in (SH.NodeShape, SH.PropertyShape)
                    for s in g.subjects(RDF.type, kind)]
        targeted = [(self.shape(root, []), self.targets(root)) for root in roots]
        for shape in declared:
            self.shape(shape, [])
        for root in roots:
            self.check_messages(root)
        return CompiledShapes(targeted)

    def targets(self, shape: Node) -> list[Callable[[Data], Iterable[Term]]]:
        found: list[Callable[[Data], Iterable[Term]]] = []
        for cls in self.shapes.objects(shape, SH.targetClass):
            found.append(partial(_instances, term(cls)))
        for prop in self.shapes.objects(shape, SH.targetSubjectsOf):
            found.append(partial(_subjects_of, term(prop)))
        for prop in self.shapes.objects(shape, SH.targetObjectsOf):
            found.append(partial(_objects_of, term(prop)))
        nodes = [term(n) for n in self.shapes.objects(shape, SH.targetNode)]
        if nodes:
            found.append(partial(_given, nodes))
        return found

    def check_messages(self, node: Node) -> None:
        """A shape whose results a report shows must say what is wrong (``sh:message``):
        pySHACL would make up a message of its own, which the build does not copy."""
        if node in self.reported:
            return
        self.reported.add(node)
        shape = self.compiled[node]
        constraints = [p for p in self.shapes.predicates(node, None)
                       if str(p).startswith(str(SH)) and p not in _DESCRIPTIVE
                       and p != SH.sparql]
        if constraints and not shape.messages:
            raise UnsupportedShapeError(
                f"{shape.name}: a shape whose results are reported needs an sh:message "
                "(the build's validator reports the shapes' own messages)")
        for constraint in self.shapes.objects(node, SH.sparql):
            if not shape.messages and not list(self.shapes.objects(constraint, SH.message)):
                raise UnsupportedShapeError(f"{shape.name}: its SPARQL constraint needs an "
                                            "sh:message")
        for prop in self.shapes.objects(node, SH.property):
            self.check_messages(prop)

    def shape(self, node: Node, within: list[Node]) -> _Shape:
        if node in self.compiled:
            return self.compiled[node]
        if node in within:
            raise UnsupportedShapeError(f"{self.name(node)}: recursive shapes are not "
                                        "supported by the build's validator")
        within = [*within, node]
        g = self.shapes
        shape = _Shape(node, self.name(node))
        severities = list(g.objects(node, SH.severity))
        if len(severities) > 1:
            raise UnsupportedShapeError(f"{shape.name}: more than one sh:severity")
        if severities:
            if not isinstance(severities[0], URIRef):
                raise UnsupportedShapeError(f"{shape.name}: sh:severity is not an IRI")
            shape.severity = severities[0]
        shape.messages = tuple(m for m in g.objects(node, SH.message) if isinstance(m, Literal))
        for deactivated in g.objects(node, SH.deactivated):
            if not (isinstance(deactivated, Literal) and deactivated.value is False):
                raise UnsupportedShapeError(f"{shape.name}: sh:deactivated is not supported "
                                            "by the build's validator")
        paths = list(g.objects(node, SH.path))
        if len(paths) > 1:
            raise UnsupportedShapeError(f"{shape.name}: more than one sh:path")
        if paths:
            shape.path = _compile_path(g, paths[0], shape.name)
        parameters = {p for p in g.predicates(node, None) if str(p).startswith(str(SH))}
        for parameter in sorted(parameters - _DESCRIPTIVE, key=str):
            assert isinstance(parameter, URIRef)
            maker = _COMPONENTS.get(parameter)
            if maker is None:
                raise UnsupportedShapeError(
                    f"{shape.name}: {parameter.n3(g.namespace_manager)} is not a constraint "
                    "the build's validator implements (graph/shacl.py)")
            shape.checks.extend(maker(self, node, shape, within))
        if parameters & {SH.qualifiedMinCount, SH.qualifiedMaxCount} and (
                SH.qualifiedValueShape not in parameters):
            raise UnsupportedShapeError(f"{shape.name}: sh:qualifiedMinCount without "
                                            "sh:qualifiedValueShape")
        self.compiled[node] = shape
        shape.properties = [self.shape(p, within) for p in g.objects(node, SH.property)]
        return shape

    def one(self, node: Node, parameter: URIRef, shape: _Shape) -> Node:
        values = list(self.shapes.objects(node, parameter))
        if len(values) != 1:
            raise UnsupportedShapeError(f"{shape.name}: {len(values)} values of "
                                        f"{parameter.n3(self.shapes.namespace_manager)}")
        return values[0]

    def integer(self, node: Node, parameter: URIRef, shape: _Shape) -> int:
        given = self.one(node, parameter, shape)
        if not (isinstance(given, Literal) and isinstance(given.value, int)
                and not isinstance(given.value, bool) and given.value >= 0):
            named = parameter.n3(self.shapes.namespace_manager)
            raise UnsupportedShapeError(f"{shape.name}: {named} is not a non-negative integer")
        return given.value


Maker = Callable[[_Compiler, Node, _Shape, list[Node]], list[Check]]


def _per_value(test: Callable[[Data, Term], bool]) -> Check:
    """A check that each value node passes ``test``: one result per value node that does
    not, with the value."""
    def check(shape: _Shape, data: Data, pairs: Pairs) -> list[Found]:
        return [shape.result(focus, v) for focus, values in pairs for v in values
                if not test(data, v)]
    return check


def _each_focus(check: Callable[[_Shape, Data, Term, Collection[Term]], list[Found]]) -> Check:
    """A check written for one focus node and its values, over all of them."""
    def each(shape: _Shape, data: Data, pairs: Pairs) -> list[Found]:
        return [r for focus, values in pairs for r in check(shape, data, focus, values)]
    return each


_MEMORY = 1 << 12  # terms (or pairs) a check remembers the answer for, then forgets them all
_REMEMBERED = 100  # characters of the longest term remembered
# A build's worker validates every document with the same checks, so what they remember
# must not grow with the documents: a paragraph's text, an IRI minted for one document, a
# timestamp never come back, yet with 32,768 terms per check and texts remembered the
# worker grew by ~5 MB per 100 documents up to ~1,000 documents (decision 0011, 2026-12-06)


def _per_term(test: Callable[[Term], bool]) -> Check:
    """:func:`_per_value` for a test of the term alone (its datatype, its form, whether it
    is in a list), answered once per distinct term: the same numbers, dates and codes come
    back in every document.  Only short terms are remembered (:data:`_REMEMBERED`): a long
    one is a text, which comes once."""
    known: dict[Term, bool] = {}

    def check(shape: _Shape, data: Data, pairs: Pairs) -> list[Found]:
        found = []
        for focus, values in pairs:
            for v in values:
                ok = known.get(v)
                if ok is None:
                    ok = test(v)
                    if len(v) <= _REMEMBERED:
                        if len(known) >= _MEMORY:
                            known.clear()
                        known[v] = ok
                if not ok:
                    found.append(shape.result(focus, v))
        return found
    return check


def _min_count(c: _Compiler, node: Node, shape: _Shape, _: list[Node]) -> list[Check]:
    least = c.integer(node, SH.minCount, shape)

    def check(shape: _Shape, data: Data, pairs: Pairs) -> list[Found]:
        return [shape.result(focus) for focus, values in pairs if len(values) < least]
    return [check]


def _max_count(c: _Compiler, node: Node, shape: _Shape, _: list[Node]) -> list[Check]:
    most = c.integer(node, SH.maxCount, shape)

    def check(shape: _Shape, data: Data, pairs: Pairs) -> list[Found]:
        return [shape.result(focus) for focus, values in pairs if len(values) > most]
    return [check]


def _instances(cls: Term, data: Data) -> Iterable[Term]:
    return data.instances(cls)


def _subjects_of(predicate: Term, data: Data) -> Iterable[Term]:
    return data.subjects_of(predicate)


def _objects_of(predicate: Term, data: Data) -> Iterable[Term]:
    return data.objects_of(predicate)


def _given(nodes: list[Term], data: Data) -> Iterable[Term]:
    return nodes


def _is_instance(cls: Term, data: Data, v: Term) -> bool:
    return v[0] != '"' and data.is_instance(v, cls)


def _matches(matcher: re.Pattern[str], v: Term) -> bool:
    return v[0] != "_" and matcher.search(_string_of(v)) is not None


def _conforms_to_one(shapes: list[_Shape], data: Data, v: Term) -> bool:
    return any(_conforms(shape, data, v) for shape in shapes)


def _conforms(shape: _Shape, data: Data, v: Term) -> bool:
    """Whether ``v`` conforms to ``shape``, found once per document (the same articles are
    linked from many paragraphs)."""
    known = data.cache.setdefault(id(shape), {})
    ok = known.get(v)
    if ok is None:
        ok = known[v] = shape.validate(data, v)[0]
    return ok


def _class(c: _Compiler, node: Node, shape: _Shape, _: list[Node]) -> list[Check]:
    checks = []
    for cls in c.shapes.objects(node, SH["class"]):
        t = term(cls)
        checks.append(_per_value(partial(_is_instance, t)))
    return checks


def _datatype(c: _Compiler, node: Node, shape: _Shape, _: list[Node]) -> list[Check]:
    rule = c.one(node, SH.datatype, shape)
    if not isinstance(rule, URIRef):
        raise UnsupportedShapeError(f"{shape.name}: sh:datatype is not an IRI")
    if rule == RDF.langString:  # a literal with a language tag, at once
        return [_per_term(lambda v: v[0] == '"' and (
            language(v) is not None or _has_datatype(node_literal(v), rule)))]
    if rule == XSD.string:  # a plain literal, at once
        return [_per_term(lambda v: v[0] == '"' and (
            v[-1] == '"' or _has_datatype(node_literal(v), rule)))]
    return [_per_term(lambda v: v[0] == '"' and _has_datatype(node_literal(v), rule))]


def node_literal(t: Term) -> Literal:
    found = rdflib_term(t)
    assert isinstance(found, Literal)
    return found


def _has_datatype(v: Literal, rule: URIRef) -> bool:
    """pySHACL's DatatypeConstraintComponent on one literal."""
    if v.datatype == rule:
        if getattr(v, "ill_typed", None) is True:
            return False
        return _actual_datatype(v, rule)
    if rule == RDFS.Literal:
        return True
    if rule == RDFS.Datatype and v.datatype:
        return True
    if v.datatype is None and v.language is None and rule == XSD.string:
        return _actual_datatype(v, rule)
    if rule == RDF.langString and v.language:
        return _actual_datatype(v, rule)
    return False


_PYTHON_TYPES: dict[URIRef, Any] = {
    XSD.string: (str, bytes), RDF.langString: (str, bytes), XSD.integer: int,
    XSD.float: float, XSD.decimal: Decimal, XSD.boolean: bool, XSD.date: date,
    XSD.time: time, XSD.dateTime: datetime}


def _actual_datatype(v: Literal, rule: URIRef) -> bool:
    kind = _PYTHON_TYPES.get(rule)
    return kind is None or isinstance(v.value, kind)


_NODE_KINDS = {SH.IRI: "<", SH.BlankNode: "_", SH.Literal: '"', SH.BlankNodeOrIRI: "<_",
               SH.BlankNodeOrLiteral: '_"', SH.IRIOrLiteral: '<"'}


def _node_kind(c: _Compiler, node: Node, shape: _Shape, _: list[Node]) -> list[Check]:
    kind = c.one(node, SH.nodeKind, shape)
    if kind not in _NODE_KINDS:
        raise UnsupportedShapeError(f"{shape.name}: sh:nodeKind {kind} is not a node kind")
    starts = _NODE_KINDS[kind]  # type: ignore[index]
    return [_per_term(lambda v: v[0] in starts)]


def _in(c: _Compiler, node: Node, shape: _Shape, _: list[Node]) -> list[Check]:
    allowed = set(RDFList(c.shapes, c.one(node, SH["in"], shape)))
    return [_per_term(lambda v: rdflib_term(v) in allowed)]


def _range(operator: Callable[[int], bool], parameter: URIRef) -> Maker:
    """sh:minInclusive and its kin, as pySHACL compares (``compare_literal``)."""
    def make(c: _Compiler, shape_node: Node, shape: _Shape, _: list[Node]) -> list[Check]:
        bound = c.one(shape_node, parameter, shape)
        if not isinstance(bound, Literal):
            raise UnsupportedShapeError(f"{shape.name}: {parameter} is not a literal")
        bound_is_string = isinstance(bound.value, str)

        def test(v: Term) -> bool:
            if v[0] != '"':
                return False
            literal = node_literal(v)
            if isinstance(literal.value, str) != bound_is_string:
                return False
            try:
                return operator(compare_literal(literal, bound))
            except (TypeError, NotImplementedError):
                return False
        return [_per_term(test)]
    return make


def _string_of(v: Term) -> str:
    """What pySHACL matches patterns and lengths against: ``str()`` of the term; read from
    the term itself for an IRI and a string (no rdflib literal to make)."""
    if v[0] == "<":
        return v[1:-1]
    if v[0] == '"' and (v[-1] == '"' or language(v) is not None):
        return value(v)
    return text_of(v)


def _min_length(c: _Compiler, node: Node, shape: _Shape, _: list[Node]) -> list[Check]:
    least = c.integer(node, SH.minLength, shape)
    return [_per_term(lambda v: least == 0 or (v[0] != "_" and len(_string_of(v)) >= least))]


def _max_length(c: _Compiler, node: Node, shape: _Shape, _: list[Node]) -> list[Check]:
    most = c.integer(node, SH.maxLength, shape)
    return [_per_term(lambda v: v[0] != "_" and len(_string_of(v)) <= most)]


def _pattern(c: _Compiler, node: Node, shape: _Shape, _: list[Node]) -> list[Check]:
    flags = 0
    for given in c.shapes.objects(node, SH.flags):
        for letter, flag in (("i", re.I), ("m", re.M), ("s", re.S), ("x", re.X)):
            if letter in str(given):
                flags |= flag
    checks = []
    for pattern in c.shapes.objects(node, SH.pattern):
        matcher = re.compile(str(pattern), flags)
        checks.append(_per_term(partial(_matches, matcher)))
    return checks


def _unique_lang(c: _Compiler, node: Node, shape: _Shape, _: list[Node]) -> list[Check]:
    if not c.one(node, SH.uniqueLang, shape):
        return []

    def check(shape: _Shape, data: Data, focus: Term, values: Collection[Term]) -> list[Found]:
        seen: set[str] = set()
        repeated: set[str] = set()
        for v in values:
            tag = language(v) if v[0] == '"' else None
            if tag:
                (repeated if tag.lower() in seen else seen).add(tag.lower())
        return [shape.result(focus) for _ in repeated]
    return [_each_focus(check)]


def _compare_pair(strict: bool, parameter: URIRef) -> Maker:
    """sh:lessThan and sh:lessThanOrEquals, as pySHACL compares: one result per pair of
    a value node and a value of the other property that is not in order."""
    def make(c: _Compiler, node: Node, shape: _Shape, _: list[Node]) -> list[Check]:
        if shape.path is None:
            raise UnsupportedShapeError(f"{shape.name}: {parameter} on a node shape")
        others = [term(p) for p in c.shapes.objects(node, parameter)]

        def comparable(t: Term) -> tuple[Any, bool]:
            if t[0] == "_":
                raise ValueError(f"{shape.name}: cannot compare the blank node {t}")
            n = rdflib_term(t)
            if isinstance(n, URIRef):
                return str(n), True
            if isinstance(n, Literal) and isinstance(n.value, str):
                return n.value, True
            return n, False

        known: dict[tuple[Term, Term], bool] = {}  # the same pairs of numbers come back

        def in_order(v: Term, o: Term) -> bool:
            ok = known.get((v, o))
            if ok is None:
                if len(known) >= _MEMORY:
                    known.clear()
                left, left_string = comparable(v)
                right, right_string = comparable(o)
                ok = known[v, o] = left_string == right_string and bool(
                    left < right if strict else left <= right)
            return ok

        def check(shape: _Shape, data: Data, focus: Term, values: Collection[Term]) -> list[Found]:
            found = []
            for other in others:
                compared = list(data.objects(focus, other))
                for v in dict.fromkeys(values):
                    for o in compared:
                        if not in_order(v, o):
                            found.append(shape.result(focus, v))
            return found
        return [_each_focus(check)]
    return make


def _disjoint(c: _Compiler, node: Node, shape: _Shape, _: list[Node]) -> list[Check]:
    others = [term(p) for p in c.shapes.objects(node, SH.disjoint)]

    def check(shape: _Shape, data: Data, focus: Term, values: Collection[Term]) -> list[Found]:
        found: list[Found] = []
        mine = {rdflib_term(v): v for v in values}
        for other in others:
            theirs = {rdflib_term(o) for o in data.objects(focus, other)}
            found.extend(shape.result(focus, v) for n, v in mine.items() if n in theirs)
        return found
    return [_each_focus(check)]


def _or(c: _Compiler, node: Node, shape: _Shape, within: list[Node]) -> list[Check]:
    checks = []
    for options in c.shapes.objects(node, SH["or"]):
        members = [c.shape(m, within) for m in RDFList(c.shapes, options)]
        checks.append(_per_value(partial(_conforms_to_one, members)))
    return checks


def _node(c: _Compiler, node: Node, shape: _Shape, within: list[Node]) -> list[Check]:
    checks = []
    for other in c.shapes.objects(node, SH.node):
        target = c.shape(other, within)
        checks.append(_per_value(partial(_conforms_to_one, [target])))
    return checks


def _qualified(c: _Compiler, node: Node, shape: _Shape, within: list[Node]) -> list[Check]:
    disjoint = list(c.shapes.objects(node, SH.qualifiedValueShapesDisjoint))
    if any(d.value is not False for d in disjoint if isinstance(d, Literal)) or any(
            not isinstance(d, Literal) for d in disjoint):
        raise UnsupportedShapeError(f"{shape.name}: sh:qualifiedValueShapesDisjoint is not "
                                    "supported by the build's validator")
    qualified = c.shape(c.one(node, SH.qualifiedValueShape, shape), within)
    least = (c.integer(node, SH.qualifiedMinCount, shape)
             if (node, SH.qualifiedMinCount, None) in c.shapes else None)
    most = (c.integer(node, SH.qualifiedMaxCount, shape)
            if (node, SH.qualifiedMaxCount, None) in c.shapes else None)

    def check(shape: _Shape, data: Data, focus: Term, values: Collection[Term]) -> list[Found]:
        conforming = sum(1 for v in values if _conforms(qualified, data, v))
        found = []
        if most is not None and conforming > most:
            found.append(shape.result(focus))
        if least is not None and conforming < least:
            found.append(shape.result(focus))
        return found
    return [_each_focus(check)]


# --- SPARQL-based constraints --------------------------------------------------------------

_PREBOUND = re.compile(r"([\s{}()])[$?](shapesGraph|currentShape)\b")
_PATH = re.compile(r"([\s{}()])[$?]PATH\b")
_THIS = ox.Variable("this")


def _sparql(c: _Compiler, node: Node, shape: _Shape, _: list[Node]) -> list[Check]:
    return [_sparql_constraint(c, constraint, shape)
            for constraint in c.shapes.objects(node, SH.sparql)]


def _sparql_constraint(c: _Compiler, constraint: Node, shape: _Shape) -> _SparqlCheck:
    g = c.shapes
    for parameter in g.predicates(constraint, None):
        if str(parameter).startswith(str(SH)) and parameter not in (
                SH.select, SH.message, SH.prefixes, SH.deactivated):
            raise UnsupportedShapeError(f"{shape.name}: {parameter} in a SPARQL constraint is "
                                        "not supported by the build's validator")
    for deactivated in g.objects(constraint, SH.deactivated):
        if not (isinstance(deactivated, Literal) and deactivated.value is False):
            raise UnsupportedShapeError(f"{shape.name}: a deactivated SPARQL constraint")
    select = str(c.one(constraint, SH.select, shape))
    if _PREBOUND.search(select):
        raise UnsupportedShapeError(f"{shape.name}: $shapesGraph and $currentShape "
                                    "are not supported in SPARQL constraints")
    if shape.path is not None:
        select = _PATH.sub(lambda m: m.group(1) + shape.path.sparql, select)  # type: ignore[union-attr]
    elif _PATH.search(select):
        raise UnsupportedShapeError(f"{shape.name}: $PATH in a SPARQL constraint of a node "
                                    "shape")
    prologue = _prefixes(g, constraint)
    query = prologue + select
    try:
        ox.Store().query(query, substitutions={_THIS: ox.NamedNode("urn:x:this")})
    except SyntaxError as err:
        raise UnsupportedShapeError(f"{shape.name}: its SPARQL constraint does not parse: "
                                    f"{err}") from err
    extra = tuple(m for m in g.objects(constraint, SH.message) if isinstance(m, Literal))
    batched = None
    if _batchable(query) and not _OWN_PROLOGUE.match(select):
        at = _where_group(select)
        if at is not None:  # VALUES first in the WHERE clause: Oxigraph starts from them
            batched = (prologue + select[:at + 1] + " VALUES ?this { ", " } " + select[at + 1:])
        if batched is None or not _parses(*batched):
            batched = (prologue + "SELECT * WHERE { VALUES ?this { ",
                       " } { " + select + "\n} }")
    return _SparqlCheck(query, batched, extra, shape.path is None, _predicates_read(query),
                        _types_read(query))


_OWN_PROLOGUE = re.compile(r"\s*(PREFIX|BASE)\b", re.I)
Row = tuple[Term | None, Term | None, Term | None, dict[str, Term]]


class _SparqlCheck:
    """One SPARQL-based constraint of a shape.  pySHACL runs the query once per focus node,
    ``$this`` pre-bound; so does this check, unless :func:`_batchable` shows that the query
    gives the same solutions when run once for all the focus nodes a shape is validated on
    (``VALUES ?this``): :meth:`prefetch` does that (one query per document instead of one
    per paragraph)."""

    def __init__(self, query: str, batched: tuple[str, str] | None, extra: tuple[Literal, ...],
                 on_node: bool, predicates: frozenset[Term] | None,
                 types: frozenset[Term] | None) -> None:
        self.query, self.batched, self.extra, self.on_node = query, batched, extra, on_node
        self.predicates, self.types = predicates, types

    def prefetch(self, data: Data, focus_nodes: Iterable[Term]) -> None:
        """Run the query once for those of ``focus_nodes`` it has not run for yet."""
        if self.batched is None:
            return
        known: dict[Term, tuple[list[Row], bool]] = data.cache.setdefault(id(self), {})
        asked = [f for f in focus_nodes if f not in known and f[0] != "_"]  # no blank nodes
        if not asked:                                                        # in VALUES
            return
        rows: dict[Term, list[Row]] = {f: [] for f in asked}
        failed: set[Term] = set()
        text = self.batched[0] + " ".join(asked) + self.batched[1]
        solutions = data.store(self.predicates, self.types).query(text)
        for t, p, v, bound, failure in self._rows(data, solutions):
            if t is None or t not in rows:
                raise RuntimeError(f"a batched SPARQL constraint returned a solution without "
                                   f"a focus node: {self.query}")
            if failure:
                failed.add(t)
            else:
                rows[t].append((t, p, v, bound))
        for f in asked:
            known[f] = (rows[f], f in failed)

    def __call__(self, shape: _Shape, data: Data, pairs: Pairs) -> list[Found]:
        return [r for focus, _ in pairs for r in self.one(shape, data, focus)]

    def one(self, shape: _Shape, data: Data, focus: Term) -> list[Found]:
        known = data.cache.get(id(self), {}).get(focus)
        if known is None:
            solutions = data.store(self.predicates, self.types).query(
                self.query, substitutions={_THIS: _oxigraph(focus)})
            rows = list(self._rows(data, solutions))
            known = ([(t, p, v, b) for t, p, v, b, failure in rows if not failure],
                     any(failure for *_, failure in rows))
        distinct: list[Row] = []
        for row in known[0]:  # pySHACL's guard against repeated solutions
            if row not in distinct:
                distinct.append(row)
        fallback = focus if self.on_node else None
        found = []
        if known[1]:
            found.append(_sparql_result(shape, self.extra, focus, None, fallback, {}))
        for t, p, v, bound in distinct:
            names = {**bound, **{k: x for k, x in (("this", t), ("path", p),
                                                   ("value", v or fallback)) if x}}
            found.append(_sparql_result(shape, self.extra, t or focus, p, v or fallback, names))
        return found

    @staticmethod
    def _rows(data: Data, solutions: object) -> Iterator[
            tuple[Term | None, Term | None, Term | None, dict[str, Term], bool]]:
        assert isinstance(solutions, ox.QuerySolutions)
        names = [v.value for v in solutions.variables]
        for solution in solutions:
            bound = {n: _term(t, data) for n in names if (t := solution[n]) is not None}
            failure = bound.pop("failure", None) is not None
            p, v, t = bound.pop("path", None), bound.pop("value", None), bound.pop("this", None)
            if failure or (p, v, t) != (None, None, None):
                yield t, p, v, bound, failure


def _parses(head: str, tail: str) -> bool:
    try:
        ox.Store().query(head + "<urn:x:focus>" + tail)
    except SyntaxError:
        return False
    return True


_LEXEMES = re.compile(
    r'#[^\n]*|"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^\'\\]|\\.|\'(?!\'\'))*\'\'\''
    r'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'|<[^<>"{}|^`\\\s]*>|[(){]')


def _where_group(select: str) -> int | None:
    """Where the group of a SELECT query's WHERE clause opens: its first ``{`` outside
    comments, strings, IRIs and parentheses (the projection's expressions)."""
    depth = 0
    for lexeme in _LEXEMES.finditer(select):
        text = lexeme.group()
        if text == "(":
            depth += 1
        elif text == ")":
            depth -= 1
        elif text == "{" and depth == 0:
            return lexeme.start()
    return None


def _predicates_read(query: str) -> frozenset[Term] | None:
    """The predicates of the triples ``query`` can match (``None``: any): those of its
    triple patterns and property paths, and for a variable predicate, the IRIs a FILTER
    over its pattern keeps it to (``FILTER (?p IN (…))`` or ``?p = <…>``), since a triple
    with another predicate cannot give a solution.  Read on rdflib's algebra of the query;
    anything else (a negated path, a variable predicate left free) is ``None``."""
    read = _read(query)
    return read[0] if read is not None else None


def _types_read(query: str) -> frozenset[Term] | None:
    """The classes of the ``rdf:type`` triples ``query`` can match (``None``: any): the
    IRIs its ``?x a <Class>`` patterns name, unless ``rdf:type`` is also read otherwise (an
    object not an IRI, within a property path, a variable predicate that may be it)."""
    read = _read(query)
    return read[1] if read is not None else None


@lru_cache(maxsize=64)
def _read(query: str) -> tuple[frozenset[Term], frozenset[Term] | None] | None:
    """:func:`_predicates_read` and :func:`_types_read` of ``query``, read in one walk."""
    from rdflib.paths import AlternativePath, InvPath, MulPath, SequencePath

    algebra = _algebra(query)
    if algebra is None:  # a query rdflib cannot read may read anything
        return None
    found: set[Term] = set()
    types: set[Term] | None = set()

    def path_iris(path: object) -> bool:
        nonlocal types
        if isinstance(path, URIRef):
            found.add(term(path))
            if path == RDF.type:
                types = None  # rdf:type within a path: any class
            return True
        if isinstance(path, InvPath):
            return path_iris(path.arg)
        if isinstance(path, MulPath):
            return path_iris(path.path)
        if isinstance(path, (SequencePath, AlternativePath)):
            return bool(path.args) and all(path_iris(part) for part in path.args)
        return False  # a negated property set: any predicate but some

    def walk(part: object, kept: dict[Variable, set[Term]]) -> bool:
        nonlocal types
        if isinstance(part, dict):
            name = getattr(part, "name", None)
            if name == "Project":  # a sub-select: its other variables are its own
                kept = {v: iris for v, iris in kept.items() if v in part["PV"]}
            if name == "Filter":
                inner = {**kept, **_kept_to(part["expr"])}
                return walk(part["expr"], kept) and walk(part.get("p"), inner)
            if name in ("Builtin_EXISTS", "Builtin_NOTEXISTS"):
                # rdflib keeps the translated pattern as an attribute, the parsed one as an item
                return walk(vars(part).get("graph", part["graph"]), kept)
            for key, value in part.items():
                if key == "_vars":
                    continue
                if key == "triples":
                    for triple in _triples_of(value):
                        predicate = triple[1]
                        if isinstance(predicate, Variable):
                            if predicate not in kept:
                                return False
                            found.update(kept[predicate])
                            if _TYPE in kept[predicate]:
                                types = None
                        elif predicate == RDF.type:
                            found.add(_TYPE)
                            if types is not None and isinstance(triple[2], URIRef):
                                types.add(term(triple[2]))
                            else:
                                types = None
                        elif not path_iris(predicate):
                            return False
                elif not walk(value, kept):
                    return False
            return True
        if isinstance(part, (list, tuple)):
            return all(walk(item, kept) for item in part)
        return True

    if not walk(algebra, {}):
        return None
    return frozenset(found), frozenset(types) if types is not None else None


def _triples_of(value: object) -> Iterator[tuple]:
    """The triple patterns of a ``triples`` entry: 3-tuples (the algebra's BGP) or flat
    lists of subject, predicate, object, … (a block as parsed)."""
    for item in value if isinstance(value, (list, tuple)) else ():
        if isinstance(item, tuple) and len(item) == 3:
            yield item
        elif isinstance(item, list):
            for i in range(0, len(item) - 2, 3):
                yield tuple(item[i:i + 3])


def _kept_to(expr: Any) -> dict[Variable, set[Term]]:
    """The variables a filter expression keeps to given IRIs: ``?p IN (<a>, <b>)`` or
    ``?p = <a>``, alone or in a conjunction (``&&``)."""
    name = getattr(expr, "name", None)
    if name == "ConditionalAndExpression":
        kept: dict[Variable, set[Term]] = {}
        for part in [expr["expr"], *(expr.get("other") or [])]:
            kept.update(_kept_to(part))
        return kept
    if name == "RelationalExpression" and isinstance(expr["expr"], Variable):
        op, other = expr["op"], expr["other"]
        if op == "IN" and other and all(isinstance(o, URIRef) for o in other):
            return {expr["expr"]: {term(o) for o in other}}
        if op == "=" and isinstance(other, URIRef):
            return {expr["expr"]: {term(other)}}
    return {}


@lru_cache(maxsize=64)
def _algebra(query: str) -> Any:
    """rdflib's algebra of ``query`` (``None`` if rdflib cannot read it): parsed once."""
    from rdflib.plugins.sparql import prepareQuery

    try:
        return prepareQuery(query).algebra
    except Exception:  # noqa: BLE001 - whatever rdflib's parser raises
        return None


def _batchable(query: str) -> bool:
    """Whether running ``query`` once with ``VALUES ?this`` around it gives, for each focus
    node, the solutions it gives with ``$this`` pre-bound to that node: true when every
    solution binds ``?this`` and each part of the query that mentions ``?this`` binds it
    itself (triple patterns, joins, filters over them, sub-selects that project it and
    group by it), so that binding it first or picking the solutions with it afterwards is
    the same.  Read on rdflib's algebra of the query; anything else (MINUS, OPTIONAL on
    ``?this`` alone, LIMIT, VALUES, SERVICE, …) is run per focus node."""
    algebra = _algebra(query)
    if algebra is None:  # a query rdflib cannot read is simply run per focus node
        return False
    top = algebra.get("p")
    return (getattr(top, "name", None) == "Project" and _THIS_VAR in top["PV"]
            and _binds(top["p"]))


_THIS_VAR = Variable("this")


def _mentions(part: object) -> bool:
    if part == _THIS_VAR:
        return True
    if isinstance(part, dict):
        return any(_mentions(v) for k, v in part.items() if k != "_vars")
    if isinstance(part, (list, tuple, set)):
        return any(_mentions(v) for v in part)
    return False


def _commutes(part: object) -> bool:
    return not _mentions(part) or _binds(part)


def _binds(part: Any) -> bool:
    """Every solution of ``part`` binds ``?this``, and picking those with ``?this = f``
    gives the solutions of ``part`` with ``?this`` replaced by ``f``."""
    name = getattr(part, "name", None)
    if name == "BGP":
        return any(_THIS_VAR in triple for triple in part["triples"])
    if name == "Join":
        return (_commutes(part["p1"]) and _commutes(part["p2"])
                and (_binds(part["p1"]) or _binds(part["p2"])))
    if name == "LeftJoin":
        return _binds(part["p1"]) and _commutes(part["p2"])
    if name == "Filter":
        return _binds(part["p"])  # its expression (EXISTS too) sees ?this bound
    if name == "Union":
        return _binds(part["p1"]) and _binds(part["p2"])
    if name == "Extend":
        if part["var"] == _THIS_VAR:  # a group key, as rdflib writes it: SAMPLE(?this)
            return (isinstance(part["expr"], Variable) and str(part["expr"]).startswith("__agg")
                    and _binds(part["p"]))
        return _binds(part["p"])
    if name == "AggregateJoin":
        group = part["p"]
        return (getattr(group, "name", None) == "Group" and _THIS_VAR in (group["expr"] or [])
                and _binds(group["p"]))
    if name == "Project":
        return _THIS_VAR in part["PV"] and _binds(part["p"])
    if name in ("ToMultiSet", "Distinct", "Reduced", "OrderBy"):
        return _binds(part["p"])
    return False


def _sparql_result(shape: _Shape, extra: tuple[Literal, ...], focus: Term, path: Term | None,
                   value: Term | None, bound: dict[str, Term]) -> Found:
    """pySHACL's result of a SPARQL-based constraint: the constraint's messages, then the
    shape's, ``{?var}`` and ``{$var}`` replaced by what the solution binds."""
    messages = [m for m in extra if m not in shape.messages] + list(shape.messages)
    texts = []
    for message in messages:
        text = str(message.value)
        for name, bound_term in bound.items():
            text = re.sub(f"{{[?$]{name}}}", text_of(bound_term), text)
        texts.append(text)
    if path is None:
        path_text = shape.path.text if shape.path else None
    else:
        path_text = text_of(path) if path[0] == "<" else "(path expression)"
    return Found(shape.severity, focus, path_text, value, tuple(texts), shape.node)


def _prefixes(g: Graph, constraint: Node) -> str:
    """The PREFIX lines of ``sh:prefixes``: the declarations of each value, and, of a value
    that is not an owl:Ontology, those of every ontology of the shapes (pySHACL's reading)."""
    ontologies = set(g.subjects(RDF.type, OWL.Ontology))
    declarations: set[Node] = set()
    for given in g.objects(constraint, SH.prefixes):
        declarations.update(g.objects(given, SH.declare))
        if given not in ontologies:
            for ontology in ontologies:
                declarations.update(g.objects(ontology, SH.declare))
    lines = sorted(f"PREFIX {g.value(d, SH.prefix)}: <{g.value(d, SH.namespace)}>\n"
                   for d in declarations)
    return "".join(lines)


def _oxigraph(t: Term) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    if t[0] == "<":
        return ox.NamedNode(t[1:-1])
    if t[0] == "_":
        return ox.BlankNode(t[2:])
    n = node_literal(t)
    if n.language:
        return ox.Literal(str(n), language=n.language)
    return ox.Literal(str(n), datatype=ox.NamedNode(n.datatype) if n.datatype else None)


def _term(t: Any, data: Data) -> Term:
    """An Oxigraph term as the document's N-Triples term."""
    if isinstance(t, ox.NamedNode):
        return f"<{t.value}>"
    if isinstance(t, ox.BlankNode):
        return f"_:{t.value}"
    if isinstance(t, ox.Literal):
        text = literal_text(t.value)
        if t.language:
            return f"{text}@{t.language}"
        if t.datatype.value == str(XSD.string):
            explicit = f"{text}^^{_XSD_STRING}"
            return explicit if not data.holds(text) and data.holds(explicit) else text
        return f"{text}^^<{t.datatype.value}>"
    raise UnsupportedShapeError(f"a SPARQL constraint returned {t!r}, not an RDF term")


_COMPONENTS: dict[URIRef, Maker] = {
    SH.minCount: _min_count, SH.maxCount: _max_count, SH["class"]: _class,
    SH.datatype: _datatype, SH.nodeKind: _node_kind, SH["in"]: _in,
    SH.minInclusive: _range(lambda c: c >= 0, SH.minInclusive),
    SH.minExclusive: _range(lambda c: c > 0, SH.minExclusive),
    SH.maxInclusive: _range(lambda c: c <= 0, SH.maxInclusive),
    SH.maxExclusive: _range(lambda c: c < 0, SH.maxExclusive),
    SH.minLength: _min_length, SH.maxLength: _max_length, SH.pattern: _pattern,
    SH.uniqueLang: _unique_lang, SH.lessThan: _compare_pair(True, SH.lessThan),
    SH.lessThanOrEquals: _compare_pair(False, SH.lessThanOrEquals), SH.disjoint: _disjoint,
    SH["or"]: _or, SH.node: _node, SH.qualifiedValueShape: _qualified, SH.sparql: _sparql,
}
