"""The full-text index: Tantivy on disk, one document per paragraph (all its language
versions), built beside the store and kept in step with it.

Each paragraph is one Tantivy document with a text field per language (the terms of
:mod:`.analysis`, with positions for phrases), one fast field per facet (``facets.toml``)
and, stored, every language version's text and facet values (``parts``), so that replacing
one language version rewrites the paragraph without reading the store.  Beside the
paragraphs, one small document per language version's graph holds its *stamp* (when it was
extracted and from which file's SHA-256).

Keeping index and store in step: a build writes a document's graphs to the store (one
atomic update) and then its rows to the index (one Tantivy commit).  A kill between the two
leaves the store one version ahead (a fresh build, whose store bulk-loads every document
at the end, leaves the index ahead instead: reconciling drops what the store lacks); so
whoever opens the index for writing first
:meth:`SearchIndex.reconcile` s it with the store: every language version whose stamp differs
(or that is missing on either side) is read back from the store and re-indexed, or dropped.
``rightsgraph build`` does it before loading, ``rightsgraph serve`` and ``search`` before
answering, ``rightsgraph index`` on demand; an index that is missing, or was made with other
analysis rules or another facet table, is rebuilt from the store the same way.
"""
from __future__ import annotations

import hashlib
import inspect
import json
import re
import shutil
import time
from collections.abc import Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import tantivy

from rightsgraph.core.errors import RightsgraphError
from rightsgraph.extract.triples import Triples
from rightsgraph.graph.search import analysis, facets
from rightsgraph.graph.search.query import (
    And,
    Filter,
    Node,
    Not,
    Or,
    Prefix,
    QueryError,
    Words,
    filters_of,
    parse,
    words_of,
)
from rightsgraph.graph.search.rows import (
    INFERRED,
    GraphRows,
    Version,
    document_rows,
    label_stamps,
    store_stamps,
    with_labels,
)
from rightsgraph.graph.search.snippets import query_terms, snippet

FORMAT = 2  # bump when the schema or what is stored changes
PREFIX_EXPANSIONS = 64
FACET_SIZE = 100
# Tantivy refuses an aggregation of more than 65,000 buckets (AggregationLimits); a terms
# aggregation asked for at most this many per segment is exact (no per-segment cut-off).
BUCKETS = 60_000
MAX_PAGE = 1000
MAX_OFFSET = 10_000
OTHER = "other"  # the text field of languages without rules
DOCUMENT = "document"  # the filter of one document's paragraphs (document:CMW/C/AZE/CO/3)
STAMP = "stamp "  # the graph field of a language version's stamp document
COMMIT_VERSIONS = 5000
COMMIT_SECONDS = 5.0


class SearchIndexError(RightsgraphError):
    """The index cannot be opened or written; the message names it and why."""


@dataclass
class Hit:
    """One paragraph found: its URI, BM25 score, the language shown and a snippet with the
    spans to highlight (made when first read: a listing that only counts or lists texts
    does not pay for them)."""

    uri: str
    score: float
    symbol: str
    number: int
    lang: str
    languages: list[str]
    facets: dict[str, list[str]] = field(default_factory=dict)
    texts: dict[str, str] = field(default_factory=dict)  # every language version's text
    wanted: tuple[Words | Prefix, ...] = ()  # the query's words, to highlight

    @cached_property
    def _snippet(self) -> tuple[str, list[tuple[int, int]]]:
        return snippet(self.texts[self.lang], self.lang, self.wanted)

    @property
    def snippet(self) -> str:
        return self._snippet[0]

    @property
    def highlights(self) -> list[tuple[int, int]]:
        return self._snippet[1]


@dataclass
class Results:
    total: int
    items: list[Hit]
    facets: dict[str, list[tuple[str, int]]]
    query: str
    seconds: float = 0.0


def _text_fields() -> list[str]:
    return [*analysis.languages(), OTHER]


def _field_of(lang: str) -> str:
    return f"text_{lang if lang in analysis.languages() else OTHER}"


def schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("uri", stored=True, tokenizer_name="raw", fast=True)
    builder.add_text_field("graph", stored=True, tokenizer_name="raw")
    builder.add_text_field("stamp", stored=True, tokenizer_name="raw", index_option="basic")
    # a paragraph's versions as JSON, read back and never searched: stored only (as a raw
    # text term, each document's kilobyte of JSON went into the term dictionary, which was
    # nine tenths of the index's writing)
    builder.add_bytes_field("parts", stored=True, indexed=False)
    builder.add_text_field("symbol", tokenizer_name="raw", fast=True)  # documents per facet
    builder.add_integer_field("number", stored=True, fast=True)
    for lang in _text_fields():
        builder.add_text_field(f"text_{lang}", tokenizer_name="whitespace",
                               index_option="position")
    for facet in facets.facets():
        builder.add_text_field(f"f_{facet.name}", tokenizer_name="raw", fast=True)
    return builder.build()


def fingerprint() -> dict:
    shape = hashlib.sha256(inspect.getsource(schema).encode()).hexdigest()[:16]
    return {"format": FORMAT, "schema": shape, "tantivy": tantivy.tantivy.__version__,
            "analysis": analysis.fingerprint(), "facets": facets.fingerprint()}


def default_path(store: str | Path) -> Path:
    """Where the index of a store lives by default: beside a folder store
    (``out/store`` -> ``out/store.search``); for a remote store, ``out/search``."""
    text = str(store)
    if text.lower().startswith(("http://", "https://")):
        return Path("out/search")
    return Path(text.rstrip("/") + ".search")


