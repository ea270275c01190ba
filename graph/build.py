"""The build loop: files -> documents -> their named graphs -> the store.

Each file is extracted, turned into its graphs (one per language version), passed through
the build steps (validation and reasoning plug in here: a step takes the document and its
graphs and returns the graphs to load, or raises :class:`DocumentRejectedError`) and loaded
with one atomic :meth:`Store.replace_graphs`.  A file that fails is reported by name and
not loaded; the others are.
"""
from __future__ import annotations

import contextlib
import hashlib
import itertools
import multiprocessing
import os
import time
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from multiprocessing.queues import Queue
from pathlib import Path

from rdflib import Graph, URIRef
from rdflib.namespace import DCTERMS, PROV

from rightsgraph import __version__
from rightsgraph.core import identifiers, sparql
from rightsgraph.core.errors import RightsgraphError
from rightsgraph.core.known_symbols import (
    TABLE,
    Known,
    KnownSymbols,
    KnownTableError,
    read_table,
)
from rightsgraph.core.namespaces import HRO
from rightsgraph.core.processes import die_with_parent, settle_garbage_collector
from rightsgraph.extract import ExtractionError, extract_file
from rightsgraph.extract.model import Document
from rightsgraph.extract.output import link_rows
from rightsgraph.extract.pipeline import known_entry, unresolved_citations
from rightsgraph.extract.readers import SUFFIXES
from rightsgraph.extract.triples import Triples, document_triples, software_graph
from rightsgraph.graph.search import GraphRows, SearchIndex, document_rows
from rightsgraph.graph.store import Store, bound

Step = Callable[[Document, dict[str, Triples]], dict[str, Triples]]
Progress = Callable[["BuildReport", int, int], None]


class DocumentRejectedError(RightsgraphError):
    """Raised by a build step to keep a document out of the store; the message says why."""


@dataclass
class BuildReport:
    """What a build did; ``failures`` and ``notes`` are messages that name their file."""

    files: int = 0
    documents: int = 0
    paragraphs: int = 0
    links: Counter = field(default_factory=Counter)
    warnings: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    triples: int = 0
    seconds: float = 0.0
    dropped: list[str] = field(default_factory=list)
    holdings: Holdings | None = None
    unchanged: int = 0  # files skipped: the store holds them, made by this extractor version

    @property
    def ok(self) -> bool:
        return not self.failures


@dataclass(frozen=True)
class Holdings:
    """What a store holds: its documents (symbols), the language versions of each, and
    its size in quads."""

    documents: dict[str, list[str]]  # symbol -> languages, sorted
    quads: int

    @property
    def languages(self) -> Counter:
        """How many documents each language has a version of."""
        return Counter(lang for langs in self.documents.values() for lang in langs)

    def __str__(self) -> str:
        languages = ", ".join(f"{lang} {n}" for lang, n in sorted(self.languages.items()))
        return (f"{len(self.documents)} documents ({languages or 'no language version'}), "
                f"{self.quads} quads")


def holdings(store: Store) -> Holdings:
    """What ``store`` holds now, whatever loaded it (one query and a count)."""
    documents: dict[str, set[str]] = {}
    for row in store.query(_VERSIONS).rows():
        documents.setdefault(row["symbol"] or bound(row, "work"), set()).add(
            bound(row, "language"))
    return Holdings({symbol: sorted(langs) for symbol, langs in sorted(documents.items())},
                    len(store))


# The language versions held, each with its named graph, its work and the work's symbol.
_VERSIONS = f"""SELECT DISTINCT ?graph ?work ?symbol ?language WHERE {{
  GRAPH ?graph {{ ?version a <{HRO.LanguageVersion}> ; <{HRO.realizes}> ?work ;
                           <{DCTERMS.language}> ?language . }}
  OPTIONAL {{ ?work <{DCTERMS.identifier}> ?symbol }} }}"""


# The language versions held, with the SHA-256 of their source file and their extractor.
_SOURCES = f"""SELECT DISTINCT ?graph ?sha256 ?agent WHERE {{
  GRAPH ?graph {{ ?version <{HRO.sha256}> ?sha256 ; <{PROV.wasGeneratedBy}> ?run .
                  ?run <{PROV.wasAssociatedWith}> ?agent . }} }}"""


