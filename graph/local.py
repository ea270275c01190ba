"""The embedded store: pyoxigraph on disk (RocksDB), no server needed.

Atomicity: :meth:`LocalStore.replace_graphs` is one SPARQL Update request, which
pyoxigraph applies in one RocksDB transaction: a failure rolls it back, and a killed
process leaves nothing of it behind (the write batch is committed at the end or not at all).

Concurrency: RocksDB lets one process open a directory for writing (it holds the
``LOCK`` file); a second writer gets :class:`StoreLockedError`.  Any number of processes
may open it read-only (``read_only=True``) while it is being written; each such reader sees
the store as it was when it opened it (reopen to see a later build).  pyoxigraph documents
reading alongside a writer as undefined behaviour, so a server that must not be stopped
during a build should read a copy (``oxigraph backup``) or use a remote store.

Limits: pyoxigraph's Python API has no query timeout or cancellation (the Rust API and
``oxigraph serve --timeout-s`` have one); results are computed lazily, so a caller can stop
reading a large result, but a query that sorts or groups runs to completion first.
"""
from __future__ import annotations

import collections
import contextlib
import ctypes
import tempfile
import threading
import time
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import IO

import pyoxigraph as ox

from rightsgraph.core.namespaces import PREFIXES
from rightsgraph.core.sparql import Term
from rightsgraph.graph import dataset
from rightsgraph.graph.store import (
    BinarySink,
    GraphContent,
    QueryResult,
    QuerySyntaxError,
    ReadOnlyStoreError,
    Store,
    StoreError,
    StoreLockedError,
    changes,
    checked_iri,
    declares_dataset,
    dump_format,
    ntriples_utf8,
    oxigraph_output,
)


def is_store(path: Path) -> bool:
    """Whether ``path`` holds a RocksDB database (its ``CURRENT`` file names the manifest)."""
    return (path / "CURRENT").is_file()


READ_ONLY_ATTEMPTS = 5

SPOOL_QUADS = 400_000  # add_new_graphs bulk-loads its spool once it holds this many quads:
# no more than the 1M corpus's spools reach before they taper (412,000: half of what is still
# to come), so that the largest load, whose memory grows with its quads (~0.8 KB each at its
# peak), is the same at every size (500,000 made the 4x build's loads ~20 % larger than the
# 1x build's; decision 0011, 2026-12-06, third session).
# Oxigraph's bulk loader needs memory that grows with what one call loads (peak RSS 1.43 GB
# for 1.6M quads, 1.80 GB for 6.4M; a build at 4x the 1M corpus loading two million quads
# per call peaked at 1.34x the 1x build), so a build's memory stays flat in the corpus; each
# full spool loads in a thread while the next fills, so smaller calls start loading sooner
# (1M corpus, three rounds in turn: 35.6-38.3 s and 0.78 GB peak, against 37.8-44.1 s and
# 1.16 GB with a million; 38.9-44.7 s loading a million in the main thread; decision 0011)
SPOOL_FIRST = 100_000  # the first spool loads sooner: the loaders start ~2 s earlier
SPOOL_LEAST = 50_000  # toward the end a spool loads once it holds half what is still to
# come (:func:`spool_quads`), but not less than this: the load after the last document is small
SPOOL_BACKLOG = 1  # full spools waiting their turn (on disk) before add_new_graphs waits
LOADERS = 2  # spools loading at once, within LOAD_BUDGET quads (the loaders' memory):
LOAD_BUDGET = 500_000  # a full spool loads alone or beside a small one (the end's); at
# 750,000 the 1M build's 412,000 and 255,000 could load at once: its peak swung between
# 700 and 870 MB with whether they did


