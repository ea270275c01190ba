"""A plain ``GET /sparql?query=…`` answered by ``rightsgraph serve``'s HTTP protocol without
ASGI (api/http.py, ``App.sparql_plain``; decision 0013): the same responses as the routed
path, byte for byte but the date, and the limits of decision 0004 (queue 503 with
Retry-After, per-client 429, time limit 503, refusals) answered the same way."""
from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import httpx
import pytest
from conftest import assert_same_answer, serving

from rightsgraph.api.app import Settings, create_app

SLOW = ("SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i "
        "FILTER (STR(?c) = STR(?f) && STR(?f) = STR(?i)) }")
CHEAP = "ASK { ?s ?p ?o }"
TIMEOUT = 3


@pytest.fixture(scope="module")
def served(web_store) -> Iterator[tuple[str, object, list[str]]]:
    """A server of ``web_store`` on loopback (uvicorn with the project's protocol, as
    ``rightsgraph serve`` runs it): one public worker, a queue of one, one query per client;
    its URL, its application and the query strings its protocol answered itself."""
    app = create_app(Settings(store=str(web_store), workers=1, site_workers=1, queue=1,
                              per_client=1, timeout=TIMEOUT, snapshot=False,
                              handover=False))  # the plain path: no connection handed over
    plain = app.sparql_plain
    answered: list[str] = []

    def counted(scope):
        outcome = plain(scope)
        if outcome is not None:
            answered.append(scope["query_string"].decode())
        return outcome

    app.sparql_plain = counted
    with serving(app, start_within=120, server_header=False, proxy_headers=False) as url:
        yield url, app, answered


def _routed(app, counted, ask):
    """``ask()`` on new connections that the protocol gives to the routed path."""
    app.sparql_plain = None
    try:
        return ask()
    finally:
        app.sparql_plain = counted


@pytest.mark.parametrize("query, accept", [
    ("SELECT ?s ?p ?o WHERE { ?s ?p ?o } LIMIT 5",
     "application/sparql-results+json"),
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
])
def test_the_plain_path_answers_as_the_routed_one(served, query, accept):
    url, app, answered = served
    headers = {"Accept": accept} if accept else {}
    before = len(answered)

    def ask() -> httpx.Response:
        return httpx.get(f"{url}/sparql", params={"query": query}, headers=headers, timeout=60)

    plain = ask()
    assert len(answered) == before + 1  # answered by the protocol itself
    assert_same_answer(plain, _routed(app, app.sparql_plain, ask))
    assert len(answered) == before + 1


@pytest.mark.parametrize("params", [
    {"query": "INSERT DATA { <a:b> <a:c> <a:d> }"},  # 403: an update
    {"query": "  "},  # 400: empty
    {"query": "SELECT * WHERE { " + "{" * 300 + "}" * 300 + " }"},  # 400: nesting
    {"query": CHEAP, "format": "csv"},  # another parameter
    {"query": CHEAP, "default-graph-uri": "not an iri"},
    {},  # the service description
])
def test_other_requests_take_the_routed_path(served, params):
    url, app, answered = served
    before = len(answered)

    def ask() -> httpx.Response:
        return httpx.get(f"{url}/sparql", params=params, timeout=60,
                         headers={"Accept": "application/sparql-results+json"})

    plain = ask()
    assert len(answered) == before
    assert_same_answer(plain, _routed(app, app.sparql_plain, ask))


def test_the_lane_limits_hold_on_the_plain_path(served):
    url, app, answered = served
    before = len(answered)
    slow: dict[str, httpx.Response] = {}

    def ask(query: str, client: str) -> httpx.Response:
        # one connection per client address: each its own source address on loopback
        transport = httpx.HTTPTransport(local_address=client)
        with httpx.Client(transport=transport, timeout=60) as session:
            return session.get(f"{url}/sparql", params={"query": query})

    def run(client: str) -> None:
        slow[client] = ask(SLOW, client)

    threads = [threading.Thread(target=run, args=(f"127.0.0.{n}",)) for n in (2, 3)]
    for thread in threads:
        thread.start()
        time.sleep(0.3)  # one runs, one waits: the queue (1) is full
    full = ask(CHEAP, "127.0.0.4")
    assert full.status_code == 503 and int(full.headers["Retry-After"]) > 0
    assert full.headers["x-content-type-options"] == "nosniff"  # rendered as the route does
    same = ask(CHEAP, "127.0.0.2")  # a second query of a client with one running
    assert same.status_code == 429 and "Retry-After" in same.headers
    for thread in threads:
        thread.join()
    # the slow ones: past the time limit, stopped (or refused when the queue was full)
    assert {r.status_code for r in slow.values()} <= {503}
    assert any(f"time limit of {TIMEOUT:g} s" in r.text for r in slow.values())
    assert ask(CHEAP, "127.0.0.5").status_code == 200  # a new worker answers
    assert len(answered) == before + 5  # every one of them on the plain path
