"""What a user or an operator of the public ``/sparql`` endpoint sees of a connection over its
life, pinned over real TCP connections to a server run as ``rightsgraph serve`` runs it
(uvicorn with the project's HTTP protocol, ``conftest.serving``): keep-alive, HTTP/1.0 and
``Connection: close``, pipelining, each result format and refusal, the time limit, a killed
worker, one slow query not holding up another connection, the per-client and queue limits of
decision 0004, a client that goes away, a reload with connections open, and the idle
keep-alive timeout.  Black box: the tests hold whoever answers a ``/sparql`` connection (the
server process or, per decision 0013's fourth amendment, a public worker) to the same
behaviour; every read has a timeout, so a regression fails instead of hanging."""
from __future__ import annotations

import asyncio
import json
import os
import socket
import struct
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from urllib.parse import quote

import pyoxigraph as ox
import pytest
from conftest import serving
from processes import wait_until

from rightsgraph.api.app import Settings, create_app

EX = "http://example.org/"
TRIPLES = 300
READ = 15.0  # seconds any one read may wait before the test fails
KEEP_ALIVE = 2.0  # the idle keep-alive timeout of the servers below (uvicorn's default: 5 s)
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
CHEAP = "ASK { ?s ?p ?o }"
# cubic in the triples: minutes, far past every time limit below
SLOW = ("SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i "
        "FILTER (STRLEN(CONCAT(STR(?c), STR(?f), STR(?i))) > 0) }")
JSON = "application/sparql-results+json"
PROBLEM = "application/problem+json"


def one(n: int) -> str:
    """A query whose only answer is ``n``: the object of subject ``s<n>``."""
    return f"SELECT ?o WHERE {{ <{EX}s{n}> ?p ?o }}"


def make_store(path: Path, triples: int) -> str:
    store = ox.Store(str(path))
    store.extend(ox.Quad(ox.NamedNode(f"{EX}s{n}"), ox.NamedNode(f"{EX}p"), ox.Literal(str(n)),
                         ox.NamedNode(f"{EX}g")) for n in range(triples))
    store.flush()
    del store
    return str(path)


# -- HTTP over a raw socket --------------------------------------------------------------------

class Response:
    def __init__(self, status: int, version: str, headers: list[tuple[str, str]],
                 body: bytes) -> None:
        self.status, self.version, self.body = status, version, body
        self.headers = dict(headers)  # the last of each name

    def json(self):
        return json.loads(self.body)

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "")


class Connection:
    """One client connection: requests written as given, responses read in order, every
    read bounded by :data:`READ` seconds."""

    def __init__(self, url: str, source: str | None = None) -> None:
        host, port = url.removeprefix("http://").split(":")
        self.sock = socket.create_connection(
            (host, int(port)), timeout=READ,
            source_address=(source, 0) if source else None)
        self._buffer = b""

    def close(self) -> None:
        self.sock.close()

    def __enter__(self) -> Connection:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def send(self, data: bytes) -> None:
        self.sock.sendall(data)

    def get(self, target: str, *, accept: str | None = None, version: str = "HTTP/1.1",
            headers: dict[str, str] | None = None) -> bytes:
        lines = [f"GET {target} {version}", "Host: test"]
        if accept:
            lines.append(f"Accept: {accept}")
        lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")

    def ask(self, target: str, **kwargs) -> Response:
        self.send(self.get(target, **kwargs))
        return self.read()

    def _more(self) -> bytes:
        piece = self.sock.recv(65536)  # socket.timeout after READ s: the test fails
        if not piece:
            raise ConnectionError("closed by the server")
        return piece

    def _until(self, marker: bytes) -> bytes:
        while marker not in self._buffer:
            self._buffer += self._more()
        found, self._buffer = self._buffer.split(marker, 1)
        return found

    def _take(self, size: int) -> bytes:
        while len(self._buffer) < size:
            self._buffer += self._more()
        found, self._buffer = self._buffer[:size], self._buffer[size:]
        return found

    def read(self) -> Response:
        head = self._until(b"\r\n\r\n").decode("latin-1").split("\r\n")
        version, status = head[0].split(" ")[:2]
        headers = [(k.strip().lower(), v.strip()) for k, v in
                   (line.split(":", 1) for line in head[1:])]
        fields = dict(headers)
        if "content-length" in fields:
            body = self._take(int(fields["content-length"]))
        elif fields.get("transfer-encoding") == "chunked":
            body = b""
            while size := int(self._until(b"\r\n").split(b";")[0], 16):
                body += self._take(size)
                self._take(2)
            self._until(b"\r\n")
        else:  # the body runs to the end of the connection
            body = self._buffer
            while piece := self.sock.recv(65536):
                body += piece
            self._buffer = b""
        return Response(int(status), version, headers, body)

    def closed_by_server(self, within: float = READ) -> bool:
        """Whether the server closes the connection (end of stream or a reset) within
        ``within`` seconds without sending anything more."""
        if self._buffer:
            return False
        self.sock.settimeout(within)
        try:
            return self.sock.recv(1) == b""
        except ConnectionResetError:
            return True
        except TimeoutError:
            return False
        finally:
            self.sock.settimeout(READ)


