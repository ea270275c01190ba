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
import collections
import contextlib
import functools
import itertools
import mmap
import multiprocessing
import os
import pickle
import signal
import socket
import struct
import threading
import time
from collections import Counter
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any, NamedTuple, cast

from rightsgraph.core import formats
from rightsgraph.core.errors import RightsgraphError

INLINE_BYTES = 256 * 1024  # an answer read on the event loop's thread (larger: in a thread)
RESULT_TYPES = tuple(f.media_type for f in formats.RESULTS)  # SELECT and ASK
GRAPH_TYPES = tuple(f.media_type for f in formats.RDF)  # CONSTRUCT and DESCRIBE
# An answer's frame: ANSWERED, the index of its media type in MEDIA_TYPES and of its kind in
# KINDS, then its body as it is (no pickle: no copy of the body into one and out of it).
# Any other frame is a pickled message (a pickle starts with 0x80, never ANSWERED).
ANSWERED = 0
_NOTICE = 1  # a worker's notice about a connection handed to it (api/handover.py)
MEDIA_TYPES = (*RESULT_TYPES, *GRAPH_TYPES)
KINDS = ("select", "ask", "graph")
_HEADS = {(media, kind): bytes((ANSWERED, m, k)) for m, media in enumerate(MEDIA_TYPES)
          for k, kind in enumerate(KINDS)}  # the first bytes of each answer's frame


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
    spread: bool = False  # each worker kept on a core of its own (see QueryPool)
    service_allow: tuple[str, ...] = ()
    # workers answer /sparql connections handed to them (api/handover.py): the header lines
    # of an answer in each media type, but its length and uvicorn's defaults
    handover: tuple[tuple[str, bytes], ...] | None = None


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


@functools.lru_cache(maxsize=256)
def choose_media_type(kind: str, accepted: tuple[str, ...]) -> str | None:
    """The first acceptable media type for a result kind; ``None`` when nothing fits.
    ``accepted`` is the client's list, best first (``*/*`` and ``type/*`` allowed).  Kept
    per list: clients send a few distinct ``Accept`` headers, each many times."""
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


def _header(size: int) -> bytes:
    """The header of a frame of ``size`` bytes, as :mod:`multiprocessing.connection` writes
    it: a 4-byte big-endian length, or -1 and an 8-byte length past 2 GiB."""
    return struct.pack("!i", size) if size < 0x7FFFFFFF else struct.pack("!iQ", -1, size)


def _frame(payload: bytes) -> list[bytes]:
    """``payload`` framed (:func:`_header`), as the pieces to write."""
    return [_header(len(payload)), payload]


def _split_frames(buffer: bytearray) -> list[bytes]:
    """The whole frames at the start of ``buffer`` (see :func:`_frame`), taken out of it;
    a frame not yet whole stays for the next read."""
    frames = []
    while len(buffer) >= 4:
        (size,) = struct.unpack_from("!i", buffer)
        start = 4
        if size == -1:
            if len(buffer) < 12:
                break
            (size,) = struct.unpack_from("!Q", buffer, 4)
            start = 12
        if len(buffer) < start + size:
            break
        with memoryview(buffer) as view:
            frames.append(bytes(view[start:start + size]))
        del buffer[:start + size]
    return frames


def _whole(data: bytes) -> bool:
    """Whether ``data`` is exactly one frame (with a 4-byte header)."""
    return len(data) >= 4 and int.from_bytes(data[:4], "big", signed=True) == len(data) - 4


class _WorkerPipe:
    """A worker's end of its pipe, read as a raw socket: one ``recv`` takes every query
    already waiting (a worker is sent the next query while it runs one, see
    :data:`PIPELINE`), not two reads per query as :meth:`Connection.recv` makes; an
    answer is one ``sendmsg`` of its frame (:data:`ANSWERED`, no pickle), any other
    message a plain pickle."""

    READ = 256 * 1024

    def __init__(self, conn: Connection) -> None:
        self.sock = socket.socket(fileno=os.dup(conn.fileno()))
        self.sock.setblocking(True)
        conn.close()
        self._buffer = bytearray()
        self._frames: collections.deque[bytes] = collections.deque()

    def recv(self) -> tuple:
        """The next query; ``EOFError`` when the server closed the pipe."""
        while not self._frames:
            data = self.sock.recv(self.READ)
            if not data:
                raise EOFError
            if not self._buffer and _whole(data):  # most reads: one query, whole
                return pickle.loads(memoryview(data)[4:])  # noqa: S301 - the server's own
            self._buffer += data
            self._frames.extend(_split_frames(self._buffer))
        return pickle.loads(self._frames.popleft())  # noqa: S301 - the server's own query

    def take(self) -> list[tuple | None]:
        """The queries one read brings (the socket is readable); ``None`` last when the
        server closed the pipe."""
        data = self.sock.recv(self.READ)
        if not data:
            return [None]
        self._buffer += data
        self._frames.extend(_split_frames(self._buffer))
        taken = [pickle.loads(frame) for frame in self._frames]  # noqa: S301 - the server's
        self._frames.clear()
        return taken

    def send_raw(self, payload: bytes) -> None:
        """A frame as it is (a worker's notice, see :mod:`.handover`)."""
        self._write(_frame(payload))

    def send(self, message: tuple) -> None:
        """A message (``("ready",)``, ``("error", status, text)``), pickled."""
        self._write(_frame(pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)))

    def answer(self, media: str, body: bytes, kind: str) -> None:
        """An answer: its frame without pickle (see :data:`ANSWERED`)."""
        head = _HEADS[media, kind]
        self._write([_header(len(head) + len(body)) + head, body])

    def _write(self, pieces: list[bytes]) -> None:
        """``pieces`` in one system call where the socket takes them all, not joined (no
        copy of a large answer); the rest of them as the reader takes it."""
        sent = self.sock.sendmsg(pieces)
        for piece in pieces:
            if sent >= len(piece):
                sent -= len(piece)
                continue
            self.sock.sendall(memoryview(piece)[sent:])
            sent = 0