class SearchIndex:
    """The index in folder ``path``: created (empty) when missing, emptied when it was made
    by other rules (it is then filled by :meth:`reconcile`).  ``writable=False`` opens it
    for searching only."""

    def __init__(self, path: str | Path, *, writable: bool = True) -> None:
        self.path = Path(path)
        self.writable = writable
        self._writer: tantivy.IndexWriter | None = None
        self._pending: dict[str, dict] = {}  # uri -> parts, written but not committed
        self._pending_graphs: dict[str, set[str]] = {}  # graph -> uris, the same
        self._pending_versions = 0
        self._last_commit = time.monotonic()
        meta = self.path / "rightsgraph.json"
        try:
            current = json.loads(meta.read_text("utf-8")) if meta.exists() else None
            if current != fingerprint() or not tantivy.Index.exists(str(self.path)):
                if not writable:
                    raise SearchIndexError(
                        f"{self.path}: no search index here, or one made by another version "
                        "of rightsgraph; run `rightsgraph index --store STORE`")
                if self.path.exists() and any(self.path.iterdir()) and current is None:
                    raise SearchIndexError(f"{self.path}: this folder holds other files, not "
                                           "a search index; give an empty or new folder")
                shutil.rmtree(self.path, ignore_errors=True)
                self.path.mkdir(parents=True)
                tantivy.Index(schema(), path=str(self.path))
                meta.write_text(json.dumps(fingerprint()), "utf-8")
            self.index = tantivy.Index.open(str(self.path))
        except (OSError, ValueError) as err:
            raise SearchIndexError(f"{self.path}: cannot open the search index: {err}") from err
        self.schema = self.index.schema

    # --- writing ------------------------------------------------------------------------

    def writer(self) -> tantivy.IndexWriter:
        if not self.writable:
            raise SearchIndexError(f"{self.path}: the search index is open read-only")
        if self._writer is None:
            try:
                self._writer = self.index.writer(heap_size=50_000_000, num_threads=1)
            except ValueError as err:
                raise SearchIndexError(
                    f"{self.path}: the search index is being written by another process "
                    f"(a running build?): {err}") from err
        return self._writer

    def replace(self, documents: Iterable[GraphRows], store=None, *,
                dropped: Iterable[str] = (), commit: bool = True) -> None:
        """Replace the language versions in ``documents`` (their graph's rows) and remove
        those of the graphs ``dropped``.  ``store`` answers the facets that live in other
        graphs (``store = true`` in ``facets.toml``).  With ``commit=False`` the change
        waits for :meth:`commit` (made anyway once :data:`COMMIT_VERSIONS` paragraph
        versions or :data:`COMMIT_SECONDS` are pending, so memory stays bounded)."""
        dropped = set(dropped)
        documents = list(documents) + [GraphRows(g, "", []) for g in sorted(dropped)]
        if store is not None:
            _add_store_facets(documents, store)
            labels = label_stamps(store, [r.graph for r in documents if r.graph not in dropped])
            for rows in documents:
                rows.stamp = with_labels(rows.stamp, labels.get(rows.graph))
        writer = self.writer()
        searcher = self._searcher()
        changed: dict[str, dict] = {}
        for rows in documents:
            touched = set(self._uris_of_graph(searcher, rows.graph))
            touched |= self._pending_graphs.get(rows.graph, set())
            touched |= {v.uri for v in rows.versions}
            for uri in touched:
                if uri in changed:
                    parts = changed[uri]
                elif uri in self._pending:
                    parts = self._pending[uri]
                else:
                    parts = self._parts(searcher, uri)
                changed[uri] = {g: p for g, p in parts.items() if g != rows.graph}
            for version in rows.versions:
                changed[version.uri][rows.graph] = _part(version)
            writer.delete_documents_by_term("graph", STAMP + rows.graph)
            if rows.graph not in dropped:
                writer.add_document(tantivy.Document(graph=STAMP + rows.graph,
                                                     stamp=rows.stamp))
            self._pending_versions += len(rows.versions) + 1
        for uri, parts in changed.items():
            writer.delete_documents_by_term("uri", uri)
            if parts:
                writer.add_document(_paragraph_document(uri, parts))
            self._pending[uri] = parts
            for graph in parts:
                self._pending_graphs.setdefault(graph, set()).add(uri)
        if commit or self._pending_versions >= COMMIT_VERSIONS \
                or time.monotonic() - self._last_commit >= COMMIT_SECONDS:
            self.commit()

    def commit(self) -> None:
        """Make every change so far durable and visible, in one step."""
        if self._writer is not None and (self._pending or self._pending_versions):
            self._writer.commit()
            self.index.reload()
        self._pending.clear()
        self._pending_graphs.clear()
        self._pending_versions = 0
        self._last_commit = time.monotonic()

    def stamps(self) -> dict[str, str]:
        """Each indexed language version's graph -> its stamp."""
        searcher = self._searcher()
        query = tantivy.Query.regex_query(self.schema, "graph", STAMP + ".*")
        hits = searcher.search(query, max(1, searcher.num_docs), count=False).hits
        out = {}
        for _, address in hits:
            doc = searcher.doc(address)
            out[_stored(doc, "graph").removeprefix(STAMP)] = doc.get_first("stamp") or ""
        return out

    def reconcile(self, store, *, rebuild: bool = False, progress=None) -> tuple[int, int]:
        """Bring the index in step with ``store``: re-index each language version whose
        stamp differs (all with ``rebuild``), drop those the store no longer holds.
        Returns (re-indexed, dropped)."""
        wanted = store_stamps(store)
        held = self.stamps()
        stale = sorted(g for g, s in wanted.items() if rebuild or held.get(g) != s)
        gone = sorted(set(held) - set(wanted))
        if gone:
            self.replace([], dropped=gone)
        batch: list[GraphRows] = []
        for done, graph in enumerate(stale, 1):
            batch.extend(document_rows(graphs_from_store(store, graph)))
            if len(batch) >= 50 or done == len(stale):
                self.replace(batch, store, commit=False)
                batch = []
                if progress is not None:
                    progress(done, len(stale))
        self.commit()
        return len(stale), len(gone)

    def close(self) -> None:
        """Commit what is pending and release the writer's lock."""
        if self._writer is not None:
            self.commit()
            self._writer.wait_merging_threads()
            self._writer = None

    def __enter__(self) -> SearchIndex:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- reading ------------------------------------------------------------------------

    def _searcher(self) -> tantivy.Searcher:
        return self.index.searcher()

    def searcher(self) -> tantivy.Searcher:
        """A searcher of the last commit (a build may have committed since the last one)."""
        self.index.reload()
        return self.index.searcher()

    def _uris_of_graph(self, searcher: tantivy.Searcher, graph: str) -> list[str]:
        query = tantivy.Query.term_query(self.schema, "graph", graph)
        hits = searcher.search(query, max(1, searcher.num_docs), count=False).hits
        return [_stored(searcher.doc(address), "uri") for _, address in hits]

    def _parts(self, searcher: tantivy.Searcher, uri: str) -> dict:
        query = tantivy.Query.term_query(self.schema, "uri", uri)
        hits = searcher.search(query, 1, count=False).hits
        if not hits:
            return {}
        return stored_parts(searcher.doc(hits[0][1]))

    def __len__(self) -> int:
        """The number of paragraphs indexed."""
        searcher = self._searcher()
        query = tantivy.Query.exists_query("uri")
        return _count(searcher.search(query, 1, count=True))

    def search(self, text: str, *, limit: int = 20, offset: int = 0,
               lang: str | None = None, facet_size: int = FACET_SIZE,
               snippets: bool = False) -> Results:
        """Paragraphs matching the query ``text`` (see :mod:`.query`), best first, with
        facet counts over all of them (exact: the ``facet_size`` values most held, with
        their numbers of paragraphs); each shown in ``lang`` when held, else in the
        language the query matched best; with ``snippets``, each hit's snippet is made
        here.  Raises :class:`QueryError` for a bad query."""
        started = time.perf_counter()
        if not 1 <= limit <= MAX_PAGE:
            raise QueryError(f"limit must be between 1 and {MAX_PAGE}")
        if not 0 <= offset <= MAX_OFFSET:
            raise QueryError(f"offset must be between 0 and {MAX_OFFSET}")
        tree = parse(text, set(facets.by_name()) | {DOCUMENT})
        self.index.reload()
        searcher = self._searcher()
        # lang:fr also means: look for the words in the French versions, show those
        languages = [f.value for f in filters_of(tree) if f.field == "lang"]
        query = self.compile(tree, searcher, languages or None)
        # the facets are counted in another thread (Tantivy lets go of the GIL) while this
        # one ranks the page, reads its paragraphs and makes their snippets
        counting = _COUNTING.submit(_facet_counts, searcher, query, facet_size)
        result = searcher.search(query, limit, count=True, offset=offset)
        total = _count(result)
        wanted = words_of(tree)
        preferred = lang or (languages[0] if languages else _script_language(text))
        items = []
        for score, address in result.hits:
            doc = searcher.doc(address)
            items.append(_hit(doc, score, wanted, preferred))
        if snippets:
            for hit in items:
                hit.highlights  # noqa: B018 - made here, while the facets are counted
        facet_counts = counting.result()
        return Results(total, items, facet_counts if total else {}, text,
                       time.perf_counter() - started)

    def compile(self, node: Node, searcher: tantivy.Searcher,
                languages: list[str] | None = None) -> tantivy.Query:
        """The Tantivy query of a query tree; words are looked for in every language's
        text field, or only in those of ``languages``."""
        Q, Occur = tantivy.Query, tantivy.Occur  # noqa: N806 - tantivy's names
        if isinstance(node, And):
            clauses = [(Occur.MustNot if isinstance(c, Not) else Occur.Must,
                        self.compile(c.child if isinstance(c, Not) else c, searcher,
                                     languages))
                       for c in node.children]
            return Q.boolean_query(clauses)
        if isinstance(node, Or):
            return Q.boolean_query([(Occur.Should, self.compile(c, searcher, languages))
                                    for c in node.children])
        if isinstance(node, Not):  # a NOT on its own inside OR: everything else
            return Q.boolean_query([(Occur.Must, Q.exists_query("uri")),
                                    (Occur.MustNot,
                                     self.compile(node.child, searcher, languages))])
        if isinstance(node, Filter):
            if node.field == DOCUMENT:
                return Q.term_query(self.schema, "symbol", node.value)
            value = facets.by_name()[node.field].filter_value(node.value)
            return Q.term_query(self.schema, f"f_{node.field}", value)
        per_language = []
        for lang in _text_fields():
            if languages is not None and lang not in languages:
                continue
            code = lang if lang != OTHER else "und"
            sub = (self._prefix(searcher, lang, code, node.text) if isinstance(node, Prefix)
                   else self._words(lang, code, node))
            if sub is not None:
                per_language.append((Occur.Should, sub))
        if not per_language:
            return Q.empty_query()
        return Q.boolean_query(per_language)

    def _words(self, lang: str, code: str, node: Words) -> tantivy.Query | None:
        found = [t.text for t in analysis.terms(node.text, code)]
        if not found:
            return None
        name = f"text_{lang}"
        # A lone Han character at either end of the query stands, in a text, inside the
        # pair it forms with its neighbour there: it matches as that pair's first or
        # last character (``第76和第77条`` finds ``…第76和第77条所规定…``).
        head, tail = (analysis.is_han(found[i]) and len(found[i]) == 1 for i in (0, -1))
        if len(found) == 1:
            if head:
                return tantivy.Query.regex_query(self.schema, name, f".?{found[0]}.?")
            return tantivy.Query.term_query(self.schema, name, found[0])
        if head or tail:
            patterns = [re.escape(term) for term in found]
            patterns[0] = ".?" + patterns[0] if head else patterns[0]
            patterns[-1] = patterns[-1] + ".?" if tail else patterns[-1]
            return tantivy.Query.regex_phrase_query(self.schema, name, _phrase(patterns))
        # a phrase, or one word the analysis cuts in several terms (Chinese, l'adoption)
        return tantivy.Query.phrase_query(self.schema, name, _phrase(found))

    def _prefix(self, searcher, lang: str, code: str, text: str) -> tantivy.Query | None:
        stem = analysis.normalise(text, code, stem=False)
        if not stem:
            return None
        name = f"text_{lang}"
        expansions = searcher.terms_with_prefix(name, stem, limit=PREFIX_EXPANSIONS)
        if not expansions:
            return None
        return tantivy.Query.term_set_query(self.schema, name, [t for t, _ in expansions])


