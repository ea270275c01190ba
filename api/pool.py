"""SPARQL queries run in worker processes, so the server stays safe and responsive.

pyoxigraph's Python API cannot cancel a query or give it a time limit, and a query holds its
thread until it is done.  So each query runs in one of a few worker processes that open the
store read-only; the server waits for the answer without blocking its event loop, and when
the time limit passes it kills the worker (which stops the query) and starts a new one.
Results are serialised in the worker, in the negotiated format, and refused past a size cap.

Each worker has a hard memory limit (``RLIMIT_AS``, see :mod:`rightsgraph.core.processes`):
a query that needs more stops its worker, which is replaced, and the request gets a 503.
Workers die with the server, even when it is killed.

A pool is one **lane**: the server has one for the public ``/sparql`` endpoint and one for
its own pages, researcher API and linked data, so public queries cannot occupy the workers
the site needs.  A lane has a bounded queue (a request that finds it full gets a 503 with
``Retry-After`` at once) and, for the public lane, a limit of requests per client (429).
Public queries are also checked for federation in the worker, before the store sees them
(:func:`~rightsgraph.graph.query_guard.check_federation`).

:meth:`QueryPool.stage` and :meth:`QueryPool.switch` move the lane to another store location
at once: new workers are started first, then swapped in; no request that starts afterwards
reaches an old worker.
"""
from __future__ import annotations

import asyncio
import multiprocessing
import os
import pickle
import signal
import socket
import struct
import threading
from collections import Counter
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import NamedTuple, cast

from rightsgraph.core import formats
from rightsgraph.core.errors import RightsgraphError

INLINE_BYTES = 256 * 1024  # an answer unpickled on the event loop's thread (larger: in a thread)
RESULT_TYPES = tuple(f.media_type for f in formats.RESULTS)  # SELECT and ASK
GRAPH_TYPES = tuple(f.media_type for f in formats.RDF)  # CONSTRUCT and DESCRIBE


class QueryError(RightsgraphError):
    """A query could not be answered; ``status`` is the HTTP status it deserves and
    ``headers`` what the response should carry (``Retry-After``)."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}


class Answer(NamedTuple):
    """A query's answer as the worker serialised it (a tuple: made per request)."""

    media_type: str
    body: bytes
    kind: str  # select, ask or graph


@dataclass(frozen=True)
class Lane:
    """The limits of one pool (see :class:`QueryPool`), as its workers receive them."""

    workers: int = 2
    timeout: float = 30.0
    max_bytes: int = 50_000_000
    memory_mb: int = 1024
    queue: int = 32  # requests waiting for a worker; one more gets a 503
    per_client: int = 0  # requests of one client at once (running or waiting); 0: no limit
    check_federation: bool = False  # public queries: refuse SERVICE not in service_allow
    nice: int = 0  # lower CPU priority of the workers (the public lane's yield to the site's)
    service_allow: tuple[str, ...] = ()


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


def _serve(location: str, conn: Connection, lane: Lane, parent: int) -> None:
    """A worker: answer queries read from ``conn`` until it closes."""
    from rightsgraph.core.processes import die_with_parent, limit_memory

    die_with_parent(parent)
    limit_memory(lane.memory_mb)
    if lane.nice:
        os.nice(lane.nice)
    from rightsgraph.graph.query_guard import QueryRefusedError, check_federation
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
        sparql, accepted, default_graph, named_graphs, public = request
        try:
            if public and lane.check_federation:
                check_federation(sparql, lane.service_allow)
            result = store.query(sparql, default_graph=default_graph, named_graphs=named_graphs)
            media = choose_media_type(result.kind, accepted)
            if media is None:
                kinds = RESULT_TYPES if result.kind != "graph" else GRAPH_TYPES
                conn.send(("error", 406, f"cannot give a {result.kind.upper()} result as "
                           f"{', '.join(accepted)}; available: {', '.join(kinds)}"))
                continue
            sink = _Capped(lane.max_bytes)
            result.serialize(media, out=sink)
            conn.send(("ok", media, b"".join(sink.parts), result.kind))
        except QueryRefusedError as err:
            conn.send(("error", 400, str(err)))
        except QuerySyntaxError as err:
            conn.send(("error", 400, f"SPARQL syntax error: {err}"))
        except _TooLargeError:
            conn.send(("error", 413, f"the result is larger than the limit of "
                       f"{lane.max_bytes:,} bytes; add a LIMIT or narrow the query"))
        except MemoryError:
            conn.send(("error", 503, _memory_message(lane)))
        except Exception as err:  # noqa: BLE001 - report, keep serving
            conn.send(("error", 500, f"query failed: {err}"))
    store.close()