def unchanged_files(store: Store, files: Iterable[Path]) -> dict[Path, list[str]]:
    """The files the store already holds as they are: same content (SHA-256 of the file,
    as the provenance of each language version records it) and made by this version of the
    extractor; each with the graphs it made (its inferences beside them)."""
    agent = str(identifiers.agent_uri(__version__))
    held: dict[str, list[str]] = {}
    for row in store.query(_SOURCES).rows():
        if row["agent"] == agent and row["graph"] and row["sha256"]:
            held.setdefault(row["sha256"], []).append(row["graph"])
    found = {}
    for path in files:
        graphs = held.get(hashlib.sha256(path.read_bytes()).hexdigest())
        if graphs:
            found[path] = [name for graph in graphs
                           for name in (graph, inferred_graph_name(graph))]
    return found


def drop_others(store: Store, kept: set[str]) -> list[str]:
    """Drop every language version whose named graph is not in ``kept``, with its
    inferences: one atomic step per document, so a reader never sees half a document.
    Returns the symbols of the documents that lost versions (``CMW/C/AZE/CO/3 (en)``)."""
    by_work: dict[str, tuple[str, list[str], list[str]]] = {}
    for row in store.query(_VERSIONS).rows():
        if row["graph"] in kept:
            continue
        work, graph = bound(row, "work"), bound(row, "graph")
        _, graphs, languages = by_work.setdefault(work, (row["symbol"] or work, [], []))
        graphs += [graph, inferred_graph_name(graph)]
        languages.append(bound(row, "language"))
    dropped = []
    for symbol, graphs, languages in sorted(by_work.values()):
        store.drop_graphs(graphs)
        dropped.append(f"{symbol} ({', '.join(sorted(languages))})")
    return dropped


def find_files(paths: Iterable[str | Path]) -> tuple[list[Path], list[str]]:
    """The files the readers know (``.txt``, ``.docx``, ``.pdf``, ``.html``…) given, or
    under the folders given (recursively), sorted; and a message for each path that does
    not exist."""
    files: set[Path] = set()
    missing = []
    for path in map(Path, paths):
        if path.is_file():
            files.add(path)
        elif path.is_dir():
            files.update(f for f in path.rglob("*")
                         if f.is_file() and f.suffix.lower() in SUFFIXES)
        else:
            missing.append(f"{path}: no such file or folder")
    return sorted(files), missing


def document_graphs(doc: Document) -> dict[str, Triples]:
    """The named graphs of one extracted document, IRI -> its triples (its language
    version's, :func:`.triples.document_triples`): made once, read by every step."""
    triples = document_triples(doc)
    return {triples.name: triples}


def validation_step(doc: Document, graphs: dict[str, Triples]) -> dict[str, Triples]:
    """Refuse a document whose graphs do not conform to the shapes; keep its warnings.
    The shapes are compiled once per process (:func:`.validate.validate_compiled`)."""
    from rightsgraph.graph.validate import validate_compiled

    report = validate_compiled(graphs.values())
    doc.warnings.extend(f"{doc.source}: {result}" for result in report.warnings)
    if not report.conforms:
        shown = "\n  ".join(str(result) for result in report.violations[:20])
        more = len(report.violations) - 20
        raise DocumentRejectedError(
            f"{doc.source}: does not conform to the shapes, not loaded "
            f"({len(report.violations)} violations):\n  {shown}"
            + (f"\n  … and {more} more" if more > 0 else ""))
    return graphs


def reasoning_step(doc: Document, graphs: dict[str, Triples]) -> dict[str, Triples]:
    """Add, beside each language version's graph, the graph of what OWL-RL infers from it."""
    from rightsgraph.graph.reason import infer

    out = dict(graphs)
    for name, triples in graphs.items():
        inferred = inferred_graph_name(name)
        out[inferred] = Triples(inferred, infer(triples))
    return out


def inferred_graph_name(name: str) -> str:
    """``{base}graph/CMW/C/AZE/CO/3/zh`` -> ``{base}graph/CMW/C/AZE/CO/3/zh/inferred``."""
    return f"{name}/inferred"


STANDARD_STEPS: tuple[Step, ...] = (validation_step, reasoning_step)


def support_graphs() -> dict[str, Graph]:
    """The graphs every store carries beside the documents: the registries (SKOS), the
    ontology, the shapes and the extractor (software), each in a named graph
    ``{base}graph/<name>``."""
    from rightsgraph.graph.rdfio import ontology
    from rightsgraph.graph.skos import registries_graph
    from rightsgraph.graph.validate import shapes

    root = identifiers.base() + "graph/"
    makers: dict[str, Callable[[], Graph]] = {
        "registries": registries_graph, "ontology": ontology, "shapes": shapes,
        "software": software_graph}
    return {root + name: makers[name]() for name in SUPPORT_GRAPHS}


