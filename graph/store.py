"""The store interface: where the graph lives once it is built.

:func:`open_store` picks the backend from the location: a directory is an embedded
Oxigraph store on disk (:mod:`.local`), an ``http(s)://`` URL is any SPARQL 1.1 endpoint
(:mod:`.remote`).  Both hold one named graph per document language version, replace a
document's graphs in one atomic step and answer SPARQL with the union of all named graphs
as the default graph (so queries need no ``GRAPH`` clause).

Results and dumps are serialised by pyoxigraph, never by rdflib on the whole store; rdflib
only carries the per-document graphs handed to :meth:`Store.replace_graphs`.
"""
from __future__ import annotations

import abc
import functools
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import IO, Any, Literal, Protocol, TypeVar, cast, overload

import pyoxigraph as ox

from rightsgraph.core import formats, sparql
from rightsgraph.core.errors import EXIT_USAGE, RightsgraphError
from rightsgraph.core.namespaces import PREFIXES
from rightsgraph.graph.dataset import state_update


class BinarySink(Protocol):
    """Where a result or a dump is written: a binary file, a ``gzip.GzipFile``, a buffer
    that refuses to grow past a size."""

    def write(self, data: bytes, /) -> int: ...

    def flush(self) -> None: ...


def oxigraph_output(out: BinarySink) -> IO[bytes]:
    """``out`` as pyoxigraph's stubs type its ``output`` (``IO[bytes]``): pyoxigraph only
    writes to it and flushes it."""
    return cast("IO[bytes]", out)


class GraphContent(Protocol):
    """What :meth:`Store.replace_graphs` reads of a graph: its size and its N-Triples (an
    rdflib graph, or graphs already serialised: ``build.NTriples``)."""

    def serialize(self, *, format: str) -> str: ...  # noqa: A002 - rdflib's name

    def __len__(self) -> int: ...


def ntriples_utf8(graph: GraphContent) -> bytes:
    """The N-Triples of ``graph`` in UTF-8: as they are when the build's workers made them
    (``build.NTriples.utf8``: no decoding and encoding again), else serialised."""
    utf8 = getattr(graph, "utf8", None)
    return utf8 if isinstance(utf8, bytes) else graph.serialize(format="nt").encode()


def bound(row: Mapping[str, str | None], name: str) -> str:
    """The value of ``?name`` in a row of :meth:`QueryResult.rows` where the query always
    binds it (outside ``OPTIONAL``)."""
    value = row[name]
    if value is None:
        raise StoreError(f"the query left ?{name} unbound")
    return value


class StoreError(RightsgraphError):
    """A store could not be opened, read or written; the message says which and why."""


class StoreLockedError(StoreError):
    """The on-disk store is open for writing in another process."""


class QuerySyntaxError(StoreError, ValueError):
    """The SPARQL text does not parse; the message quotes the parser."""

    exit_code = EXIT_USAGE


class ReadOnlyStoreError(StoreError):
    """A write was attempted on a store opened read-only."""


