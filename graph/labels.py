"""OHCHR's own labels of each paragraph (the Universal Human Rights Index: themes, affected
persons, SDG targets), as a layer of the graph beside the links the extractor found.

``rightsgraph labels uhri EXPORT.json`` streams the export (:mod:`rightsgraph.core.uhri`),
matches each record of concluding observations to a paragraph of the store (its symbol,
case and look-alike letters aside, and the paragraph number its text starts with; when the
store holds the English version, the text must agree too) and loads:

* ``{base}graph/labels/uhri/{symbol}``, one named graph per document: one
  ``hro:UhriAnnotation`` per record (``{base}labels/uhri/annotation/{AnnotationId}``) that
  ``hro:annotates`` the paragraph with ``hro:uhriTheme``, ``hro:uhriAffectedPersons`` (SKOS
  concepts) and ``hro:uhriSdg`` (the UN's SDG target or goal URI), its record id
  (``dcterms:identifier``), type and publication date, ``prov:wasDerivedFrom`` the export;
* ``{base}graph/labels/uhri``: the export as a ``prov:Entity`` (file name, SHA-256, date,
  records read) and the two SKOS concept schemes built from it (``{base}uhri/themes``,
  ``{base}uhri/affected-persons``), labelled in the export's language.

Nothing is guessed: a record whose document the store does not hold, whose text has no
paragraph number, whose number is not a paragraph of the document or whose text differs
from the held English paragraph is counted and listed as unmatched, never loaded.  The
extractor's own graphs are never touched; re-loading replaces the label graphs.
"""
from __future__ import annotations

import difflib
import hashlib
import os
import re
from collections import Counter, OrderedDict, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, SKOS, XSD

from rightsgraph.core import identifiers, registries
from rightsgraph.core.identifiers import parse_symbol
from rightsgraph.core.namespaces import HRO
from rightsgraph.core.uhri import (
    SCHEMES,
    Record,
    concept_uri,
    records,
    scheme_uri,
    slug,
    symbol_key,
)
from rightsgraph.graph.store import Store, bound

UHRI_HOME = URIRef("https://uhri.ohchr.org/en")
SIMILARITY = 0.6  # least share of matching text for a record to be the held paragraph
LISTED = 20  # unmatched records named one by one in the report


def labels_root(base: str | None = None) -> str:
    return (base or identifiers.base()) + "graph/labels/uhri"


def labels_graph(symbol: str, base: str | None = None) -> str:
    return f"{labels_root(base)}/{quote(symbol, safe='/()')}"


@dataclass
class Unmatched:
    record: str  # AnnotationId
    index: int
    symbol: str | None
    paragraph: int | None
    reason: str

    def __str__(self) -> str:
        where = f"{self.symbol or '(no symbol)'}" + (
            f" para. {self.paragraph}" if self.paragraph is not None else "")
        return f"record {self.index} ({self.record or 'no AnnotationId'}), {where}: {self.reason}"


@dataclass
class LabelReport:
    records: int = 0
    other: int = 0  # not concluding observations (UPR, special procedures…)
    matched: int = 0
    confirmed: int = 0  # of the matched, their text agreed with the held English paragraph
    documents: int = 0
    themes: int = 0
    affected: int = 0
    unmatched: list[Unmatched] = field(default_factory=list)
    reasons: Counter = field(default_factory=Counter)
    sdg_unknown: Counter = field(default_factory=Counter)
    seconds: float = 0.0


@dataclass
class _Paragraphs:
    numbers: set[int]
    english: dict[int, str]