def sparql(query: str, **params: str) -> str:
    extra = "".join(f"&{k}={quote(v, safe='')}" for k, v in params.items())
    return f"/sparql?query={quote(query, safe='')}{extra}"


def value(response: Response) -> str:
    assert response.status == 200, response.body[:500]
    assert response.content_type.startswith(JSON), response.content_type
    bindings = response.json()["results"]["bindings"]
    assert len(bindings) == 1, bindings
    return next(iter(bindings[0].values()))["value"]


def fds(pid: int | str = "self") -> set[str]:
    found = set()
    for entry in Path(f"/proc/{pid}/fd").iterdir():
        try:
            found.add(f"{entry.name} -> {os.readlink(entry)}")
        except OSError:
            continue  # closed while listed (the listing's own descriptor, one closing)
    return found


def sockets(pid: int) -> int:
    return sum("socket:" in fd for fd in fds(pid))


# -- servers -----------------------------------------------------------------------------------

class Served:
    def __init__(self, url: str, app) -> None:
        self.url, self.app = url, app
        self.loop: asyncio.AbstractEventLoop | None = None  # the server's, once started

    @property
    def public_pids(self) -> list[int]:
        return self.app.server.public.pids

    def on_loop(self, coroutine, timeout: float = 120):
        """Run ``coroutine`` on the server's event loop (as a signal handler would)."""
        assert self.loop is not None
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout)


@contextmanager
def server(store: str, keep_alive: float = KEEP_ALIVE, **settings) -> Iterator[Served]:
    app = create_app(Settings(store=store, **settings))
    served = Served("", app)
    start = app.server.start

    async def started() -> None:  # the loop the server runs on, for reloads
        served.loop = asyncio.get_running_loop()
        await start()

    app.server.start = started
    with serving(app, start_within=120, timeout_keep_alive=keep_alive, server_header=False,
                 proxy_headers=False) as url:  # as `rightsgraph serve` without a proxy
        served.url = url
        yield served


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> str:
    return make_store(tmp_path_factory.mktemp("connections") / "store", TRIPLES)


@pytest.fixture(scope="module")
def served(store) -> Iterator[Served]:
    """Two public workers, a time limit of 5 s, room for several queries of one client."""
    with server(store, workers=2, site_workers=1, timeout=5, queue=8, per_client=4) as s:
        yield s


@pytest.fixture(scope="module")
def strict(store) -> Iterator[Served]:
    """One public worker, a time limit of 2 s, a queue of one, one query per client (and
    idle connections kept for 10 s: a refused client retries on its connection)."""
    with server(store, keep_alive=10, workers=1, site_workers=1, timeout=2, queue=1,
                per_client=1) as s:
        yield s


def one_worker_serving(served: Served) -> None:
    """Wait until the public lane has its worker again (after one was stopped) and it
    answers."""
    assert wait_until(lambda: len(served.public_pids) == 1, timeout=60)
    with Connection(served.url) as c:
        assert c.ask(sparql(CHEAP), accept=JSON).status == 200


# -- keep-alive, HTTP/1.0, Connection: close, pipelining ---------------------------------------