def _facet_counts(searcher: tantivy.Searcher, query: tantivy.Query,
                  size: int) -> dict[str, list[tuple[str, int]]]:
    """The ``size`` values of each facet most held by the paragraphs ``query`` finds, with
    their numbers of paragraphs, most first.  Each segment of the index gives the counts of
    all its values (``segment_size``): with Tantivy's default (10 x ``size``, per segment)
    a value under that cut in one segment went uncounted there, and at 12.8M quads one
    facet list in six of the search page's had a count too low (a value left out or shown
    with fewer paragraphs than it has), for the same cost."""
    def terms(name: str, segment_size: int | None) -> dict:
        asked: dict = {"field": f"f_{name}", "size": size}
        if segment_size is not None:
            asked["segment_size"] = segment_size
        return {"terms": asked}

    try:
        counted = searcher.aggregate(query, {f.name: terms(f.name, BUCKETS)
                                             for f in facets.facets()})
    except ValueError:  # more than Tantivy's limit of buckets: the top per segment
        counted = searcher.aggregate(query, {f.name: terms(f.name, None)
                                             for f in facets.facets()})
    return {name: [(b["key"], b["doc_count"]) for b in found["buckets"]]
            for name, found in counted.items()}


# counts facets beside the threads that answer searches (one per search at a time; more
# searches at once than threads wait here, as they would for the CPU)
_COUNTING = ThreadPoolExecutor(max_workers=4, thread_name_prefix="facets")


