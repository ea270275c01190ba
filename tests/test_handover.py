"""Public workers that answer ``/sparql`` connections handed over to them (api/handover.py,
decision 0013, seventh amendment): the same answers as the plain path, byte for byte but
the date, and each limit of decision 0004 over a handed-over connection."""
from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import threading
import time
from collections.abc import Iterator
from urllib.parse import quote

import httpx
import pytest
from conftest import assert_same_answer, serving
from processes import alive, wait_until

from rightsgraph.api.app import Settings, create_app

SLOW = ("SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i "
        "FILTER (STR(?c) = STR(?f) && STR(?f) = STR(?i)) }")
CHEAP = "ASK { ?s ?p ?o }"
TIMEOUT = 5
KEEP_ALIVE = 2
MAX_BYTES = 4000
MEMORY_MB = 700


@pytest.fixture(scope="module")
def served(web_store) -> Iterator[tuple[str, object, list[str]]]:
    """A server of ``web_store`` whose public workers take /sparql connections: two public
    workers, a queue of one, one query (or handed-over connection) per client; its URL, its
    application and the query strings its plain path answered (none handed over)."""
    app = create_app(Settings(store=str(web_store), workers=2, site_workers=1, queue=1,
                              per_client=1, timeout=TIMEOUT, snapshot=False, handover=True,
                              max_bytes=MAX_BYTES, memory_mb=MEMORY_MB))
    plain = app.sparql_plain
    answered: list[str] = []

    def counted(scope):
        outcome = plain(scope)
        if outcome is not None:
            answered.append(scope["query_string"].decode())
        return outcome

    app.sparql_plain = counted
    with serving(app, start_within=120, server_header=False, proxy_headers=False,
                 timeout_keep_alive=KEEP_ALIVE) as url:
        yield url, app, answered


def _pool(app):
    return app.server.public


def _quiet(app) -> None:
    """Wait until the connections of the tests before are seen closed."""
    assert wait_until(lambda: not _pool(app).handed and not _pool(app)._clients
                      and len(_pool(app)._workers) == 2, timeout=60)


def _not_handed(app, ask):
    """``ask()`` on new connections the server keeps (the plain path)."""
    pool, app.sparql_handover = app.sparql_handover, None
    try:
        return ask()
    finally:
        app.sparql_handover = pool


def _client(address: str = "127.0.0.1") -> httpx.Client:
    return httpx.Client(transport=httpx.HTTPTransport(local_address=address), timeout=60)


class Raw:
    """A connection written and read by hand: one response at a time."""

    def __init__(self, url: str, address: str = "127.0.0.1") -> None:
        host, port = url.removeprefix("http://").split(":")
        self.sock = socket.create_connection((host, int(port)), timeout=30,
                                             source_address=(address, 0))
        self.buffer = b""

    def send(self, target: str, *headers: str, version: str = "1.1") -> None:
        lines = [f"GET {target} HTTP/{version}", "Host: test", *headers, "", ""]
        self.sock.sendall("\r\n".join(lines).encode())

    def response(self) -> tuple[int, dict[str, str], bytes]:
        while b"\r\n\r\n" not in self.buffer:
            data = self.sock.recv(65536)
            if not data:
                raise EOFError(self.buffer)
            self.buffer += data
        head, _, rest = self.buffer.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        headers = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
        length = int(headers.get("content-length", 0))
        body = bytearray(rest)  # appended in place: a large answer is read in linear time
        while len(body) < length:
            data = self.sock.recv(65536)
            if not data:
                raise EOFError(bytes(body))
            body += data
        self.buffer = bytes(body[length:])
        return int(lines[0].split()[1]), headers, bytes(body[:length])

    def closed(self, within: float = 10) -> bool:
        """Whether the server ends the connection within ``within`` seconds."""
        self.sock.settimeout(within)
        try:
            return self.sock.recv(1) == b""
        except TimeoutError:
            return False
        except ConnectionResetError:
            return True

    def close(self) -> None:
        self.sock.close()


def query(text: str) -> str:
    return "/sparql?query=" + quote(text, safe="")