class _HeldDocuments:
    """What the store holds of each document, asked once per document (a few at a time)."""

    def __init__(self, store: Store, size: int = 64) -> None:
        self.store = store
        rows = store.query(
            "SELECT DISTINCT ?id WHERE { ?doc a hro:ConcludingObservations ; "
            "dcterms:identifier ?id ; hro:languageVersion ?v }").rows()
        self.symbols = {symbol_key(s): s for s in (bound(row, "id") for row in rows)}
        self._cache: OrderedDict[str, _Paragraphs] = OrderedDict()
        self.size = size

    def paragraphs(self, symbol: str) -> _Paragraphs:
        if symbol in self._cache:
            self._cache.move_to_end(symbol)
            return self._cache[symbol]
        doc = identifiers.document_uri(symbol)
        rows = self.store.query(
            f"SELECT ?n ?text WHERE {{ ?p a hro:Paragraph ; dcterms:isPartOf <{doc}> ; "
            "hro:number ?n . OPTIONAL { ?p hro:text ?text FILTER(lang(?text) = 'en') } }").rows()
        found = _Paragraphs(set(), {})
        for row in rows:
            number = int(bound(row, "n"))
            found.numbers.add(number)
            if text := row.get("text"):
                found.english[number] = text
        self._cache[symbol] = found
        if len(self._cache) > self.size:
            self._cache.popitem(last=False)
        return found


def _normal(text: str) -> str:
    return re.sub(r"\W+", " ", text).casefold().strip()


def same_text(record_text: str, held: str) -> bool:
    """The record's paragraph and the held one agree: the start of one is mostly the start
    of the other (UHRI's copy may differ in spaces, quotes and footnote marks)."""
    a, b = _normal(record_text)[:400], _normal(held)[:400]
    if not a or not b:
        return False
    return a[:80] in b or difflib.SequenceMatcher(None, a, b, autojunk=False).ratio() >= SIMILARITY


class _HashingReader:
    """A binary file that hashes what is read from it (the export is read once)."""

    def __init__(self, path: str | os.PathLike) -> None:
        self.fh = open(path, "rb")  # noqa: SIM115 - closed by close()
        self.sha = hashlib.sha256()

    def read(self, n: int = -1) -> bytes:
        data = self.fh.read(n)
        self.sha.update(data)
        return data

    def close(self) -> None:
        self.fh.close()


def load_uhri(export: str | os.PathLike, store: Store, *, language: str = "en",
              date: str | None = None, base: str | None = None,
              progress: Callable[[LabelReport], None] | None = None) -> LabelReport:
    """Load the labels of ``export`` into ``store``; the report counts and lists the rest."""
    import time

    started = time.monotonic()
    base = base or identifiers.base()
    held = _HeldDocuments(store)
    targets = registries.load().sdg_targets
    goals = registries.load().sdg_goals
    report = LabelReport()
    themes: dict[str, str] = {}
    affected: dict[str, str] = {}
    per_document: dict[str, list[tuple[Record, int]]] = defaultdict(list)
    reader = _HashingReader(export)
    try:
        for record in records(export, reader):
            report.records += 1
            for label in record.themes:
                themes.setdefault(slug(label), label)
            for label in record.affected:
                affected.setdefault(slug(label), label)
            if progress and report.records % 10000 == 0:
                progress(report)
            number = _match(record, held, report)
            if number is not None:  # kept without its text: memory follows the labels only
                per_document[held.symbols[symbol_key(record.symbol or "")]].append(
                    (replace(record, text="", body_text="", heading=None), number))
        while reader.read(1 << 20):  # hash what follows the array, if anything
            pass
    finally:
        reader.close()
    export_uri = URIRef(f"{base}labels/uhri/export")
    when = date or datetime.fromtimestamp(Path(export).stat().st_mtime, UTC).date().isoformat()
    common = _common_graph(export, reader.sha.hexdigest(), when, report.records, themes,
                           affected, language, base, export_uri)
    old = {name for name in store.graphs() if name.startswith(labels_root(base) + "/")}
    written = set()
    # one document's labels at a time (made, written, let go), the schemes last
    for symbol in list(per_document):
        name = labels_graph(symbol, base)
        graph = _document_graph(symbol, per_document.pop(symbol), targets, goals, report,
                                language, base, export_uri)
        _stamp(graph, name, symbol, base, export_uri)
        store.replace_graphs({name: graph})
        written.add(name)
    report.documents = len(written)
    report.themes, report.affected = len(themes), len(affected)
    store.drop_graphs(old - written)
    store.replace_graphs({labels_root(base): common})
    report.seconds = time.monotonic() - started
    return report