def _part(version: Version) -> dict:
    """A paragraph version as the index stores it (``dataclasses.asdict``, without its
    recursive copy: a tenth of the time)."""
    part = dict(vars(version))
    part["facets"] = {name: list(values) for name, values in version.facets.items()}
    return part


def _paragraph_document(uri: str, parts: Mapping[str, dict]) -> tantivy.Document:
    doc = tantivy.Document(uri=uri)
    first = next(iter(parts.values()))
    doc.add_text("symbol", first["symbol"])
    doc.add_integer("number", int(first["number"]))
    doc.add_bytes("parts", json.dumps(parts, ensure_ascii=False, sort_keys=True).encode())
    values: dict[str, set[str]] = {}
    for graph, part in parts.items():
        doc.add_text("graph", graph)
        doc.add_text(_field_of(part["lang"]), part["tokens"])
        for name, found in part["facets"].items():
            values.setdefault(name, set()).update(found)
    for name, found in values.items():
        for value in sorted(found):
            doc.add_text(f"f_{name}", value)
    return doc


def _hit(doc: tantivy.Document, score: float, wanted, preferred: str | None) -> Hit:
    """A found paragraph, shown in ``preferred`` when held, else in the language version
    whose terms hold most of the query's."""
    parts = stored_parts(doc)
    by_lang = {p["lang"]: p for p in parts.values()}
    if preferred is not None and preferred in by_lang:
        lang = preferred
    elif len(by_lang) == 1:
        lang = next(iter(by_lang))
    else:
        lang = max(sorted(by_lang), key=lambda code: _matched(by_lang[code], wanted))
    shown = by_lang[lang]
    values: dict[str, set[str]] = {}
    for part in parts.values():
        for name, found in part["facets"].items():
            values.setdefault(name, set()).update(found)
    return Hit(_stored(doc, "uri"), float(score), shown["symbol"], int(shown["number"]),
               lang, sorted(by_lang),
               {name: sorted(found) for name, found in sorted(values.items())},
               {code: by_lang[code]["text"] for code in sorted(by_lang)}, tuple(wanted))


