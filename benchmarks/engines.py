"""Servers started for a benchmark or a test, on free loopback ports, stopped after: the one
home of starting a server and waiting until it answers (:func:`start`, :func:`running`,
used by ``tests/conftest.py`` too).

* stores to build into: the Oxigraph server (the ``oxigraph`` binary of the dev extras) and
  Virtuoso Open Source (Debian's ``virtuoso-opensource``), each in a folder of its own; each
  gives the arguments ``rightsgraph build`` and ``serve`` take for it (``--store``, and
  ``--graph-store-url`` where writing through the Graph Store Protocol is the fast way), the
  setup ``docs/remote-store.md`` tells users;
* servers to measure (:class:`Server`): ``rightsgraph serve`` and ``oxigraph
  serve-read-only`` on a built store (:func:`ours`, :func:`oxigraph_read_only`), or any
  other SPARQL server (``bench_sparql``'s rdflib-endpoint).
"""
from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx

BIN = Path(sys.executable).parent
VIRTUOSO = "virtuoso-t"
ISQL = "isql-vt"

# Virtuoso's configuration for a store of a few million quads on this machine (2 cores,
# 24 GB): buffers of 8 kB pages (``buffers``: 340,000 is 2.6 GB), and the limits a store of
# the corpus needs raised: rows a query may return (its default is 10,000, silently cut)
# and may sort before a LIMIT (its default 10,000 refuses /api/links' pages); the query time
# limit is the server's (rightsgraph serve stops a query past --timeout on its side).
VIRTUOSO_INI = """[Database]
DatabaseFile = {dir}/virtuoso.db
ErrorLogFile = {dir}/virtuoso.log
LockFile = {dir}/virtuoso.lck
TransactionFile = {dir}/virtuoso.trx
xa_persistent_file = {dir}/virtuoso.pxa
FileExtend = 200
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {dir}/virtuoso-temp.db
TransactionFile = {dir}/virtuoso-temp.trx
Striping = 0

[Parameters]
ServerPort = {sql_port}
DisableUnixSocket = 1
CaseMode = 2
DirsAllowed = .
NumberOfBuffers = {buffers}
MaxDirtyBuffers = {dirty}
MaxQueryMem = 2G
MaxSortedTopRows = 1000000
CheckpointInterval = 60

[HTTPServer]
ServerPort = {http_port}
ServerRoot = {dir}
ServerThreads = 10
MaxClientConnections = 10
Charset = UTF-8

[SPARQL]
ResultSetMaxRows = 10000000
MaxQueryExecutionTime = 600
MaxQueryCostEstimationTime = 600
"""

# Writes through /sparql and /sparql-graph-crud without a password: the SPARQL user (every
# anonymous request) may update, and the graphs it may write are all graphs.  For a store on
# a loopback port only; docs/remote-store.md tells the authenticated way.
VIRTUOSO_GRANTS = ('GRANT SPARQL_UPDATE TO "SPARQL"; '
                   "DB.DBA.RDF_DEFAULT_USER_PERMS_SET ('nobody', 7);")


class EngineMissingError(RuntimeError):
    """The server's binary is not installed; the message says how to install it."""


@dataclass
class Server:
    """A server a benchmark measures: its command (``{port}`` filled in at start), the path
    of its SPARQL query endpoint, and once started its process, start-up time and resident
    memory (or why it did not start, in ``error``)."""

    name: str
    command: list[str]
    path: str  # the query endpoint's path
    port: int = field(default_factory=lambda: free_port())
    process: subprocess.Popen | None = None
    error: str | None = None
    startup_s: float | None = None
    rss_mb: float | None = None
    results: dict[str, dict] = field(default_factory=dict)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def url(self) -> str:
        return self.base + self.path

    @property
    def pid(self) -> int:
        if self.process is None:
            raise RuntimeError(f"{self.name} is not running")
        return self.process.pid

    def start(self, work: Path, timeout: float) -> None:
        """Start it (log in ``work``) and wait until ``ASK {}`` answers; on failure ``error``
        says why."""
        from benchmarks.measure import tree_rss  # psutil: the bench extra only

        command = [c.replace("{port}", str(self.port)) for c in self.command]
        started = time.perf_counter()
        try:
            self.process = start(command, f"{self.url}?query=ASK%20%7B%7D",
                                 work / f"{self.name}.log", timeout)
        except RuntimeError as err:
            self.error = str(err)
            return
        self.startup_s = time.perf_counter() - started
        self.rss_mb = tree_rss(self.process.pid) / 2**20

    def stop(self) -> None:
        if self.process is not None:
            stop(self.process)


def ours(store: str, *options: str) -> Server:
    """``rightsgraph serve`` on ``store``, the per-client limit of the public ``/sparql``
    lifted (a load generator's 16 connections come from one address)."""
    return Server("rightsgraph", [str(BIN / "rightsgraph"), "serve", "--store", store,
                                  "--port", "{port}", "--per-client", "0", *options],
                  "/sparql")


def oxigraph_read_only(store: Path) -> Server:
    """``oxigraph serve-read-only`` on a store, every graph's quads in its default graph (as
    our ``/sparql`` answers)."""
    return Server("oxigraph", [oxigraph_binary(), "serve-read-only", "--location", str(store),
                               "--bind", "127.0.0.1:{port}", "--union-default-graph"],
                  "/query")