def _match(record: Record, held: _HeldDocuments, report: LabelReport) -> int | None:
    def miss(reason: str, key: str) -> None:
        report.reasons[key] += 1
        report.unmatched.append(Unmatched(record.id, record.index, record.symbol,
                                          record.paragraph, reason))

    if not record.symbol:
        miss("no Symbol", "no symbol")
        return None
    symbol = held.symbols.get(symbol_key(record.symbol))
    if symbol is None:
        if parse_symbol(record.symbol)["kind"] is None:
            report.other += 1  # UPR, special procedures
        else:
            report.reasons["document not in the store"] += 1  # counted, not listed one by one
        return None
    if record.paragraph is None:
        miss("its Text starts with no paragraph number", "no paragraph number")
        return None
    paragraphs = held.paragraphs(symbol)
    if record.paragraph not in paragraphs.numbers:
        miss(f"{symbol} has no paragraph {record.paragraph}", "no such paragraph")
        return None
    english = paragraphs.english.get(record.paragraph)
    if english is not None:
        if not same_text(record.body_text, english):
            miss(f"its text differs from paragraph {record.paragraph} of the English version "
                 f"held ({record.body_text[:60]!r}…)", "text differs")
            return None
        report.confirmed += 1
    report.matched += 1
    return record.paragraph


def _concept(kind: str, label: str, base: str) -> URIRef:
    return URIRef(concept_uri(kind, label, base))


def _scheme(kind: str, base: str) -> URIRef:
    return URIRef(scheme_uri(kind, base))


def _common_graph(export: str | os.PathLike, sha256: str, when: str, count: int,
                  themes: dict[str, str], affected: dict[str, str], language: str, base: str,
                  export_uri: URIRef) -> Graph:
    graph = Graph()
    graph.add((export_uri, RDF.type, PROV.Entity))
    graph.add((export_uri, RDF.type, HRO.UhriExport))
    title = Literal("Universal Human Rights Index export", lang="en")
    graph.add((export_uri, DCTERMS.title, title))
    graph.add((export_uri, DCTERMS.source, Literal(Path(export).name)))
    graph.add((export_uri, DCTERMS.publisher, UHRI_HOME))
    graph.add((export_uri, HRO.exportSha256, Literal(sha256)))
    graph.add((export_uri, DCTERMS.date, Literal(when, datatype=XSD.date)))
    graph.add((export_uri, HRO.recordCount, Literal(count, datatype=XSD.integer)))
    graph.add((export_uri, DCTERMS.language, Literal(language)))
    for kind, labels in (("theme", themes), ("affected", affected)):
        scheme = _scheme(kind, base)
        graph.add((scheme, RDF.type, SKOS.ConceptScheme))
        graph.add((scheme, SKOS.prefLabel, Literal(SCHEMES[kind][1], lang="en")))
        graph.add((scheme, PROV.wasDerivedFrom, export_uri))
        for name, label in labels.items():
            concept = _concept(kind, name, base)
            graph.add((concept, RDF.type, SKOS.Concept))
            graph.add((concept, SKOS.inScheme, scheme))
            graph.add((concept, SKOS.topConceptOf, scheme))
            graph.add((scheme, SKOS.hasTopConcept, concept))
            graph.add((concept, SKOS.prefLabel, Literal(label, lang=language)))
    return graph


def _document_graph(symbol: str, matched: list[tuple[Record, int]], targets: dict, goals: dict,
                    report: LabelReport, language: str, base: str, export_uri: URIRef) -> Graph:
    graph = Graph()
    for record, number in matched:
        node = URIRef(f"{base}labels/uhri/annotation/{quote(record.id, safe='')}")
        graph.add((node, RDF.type, HRO.UhriAnnotation))
        graph.add((node, HRO.annotates, identifiers.paragraph_uri(symbol, number, base=base)))
        graph.add((node, DCTERMS.identifier, Literal(record.id)))
        graph.add((node, PROV.wasDerivedFrom, export_uri))
        if record.annotation_type:
            graph.add((node, HRO.uhriAnnotationType, Literal(record.annotation_type, lang="en")))
        if record.published:
            graph.add((node, DCTERMS.issued, Literal(record.published, datatype=XSD.date)))
        for label in record.themes:
            graph.add((node, HRO.uhriTheme, _concept("theme", label, base)))
        for label in record.affected:
            graph.add((node, HRO.uhriAffectedPersons, _concept("affected", label, base)))
        for sdg in record.sdgs:
            known = goals if sdg.is_goal else targets
            if sdg.notation in known:
                graph.add((node, HRO.uhriSdg, identifiers.sdg_uri(sdg.notation)))
            else:
                report.sdg_unknown[sdg.notation] += 1
    return graph