SUPPORT_GRAPHS = ("registries", "ontology", "shapes", "software")


def missing_support_graphs(store: Store, base: str | None = None) -> list[str]:
    """The support graphs (:func:`support_graphs`) ``store`` lacks.  ``build`` writes them
    after the documents, so a store whose first build was killed has none: it is
    incomplete, and ``serve`` says so."""
    root = (base or identifiers.base()) + "graph/"
    # one lookup per graph, not a list of every graph: that is a scan on some stores
    # (Virtuoso, on the 1.6 million quads of the benchmark corpus: minutes)
    return [root + name for name in SUPPORT_GRAPHS
            if not store.query(f"ASK {{ GRAPH {sparql.iri(root + name)} {{ ?s ?p ?o }} }}")
            .boolean]


def reiteration_chains_graph(store: Store) -> dict[str, Graph]:
    """The chains of reiterations across documents, from the ``hro:reiterates`` links of the
    whole store, in the graph ``{base}graph/inferred/reiteration-chains``."""
    from rightsgraph.graph.reason import reiteration_chains

    rows = store.query(sparql.bind("SELECT DISTINCT ?s ?o WHERE { ?s ?reiterates ?o }",
                                   reiterates=sparql.iri(HRO.reiterates))).rows()
    links = [(URIRef(bound(row, "s")), HRO.reiterates, URIRef(bound(row, "o"))) for row in rows]
    return {identifiers.base() + "graph/inferred/reiteration-chains": reiteration_chains(links)}


@dataclass
class Prepared:
    """One file made ready to load: its graphs as N-Triples (cheap to send between processes)
    and what the report needs, or the reason it failed."""

    path: Path
    graphs: dict[str, NTriples] = field(default_factory=dict)
    paragraphs: int = 0
    links: Counter = field(default_factory=Counter)
    warnings: list[str] = field(default_factory=list)
    failure: str | None = None
    known: tuple[str, Known] | None = None  # what the document adds to the documents known
    unresolved: tuple[str, ...] = ()  # older symbols it cites whose State it could not tell
    search: list[GraphRows] = field(default_factory=list)  # its rows of the search index
    names: tuple[str, ...] = ()  # its graphs' names, kept once it is loaded

    def release(self) -> None:
        """Forget the graphs and rows once loaded (megabytes per document); keep the rest."""
        self.names = tuple(self.graphs)
        self.graphs = {}
        self.search = []


@dataclass(frozen=True)
class NTriples:
    """A graph already serialised as N-Triples; :meth:`Store.replace_graphs` takes it as it
    takes an rdflib graph (it only asks for its size and its N-Triples).  Kept as UTF-8
    bytes (``utf8``): they cross the pipe from a worker and go to the store's spool as they
    are, where text would be decoded by the pipe and encoded again for the spool."""

    utf8: bytes
    count: int

    @classmethod
    def of(cls, triples: Triples) -> NTriples:
        return cls(triples.ntriples().encode(), len(triples))

    def serialize(self, format: str = "nt", **_: object) -> str:  # noqa: A002 - rdflib's name
        if format not in ("nt", "ntriples"):
            raise ValueError(f"an N-Triples graph cannot be written as {format}")
        return self.utf8.decode()

    def __len__(self) -> int:
        return self.count


def prepare(path: Path, steps: Sequence[Step] = STANDARD_STEPS,
            known: KnownSymbols | None = None, search: bool = False) -> Prepared:
    """Extract one file (``known``: whose observations the older symbols it cites are) and
    pass it through ``steps`` (and, with ``search``, make its rows of the search index);
    never raises for a bad document."""
    try:
        doc = extract_file(path, known=known)
        graphs = document_graphs(doc)
        for step in steps:
            graphs = step(doc, graphs)
    except (ExtractionError, DocumentRejectedError, ValueError) as err:
        message = str(err) if str(path) in str(err) else f"{path}: {err}"
        return Prepared(path, failure=message)
    return Prepared(path, graphs={name: NTriples.of(g) for name, g in graphs.items()},
                    paragraphs=len(doc.paragraphs),
                    links=Counter(row["relation"] for row in link_rows(doc)),
                    warnings=list(doc.warnings), known=known_entry(doc),
                    unresolved=unresolved_citations(doc),
                    search=document_rows(graphs) if search else [])