def _memory_message(lane: Lane) -> str:
    return (f"the query needed more memory than a query worker may use ({lane.memory_mb:,} "
            "MiB) and was stopped; narrow it (fewer unbound patterns, a LIMIT without ORDER "
            "BY, smaller strings)")


class _Answers(asyncio.Protocol):
    """The server's end of a worker's pipe, read by the event loop as data arrives: the
    frames :mod:`multiprocessing.connection` writes (a 4-byte big-endian length, or -1 and
    an 8-byte length), each a pickled answer.  One reader for the worker's life: a query
    costs a write and the reads of its answer, not registering and unregistering the pipe
    with the loop each time."""

    def __init__(self) -> None:
        self.transport: asyncio.WriteTransport | None = None
        self.waiting: asyncio.Future[bytes] | None = None
        self._buffer = bytearray()
        self._lost: BaseException | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.WriteTransport, transport)

    def data_received(self, data: bytes) -> None:
        if not self._buffer and len(data) >= 4:  # most answers: one whole frame at once
            (size,) = struct.unpack_from("!i", data)
            if size >= 0 and len(data) == 4 + size:
                if self.waiting is not None and not self.waiting.done():
                    self.waiting.set_result(data[4:])
                return
        self._buffer += data
        buffer = self._buffer
        while len(buffer) >= 4:
            (size,) = struct.unpack_from("!i", buffer)
            start = 4
            if size == -1:
                if len(buffer) < 12:
                    return
                (size,) = struct.unpack_from("!Q", buffer, 4)
                start = 12
            if len(buffer) < start + size:
                return
            frame = bytes(buffer[start:start + size])
            del buffer[:start + size]
            if self.waiting is not None and not self.waiting.done():
                self.waiting.set_result(frame)

    def connection_lost(self, exc: Exception | None) -> None:
        self._lost = exc or EOFError("the query worker closed its pipe")
        if self.waiting is not None and not self.waiting.done():
            self.waiting.set_exception(self._lost)

    def expect(self, loop: asyncio.AbstractEventLoop) -> asyncio.Future[bytes]:
        """The next answer, as a future (an ``EOFError`` when the worker is gone)."""
        self.waiting = loop.create_future()
        if self._lost is not None:
            self.waiting.set_exception(self._lost)
        return self.waiting

    def send(self, request: tuple) -> None:
        assert self.transport is not None  # attached
        if self._lost is not None or self.transport.is_closing():
            raise EOFError("the query worker closed its pipe")
        payload = pickle.dumps(request, protocol=pickle.HIGHEST_PROTOCOL)
        self.transport.write(struct.pack("!i", len(payload)) + payload)


def _expire(answer: asyncio.Future) -> None:
    if not answer.done():
        answer.set_exception(TimeoutError())


class _Worker:
    def __init__(self, context, location: str, lane: Lane, generation: int) -> None:
        self.generation = generation
        self.conn, child = context.Pipe()
        self.process = context.Process(target=_serve, args=(location, child, lane, os.getpid()),
                                       daemon=True, name="rightsgraph-sparql")
        self.process.start()
        child.close()
        self.answers: _Answers | None = None

    async def attach(self) -> None:
        """Hand the pipe (after the worker said it is ready) to the event loop."""
        loop = asyncio.get_running_loop()
        pipe = socket.socket(fileno=os.dup(self.conn.fileno()))
        _, self.answers = await loop.create_unix_connection(_Answers, sock=pipe)

    def kill(self) -> None:
        self.process.kill()
        self.process.join(timeout=5)
        if self.answers is not None and self.answers.transport is not None:
            self.answers.transport.close()
        self.conn.close()