def _stamp(graph: Graph, name: str, symbol: str, base: str, export_uri: URIRef) -> None:
    """The graph says which document its labels are of and their digest (the SHA-256 of its
    sorted N-Triples): the full-text index compares it with the digest it indexed the
    document's paragraphs with (:func:`rightsgraph.graph.search.rows.store_stamps`)."""
    lines = sorted(line for line in graph.serialize(format="nt").splitlines() if line.strip())
    digest = hashlib.sha256("\n".join(lines).encode()).hexdigest()
    node = URIRef(name)
    graph.add((node, RDF.type, PROV.Entity))
    graph.add((node, DCTERMS.subject, identifiers.document_uri(symbol, base=base)))
    graph.add((node, PROV.wasDerivedFrom, export_uri))
    graph.add((node, HRO.labelsSha256, Literal(digest)))


# --- the labels in another language ------------------------------------------------------


@dataclass
class TranslationReport:
    language: str
    records: int = 0
    matched: int = 0  # records whose AnnotationId is an annotation loaded
    translated: Counter = field(default_factory=Counter)  # kind -> concepts labelled
    untranslated: dict[str, list[str]] = field(default_factory=dict)  # kind -> concept slugs
    seconds: float = 0.0


def translations_graph(language: str, base: str | None = None) -> str:
    """The graph of the labels in ``language`` of the UHRI concepts."""
    return f"{labels_root(base)}-{language}"


def loaded_language(store: Store, base: str | None = None) -> str | None:
    """The language of the UHRI export whose labels the store holds (``None``: none)."""
    rows = store.query(f"""SELECT ?language WHERE {{ GRAPH <{labels_root(base)}> {{
        ?export a <{HRO.UhriExport}> . OPTIONAL {{ ?export <{DCTERMS.language}> ?language }}
        }} }}""").rows()
    first = next(iter(rows), None)
    return (first.get("language") or "en") if first is not None else None


def translate_uhri(export: str | os.PathLike, store: Store, *, language: str,
                   date: str | None = None, base: str | None = None) -> TranslationReport:
    """Label the themes and affected persons already loaded (from an export in another
    language) in ``language``, from the export of the same records in that language.

    A record is the same record when its ``AnnotationId`` is the id of an annotation loaded.
    A concept's label is the one label that every such record of the concept carries (the
    intersection of their labels of that kind), once the labels found for other concepts are
    set aside; a concept left with none or several is not labelled, and listed.  Nothing
    else changes: the concepts, the annotations and the index stay as they are."""
    import time

    started = time.monotonic()
    base = base or identifiers.base()
    root = labels_root(base)
    loaded: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    kinds = {str(HRO.uhriTheme): "theme", str(HRO.uhriAffectedPersons): "affected"}
    for row in store.query(f"""SELECT ?id ?rel ?concept WHERE {{ GRAPH ?g {{
            ?a a <{HRO.UhriAnnotation}> ; <{DCTERMS.identifier}> ?id ; ?rel ?concept .
            VALUES ?rel {{ <{HRO.uhriTheme}> <{HRO.uhriAffectedPersons}> }} }}
            FILTER(STRSTARTS(STR(?g), "{root}/")) }}""").rows():
        loaded[bound(row, "id")][kinds[bound(row, "rel")]].add(bound(row, "concept"))
    report = TranslationReport(language)
    candidates: dict[str, dict[str, set[str]]] = {"theme": {}, "affected": {}}
    reader = _HashingReader(export)
    try:
        for record in records(export, reader):
            report.records += 1
            concepts = loaded.get(record.id)
            if concepts is None:
                continue
            report.matched += 1
            for kind, shared in (("theme", set(record.themes)),
                                 ("affected", set(record.affected))):
                for concept in concepts.get(kind, ()):
                    held = candidates[kind].get(concept)
                    candidates[kind][concept] = set(shared) if held is None else held & shared
        while reader.read(1 << 20):
            pass
    finally:
        reader.close()
    graph = Graph()
    export_uri = URIRef(f"{base}labels/uhri/export/{language}")
    graph.add((export_uri, RDF.type, PROV.Entity))
    graph.add((export_uri, RDF.type, HRO.UhriExport))
    graph.add((export_uri, DCTERMS.source, Literal(Path(export).name)))
    graph.add((export_uri, DCTERMS.publisher, UHRI_HOME))
    graph.add((export_uri, HRO.exportSha256, Literal(reader.sha.hexdigest())))
    when = date or datetime.fromtimestamp(Path(export).stat().st_mtime, UTC).date().isoformat()
    graph.add((export_uri, DCTERMS.date, Literal(when, datatype=XSD.date)))
    graph.add((export_uri, HRO.recordCount, Literal(report.records, datatype=XSD.integer)))
    graph.add((export_uri, DCTERMS.language, Literal(language)))
    node = URIRef(translations_graph(language, base))
    graph.add((node, RDF.type, PROV.Entity))
    graph.add((node, PROV.wasDerivedFrom, export_uri))
    for kind, found in candidates.items():
        labels = _resolve(found)
        report.translated[kind] = len(labels)
        report.untranslated[kind] = sorted(c.rsplit("/", 1)[-1] for c in found
                                           if c not in labels)
        for concept, label in labels.items():
            graph.add((URIRef(concept), SKOS.prefLabel, Literal(label, lang=language)))
    store.replace_graphs({str(node): graph})
    report.seconds = time.monotonic() - started
    return report