def test_one_kept_alive_connection_answers_each_query_its_own_answer_and_other_paths(served):
    with Connection(served.url) as c:
        for n in (7, 0, 299, 42, 7, 150, 1, 298, 3, 64, 5, 200):
            assert value(c.ask(sparql(one(n)), accept=JSON)) == str(n)
        assert value(c.ask(sparql(COUNT), accept=JSON)) == str(TRIPLES)
        # another path on the same connection, after /sparql requests
        context = c.ask("/context.jsonld")
        assert context.status == 200 and "@context" in context.json()
        void = c.ask("/void?format=nt")
        assert void.status == 200 and void.content_type.startswith("application/n-triples")
        assert f'"{TRIPLES}"'.encode() in void.body  # void:triples of this store
        assert c.ask("/sparql", accept="text/turtle").status == 200  # service description
        # and /sparql again
        for n in (11, 12):
            assert value(c.ask(sparql(one(n)), accept=JSON)) == str(n)
        post = ("POST /sparql HTTP/1.1\r\nHost: test\r\nAccept: " + JSON
                + "\r\nContent-Type: application/sparql-query\r\nContent-Length: "
                + str(len(one(13))) + "\r\n\r\n" + one(13)).encode()
        c.send(post)
        assert value(c.read()) == "13"
        assert value(c.ask(sparql(one(14)), accept=JSON)) == "14"
        assert not c.closed_by_server(within=0.2)  # still open


@pytest.mark.parametrize("version, headers", [("HTTP/1.0", {}),
                                              ("HTTP/1.1", {"Connection": "close"})])
@pytest.mark.parametrize("target", [sparql(one(5)), sparql("SELECT WHERE {"), "/context.jsonld"])
def test_http_1_0_and_connection_close_are_closed_after_the_answer(served, version, headers,
                                                                   target):
    with Connection(served.url) as c:
        answer = c.ask(target, version=version, headers=headers, accept=JSON)
        assert answer.status in (200, 400)
        if target.endswith(quote(one(5), safe="")):
            assert value(answer) == "5"
        assert c.closed_by_server(within=5)


def test_http_1_1_keeps_the_connection_open_by_default(served):
    with Connection(served.url) as c:
        for target in (sparql(one(5)), sparql("SELECT WHERE {"), "/context.jsonld"):
            answer = c.ask(target, accept=JSON)
            assert answer.status in (200, 400) and answer.headers.get("connection") != "close"
            assert not c.closed_by_server(within=0.3)
        # HTTP/1.0 asking to be kept alive may be kept or closed, but is answered
        answer = c.ask(sparql(one(6)), version="HTTP/1.0", headers={"Connection": "keep-alive"},
                       accept=JSON)
        assert value(answer) == "6"


@pytest.mark.parametrize("targets", [
    [sparql(one(1)), "/context.jsonld", sparql(one(2))],
    ["/context.jsonld", sparql(one(3)), sparql(one(4))],
    [sparql(one(8)), sparql(one(9))],
    [sparql(one(10)), sparql("SELECT WHERE {"), sparql(one(11))],
])
def test_pipelined_requests_are_answered_in_order(served, targets):
    with Connection(served.url) as c:
        c.send(b"".join(c.get(target, accept=JSON) for target in targets))
        answers = [c.read() for _ in targets]
        for target, answer in zip(targets, answers, strict=True):
            if target == "/context.jsonld":
                assert answer.status == 200 and "@context" in answer.json()
            elif "WHERE%20%7B" in target and "%3F" not in target:
                assert answer.status == 400 and answer.content_type == PROBLEM
            else:
                n = target.split("s", 3)[-1]  # ...example.org%2Fs<n>%3E...
                assert value(answer) == n.split("%3E")[0]
        assert value(c.ask(sparql(one(12)), accept=JSON)) == "12"  # and it goes on


# -- formats and refusals ----------------------------------------------------------------------

SELECT = f"SELECT ?o WHERE {{ <{EX}s5> ?p ?o }}"
CONSTRUCT = f"CONSTRUCT {{ ?s <{EX}q> ?o }} WHERE {{ ?s ?p ?o FILTER (?s = <{EX}s5>) }}"


