"""Attacks on a real ``rightsgraph serve`` on loopback, as a hostile user would make them
(issue #10).  Each is bounded in time; memory is measured on the worker processes."""
from __future__ import annotations

import json
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest
from conftest import FIXTURES, SEED, free_port, running
from processes import alive, children, rss_mb, wait_until
from test_query_guard import FEDERATED
from test_query_guard import X as GUARD_X

from rightsgraph.api.protocol import BODY_TIMEOUT

MEMORY_MB = 700
TIMEOUT = 5
SLOW = ("SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i "
        "FILTER (STR(?c) = STR(?f) && STR(?f) = STR(?i)) }")
CHEAP = "ASK { ?s ?p ?o }"
PARAGRAPH = "/doc/CMW/C/AZE/CO/3/para/16"


class _Standin(BaseHTTPRequestHandler):
    """A private SPARQL endpoint on the same host, which the public one must never call."""

    calls: list[str] = []

    def _answer(self) -> None:
        type(self).calls.append(self.path)
        length = int(self.headers.get("content-length") or 0)
        self.rfile.read(length)
        body = json.dumps({"head": {"vars": ["secret"]}, "results": {"bindings": [
            {"secret": {"type": "literal", "value": "private-row"}}]}}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/sparql-results+json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = _answer  # noqa: N815 - http.server's names

    def log_message(self, *args) -> None:
        pass


@pytest.fixture(scope="module")
def standin() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", free_port()), _Standin)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def serve_command(store: Path, port: int, *extra: str) -> list[str]:
    return [sys.executable, "-m", "rightsgraph.cli", "serve", "--store", str(store),
            "--port", str(port), "--timeout", str(TIMEOUT), "--memory-limit", str(MEMORY_MB),
            "--workers", "1", "--site-workers", "1", *extra]


@contextmanager
def serving(store: Path, tmp: Path, *extra: str) -> Iterator[tuple[str, subprocess.Popen]]:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with running(serve_command(store, port, *extra), f"{url}/sparql?query=ASK%7B%7D",
                 tmp / f"serve-{port}.log", "rightsgraph serve") as server:
        yield url, server


@pytest.fixture(scope="module")
def site(web_store, standin, tmp_path_factory) -> Iterator[tuple[str, subprocess.Popen]]:
    """The server under attack: one public and one site worker, a public queue of one,
    one query per client, clients named by X-Forwarded-For from loopback."""
    with serving(web_store, tmp_path_factory.mktemp("attack"), "--queue", "1",
                 "--per-client", "1", "--forwarded-allow-ips", "127.0.0.1",
                 "--service-allow", f"{standin}/allowed") as served:
        yield served


def sparql(url: str, query: str, client: str = "10.0.0.1", **kwargs) -> httpx.Response:
    return httpx.get(f"{url}/sparql", params={"query": query, **kwargs},
                     headers={"X-Forwarded-For": client, "Accept": "application/json"},
                     timeout=60)


class _PeakMemory:
    """The largest resident size any worker of ``server`` reaches while the block runs."""

    def __init__(self, pid: int) -> None:
        self.pid, self.peak, self._stop = pid, 0.0, threading.Event()

    def _sample(self) -> None:
        while not self._stop.is_set():
            for worker in children(self.pid):
                self.peak = max(self.peak, rss_mb(worker))
            time.sleep(0.01)

    def __enter__(self) -> _PeakMemory:
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()


# --- 1. federation --------------------------------------------------------------------------

@pytest.mark.parametrize("query", FEDERATED)
def test_no_form_of_federation_reaches_a_private_endpoint(site, standin, query):
    url, _ = site
    _Standin.calls.clear()
    response = sparql(url, query.replace(GUARD_X, f"{standin}/query"))
    assert response.status_code == 400, response.text
    assert "SERVICE" in response.text
    assert _Standin.calls == []


def test_a_service_by_variable_or_closed_port_is_refused_without_a_call(site, standin):
    url, _ = site
    _Standin.calls.clear()
    for query in (f"SELECT * WHERE {{ BIND(<{standin}/query> AS ?e) SERVICE ?e {{ ?s ?p ?o }} }}",
                  f"SELECT * WHERE {{ SERVICE <http://127.0.0.1:{free_port()}/> {{ }} }}"):
        response = sparql(url, query)
        assert response.status_code == 400
        assert "refused" not in response.text.lower() or "Connection" not in response.text
    assert _Standin.calls == []


def test_an_allowed_service_is_called(site, standin):
    """The stand-in answers when the server may call it: the refusals above are real."""
    url, _ = site
    response = sparql(url, f"SELECT ?secret WHERE {{ SERVICE <{standin}/allowed> "
                           "{ ?secret ?p ?o } }")
    assert response.status_code == 200, response.text
    assert "private-row" in response.text


# --- 2. memory ------------------------------------------------------------------------------

DOUBLING = ('SELECT ?x27 WHERE { BIND("ab" AS ?x0) '
            + " ".join(f"BIND(CONCAT(?x{i}, ?x{i}) AS ?x{i + 1})" for i in range(27)) + " }")


@pytest.mark.parametrize("query, statuses", [
    ("SELECT * WHERE { ?a ?b ?c . ?d ?e ?f } ORDER BY ?c ?f LIMIT 1", {503}),
    (DOUBLING, {503, 413}),
])
def test_a_query_that_exhausts_memory_stops_in_its_worker(site, query, statuses):
    url, server = site
    with _PeakMemory(server.pid) as memory:
        started = time.monotonic()
        response = sparql(url, query)
        elapsed = time.monotonic() - started
    assert response.status_code in statuses, response.text
    if response.status_code == 503:
        assert f"{MEMORY_MB} MiB" in response.text
    assert elapsed < TIMEOUT + 10
    assert memory.peak < MEMORY_MB
    assert sparql(url, CHEAP).status_code == 200  # a new worker answers
    assert httpx.get(url + PARAGRAPH, timeout=30).status_code == 200


# --- 7. inputs that killed a worker ---------------------------------------------------------

@pytest.mark.parametrize("query", [
    "SELECT * WHERE { ?s ?p ?o FILTER(" + "(" * 5000 + "1" + ")" * 5000 + ") }",
    "SELECT * WHERE {" + "{" * 30000 + "}" * 30000 + "}",
])
def test_deep_nesting_is_refused_and_no_worker_dies(site, query):
    url, server = site
    workers = set(children(server.pid))
    response = httpx.post(f"{url}/sparql", content=query.encode(), timeout=30,
                          headers={"Content-Type": "application/sparql-query"})
    assert response.status_code == 400 and "nests brackets" in response.text
    assert set(children(server.pid)) == workers


def test_a_ten_thousand_word_search_is_refused(site):
    url, server = site
    workers = set(children(server.pid))
    words = " ".join(f"w{n}" for n in range(10_000))
    for path in ("/api/paragraphs", "/"):
        response = httpx.get(url + path, params={"q": words}, timeout=30)
        assert response.status_code == 400, (path, response.text[:200])
        assert "at most 500" in response.text  # characters of a full-text query
    assert set(children(server.pid)) == workers


def test_an_oversized_body_is_refused_before_it_is_read(site):
    url, server = site
    host, port = url.removeprefix("http://").split(":")
    before = rss_mb(server.pid)
    with socket.create_connection((host, int(port)), timeout=10) as raw:
        raw.sendall(b"POST /sparql HTTP/1.1\r\nHost: x\r\n"
                    b"Content-Type: application/sparql-query\r\n"
                    b"Content-Length: 400000000\r\n\r\n" + b"x" * 65536)
        answer = raw.recv(4096).decode(errors="replace")
    assert answer.startswith("HTTP/1.1 413"), answer
    # Streamed without a Content-Length: cut at the limit as it arrives.
    def chunks():
        for _ in range(40):
            yield b"x" * 100_000
    response = httpx.post(f"{url}/sparql", content=chunks(), timeout=30,
                          headers={"Content-Type": "application/sparql-query"})
    assert response.status_code == 413
    assert rss_mb(server.pid) - before < 50


def test_a_body_that_never_arrives_times_out(site):
    url, _ = site
    host, port = url.removeprefix("http://").split(":")
    started = time.monotonic()
    with socket.create_connection((host, int(port)), timeout=BODY_TIMEOUT + 10) as raw:
        raw.sendall(b"POST /sparql HTTP/1.1\r\nHost: x\r\n"
                    b"Content-Type: application/sparql-query\r\n"
                    b"Content-Length: 100\r\n\r\nSELECT")
        answer = raw.recv(4096).decode(errors="replace")
    assert answer.startswith("HTTP/1.1 408"), answer
    assert time.monotonic() - started < BODY_TIMEOUT + 5


# --- 3. lanes -------------------------------------------------------------------------------

def test_slow_public_queries_do_not_stall_the_site_and_a_full_queue_answers_at_once(site):
    url, _ = site
    answers: dict[str, httpx.Response] = {}

    def slow(client: str) -> None:
        answers[client] = sparql(url, SLOW, client=client)

    threads = [threading.Thread(target=slow, args=(f"10.0.1.{n}",)) for n in (1, 2)]
    for thread in threads:
        thread.start()
        time.sleep(0.3)  # one runs, one waits: the public queue (1) is full
    started = time.monotonic()
    full = sparql(url, CHEAP, client="10.0.1.3")
    assert full.status_code == 503 and int(full.headers["Retry-After"]) > 0
    assert time.monotonic() - started < 2
    # One client, two queries at once: the second is refused (429).
    same = sparql(url, CHEAP, client="10.0.1.1")
    assert same.status_code == 429 and "Retry-After" in same.headers
    # Meanwhile the site answers: pages, linked data, researcher API.
    for path in (PARAGRAPH, "/doc/CMW/C/AZE/CO/3", "/api/paragraphs?state=AZE",
                 PARAGRAPH + "?format=ttl"):
        started = time.monotonic()
        assert httpx.get(url + path, timeout=30).status_code == 200, path
        assert time.monotonic() - started < 3, path
    for thread in threads:
        thread.join()
    assert {r.status_code for r in answers.values()} <= {200, 503}


# --- 9. smaller ones ------------------------------------------------------------------------

def test_an_invalid_default_graph_uri_is_a_400(site):
    url, _ = site
    response = sparql(url, "SELECT * WHERE { ?s ?p ?o } LIMIT 1",
                      **{"default-graph-uri": "not an iri"})
    assert response.status_code == 400 and "graph IRI" in response.text


def test_a_carriage_return_in_an_api_parameter_is_escaped(site):
    url, _ = site
    response = httpx.get(f"{url}/api/paragraphs", params={"q": "migra\rtion"}, timeout=30)
    assert response.status_code == 200


def test_security_headers_on_every_response(site):
    url, _ = site
    for path, html in (("/", True), (PARAGRAPH, True), ("/no/such/<script>", False),
                       ("/sparql?query=ASK%7B%7D", False), ("/api/paragraphs?state=AZE", False),
                       ("/?q=migration", True), ("/api/search?q=migration", False)):
        response = httpx.get(url + path, timeout=30, headers={"Accept": "text/html"}
                             if html else {})
        assert response.headers["X-Content-Type-Options"] == "nosniff", path
        assert response.headers["X-Frame-Options"] == "DENY", path
        assert response.headers["Referrer-Policy"], path
        policy = response.headers["Content-Security-Policy"]
        assert "frame-ancestors 'none'" in policy, path
        if html:
            assert "script-src 'self'" in policy and "unsafe-inline" not in policy.split(
                "script-src")[1].split(";")[0]


# --- 4 and 6. a build while serving, reload, killing the server -----------------------------

def _quads(url: str) -> int:
    response = sparql(url, "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }",
                      client="10.0.2.1")
    assert response.status_code == 200, response.text
    return int(response.json()["results"]["bindings"][0]["n"]["value"])


def test_a_build_while_serving_is_seen_only_after_a_reload_and_all_at_once(tmp_path):
    from rightsgraph.graph.build import build
    from rightsgraph.graph.store import open_store

    store = tmp_path / "store"
    with open_store(store) as writer:
        assert build([SEED], writer).ok
    later = FIXTURES / "en" / "cerd_fixture.txt"
    with serving(store, tmp_path, "--workers", "2", "--site-workers", "2") as (url, server):
        before = _quads(url)
        with open_store(store) as writer:  # a build writes while the server serves
            assert build([later], writer).ok
        assert {_quads(url) for _ in range(6)} == {before}
        server.send_signal(signal.SIGHUP)
        assert wait_until(lambda: _quads(url) != before, timeout=30)
        after = _quads(url)
        assert after > before
        assert {_quads(url) for _ in range(6)} == {after}
        assert httpx.get(url + "/void", timeout=30).status_code == 200
        # 6: killing the server during a slow query stops its workers too.
        workers = children(server.pid)
        assert len(workers) >= 4
        slow = threading.Thread(target=lambda: _ignore(lambda: sparql(url, SLOW)))
        slow.start()
        time.sleep(1)
        server.send_signal(signal.SIGKILL)
        server.wait(timeout=10)
        assert wait_until(lambda: not any(alive(pid) for pid in workers), timeout=10), \
            [pid for pid in workers if alive(pid)]
        slow.join()
    leftovers = list(tmp_path.glob(".store.serving-*"))
    assert leftovers
    # The killed server's snapshot is removed by the next server that serves the store.
    with serving(store, tmp_path):
        assert not any(p.exists() for p in leftovers)
    shutil.rmtree(store)


def _ignore(call) -> None:
    with suppress(httpx.HTTPError):
        call()


def test_a_page_whose_data_is_missing_is_a_404_not_a_500(tmp_path):
    """A paragraph typed as one but not (yet) linked to its document, as a store being
    written can hold: the page used to fail with an IndexError (500)."""
    from fastapi.testclient import TestClient
    from rdflib import Graph, URIRef
    from rdflib.namespace import RDF

    from rightsgraph.api.app import Settings, create_app
    from rightsgraph.core import identifiers
    from rightsgraph.core.namespaces import HRO
    from rightsgraph.graph.store import open_store

    paragraph = URIRef(identifiers.base() + "doc/CMW/C/XYZ/CO/1/para/1")
    lone = Graph()
    lone.add((paragraph, RDF.type, HRO.Paragraph))
    with open_store(tmp_path / "store") as store:
        store.replace_graphs({identifiers.base() + "graph/CMW/C/XYZ/CO/1/en": lone})
    settings = Settings(store=str(tmp_path / "store"), workers=1, site_workers=1)
    with TestClient(create_app(settings)) as client:
        response = client.get("/doc/CMW/C/XYZ/CO/1/para/1", headers={"Accept": "text/html"})
    assert response.status_code == 404, response.text[:300]


def test_a_store_whose_first_build_was_killed_says_it_is_incomplete(tmp_path, capsys):
    """``build`` writes the registries, ontology, shapes and software graphs last: a store
    with documents but without them is what a killed first build leaves."""
    from conftest import run_cli

    from rightsgraph.extract import extract_file
    from rightsgraph.graph.build import document_graphs
    from rightsgraph.graph.store import open_store

    with open_store(tmp_path / "store") as store:
        store.replace_graphs(document_graphs(extract_file(SEED)))
    with socket.socket() as busy:  # serve stops after its checks: the port is taken
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        code, _, err = run_cli(capsys, "serve", "--store", tmp_path / "store", "--port",
                               busy.getsockname()[1])
    assert code == 3  # a server that cannot start (README "Exit codes")
    assert "is incomplete" in err and "graph/registries" in err