class QueryResult:
    """The answer to one query, read once (like a cursor): either :meth:`rows`,
    iteration over :attr:`triples`, or one :meth:`serialize`.

    ``kind`` is ``"select"``, ``"ask"`` or ``"graph"`` (CONSTRUCT and DESCRIBE);
    ``variables`` are the SELECT variables and ``boolean`` the ASK answer.
    """

    def __init__(self, answer: ox.QuerySolutions | ox.QueryBoolean | Iterable[ox.Triple]):
        self._answer = answer
        self._consumed = False
        self.boolean: bool | None = None
        self.variables: list[str] = []
        self.kind: Literal["select", "ask", "graph"]
        if isinstance(answer, ox.QueryBoolean):
            self.kind = "ask"
            self.boolean = bool(answer)
        elif isinstance(answer, ox.QuerySolutions):
            self.kind = "select"
            self.variables = [variable.value for variable in answer.variables]
        else:
            self.kind = "graph"

    def _take(self):
        if self.kind != "ask":
            if self._consumed:
                raise StoreError("a query result can be read only once")
            self._consumed = True
        return self._answer

    def solutions(self) -> Iterator[ox.QuerySolution]:
        """SELECT solutions as pyoxigraph terms (``solution["s"]``, ``None`` when unbound)."""
        if self.kind != "select":
            raise StoreError(f"a {self.kind.upper()} result has no rows")
        return iter(self._take())

    def rows(self) -> Iterator[dict[str, str | None]]:
        """SELECT solutions, each ``{variable: lexical value or None when unbound}``."""
        names = [ox.Variable(name) for name in self.variables]
        for solution in self.solutions():
            yield {name.value: _lexical(solution[name]) for name in names}

    @property
    def triples(self) -> Iterator[ox.Triple]:
        """CONSTRUCT/DESCRIBE triples."""
        if self.kind != "graph":
            raise StoreError(f"a {self.kind.upper()} result has no triples")
        return iter(self._take())

    @overload
    def serialize(self, media_type: str, out: None = None) -> bytes: ...

    @overload
    def serialize(self, media_type: str, out: BinarySink) -> None: ...

    def serialize(self, media_type: str, out: BinarySink | None = None) -> bytes | None:
        """The result in ``media_type``: SPARQL results JSON, XML, CSV or TSV for SELECT
        and ASK; Turtle, N-Triples, JSON-LD, RDF/XML or N-Quads for graph results.
        Written to ``out`` (and ``None`` returned) when given, so that a caller can stop a
        result that grows too large.  Raises ``ValueError`` naming the media type when it
        does not fit the result."""
        if self.kind == "graph":
            rdf_format = ox.RdfFormat.from_media_type(media_type)
            if rdf_format is None:
                raise ValueError(f"{media_type!r} is not an RDF media type")
            triples = self._take()
            if rdf_format.supports_datasets:
                triples = (ox.Quad(t.subject, t.predicate, t.object) for t in triples)
            output = None if out is None else oxigraph_output(out)
            return ox.serialize(triples, output, format=rdf_format, prefixes=PREFIXES)
        results_format = ox.QueryResultsFormat.from_media_type(media_type)
        if results_format is None:
            raise ValueError(f"{media_type!r} is not a SPARQL results media type")
        output = None if out is None else oxigraph_output(out)
        return self._take().serialize(output, format=results_format)


def _lexical(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple | None) -> str | None:
    if term is None:
        return None
    if isinstance(term, ox.Triple):
        return str(term)
    return term.value


_Write = TypeVar("_Write", bound=Callable[..., Any])


def changes(method: _Write) -> _Write:
    """Marks a method of :class:`Store` that writes: the store's state token
    (:mod:`.dataset`) is replaced before the write (once for nested writes), so numbers
    stored of the state before are no longer used, even if the write fails midway."""
    @functools.wraps(method)
    def write(self: Any, *args: Any, **kwargs: Any) -> Any:
        if self._writing == 0:
            self.mark_changed()
        self._writing += 1
        try:
            return method(self, *args, **kwargs)
        finally:
            self._writing -= 1
    return cast(_Write, write)