@pytest.mark.parametrize("text, accept", [
    ("SELECT ?s ?p ?o WHERE { ?s ?p ?o } LIMIT 5", "application/sparql-results+json"),
    ("SELECT ?s WHERE { ?s ?p ?o } LIMIT 3", "application/sparql-results+xml"),
    ("SELECT ?s WHERE { ?s ?p ?o } LIMIT 3", "text/csv"),
    ("SELECT ?s WHERE { ?s ?p ?o } LIMIT 3", "text/tab-separated-values, */*;q=0.1"),
    ("SELECT ?s WHERE { ?s ?p ?o } LIMIT 3", None),
    (CHEAP, "application/sparql-results+json"),
    ("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } LIMIT 3", "text/turtle"),
    ("SELECT ?s WHERE { ?s ?p ?o } LIMIT 1", "image/png"),  # 406, from the worker
    ("ASK { ?s ?p ?o }", "text/html"),  # 406 to a browser: the HTML error page
    ("SELECT ?s WHERE { ?s ?p ", "application/sparql-results+json"),  # 400, from the worker
    ("SELECT * WHERE { SERVICE <http://127.0.0.1:1/> { ?s ?p ?o } }", None),  # 400 federation
    ("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } LIMIT 500", "text/turtle"),  # 413
])
def test_a_handed_over_connection_is_answered_as_the_plain_path_answers(served, text, accept):
    url, app, answered = served
    headers = {"Accept": accept} if accept else {}
    _quiet(app)  # the last one's close seen
    before, handovers = len(answered), _pool(app).handovers

    def ask() -> httpx.Response:
        with _client() as session:
            return session.get(f"{url}/sparql", params={"query": text}, headers=headers)

    for _ in range(3):  # (on a busy machine a try may find the last close not yet seen)
        handed = ask()
        if _pool(app).handovers == handovers + 1:
            break
        _quiet(app)
    assert _pool(app).handovers == handovers + 1
    assert len(answered) == before  # refusals too: rendered by the server, not run again
    _quiet(app)  # its close seen (per client)
    plain = _not_handed(app, ask)
    assert len(answered) == before + 1
    assert_same_answer(handed, plain)


def test_keep_alive_http_1_0_and_connection_close_as_uvicorn(served):
    url, app, _ = served
    for n, (version, headers, stays) in enumerate((
            ("1.1", (), True), ("1.1", ("Connection: close",), False), ("1.0", (), False),
            ("1.0", ("Connection: keep-alive",), False))):
        raw = Raw(url, f"127.0.0.{10 + n}")
        try:
            raw.send(query(CHEAP), *headers, version=version)
            status, got, _ = raw.response()
            assert status == 200
            assert ("connection" not in got) == stays, (version, headers, got)
            assert raw.closed(1) != stays
        finally:
            raw.close()


def test_requests_on_one_connection_and_a_non_sparql_request_taken_back(served):
    url, app, _ = served
    _quiet(app)
    handovers = _pool(app).handovers
    raw = Raw(url, "127.0.0.17")
    try:
        for _ in range(3):
            raw.send(query(CHEAP))
            status, _, body = raw.response()
            assert status == 200 and b"true" in body
        assert _pool(app).handovers == handovers + 1  # one connection, handed over once
        raw.send("/sparql?query=" + quote(CHEAP) + "&format=csv")  # another parameter
        status, headers, body = raw.response()
        assert status == 200 and headers["content-type"].startswith("text/csv")
        raw.send("/docs", "Accept: text/html")  # another path
        status, headers, body = raw.response()
        assert status == 200 and "html" in headers["content-type"]
        raw.send(query(CHEAP))  # and /sparql again: handed over again
        status, _, _ = raw.response()
        assert status == 200
        assert wait_until(lambda: _pool(app).handovers == handovers + 2, timeout=5)
    finally:
        raw.close()


def test_a_pipelined_request_is_answered_in_order(served):
    url, app, _ = served
    raw = Raw(url, "127.0.0.16")
    try:
        raw.send(query(CHEAP))
        assert raw.response()[0] == 200
        lines = "GET {} HTTP/1.1\r\nHost: t\r\n\r\n"
        raw.sock.sendall((lines.format(query(CHEAP)) + lines.format(query(
            "SELECT ?s WHERE { ?s ?p ?o } LIMIT 1"))).encode())
        first, second = raw.response(), raw.response()
        assert first[0] == second[0] == 200
        assert b"true" in first[2] and b"bindings" in second[2]
    finally:
        raw.close()


