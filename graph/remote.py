"""A store on any SPARQL 1.1 endpoint (Oxigraph server, Fuseki, GraphDB, Virtuoso, …).

Reads use the SPARQL 1.1 Protocol (POST form, ``default-graph-uri``/``named-graph-uri``);
writes use SPARQL 1.1 Update, one request per :meth:`RemoteStore.replace_graphs` (``DROP
SILENT GRAPH`` then one ``INSERT DATA``), which the endpoint applies atomically if it
implements requests as transactions (Oxigraph, Fuseki/TDB2 and GraphDB do).

URLs: the location is the query URL.  The update URL is derived from it unless given:
``…/query`` -> ``…/update`` (Oxigraph, Fuseki), a bare ``http://host:port`` -> Oxigraph's
``/query`` and ``/update``, anything else is used for both (Virtuoso ``/sparql``).

Default graph as the union of all graphs: Oxigraph honours its ``union-default-graph``
request parameter, which is sent; GraphDB and Virtuoso already query all graphs by
default; Fuseki needs ``tdb2:unionDefaultGraph true`` in its dataset configuration.
"""
from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator, Sequence
from typing import BinaryIO
from urllib.parse import urlencode, urlsplit, urlunsplit

import httpx
import pyoxigraph as ox

from rightsgraph.core.namespaces import PREFIXES
from rightsgraph.graph.store import (
    QueryResult,
    QuerySyntaxError,
    ReadOnlyStoreError,
    Store,
    StoreError,
    checked_iri,
    declares_dataset,
    dump_format,
)

# Seconds to wait for an endpoint's answer (``--store-timeout``) and for a connection.
DEFAULT_TIMEOUT = 120.0
CONNECT_TIMEOUT = 10.0
WAITING_NOTICE_SECONDS = 2.0
ACCEPT = "application/sparql-results+json, application/n-triples;q=0.9, text/turtle;q=0.8"
# Written before each query on its first line, so the graph's prefixes need no declaration
# (as for the local store) and the line numbers of syntax errors stay right.
PROLOGUE = " ".join(f"PREFIX {name}: <{iri}>" for name, iri in PREFIXES.items()) + " "


def endpoint_urls(location: str, update_url: str | None = None) -> tuple[str, str]:
    """(query URL, update URL) for an endpoint location; see the module docstring."""
    parts = urlsplit(location)
    path = parts.path.rstrip("/")
    if not path:
        return (urlunsplit(parts._replace(path="/query")),
                update_url or urlunsplit(parts._replace(path="/update")))
    if path.endswith("/query"):
        derived = urlunsplit(parts._replace(path=path[: -len("query")] + "update"))
        return location, update_url or derived
    return location, update_url or location