class QueryPool:
    """``workers`` processes answering SPARQL on the store at ``location``: one lane.

    ``queue`` requests may wait for a worker (one more gets a 503 with ``Retry-After``);
    ``per_client`` limits the requests of one client at once (429; 0: no limit);
    ``memory_mb`` is each worker's memory limit; with ``service_allow`` given (even empty),
    queries marked public are checked for federation and may only call those services;
    ``nice`` lowers the workers' CPU priority (a slow public query then takes the CPU the
    site's workers leave, not the other way round)."""

    def __init__(self, location: str, *, workers: int = 2, timeout: float = 30.0,
                 max_bytes: int = 50_000_000, memory_mb: int = 1024, queue: int = 32,
                 per_client: int = 0, service_allow: Sequence[str] | None = None,
                 nice: int = 0, name: str = "sparql") -> None:
        self.location = str(location)
        lane = Lane(workers=workers, timeout=timeout, max_bytes=max_bytes, memory_mb=memory_mb,
                    queue=queue, per_client=per_client,
                    check_federation=service_allow is not None,
                    service_allow=tuple(service_allow or ()), nice=nice)
        self.lane = lane
        self.name = name
        self.timeout = lane.timeout
        self.size = max(1, lane.workers)
        self._context = multiprocessing.get_context("spawn")
        self._threads = ThreadPoolExecutor(max_workers=2 * self.size + 1,
                                           thread_name_prefix=f"{name}-pool")
        self._idle: asyncio.Queue[_Worker] | None = None
        self._lock = threading.Lock()
        self._all: list[_Worker] = []
        self._waiting = 0
        self._clients: Counter[str] = Counter()
        self.generation = 0

    @property
    def pids(self) -> list[int]:
        """The process ids of the workers (for tests and monitoring)."""
        with self._lock:
            return [w.process.pid for w in self._all if w.process.pid]

    def _spawn(self, location: str, generation: int) -> _Worker:
        # Started from the event loop's thread, which lives as long as the server: the
        # worker's PR_SET_PDEATHSIG fires when the thread that started it ends.
        worker = _Worker(self._context, location, self.lane, generation)
        with self._lock:
            self._all.append(worker)
        return worker

    def _ready(self, worker: _Worker) -> _Worker:
        if not worker.conn.poll(60):
            self._forget(worker)
            raise QueryError(503, "a query worker did not start within 60 s")
        message = worker.conn.recv()
        if message[0] != "ready":
            self._forget(worker)
            raise QueryError(message[1], message[2])
        return worker

    def _forget(self, worker: _Worker) -> None:
        with self._lock:
            if worker in self._all:
                self._all.remove(worker)
        worker.kill()

    async def _start_workers(self, location: str, generation: int,
                             count: int | None = None) -> list[_Worker]:
        loop = asyncio.get_running_loop()
        workers = [self._spawn(location, generation) for _ in range(count or self.size)]
        try:
            ready = list(await asyncio.gather(*(loop.run_in_executor(self._threads, self._ready,
                                                                     w) for w in workers)))
            for worker in ready:
                await worker.attach()
            return ready
        except BaseException:
            for worker in workers:
                self._forget(worker)
            raise

    async def start(self) -> None:
        self._idle = asyncio.Queue()
        for worker in await self._start_workers(self.location, self.generation):
            self._idle.put_nowait(worker)

    async def stage(self, location: str) -> list[_Worker]:
        """Start a full set of workers on ``location``, for :meth:`switch`."""
        if self._idle is None:
            raise RuntimeError("QueryPool.start() was not awaited")
        return await self._start_workers(location, self.generation + 1)

    def switch(self, location: str, fresh: list[_Worker]) -> None:
        """Serve ``location`` with the workers :meth:`stage` started, from now on: idle old
        workers are stopped, busy ones when their query ends.  Synchronous, so that no
        request can take a worker in between."""
        assert self._idle is not None
        self.location, self.generation = str(location), self.generation + 1
        while not self._idle.empty():
            self._forget(self._idle.get_nowait())
        for worker in fresh:
            self._idle.put_nowait(worker)

    def close(self) -> None:
        with self._lock:
            workers, self._all = self._all, []
        for worker in workers:
            worker.kill()
        self._threads.shutdown(wait=False, cancel_futures=True)

    async def _ask(self, worker: _Worker, request: tuple) -> tuple | None:
        """Send ``request`` to ``worker`` and wait for its answer (``None`` past the time
        limit).  An answer of up to :data:`INLINE_BYTES` is unpickled at once; a larger one
        in a thread, so that the loop goes on meanwhile."""
        answers = worker.answers
        assert answers is not None  # attached when started
        loop = asyncio.get_running_loop()
        answer = answers.expect(loop)
        answers.send(request)
        # the time limit as a timer on the future (asyncio.wait_for makes a task per query)
        timer = loop.call_later(self.timeout, _expire, answer)
        try:
            frame = await answer
        except TimeoutError:
            return None
        finally:
            timer.cancel()
        if len(frame) <= INLINE_BYTES:
            return pickle.loads(frame)  # noqa: S301 - our own worker's answer
        return await loop.run_in_executor(self._threads, pickle.loads, frame)

    def _busy(self, message: str) -> QueryError:
        retry = max(1, round(self.timeout / 2))
        return QueryError(503, message, {"Retry-After": str(retry)})

    async def query(self, sparql: str, accepted: Sequence[str], *,
                    default_graph: Sequence[str] = (), named_graphs: Sequence[str] = (),
                    client: str | None = None, public: bool = False) -> Answer:
        """Answer one query.  ``client`` (an address) counts against the lane's per-client
        limit; ``public`` queries are checked for federation."""
        if self._idle is None:
            raise RuntimeError("QueryPool.start() was not awaited")
        counted = client if self.lane.per_client > 0 else None  # the client, when limited
        if counted is not None and self._clients[counted] >= self.lane.per_client:
            retry = max(1, round(self.timeout / 2))
            raise QueryError(429, f"at most {self.lane.per_client} queries of one client at "
                             "a time; wait for one to finish", {"Retry-After": str(retry)})
        if self._idle.empty() and self._waiting >= self.lane.queue:
            raise self._busy(f"the server is busy ({self._waiting} {self.name} requests are "
                             "waiting); try again shortly")
        if counted is not None:
            self._clients[counted] += 1
        try:
            return await self._query(sparql, accepted, default_graph, named_graphs, public)
        finally:
            if counted is not None:
                self._clients[counted] -= 1
                if not self._clients[counted]:
                    del self._clients[counted]

    async def _query(self, sparql, accepted, default_graph, named_graphs, public) -> Answer:
        assert self._idle is not None  # query() checked
        self._waiting += 1
        try:
            worker = await self._idle.get()
        finally:
            self._waiting -= 1
        request = (sparql, list(accepted), list(default_graph), list(named_graphs), public)
        replace = False
        try:
            message = await self._ask(worker, request)
        except (OSError, EOFError):
            replace = True
            message = ("error", *self._death(worker))
        except BaseException:  # cancelled: the worker may still answer, never reuse it
            replace = True
            raise
        else:
            if message is None:
                replace = True
                message = ("error", 503, f"the query took longer than the time limit of "
                                         f"{self.timeout:g} s and was stopped")
        finally:
            await self._give_back(worker, replace)
        if message[0] == "ok":
            return Answer(media_type=message[1], body=message[2], kind=message[3])
        raise QueryError(message[1], message[2])

    def _death(self, worker: _Worker) -> tuple[int, str]:
        worker.process.join(timeout=2)
        code = worker.process.exitcode
        if code == -signal.SIGABRT or code == -signal.SIGKILL:
            return 503, _memory_message(self.lane)
        return 500, f"the query worker died (exit code {code}); the query was not answered"

    async def _give_back(self, worker: _Worker, replace: bool) -> None:
        """Return a worker to the lane, or a new one in its place when it was stopped; a
        worker of an older generation (before :meth:`switch`) is stopped."""
        assert self._idle is not None  # the worker came from it
        if worker.generation != self.generation:
            self._forget(worker)
            return
        if replace:
            self._forget(worker)
            try:
                (worker,) = await self._start_workers(self.location, self.generation, 1)
            except QueryError:
                return  # the lane has one worker fewer until the next reload
            if worker.generation != self.generation:  # reloaded meanwhile
                self._forget(worker)
                return
        self._idle.put_nowait(worker)


def default_workers() -> int:
    return max(2, os.cpu_count() or 2)
