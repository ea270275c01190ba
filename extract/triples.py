"""Document -> RDF: one named graph per language version of a treaty-body document.

Whatever the language of the source, facts that every language version shares (metadata,
sections, paragraph numbers and kinds, links) get the same URIs and values, so the graphs
of two versions of one document merge.  Texts, footnotes, mentions and provenance belong to
the language version.
"""
from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import PurePath

from rdflib import Dataset, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, XSD, DefinedNamespaceMeta
from rdflib.term import Node

from rightsgraph import __version__
from rightsgraph.core import identifiers, links
from rightsgraph.core.links import Kind
from rightsgraph.core.namespaces import HRO, PREFIXES
from rightsgraph.extract.model import Document, Reference

Term = str  # one RDF term written as in N-Triples: <iri>, "text"@lang, "5"^^<datatype>
Triple = tuple[Term, Term, Term]


class Triples:
    """The triples of one named graph, each term already written as in N-Triples: what the
    build makes once per document and every later step reads (validation, reasoning, the
    search index's rows, the store), instead of an rdflib graph (~10 µs to add or read one
    triple).  A set that keeps the order triples were added in."""

    __slots__ = ("_triples", "name")

    def __init__(self, name: str, triples: Iterable[Triple] = ()) -> None:
        self.name = name
        self._triples: dict[Triple, None] = dict.fromkeys(triples)

    def add(self, triple: Triple) -> None:
        self._triples[triple] = None

    def __iter__(self) -> Iterator[Triple]:
        return iter(self._triples)

    def __len__(self) -> int:
        return len(self._triples)

    def __contains__(self, triple: object) -> bool:
        return triple in self._triples

    def ntriples(self) -> str:
        return "".join([f"{s} {p} {o} .\n" for s, p, o in self._triples])

    def serialize(self, format: str = "nt", **_: object) -> str:  # noqa: A002 - rdflib's name
        """Its N-Triples (what :meth:`Store.replace_graphs` reads of a graph)."""
        if format not in ("nt", "ntriples"):
            raise ValueError(f"a graph of N-Triples terms cannot be written as {format}")
        return self.ntriples()

    def graph(self) -> Graph:
        """The same triples as an rdflib graph named ``name`` (parsed by rdflib)."""
        graph = Graph(identifier=URIRef(self.name))
        graph.parse(data=self.ntriples(), format="nt")
        return graph

    @classmethod
    def of(cls, graph: Graph, name: str | None = None) -> Triples:
        """An rdflib graph's triples (a dataset's union), written as rdflib writes
        N-Triples."""
        return cls(name if name is not None else str(graph.identifier),
                   ((term(s), term(p), term(o)) for s, p, o in graph.triples((None, None, None))))


def term(node: Node) -> Term:
    """An rdflib term written as in N-Triples (as rdflib's N-Triples serializer writes it)."""
    if isinstance(node, Literal):
        return _nt_literal(node)
    if isinstance(node, URIRef):
        return f"<{node}>"
    return node.n3()


_ESCAPES = {"t": "\t", "b": "\b", "n": "\n", "r": "\r", "f": "\f", '"': '"', "'": "'",
            "\\": "\\"}
_ESCAPE = re.compile(r"\\(u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|.)")


def _unescape(match: re.Match[str]) -> str:
    code = match.group(1)
    return chr(int(code[1:], 16)) if len(code) > 1 else _ESCAPES.get(code, code)


def value(node: Term) -> str:
    """What a term stands for: an IRI's text, a literal's lexical form (unescaped), as
    ``str()`` of an rdflib term gives it."""
    if node[0] != '"':
        return node[1:-1] if node[0] == "<" else node[2:]
    body = node[1:node.rindex('"')]
    return _ESCAPE.sub(_unescape, body) if "\\" in body else body


def language(node: Term) -> str | None:
    """A literal's language tag, if it has one."""
    if node[0] != '"':
        return None
    tail = node[node.rindex('"') + 1:]
    return tail[1:] if tail.startswith("@") else None