class Store(abc.ABC):
    """A dataset of named graphs; see the module docstring.  Use as a context manager.

    Every method that writes is marked :func:`changes`: it replaces the store's state
    token first (:mod:`.dataset`)."""

    read_only: bool = False
    _writing = 0  # depth of the writes under way (see changes)

    def mark_changed(self) -> None:
        """Give the store a new state token if it has one (:func:`.dataset.state_update`)."""
        self._update(state_update())

    def record(self, update: str) -> None:
        """Apply an update that states what the store holds without changing what it
        holds (the dataset's numbers, :mod:`.dataset`): the state token is kept."""
        self._update(update)

    @changes
    def replace_graphs(self, graphs: Mapping[str, GraphContent]) -> None:
        """Replace each named graph (IRI -> its new content) in one atomic step: readers
        see all the old graphs or all the new ones, never a mix; a failure or a kill midway
        leaves the old version.  One SPARQL Update request (:func:`replacement_update`),
        which the backend applies in one transaction."""
        if graphs:
            self._update(replacement_update(graphs))

    @changes
    def add_new_graphs(self, batch: Sequence[Mapping[str, GraphContent]], *,
                       to_come: int | None = None) -> None:
        """Add the graphs of several documents, none of which the store holds yet (a fresh
        build).  By default one :meth:`replace_graphs` per document; the local store
        bulk-loads the whole batch instead, which is atomic only for the batch as a whole
        (see :meth:`.local.LocalStore.add_new_graphs`; ``to_come``, about how many quads
        the caller will add after these, paces its loads)."""
        for graphs in batch:
            self.replace_graphs(graphs)

    @changes
    def drop_graphs(self, names: Iterable[str]) -> None:
        """Remove these named graphs (those absent are ignored), in one atomic step."""
        update = drop_update(names)
        if update:
            self._update(update)

    @abc.abstractmethod
    def _update(self, update: str) -> None:
        """Apply one SPARQL Update request atomically, or raise :class:`StoreError`."""

    @abc.abstractmethod
    def graphs(self) -> list[str]:
        """The IRIs of the named graphs, sorted."""

    @abc.abstractmethod
    def __len__(self) -> int:
        """The number of quads."""

    @abc.abstractmethod
    def query(
        self,
        sparql: str,
        *,
        default_graph: Sequence[str] = (),
        named_graphs: Sequence[str] = (),
        union_default_graph: bool = True,
    ) -> QueryResult:
        """Run a SPARQL query.

        As in the SPARQL 1.1 Protocol, ``default_graph`` and ``named_graphs`` (graph IRIs)
        replace the query's dataset when either is given: the default graph is then the
        merge of ``default_graph`` and the graphs ``GRAPH`` can see are ``named_graphs``.
        Otherwise the query's own ``FROM``/``FROM NAMED`` apply, and without them the
        default graph is the union of all graphs when ``union_default_graph`` is true.
        Raises :class:`QuerySyntaxError` for a query that does not parse.
        """

    @abc.abstractmethod
    def dump(self, out: BinarySink, fmt: str, graph: str | None = None) -> None:
        """Write the dataset (or one ``graph``) to ``out`` in ``fmt`` (a name in
        :data:`formats.DUMPS`).  Triple formats (ttl, nt) without ``graph`` hold the union of
        all graphs."""

    def close(self) -> None:  # noqa: B027 - optional for backends without resources
        """Release the store (the local store's lock on its directory)."""

    def release_memory(self) -> None:  # noqa: B027 - optional for backends without caches
        """Let go of what the store keeps in this process's memory from the work done so far
        (the local store's caches); what is stored is unchanged."""

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def open_store(
    location: str | Path, *, read_only: bool = False, update_url: str | None = None,
    graph_store_url: str | None = None,
    timeout: float | None = None, waiting: Callable[[str], None] | None = None,
) -> Store:
    """The store at ``location``: a directory (created if missing, unless ``read_only``)
    or the query URL of a SPARQL 1.1 endpoint.  For an endpoint, ``update_url`` overrides
    its update URL (by default derived from the query URL, see :mod:`.remote`),
    ``graph_store_url`` its Graph Store Protocol URL (writes then go there, one graph at a
    time),
    ``timeout`` is how long to wait for an answer and ``waiting`` is told, every few
    seconds, what a request still waits for."""
    text = str(location)
    if re.match(r"^https?://", text, re.IGNORECASE):
        from rightsgraph.graph.remote import DEFAULT_TIMEOUT, RemoteStore

        return RemoteStore(text, update_url=update_url, graph_store_url=graph_store_url,
                           read_only=read_only,
                           timeout=timeout or DEFAULT_TIMEOUT, waiting=waiting)
    if update_url is not None or graph_store_url is not None:
        raise StoreError("an update URL or a graph store URL only applies to a remote store "
                         "(http:// or https://)")
    from rightsgraph.graph.local import LocalStore

    return LocalStore(Path(text), read_only=read_only)


# --- helpers shared by the backends ---------------------------------------------------------

def dump_format(fmt: str) -> ox.RdfFormat:
    """pyoxigraph's format for a dump format name; ``ValueError`` for another name."""
    try:
        chosen = formats.rdf(fmt)
    except KeyError:
        chosen = None
    if chosen is None or chosen.name not in formats.DUMPS:
        raise ValueError(f"unknown dump format {fmt!r}; use one of {', '.join(formats.DUMPS)}")
    return chosen.rdf_format