@pytest.mark.parametrize("query, accept, status, content_type, holds", [
    (SELECT, JSON, 200, "application/sparql-results+json; charset=utf-8", b'"value":"5"'),
    (SELECT, None, 200, "application/sparql-results+json; charset=utf-8", b'"value":"5"'),
    (SELECT, "application/sparql-results+xml", 200, "application/sparql-results+xml",
     b"<literal>5</literal>"),
    (SELECT, "text/csv", 200, "text/csv; charset=utf-8", b"o\r\n5\r\n"),
    (SELECT, "text/tab-separated-values", 200, "text/tab-separated-values; charset=utf-8",
     b'?o\n"5"\n'),
    (CHEAP, JSON, 200, "application/sparql-results+json; charset=utf-8", b'"boolean":true'),
    (CONSTRUCT, "text/turtle", 200, "text/turtle; charset=utf-8", b'"5"'),
    (CONSTRUCT, "application/n-triples", 200, "application/n-triples",
     f'<{EX}s5> <{EX}q> "5" .'.encode()),
    (SELECT, "image/png", 406, PROBLEM, b"available"),
    (CONSTRUCT, "text/csv", 406, PROBLEM, b"text/turtle"),
    ("SELECT ?s WHERE { ?s ?p ", JSON, 400, PROBLEM, b"syntax"),
    (f"INSERT DATA {{ <{EX}a> <{EX}b> <{EX}c> }}", JSON, 403, PROBLEM, b"read-only"),
    ("SELECT * WHERE { SERVICE <http://127.0.0.1:1/> { ?s ?p ?o } }", JSON, 400, PROBLEM,
     b"SERVICE"),
    ("", JSON, 400, PROBLEM, b"empty"),
])
def test_each_format_and_refusal_keeps_its_status_and_type_and_the_connection_goes_on(
        served, query, accept, status, content_type, holds):
    with Connection(served.url) as c:
        for _ in range(2):  # the same again on the same connection
            answer = c.ask(sparql(query), accept=accept)
            assert (answer.status, answer.content_type) == (status, content_type), answer.body
            assert holds in answer.body, answer.body[:300]
            assert answer.headers["x-content-type-options"] == "nosniff"
            assert "frame-ancestors 'none'" in answer.headers["content-security-policy"]
            if status == 200:
                assert answer.headers["vary"] == "Accept"
                assert int(answer.headers["content-length"]) == len(answer.body)
            else:
                problem = answer.json()
                assert problem["status"] == status and problem["detail"]
            assert value(c.ask(sparql(one(9)), accept=JSON)) == "9"


def test_an_update_by_post_is_refused_and_the_connection_goes_on(served):
    update = f"INSERT DATA {{ <{EX}a> <{EX}b> <{EX}c> }}".encode()
    with Connection(served.url) as c:
        c.send(b"POST /sparql HTTP/1.1\r\nHost: test\r\nContent-Type: "
               b"application/sparql-update\r\nContent-Length: %d\r\n\r\n%s"
               % (len(update), update))
        refused = c.read()
        assert (refused.status, refused.content_type) == (403, PROBLEM)
        assert c.ask(sparql(f"ASK {{ <{EX}a> ?p ?o }}"), accept=JSON).json()["boolean"] is False
        assert value(c.ask(sparql(one(2)), accept=JSON)) == "2"


# -- the time limit, a killed worker, head-of-line ---------------------------------------------

def test_a_query_past_the_time_limit_is_a_503_in_time_and_the_client_goes_on(strict):
    one_worker_serving(strict)
    with Connection(strict.url) as c:
        started = time.monotonic()
        # a query behind it, pipelined: the client wrote both at once
        c.send(c.get(sparql(SLOW), accept=JSON) + c.get(sparql(one(3)), accept=JSON))
        stopped = c.read()
        elapsed = time.monotonic() - started
        assert (stopped.status, stopped.content_type) == (503, PROBLEM)
        assert "time limit of 2 s" in stopped.json()["detail"]
        assert 1.8 < elapsed < 2 + 8  # the limit, plus a margin for a busy machine
        # The same connection after a 503 for the time limit, with a request pipelined
        # behind the stopped query: answered (as today), or the connection closed cleanly;
        # never a hang or another query's answer.
        with suppress(ConnectionError):
            assert value(c.read()) == "3"
            assert value(c.ask(sparql(one(4)), accept=JSON)) == "4"
    started = time.monotonic()
    with Connection(strict.url) as again:  # the same client, a new connection, at once
        assert value(again.ask(sparql(one(17)), accept=JSON)) == "17"
    assert time.monotonic() - started < 60  # a new worker started and answered