def _phrase(words: list[str]) -> list[str | tuple[int, str]]:
    """The words of a phrase query as tantivy types them (a word may carry its position)."""
    return list(words)


def stored_parts(doc: tantivy.Document) -> dict:
    """A paragraph's versions as its document stores them, graph -> part (:func:`_part`)."""
    value = doc.get_first("parts")
    if not isinstance(value, bytes):
        raise SearchIndexError("the search index holds a paragraph without its versions")
    return json.loads(value)


def _stored(doc: tantivy.Document, name: str) -> str:
    """A text field that every document of its kind stores (``uri``, ``graph``)."""
    value = doc.get_first(name)
    if not isinstance(value, str):
        raise SearchIndexError(f"the search index holds a document without its {name}")
    return value


def _count(result: tantivy.SearchResult) -> int:
    """The number of matches of a search made with ``count=True``."""
    return result.count  # type: ignore[attr-defined]  # missing from tantivy's stubs


def _matched(part: dict, wanted) -> int:
    held = set(part["tokens"].split())
    count = 0
    for want in wanted:
        if isinstance(want, Prefix):
            prefix = analysis.normalise(want.text, part["lang"], stem=False)
            count += any(t.startswith(prefix) for t in held) if prefix else 0
        else:
            count += sum(term in held for term in query_terms(want.text, part["lang"]))
    return count


def _script_language(text: str) -> str | None:
    """The language a query is written in, when its script says it (zh, ru, ar)."""
    for char in text:
        if analysis.is_han(char):
            return "zh"
        if "\u0400" <= char <= "\u04ff":
            return "ru"
        if "\u0600" <= char <= "\u06ff":
            return "ar"
    return None


def open_index(store_location: str, path: str | Path | None = None) -> SearchIndex:
    """The index of the store at ``store_location`` (``path``, or :func:`default_path`),
    brought in step with it, then left open for searching only (so that a build may write
    it meanwhile).  When a build holds it, it is opened as it is."""
    from rightsgraph.graph.store import open_store

    index = SearchIndex(path or default_path(store_location))
    try:
        with open_store(store_location, read_only=True) as store:
            index.reconcile(store)
    except SearchIndexError:
        pass  # being written by a build, which reconciles it itself
    index.close()
    index.writable = False
    return index


def graphs_from_store(store, graph: str) -> dict[str, Triples]:
    """A language version's graph and its inferred graph, read back from the store."""
    out = {}
    for name in (graph, graph + INFERRED):
        result = store.query(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{name}> {{ ?s ?p ?o }} }}")
        out[name] = Triples(name, ((str(t.subject), str(t.predicate), str(t.object))
                                   for t in result.triples))
    return out


def _add_store_facets(documents: list[GraphRows], store) -> None:
    """Facets whose values live in other graphs of the store (``store = true``)."""
    looked_up = [f for f in facets.facets() if f.store and _may_hold(store, f)]
    if not looked_up:
        return
    uris = sorted({v.uri for rows in documents for v in rows.versions})
    for facet in looked_up:
        paths = " | ".join("(" + "/".join(("^" if s.backwards else "") + f"<{s.predicate}>"
                                          for s in path) + ")" for path in facet.paths)
        found: dict[str, set[str]] = {}
        for start in range(0, len(uris), 200):
            values = " ".join(f"<{u}>" for u in uris[start:start + 200])
            for row in store.query(f"SELECT ?p ?x WHERE {{ VALUES ?p {{ {values} }} "
                                   f"?p {paths} ?x }}").solutions():
                value = facet.value_of(str(row["x"]))
                if value:
                    found.setdefault(row["p"].value, set()).add(value)
        if not found:
            continue
        # once per facet, not once per 200 paragraphs: a fresh build's batch holds tens of
        # thousands of paragraph versions (that loop was 7 ms of every document's build)
        for rows in documents:
            for version in rows.versions:
                if version.uri in found:
                    version.facets[facet.name] = sorted(found[version.uri])


def _may_hold(store, facet: facets.Facet) -> bool:
    """Whether ``store`` holds a triple of the first step of one of the facet's paths (one
    lookup): a store without UHRI labels has no ``hro:annotates``, so a fresh build's batch
    of tens of thousands of paragraphs is not looked up 200 at a time for nothing (4 s of
    the 1M benchmark corpus's build)."""
    return any(store.query(f"ASK {{ ?s <{path[0].predicate}> ?o }}").boolean
               for path in facet.paths)