class RemoteStore(Store):
    """The dataset behind a SPARQL 1.1 endpoint."""

    def __init__(
        self,
        location: str,
        *,
        update_url: str | None = None,
        read_only: bool = False,
        timeout: float = DEFAULT_TIMEOUT,
        client: httpx.Client | None = None,
        waiting: Callable[[str], None] | None = None,
    ) -> None:
        self.query_url, self.update_url = endpoint_urls(location, update_url)
        self.read_only = read_only
        self.timeout = timeout
        self._waiting = waiting
        self._client = client or httpx.Client(
            timeout=httpx.Timeout(timeout, connect=min(timeout, CONNECT_TIMEOUT)))

    # --- writes ---------------------------------------------------------------------

    def _update(self, update: str) -> None:
        if self.read_only:
            raise ReadOnlyStoreError(f"{self.query_url}: the store is open read-only")
        response = self._post(
            self.update_url, "update", content=update.encode("utf-8"),
            headers={"Content-Type": "application/sparql-update; charset=utf-8"})
        self._check(response, self.update_url, "update")

    # --- reads ----------------------------------------------------------------------

    def query(
        self,
        sparql: str,
        *,
        default_graph: Sequence[str] = (),
        named_graphs: Sequence[str] = (),
        union_default_graph: bool = True,
    ) -> QueryResult:
        form: list[tuple[str, str]] = [("query", PROLOGUE + sparql)]
        form += [("default-graph-uri", g) for g in default_graph]
        form += [("named-graph-uri", g) for g in named_graphs]
        if union_default_graph and not (default_graph or named_graphs or declares_dataset(sparql)):
            form.append(("union-default-graph", ""))
        response = self._post(
            self.query_url, "query", content=urlencode(form).encode("ascii"),
            headers={"Accept": ACCEPT, "Content-Type": "application/x-www-form-urlencoded"})
        self._check(response, self.query_url, "query")
        media_type = response.headers.get("content-type", "").split(";")[0].strip()
        results_format = ox.QueryResultsFormat.from_media_type(media_type)
        try:
            if results_format is not None:
                return QueryResult(ox.parse_query_results(response.content, results_format))
            rdf_format = ox.RdfFormat.from_media_type(media_type)
            if rdf_format is not None:
                return QueryResult(list(_triples(response.content, rdf_format)))
        except SyntaxError as err:
            raise StoreError(f"{self.query_url}: unreadable {media_type} answer: {err}") from err
        raise StoreError(f"{self.query_url}: unexpected answer of type {media_type!r}")

    def _select(self, sparql: str) -> list[dict[str, str | None]]:
        return list(self.query(sparql, union_default_graph=False).rows())

    def graphs(self) -> list[str]:
        rows = self._select("SELECT DISTINCT ?g WHERE { GRAPH ?g { } }")
        return sorted(row["g"] for row in rows if row["g"])

    def __len__(self) -> int:
        """Quads in the named graphs plus the triples of the default graph as the endpoint
        defines it (on endpoints whose default graph is the union, those count twice)."""
        rows = self._select(
            "SELECT (COUNT(*) AS ?n) WHERE { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } }")
        return int(rows[0]["n"] or 0)

    def dump(self, out: BinaryIO, fmt: str, graph: str | None = None) -> None:
        """Read through one SELECT over the named graphs, streamed into pyoxigraph's
        serializer (the endpoint's default graph is not part of the dump)."""
        rdf_format = dump_format(fmt)
        if graph is not None:
            iri = checked_iri(graph)
            ask = self.query(f"ASK {{ GRAPH {iri} {{ }} }}")
            if not ask.boolean:
                raise StoreError(f"{self.query_url}: no graph <{graph}>")
            where = f"GRAPH {iri} {{ ?s ?p ?o }} BIND({iri} AS ?g)"
        else:
            where = "GRAPH ?g { ?s ?p ?o }"
        if rdf_format.supports_datasets:
            solutions = self.query(f"SELECT ?s ?p ?o ?g WHERE {{ {where} }}")
            data = (ox.Quad(s["s"], s["p"], s["o"], s["g"]) for s in solutions.solutions())
        else:
            solutions = self.query(f"SELECT DISTINCT ?s ?p ?o WHERE {{ {where} }}")
            data = (ox.Triple(s["s"], s["p"], s["o"]) for s in solutions.solutions())
        ox.serialize(data, out, rdf_format, prefixes=PREFIXES)

    def close(self) -> None:
        self._client.close()

    # --- HTTP -----------------------------------------------------------------------

    def _post(self, url: str, what: str, **kwargs) -> httpx.Response:
        done = threading.Event()
        if self._waiting is not None:
            threading.Thread(target=self._announce, args=(url, what, done), daemon=True,
                             name="rightsgraph-remote-wait").start()
        try:
            return self._client.post(url, **kwargs)
        except httpx.TimeoutException as err:
            raise StoreError(
                f"{url}: no answer within {self.timeout:g} s to the {what}; is the SPARQL "
                "endpoint running and reachable? (the limit is --store-timeout)") from err
        except httpx.HTTPError as err:
            raise StoreError(f"{url}: cannot reach the SPARQL endpoint: {err}") from err
        finally:
            done.set()

    def _announce(self, url: str, what: str, done: threading.Event) -> None:
        """Tell ``waiting`` what this request waits for, every few seconds until it ends."""
        started = time.monotonic()
        while not done.wait(WAITING_NOTICE_SECONDS):
            if self._waiting is not None:
                self._waiting(f"waiting for {url} to answer the {what} "
                              f"({time.monotonic() - started:.0f} s of {self.timeout:g} s)")

    @staticmethod
    def _check(response: httpx.Response, url: str, what: str) -> None:
        if response.is_success:
            return
        message = response.text.strip()[:1000] or response.reason_phrase
        if response.status_code == 400 and what == "query":
            raise QuerySyntaxError(message)
        raise StoreError(f"{url}: {what} refused (HTTP {response.status_code}): {message}")


def _triples(content: bytes, rdf_format: ox.RdfFormat) -> Iterator[ox.Triple]:
    for statement in ox.parse(content, rdf_format):
        yield statement.triple if isinstance(statement, ox.Quad) else statement