def _prepared(files: list[Path], steps: Sequence[Step], workers: int,
              known: KnownSymbols, search: bool = False,
              meanwhile: Callable[[], object] | None = None) -> Iterator[Prepared]:
    """Prepared files in order: in this process, or in ``workers`` processes (extraction,
    validation and reasoning are CPU-bound and independent per document).  ``meanwhile``
    is called once, while the workers start (in this process: first)."""
    if workers <= 1 or len(files) < 2 * workers:
        if meanwhile is not None:
            meanwhile()
        yield from (prepare(path, steps, known, search) for path in files)
        return
    context = multiprocessing.get_context("spawn")
    # The workers die with this process, even when it is killed (issue #10: they stayed,
    # holding the build's output pipes); started from this thread, which outlives them.
    # They take what the standard steps compile once from this process (_worker_start).
    # At most two documents per worker wait to be loaded: ``pool.map`` would submit every
    # file at once and keep each prepared document (megabytes of N-Triples) until this
    # process loads it, so memory grew with the corpus whenever loading was the slower side.
    # What the standard steps compile once (the rules, the registry facts: ~0.85 s) is
    # compiled here while the workers start (~1 s: a process and its imports), and handed
    # to them through ``handoff`` once made (_worker_start waits for it).
    handoff = context.Queue()
    handoff.cancel_join_thread()  # a worker that never read it must not hold this process
    with ProcessPoolExecutor(max_workers=workers, mp_context=context,
                             initializer=_worker_start,
                             initargs=(os.getpid(), handoff)) as pool:
        queued = iter(files)
        pending = deque(pool.submit(prepare, path, steps, known, search)
                        for path in itertools.islice(queued, 2 * workers))
        compiled: dict | None = None
        try:
            compiled = _compiled_once(steps)
        finally:  # None: the workers stop (the error is this process's to raise)
            for _ in range(workers):
                handoff.put(compiled)
        if meanwhile is not None:
            meanwhile()  # this process would only wait for the first document
        while pending:
            item = pending.popleft().result()
            following = next(queued, None)
            if following is not None:
                pending.append(pool.submit(prepare, following, steps, known, search))
            yield item


def _compiled_once(steps: Sequence[Step]) -> dict:
    """What the standard steps among ``steps`` compile once per process (the reasoning
    rules, the registry facts validation adds), compiled here for every worker: each
    would otherwise spend 2.7 s of CPU on it as it starts."""
    from rightsgraph.graph import reason, validate

    compiled: dict = {}
    if reasoning_step in steps:
        compiled["rules"] = reason.rules()
    if validation_step in steps:
        base = identifiers.base()
        compiled["facts"] = (base, validate.registry_fact_terms(base))
    return compiled


def _worker_start(parent: int, handoff: Queue) -> None:
    """A worker's start: it dies with ``parent`` (the build), runs below the build's own
    threads (:data:`WORKER_NICE`), and takes what the build compiled once
    (:func:`_compiled_once`) from ``handoff``, once the build has made it."""
    from rightsgraph.graph import reason, validate

    die_with_parent(parent)
    with contextlib.suppress(OSError):
        os.nice(WORKER_NICE)
    compiled = handoff.get()
    if compiled is None:
        raise RightsgraphError("the build could not compile its steps")
    if "rules" in compiled:
        reason.adopt_rules(compiled["rules"])
    if "facts" in compiled:
        validate.adopt_registry_fact_terms(*compiled["facts"])
    settle_garbage_collector()


WORKER_NICE = 10  # the workers yield to the build's bulk loads (niceness 0): the loads keep
# pace with the documents, and little is left to load after the last one (decision 0011)


KNOWN_QUERY = """
PREFIX hro: <https://rightsgraph.org/ontology#>
PREFIX dcterms: <http://purl.org/dc/terms/>
SELECT ?symbol ?committee ?state (GROUP_CONCAT(DISTINCT STR(?number); separator=" ") AS ?reports)
       (GROUP_CONCAT(DISTINCT ?other; separator=" ") AS ?others)
WHERE {
    ?document a hro:ConcludingObservations ; hro:languageVersion ?version ;
        dcterms:identifier ?symbol ; hro:committee ?committee ; hro:stateParty ?state .
    OPTIONAL { ?document hro:reportNumber ?number }
    OPTIONAL { ?document hro:otherSymbol ?other }
}
GROUP BY ?symbol ?committee ?state
"""


