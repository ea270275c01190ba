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

from rdflib import Graph
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID

from ..extract import ExtractionError, extract_file, to_graph
from ..extract.model import Document
from ..extract.output import link_rows
from .store import Store

SUFFIXES = (".txt", ".docx")

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
    """The ``.txt`` and ``.docx`` files given or under the folders given (recursively),
    sorted, and a message for each path that does not exist."""
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


def build(
    paths: Iterable[str | Path],
    store: Store,
    *,
    steps: Sequence[Step] = (),
    progress: Progress | None = None,
) -> BuildReport:
    """Extract every file under ``paths`` and load each document into ``store``."""
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
    report.triples = len(store)
    report.seconds = time.monotonic() - started
    return report