def _resolve(candidates: dict[str, set[str]]) -> dict[str, str]:
    """Concept -> its one label: concepts with a single candidate first, their labels then
    set aside for the others, until nothing changes; a label two concepts claim is no one's."""
    found: dict[str, str] = {}
    left = {concept: set(labels) for concept, labels in candidates.items()}
    while True:
        single = {c: next(iter(ls)) for c, ls in left.items() if len(ls) == 1}
        if not single:
            break
        claimed = Counter(single.values())
        for concept, label in single.items():
            del left[concept]
            if claimed[label] == 1:
                found[concept] = label
        taken = set(single.values())
        left = {c: ls - taken for c, ls in left.items()}
    return found


def format_translation(report: TranslationReport) -> str:
    lines = [f"{report.records} records read in {report.seconds:.1f} s, {report.matched} of "
             f"them the records loaded (by AnnotationId): labels in {report.language} for "
             f"{report.translated['theme']} themes and {report.translated['affected']} affected "
             "persons (the concepts, annotations and search index are unchanged)"]
    for kind, name in (("theme", "themes"), ("affected", "affected persons")):
        if report.untranslated.get(kind):
            lines.append(f"{name} without a {report.language} label (no record, or no single "
                         f"label common to their records): "
                         + ", ".join(report.untranslated[kind][:LISTED])
                         + (" …" if len(report.untranslated[kind]) > LISTED else ""))
    return "\n".join(lines)


# --- the agreement report ----------------------------------------------------------------

AGREEMENT = """
SELECT ?para ?kind ?sdg WHERE {
  { GRAPH ?g { ?a a hro:UhriAnnotation ; hro:annotates ?para } FILTER(STRSTARTS(STR(?g), ?root))
    BIND("labelled" AS ?kind) }
  UNION
  { GRAPH ?g { ?a hro:annotates ?para ; hro:uhriSdg ?sdg } FILTER(STRSTARTS(STR(?g), ?root))
    BIND("uhri" AS ?kind) }
  UNION
  { ?para hro:refersToSdgTarget ?sdg BIND("text" AS ?kind) }
}"""


@dataclass
class Agreement:
    committee: str
    paragraphs: int = 0  # labelled by UHRI
    with_sdg: int = 0  # of those, with an SDG on either side
    both: int = 0  # targets tagged by UHRI and cited by the text
    uhri_only: int = 0
    text_only: int = 0
    goals: int = 0  # UHRI goal-level tags
    goals_cited: int = 0  # of which the text cites a target of that goal
    same: int = 0  # paragraphs where the two sets of targets are equal (and not empty)

    @property
    def jaccard(self) -> float | None:
        union = self.both + self.uhri_only + self.text_only
        return self.both / union if union else None