def test_a_worker_killed_during_a_query_gives_503_and_the_next_query_is_answered(strict):
    one_worker_serving(strict)
    (pid,) = strict.public_pids
    with Connection(strict.url) as c:
        c.send(c.get(sparql(SLOW), accept=JSON))
        time.sleep(0.5)  # it runs
        os.kill(pid, 9)  # as the kernel does past the memory limit
        killed = c.read()
    assert (killed.status, killed.content_type) == (503, PROBLEM)
    assert killed.json()["status"] == 503
    with Connection(strict.url) as again:
        assert value(again.ask(sparql(one(21)), accept=JSON)) == "21"
    assert strict.public_pids and pid not in strict.public_pids


def test_a_slow_query_on_one_connection_does_not_hold_up_another(served):
    with Connection(served.url) as slow, Connection(served.url) as fast:
        slow.send(slow.get(sparql(SLOW), accept=JSON))
        time.sleep(0.5)  # it runs on one of the two public workers
        for n in (1, 2, 3):
            started = time.monotonic()
            assert value(fast.ask(sparql(one(n)), accept=JSON)) == str(n)
            assert time.monotonic() - started < 2
        started = time.monotonic()
        assert fast.ask("/context.jsonld").status == 200
        assert time.monotonic() - started < 2
        with Connection(served.url) as third:  # a new connection too
            started = time.monotonic()
            assert value(third.ask(sparql(one(4)), accept=JSON)) == "4"
            assert time.monotonic() - started < 2
        # the slow one is left to its time limit (5 s), the connection closed meanwhile


# -- the limits of decision 0004 ---------------------------------------------------------------

def test_per_client_limit_429_and_full_queue_503_then_the_refused_connections_go_on(strict):
    one_worker_serving(strict)
    with Connection(strict.url) as a, Connection(strict.url, "127.0.0.2") as b, \
            Connection(strict.url, "127.0.0.3") as full, Connection(strict.url) as same:
        a.send(a.get(sparql(SLOW), accept=JSON))  # runs on the one worker
        time.sleep(0.3)
        b.send(b.get(sparql(one(30)), accept=JSON))  # waits: the queue (1) is full
        time.sleep(0.3)
        started = time.monotonic()
        busy = full.ask(sparql(CHEAP), accept=JSON)
        assert (busy.status, busy.content_type) == (503, PROBLEM)
        assert int(busy.headers["retry-after"]) > 0
        assert time.monotonic() - started < 2  # at once, not after the queue
        started = time.monotonic()
        limited = same.ask(sparql(CHEAP), accept=JSON)  # a's client, a second query
        assert (limited.status, limited.content_type) == (429, PROBLEM)
        assert int(limited.headers["retry-after"]) > 0
        assert time.monotonic() - started < 2
        assert a.read().status == 503  # at the time limit
        assert value(b.read()) == "30"  # the one waiting, answered once the worker is free
        # the clients retry on the connections that were refused, as Retry-After says
        assert value(full.ask(sparql(one(31)), accept=JSON)) == "31"
        assert value(same.ask(sparql(one(32)), accept=JSON)) == "32"
        assert value(a.ask(sparql(one(33)), accept=JSON)) == "33"


# -- a client that goes away; descriptors ------------------------------------------------------

