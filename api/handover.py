"""Public workers that answer ``/sparql`` connections themselves (decision 0013, seventh
amendment; the design of its fourth).

The server (uvicorn, :mod:`.http`) accepts every connection.  When a connection's first
bytes (or the bytes of a request that starts after the last one was answered) are a whole
``GET /sparql?query=…``, and the public lane admits it (:meth:`.pool.QueryPool.hand_over`:
at most ``workers + queue`` connections handed over at once, at most ``per_client`` of one
client counted with its routed requests), the server duplicates the connection's socket,
keeps the duplicate and sends the other to a worker over a socket of its own
(``SCM_RIGHTS``) with the bytes it read.  The worker answers the connection's requests
itself, one at a time: no hop through the server per request.

A worker answers only what the plain path answers (a ``GET /sparql`` whose only parameter
is ``query``, passing :func:`.protocol.check_query`, without a body, ``Expect`` or
``Upgrade``, one request at a time); anything else, and the lane's refusals (syntax,
federation, 406, 413), it **gives back**: the connection number, the bytes it read and not
answered and the refusal if any go to the server over the worker's pipe, which attaches its
duplicate to a new protocol, feeds it the bytes and renders the refusal with the route's
rendering, so that a refusal is never run again and reads the same either way.

Limits (decision 0004): before each query the worker writes the connection, the start and
the request into its *slot*, a shared mapping the server reads only when the worker dies,
and arms ``ITIMER_REAL`` at the time limit with ``SIGALRM`` at its default action: the
kernel ends a worker whose query runs past it, and the server answers that connection the
503 of the routed path from its duplicate.  The memory limit stays ``RLIMIT_AS``.
"""
from __future__ import annotations

import contextlib
import email.utils
import mmap
import os
import pickle
import selectors
import signal
import socket
import struct
import threading
import time
from collections.abc import Callable
from typing import Any, NamedTuple

import httptools

# a worker's slot, shared with the server: a retirement (written by the server), the last
# connection number the worker received, the state, the connection running, its start
# (time.time()) and its request's length, the connections holding part of a request read
# (at most PARTIAL_MAX; -1: more), then the request's bytes (at most REQUEST_MAX)
IDLE, RUNNING, WRITING = 0, 1, 2
RETIRE_AT, RECEIVED_AT = 0, 8
SLOT_HEAD = struct.Struct("=qqdq")  # state, connection, start, length
HEAD_AT = 16
PARTIAL_AT = HEAD_AT + SLOT_HEAD.size
PARTIAL_MAX = 64
REQUEST_AT = PARTIAL_AT + 8 * (PARTIAL_MAX + 1)
REQUEST_MAX = 16 * 1024  # a request larger than this is given back to the server
SLOT_SIZE = REQUEST_AT + REQUEST_MAX
NOTICE = 1  # the first byte of a worker's notice on its pipe (an answer's is 0, a pickle's 0x80)
RETIRE = b"retire"
GIVE_BACK = b"give back"  # and a connection's number: back to the server after its request
PIPELINE_WITHIN = 0.02  # a query older than this: the worker's other connections go back


def new_slot() -> tuple[int, mmap.mmap]:
    """A slot shared with a worker: an anonymous memory file (its descriptor, sent to the
    worker when it starts) and the server's mapping of it."""
    fd = os.memfd_create("rightsgraph-slot", 0)
    os.ftruncate(fd, SLOT_SIZE)
    return fd, mmap.mmap(fd, SLOT_SIZE)


class Slot(NamedTuple):
    """What a dead worker's slot says (see :func:`read_slot`)."""

    state: int
    running: int  # the connection of the query running (0: a pipe query or none)
    request: bytes
    received: int  # the last connection number the worker received
    partial: frozenset[int] | None  # connections with part of a request read (None: many)


def read_slot(slot: mmap.mmap) -> Slot:
    state, number, _, length = SLOT_HEAD.unpack_from(slot, HEAD_AT)
    (received,) = struct.unpack_from("=q", slot, RECEIVED_AT)
    (count,) = struct.unpack_from("=q", slot, PARTIAL_AT)
    partial = None if count < 0 else frozenset(
        struct.unpack_from(f"={count}q", slot, PARTIAL_AT + 8))
    return Slot(state, number, bytes(slot[REQUEST_AT:REQUEST_AT + length]), received,
                partial)


def busy(slot: mmap.mmap, now: float, within: float) -> bool:
    """Whether a worker runs a query started more than ``within`` seconds before ``now``."""
    state, _, started, _ = SLOT_HEAD.unpack_from(slot, HEAD_AT)
    return state != IDLE and now - started > within


def set_retire(slot: mmap.mmap) -> None:
    struct.pack_into("=q", slot, RETIRE_AT, 1)