def literal_text(value: str) -> Term:
    """A plain string literal, escaped as rdflib's N-Triples serializer escapes it."""
    return '"' + (value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')
                  .replace("\r", "\\r")) + '"'


def document_triples(
    doc: Document, *, base: str | None = None, generated_at: datetime | None = None
) -> Triples:
    """The triples of one language version of ``doc``, in the named graph of that version.

    ``base`` overrides the URI base (:func:`identifiers.base`); ``generated_at`` is the time the
    extraction started (now, by default).  Raises ``ValueError`` if the document has no
    symbol or no language: its URIs are made from them.
    """
    symbol, language = _identity(doc)
    triples = Triples(str(identifiers.graph_uri(symbol, language, base=base)))
    _Writer(triples, doc, symbol, language, base).write(generated_at or datetime.now(UTC))
    return triples


def to_graph(
    doc: Document, *, base: str | None = None, generated_at: datetime | None = None
) -> Dataset:
    """The RDF of one language version of ``doc`` (:func:`document_triples`) as an rdflib
    dataset, in the named graph of that version."""
    triples = document_triples(doc, base=base, generated_at=generated_at)
    dataset = Dataset(default_union=True)
    for prefix, namespace in PREFIXES.items():
        dataset.bind(prefix, namespace)
    dataset.graph(URIRef(triples.name)).parse(data=triples.ntriples(), format="nt")
    return dataset


def _identity(doc: Document) -> tuple[str, str]:
    """The symbol and language its URIs are made from; ``ValueError`` when it lacks one."""
    if not doc.symbol:
        raise ValueError(
            f"{doc.source}: not loaded: no UN document symbol (such as CMW/C/AZE/CO/3) in its "
            "header, and none can be made from a committee, a State and report numbers; this "
            "does not look like concluding observations of a UN treaty body (every URI of a "
            "document is made from its symbol)")
    if not doc.language:
        raise ValueError(f"{doc.source}: no language detected, and the URIs of a language "
                         "version need one")
    return doc.symbol, doc.language


def software_graph(*, base: str | None = None) -> Graph:
    """The extractor (this version) as a ``prov:SoftwareAgent`` with its label.  Stated once,
    in a graph of its own beside the registries, not in every document graph: a label
    repeated in N document graphs makes N solutions of every query that follows it in
    the union default graph (one per quad)."""
    graph = Graph()
    agent = identifiers.agent_uri(__version__, base=base)
    graph.add((agent, RDF.type, PROV.SoftwareAgent))
    graph.add((agent, RDFS.label, Literal(f"rightsgraph {__version__}")))
    return graph


def _nt_literal(node: Literal) -> Term:
    text = literal_text(str(node))
    if node.language:
        return f"{text}@{node.language}"
    return f"{text}^^<{node.datatype}>" if node.datatype else text


class _Names:
    """A namespace whose attributes are its IRIs written as N-Triples terms (``<…>``),
    each made once (rdflib's namespace attributes are slow lookups)."""

    def __init__(self, namespace: Namespace | DefinedNamespaceMeta) -> None:
        self._namespace = namespace

    def __getattr__(self, name: str) -> Term:
        value = f"<{self._namespace[name]}>"
        setattr(self, name, value)
        return value


_HRO, _RDF, _RDFS, _DCTERMS, _PROV = map(_Names, (HRO, RDF, RDFS, DCTERMS, PROV))
_INTEGER = f"<{XSD.integer}>"


@lru_cache(maxsize=4096)  # not @cache: each document brings its own timestamp and dates
def _typed(value: str, datatype: URIRef) -> Term:
    """A literal of ``datatype`` with the lexical form rdflib gives it (which normalises
    some: ``P18M`` is written ``P1Y6M``)."""
    return term(Literal(value, datatype=datatype))


def _date(value: str) -> Term:
    return _typed(value, XSD.date)


