"""Document -> RDF: one named graph per language version of a treaty-body document.

Whatever the language of the source, facts that every language version shares (metadata,
sections, paragraph numbers and kinds, links) get the same URIs and values, so the graphs
of two versions of one document merge.  Texts, footnotes, mentions and provenance belong to
the language version.
"""
from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from pathlib import PurePath

from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, XSD

from rightsgraph import __version__
from rightsgraph.core import identifiers, links
from rightsgraph.core.links import Kind
from rightsgraph.core.namespaces import HRO, PREFIXES
from rightsgraph.extract.model import Document, Reference


def to_graph(
    doc: Document, *, base: str | None = None, generated_at: datetime | None = None
) -> Dataset:
    """The RDF of one language version of ``doc``, in the named graph of that version.

    ``base`` overrides the URI base (:func:`identifiers.base`); ``generated_at`` is the time the
    extraction started (now, by default).  Raises ``ValueError`` if the document has no
    symbol or no language: its URIs are made from them.
    """
    symbol, language = _identity(doc)
    dataset = Dataset(default_union=True)
    for prefix, namespace in PREFIXES.items():
        dataset.bind(prefix, namespace)
    graph = dataset.graph(identifiers.graph_uri(symbol, language, base=base))
    _Writer(graph, doc, symbol, language, base).write(generated_at or datetime.now(UTC))
    return dataset


def version_graph(
    doc: Document, *, base: str | None = None, generated_at: datetime | None = None
) -> Graph:
    """The same triples as :func:`to_graph`, as one graph named after the language version,
    in rdflib's context-free store: the build's way (filling it and reading it again,
    which validation, reasoning and the index rows do, cost about half as much)."""
    symbol, language = _identity(doc)
    graph = Graph(store="SimpleMemory",
                  identifier=identifiers.graph_uri(symbol, language, base=base))
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace)
    _Writer(graph, doc, symbol, language, base).write(generated_at or datetime.now(UTC))
    return graph


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


def _date(value: str) -> Literal:
    return Literal(value, datatype=XSD.date)


def _partial_date(value: str) -> Literal:
    """A date at the precision printed: "2026-11-01" (xsd:date), "2027-06" (xsd:gYearMonth),
    "2026" (xsd:gYear)."""
    datatype = {10: XSD.date, 7: XSD.gYearMonth, 4: XSD.gYear}.get(len(value), XSD.date)
    return Literal(value, datatype=datatype)


def _int(value: int) -> Literal:
    return Literal(value, datatype=XSD.integer)


def _language(code: str) -> Literal:
    return Literal(code, datatype=XSD.language)