def test_an_idle_connection_is_closed_by_its_worker_after_the_keep_alive_time(served):
    url, app, _ = served
    raw = Raw(url, "127.0.0.15")
    try:
        raw.send(query(CHEAP))
        assert raw.response()[0] == 200
        started = time.monotonic()
        assert raw.closed(KEEP_ALIVE + 5)
        assert KEEP_ALIVE - 0.5 <= time.monotonic() - started <= KEEP_ALIVE + 2.5
    finally:
        raw.close()
    assert wait_until(lambda: not _pool(app).handed, timeout=5)


def _fds() -> int:
    return len(os.listdir("/proc/self/fd"))


def test_the_servers_copy_is_closed_when_the_client_leaves(served):
    url, app, _ = served
    _quiet(app)
    before = _fds()
    for _ in range(3):
        raws = [Raw(url, f"127.0.0.{20 + n}") for n in range(2)]
        for raw in raws:
            raw.send(query(CHEAP))
            assert raw.response()[0] == 200
        assert _pool(app).handed == 2
        for raw in raws:
            raw.close()
        assert wait_until(lambda: not _pool(app).handed, timeout=5)
    assert wait_until(lambda: _fds() <= before, timeout=5), (_fds(), before)


def _worker_pids(app) -> set[int]:
    return {w.process.pid for w in _pool(app)._workers}


def test_the_time_limit_on_a_handed_over_connection(served):
    url, app, _ = served
    pids = _worker_pids(app)
    raw = Raw(url, "127.0.0.30")
    try:
        started = time.monotonic()
        raw.send(query(SLOW), "Accept: application/json")
        status, headers, body = raw.response()
        assert status == 503 and f"time limit of {TIMEOUT:g} s".encode() in body
        assert "connection" not in headers  # it goes on, as after the routed path's 503
        assert headers["x-content-type-options"] == "nosniff"
        assert time.monotonic() - started < TIMEOUT + 3
        raw.send(query(CHEAP))
        assert raw.response()[0] == 200
    finally:
        raw.close()
    assert wait_until(lambda: len(_worker_pids(app) - pids) == 1
                      and len(_pool(app)._workers) == 2, timeout=60)
    with _client("127.0.0.30") as session:  # the client is no longer counted
        assert session.get(f"{url}{query(CHEAP)}").status_code == 200


def test_the_time_limit_of_a_routed_query_in_a_worker_that_takes_connections(served):
    url, app, _ = served
    pids = _worker_pids(app)

    def ask() -> httpx.Response:
        with _client("127.0.0.33") as session:
            return session.get(f"{url}{query(SLOW)}", headers={"Accept": "application/json"})

    started = time.monotonic()
    response = _not_handed(app, ask)  # the server's own path, through the worker's pipe
    assert response.status_code == 503 and f"time limit of {TIMEOUT:g} s" in response.text
    assert time.monotonic() - started < TIMEOUT + 3
    assert wait_until(lambda: len(_worker_pids(app) - pids) == 1
                      and len(_pool(app)._workers) == 2, timeout=60)


def test_a_worker_killed_mid_query_answers_503_and_is_replaced(served):
    url, app, _ = served
    _quiet(app)
    raw = Raw(url, "127.0.0.31")
    try:
        raw.send(query(CHEAP))
        assert raw.response()[0] == 200
        (connection,) = list(_pool(app)._handed.values())
        worker = connection.worker
        pid = worker.process.pid
        raw.send(query(SLOW))
        time.sleep(0.5)
        os.kill(pid, signal.SIGKILL)  # as the kernel does past the memory limit
        status, headers, body = raw.response()
        assert status == 503 and b"memory" in body and "connection" not in headers
        raw.send(query(CHEAP))  # the same connection goes on
        assert raw.response()[0] == 200
    finally:
        raw.close()
    assert wait_until(lambda: pid not in _worker_pids(app)
                      and len(_pool(app)._workers) == 2, timeout=60)
    with _client("127.0.0.31") as session:
        assert session.get(f"{url}{query(CHEAP)}").status_code == 200