_FORBIDDEN = frozenset((b"content-length", b"transfer-encoding", b"expect", b"upgrade"))


class _Request:
    """httptools' callbacks for one request: its target and headers."""

    __slots__ = ("url", "headers", "complete", "parser", "keep_alive")

    def __init__(self) -> None:
        self.url = b""
        self.headers: list[tuple[bytes, bytes]] = []
        self.complete = False
        self.parser: Any = None
        self.keep_alive = False

    def on_headers_complete(self) -> None:  # as uvicorn reads it (then, not later)
        self.keep_alive = (self.parser.get_http_version() != "1.0"
                           and self.parser.should_keep_alive())

    def on_url(self, url: bytes) -> None:
        self.url += url

    def on_header(self, name: bytes, value: bytes) -> None:
        self.headers.append((name.lower(), value.rstrip(b" \t")))

    def on_message_complete(self) -> None:
        self.complete = True


class _Conn:
    __slots__ = ("number", "sock", "buffer", "last", "dated", "defaults", "keep_alive_s")

    def __init__(self, number: int, sock: socket.socket, data: bytes, dated: bool,
                 defaults: bytes, keep_alive_s: float) -> None:
        self.number = number
        self.sock = sock
        self.buffer = bytearray(data)
        self.last = time.monotonic()
        self.dated = dated  # uvicorn's default headers: a date, then these lines
        self.defaults = defaults
        self.keep_alive_s = keep_alive_s


class _Date:
    """uvicorn's ``date`` header, made once a second."""

    def __init__(self) -> None:
        self.second = -1
        self.header = (b"date", b"")

    def now(self) -> tuple[bytes, bytes]:
        second = int(time.time())
        if second != self.second:
            self.second = second
            self.header = (b"date", email.utils.formatdate(second, usegmt=True).encode())
        return self.header