def known_symbols(store: Store, listed: Iterable[tuple[str, Known]] = ()) -> KnownSymbols:
    """The concluding observations the store holds, as :class:`KnownSymbols`: whose
    observations each symbol is, so that a later document citing an older symbol of the same
    State (``CRC/C/15/Add.77`` names none) links to its recommendations.  ``listed``: those
    a cache folder lists (:func:`listed_symbols`); what the store holds wins."""
    entries = []
    for row in store.query(KNOWN_QUERY).rows():
        reports = tuple(sorted(int(n) for n in (row["reports"] or "").split()))
        others = tuple((row["others"] or "").split())
        committee = (row["committee"] or "").rsplit("/", 1)[-1] or None
        state = (row["state"] or "").rsplit("/", 1)[-1]
        if row["symbol"] and state:
            entries.append((row["symbol"], Known(committee, state, reports, others)))
    return KnownSymbols().adding(listed).adding(entries)


def listed_symbols(paths: Iterable[str | Path], report: BuildReport,
                   ) -> list[tuple[str, Known]]:
    """The documents the folders among ``paths`` list in their ``known-symbols.tsv``
    (written by ``rightsgraph fetch --uhri``); a table that cannot be read is a failure of
    the build, named, and left out."""
    listed: list[tuple[str, Known]] = []
    for folder in map(Path, paths):
        table = folder / TABLE
        if folder.is_dir() and table.is_file():
            try:
                rows = read_table(table)
            except (OSError, KnownTableError) as err:
                report.failures.append(str(err))
                continue
            listed += rows
            report.notes.append(f"{len(rows)} concluding observations known from {table} "
                                "(whose older symbols cited are)")
    return listed


BULK_QUADS = 50_000  # quads of prepared documents a fresh build keeps before spooling them
# (~10 MB of N-Triples): the local store bulk-loads what it spooled in calls of its
# spool_quads, smaller toward the end, which this granularity allows (decision 0011)