def test_the_memory_limit_on_a_handed_over_connection(served):
    url, app, _ = served
    pids = _worker_pids(app)
    raw = Raw(url, "127.0.0.32")
    try:
        raw.send(query("SELECT * WHERE { ?a ?b ?c . ?d ?e ?f } ORDER BY ?c ?f LIMIT 1"),
                 "Accept: application/json")
        status, headers, body = raw.response()
        # (on a busy machine the time limit may come first: the same death, the same path)
        assert status == 503 and (f"({MEMORY_MB} MiB)".encode() in body
                                  or f"time limit of {TIMEOUT:g} s".encode() in body), body
    finally:
        raw.close()
    assert wait_until(lambda: len(_worker_pids(app) - pids) == 1
                      and len(_pool(app)._workers) == 2, timeout=60)
    with _client("127.0.0.32") as session:
        assert session.get(f"{url}{query(CHEAP)}").status_code == 200


def test_handed_over_connections_count_against_the_queue_and_per_client_limits(served):
    url, app, _ = served
    _quiet(app)
    pool = _pool(app)
    raws = []
    try:
        first = Raw(url, "127.0.0.40")
        raws.append(first)
        first.send(query(CHEAP))
        assert first.response()[0] == 200
        assert pool.handed == 1
        handovers = pool.handovers
        with _client("127.0.0.40") as session:  # a second connection, the first one idle:
            assert session.get(f"{url}{query(CHEAP)}").status_code == 200  # answered here
        assert pool.handovers == handovers  # (not handed over: one connection per client)
        first.send(query(SLOW))  # the first one runs a query: the client's one at a time
        time.sleep(0.5)
        with _client("127.0.0.40") as session:
            refused = session.get(f"{url}{query(CHEAP)}")
        assert refused.status_code == 429 and "Retry-After" in refused.headers
        assert first.response()[0] == 503  # its time limit
        first.send(query(CHEAP))  # and the connection goes on
        assert first.response()[0] == 200
        for n in (41, 42):
            raw = Raw(url, f"127.0.0.{n}")
            raws.append(raw)
            raw.send(query(CHEAP))
            assert raw.response()[0] == 200
        assert pool.handed == 3  # workers (2) + queue (1)
        handovers = pool.handovers
        with _client("127.0.0.43") as session:  # not handed over: answered by the server
            assert session.get(f"{url}{query(CHEAP)}").status_code == 200
        assert pool.handovers == handovers and pool.handed == 3
    finally:
        for raw in raws:
            raw.close()
    assert wait_until(lambda: not pool.handed and not pool._clients, timeout=5)


def test_a_slow_query_does_not_hold_the_other_connections_of_its_worker(served):
    url, app, _ = served
    _quiet(app)
    pool = _pool(app)
    raws = [Raw(url, f"127.0.0.{50 + n}") for n in range(3)]
    try:
        for raw in raws:
            raw.send(query(CHEAP))
            assert raw.response()[0] == 200
        workers = [c.worker for c in pool._handed.values()]
        shared = [w for w in workers if workers.count(w) == 2]
        assert shared, workers
        numbers = [n for n, c in pool._handed.items() if c.worker is shared[0]]
        order = sorted(pool._handed)
        slow, fast = (raws[order.index(n)] for n in numbers)
        slow.send(query(SLOW))
        time.sleep(0.3)
        started = time.monotonic()
        fast.send(query(CHEAP))
        assert fast.response()[0] == 200
        assert time.monotonic() - started < 2  # not behind the slow one (5 s)
        assert slow.response()[0] == 503
    finally:
        for raw in raws:
            raw.close()
    assert wait_until(lambda: not pool.handed and len(pool._workers) == 2, timeout=60)


