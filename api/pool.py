"""SPARQL queries run in worker processes, so the server stays safe and responsive.

pyoxigraph's Python API cannot cancel a query or give it a time limit, and a query holds its
thread until it is done.  So each query runs in one of a few worker processes that open the
store read-only; the server waits for the answer without blocking its event loop, and when
the time limit passes it kills the worker (which stops the query) and starts a new one.
Results are serialised in the worker, in the negotiated format, and refused past a size cap.
"""
from __future__ import annotations

import asyncio
import multiprocessing
import os
import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from multiprocessing.connection import Connection

from rightsgraph.core import formats

RESULT_TYPES = tuple(f.media_type for f in formats.RESULTS)  # SELECT and ASK
GRAPH_TYPES = tuple(f.media_type for f in formats.RDF)  # CONSTRUCT and DESCRIBE


class QueryError(Exception):
    """A query could not be answered; ``status`` is the HTTP status it deserves."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True)
class Answer:
    media_type: str
    body: bytes
    kind: str  # select, ask or graph


class _TooLargeError(Exception):
    pass


class _Capped:
    """A binary sink that refuses to grow past ``limit`` bytes."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.parts: list[bytes] = []
        self.size = 0

    def write(self, data: bytes) -> int:
        self.size += len(data)
        if self.size > self.limit:
            raise _TooLargeError
        self.parts.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass


def choose_media_type(kind: str, accepted: Sequence[str]) -> str | None:
    """The first acceptable media type for a result kind; ``None`` when nothing fits.
    ``accepted`` is the client's list, best first (``*/*`` and ``type/*`` allowed)."""
    offered = list(RESULT_TYPES) if kind in ("select", "ask") else list(GRAPH_TYPES)
    for wanted in accepted or ["*/*"]:
        wanted = formats.MEDIA_ALIASES.get(wanted, wanted)
        if wanted == "*/*":
            return offered[0]
        if wanted.endswith("/*"):
            for media in offered:
                if media.startswith(wanted[:-1]):
                    return media
        elif wanted in offered:
            return wanted
    return None


def _serve(location: str, conn: Connection, max_bytes: int) -> None:
    """A worker: answer queries read from ``conn`` until it closes."""
    from rightsgraph.graph.store import QuerySyntaxError, StoreError, open_store

    try:
        store = open_store(location, read_only=True)
    except StoreError as err:
        conn.send(("error", 503, str(err)))
        return
    conn.send(("ready",))
    while True:
        try:
            request = conn.recv()
        except EOFError:
            break
        sparql, accepted, default_graph, named_graphs = request
        try:
            result = store.query(sparql, default_graph=default_graph, named_graphs=named_graphs)
            media = choose_media_type(result.kind, accepted)
            if media is None:
                kinds = RESULT_TYPES if result.kind != "graph" else GRAPH_TYPES
                conn.send(("error", 406, f"cannot give a {result.kind.upper()} result as "
                           f"{', '.join(accepted)}; available: {', '.join(kinds)}"))
                continue
            sink = _Capped(max_bytes)
            result.serialize(media, out=sink)
            conn.send(("ok", media, b"".join(sink.parts), result.kind))
        except QuerySyntaxError as err:
            conn.send(("error", 400, f"SPARQL syntax error: {err}"))
        except _TooLargeError:
            conn.send(("error", 413, f"the result is larger than the limit of {max_bytes:,} "
                       "bytes; add a LIMIT or narrow the query"))
        except Exception as err:  # noqa: BLE001 - report, keep serving
            conn.send(("error", 500, f"query failed: {err}"))
    store.close()


class _Worker:
    def __init__(self, context, location: str, max_bytes: int) -> None:
        self.conn, child = context.Pipe()
        self.process = context.Process(target=_serve, args=(location, child, max_bytes),
                                       daemon=True, name="rightsgraph-sparql")
        self.process.start()
        child.close()

    def kill(self) -> None:
        self.process.kill()
        self.process.join(timeout=5)
        self.conn.close()


class QueryPool:
    """``workers`` processes answering SPARQL on the store at ``location``."""

    def __init__(self, location: str, *, workers: int = 2, timeout: float = 30.0,
                 max_bytes: int = 50_000_000) -> None:
        self.location = str(location)
        self.timeout = timeout
        self.max_bytes = max_bytes
        self.size = max(1, workers)
        self._context = multiprocessing.get_context("spawn")
        self._threads = ThreadPoolExecutor(max_workers=self.size, thread_name_prefix="sparql")
        self._idle: asyncio.Queue[_Worker] | None = None
        self._lock = threading.Lock()
        self._all: list[_Worker] = []

    def _start_worker(self) -> _Worker:
        worker = _Worker(self._context, self.location, self.max_bytes)
        if not worker.conn.poll(60):
            worker.kill()
            raise QueryError(503, "a query worker did not start within 60 s")
        message = worker.conn.recv()
        if message[0] != "ready":
            worker.kill()
            raise QueryError(message[1], message[2])
        with self._lock:
            self._all.append(worker)
        return worker

    async def start(self) -> None:
        loop = asyncio.get_running_loop()
        self._idle = asyncio.Queue()
        workers = await asyncio.gather(*(loop.run_in_executor(self._threads, self._start_worker)
                                         for _ in range(self.size)))
        for worker in workers:
            self._idle.put_nowait(worker)

    def close(self) -> None:
        with self._lock:
            workers, self._all = self._all, []
        for worker in workers:
            worker.kill()
        self._threads.shutdown(wait=False, cancel_futures=True)

    def _ask(self, worker: _Worker, request: tuple) -> tuple | None:
        worker.conn.send(request)
        if worker.conn.poll(self.timeout):
            return worker.conn.recv()
        return None

    async def query(self, sparql: str, accepted: Sequence[str], *,
                    default_graph: Sequence[str] = (),
                    named_graphs: Sequence[str] = ()) -> Answer:
        if self._idle is None:
            raise RuntimeError("QueryPool.start() was not awaited")
        loop = asyncio.get_running_loop()
        worker = await self._idle.get()
        request = (sparql, list(accepted), list(default_graph), list(named_graphs))
        try:
            message = await loop.run_in_executor(self._threads, self._ask, worker, request)
        except (OSError, EOFError):
            message = ("error", 500, "the query worker died; the query was not answered")
            worker = await self._replace(worker)
        else:
            if message is None:
                worker = await self._replace(worker)
                raise QueryError(503, f"the query took longer than the time limit of "
                                      f"{self.timeout:g} s and was stopped")
        finally:
            self._idle.put_nowait(worker)
        if message[0] == "ok":
            return Answer(media_type=message[1], body=message[2], kind=message[3])
        raise QueryError(message[1], message[2])

    async def _replace(self, worker: _Worker) -> _Worker:
        with self._lock:
            if worker in self._all:
                self._all.remove(worker)
        worker.kill()
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._threads, self._start_worker)


def default_workers() -> int:
    return max(2, os.cpu_count() or 2)