def agreement(store: Store, base: str | None = None) -> list[Agreement]:
    """Per committee, how UHRI's SDG tags and the SDG targets the text cites agree, over the
    paragraphs UHRI labels."""
    root = labels_root(base) + "/"
    query = AGREEMENT.replace("?root", f'"{root}"')
    labelled: set[str] = set()
    uhri: dict[str, set[str]] = defaultdict(set)
    text: dict[str, set[str]] = defaultdict(set)
    for found in store.query(query).rows():
        para, kind, sdg = bound(found, "para"), found["kind"], found.get("sdg")
        if kind == "labelled":
            labelled.add(para)
        elif sdg:
            (uhri if kind == "uhri" else text)[para].add(sdg.rsplit("/", 1)[-1])
    out: dict[str, Agreement] = {}
    for para in sorted(labelled):
        symbol = para.split("/doc/", 1)[-1].rsplit("/para/", 1)[0]
        committee = parse_symbol(symbol)["committee"] or "?"
        row = out.setdefault(committee, Agreement(committee))
        row.paragraphs += 1
        tags, cited = uhri.get(para, set()), text.get(para, set())
        goal_tags = {t for t in tags if "." not in t}
        target_tags = tags - goal_tags
        if tags or cited:
            row.with_sdg += 1
        row.both += len(target_tags & cited)
        row.uhri_only += len(target_tags - cited)
        row.text_only += len(cited - target_tags)
        row.goals += len(goal_tags)
        row.goals_cited += sum(1 for g in goal_tags if any(c.split(".")[0] == g for c in cited))
        if target_tags and target_tags == cited:
            row.same += 1
    return [out[c] for c in sorted(out)]



# --- what the command line prints ----------------------------------------------------------


def format_report(report: LabelReport) -> str:
    lines = [f"{report.records} records read in {report.seconds:.1f} s: {report.matched} "
             f"matched to paragraphs of {report.documents} documents ({report.confirmed} "
             f"confirmed by the English text held), {report.other} not on concluding "
             "observations",
             f"{report.themes} themes, {report.affected} affected persons"]
    unmatched = sum(report.reasons.values())
    lines.append(f"unmatched: {unmatched}" + (" (" + ", ".join(
        f"{reason} {n}" for reason, n in report.reasons.most_common()) + ")" if unmatched else ""))
    for item in report.unmatched[:LISTED]:
        lines.append(f"  {item}")
    if len(report.unmatched) > LISTED:
        lines.append(f"  … and {len(report.unmatched) - LISTED} more (--unmatched FILE lists all)")
    if report.sdg_unknown:
        lines.append("SDG tags not in the registry (not loaded): " + ", ".join(
            f"{notation} ×{n}" for notation, n in sorted(report.sdg_unknown.items())))
    return "\n".join(lines)


def write_unmatched(report: LabelReport, path: Path) -> None:
    rows = ["index\tannotation_id\tsymbol\tparagraph\treason"]
    rows += [f"{u.index}\t{u.record}\t{u.symbol or ''}\t"
             f"{'' if u.paragraph is None else u.paragraph}\t{u.reason}" for u in report.unmatched]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")


def format_agreement(rows: list[Agreement]) -> str:
    if not rows:
        return "no UHRI labels in the store (load them with: rightsgraph labels uhri EXPORT.json)"
    head = ("committee", "paragraphs", "with SDG", "same", "both", "UHRI only", "text only",
            "agreement", "goal tags", "goal cited")
    table = [head]
    for r in rows:
        share = "-" if r.jaccard is None else f"{r.jaccard:.2f}"
        table.append((r.committee, str(r.paragraphs), str(r.with_sdg), str(r.same), str(r.both),
                      str(r.uhri_only), str(r.text_only), share, str(r.goals),
                      str(r.goals_cited)))
    widths = [max(len(row[i]) for row in table) for i in range(len(head))]
    out = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
           for row in table]
    out.append("paragraphs: labelled by UHRI; same: UHRI's targets equal the text's; both / "
               "UHRI only / text only: SDG targets; agreement: both / (both + UHRI only + "
               "text only); goal tags: UHRI tags a whole goal, cited: the text cites a target "
               "of it")
    return "\n".join(out)