def _serve(location: str, conn: Connection, lane: Lane, parent: int,
           cpu: int | None = None, hand: socket.socket | None = None,
           slot_fd: int | None = None) -> None:
    """A worker: answer queries read from ``conn`` until it closes (on core ``cpu`` alone,
    when given), and with ``hand`` the connections handed to it (:mod:`.handover`)."""
    from rightsgraph.core.processes import die_with_parent, limit_memory

    die_with_parent(parent)
    limit_memory(lane.memory_mb)
    if lane.nice:
        os.nice(lane.nice)
    if cpu is not None:
        with contextlib.suppress(OSError):  # a core taken away meanwhile: anywhere, as before
            os.sched_setaffinity(0, {cpu})
    from rightsgraph.graph.store import StoreError, open_store

    pipe = _WorkerPipe(conn)
    try:
        store = open_store(location, read_only=True)
    except StoreError as err:
        pipe.send(("error", 503, str(err)))
        return
    run = functools.partial(_run, store, lane)
    pipe.send(("ready",))
    if hand is not None and slot_fd is not None and lane.handover is not None:
        import mmap

        from rightsgraph.api.handover import SLOT_SIZE, ConnectionWorker

        signal.signal(signal.SIGALRM, signal.SIG_DFL)  # the kernel ends a query too long
        ConnectionWorker(pipe, hand, mmap.mmap(slot_fd, SLOT_SIZE), lane.timeout, run,
                         dict(lane.handover)).serve()
        store.close()
        return
    while True:
        try:
            request = pipe.recv()
        except EOFError:
            break
        result = run(*request)
        if result[0] == "answer":
            pipe.answer(result[1], result[2], result[3])
        else:
            pipe.send(result)
    store.close()


def _run(store, lane: Lane, sparql: str, accepted: tuple[str, ...], default_graph: list,
         named_graphs: list, public: bool) -> tuple:
    """One query in a worker: ``("answer", media, body, kind)`` or ``("error", status,
    message)``."""
    from rightsgraph.graph.query_guard import QueryRefusedError, check_federation
    from rightsgraph.graph.store import QuerySyntaxError

    try:
        if public and lane.check_federation:
            check_federation(sparql, lane.service_allow)
        result = store.query(sparql, default_graph=default_graph, named_graphs=named_graphs)
        media = choose_media_type(result.kind, accepted)
        if media is None:
            kinds = RESULT_TYPES if result.kind != "graph" else GRAPH_TYPES
            return ("error", 406, f"cannot give a {result.kind.upper()} result as "
                    f"{', '.join(accepted)}; available: {', '.join(kinds)}")
        sink = _Capped(lane.max_bytes)
        result.serialize(media, out=sink)
        return ("answer", media, sink.parts[0] if len(sink.parts) == 1 else
                b"".join(sink.parts), result.kind)
    except QueryRefusedError as err:
        return ("error", 400, str(err))
    except QuerySyntaxError as err:
        return ("error", 400, f"SPARQL syntax error: {err}")
    except _TooLargeError:
        return ("error", 413, f"the result is larger than the limit of "
                f"{lane.max_bytes:,} bytes; add a LIMIT or narrow the query")
    except MemoryError:
        return ("error", 503, _memory_message(lane))
    except Exception as err:  # noqa: BLE001 - report, keep serving
        return ("error", 500, f"query failed: {err}")


def _memory_message(lane: Lane) -> str:
    return (f"the query needed more memory than a query worker may use ({lane.memory_mb:,} "
            "MiB) and was stopped; narrow it (fewer unbound patterns, a LIMIT without ORDER "
            "BY, smaller strings)")


class _NotStartedError(Exception):
    """A query sent to a worker that was stopped (for another query's sake) before it ran
    this one: it goes to another worker."""