class ConnectionWorker:
    """A public worker's loop over its pipe (queries of the routed path, as before), its
    handover socket and the connections handed to it."""

    def __init__(self, pipe: Any, hand: socket.socket, slot: mmap.mmap, timeout: float,
                 run: Callable[[str, tuple[str, ...], list, list, bool], tuple],
                 answer_headers: dict[str, bytes]) -> None:
        self.pipe = pipe
        self.hand = hand
        self.slot = slot
        self.timeout = timeout
        self.run = run  # a query, as in _serve: ("answer", media, body, kind) or ("error", …)
        self.answer_headers = answer_headers  # per media type: its header lines
        self.conns: dict[int, _Conn] = {}
        self.selector = selectors.DefaultSelector()
        self.lock = threading.Lock()  # held by the loop but around a query
        self.date = _Date()
        self.running = 0  # the connection of the query running (0: none or a pipe query)
        self.started = 0.0  # time.monotonic() of the query running, 0 when none
        self.retired = False
        self.partial: set[int] = set()  # connections holding part of a request

    # -- the slot and the kernel's timer ---------------------------------------------------

    def _begin(self, number: int, request: bytes) -> None:
        slot = self.slot
        SLOT_HEAD.pack_into(slot, HEAD_AT, RUNNING, number, time.time(), len(request))
        if request:
            slot[REQUEST_AT:REQUEST_AT + len(request)] = request
        partial = self.partial
        if partial and (len(partial) > 1 or number not in partial):
            others = [n for n in partial if n != number]
            if len(others) > PARTIAL_MAX:
                struct.pack_into("=q", slot, PARTIAL_AT, -1)
            else:
                struct.pack_into(f"=q{len(others)}q", slot, PARTIAL_AT, len(others), *others)
        else:
            struct.pack_into("=q", slot, PARTIAL_AT, 0)
        signal.setitimer(signal.ITIMER_REAL, self.timeout)

    def _writing(self) -> None:
        struct.pack_into("=q", self.slot, HEAD_AT, WRITING)

    def _end(self) -> None:
        signal.setitimer(signal.ITIMER_REAL, 0)
        struct.pack_into("=q", self.slot, HEAD_AT, IDLE)

    def _retiring(self) -> bool:
        return struct.unpack_from("=q", self.slot, RETIRE_AT)[0] != 0

    def _query(self, number: int, request: bytes, args: tuple) -> tuple:
        self._begin(number, request)
        self.running, self.started = number, time.monotonic()
        self.lock.release()
        try:
            return self.run(*args)
        finally:
            self.lock.acquire()
            self.running, self.started = 0, 0.0

    # -- notices to the server ---------------------------------------------------------------

    def _notice(self, *message: Any) -> None:
        self.pipe.send_raw(bytes((NOTICE,)) + pickle.dumps(message,
                                                            protocol=pickle.HIGHEST_PROTOCOL))

    def _drop(self, conn: _Conn) -> None:
        self.partial.discard(conn.number)
        with contextlib.suppress(KeyError, ValueError):
            self.selector.unregister(conn.sock)
        self.conns.pop(conn.number, None)
        conn.sock.close()

    def give_back(self, conn: _Conn, refusal: tuple | None = None, unsent: bytes = b"",
                  close: bool = False) -> None:
        """The connection back to the server, with the bytes read and not answered (or the
        part of an answer the socket did not take at once, for the server to write, then
        to close the connection when ``close``)."""
        self._notice("back", conn.number, bytes(conn.buffer), refusal, unsent, close)
        self._drop(conn)

    def _closed(self, conn: _Conn, shut: bool) -> None:
        if shut:  # the server holds a duplicate: closing ours alone would not end it
            with contextlib.suppress(OSError):
                conn.sock.shutdown(socket.SHUT_WR)
        self._notice("closed", conn.number)
        self._drop(conn)

    # -- the loop ----------------------------------------------------------------------------

    def serve(self) -> None:
        self.lock.acquire()
        threading.Thread(target=self._watch, daemon=True, name="handover-watch").start()
        pipe_sock = self.pipe.sock
        self.selector.register(pipe_sock, selectors.EVENT_READ, None)
        self.selector.register(self.hand, selectors.EVENT_READ, self.hand)
        next_scan = time.monotonic() + 1.0
        while True:
            events = self.selector.select(1.0 if self.conns else None)
            # the handover socket first: a retirement (a new snapshot) before any request
            for key, _ in sorted(events, key=lambda e: e[0].data is not self.hand):
                data = key.data
                if data is None:
                    for request in self.pipe.take():
                        if request is None:
                            return
                        self._pipe_query(request)
                elif data is self.hand:
                    self._handed()
                elif data.number in self.conns:
                    self._readable(data)
            if self.conns and time.monotonic() >= next_scan:
                now = time.monotonic()
                next_scan = now + 1.0
                for conn in list(self.conns.values()):
                    if now - conn.last >= conn.keep_alive_s:
                        if conn.buffer:  # a request begun: the server waits for it as uvicorn
                            self.give_back(conn)
                        else:
                            self._closed(conn, shut=True)

    def _pipe_query(self, request: tuple) -> None:
        result = self._query(0, b"", request)
        self._end()
        if result[0] == "answer":
            self.pipe.answer(result[1], result[2], result[3])
        else:
            self.pipe.send(result)

    def _handed(self) -> None:
        try:
            message, fds, _, _ = socket.recv_fds(self.hand, 65536, 1)
        except (BlockingIOError, InterruptedError):
            return
        if not message or message == RETIRE:
            self._retire()
            return
        if message.startswith(GIVE_BACK):
            conn = self.conns.get(int.from_bytes(message[len(GIVE_BACK):], "big"))
            if conn is not None:  # not running: the loop runs nothing now
                self.give_back(conn)
            return
        number, data, dated, defaults, keep_alive_s = pickle.loads(message)  # noqa: S301
        struct.pack_into("=q", self.slot, RECEIVED_AT, number)
        sock = socket.socket(fileno=fds[0])
        sock.setblocking(True)
        conn = _Conn(number, sock, data, dated, defaults, keep_alive_s)
        if self.retired:
            self.conns[number] = conn
            self.give_back(conn)
            return
        self.conns[number] = conn
        self.selector.register(sock, selectors.EVENT_READ, conn)
        if conn.buffer:
            self._request(conn)

    def _retire(self) -> None:
        """A new snapshot: every connection back to the server (no query runs now)."""
        self.retired = True
        for conn in list(self.conns.values()):
            self.give_back(conn)
        self._notice("retired")

    def _readable(self, conn: _Conn) -> None:
        try:
            data = conn.sock.recv(65536)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            data = b""
        if not data:
            self._closed(conn, shut=False)
            return
        conn.buffer += data
        conn.last = time.monotonic()
        self._request(conn)

    def _request(self, conn: _Conn) -> None:
        """Answer the request in ``conn``'s buffer when it is whole and ours, else give the
        connection back."""
        buffer = conn.buffer
        end = buffer.find(b"\r\n\r\n")
        if end < 0:
            if len(buffer) > REQUEST_MAX:
                self.give_back(conn)
            else:
                self.partial.add(conn.number)  # what a dead worker's slot must say
            return
        self.partial.discard(conn.number)
        if end + 4 != len(buffer) or len(buffer) > REQUEST_MAX or self.retired \
                or self._retiring():
            self.give_back(conn)  # pipelined, a body, too large, or a new snapshot
            return
        parsed = parse(bytes(buffer))
        if parsed is None:
            self.give_back(conn)
            return
        query, accept, keep_alive, version = parsed
        from rightsgraph.api.protocol import accepted_types

        request = bytes(buffer)
        result = self._query(conn.number, request,
                             (query, tuple(accepted_types(accept)), [], [], True))
        if result[0] != "answer":
            self._end()
            conn.buffer = bytearray(request)
            self.give_back(conn, (result[1], result[2]))
            return
        self._writing()
        head = answer_head(self.date.now() if conn.dated else None, conn.defaults, keep_alive,
                           self.answer_headers[result[1]], len(result[2]))
        body = result[2]
        try:  # never waits for the client: what the socket does not take now, the server writes
            sent = conn.sock.sendmsg([head, body], [], socket.MSG_DONTWAIT)
        except (BlockingIOError, InterruptedError):
            sent = 0
        except OSError:
            self._end()
            self._closed(conn, shut=False)
            return
        self._end()
        conn.buffer = bytearray()
        if sent < len(head) + len(body):  # a slow reader or a large answer
            self.give_back(conn, unsent=(head + body)[sent:], close=not keep_alive)
            return
        conn.last = time.monotonic()
        if not keep_alive:
            self._closed(conn, shut=True)

    def _watch(self) -> None:
        """Head-of-line blocking: while a query runs longer than :data:`PIPELINE_WITHIN`,
        the worker's other connections go back to the server (under the loop's lock, which
        the loop releases only around a query), for another worker.  Longer in time alone
        is not enough on a busy machine (a worker at a low priority is preempted for tens
        of milliseconds): the query must also have used CPU for half of that since the
        watch saw it, or have run five times as long."""
        clock = time.pthread_getcpuclockid(threading.main_thread().ident or 0)
        seen, spent = 0.0, 0.0  # the start of the query last seen, its thread's CPU then
        while True:
            time.sleep(PIPELINE_WITHIN)
            started = self.started
            if not started or time.monotonic() - started < PIPELINE_WITHIN:
                continue
            if len(self.conns) <= (1 if self.running else 0):
                continue
            if started != seen:
                seen, spent = started, time.clock_gettime(clock)
                continue
            if (time.clock_gettime(clock) - spent < PIPELINE_WITHIN / 2
                    and time.monotonic() - started < 5 * PIPELINE_WITHIN):
                continue
            with self.lock:
                if self.started != started:
                    continue
                for conn in list(self.conns.values()):
                    if conn.number != self.running:
                        self.give_back(conn)