def spool_quads(to_come: int | None, first: bool) -> int:
    """How many quads a spool holds before it is loaded: :data:`SPOOL_FIRST` for the
    first; then :data:`SPOOL_QUADS`, or, when the caller says how many it will still add
    (``to_come``), half of that once it is less (at least :data:`SPOOL_LEAST`), so that
    the loads that remain after the last document are small and run side by side."""
    if first:
        return SPOOL_FIRST
    if to_come is None:
        return SPOOL_QUADS
    return max(SPOOL_LEAST, min(SPOOL_QUADS, to_come // 2))


FD_FOLDER = Path("/dev/fd")  # an open file by its path (Linux, macOS), for the spool
COMPACT_SHARE = 10  # closing compacts once the quads replaced or dropped reach 1/10 of the store


def _open_read_only(path: Path) -> ox.Store:
    """Open ``path`` read-only.  Beside a live writer RocksDB can list a file that the
    writer's compaction removes before it is opened ("Corruption: ... .sst"); the next
    attempt reads the new file list, so a few are made before giving up."""
    for attempt in range(READ_ONLY_ATTEMPTS):
        try:
            return ox.Store.read_only(str(path))
        except (OSError, RuntimeError):
            if attempt == READ_ONLY_ATTEMPTS - 1:
                raise
            time.sleep(0.05 * (attempt + 1))
    raise AssertionError("unreachable")


class LocalStore(Store):
    """An Oxigraph store in ``path`` (created if missing, unless ``read_only``)."""

    def __init__(self, path: Path, *, read_only: bool = False) -> None:
        self.path = Path(path)
        self.read_only = read_only
        self._removed = 0  # quads of the graphs replaced or dropped since opening
        self._added: IO[bytes] | None = None  # N-Quads spooled by add_new_graphs
        self._added_quads = 0
        self._loading: _Loading | None = None  # full spools being bulk-loaded meanwhile
        self._spooled = False  # a spool was handed to the loaders (the first is smaller)
        try:
            if read_only:
                if not is_store(self.path):
                    raise StoreError(f"{self.path}: no store here (build one first)")
                self._store = _open_read_only(self.path)
            else:
                if self.path.is_dir() and any(self.path.iterdir()) and not is_store(self.path):
                    raise StoreError(f"{self.path}: this folder holds other files, not a store; "
                                     "give an empty or new folder")
                self.path.mkdir(parents=True, exist_ok=True)
                self._store = ox.Store(str(self.path))
        except OSError as err:
            if "LOCK" in str(err):
                raise StoreLockedError(
                    f"{self.path}: the store is open for writing in another process "
                    "(a running build or server?); stop it, or open this store read-only"
                ) from err
            raise StoreError(f"{self.path}: cannot open the store: {err}") from err
        except RuntimeError as err:  # RocksDB "Corruption": files changed while opening
            raise StoreError(f"{self.path}: cannot open the store: {err}") from err

    def _ready(self) -> ox.Store:
        """The Oxigraph store, with what :meth:`add_new_graphs` spooled loaded first."""
        if self._added is not None or self._loading is not None:
            self.load_added()
        return self._store

    def _refuse_read_only(self) -> None:
        if self.read_only:
            raise ReadOnlyStoreError(f"{self.path}: the store is open read-only")

    def _writable(self) -> ox.Store:
        self._refuse_read_only()
        return self._ready()

    def _update(self, update: str) -> None:
        store = self._writable()
        try:
            store.update(update)
        except SyntaxError as err:
            raise StoreError(f"{self.path}: the update does not parse: {err}") from err
        except (OSError, RuntimeError) as err:
            raise StoreError(f"{self.path}: update failed, nothing changed: {err}") from err

    def mark_changed(self) -> None:
        """As :meth:`Store.mark_changed`, a transaction of its own (one quad replaced: no
        compaction needed for it)."""
        self._refuse_read_only()
        if self._loading is not None:
            # a write made the token new when it spooled what is loading now, and nothing
            # has read the store since (a read waits for the load): it is still new, and no
            # transaction runs beside the bulk loader
            return
        try:  # not _writable(): what add_new_graphs spooled stays spooled
            self._store.update(dataset.state_update())
        except (OSError, RuntimeError) as err:
            raise StoreError(f"{self.path}: update failed, nothing changed: {err}") from err

    @changes
    def replace_graphs(self, graphs: Mapping[str, GraphContent]) -> None:
        """As :meth:`Store.replace_graphs`; when none of the graphs exists yet (a fresh
        build), their N-Quads are loaded in one transaction by pyoxigraph's parser instead
        of going through a SPARQL Update (1.5 times less work per document)."""
        store = self._writable()
        names = {name: checked_iri(name) for name in graphs}  # <IRI>, checked
        if not graphs or any(store.contains_named_graph(ox.NamedNode(iri[1:-1]))
                             for iri in names.values()):
            self._count_removed(names.values())
            super().replace_graphs(graphs)
            return
        quads = b"".join(_as_quads(ntriples_utf8(graph), names[name])
                         for name, graph in graphs.items())
        try:
            store.load(quads, format=ox.RdfFormat.N_QUADS)
        except SyntaxError as err:
            raise StoreError(f"{self.path}: the graphs do not parse: {err}") from err
        except (OSError, RuntimeError) as err:
            raise StoreError(f"{self.path}: loading failed, nothing changed: {err}") from err

    @changes
    def add_new_graphs(self, batch: Sequence[Mapping[str, GraphContent]], *,
                       to_come: int | None = None) -> None:
        """Add the graphs of several documents that the store does not hold yet, by
        pyoxigraph's bulk loader (sorted files ingested without a transaction: 2.6 times
        less work per quad than :meth:`replace_graphs`).  Their N-Quads are spooled to an
        unnamed file in the store's folder and bulk-loaded in one call by
        :meth:`load_added` once the spool holds :data:`SPOOL_QUADS` (in a thread, while the
        next documents are spooled), or at the next read or write of this store (and
        closing it), so none sees the store without them: the documents wait on disk, not
        in memory (decision 0011).  Not atomic per document:
        ``build`` uses it only while filling an empty store, which gets its support
        graphs last, so a store whose first build was killed is known to be incomplete
        and the next build loads every file again, one transaction each."""
        self._refuse_read_only()
        if self._loading is not None:
            self._loading.check()  # a load that failed meanwhile: stop spooling for it
        if self._added is None:
            # N-Quads, not in memory; closed by load_added (or __exit__ after an error)
            self._added = tempfile.TemporaryFile(dir=self.path)  # noqa: SIM115
        try:
            for graphs in batch:
                for name, graph in graphs.items():
                    self._added.write(_as_quads(ntriples_utf8(graph), checked_iri(name)))
                    self._added_quads += len(graph)
        except OSError as err:
            raise StoreError(f"{self.path}: cannot spool the graphs to add: {err}") from err
        if to_come != 0 and self._added_quads >= spool_quads(to_come, not self._spooled):
            self._hand_over()

    def _hand_over(self) -> None:
        """Give the spool to the loaders (started with the first)."""
        spool, quads, self._added, self._added_quads = self._added, self._added_quads, None, 0
        if spool is None:
            return
        self._spooled = True
        if self._loading is None:
            self._loading = _Loading(self._store, self.path)
        self._loading.add(spool, quads)

    def load_added(self) -> None:
        """Bulk-load what :meth:`add_new_graphs` spooled (nothing when nothing is): the
        spool being filled beside those loading meanwhile (within :data:`LOAD_BUDGET`),
        and wait for them all."""
        try:
            self._hand_over()
        finally:
            self._finish_loading()

    def _finish_loading(self) -> None:
        loading, self._loading = self._loading, None
        if loading is not None:
            loading.wait()

    def drop_graphs(self, names: Iterable[str]) -> None:
        names = list(names)
        self._count_removed(checked_iri(name) for name in names)
        super().drop_graphs(names)

    def _count_removed(self, graphs: Iterable[Term]) -> None:
        """Count the quads of ``graphs`` (``<IRI>``s) that an update is about to remove,
        for :meth:`close` (one COUNT per graph: milliseconds for a document's)."""
        for graph in graphs:
            found = self._writable().query(
                f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH {graph} {{ ?s ?p ?o }} }}")
            assert isinstance(found, ox.QuerySolutions)
            self._removed += int(next(found)["n"].value)

    def graphs(self) -> list[str]:
        try:
            return sorted(str(name.value) for name in self._ready().named_graphs())
        except (OSError, RuntimeError) as err:  # a file a live writer's compaction removed
            raise StoreError(f"{self.path}: cannot read the store: {err}") from err

    def __len__(self) -> int:
        try:
            return len(self._ready())
        except (OSError, RuntimeError) as err:
            raise StoreError(f"{self.path}: cannot read the store: {err}") from err

    def query(
        self,
        sparql: str,
        *,
        default_graph: Sequence[str] = (),
        named_graphs: Sequence[str] = (),
        union_default_graph: bool = True,
    ) -> QueryResult:
        options: dict = {"prefixes": PREFIXES}
        try:
            if default_graph or named_graphs:
                options["default_graph"] = [ox.NamedNode(g) for g in default_graph]
                options["named_graphs"] = [ox.NamedNode(g) for g in named_graphs]
            elif union_default_graph and not declares_dataset(sparql):
                options["use_default_graph_as_union"] = True
            return QueryResult(self._ready().query(sparql, **options))
        except SyntaxError as err:
            raise QuerySyntaxError(str(err)) from err
        except ValueError as err:  # a graph IRI that is not an IRI
            raise QuerySyntaxError(f"not a valid graph IRI: {err}") from err
        except (OSError, RuntimeError) as err:
            raise StoreError(f"{self.path}: query failed: {err}") from err

    def dump(self, out: BinarySink, fmt: str, graph: str | None = None) -> None:
        rdf_format, output = dump_format(fmt), oxigraph_output(out)
        if graph is not None:
            name = ox.NamedNode(graph)
            if not self._ready().contains_named_graph(name):
                raise StoreError(f"{self.path}: no graph <{graph}>")
            if rdf_format.supports_datasets:
                quads = self._ready().quads_for_pattern(None, None, None, name)
                ox.serialize(quads, output, rdf_format, prefixes=PREFIXES)
            else:
                self._ready().dump(output, rdf_format, from_graph=name, prefixes=PREFIXES)
        elif rdf_format.supports_datasets:
            self._ready().dump(output, rdf_format, prefixes=PREFIXES)
        else:  # a triple format: the union of all graphs, each triple once
            union = self._ready().query(
                "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", use_default_graph_as_union=True)
            assert isinstance(union, ox.QueryTriples)
            ox.serialize(union, output, rdf_format, prefixes=PREFIXES)

    def backup(self, target: Path) -> None:
        """Write a consistent copy of the store, as it is now, into the new folder
        ``target`` (RocksDB's checkpoint: hard links to its immutable files where the file
        system allows).  Works on a read-only store, beside a running build."""
        try:
            self._ready().backup(str(target))
        except (OSError, RuntimeError) as err:
            raise StoreError(f"{self.path}: cannot copy the store to {target}: {err}") from err

    def __exit__(self, *exc_info: object) -> None:
        """Closing after an error (a build interrupted, a file that broke the loop)
        forgets what :meth:`add_new_graphs` spooled instead of loading it: a fresh store
        stays empty or incomplete, which the next build sees and loads again whole."""
        if exc_info and exc_info[0] is not None:
            if self._loading is not None:  # a bulk load cannot be stopped: let it end
                self._loading.abandon()
                with contextlib.suppress(StoreError):
                    self._finish_loading()
            if self._added is not None:
                self._added.close()
                self._added = None
        self.close()

    def release_memory(self) -> None:
        """Close the Oxigraph store and open it again, what was spooled loaded and flushed
        first.  RocksDB keeps, until its database is closed, the index and filter blocks of
        every file a load or a query has read and the tables written since the last flush:
        memory that grows with the store.  After the loads of a 12.5M-quad build the main
        process held 460 MB, and 1,040 MB while it then gathered the recurring
        recommendations and counted the dataset; the same gathering in a store just opened
        takes it from 130 to 420 MB."""
        store = getattr(self, "_store", None)
        if store is None or self.read_only:
            return
        self.load_added()
        store.flush()
        del self._store, store  # the last references: RocksDB closes the database
        try:
            self._store = ox.Store(str(self.path))
        except OSError as err:
            raise StoreError(f"{self.path}: cannot open the store again: {err}") from err

    def close(self) -> None:
        """Load what :meth:`add_new_graphs` spooled, then release the store; compact it
        when much was removed (:data:`COMPACT_SHARE`)."""
        store = getattr(self, "_store", None)
        if store is None:
            return
        if not self.read_only:
            self.load_added()
        del self._store  # the RocksDB lock is released when the store is collected
        if self.read_only:
            return
        store.flush()
        if self._removed and self._removed * COMPACT_SHARE >= len(store):
            # Compaction drops what replaced and dropped graphs left behind, but it costs
            # as much as the whole store (5 s at 1.6M quads) and rewrites bulk-loaded files
            # 1.7 times larger (173 -> 289 bytes per quad on the benchmark corpus).  So it
            # runs once a tenth of the store was removed (a --replace that dropped many
            # documents, a --force rebuild); what a few replaced documents and the
            # bookkeeping graphs (:meth:`Store.record`) leave, RocksDB's own compactions
            # reclaim as the store is written.
            store.optimize()
        del store
        # RocksDB deletes the write-ahead logs that the flush made obsolete only when the
        # store is opened: a build left as much log as data behind.  Open it once more.
        with contextlib.suppress(OSError):  # still held elsewhere: left for the next opening
            ox.Store(str(self.path))


def _bulk_load(store: ox.Store, spool: IO[bytes], path: Path) -> None:
    """Bulk-load the N-Quads of ``spool`` (a file of the build's own, closed after)."""
    try:
        with spool:
            spool.flush()
            # lenient: the IRIs are not checked again (15 % of the load's work): the quads
            # are the build's own serialisation, the graph names checked before
            if FD_FOLDER.is_dir():
                # by its path, not as a Python file: pyoxigraph then reads it without
                # taking the interpreter's lock for each block (a third less time beside
                # the build's other work)
                store.bulk_load(path=str(FD_FOLDER / str(spool.fileno())),
                                format=ox.RdfFormat.N_QUADS, lenient=True)
            else:
                spool.seek(0)
                store.bulk_load(spool, format=ox.RdfFormat.N_QUADS, lenient=True)
    except SyntaxError as err:
        raise StoreError(f"{path}: the graphs do not parse: {err}") from err
    except (OSError, RuntimeError) as err:
        raise StoreError(f"{path}: bulk loading failed: {err}") from err


class _Loading:
    """Full spools bulk-loaded in threads of their own while the build goes on spooling
    the next ones (pyoxigraph's loader runs without the interpreter's lock), so that the
    workers are not left idle while one loads.  Spools wait their turn on disk (at most
    :data:`SPOOL_BACKLOG`; :meth:`add` waits beyond); up to :data:`LOADERS` load at once
    while the quads being loaded stay within :data:`LOAD_BUDGET` (what bounds the loaders'
    memory), so the small spools of a build's end load side by side and a full one alone.
    :meth:`wait` for them all, the first error raised; once one failed, the others are
    not loaded."""

    def __init__(self, store: ox.Store, path: Path) -> None:
        self.store, self.path = store, path
        self.error: StoreError | None = None
        self.changed = threading.Condition()
        self.waiting: collections.deque[tuple[IO[bytes], int]] = collections.deque()
        self.loading = 0  # quads being loaded now
        self.closing = False
        self.threads = [threading.Thread(target=self._run, name="rightsgraph-bulk-load")
                        for _ in range(LOADERS)]
        for thread in self.threads:
            thread.start()

    def add(self, spool: IO[bytes], quads: int) -> None:
        """Load ``spool`` (``quads`` quads) once its turn and the budget come."""
        with self.changed:
            while len(self.waiting) >= SPOOL_BACKLOG and self.error is None:
                self.changed.wait()
            self.waiting.append((spool, quads))
            self.changed.notify_all()

    def _next(self) -> tuple[IO[bytes], int] | None:
        with self.changed:
            while True:
                if self.waiting and (not self.loading
                                     or self.loading + self.waiting[0][1] <= LOAD_BUDGET):
                    spool, quads = self.waiting.popleft()
                    self.loading += quads
                    self.changed.notify_all()
                    return spool, quads
                if self.closing and not self.waiting:
                    return None
                self.changed.wait()

    def _run(self) -> None:
        while (taken := self._next()) is not None:
            spool, quads = taken
            try:
                if self.error is not None:
                    spool.close()
                else:
                    _bulk_load(self.store, spool, self.path)
            except StoreError as err:
                self.error = err
            finally:
                with self.changed:
                    self.loading -= quads
                    self.changed.notify_all()
            release_freed_memory()

    def abandon(self) -> None:
        """Forget the spools still waiting (those loading cannot be stopped)."""
        with self.changed:
            while self.waiting:
                self.waiting.popleft()[0].close()
            self.changed.notify_all()

    def check(self) -> None:
        """Raise the error of a load that failed."""
        if self.error is not None:
            raise self.error

    def wait(self) -> None:
        with self.changed:
            self.closing = True
            self.changed.notify_all()
        for thread in self.threads:
            thread.join()
        self.check()


def release_freed_memory() -> None:
    """Give back to the system the memory a bulk load freed: glibc keeps it in the
    thread's arena, and each load's thread grew the build's resident size by what the
    previous ones left (1M corpus: 790-850 MB peak with a thread per spool, 630-650 MB
    with two long-lived threads and this; 4x: 1.53 GB against 0.70 GB; decision 0011)."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None).malloc_trim(0)


def _as_quads(ntriples: bytes, graph: str) -> bytes:
    """N-Triples lines (each ending `` .``, as rdflib and :class:`.triples.Triples` write
    them) as N-Quads lines in ``graph`` (``<IRI>``).  A line break inside a literal is
    escaped in N-Triples, so `` .`` and a line break only meet at the end of a line."""
    if ntriples and not ntriples.endswith(b"\n"):
        ntriples += b"\n"
    return ntriples.replace(b" .\n", f" {graph} .\n".encode())