class _Sent:
    """A query in a worker's pipe: its answer to come, and once the worker runs it (it is
    the oldest unanswered) the time it started."""

    __slots__ = ("answer", "started")

    def __init__(self, answer: asyncio.Future[bytes]) -> None:
        self.answer = answer
        self.started = 0.0  # the loop's time


class _Answers(asyncio.Protocol):
    """The server's end of a worker's pipe, read by the event loop as data arrives: the
    frames :mod:`multiprocessing.connection` writes (:func:`_header`), each an answer
    (:data:`ANSWERED`) or a pickled refusal.  One reader for the worker's life: a query
    costs a write and the reads of its answer, not registering and unregistering the pipe
    with the loop each time.

    A worker answers its queries in the order they were sent, one at a time; up to
    :data:`PIPELINE` are sent at once (``sent``), so that the next one waits in the pipe
    while the worker runs one.  The time limit of a query starts when the worker starts
    it: when the answer before it arrives.  One timer watches it (``_watch``), armed at the
    deadline of the query running when it was armed: when it fires it stops the worker if
    the query running then is past its own deadline, else it is armed again at that one.
    Queries start in order and share the time limit, so no deadline passes unseen, and a
    query costs no timer of its own (armed, cancelled and its handle closed by the event
    loop: a point query's server side is a few tens of microseconds)."""

    def __init__(self, worker: _Worker, pool: QueryPool) -> None:
        self.worker = worker
        self.pool = pool
        self.transport: asyncio.WriteTransport | None = None
        self.sent: collections.deque[_Sent] = collections.deque()
        self._buffer = bytearray()
        self._lost: BaseException | None = None
        self._watch: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.WriteTransport, transport)

    def data_received(self, data: bytes) -> None:
        if not self._buffer and _whole(data):  # most answers: one frame, whole
            self._answered(data[4:])
            return
        self._buffer += data
        for frame in _split_frames(self._buffer):
            self._answered(frame)

    def _answered(self, frame: bytes) -> None:
        if frame[0] == _NOTICE:  # a connection handed over closed or given back
            self.pool._notice(self.worker, pickle.loads(frame[1:]))  # noqa: S301 - our worker
            return
        if not self.sent:
            return  # the answer of a query already failed (the worker is being stopped)
        done = self.sent.popleft()
        if not done.answer.done():  # else its request was cancelled: nobody waits
            done.answer.set_result(frame)
        if self.sent:
            self._start_clock(self.sent[0])
        self.pool._freed(self.worker)

    def _start_clock(self, running: _Sent) -> None:
        loop = running.answer.get_loop()
        running.started = loop.time()
        if self._watch is None:
            self._watch = loop.call_at(running.started + self.pool.watch_after, self._check)

    def _check(self) -> None:
        """The watch fired: stop the worker if the query it runs is past its time limit,
        else watch that query's deadline."""
        self._watch = None
        if not self.sent:
            return
        running = self.sent[0]
        loop = running.answer.get_loop()
        deadline = running.started + self.pool.watch_after
        if loop.time() >= deadline:
            self.fail(TimeoutError())
            self.pool._retire(self.worker)
        else:
            self._watch = loop.call_at(deadline, self._check)

    def fail(self, error: BaseException) -> None:
        """Fail the running query with ``error`` and send back the ones behind it, which
        the worker has not started (:class:`_NotStartedError`)."""
        if self._watch is not None:
            self._watch.cancel()
            self._watch = None
        first = True
        while self.sent:
            waiting = self.sent.popleft()
            if not waiting.answer.done():
                waiting.answer.set_exception(error if first else _NotStartedError())
            first = False

    def connection_lost(self, exc: Exception | None) -> None:
        self._lost = exc or EOFError("the query worker closed its pipe")
        handing = self.worker.hand is not None
        if handing:  # the connections it answered: the server answers for it
            self.worker.exit = self.pool._death(self.worker)
            self.pool._orphaned(self.worker)
        if self.sent:  # the worker died (a memory limit) or was stopped
            self.fail(self._lost)
            self.pool._retire(self.worker)
        elif handing:  # it may have died answering a connection: replaced
            self.pool._retire(self.worker)
        if handing and self.worker not in self.pool._all:  # stopped: its descriptors now
            self.worker.release()

    def send(self, request: tuple, loop: asyncio.AbstractEventLoop) -> asyncio.Future[bytes]:
        """Send a query; its answer, as a future (an ``EOFError`` when the worker is gone
        before answering, a ``TimeoutError`` past the time limit)."""
        assert self.transport is not None  # attached
        if self._lost is not None or self.transport.is_closing():
            raise EOFError("the query worker closed its pipe")
        payload = pickle.dumps(request, protocol=pickle.HIGHEST_PROTOCOL)
        sent = _Sent(loop.create_future())
        self.sent.append(sent)
        if len(self.sent) == 1:
            self._start_clock(sent)
        self.transport.write(_header(len(payload)) + payload)
        return sent.answer