@contextmanager
def serving(work: Path, *servers: Server, timeout: float = 600) -> Iterator[tuple[Server, ...]]:
    """``servers`` started (exits naming the one that did not start) and stopped after."""
    work.mkdir(parents=True, exist_ok=True)
    try:
        for server in servers:
            server.start(work, timeout)
            if server.error:
                raise SystemExit(f"{server.name}: {server.error}")
        yield servers
    finally:
        for server in servers:
            server.stop()


@dataclass
class Engine:
    """A running SPARQL server: its name, what ``--store`` and ``build`` need, its process."""

    name: str
    store: str
    build_options: list[str] = field(default_factory=list)
    process: subprocess.Popen | None = None
    folder: Path | None = None
    files: str = "*"  # which files of ``folder`` are the store's

    def size_bytes(self) -> int:
        """The bytes its files take on disk."""
        if self.folder is None:
            return 0
        return sum(p.stat().st_size for p in self.folder.rglob(self.files) if p.is_file())


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def oxigraph_binary() -> str:
    binary = shutil.which("oxigraph", path=str(Path(sys.executable).parent)) or shutil.which(
        "oxigraph")
    if binary is None:
        raise EngineMissingError("the Oxigraph server is missing: pip install -e '.[dev]' "
                                 "installs it (the oxigraph package)")
    return binary


def virtuoso_binaries() -> tuple[str, str]:
    server, isql = shutil.which(VIRTUOSO), shutil.which(ISQL)
    if server is None or isql is None:
        raise EngineMissingError("Virtuoso is missing: apt-get install virtuoso-opensource "
                                 f"(Debian; it installs {VIRTUOSO} and {ISQL})")
    return server, isql


@contextmanager
def oxigraph(folder: Path, timeout: float = 60) -> Iterator[Engine]:
    """An Oxigraph server on a store in ``folder``; writes through SPARQL Update."""
    port = free_port()
    folder.mkdir(parents=True, exist_ok=True)
    command = [oxigraph_binary(), "serve", "--location", str(folder / "data"),
               "--bind", f"127.0.0.1:{port}"]
    url = f"http://127.0.0.1:{port}"
    with running(command, f"{url}/query?query=ASK%20%7B%7D", folder / "server.log",
                 timeout) as process:
        yield Engine("Oxigraph server", url, [], process, folder / "data")


@contextmanager
def virtuoso(folder: Path, timeout: float = 120, buffers: int = 50_000) -> Iterator[Engine]:
    """A Virtuoso server on a database in ``folder``, update granted to anonymous requests;
    writes through its Graph Store Protocol URL (``/sparql-graph-crud``)."""
    server, isql = virtuoso_binaries()
    folder.mkdir(parents=True, exist_ok=True)
    http_port, sql_port = free_port(), free_port()
    ini = folder / "virtuoso.ini"
    ini.write_text(VIRTUOSO_INI.format(dir=folder, http_port=http_port, sql_port=sql_port,
                                       buffers=buffers, dirty=buffers * 3 // 4))
    url = f"http://127.0.0.1:{http_port}"
    # -f: in the foreground, so that the process is the server (stopped with it)
    with running([server, "-f", "-c", str(ini)], f"{url}/sparql?query=ASK%20%7B%7D",
                 folder / "server.log", timeout) as process:
        subprocess.run([isql, str(sql_port), "dba", "dba", f"exec={VIRTUOSO_GRANTS}"],
                       check=True, capture_output=True, timeout=60)
        yield Engine("Virtuoso", f"{url}/sparql",
                     ["--graph-store-url", f"{url}/sparql-graph-crud"], process, folder,
                     "virtuoso*")


def start(command: list[str], ready_url: str, log: Path, timeout: float) -> subprocess.Popen:
    """Start a server (output to ``log``, in a session of its own) and wait until
    ``ready_url`` answers 2xx.  Raises ``RuntimeError`` with the end of its log, the server
    stopped, if it exits or does not answer within ``timeout`` seconds."""
    with log.open("wb") as output:
        process = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT,
                                   start_new_session=True)
    deadline = time.monotonic() + timeout
    while True:
        try:
            if httpx.get(ready_url, timeout=5).is_success:
                return process
        except httpx.HTTPError:
            pass
        code = process.poll()
        if code is not None or time.monotonic() > deadline:
            why = (f"exited with {code}" if code is not None
                   else f"not answering after {timeout:.0f} s")
            stop(process)
            raise RuntimeError(f"{command[0]} did not start ({why}): "
                               f"{log.read_text(errors='replace')[-3000:]}")
        time.sleep(0.1)


def stop(process: subprocess.Popen, timeout: float = 30) -> None:
    """Terminate ``process`` (killed if it is still running after ``timeout`` seconds)."""
    if process.poll() is None:
        process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@contextmanager
def running(command: list[str], ready_url: str, log: Path,
            timeout: float = 60) -> Iterator[subprocess.Popen]:
    """Run a server until the block ends, ready once ``ready_url`` answers 2xx
    (:func:`start`)."""
    process = start(command, ready_url, log, timeout)
    try:
        yield process
    finally:
        stop(process)