def test_a_client_gone_mid_query_breaks_nothing_and_leaves_no_descriptor_open(served):
    with Connection(served.url) as warm:  # every kind of answer once, before counting
        assert value(warm.ask(sparql(one(1)), accept=JSON)) == "1"
        assert warm.ask("/context.jsonld").status == 200
    assert wait_until(lambda: len(served.public_pids) == 2, timeout=60)
    time.sleep(0.3)
    before = fds()
    workers_before = sum(sockets(pid) for pid in served.public_pids)
    for query in (SLOW, CHEAP):  # one public worker stays free for the others
        c = Connection(served.url)
        c.send(c.get(sparql(query), accept=JSON))
        time.sleep(0.3)
        c.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))  # RST
        c.close()
    half = Connection(served.url)  # a request cut in the middle
    half.send(b"GET /sparql?query=ASK HTTP/1.1\r\nHost:")
    half.close()
    # (The query of a client gone may run on to its time limit and count against that
    # client's limit meanwhile: the clients below come from other addresses.)
    many = [Connection(served.url, f"127.0.1.{n}") for n in range(1, 21)]  # opened, left
    for n, c in enumerate(many[:10]):
        assert value(c.ask(sparql(one(n)), accept=JSON)) == str(n)
    for c in many:
        c.close()
    with Connection(served.url, "127.0.2.1") as next_one:
        assert value(next_one.ask(sparql(one(40)), accept=JSON)) == "40"
    # every descriptor the connections took is closed again (the slow queries may run to
    # their time limit meanwhile, and a worker stopped there is replaced)
    assert wait_until(lambda: len(fds()) <= len(before), timeout=20), sorted(fds() - before)
    assert wait_until(lambda: len(served.public_pids) == 2 and sum(
        sockets(pid) for pid in served.public_pids) <= workers_before, timeout=30)
    with Connection(served.url, "127.0.2.2") as last:
        assert value(last.ask(sparql(one(41)), accept=JSON)) == "41"


# -- a reload with connections open ------------------------------------------------------------

def test_a_reload_with_connections_open_answers_from_the_new_store_only(tmp_path):
    location = make_store(tmp_path / "store", 100)
    with server(location, keep_alive=60, workers=2, site_workers=1, timeout=10,
                per_client=8) as s:
        kept = [Connection(s.url) for _ in range(3)]
        for c in kept:
            assert value(c.ask(sparql(COUNT), accept=JSON)) == "100"
        make_store(tmp_path / "store", 250)  # a build adds to the store: 250 triples
        assert all(value(c.ask(sparql(COUNT), accept=JSON)) == "100" for c in kept)
        counts: list[str] = []
        stop = threading.Event()

        def asking() -> None:  # a client asking all along, on one connection
            with Connection(s.url) as c:
                while not stop.is_set():
                    counts.append(value(c.ask(sparql(COUNT), accept=JSON)))

        thread = threading.Thread(target=asking)
        thread.start()
        try:
            s.on_loop(s.app.server.reload())
            time.sleep(0.3)
        finally:
            stop.set()
            thread.join(timeout=60)
        assert not thread.is_alive()
        assert set(counts) <= {"100", "250"} and counts[-1] == "250", counts
        assert counts == sorted(counts, key=int), counts  # never back to the old store
        for c in kept:  # the connections open before: the new store, or closed cleanly
            c.send(c.get(sparql(COUNT), accept=JSON))
            with suppress(ConnectionError):
                assert value(c.read()) == "250"
            c.close()
        with Connection(s.url) as c:
            for _ in range(4):  # either public worker, and the site lane
                assert value(c.ask(sparql(COUNT), accept=JSON)) == "250"
            void = c.ask("/void?format=nt")
            assert void.status == 200 and b'"250"' in void.body and b'"100"' not in void.body


# -- the idle keep-alive timeout ---------------------------------------------------------------

def test_an_idle_connection_is_closed_after_the_keep_alive_timeout(served):
    with Connection(served.url) as idle, Connection(served.url) as busy:
        assert value(idle.ask(sparql(one(1)), accept=JSON)) == "1"
        started = time.monotonic()
        while time.monotonic() - started < 1.5 * KEEP_ALIVE:  # never idle for the timeout
            assert value(busy.ask(sparql(one(2)), accept=JSON)) == "2"
            time.sleep(KEEP_ALIVE / 4)
        assert idle.closed_by_server(within=KEEP_ALIVE + 5)
        assert KEEP_ALIVE * 0.8 < time.monotonic() - started < KEEP_ALIVE + 5
        assert value(busy.ask(sparql(one(3)), accept=JSON)) == "3"  # the busy one is kept
    # (A connection that never sends a request is not closed by this timeout: bounding
    # that is left to the reverse proxy, README "Running it in public".)