PIPELINE = 2  # queries in a worker's pipe at once: the one it runs and the next
# ... but the next only while the one it runs is young: behind a query that has run longer
# (a slow one, likely), it would wait for that one rather than for the first worker free
PIPELINE_WITHIN = 0.02


class _Worker:
    def __init__(self, context, location: str, lane: Lane, generation: int, slot: int,
                 cpu: int | None) -> None:
        self.generation = generation
        self.slot = slot  # its place in the lane (a worker started in its place takes it)
        self.conn, child = context.Pipe()
        # with handovers (api/handover.py): a socket that carries connections to it, its
        # slot, the connections it holds (numbers) and whether it gave them all back
        self.hand: socket.socket | None = None
        self.shared: mmap.mmap | None = None  # its slot (api/handover.py)
        self.handed: set[int] = set()
        self.retired = False
        self.exit: tuple[int, str] | None = None  # the status and message of its death
        extra: tuple = ()
        if lane.handover is not None:
            from rightsgraph.api.handover import new_slot

            self.hand, hand_child = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
            slot_fd, self.shared = new_slot()
            extra = (hand_child, _Fd(slot_fd))
        self.process = context.Process(target=_serve, daemon=True, name="rightsgraph-sparql",
                                       args=(location, child, lane, os.getpid(), cpu, *extra))
        self.process.start()
        child.close()
        if extra:
            extra[0].close()
            os.close(slot_fd)
            assert self.hand is not None
            self.hand.setblocking(False)
        self.answers: _Answers | None = None
        self.reserved = 0  # handed to a request that has not sent its query yet

    @property
    def load(self) -> int:
        """Queries sent or about to be sent to it, not yet answered."""
        return self.reserved + (len(self.answers.sent) if self.answers is not None else 0)

    def room(self, now: float) -> bool:
        """Whether it may be sent one more query now (see :data:`PIPELINE_WITHIN`)."""
        load = self.load
        if not load:
            return True
        if load >= PIPELINE or self.reserved or self.answers is None:
            return False
        return now - self.answers.sent[0].started < PIPELINE_WITHIN

    async def attach(self, pool: QueryPool) -> None:
        """Hand the pipe (after the worker said it is ready) to the event loop."""
        loop = asyncio.get_running_loop()
        pipe = socket.socket(fileno=os.dup(self.conn.fileno()))
        _, self.answers = await loop.create_unix_connection(lambda: _Answers(self, pool),
                                                            sock=pipe)

    def kill(self) -> None:
        self.process.kill()
        self.process.join(timeout=5)
        if self.answers is not None and self.answers.transport is not None:
            self.answers.transport.close()
        self.conn.close()
        if self.hand is not None:
            self.hand.close()

    def release(self) -> None:
        """Close what a stopped worker's handovers held: its slot and its process's own
        descriptors (not left to the garbage collector)."""
        if self.shared is not None and not self.shared.closed:
            self.shared.close()
        if self.process.exitcode is not None:
            with contextlib.suppress(ValueError):
                self.process.close()


class _Fd:
    """A descriptor given to a worker as it starts (as :mod:`multiprocessing` gives a
    socket: duplicated into the child)."""

    def __init__(self, fd: int) -> None:
        self.fd = fd

    def __reduce__(self) -> tuple:
        from multiprocessing import reduction

        return _detach, (reduction.DupFd(self.fd),)


def _detach(dup: Any) -> int:
    return dup.detach()


class _Handed:
    """A connection handed over to a worker: the server's duplicate of its socket, the
    worker, the client (counted against the per-client limit) and how the server takes it
    back (``attach(sock, data, refusal, unsent, close)``: a new HTTP protocol on the socket,
    ``unsent`` written on it (the rest of a worker's answer), then fed ``data``, its first
    request refused with ``refusal`` when given, or closed when ``close``)."""

    __slots__ = ("sock", "worker", "client", "attach", "data")

    def __init__(self, sock: socket.socket, worker: _Worker, client: str | None,
                 attach: Callable[..., None],
                 data: bytes) -> None:
        self.data = data  # the bytes sent with it (taken back if the worker never got them)
        self.sock = sock
        self.worker = worker
        self.client = client
        self.attach = attach


