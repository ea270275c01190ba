"""SPARQL servers started for a benchmark or a test: the Oxigraph server (the ``oxigraph``
binary of the dev extras) and Virtuoso Open Source (Debian's ``virtuoso-opensource``), each
in a folder of its own, on a free loopback port, stopped when the block ends.

Each gives the arguments ``rightsgraph build`` and ``serve`` take for it (``--store``, and
``--graph-store-url`` where writing through the Graph Store Protocol is the fast way); the
setup is the one ``docs/remote-store.md`` tells users.
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
    with _running(command, f"{url}/query?query=ASK%20%7B%7D", folder / "server.log",
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
    with _running([server, "-f", "-c", str(ini)], f"{url}/sparql?query=ASK%20%7B%7D",
                  folder / "server.log", timeout) as process:
        subprocess.run([isql, str(sql_port), "dba", "dba", f"exec={VIRTUOSO_GRANTS}"],
                       check=True, capture_output=True, timeout=60)
        yield Engine("Virtuoso", f"{url}/sparql",
                     ["--graph-store-url", f"{url}/sparql-graph-crud"], process, folder,
                     "virtuoso*")


@contextmanager
def _running(command: list[str], ready_url: str, log: Path,
             timeout: float) -> Iterator[subprocess.Popen]:
    """Run a server until the block ends; ready once ``ready_url`` answers 2xx.  Raises
    ``RuntimeError`` with its log if it exits or does not answer within ``timeout``."""
    with log.open("wb") as output:
        process = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                if httpx.get(ready_url, timeout=2).is_success:
                    break
            except httpx.HTTPError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"{command[0]} did not start: "
                                   f"{log.read_text(errors='replace')[-3000:]}")
            time.sleep(0.1)
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