def parse(request: bytes) -> tuple[str, str | None, bool, str] | None:
    """A whole ``GET /sparql?query=…`` the plain path answers: its query, ``Accept``, whether
    the connection stays open (as uvicorn decides) and the HTTP version; ``None`` for any
    other request (given back)."""
    from rightsgraph.api.protocol import plain_query

    callbacks = _Request()
    parser = httptools.HttpRequestParser(callbacks)
    callbacks.parser = parser
    try:
        parser.feed_data(request)
    except (httptools.HttpParserError, httptools.HttpParserUpgrade):
        return None
    if not callbacks.complete or parser.get_method() != b"GET" or parser.should_upgrade():
        return None
    accept = None
    for name, value in callbacks.headers:
        if name in _FORBIDDEN:
            return None
        if name == b"accept" and accept is None:
            accept = value.decode("latin-1")
    url = httptools.parse_url(callbacks.url)
    if url.path != b"/sparql" or url.query is None:
        return None
    query = plain_query(url.query)
    if query is None:
        return None
    return query, accept, callbacks.keep_alive, parser.get_http_version()


def answer_lines(headers: list[tuple[bytes, bytes]]) -> bytes:
    """Header lines as uvicorn's cycle writes them (``api/http.py``'s ``_Cycle._start``): the
    name in lower case, ``: ``, the value."""
    return b"".join(name.lower() + b": " + value + b"\r\n" for name, value in headers)


def answer_head(date: tuple[bytes, bytes] | None, defaults: bytes, keep_alive: bool,
                lines: bytes, length: int) -> bytes:
    """A 200 answer's status line and headers, byte for byte as the plain path writes them:
    uvicorn's default headers (the date, then ``defaults``, already lines), the length, the
    answer's ``lines`` (:func:`answer_lines` of ``sparql.Answered``'s headers and the
    security headers), ``connection: close`` when the connection ends."""
    return b"".join((b"HTTP/1.1 200 OK\r\n",
                     b"date: " + date[1] + b"\r\n" if date is not None else b"", defaults,
                     b"content-length: " + str(length).encode() + b"\r\n", lines,
                     b"" if keep_alive else b"connection: close\r\n", b"\r\n"))
