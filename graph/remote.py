"""A store on any SPARQL 1.1 endpoint (Oxigraph server, Fuseki, GraphDB, Virtuoso, …).

Reads use the SPARQL 1.1 Protocol (POST form, ``default-graph-uri``/``named-graph-uri``);
writes use SPARQL 1.1 Update, one request per :meth:`RemoteStore.replace_graphs` (``DROP
SILENT GRAPH`` then one ``INSERT DATA``), which the endpoint applies atomically if it
implements requests as transactions (Oxigraph, Fuseki/TDB2 and GraphDB do).

URLs: the location is the query URL.  The update URL is derived from it unless given:
``…/query`` -> ``…/update`` (Oxigraph, Fuseki), a bare ``http://host:port`` -> Oxigraph's
``/query`` and ``/update``, anything else is used for both (Virtuoso ``/sparql``).

With a Graph Store Protocol URL (``--graph-store-url``: Oxigraph ``/store``, Fuseki
``/ds/data``, Virtuoso ``/sparql-graph-crud``), each graph is written instead with one
SPARQL 1.1 Graph Store HTTP Protocol ``PUT`` of its N-Triples (``DELETE`` when empty).  Each
graph is then replaced atomically, but not the document's graphs together: a reader may see
a language version beside the inferences of its previous version for the time between two
requests.  The graphs are written in the reverse of the order given, so the first one, the
language version that carries the stamp the build and the index read (when it was extracted,
from which file), is written last: a build killed midway leaves it at its previous version,
and the next build writes the document again.  The point is speed where SPARQL Update is
slow: Virtuoso compiles each ``INSERT DATA`` to SQL (about 1 ms per triple, and a request of
several operations costs the square of their number), while it parses a ``PUT`` in bulk.

Default graph as the union of all graphs: Oxigraph honours its ``union-default-graph``
request parameter, which is sent; GraphDB and Virtuoso already query all graphs by
default; Fuseki needs ``tdb2:unionDefaultGraph true`` in its dataset configuration.
"""
from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from urllib.parse import urlencode, urlsplit, urlunsplit

import httpx
import pyoxigraph as ox

from rightsgraph.core.namespaces import PREFIXES
from rightsgraph.graph.store import (
    BinarySink,
    GraphContent,
    QueryResult,
    QuerySyntaxError,
    ReadOnlyStoreError,
    Store,
    StoreError,
    changes,
    checked_iri,
    declares_dataset,
    dump_format,
    ntriples_utf8,
    oxigraph_output,
    query_form,
)

