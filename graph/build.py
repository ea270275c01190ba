"""The build loop: files -> documents -> their named graphs -> the store.

Each file is extracted, turned into its graphs (one per language version), passed through
the build steps (validation and reasoning plug in here: a step takes the document and its
graphs and returns the graphs to load, or raises :class:`DocumentRejectedError`) and loaded
with one atomic :meth:`Store.replace_graphs`.  A file that fails is reported by name and
not loaded; the others are.
"""
from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Graph, URIRef
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID

from ..extract import ExtractionError, extract_file, to_graph, uris
from ..extract.model import Document
from ..extract.output import link_rows
from ..extract.readers import SUFFIXES
from ..extract.uris import HRO
from .store import Store

Step = Callable[[Document, dict[str, Graph]], dict[str, Graph]]
Progress = Callable[["BuildReport", int, int], None]


class DocumentRejectedError(Exception):
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

    @property
    def ok(self) -> bool:
        return not self.failures


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


def document_graphs(doc: Document) -> dict[str, Graph]:
    """The named graphs of one extracted document, IRI -> graph."""
    dataset = to_graph(doc)
    return {str(graph.identifier): graph for graph in dataset.graphs()
            if graph.identifier != DATASET_DEFAULT_GRAPH_ID and len(graph)}


def validation_step(doc: Document, graphs: dict[str, Graph]) -> dict[str, Graph]:
    """Refuse a document whose graphs do not conform to the shapes; keep its warnings."""
    from .validate import validate

    data = Graph()
    for graph in graphs.values():
        for triple in graph:
            data.add(triple)
    report = validate(data)
    doc.warnings.extend(f"{doc.source}: {result}" for result in report.warnings)
    if not report.conforms:
        shown = "\n  ".join(str(result) for result in report.violations[:20])
        more = len(report.violations) - 20
        raise DocumentRejectedError(
            f"{doc.source}: does not conform to the shapes, not loaded "
            f"({len(report.violations)} violations):\n  {shown}"
            + (f"\n  … and {more} more" if more > 0 else ""))
    return graphs


def reasoning_step(doc: Document, graphs: dict[str, Graph]) -> dict[str, Graph]:
    """Add, beside each language version's graph, the graph of what OWL-RL infers from it."""
    from .reason import infer

    out = dict(graphs)
    for name, graph in graphs.items():
        out[inferred_graph_name(name)] = infer(graph)
    return out


def inferred_graph_name(name: str) -> str:
    """``{base}graph/CMW/C/AZE/CO/3/zh`` -> ``{base}graph/CMW/C/AZE/CO/3/zh/inferred``."""
    return f"{name}/inferred"


STANDARD_STEPS: tuple[Step, ...] = (validation_step, reasoning_step)


def support_graphs() -> dict[str, Graph]:
    """The graphs every store carries beside the documents: the registries (SKOS), the
    ontology and the shapes, each in a named graph ``{base}graph/<name>``."""
    from .skos import registries_graph
    from .validate import ontology, shapes

    root = uris.base() + "graph/"
    return {root + "registries": registries_graph(), root + "ontology": ontology(),
            root + "shapes": shapes()}


def reiteration_chains_graph(store: Store) -> dict[str, Graph]:
    """The chains of reiterations across documents, from the ``hro:reiterates`` links of the
    whole store, in the graph ``{base}graph/inferred/reiteration-chains``."""
    from .reason import reiteration_chains

    rows = store.query(f"SELECT DISTINCT ?s ?o WHERE {{ ?s <{HRO.reiterates}> ?o }}").rows()
    links = [(URIRef(row["s"]), HRO.reiterates, URIRef(row["o"])) for row in rows]
    return {uris.base() + "graph/inferred/reiteration-chains": reiteration_chains(links)}


def build(
    paths: Iterable[str | Path],
    store: Store,
    *,
    steps: Sequence[Step] = STANDARD_STEPS,
    progress: Progress | None = None,
) -> BuildReport:
    """Extract every file under ``paths``, pass each document through ``steps`` (by default
    validation, then reasoning) and load it into ``store``; then refresh the registries,
    ontology and shapes graphs and the cross-document reiteration chains."""
    started = time.monotonic()
    files, missing = find_files(paths)
    report = BuildReport(files=len(files), failures=missing)
    loaded_from: dict[str, Path] = {}
    for done, path in enumerate(files, 1):
        try:
            doc = extract_file(path)
            graphs = document_graphs(doc)
            for step in steps:
                graphs = step(doc, graphs)
        except (ExtractionError, DocumentRejectedError, ValueError) as err:
            report.failures.append(str(err) if str(path) in str(err) else f"{path}: {err}")
        else:
            store.replace_graphs(graphs)
            for name in graphs:
                if name in loaded_from:
                    report.notes.append(
                        f"{path} replaced {loaded_from[name]} in graph <{name}> (same symbol "
                        "and language)")
                loaded_from[name] = path
            report.documents += 1
            report.paragraphs += len(doc.paragraphs)
            report.links.update(row["relation"] for row in link_rows(doc))
            report.warnings.extend(doc.warnings)
        if progress is not None:
            progress(report, done, len(files))
    store.replace_graphs(support_graphs())
    store.replace_graphs(reiteration_chains_graph(store))
    report.triples = len(store)
    report.seconds = time.monotonic() - started
    return report