_STRINGS_AND_COMMENTS = re.compile(
    r'"""[\s\S]*?"""|\'\'\'[\s\S]*?\'\'\'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'|<[^<>\s]*>'
    r"|#[^\n]*"
)
_DATASET_CLAUSE = re.compile(r"(?<![?$\w])FROM\b", re.IGNORECASE)
_FROM_ANYWHERE = re.compile("from", re.IGNORECASE)


_QUERY_FORM = re.compile(r"(?<![?$\w:])(SELECT|ASK|CONSTRUCT|DESCRIBE)\b", re.IGNORECASE)


def query_form(sparql: str) -> str | None:
    """``"select"``, ``"ask"``, ``"construct"`` or ``"describe"``: the query's first form
    keyword outside strings, IRIs and comments (the prologue has none), or ``None``."""
    found = _QUERY_FORM.search(_STRINGS_AND_COMMENTS.sub(" ", sparql))
    return found.group(1).lower() if found else None


def declares_dataset(sparql: str) -> bool:
    """Whether the query has its own ``FROM`` or ``FROM NAMED`` clause (strings, IRIs and
    comments are skipped, so ``"from"`` in a literal does not count)."""
    if not _FROM_ANYWHERE.search(sparql):  # most queries: no such word at all
        return False
    return bool(_DATASET_CLAUSE.search(_STRINGS_AND_COMMENTS.sub(" ", sparql)))


def replacement_update(graphs: Mapping[str, GraphContent]) -> str:
    """One SPARQL Update request that drops each graph and inserts its new content.

    N-Triples lines are valid SPARQL triples.  The triples without blank nodes go in
    ``INSERT DATA`` operations of at most :data:`INSERT_DATA_TRIPLES` triples each; those
    with blank nodes (the shapes' and the ontology's lists and property nodes) in one
    ``INSERT { … } WHERE {}``, whose single solution makes one new node per label (one
    operation, so a label names one node).  SPARQL 1.1 allows blank nodes in ``INSERT DATA``
    and operations of any size, but some stores do not: Virtuoso refuses blank nodes there,
    and any operation that compiles to more than 10,000 lines of SQL (about 2,000 triples).
    """
    drops = [f"DROP SILENT GRAPH {checked_iri(name)}" for name in graphs]
    inserts: list[str] = []
    blank: list[str] = []
    for name, graph in graphs.items():
        if not len(graph):
            continue
        iri = checked_iri(name)
        lines = [line for line in graph.serialize(format="nt").splitlines() if line.strip()]
        ground = [line for line in lines if not _BLANK_NODE.search(line)]
        for start in range(0, len(ground), INSERT_DATA_TRIPLES):
            chunk = "\n".join(ground[start:start + INSERT_DATA_TRIPLES])
            inserts.append(f"INSERT DATA {{ GRAPH {iri} {{\n{chunk}\n}} }}")
        with_blank = [line for line in lines if _BLANK_NODE.search(line)]
        if with_blank:
            blank.append(f"GRAPH {iri} {{\n" + "\n".join(with_blank) + "\n}")
    if blank:
        inserts.append("INSERT {\n" + "\n".join(blank) + "\n} WHERE {}")
    return " ;\n".join(drops + inserts)


INSERT_DATA_TRIPLES = 500
# An N-Triples line with a blank node as subject or object (never inside a literal: a
# literal's last character before " ." is a quote, a language tag or a datatype IRI).
_BLANK_NODE = re.compile(r'^_:|\s_:[^\s"<>]+\s*\.\s*$')


def is_update(sparql: str) -> bool:
    """Whether ``sparql`` is a SPARQL Update request (parsed by rdflib, never run): to tell
    someone who sent one to a read-only query that it is an update, not a broken query."""
    from pyparsing import ParseBaseException
    from rdflib.plugins.sparql.parser import parseUpdate

    try:
        parseUpdate(sparql)
    except ParseBaseException:
        return False
    return True


def drop_update(names: Iterable[str]) -> str:
    return " ;\n".join(f"DROP SILENT GRAPH {checked_iri(name)}" for name in names)


def checked_iri(name: str) -> sparql.Term:
    """A graph name as an IRI in SPARQL (``<…>``); :class:`StoreError` if it cannot be one."""
    try:
        return sparql.iri(str(name))
    except sparql.UnsafeIriError as err:
        raise StoreError(f"not a valid graph IRI: {str(name)!r}") from err