def _partial_date(value: str) -> Term:
    """A date at the precision printed: "2026-11-01" (xsd:date), "2027-06" (xsd:gYearMonth),
    "2026" (xsd:gYear)."""
    return _typed(value, {10: XSD.date, 7: XSD.gYearMonth, 4: XSD.gYear}.get(len(value), XSD.date))


def _int(value: int) -> Term:
    return f'"{int(value)}"^^{_INTEGER}'


def _language(code: str) -> Term:
    return _typed(code, XSD.language)


def _iri(node: str) -> Term:
    return f"<{node}>"


class _Writer:
    """Writes one document's triples; URIs are minted with the document's symbol."""

    def __init__(
        self, triples: Triples, doc: Document, symbol: str, language: str, base: str | None
    ) -> None:
        self.add: Callable[[Triple], None] = triples.add  # (s, p, o), each a Term
        self.doc = doc
        self.symbol = symbol
        self.language = language
        self.base = base or identifiers.base()
        self.work = _iri(identifiers.document_uri(symbol, base=base))
        self.version = _iri(identifiers.expression_uri(symbol, language, base=base))
        self._paragraphs: dict[int, Term] = {}
        self._footnotes: dict[str, Term] = {}
        self._texts: dict[str, Term] = {}
        self._sections: dict[tuple[str, int | None], Term] = {}
        self._items: dict[tuple[int, str], Term] = {}
        # the node of each target (a kind and notation) and cited document (a symbol and
        # class) already written: what they add again is in the graph already
        self._targets: dict[tuple[str, str], Term | None] = {}
        self._cited: dict[tuple[str, Term | None], Term] = {}

    def text(self, value: str) -> Term:
        return f"{literal_text(value)}@{self.language}"

    def paragraph(self, number: int) -> Term:
        node = self._paragraphs.get(number)
        if node is None:
            node = self._paragraphs[number] = _iri(
                identifiers.paragraph_uri(self.symbol, number, base=self.base))
        return node

    def section(self, section: str, subheading: int | None = None) -> Term:
        node = self._sections.get((section, subheading))
        if node is None:
            node = self._sections[section, subheading] = _iri(
                identifiers.section_uri(self.symbol, section, subheading, base=self.base))
        return node

    def item(self, number: int, label: str) -> Term:
        node = self._items.get((number, label))
        if node is None:
            node = self._items[number, label] = _iri(
                identifiers.item_uri(self.symbol, number, label, base=self.base))
        return node

    def footnote(self, footnote: str) -> Term:
        node = self._footnotes.get(footnote)
        if node is None:
            node = self._footnotes[footnote] = _iri(
                identifiers.footnote_uri(self.symbol, self.language, footnote, base=self.base))
        return node

    def write(self, generated_at: datetime) -> None:
        self.write_work()
        self.write_version(generated_at)
        headings = self.write_sections()
        self.write_paragraphs()
        self.write_footnotes()
        self.write_references(headings)

    # --- the work and its language version --------------------------------------------

    def write_work(self) -> None:
        doc, work, add = self.doc, self.work, self.add
        is_co = doc.document_type == "concluding observations"
        add((work, _RDF.type, _HRO.ConcludingObservations if is_co else _HRO.TreatyBodyDocument))
        self.identify(work, self.symbol)
        for other in doc.other_symbols:
            add((work, _HRO.otherSymbol, literal_text(other)))
        if doc.committee:
            add((work, _HRO.committee, self.committee(doc.committee)))
        if doc.treaty:
            add((work, _HRO.treaty, _iri(identifiers.treaty_uri(doc.treaty, base=self.base))))
        if doc.state:
            add((work, _HRO.stateParty, self.state(doc.state)))
        for number in doc.report_numbers:
            add((work, _HRO.reportNumber, _int(number)))
        if doc.session is not None:
            add((work, _HRO.session, _int(doc.session)))
        if doc.session_dates:
            add((work, _HRO.sessionStart, _date(doc.session_dates[0])))
        if len(doc.session_dates) > 1:
            add((work, _HRO.sessionEnd, _date(doc.session_dates[-1])))
        if doc.distributed_on:
            add((work, _DCTERMS.issued, _date(doc.distributed_on)))
        for meeting in doc.considered_at_meetings:
            add((work, _HRO.consideredAtMeeting, _int(meeting)))
        for day in doc.considered_on:
            add((work, _HRO.consideredOn, _date(day)))
        if doc.adopted_at_meeting is not None:
            add((work, _HRO.adoptedAtMeeting, _int(doc.adopted_at_meeting)))
        if doc.adopted_on:
            add((work, _HRO.adoptedOn, _date(doc.adopted_on)))
        if doc.state_party_report:
            report = self.cited_document(doc.state_party_report, _HRO.StatePartyReport)
            add((work, _HRO.statePartyReport, report))
        if doc.list_of_issues:
            issues = self.cited_document(doc.list_of_issues, _HRO.ListOfIssues)
            add((work, _HRO.listOfIssues, issues))
        for symbol in doc.summary_records:
            add((work, _HRO.summaryRecord, self.cited_document(symbol, _HRO.SummaryRecord)))
        for symbol in doc.previous_observations:
            # earlier observations on the same State by the same committee, whatever the
            # symbol says (old symbols such as CRC/C/15/Add.140 name neither)
            previous = self.cited_document(symbol, _HRO.ConcludingObservations)
            if doc.state:
                add((previous, _HRO.stateParty, self.state(doc.state)))
            if doc.committee:
                add((previous, _HRO.committee, self.committee(doc.committee)))
            add((work, _HRO.previousObservations, previous))
        for number in doc.follow_up_paragraphs:
            add((work, _HRO.followUpParagraph, self.paragraph(number)))
        if doc.follow_up_deadline:
            add((work, _HRO.followUpDeadline, _partial_date(doc.follow_up_deadline)))
        if doc.follow_up_within:
            add((work, _HRO.followUpWithin, _typed(doc.follow_up_within, XSD.duration)))
        if doc.follow_up_deadline_derived:
            add((work, _HRO.derivedFollowUpDeadline, _date(doc.follow_up_deadline_derived)))
        for number in doc.next_report_numbers:
            add((work, _HRO.nextReportNumber, _int(number)))
        if doc.next_report_due:
            add((work, _HRO.nextReportDue, _partial_date(doc.next_report_due)))
        if doc.original_language:
            add((work, _HRO.originalLanguage, _language(doc.original_language)))

    def write_version(self, generated_at: datetime) -> None:
        doc, version, work, add = self.doc, self.version, self.work, self.add
        add((version, _RDF.type, _HRO.LanguageVersion))
        add((version, _HRO.realizes, work))
        add((work, _HRO.languageVersion, version))
        add((version, _DCTERMS.language, _language(self.language)))
        add((version, _RDFS.seeAlso, _iri(identifiers.undocs_url(self.symbol, self.language))))
        add((version, _DCTERMS.source, literal_text(PurePath(doc.source).name)))
        if doc.sha256:
            add((version, _HRO.sha256, literal_text(doc.sha256)))
        if doc.truncated:
            add((version, _HRO.truncated, term(Literal(True))))
        activity = _iri(identifiers.activity_uri(self.symbol, self.language, base=self.base))
        agent = _iri(identifiers.agent_uri(__version__, base=self.base))
        add((version, _PROV.wasGeneratedBy, activity))
        add((activity, _RDF.type, _PROV.Activity))
        add((activity, _PROV.startedAtTime, term(Literal(generated_at))))
        add((activity, _PROV.wasAssociatedWith, agent))

    # --- structure -----------------------------------------------------------------------

    def write_sections(self) -> dict[int, Term]:
        """Section nodes; returns the node of each heading, keyed by ``id(heading)``.

        Lettered sections and numbered clusters are named by their label (``C.1``); the
        n-th thematic subheading inside C.1 is ``C.1/n`` and lists the paragraphs under it.
        """
        add, work = self.add, self.work
        nodes: dict[int, Term] = {}
        subheadings: Counter[str] = Counter()
        for heading in self.doc.headings:
            if heading.level >= 3:
                subheadings[heading.section] += 1
                node = self.section(heading.section, subheadings[heading.section])
                parent: str | None = heading.section
                for number in heading.paragraphs:
                    add((node, _HRO.hasParagraph, self.paragraph(number)))
            else:
                node = self.section(heading.section)
                parent = heading.section.rpartition(".")[0] or None
                add((node, _HRO.label, literal_text(heading.section)))
            add((node, _RDF.type, _HRO.Section))
            add((node, _HRO.heading, self.text(heading.text)))
            add((node, _DCTERMS.isPartOf, work))
            add((work, _HRO.hasSection, node))
            if parent:
                add((node, _HRO.inSection, self.section(parent)))
            nodes[id(heading)] = node
        return nodes

    def write_paragraphs(self) -> None:
        add, work = self.add, self.work
        kinds = ((_HRO.Recommendation, "recommendation"), (_HRO.Concern, "concern"),
                 (_HRO.PositiveAspect, "positive"))
        for paragraph in self.doc.paragraphs:
            node = self.paragraph(paragraph.number)
            add((node, _RDF.type, _HRO.Paragraph))
            for cls, flag in kinds:
                if getattr(paragraph, flag):
                    add((node, _RDF.type, cls))
            add((node, _HRO.number, _int(paragraph.number)))
            add((node, _HRO.text, self.text(paragraph.text)))
            add((node, _DCTERMS.isPartOf, work))
            add((work, _HRO.hasParagraph, node))
            if paragraph.section:
                add((node, _HRO.inSection, self.section(paragraph.section)))
            for item in paragraph.items:
                sub = self.item(paragraph.number, item.label)
                add((sub, _RDF.type, _HRO.SubItem))
                add((sub, _HRO.label, literal_text(item.label)))
                add((sub, _HRO.text, self.text(paragraph.text[item.start : item.end])))
                add((sub, _DCTERMS.isPartOf, node))
                add((node, _HRO.hasSubItem, sub))
            for footnote in paragraph.footnotes:
                add((node, _HRO.hasFootnote, self.footnote(footnote)))
                add((self.footnote(footnote), _HRO.footnoteOf, node))

    def write_footnotes(self) -> None:
        add = self.add
        for footnote in self.doc.footnotes.values():
            node = self.footnote(footnote.id)
            add((node, _RDF.type, _HRO.Footnote))
            add((node, _HRO.label, literal_text(footnote.id)))
            add((node, _HRO.text, self.text(footnote.text)))
            add((node, _DCTERMS.isPartOf, self.version))

    # --- references ----------------------------------------------------------------------

    def write_references(self, headings: dict[int, Term]) -> None:
        """A direct link and a mention for each reference, numbered in document order."""
        add = self.add
        for n, (paragraph, heading, ref) in enumerate(self.doc.references(), start=1):
            owner = headings[id(heading)] if paragraph is None else self.paragraph(paragraph.number)
            target = self.target(ref)
            link = links.link_property(ref.kind, ref.relation)
            if target is not None and link is not None:
                add((owner, _iri(link), target))
            mention = _iri(identifiers.mention_uri(self.symbol, self.language, n, base=self.base))
            add((owner, _HRO.mention, mention))
            add((mention, _RDF.type, _HRO.Mention))
            if target is not None:
                add((mention, _HRO.mentionOf, target))
            add((mention, _HRO.linkKind, literal_text(ref.kind)))
            if ref.target:
                add((mention, _HRO.notation, literal_text(ref.target)))
            if ref.item and paragraph is not None:
                add((mention, _HRO.inSubItem, self.item(paragraph.number, ref.item)))
            add((mention, _HRO.matchedText, self.text(ref.text)))
            add((mention, _HRO.spanStart, _int(ref.start)))
            add((mention, _HRO.spanEnd, _int(ref.end)))
            container = owner
            if ref.container == "footnote":
                assert ref.footnote is not None  # a footnote's reference names it
                container = self.footnote(ref.footnote)
            add((mention, _HRO.inContainer, container))
            add((mention, _HRO.inLanguageVersion, self.version))

    def target(self, ref: Reference) -> Term | None:
        """The node a reference points at (the URI its link kind mints); ``None`` for kinds
        without URIs.  Registry items (articles, treaties, ILO instruments, SDG targets,
        general comments) are described by the registry graph, not repeated in every
        document graph; what no registry holds is described here: a provision below an
        article, a cited UN document or paragraph."""
        key = (ref.kind, ref.target)
        if key not in self._targets:
            self._targets[key] = self._target(ref)
        return self._targets[key]

    def _target(self, ref: Reference) -> Term | None:
        kind = links.KINDS[ref.kind]
        if kind.target is None:
            return None
        if kind.name is Kind.ARTICLE:
            return self.article(ref.target)
        if kind.registry is None:
            return self.pinpoint(ref.target)
        return _iri(kind.target(ref.target, base=self.base))

    # --- nodes of other things -------------------------------------------------------------

    def committee(self, committee: str) -> Term:
        return _iri(identifiers.committee_uri(committee, base=self.base))

    def state(self, alpha3: str) -> Term:
        return _iri(identifiers.state_uri(alpha3, base=self.base))

    def article(self, notation: str) -> Term:
        """``ICRMW/8(1)``: a provision below an article.  Articles are registry items; a
        provision is not, so the document graph says which article it is part of."""
        node = _iri(identifiers.provision_uri(notation, base=self.base))
        parent, bracket, _ = notation.rpartition("(")
        if bracket:
            self.add((node, _RDF.type, _HRO.Provision))
            self.add((node, _DCTERMS.isPartOf, self.article(parent)))
        return node

    def identify(self, node: Term, symbol: str) -> None:
        self.add((node, _DCTERMS.identifier, literal_text(symbol)))
        self.add((node, _RDFS.seeAlso, _iri(identifiers.undocs_url(symbol))))

    def cited_document(self, symbol: str, cls: Term | None = None) -> Term:
        """Another document; a concluding-observations symbol also gives its committee,
        State and report numbers, so the node joins up with that document once loaded."""
        node = self._cited.get((symbol, cls))
        if node is not None:
            return node
        add = self.add
        node = self._cited[symbol, cls] = _iri(identifiers.document_uri(symbol, base=self.base))
        self.identify(node, symbol)
        if cls is not None:
            add((node, _RDF.type, cls))
        parts = identifiers.parse_symbol(symbol)
        if parts["state"]:
            add((node, _RDF.type, _HRO.ConcludingObservations))
            add((node, _HRO.stateParty, self.state(parts["state"])))
            for number in parts["report_numbers"] or ():  # an old symbol names a session
                add((node, _HRO.reportNumber, _int(number)))
        if parts["committee"]:
            add((node, _HRO.committee, self.committee(parts["committee"])))
        return node

    def pinpoint(self, notation: str) -> Term:
        """``SYMBOL`` or ``SYMBOL#pinpoint``: the document, or a paragraph node part of it."""
        symbol, pinpoint = identifiers.split_pinpoint(notation)
        document = self.cited_document(symbol)
        if pinpoint is None:
            return document
        node = _iri(identifiers.paragraph_uri(symbol, pinpoint, base=self.base))
        self.add((node, _RDF.type, _HRO.Paragraph))
        self.add((node, _DCTERMS.isPartOf, document))
        if pinpoint.isdigit():
            self.add((node, _HRO.number, _int(int(pinpoint))))
        else:
            self.add((node, _HRO.label, literal_text(pinpoint)))
        return node