class QueryPool:
    """``workers`` processes answering SPARQL on the store at ``location``: one lane.

    ``queue`` requests may wait for a worker (one more gets a 503 with ``Retry-After``);
    ``per_client`` limits the requests of one client at once (429; 0: no limit);
    ``memory_mb`` is each worker's memory limit; with ``service_allow`` given (even empty),
    queries marked public are checked for federation and may only call those services;
    ``nice`` lowers the workers' CPU priority (a slow public query then takes the CPU the
    site's workers leave, not the other way round); ``spread`` keeps each worker on a core
    of its own when they are at least as many as the server's cores (the scheduler balances
    cores by weight, and two workers at a low priority weigh less than one process at the
    normal one: it put both on one core while another ran the server).

    Each worker is sent up to :data:`PIPELINE` queries at once, the next one waiting in its
    pipe while it runs one, so that it never idles between an answer and the next query
    (the server process's round trip, a wake-up at a lower priority).  A query is failed
    only for its own sake: when a worker is stopped (time limit, memory limit), the query
    it ran gets the error and the ones behind it, never started, go to another worker."""

    def __init__(self, location: str, *, workers: int = 2, timeout: float = 30.0,
                 max_bytes: int = 50_000_000, memory_mb: int = 1024, queue: int = 32,
                 per_client: int = 0, service_allow: Sequence[str] | None = None,
                 nice: int = 0, spread: bool = False, name: str = "sparql",
                 handover: dict[str, bytes] | None = None) -> None:
        self.location = str(location)
        lane = Lane(workers=workers, timeout=timeout, max_bytes=max_bytes, memory_mb=memory_mb,
                    queue=queue, per_client=per_client,
                    check_federation=service_allow is not None,
                    service_allow=tuple(service_allow or ()), nice=nice, spread=spread,
                    handover=tuple(handover.items()) if handover is not None else None)
        self.lane = lane
        self.name = name
        self.timeout = lane.timeout
        self.size = max(1, lane.workers)
        self._context = multiprocessing.get_context("spawn")
        self._threads = ThreadPoolExecutor(max_workers=2 * self.size + 1,
                                           thread_name_prefix=f"{name}-pool")
        self._workers: list[_Worker] | None = None  # serving now (None: not started)
        self._waiters: collections.deque[asyncio.Future[_Worker]] = collections.deque()
        self._lock = threading.Lock()
        self._all: list[_Worker] = []
        self._waiting = 0
        self._clients: Counter[str] = Counter()  # routed queries in flight, per client
        self._handed_by: dict[str, set[int]] = {}  # handed-over connections, per client
        self._replacing: set[asyncio.Task] = set()
        self._loop: asyncio.AbstractEventLoop  # the server's, from start()
        self.generation = 0
        # connections handed over to the workers (api/handover.py), by number
        self._handed: dict[int, _Handed] = {}
        self._numbers = itertools.count(1)
        self.handovers = 0  # connections handed over since the start (for tests)
        # the server's watch of a pipe query: with handovers the worker's own kernel timer
        # ends a query at the limit; a pipe query may wait behind a connection's, so the
        # server's timer is a backstop (each of the two bounded by the limit)
        self.watch_after = self.timeout * 2 + 1 if lane.handover is not None else self.timeout

    @property
    def pids(self) -> list[int]:
        """The process ids of the workers (for tests and monitoring)."""
        with self._lock:
            return [w.process.pid for w in self._all if w.process.pid]

    def _cpu(self, slot: int) -> int | None:
        """The core of the worker in ``slot`` when the lane spreads its workers and they
        are at least as many as the cores the server may run on (else the scheduler's
        choice: there are cores to spare)."""
        cpus = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else []
        if not self.lane.spread or len(cpus) < 2 or self.size < len(cpus):
            return None
        return cpus[slot % len(cpus)]

    def _spawn(self, location: str, generation: int, slot: int) -> _Worker:
        # Started from the event loop's thread, which lives as long as the server: the
        # worker's PR_SET_PDEATHSIG fires when the thread that started it ends.
        worker = _Worker(self._context, location, self.lane, generation, slot,
                         self._cpu(slot))
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
                             slots: Sequence[int] | None = None) -> list[_Worker]:
        loop = asyncio.get_running_loop()
        workers = [self._spawn(location, generation, slot)
                   for slot in (range(self.size) if slots is None else slots)]
        try:
            ready = list(await asyncio.gather(*(loop.run_in_executor(self._threads, self._ready,
                                                                     w) for w in workers)))
            for worker in ready:
                await worker.attach(self)
            return ready
        except BaseException:
            for worker in workers:
                self._forget(worker)
            raise

    async def start(self) -> None:
        self._loop = asyncio.get_running_loop()  # read per query: asking costs a getpid()
        self._workers = await self._start_workers(self.location, self.generation)

    async def stage(self, location: str) -> list[_Worker]:
        """Start a full set of workers on ``location``, for :meth:`switch`."""
        if self._workers is None:
            raise RuntimeError("QueryPool.start() was not awaited")
        return await self._start_workers(location, self.generation + 1)

    def switch(self, location: str, fresh: list[_Worker]) -> None:
        """Serve ``location`` with the workers :meth:`stage` started, from now on: idle old
        workers are stopped, busy ones when their last query is answered.  Synchronous, so
        that no request can take a worker in between."""
        assert self._workers is not None
        self.location, self.generation = str(location), self.generation + 1
        old, self._workers = self._workers, list(fresh)
        for worker in old:
            if worker.handed:  # its connections come back at their next request
                self._retire_connections(worker)
            elif not worker.load:
                self._forget(worker)
        self._hand_out()

    def close(self) -> None:
        with self._lock:
            workers, self._all = self._all, []
        for worker in workers:
            worker.kill()
        handed, self._handed = self._handed, {}
        for connection in handed.values():
            connection.sock.close()
        self._threads.shutdown(wait=False, cancel_futures=True)

    # -- connections handed over (api/handover.py) -------------------------------------------

    def hand_over(self, fd: int, client: str | None, data: bytes, dated: bool, defaults: bytes,
                  keep_alive_s: float,
                  attach: Callable[..., None]) -> bool:
        """Hand the connection on ``fd`` (with ``data``, the bytes read: a whole request) to
        the worker with the fewest connections, when the lane admits it: at most ``workers
        + queue`` connections handed over at once, and with a per-client limit, at most
        ``per_client`` of one client's handed-over connections and routed queries.  The
        server keeps a duplicate of ``fd`` (the caller closes its own); ``attach`` takes the
        connection back.  ``False``: not handed over (the caller answers as before)."""
        lane = self.lane
        if lane.handover is None or self._workers is None:
            return False
        if len(self._handed) >= self.size + lane.queue:
            return False
        counted = client if lane.per_client > 0 else None
        # a client's handed-over connections each run one query at a time: at most
        # per_client of them, none while it has routed queries in flight (those are counted
        # with its connections running or holding a request, see _in_flight)
        if counted is not None and (self._clients[counted] or (
                counted in self._handed_by and self._in_flight(counted) is not None
                and len(self._handed_by.get(counted, ())) >= lane.per_client)):
            return False
        # the worker with the fewest connections among those not running a query older
        # than PIPELINE_WITHIN (read from their slots), else among all
        from rightsgraph.api.handover import busy

        best, best_key = None, None
        now = time.time()
        for worker in self._workers:
            if worker.hand is None or worker.answers is None or worker.shared is None:
                continue
            key = (busy(worker.shared, now, PIPELINE_WITHIN), len(worker.handed))
            if best_key is None or key < best_key:
                best, best_key = worker, key
        if best is None or best.hand is None:
            return False
        number = next(self._numbers)
        payload = pickle.dumps((number, data, dated, defaults, keep_alive_s),
                               protocol=pickle.HIGHEST_PROTOCOL)
        # counted before it is sent: the worker may answer the request before this thread
        # runs again (another thread of the process, a test, then sees it counted)
        self._handed[number] = connection = _Handed(socket.socket(fileno=os.dup(fd)), best,
                                                    counted, attach, data)
        best.handed.add(number)
        if counted is not None:
            self._handed_by.setdefault(counted, set()).add(number)
        self.handovers += 1
        try:
            socket.send_fds(best.hand, [payload], [fd])
        except OSError:  # its socket full (or the worker gone): answered as before
            self.handovers -= 1
            self._release(number)
            connection.sock.close()
            return False
        return True

    @property
    def handed(self) -> int:
        """Connections handed over to the workers now."""
        return len(self._handed)

    def _release(self, number: int) -> _Handed | None:
        """A connection no longer a worker's: uncounted."""
        connection = self._handed.pop(number, None)
        if connection is None:
            return None
        connection.worker.handed.discard(number)
        counted = connection.client
        if counted is not None:
            numbers = self._handed_by.get(counted)
            if numbers is not None:
                numbers.discard(number)
                if not numbers:
                    del self._handed_by[counted]
        return connection

    def _notice(self, worker: _Worker, message: tuple) -> None:
        """A worker's notice: a connection closed (``closed``), given back (``back``, with
        the bytes read and not answered and a refusal to render), or all of them given back
        for a new snapshot (``retired``)."""
        if message[0] == "retired":
            worker.retired = True
            if worker.generation != self.generation and not worker.load and not worker.handed:
                self._forget(worker)
            return
        connection = self._release(message[1])
        if connection is None:
            return
        if message[0] == "back":
            connection.attach(connection.sock, *message[2:])
        else:
            connection.sock.close()
        if (not worker.handed and worker.retired and worker.generation != self.generation
                and not worker.load):
            self._forget(worker)

    def _retire_connections(self, worker: _Worker) -> None:
        """An old worker (a new snapshot): it gives its connections back at their next
        request (its slot says so before any request it reads) and then ends."""
        from rightsgraph.api.handover import RETIRE, set_retire

        if worker.shared is not None:
            set_retire(worker.shared)
        if worker.hand is not None:
            with contextlib.suppress(OSError):
                worker.hand.send(RETIRE)

    def _orphaned(self, worker: _Worker) -> None:
        """A worker holding connections died (its time limit, its memory limit, killed):
        the connection it was answering gets the routed path's 503 (or 500) from the
        server's duplicate and goes on with the server, unless the worker had begun writing
        the answer (then it is closed).  Its other connections come back to the
        server with what it sent along (a handover the worker never received) or with
        nothing (the worker reads a connection only between queries: what the client sent
        since waits in the socket), but for those the worker held part of a request of
        (closed: that part is lost)."""
        from rightsgraph.api.handover import RUNNING, read_slot

        if worker.shared is None:
            return
        slot = read_slot(worker.shared)
        status, message = self._death(worker)
        for number in sorted(worker.handed):
            connection = self._release(number)
            if connection is None:
                continue
            if number == slot.running:
                if slot.state == RUNNING and slot.request:
                    # the worker read that request and nothing after it: the connection
                    # goes on with the server, as after the routed path's 503
                    connection.attach(connection.sock, slot.request, (status, message, None))
                else:
                    connection.sock.close()
            elif number > slot.received:  # still in the handover socket: as it was sent
                connection.attach(connection.sock, connection.data, None)
            elif slot.partial is not None and number not in slot.partial:
                connection.attach(connection.sock, b"", None)
            else:
                connection.sock.close()

    def _in_flight(self, client: str) -> int:
        """The queries of ``client`` running or waiting: its routed ones, and its handed-over
        connections that a worker runs (their worker's slot says so) or that hold bytes not
        yet read (seen on the server's duplicate, without reading).  A handed-over
        connection the client has closed is uncounted here, not when its worker says so
        (a client that closes a connection and opens another at once)."""
        from rightsgraph.api.handover import HEAD_AT, RUNNING, SLOT_HEAD

        count = self._clients[client]
        for number in list(self._handed_by.get(client, ())):
            connection = self._handed[number]
            shared = connection.worker.shared
            if shared is not None and not shared.closed:
                state, running, _, _ = SLOT_HEAD.unpack_from(shared, HEAD_AT)
                if state == RUNNING and running == number:  # (writing: its query done)
                    count += 1
                    continue
            try:
                peeked = connection.sock.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT)
            except BlockingIOError:
                continue  # idle
            except OSError:
                peeked = b""
            if peeked:
                count += 1
            else:  # closed by the client
                self._release(number)
                connection.sock.close()
        return count

    def _hold(self, client: str) -> None:
        """A routed query of ``client`` starts: its handed-over connections come back to
        the server at their next request (their worker is told), so that their queries
        are counted with the routed ones."""
        from rightsgraph.api.handover import GIVE_BACK

        for number in self._handed_by.get(client, ()):
            hand = self._handed[number].worker.hand
            if hand is not None:
                with contextlib.suppress(OSError):
                    hand.send(GIVE_BACK + number.to_bytes(8, "big"))

    def _free(self) -> _Worker | None:
        """The serving worker with the fewest queries, if it can take one more."""
        assert self._workers is not None
        best = None
        now = self._loop.time()
        for worker in self._workers:
            if worker.room(now) and (best is None or worker.load < best.load):
                best = worker
        if best is not None and best.shared is not None:
            # with handovers: not one running a connection's query that has run long
            from rightsgraph.api.handover import busy

            wall = time.time()
            best = None
            for worker in self._workers:
                if (worker.room(now) and (worker.shared is None
                                          or not busy(worker.shared, wall, PIPELINE_WITHIN))
                        and (best is None or worker.load < best.load)):
                    best = worker
        return best

    def _hand_out(self) -> None:
        """Give free workers to the requests waiting, oldest first."""
        while self._waiters:
            worker = self._free()
            if worker is None:
                return
            waiter = self._waiters.popleft()
            if not waiter.done():  # else cancelled while waiting
                worker.reserved += 1
                waiter.set_result(worker)

    def _freed(self, worker: _Worker) -> None:
        """A worker answered a query: a request waiting may have it; an old one (before
        :meth:`switch`) is stopped once it has answered all it was sent."""
        if worker.generation != self.generation:
            if not worker.load and not worker.handed:
                self._forget(worker)
            return
        self._hand_out()

    def _retire(self, worker: _Worker) -> None:
        """Stop a worker (its queries were failed or sent back) and start one in its
        place; meanwhile the lane has one fewer."""
        assert self._workers is not None
        if worker in self._workers:
            self._workers.remove(worker)
        elif worker not in self._all:
            return  # stopped already
        self._forget(worker)
        if worker.generation == self.generation:
            task = asyncio.get_running_loop().create_task(
                self._replace(worker.generation, worker.slot))
            self._replacing.add(task)
            task.add_done_callback(self._replacing.discard)

    async def _replace(self, generation: int, slot: int) -> None:
        try:
            (worker,) = await self._start_workers(self.location, generation, [slot])
        except (QueryError, OSError, EOFError, RuntimeError):
            # it did not start (or the server is stopping, its threads shut down): the lane
            # has one worker fewer until the next reload
            return
        if worker.generation != self.generation or self._workers is None:  # reloaded
            self._forget(worker)
            return
        self._workers.append(worker)
        self._hand_out()

    async def _wait(self) -> _Worker:
        """The first worker with room for one more query, once the requests that waited
        before have theirs (reserved for the caller: it is handed out before the caller
        runs again)."""
        waiter: asyncio.Future[_Worker] = self._loop.create_future()
        self._waiters.append(waiter)
        self._waiting += 1
        try:
            return await waiter
        except asyncio.CancelledError:
            if waiter.done() and not waiter.cancelled():  # handed out, then cancelled
                waiter.result().reserved -= 1
                self._hand_out()
            elif waiter in self._waiters:
                self._waiters.remove(waiter)
            raise
        finally:
            self._waiting -= 1

    # -- queries ----------------------------------------------------------------------------

    def _busy(self, message: str) -> QueryError:
        retry = max(1, round(self.timeout / 2))
        return QueryError(503, message, {"Retry-After": str(retry)})

    async def query(self, sparql: str, accepted: Sequence[str], *,
                    default_graph: Sequence[str] = (), named_graphs: Sequence[str] = (),
                    client: str | None = None, public: bool = False) -> Answer:
        """Answer one query.  ``client`` (an address) counts against the lane's per-client
        limit; ``public`` queries are checked for federation."""
        if self._workers is None:
            raise RuntimeError("QueryPool.start() was not awaited")
        counted = client if self.lane.per_client > 0 else None  # the client, when limited
        if counted is not None and (self._in_flight(counted) if self._handed
                                    else self._clients[counted]) >= self.lane.per_client:
            retry = max(1, round(self.timeout / 2))
            raise QueryError(429, f"at most {self.lane.per_client} queries of one client at "
                             "a time; wait for one to finish", {"Retry-After": str(retry)})
        # with handovers, the connections past one per worker may each hold a request
        # waiting in a worker (the server is not told per request): counted as waiting
        waiting = self._waiting + max(0, len(self._handed) - self.size)
        if waiting >= self.lane.queue and self._free() is None:
            raise self._busy(f"the server is busy ({self._waiting} {self.name} requests are "
                             "waiting); try again shortly")
        if counted is not None:
            self._clients[counted] += 1
            if counted in self._handed_by:
                self._hold(counted)
        try:
            return await self._answer((sparql, tuple(accepted), list(default_graph),
                                       list(named_graphs), public))
        finally:
            if counted is not None:
                self._clients[counted] -= 1
                if not self._clients[counted]:
                    del self._clients[counted]

    async def _answer(self, request: tuple) -> Answer:
        """The answer to ``request`` (the message a worker reads), from the first worker
        with room for it: at once when one has room and no request waits before it."""
        loop = self._loop
        for _ in range(REQUEUES):
            worker = None if self._waiters else self._free()
            if worker is None:
                worker = await self._wait()
                worker.reserved -= 1
            answers = worker.answers
            assert answers is not None  # attached when started
            try:
                answer = answers.send(request, loop)
            except (OSError, EOFError):
                self._retire(worker)
                continue
            if self._waiters:  # the worker may take the next one behind this
                self._hand_out()
            try:
                frame = await answer
            except _NotStartedError:
                continue
            except TimeoutError:
                message: tuple = ("error", 503, f"the query took longer than the time limit "
                                                f"of {self.timeout:g} s and was stopped")
            except (OSError, EOFError):
                message = ("error", *self._death(worker))
            except asyncio.CancelledError:
                if answers.sent and answers.sent[0].answer is answer:
                    # the worker runs it and would answer for nobody: stop it
                    answers.fail(EOFError("cancelled"))
                    self._retire(worker)
                raise  # a query behind it: its answer is dropped when it comes
            else:
                if frame[0] == ANSWERED:  # its body copied out of the frame: a large one aside
                    body = frame[3:] if len(frame) <= INLINE_BYTES else await \
                        loop.run_in_executor(self._threads, frame.__getitem__, slice(3, None))
                    return Answer(media_type=MEDIA_TYPES[frame[1]], body=body,
                                  kind=KINDS[frame[2]])
                message = pickle.loads(frame)  # noqa: S301 - our own worker's refusal
            raise QueryError(message[1], message[2])
        raise self._busy(f"the {self.name} query workers were stopped {REQUEUES} times "
                         "before this query ran; try again shortly")

    def _death(self, worker: _Worker) -> tuple[int, str]:
        if worker.exit is not None:  # told when its pipe closed (its process released)
            return worker.exit
        worker.process.join(timeout=2)
        code = worker.process.exitcode
        if code == -signal.SIGALRM:  # its kernel timer (api/handover.py)
            return 503, (f"the query took longer than the time limit of {self.timeout:g} s "
                         "and was stopped")
        if code == -signal.SIGABRT or code == -signal.SIGKILL:
            return 503, _memory_message(self.lane)
        return 500, f"the query worker died (exit code {code}); the query was not answered"


REQUEUES = 4  # workers a query may be sent to, each stopped for another query before it ran


def default_workers() -> int:
    return max(2, os.cpu_count() or 2)