def test_a_new_snapshot_takes_the_connections_from_the_old_workers(served, web_store):
    url, app, _ = served
    _quiet(app)
    pool = _pool(app)
    loop = pool._loop
    # the new workers first (seconds), then connections (idle at most the keep-alive time)
    fresh = asyncio.run_coroutine_threadsafe(pool.stage(str(web_store)), loop).result(120)
    raws = [Raw(url, f"127.0.0.{60 + n}") for n in range(2)]
    try:
        for raw in raws:
            raw.send(query(CHEAP))
            assert raw.response()[0] == 200
        assert pool.handed == 2
        old = [w.process.pid for w in pool._workers]

        async def switch() -> None:
            pool.switch(str(web_store), fresh)

        asyncio.run_coroutine_threadsafe(switch(), loop).result(timeout=30)
        # every request from now on is answered by the new workers
        for raw in raws:
            raw.send(query(CHEAP))
            assert raw.response()[0] == 200
        assert wait_until(lambda: not any(alive(pid) for pid in old), timeout=10)
        assert all(c.worker.generation == pool.generation for c in pool._handed.values())
        for raw in raws:
            raw.send(query(CHEAP))
            assert raw.response()[0] == 200
    finally:
        for raw in raws:
            raw.close()


def test_the_client_connection_survives_the_handover_under_concurrency(served):
    url, app, _ = served
    failures: list[str] = []

    def run(n: int) -> None:
        raw = Raw(url, f"127.0.1.{n}")
        try:
            for _ in range(20):
                raw.send(query(CHEAP))
                status, _, body = raw.response()
                if status not in (200, 429, 503) or (status == 200 and b"true" not in body):
                    failures.append(f"{status} {body[:100]!r}")
        except Exception as err:  # noqa: BLE001 - collected
            failures.append(repr(err))
        finally:
            raw.close()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(1, 7)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not failures


def test_a_client_slow_to_read_a_large_answer_holds_no_worker(web_store):
    """The worker writes what the client's socket takes at once and gives the rest to the
    server to write: a client that does not read blocks no worker (one worker here), and
    gets the whole answer when it reads."""
    # a time limit the large query meets on a loaded machine too (the worker runs at nice 10)
    app = create_app(Settings(store=str(web_store), workers=1, site_workers=1, queue=4,
                              per_client=0, timeout=6 * TIMEOUT, snapshot=False,
                              handover=True))
    big = ("SELECT ?s ?p ?o ?copy WHERE { ?s ?p ?o VALUES ?copy { 1 2 3 4 } }")
    # a keep-alive long enough that the connection, idle from when the server has put the
    # last of the answer into the kernel, is still open when this client (on a loaded CI
    # machine too) has read it and asks again: with 2 s it was not, once in a CI run
    keep_alive = 3 * KEEP_ALIVE
    with serving(app, start_within=120, server_header=False, proxy_headers=False,
                 timeout_keep_alive=keep_alive) as url:
        pool = _pool(app)
        host, port = url.removeprefix("http://").split(":")
        sock = socket.socket()
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 65536)  # a window << the answer
        sock.settimeout(30)
        sock.connect((host, int(port)))
        slow = Raw.__new__(Raw)
        slow.sock, slow.buffer = sock, b""
        slow.send(query(big), "Accept: application/sparql-results+json")
        assert wait_until(lambda: len(pool._handed) == 1, timeout=30)
        time.sleep(1)  # the worker has answered what the socket takes
        fast = Raw(url, "127.0.0.61")
        try:
            pids = _worker_pids(app)
            fast.send(query(CHEAP))
            assert fast.response()[0] == 200
            # answered by the one worker: held by the slow client, it would have answered
            # only once the time limit had ended it, and a new worker would have
            assert _worker_pids(app) == pids
            time.sleep(keep_alive + 1)  # a connection still sending is not idle
            status, headers, body = slow.response()  # read at last: all of it
            slow.send(query(CHEAP))  # and the connection goes on with the server
            assert slow.response()[0] == 200
            assert status == 200 and int(headers["content-length"]) == len(body) > 1_000_000
            rows = httpx.get(url + query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")).json()
            n = int(rows["results"]["bindings"][0]["n"]["value"])
            assert len(json.loads(body)["results"]["bindings"]) == 4 * n
        finally:
            fast.close()
            slow.close()