class _Writer:
    """Writes one document into one graph; URIs are minted with the document's symbol."""

    def __init__(
        self, graph: Graph, doc: Document, symbol: str, language: str, base: str | None
    ) -> None:
        self.graph = graph
        self.doc = doc
        self.symbol = symbol
        self.language = language
        self.base = base or identifiers.base()
        self.work = identifiers.document_uri(symbol, base=base)
        self.version = identifiers.expression_uri(symbol, language, base=base)

    def add(self, subject: URIRef, predicate: URIRef, obj: URIRef | Literal) -> None:
        self.graph.add((subject, predicate, obj))

    def text(self, value: str) -> Literal:
        return Literal(value, lang=self.language)

    def paragraph(self, number: int) -> URIRef:
        return identifiers.paragraph_uri(self.symbol, number, base=self.base)

    def section(self, section: str, subheading: int | None = None) -> URIRef:
        return identifiers.section_uri(self.symbol, section, subheading, base=self.base)

    def footnote(self, footnote: str) -> URIRef:
        return identifiers.footnote_uri(self.symbol, self.language, footnote, base=self.base)

    def write(self, generated_at: datetime) -> None:
        self.write_work()
        self.write_version(generated_at)
        headings = self.write_sections()
        self.write_paragraphs()
        self.write_footnotes()
        self.write_references(headings)

    # --- the work and its language version --------------------------------------------

    def write_work(self) -> None:
        doc, work = self.doc, self.work
        is_co = doc.document_type == "concluding observations"
        self.add(work, RDF.type, HRO.ConcludingObservations if is_co else HRO.TreatyBodyDocument)
        self.identify(work, self.symbol)
        for other in doc.other_symbols:
            self.add(work, HRO.otherSymbol, Literal(other))
        if doc.committee:
            self.add(work, HRO.committee, self.committee(doc.committee))
        if doc.treaty:
            self.add(work, HRO.treaty, self.treaty(doc.treaty))
        if doc.state:
            self.add(work, HRO.stateParty, self.state(doc.state))
        for number in doc.report_numbers:
            self.add(work, HRO.reportNumber, _int(number))
        if doc.session is not None:
            self.add(work, HRO.session, _int(doc.session))
        if doc.session_dates:
            self.add(work, HRO.sessionStart, _date(doc.session_dates[0]))
        if len(doc.session_dates) > 1:
            self.add(work, HRO.sessionEnd, _date(doc.session_dates[-1]))
        if doc.distributed_on:
            self.add(work, DCTERMS.issued, _date(doc.distributed_on))
        for meeting in doc.considered_at_meetings:
            self.add(work, HRO.consideredAtMeeting, _int(meeting))
        for day in doc.considered_on:
            self.add(work, HRO.consideredOn, _date(day))
        if doc.adopted_at_meeting is not None:
            self.add(work, HRO.adoptedAtMeeting, _int(doc.adopted_at_meeting))
        if doc.adopted_on:
            self.add(work, HRO.adoptedOn, _date(doc.adopted_on))
        if doc.state_party_report:
            report = self.cited_document(doc.state_party_report, HRO.StatePartyReport)
            self.add(work, HRO.statePartyReport, report)
        if doc.list_of_issues:
            issues = self.cited_document(doc.list_of_issues, HRO.ListOfIssues)
            self.add(work, HRO.listOfIssues, issues)
        for symbol in doc.summary_records:
            self.add(work, HRO.summaryRecord, self.cited_document(symbol, HRO.SummaryRecord))
        for symbol in doc.previous_observations:
            # earlier observations on the same State by the same committee, whatever the
            # symbol says (old symbols such as CRC/C/15/Add.140 name neither)
            previous = self.cited_document(symbol, HRO.ConcludingObservations)
            if doc.state:
                self.add(previous, HRO.stateParty, self.state(doc.state))
            if doc.committee:
                self.add(previous, HRO.committee, self.committee(doc.committee))
            self.add(work, HRO.previousObservations, previous)
        for number in doc.follow_up_paragraphs:
            self.add(work, HRO.followUpParagraph, self.paragraph(number))
        if doc.follow_up_deadline:
            self.add(work, HRO.followUpDeadline, _partial_date(doc.follow_up_deadline))
        if doc.follow_up_within:
            self.add(work, HRO.followUpWithin, Literal(doc.follow_up_within,
                                                       datatype=XSD.duration))
        if doc.follow_up_deadline_derived:
            self.add(work, HRO.derivedFollowUpDeadline, _date(doc.follow_up_deadline_derived))
        for number in doc.next_report_numbers:
            self.add(work, HRO.nextReportNumber, _int(number))
        if doc.next_report_due:
            self.add(work, HRO.nextReportDue, _partial_date(doc.next_report_due))
        if doc.original_language:
            self.add(work, HRO.originalLanguage, _language(doc.original_language))

    def write_version(self, generated_at: datetime) -> None:
        doc, version = self.doc, self.version
        self.add(version, RDF.type, HRO.LanguageVersion)
        self.add(version, HRO.realizes, self.work)
        self.add(self.work, HRO.languageVersion, version)
        self.add(version, DCTERMS.language, _language(self.language))
        self.add(version, RDFS.seeAlso, URIRef(identifiers.undocs_url(self.symbol, self.language)))
        self.add(version, DCTERMS.source, Literal(PurePath(doc.source).name))
        if doc.sha256:
            self.add(version, HRO.sha256, Literal(doc.sha256))
        if doc.truncated:
            self.add(version, HRO.truncated, Literal(True))
        activity = identifiers.activity_uri(self.symbol, self.language, base=self.base)
        agent = identifiers.agent_uri(__version__, base=self.base)
        self.add(version, PROV.wasGeneratedBy, activity)
        self.add(activity, RDF.type, PROV.Activity)
        self.add(activity, PROV.startedAtTime, Literal(generated_at))
        self.add(activity, PROV.wasAssociatedWith, agent)

    # --- structure -----------------------------------------------------------------------

    def write_sections(self) -> dict[int, URIRef]:
        """Section nodes; returns the node of each heading, keyed by ``id(heading)``.

        Lettered sections and numbered clusters are named by their label (``C.1``); the
        n-th thematic subheading inside C.1 is ``C.1/n`` and lists the paragraphs under it.
        """
        nodes: dict[int, URIRef] = {}
        subheadings: Counter[str] = Counter()
        for heading in self.doc.headings:
            if heading.level >= 3:
                subheadings[heading.section] += 1
                node = self.section(heading.section, subheadings[heading.section])
                parent: str | None = heading.section
                for number in heading.paragraphs:
                    self.add(node, HRO.hasParagraph, self.paragraph(number))
            else:
                node = self.section(heading.section)
                parent = heading.section.rpartition(".")[0] or None
                self.add(node, HRO.label, Literal(heading.section))
            self.add(node, RDF.type, HRO.Section)
            self.add(node, HRO.heading, self.text(heading.text))
            self.add(node, DCTERMS.isPartOf, self.work)
            self.add(self.work, HRO.hasSection, node)
            if parent:
                self.add(node, HRO.inSection, self.section(parent))
            nodes[id(heading)] = node
        return nodes

    def write_paragraphs(self) -> None:
        for paragraph in self.doc.paragraphs:
            node = self.paragraph(paragraph.number)
            self.add(node, RDF.type, HRO.Paragraph)
            kinds = {
                HRO.Recommendation: paragraph.recommendation,
                HRO.Concern: paragraph.concern,
                HRO.PositiveAspect: paragraph.positive,
            }
            for cls, flag in kinds.items():
                if flag:
                    self.add(node, RDF.type, cls)
            self.add(node, HRO.number, _int(paragraph.number))
            self.add(node, HRO.text, self.text(paragraph.text))
            self.add(node, DCTERMS.isPartOf, self.work)
            self.add(self.work, HRO.hasParagraph, node)
            if paragraph.section:
                self.add(node, HRO.inSection, self.section(paragraph.section))
            for item in paragraph.items:
                sub = identifiers.item_uri(self.symbol, paragraph.number, item.label,
                                           base=self.base)
                self.add(sub, RDF.type, HRO.SubItem)
                self.add(sub, HRO.label, Literal(item.label))
                self.add(sub, HRO.text, self.text(paragraph.text[item.start : item.end]))
                self.add(sub, DCTERMS.isPartOf, node)
                self.add(node, HRO.hasSubItem, sub)
            for footnote in paragraph.footnotes:
                self.add(node, HRO.hasFootnote, self.footnote(footnote))
                self.add(self.footnote(footnote), HRO.footnoteOf, node)

    def write_footnotes(self) -> None:
        for footnote in self.doc.footnotes.values():
            node = self.footnote(footnote.id)
            self.add(node, RDF.type, HRO.Footnote)
            self.add(node, HRO.label, Literal(footnote.id))
            self.add(node, HRO.text, self.text(footnote.text))
            self.add(node, DCTERMS.isPartOf, self.version)

    # --- references ----------------------------------------------------------------------

    def write_references(self, headings: dict[int, URIRef]) -> None:
        """A direct link and a mention for each reference, numbered in document order."""
        for n, (paragraph, heading, ref) in enumerate(self.doc.references(), start=1):
            owner = headings[id(heading)] if paragraph is None else self.paragraph(paragraph.number)
            target = self.target(ref)
            link = links.link_property(ref.kind, ref.relation)
            if target is not None and link is not None:
                self.add(owner, link, target)
            mention = identifiers.mention_uri(self.symbol, self.language, n, base=self.base)
            self.add(owner, HRO.mention, mention)
            self.add(mention, RDF.type, HRO.Mention)
            if target is not None:
                self.add(mention, HRO.mentionOf, target)
            self.add(mention, HRO.linkKind, Literal(ref.kind))
            if ref.target:
                self.add(mention, HRO.notation, Literal(ref.target))
            if ref.item and paragraph is not None:
                item = identifiers.item_uri(self.symbol, paragraph.number, ref.item, base=self.base)
                self.add(mention, HRO.inSubItem, item)
            self.add(mention, HRO.matchedText, self.text(ref.text))
            self.add(mention, HRO.spanStart, _int(ref.start))
            self.add(mention, HRO.spanEnd, _int(ref.end))
            container = owner
            if ref.container == "footnote":
                assert ref.footnote is not None  # a footnote's reference names it
                container = self.footnote(ref.footnote)
            self.add(mention, HRO.inContainer, container)
            self.add(mention, HRO.inLanguageVersion, self.version)

    def target(self, ref: Reference) -> URIRef | None:
        """The node a reference points at (the URI its link kind mints); ``None`` for kinds
        without URIs.  Registry items (articles, treaties, ILO instruments, SDG targets,
        general comments) are described by the registry graph, not repeated in every
        document graph; what no registry holds is described here: a provision below an
        article, a cited UN document or paragraph."""
        kind = links.KINDS[ref.kind]
        if kind.target is None:
            return None
        if kind.name is Kind.ARTICLE:
            return self.article(ref.target)
        if kind.registry is None:
            return self.pinpoint(ref.target)
        return kind.target(ref.target, base=self.base)

    # --- nodes of other things -------------------------------------------------------------

    def committee(self, committee: str) -> URIRef:
        return identifiers.committee_uri(committee, base=self.base)

    def treaty(self, treaty: str) -> URIRef:
        return identifiers.treaty_uri(treaty, base=self.base)

    def state(self, alpha3: str) -> URIRef:
        return identifiers.state_uri(alpha3, base=self.base)

    def article(self, notation: str) -> URIRef:
        """``ICRMW/8(1)``: a provision below an article.  Articles are registry items; a
        provision is not, so the document graph says which article it is part of."""
        node = identifiers.provision_uri(notation, base=self.base)
        parent, bracket, _ = notation.rpartition("(")
        if bracket:
            self.add(node, RDF.type, HRO.Provision)
            self.add(node, DCTERMS.isPartOf, self.article(parent))
        return node

    def identify(self, node: URIRef, symbol: str) -> None:
        self.add(node, DCTERMS.identifier, Literal(symbol))
        self.add(node, RDFS.seeAlso, URIRef(identifiers.undocs_url(symbol)))

    def cited_document(self, symbol: str, cls: URIRef | None = None) -> URIRef:
        """Another document; a concluding-observations symbol also gives its committee,
        State and report numbers, so the node joins up with that document once loaded."""
        node = identifiers.document_uri(symbol, base=self.base)
        self.identify(node, symbol)
        if cls is not None:
            self.add(node, RDF.type, cls)
        parts = identifiers.parse_symbol(symbol)
        if parts["state"]:
            self.add(node, RDF.type, HRO.ConcludingObservations)
            self.add(node, HRO.stateParty, self.state(parts["state"]))
            for number in parts["report_numbers"] or ():  # an old symbol names a session
                self.add(node, HRO.reportNumber, _int(number))
        if parts["committee"]:
            self.add(node, HRO.committee, self.committee(parts["committee"]))
        return node

    def pinpoint(self, notation: str) -> URIRef:
        """``SYMBOL`` or ``SYMBOL#pinpoint``: the document, or a paragraph node part of it."""
        symbol, pinpoint = identifiers.split_pinpoint(notation)
        document = self.cited_document(symbol)
        if pinpoint is None:
            return document
        node = identifiers.paragraph_uri(symbol, pinpoint, base=self.base)
        self.add(node, RDF.type, HRO.Paragraph)
        self.add(node, DCTERMS.isPartOf, document)
        if pinpoint.isdigit():
            self.add(node, HRO.number, _int(int(pinpoint)))
        else:
            self.add(node, HRO.label, Literal(pinpoint))
        return node