class _Loader:
    """Loads prepared files into the store, then their rows into the ``index``, and counts
    them in the report.  Into a store that was empty (``bulk``: a fresh build) documents
    are gathered :data:`BULK_QUADS` at a time and added with :meth:`Store.add_new_graphs`
    (the local store spools them and bulk-loads them in calls of its ``SPOOL_QUADS``);
    otherwise, and for a graph loaded twice in one build, each document is one atomic
    :meth:`Store.replace_graphs`.  A loaded document keeps only what the report needs (its
    graphs and rows are released): memory stays flat in the number of documents."""

    def __init__(self, store: Store, report: BuildReport, loaded_from: dict[str, Path],
                 index: SearchIndex | None, bulk: bool) -> None:
        self.store, self.report, self.loaded_from, self.index = store, report, loaded_from, index
        self.bulk = bulk
        self.batch: list[Prepared] = []
        self.batch_quads = 0
        self.to_come = 0  # files still to come after the one loaded (``build`` says)
        self.quads, self.documents = 0, 0  # added in bulk so far: quads per document

    def load(self, item: Prepared) -> None:
        report = self.report
        if item.failure is not None:
            report.failures.append(item.failure)
            return
        if self.bulk and not any(name in self.loaded_from for name in item.graphs):
            self.batch.append(item)
            self.batch_quads += sum(len(graph) for graph in item.graphs.values())
            if self.batch_quads >= BULK_QUADS:
                self.flush()
        else:
            self.flush()
            self.store.replace_graphs(item.graphs)
            if self.index is not None:
                self.index.replace(item.search, self.store, commit=False)
            item.release()
        for name in item.graphs or item.names:
            if name in self.loaded_from and not name.endswith("/inferred"):
                report.notes.append(
                    f"{item.path} replaced {self.loaded_from[name]} in graph <{name}> (same "
                    "symbol and language)")
            self.loaded_from[name] = item.path
        report.documents += 1
        report.paragraphs += item.paragraphs
        report.links.update(item.links)
        report.warnings.extend(item.warnings)

    def flush(self) -> None:
        """Load the documents gathered so far: the store first, then the index."""
        if not self.batch:
            return
        self.quads += self.batch_quads
        self.documents += len(self.batch)
        # about how many quads will follow (the store makes its last loads small)
        self.store.add_new_graphs([item.graphs for item in self.batch],
                                  to_come=self.quads * self.to_come // self.documents)
        if self.index is not None:
            # no store to look facets up in: the store was empty (it has no UHRI labels),
            # and a query would make it load the spooled documents now, batch by batch
            self.index.replace([rows for item in self.batch for rows in item.search],
                               None, commit=False)
        for item in self.batch:
            item.release()
        self.batch, self.batch_quads = [], 0


def _unload(item: Prepared, report: BuildReport) -> None:
    """Take a prepared file out of the report's counts (it is about to be loaded again)."""
    if item.failure is not None:
        report.failures.remove(item.failure)
        return
    report.documents -= 1
    report.paragraphs -= item.paragraphs
    report.links.subtract(item.links)
    report.links += Counter()  # drop the kinds that fell to zero
    for warning in item.warnings:
        report.warnings.remove(warning)


def build(
    paths: Iterable[str | Path],
    store: Store,
    *,
    steps: Sequence[Step] = STANDARD_STEPS,
    progress: Progress | None = None,
    workers: int = 1,
    replace: bool = False,
    force: bool = False,
    index: SearchIndex | None = None,
) -> BuildReport:
    """Extract every file under ``paths``, pass each document through ``steps`` (by default
    validation, then reasoning) and load it into ``store``; then refresh the registries,
    ontology and shapes graphs and the cross-document reiteration chains.  With
    ``workers`` > 1, documents are prepared in that many processes and loaded here, in order.

    With ``replace``, the store ends up holding exactly the documents of ``paths``: the
    language versions it held that this build did not load are dropped (:func:`drop_others`),
    unless a file failed (its document may be among them, and nothing stored is lost for a
    file that could not be read).  ``report.holdings`` says what the store holds at the end.

    A file the store already holds as it is (:func:`unchanged_files`) is skipped and counted
    in ``report.unchanged``, unless ``force``.

    With a search ``index``, each document's rows follow its graphs into it (after the
    store: :mod:`rightsgraph.graph.search.index` says how the two are kept in step).
    """
    started = time.monotonic()
    paths = list(paths)
    files, missing = find_files(paths)
    report = BuildReport(files=len(files), failures=missing)
    loaded_from: dict[str, Path] = {}
    if index is not None:
        index.reconcile(store)  # after a build that was killed, or made without the index
    if not force and len(store) and missing_support_graphs(store):
        # A first build that did not finish (bulk-loaded, not atomic per document): every
        # file is loaded again, each in one transaction that replaces what it left.
        force = True
        report.notes.append("the store has no support graphs (its first build did not "
                            "finish): every file is loaded again")
    if not force:
        skipped = unchanged_files(store, files)
        for path, graphs in skipped.items():
            loaded_from.update(dict.fromkeys(graphs, path))
        files = [path for path in files if path not in skipped]
        report.unchanged = len(skipped)
    known = known_symbols(store, listed_symbols(paths, report))
    done: dict[Path, Prepared] = {}
    search = index is not None
    loader = _Loader(store, report, loaded_from, index, bulk=len(store) == 0)
    support: dict[str, Graph] = {}  # made while the workers start, written last
    for count, item in enumerate(_prepared(files, steps, workers, known, search,
                                           lambda: support.update(support_graphs())), 1):
        loader.to_come = len(files) - count
        loader.load(item)
        done[item.path] = item
        if progress is not None:
            progress(report, count, len(files))
    loader.flush()
    loader.bulk = False
    # A document citing an older symbol (no State in it) of observations this build loaded
    # after it: extracted again now that they are known, and loaded in its place.
    known = known.adding(item.known for item in done.values() if item.known)
    again = [path for path, item in done.items()
             if any(known.lookup(symbol) for symbol in item.unresolved)]
    for item in _prepared(again, steps, workers, known, search):
        _unload(done[item.path], report)
        loader.loaded_from = {}
        loader.load(item)
    if again:
        report.notes.append(f"{len(again)} document(s) extracted again: they cite older "
                            "observations loaded after them")
    if replace and report.failures:
        report.notes.append(f"--replace: {len(report.failures)} file(s) failed, so no document "
                            "was dropped from the store; fix them and build again")
    elif replace:
        report.dropped = drop_others(store, set(loaded_from))
    store.replace_graphs(support)
    store.replace_graphs(reiteration_chains_graph(store))
    if index is not None:
        index.commit()
        index.reconcile(store)  # drops what --replace dropped from the store
    report.holdings = holdings(store)
    report.triples = report.holdings.quads
    report.seconds = time.monotonic() - started
    return report