# Seconds to wait for an endpoint's answer (``--store-timeout``) and for a connection.
DEFAULT_TIMEOUT = 120.0
CONNECT_TIMEOUT = 10.0
WAITING_NOTICE_SECONDS = 2.0
# What to accept, by query form: a results format for SELECT and ASK, RDF for CONSTRUCT and
# DESCRIBE.  Never both at once: some endpoints (Virtuoso) answer a SELECT in RDF, or a
# CONSTRUCT as a table of ?s ?p ?o, when the Accept header allows it.
RESULTS_ACCEPT = "application/sparql-results+json, application/sparql-results+xml;q=0.8"
GRAPH_ACCEPT = "application/n-triples, text/turtle;q=0.8"
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
        graph_store_url: str | None = None,
        read_only: bool = False,
        timeout: float = DEFAULT_TIMEOUT,
        client: httpx.Client | None = None,
        waiting: Callable[[str], None] | None = None,
    ) -> None:
        self.query_url, self.update_url = endpoint_urls(location, update_url)
        self.graph_store_url = graph_store_url
        self.read_only = read_only
        self.timeout = timeout
        self._waiting = waiting
        self._client = client or httpx.Client(
            timeout=httpx.Timeout(timeout, connect=min(timeout, CONNECT_TIMEOUT)))

    # --- writes ---------------------------------------------------------------------

    @changes
    def replace_graphs(self, graphs: Mapping[str, GraphContent]) -> None:
        """As :meth:`Store.replace_graphs` (one SPARQL Update), or one Graph Store Protocol
        request per graph, the first graph last, when the store has a graph store URL (see
        the module docstring)."""
        if self.graph_store_url is None:
            super().replace_graphs(graphs)
            return
        if self.read_only:
            raise ReadOnlyStoreError(f"{self.query_url}: the store is open read-only")
        for name in reversed(list(graphs)):
            graph = graphs[name]
            url = f"{self.graph_store_url}?{urlencode({'graph': checked_iri(name)[1:-1]})}"
            if len(graph):
                response = self._request(
                    "PUT", url, "graph store PUT",
                    content=ntriples_utf8(graph),
                    headers={"Content-Type": "application/n-triples"})
            else:
                response = self._request("DELETE", url, "graph store DELETE")
                if response.status_code == 404:  # nothing to delete
                    continue
            self._check(response, self.graph_store_url, "graph store request")

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
            headers={"Accept": GRAPH_ACCEPT if query_form(sparql) in ("construct", "describe")
                     else RESULTS_ACCEPT, "Content-Type": "application/x-www-form-urlencoded"})
        self._check(response, self.query_url, "query")
        media_type = response.headers.get("content-type", "").split(";")[0].strip()
        results_format = ox.QueryResultsFormat.from_media_type(media_type)
        try:
            if results_format is not None:
                return QueryResult(ox.parse_query_results(
                    _blank_node_labels(response.content), results_format))
            rdf_format = ox.RdfFormat.from_media_type(media_type)
            if rdf_format is not None:
                return QueryResult(list(_triples(response.content, rdf_format)))
        except SyntaxError as err:
            raise StoreError(f"{self.query_url}: unreadable {media_type} answer: {err}") from err
        raise StoreError(f"{self.query_url}: unexpected answer of type {media_type!r}")

    def _select(self, sparql: str) -> list[dict[str, str | None]]:
        return list(self.query(sparql, union_default_graph=False).rows())

    def graphs(self) -> list[str]:
        """The IRIs of the named graphs, sorted.  ``GRAPH ?g { }`` names every graph without
        reading it, but some endpoints (Virtuoso) answer it with one row and ``?g`` unbound:
        then the graphs are read from their quads (a scan, only when the cheap way fails).
        On Virtuoso both take minutes on a corpus of millions of quads: callers that need
        some graphs ask for them (``ASK { GRAPH <g> { ?s ?p ?o } }``)."""
        names = [row["g"] for row in self._select("SELECT DISTINCT ?g WHERE { GRAPH ?g { } }")]
        if not any(names):  # Virtuoso: one row, ?g unbound
            names = [row["g"] for row in self._select(
                "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")]
        return sorted(name for name in names if name)

    def __len__(self) -> int:
        """Quads in the named graphs (not the default graph: on endpoints whose default
        graph is the union of all graphs, Virtuoso's, its triples would count twice).
        The endpoint's own graphs count too (Virtuoso keeps a few thousand quads of its
        configuration in ``virtrdf:``)."""
        rows = self._select("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
        return int(rows[0]["n"] or 0)

    def dump(self, out: BinarySink, fmt: str, graph: str | None = None) -> None:
        """Read through one SELECT over the named graphs, streamed into pyoxigraph's
        serializer (the endpoint's default graph is not part of the dump)."""
        rdf_format = dump_format(fmt)
        if graph is not None:
            iri = checked_iri(graph)
            ask = self.query(f"ASK {{ GRAPH {iri} {{ ?s ?p ?o }} }}")
            if not ask.boolean:
                raise StoreError(f"{self.query_url}: no graph <{graph}>")
            where = f"GRAPH {iri} {{ ?s ?p ?o }} BIND({iri} AS ?g)"
        else:
            where = "GRAPH ?g { ?s ?p ?o }"
        data: Iterator[ox.Quad] | Iterator[ox.Triple]
        if rdf_format.supports_datasets:
            solutions = self.query(f"SELECT ?s ?p ?o ?g WHERE {{ {where} }}")
            data = (ox.Quad(s["s"], s["p"], s["o"], s["g"]) for s in solutions.solutions())
        else:
            solutions = self.query(f"SELECT DISTINCT ?s ?p ?o WHERE {{ {where} }}")
            data = (ox.Triple(s["s"], s["p"], s["o"]) for s in solutions.solutions())
        ox.serialize(data, oxigraph_output(out), rdf_format, prefixes=PREFIXES)

    def close(self) -> None:
        self._client.close()

    # --- HTTP -----------------------------------------------------------------------

    def _post(self, url: str, what: str, **kwargs) -> httpx.Response:
        return self._request("POST", url, what, **kwargs)

    def _request(self, method: str, url: str, what: str, **kwargs) -> httpx.Response:
        done = threading.Event()
        if self._waiting is not None:
            threading.Thread(target=self._announce, args=(url, what, done), daemon=True,
                             name="rightsgraph-remote-wait").start()
        try:
            return self._client.request(method, url, **kwargs)
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


# A blank node in SPARQL results JSON, its label in group 2 (Virtuoso writes the key "type"
# first; labels such as "nodeID://b10000", which no parser takes as a blank node label).
_BNODE_VALUE = re.compile(rb'("type"\s*:\s*"bnode"\s*,\s*"value"\s*:\s*")([^"]*)(")')
_NOT_IN_LABEL = re.compile(rb"[^A-Za-z0-9]")


def _blank_node_labels(content: bytes) -> bytes:
    """SPARQL results JSON whose blank node labels are valid ones: every character but
    letters and digits written as ``_xx`` (its hex code), so distinct labels stay distinct."""
    if b'"bnode"' not in content:
        return content
    return _BNODE_VALUE.sub(
        lambda m: m.group(1) + b"b" + _NOT_IN_LABEL.sub(
            lambda c: b"_%02x" % c.group(0)[0], m.group(2)) + m.group(3), content)


def _triples(content: bytes, rdf_format: ox.RdfFormat) -> Iterator[ox.Triple]:
    for statement in ox.parse(content, rdf_format):
        yield statement.triple if isinstance(statement, ox.Quad) else statement

