"""The ``rightsgraph`` command line.

Exit codes (:mod:`rightsgraph.core.errors`): 0 success, 1 a file, store or download could
not be processed (the message names it), 2 bad arguments or an unparsable query, 3 the
server could not start.
"""
from __future__ import annotations

import argparse
import errno
import os
import sys
from collections.abc import Callable
from pathlib import Path

from rightsgraph import __version__
from rightsgraph.core import formats
from rightsgraph.core.errors import EXIT_SERVE, EXIT_USAGE, RightsgraphError, UsageError

DEFAULT_STORE = "out/store"
SEEDS = "seeds"  # the bundled seed documents (``rightsgraph build seeds``)
PROGRESS_SECONDS = 2.0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="rightsgraph", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=f"rightsgraph {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)
    extract = commands.add_parser(
        "extract", help="extract concluding observations into the model, links or RDF")
    extract.add_argument("files", nargs="+", metavar="FILE")
    extract.add_argument("--format", "-f", default="ttl",
                         choices=[*formats.names(formats.RDF, formats.EXTRACT), "json", "csv"])
    extract.add_argument("-o", "--output", metavar="OUT", help="write here instead of stdout")
    extract.add_argument("--language", help="override language detection (en, zh, …)")
    extract.add_argument("--quiet", "-q", action="store_true", help="do not print warnings")
    build = commands.add_parser(
        "build", help="extract every file under PATH and load it into the store")
    build.add_argument("paths", nargs="+", metavar="PATH",
                       help="files or folders (recursive); 'seeds' names the bundled seed "
                       "documents when there is no such file or folder here")
    _store_option(build, "store to load into: a folder or a SPARQL endpoint URL")
    build.add_argument("--workers", "-j", type=int, default=os.cpu_count() or 1,
                       help="processes that extract, validate and reason (default: cores)")
    build.add_argument("--store-timeout", type=float, metavar="S",
                       help="seconds to wait for a remote store's answer (default: 120)")
    build.add_argument("--update-url", metavar="URL",
                       help="SPARQL Update URL of a remote store (default: derived from --store)")
    build.add_argument("--graph-store-url", metavar="URL",
                       help="write a remote store's graphs through this SPARQL 1.1 Graph Store "
                       "Protocol URL, one graph per request (faster on Virtuoso: "
                       "…/sparql-graph-crud; see docs/remote-store.md)")
    build.add_argument("-o", "--output", metavar="FILE.trig",
                       help="also export the whole store as TriG (only when every file loaded)")
    build.add_argument("--replace", action="store_true",
                       help="make the store hold exactly these documents: drop the documents "
                       "(and language versions) it holds that are not under PATH, one "
                       "document at a time (nothing is dropped if a file fails)")
    build.add_argument("--force", action="store_true",
                       help="extract every file again, also those the store holds unchanged "
                       "(same SHA-256, same extractor version), which are skipped otherwise")

    _similar_options(build, "embed the paragraphs and infer similar-recommendation links "
                     "(needs the extra: pip install 'rightsgraph[similar]')")
    _index_option(build)
    search = commands.add_parser(
        "search", help="full-text search of the paragraphs (words, \"phrases\", AND/OR/NOT, "
        "prefix*, field:value)")
    search.add_argument("text", metavar="QUERY", help='the query, e.g. "migration strategy" '
                        "committee:CMW")
    _store_option(search, "store the index belongs to: a folder or a SPARQL endpoint URL")
    _index_option(search)
    search.add_argument("--limit", type=int, default=20, help="results (default: %(default)s)")
    search.add_argument("--offset", type=int, default=0, help="results to skip")
    search.add_argument("--lang", help="show paragraphs in this language when held")
    search.add_argument("--format", "-f", choices=("text", "json", "csv"), default="text")
    index = commands.add_parser(
        "index", help="bring the full-text index in step with the store (rebuild if missing)")
    _store_option(index, "store to index: a folder or a SPARQL endpoint URL")
    _index_option(index)
    index.add_argument("--rebuild", action="store_true",
                       help="re-index every language version, not only those that changed")
    query = commands.add_parser("query", help="run a SPARQL query against the store")
    query.add_argument("sparql", metavar="SPARQL|@FILE.rq", help="the query, or @ and a file")
    _store_option(query, "store to query: a folder or a SPARQL endpoint URL")
    query.add_argument("--format", "-f", choices=dict.fromkeys(
        [*formats.names(formats.RESULTS), *formats.names(formats.RDF, formats.GRAPHS)]),
                       help="result format (default: tsv for SELECT/ASK, ttl for CONSTRUCT)")
    query.add_argument("-o", "--output", metavar="OUT", help="write here instead of stdout")
    export = commands.add_parser("export", help="write the store (or one graph) as RDF")
    _store_option(export, "store to export: a folder or a SPARQL endpoint URL")
    export.add_argument("--format", "-f", choices=formats.names(formats.RDF, formats.DUMPS),
                        default="nq")
    export.add_argument("--graph", metavar="IRI", help="only this named graph")
    export.add_argument("-o", "--output", metavar="FILE", help="write here instead of stdout")
    export.add_argument("--gzip", action="store_true", help="gzip the output")
    validate = commands.add_parser(
        "validate", help="validate RDF files against the SHACL shapes and the registries "
        "(exit 0 conforms, 1 does not, 2 could not run)")
    validate.add_argument("files", nargs="+", metavar="FILE",
                          help="RDF in any format rdflib reads (ttl, nt, nq, trig, jsonld, rdf)")
    validate.add_argument("--format", "-f", choices=("text", "json"), default="text",
                          help="report format (default: %(default)s)")
    registries = commands.add_parser(
        "registries", help="write the registries as SKOS concept schemes")
    registries.add_argument("--format", "-f", default="ttl",
                            choices=formats.names(formats.RDF, formats.REGISTRIES))
    registries.add_argument("-o", "--output", metavar="FILE", help="write here instead of stdout")
    serve = commands.add_parser(
        "serve", help="serve the store: SPARQL endpoint, linked data, dumps, researcher API")
    _store_option(serve, "store to serve: a folder (opened read-only) or a SPARQL endpoint URL")
    serve.add_argument("--host", default="127.0.0.1", help="address (default: %(default)s)")
    serve.add_argument("--port", type=int, default=8000, help="port (default: %(default)s)")
    serve.add_argument("--base", help="base of the graph's URIs, answered at their paths "
                       "(default: $RIGHTSGRAPH_BASE or https://rightsgraph.org/)")
    serve.add_argument("--workers", type=int, help="SPARQL worker processes (default: cores)")
    serve.add_argument("--timeout", type=float, default=30.0,
                       help="time limit of one query in seconds (default: %(default)s)")
    serve.add_argument("--max-bytes", type=int, default=50_000_000,
                       help="largest query result in bytes (default: %(default)s)")
    _similar_options(serve, None)
    _index_option(serve)
    serve.add_argument("--service-allow", action="append", default=[], metavar="IRI",
                       help="an endpoint SERVICE may call (repeat; default: none, SERVICE "
                       "refused)")
    serve.add_argument("--memory-limit", type=int, default=1024, metavar="MIB",
                       help="memory limit of one SPARQL worker in MiB (default: %(default)s)")
    serve.add_argument("--site-workers", type=int, default=2,
                       help="SPARQL workers for the pages, API and linked data, which public "
                       "queries cannot occupy (default: %(default)s)")
    serve.add_argument("--queue", type=int, default=16,
                       help="public queries that may wait for a worker; more get 503 with "
                       "Retry-After (default: %(default)s)")
    serve.add_argument("--per-client", type=int, default=2,
                       help="public queries one client may run at once; more get 429 "
                       "(default: %(default)s; 0: no limit)")
    serve.add_argument("--forwarded-allow-ips", metavar="IPS",
                       help="addresses of reverse proxies whose X-Forwarded-For names the "
                       "client (comma-separated, e.g. 127.0.0.1; default: none)")
    serve.add_argument("--handover", action=argparse.BooleanOptionalAction, default=True,
                       help="public SPARQL workers answer /sparql connections themselves "
                       "(the server hands them over; default: %(default)s)")
    serve.add_argument("--no-snapshot", action="store_true",
                       help="serve a local store directly instead of a snapshot taken at "
                       "start (no build may write it meanwhile)")
    from rightsgraph.fetch.cli import add_parser as add_fetch

    add_fetch(commands)
    _labels_parser(commands)
    args = parser.parse_args(argv)
    try:
        return _run(args)
    except RightsgraphError as err:  # one not handled by its command: say it, exit its code
        _error(err)
        return err.exit_code


def _run(args: argparse.Namespace) -> int:
    if args.command == "labels":
        return _labels(args)
    if args.command == "fetch":
        from rightsgraph.fetch.cli import run as run_fetch

        return run_fetch(args)
    if args.command == "registries":
        return _registries(args)
    if args.command == "extract":
        return _extract(args)
    if args.command == "build":
        return _build(args)
    if args.command == "validate":
        return _validate(args)
    if args.command == "serve":
        return _serve(args)
    if args.command == "query":
        return _query(args)
    if args.command == "export":
        return _export(args)
    if args.command in ("search", "index"):
        return _search(args)
    return EXIT_USAGE  # pragma: no cover - argparse enforces the subcommand


def _extract(args: argparse.Namespace) -> int:
    from rightsgraph.extract.output import to_csv, to_json
    from rightsgraph.extract.pipeline import ExtractionError, extract_file

    docs = []
    failed = False
    for name in args.files:
        try:
            doc = extract_file(name, language=args.language)
        except ExtractionError as err:
            print(f"rightsgraph: error: {err}", file=sys.stderr)
            failed = True
            continue
        if not args.quiet:
            for warning in doc.warnings:
                print(f"rightsgraph: warning: {warning}", file=sys.stderr)
        docs.append(doc)
    if failed and not docs:
        return 1
    docs = _with_known_symbols(docs, args.language)
    if args.format == "json":
        text = to_json(docs)
    elif args.format == "csv":
        text = to_csv(docs)
    else:
        from rightsgraph.extract.rdf import serialize

        text = serialize(docs, args.format)
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 1 if failed else 0


def _with_known_symbols(docs: list, language: str | None) -> list:
    """The documents, those citing older observations that another of them is (a symbol of
    an older series names no State) extracted again knowing whose they are."""
    from rightsgraph.core.known_symbols import KnownSymbols
    from rightsgraph.extract.pipeline import extract_file, known_entry, unresolved_citations

    known = KnownSymbols().adding(entry for doc in docs if (entry := known_entry(doc)))
    return [extract_file(doc.source, language=language, known=known)
            if any(known.lookup(s) for s in unresolved_citations(doc)) else doc for doc in docs]


def _registries(args: argparse.Namespace) -> int:
    from rightsgraph.graph.skos import registries_graph

    text = registries_graph().serialize(format=formats.rdf(args.format).rdflib_name)
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


def _store_option(command: argparse.ArgumentParser, text: str) -> None:
    command.add_argument("--store", default=DEFAULT_STORE, metavar="DIR|URL",
                         help=f"{text} (default: %(default)s)")


def _index_option(command: argparse.ArgumentParser) -> None:
    command.add_argument("--index", metavar="DIR",
                         help="full-text index folder (default: beside a folder store, "
                         "STORE.search; for a remote store, out/search)")


def _error(message: object) -> None:
    print(f"rightsgraph: error: {message}", file=sys.stderr)


def _build(args: argparse.Namespace) -> int:
    """Load every file into the store; report progress on stderr and a summary on stdout."""
    import time

    from rightsgraph.extract.readers import SUFFIXES
    from rightsgraph.graph.build import build, find_files
    from rightsgraph.graph.search import SearchIndex, SearchIndexError, default_path
    from rightsgraph.graph.store import StoreError, open_store

    paths = _input_paths(args.paths)
    files, missing = find_files(paths)
    if not files:  # nothing to load: say why, and leave the store (or its absence) alone
        for message in missing:
            _error(message)
        _error(f"no files to build under {' '.join(args.paths)} (the readers take "
               f"{', '.join(SUFFIXES)}); {args.store} left as it was")
        return 1
    last = [time.monotonic()]

    def progress(report, done: int, total: int) -> None:
        if time.monotonic() - last[0] >= PROGRESS_SECONDS and done < total:
            last[0] = time.monotonic()
            print(f"  {done}/{total} files, {report.documents} loaded, "
                  f"{len(report.failures)} failed", file=sys.stderr)

    try:
        with open_store(args.store, update_url=args.update_url, timeout=args.store_timeout,
                        graph_store_url=args.graph_store_url,
                        waiting=lambda message: print(f"  {message}", file=sys.stderr)) as store, \
                SearchIndex(args.index or default_path(args.store)) as index:
            report = build(paths, store, progress=progress, workers=args.workers,
                           replace=args.replace, force=args.force, index=index)
            for message in report.failures:
                _error(message)
            for message in report.notes:
                print(f"rightsgraph: note: {message}", file=sys.stderr)
            if args.similar:
                _similar(store, _vectors_folder(args))
            _store_for_readers(store, index)
            if args.output:
                if report.ok:
                    _write_atomically(Path(args.output), lambda out: store.dump(out, "trig"))
                else:
                    print(f"rightsgraph: {args.output} left as it was", file=sys.stderr)
    except (StoreError, SearchIndexError) as err:
        _error(err)
        return err.exit_code
    print(f"loaded {report.documents} documents, {report.paragraphs} paragraphs "
          f"({report.seconds:.1f} s)")
    if report.unchanged:
        print(f"unchanged: {report.unchanged} files skipped (the store holds them as they "
              "are; --force extracts them again)")
    if report.dropped:
        print(f"dropped (--replace): {'; '.join(report.dropped)}")
    print(f"{args.store} now holds {report.holdings}")
    print("links: " + (", ".join(f"{kind} {n}" for kind, n in sorted(report.links.items()))
                       or "none"))
    print(f"warnings: {len(report.warnings)}")
    if report.failures:
        print(f"failed: {len(report.failures)} (not loaded; see the errors above)")
    return 0 if report.ok else 1


def _similar_options(command: argparse.ArgumentParser, similar_help: str | None) -> None:
    if similar_help:
        command.add_argument("--similar", action="store_true", help=similar_help)
    command.add_argument("--vectors", metavar="DIR",
                         help="folder of the paragraph vectors (default: STORE.vectors beside "
                         "a folder store)")


def _vectors_folder(args: argparse.Namespace) -> Path | None:
    if args.vectors:
        return Path(args.vectors)
    if "://" in str(args.store):
        return None
    from rightsgraph.graph.similar import vectors_folder

    return vectors_folder(args.store)


def _similar(store, folder: Path | None) -> None:
    """Embed what changed and refresh the similar-recommendation links of its States."""
    from rightsgraph.graph import similar

    if folder is None:
        raise UsageError("--similar with a remote store needs --vectors DIR")
    report = similar.update(store, folder)  # SimilarUnavailableError: main() reports it
    print(f"similar: {report.embedded} language versions embedded ({report.paragraphs} "
          f"paragraphs), {report.unchanged} unchanged, {report.removed} removed; "
          f"{report.links} inferred links for {', '.join(report.states) or 'no State'} "
          f"in {folder}", file=sys.stderr)


def _input_paths(paths: list[str]) -> list[str]:
    """The paths to build; ``seeds`` is the seed documents shipped with the package when
    there is no ``seeds`` here, so that a fresh install can build the seed from any folder."""
    from rightsgraph.core.resources import seeds_root

    out = []
    for path in paths:
        if path.rstrip("/") == SEEDS and not Path(path).exists():
            print(f"rightsgraph: note: no folder '{SEEDS}' here: building the bundled seed "
                  f"documents ({seeds_root()})", file=sys.stderr)
            out.append(str(seeds_root()))
        else:
            out.append(path)
    return out


def _labels_parser(commands: argparse._SubParsersAction) -> None:
    labels = commands.add_parser("labels", help="OHCHR's UHRI labels as a layer of the graph")
    which = labels.add_subparsers(dest="labels_command", required=True)
    uhri = which.add_parser(
        "uhri", help="load the themes, affected persons and SDG targets of a UHRI export")
    uhri.add_argument("export", metavar="EXPORT.json", help="the UHRI full export (JSON)")
    _store_option(uhri, "store to load into: a folder or a SPARQL endpoint URL")
    _index_option(uhri)
    uhri.add_argument("--date", help="the export's date, YYYY-MM-DD (default: the file's)")
    uhri.add_argument("--language", default="en",
                      help="the export's language (default: en); an export in another "
                      "language than the one loaded labels the same concepts in it")
    uhri.add_argument("--unmatched", metavar="FILE.tsv",
                      help="write every record that matched no paragraph here")
    report = which.add_parser(
        "report", help="agreement of UHRI's SDG targets with those the text cites, per committee")
    _store_option(report, "store to read: a folder or a SPARQL endpoint URL")


def _store_for_readers(store, index) -> None:
    """What every reader would otherwise gather or count on request, computed once now by
    the writer: each State's recurring recommendations (``api/recurring_stored.py``), then
    the dataset's numbers (``api/precomputed.py``, which count the recurring graph too).
    Each reads the whole store, and RocksDB keeps in memory what its reads touched until
    the store is closed: so the store lets go of it before each (``release_memory``).  Run
    at once in two threads, as they were, they took a 12.5M-quad build's main process from
    340 to 1,050 MB for the same time as one after the other (35 s; 1 s faster on the 1M
    corpus).  When one cannot be stored, the server computes it on request, as before."""
    from rightsgraph.api.precomputed import store_numbers
    from rightsgraph.api.recurring_stored import store_recurring

    store.release_memory()
    _stored("the recurring recommendations", "gathered", lambda: store_recurring(store), str)
    store.release_memory()
    _stored("the dataset's numbers", "counted", lambda: store_numbers(store, index),
            lambda _: "dataset numbers stored")


def _stored(what: str, done: str, make: Callable[[], object | None],
            said: Callable[[object], str]) -> None:
    """Run ``make`` (``None``: the store changed meanwhile, nothing stored) and say how it
    went; an error is a note, not a failure of the command."""
    import time

    start = time.monotonic()
    try:
        made = make()
    except RightsgraphError as err:
        print(f"rightsgraph: note: {what} were not stored ({err}); the server computes "
              "them on request", file=sys.stderr)
        return
    if made is None:
        print(f"rightsgraph: note: the store changed while {what} were {done}: not stored; "
              "the server computes them on request", file=sys.stderr)
    else:
        print(f"  {said(made)} ({time.monotonic() - start:.1f} s)", file=sys.stderr)


def _labels(args: argparse.Namespace) -> int:
    """``labels uhri``: load, print the counts and the unmatched; ``labels report``."""
    from rightsgraph.core.uhri import UhriExportError
    from rightsgraph.graph import labels
    from rightsgraph.graph.store import StoreError, open_store

    try:
        if args.labels_command == "report":
            with open_store(args.store, read_only=True) as store:
                print(labels.format_agreement(labels.agreement(store)))
            return 0
        def progress(done: labels.LabelReport) -> None:
            print(f"  {done.records:,} records read, {done.matched:,} matched",
                  file=sys.stderr)

        with open_store(args.store) as store:
            loaded = labels.loaded_language(store)
            if loaded is not None and loaded != args.language:  # the same records, translated
                print(labels.format_translation(labels.translate_uhri(
                    args.export, store, language=args.language, date=args.date)))
                _labels_numbers(args, store)
                return 0
            report = labels.load_uhri(args.export, store, language=args.language,
                                      date=args.date, progress=progress)
            indexed = _index_labels(args, store)
            _labels_numbers(args, store)
    except (OSError, UhriExportError, StoreError) as err:
        _error(err)
        return 1
    print(labels.format_report(report))
    print(indexed)
    if args.unmatched:
        labels.write_unmatched(report, Path(args.unmatched))
    return 0


def _index_labels(args: argparse.Namespace, store) -> str:
    """The full-text index after ``labels uhri``: the language versions of the documents
    whose labels changed are re-indexed (their stamps carry the labels' digest, so a kill
    before this is caught up by the next reconcile: build, index, search or serve)."""
    from rightsgraph.graph.search import SearchIndex, SearchIndexError, default_path

    try:
        with SearchIndex(args.index or default_path(args.store)) as index:
            done, _ = index.reconcile(store)
            return (f"full-text index {index.path}: {done} language versions re-indexed with "
                    "their labels (search facets theme: and affected:)")
    except SearchIndexError as err:
        return (f"full-text index not updated ({err}); it catches up the next time "
                "`rightsgraph index`, `search` or `serve` opens it")


def _labels_numbers(args: argparse.Namespace, store) -> None:
    """The dataset's numbers after ``labels uhri`` (its UHRI counts changed)."""
    from rightsgraph.graph.search import SearchIndex, SearchIndexError, default_path

    try:
        with SearchIndex(args.index or default_path(args.store)) as index:
            _store_for_readers(store, index)
    except SearchIndexError:  # counted by the store alone
        _store_for_readers(store, None)


def _search(args: argparse.Namespace) -> int:
    """``search``: the ranked paragraphs; ``index``: reconcile (or rebuild) the index."""
    import csv
    import json
    from dataclasses import asdict

    from rightsgraph.graph.search import QueryError, SearchIndex, SearchIndexError, default_path
    from rightsgraph.graph.store import StoreError, open_store

    try:
        with open_store(args.store, read_only=True) as store, \
                SearchIndex(args.index or default_path(args.store)) as index:
            done, dropped = index.reconcile(store, rebuild=getattr(args, "rebuild", False))
            if args.command == "index":
                print(f"{len(index)} paragraphs in {index.path} ({done} language versions "
                      f"indexed, {dropped} dropped)")
                return 0
            results = index.search(args.text, limit=args.limit, offset=args.offset,
                                   lang=args.lang)
    except QueryError as err:
        _error(f"bad query: {err}")
        return EXIT_USAGE
    except (StoreError, SearchIndexError) as err:
        _error(err)
        return err.exit_code
    if args.format == "json":
        print(json.dumps({"total": results.total, "items": [asdict(h) for h in results.items],
                          "facets": results.facets}, ensure_ascii=False, indent=1))
    elif args.format == "csv":
        out = csv.writer(sys.stdout)
        out.writerow(["uri", "score", "language", "snippet"])
        out.writerows([h.uri, f"{h.score:.4f}", h.lang, h.snippet] for h in results.items)
    else:
        print(f"{results.total} paragraphs")
        for hit in results.items:
            print(f"{hit.score:7.3f}  {hit.uri}  [{hit.lang}]\n         {hit.snippet}")
    return 0


def _serve(args: argparse.Namespace) -> int:
    """Run the HTTP server until interrupted."""
    import uvicorn

    from rightsgraph.api.app import Settings, create_app
    from rightsgraph.graph.build import missing_support_graphs
    from rightsgraph.graph.search import SearchIndexError, open_index
    from rightsgraph.graph.store import StoreError, open_store

    base = args.base or Settings(store=args.store).base
    try:  # fail here, with the reason, rather than in every worker
        with open_store(args.store, read_only=True) as store:
            missing = missing_support_graphs(store, base if base.endswith("/") else base + "/")
        index = open_index(args.store, args.index)  # in step with the store before serving
    except (StoreError, SearchIndexError) as err:
        _error(err)
        return err.exit_code
    if missing:
        print(f"rightsgraph: warning: {args.store} is incomplete: it lacks "
              f"{', '.join(f'<{g}>' for g in missing)} (did its build stop before the end?); "
              "run rightsgraph build again", file=sys.stderr)
    busy = _unavailable(args.host, args.port)
    if busy:
        _error(f"cannot serve on {args.host}:{args.port}: {busy}; choose another port with "
               "--port (or stop the other server)")
        return EXIT_SERVE
    print(f"rightsgraph: full-text index {index.path}: {len(index)} paragraphs",
          file=sys.stderr)
    settings = Settings(store=args.store, timeout=args.timeout, max_bytes=args.max_bytes,
                        service_allow=tuple(args.service_allow), memory_mb=args.memory_limit,
                        site_workers=args.site_workers, queue=args.queue,
                        per_client=args.per_client, snapshot=not args.no_snapshot,
                        index=str(index.path), handover=args.handover)
    if args.base:
        settings.base = args.base
    if args.workers:
        settings.workers = args.workers
    local = not args.store.lower().startswith(("http://", "https://"))

    vectors = _vectors_folder(args)
    if vectors is not None and vectors.is_dir():
        settings.vectors = str(vectors)
    print(f"rightsgraph: serving {args.store} on http://{args.host}:{args.port}/ "
          f"(SPARQL at /sparql, API docs at /docs)", file=sys.stderr)
    if not local:
        print(f"rightsgraph: a query past {settings.timeout:g} s is stopped here, but the "
              "engine behind the store may go on: give it a time limit too (Oxigraph: serve "
              f"--timeout-s {settings.timeout:g}; Fuseki: arq:queryTimeout; Virtuoso: "
              "MaxQueryExecutionTime in virtuoso.ini)", file=sys.stderr)
    if local and settings.snapshot:
        print(f"rightsgraph: serving a snapshot of {args.store} as it is now; after a build, "
              f"`kill -HUP {os.getpid()}` serves the new one", file=sys.stderr)
    print(f"rightsgraph: {settings.workers} public and {settings.site_workers} site SPARQL "
          f"workers of at most {settings.memory_mb:,} MiB each: "
          f"{settings.memory_budget_mb():,} MiB with the main process on top",
          file=sys.stderr)
    from rightsgraph.api.http import HttpProtocol
    from rightsgraph.core.processes import settle_garbage_collector

    app = create_app(settings)
    settle_garbage_collector()
    # access_log off: uvicorn formats each request's log line before the level filters it;
    # no "server: uvicorn" header: one header fewer to check and write per response
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning",
                http=HttpProtocol, access_log=False, server_header=False,
                proxy_headers=bool(args.forwarded_allow_ips),
                forwarded_allow_ips=args.forwarded_allow_ips or None)
    return 0


def _unavailable(host: str, port: int) -> str | None:
    """Why ``host:port`` cannot be listened on (in use, unknown address), or ``None``.  The
    server binds it a moment later, as uvicorn does (with ``SO_REUSEADDR``)."""
    import socket

    try:
        family, kind, proto, _, address = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM)[0]
        with socket.socket(family, kind, proto) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind(address)
    except OSError as err:
        return "the port is in use (another server?)" if err.errno == errno.EADDRINUSE \
            else (err.strerror or str(err))
    return None


def _query(args: argparse.Namespace) -> int:
    from rightsgraph.graph.store import QuerySyntaxError, StoreError, is_update, open_store

    sparql = args.sparql
    if sparql.startswith("@"):
        try:
            sparql = Path(sparql[1:]).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as err:
            _error(f"{sparql[1:]}: cannot read the query: {err}")
            return EXIT_USAGE
    try:
        with open_store(args.store, read_only=True) as store:
            result = store.query(sparql)
            if result.kind == "graph":
                table, allowed, fmt = formats.RDF, formats.GRAPHS, args.format or "ttl"
            else:
                table, allowed, fmt = formats.RESULTS, None, args.format or "tsv"
            choices = formats.names(table, allowed)
            if fmt not in choices:
                _error(f"a {result.kind.upper()} result cannot be written as {fmt}; "
                       f"use one of {', '.join(choices)}")
                return 2
            chosen = formats.rdf(fmt) if result.kind == "graph" else formats.results(fmt)
            data = result.serialize(chosen.media_type)
    except QuerySyntaxError as err:
        if is_update(sparql):
            _error("`rightsgraph query` is read-only: this is a SPARQL Update (INSERT, DELETE, "
                   "DROP, …); the store changes only through `rightsgraph build`")
        else:
            _error(f"the query does not parse: {err}")
        return err.exit_code
    except StoreError as err:
        _error(err)
        return err.exit_code
    if args.output:
        Path(args.output).write_bytes(data)
    else:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    return 0


def _export(args: argparse.Namespace) -> int:
    import gzip

    from rightsgraph.graph.store import StoreError, open_store

    def dump(out) -> None:
        if args.gzip:
            with gzip.GzipFile(fileobj=out, mode="wb") as zipped:
                store.dump(zipped, args.format, graph=args.graph)
        else:
            store.dump(out, args.format, graph=args.graph)

    try:
        with open_store(args.store, read_only=True) as store:
            if args.output:
                _write_atomically(Path(args.output), dump)
            else:
                dump(sys.stdout.buffer)
                sys.stdout.flush()
    except StoreError as err:
        _error(err)
        return err.exit_code
    return 0


def _write_atomically(path: Path, write) -> None:
    """Write through a temporary file beside ``path``, renamed over it when complete."""
    import os
    import tempfile

    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile("wb", dir=path.parent, delete=False,
                                     suffix=".tmp") as tmp:
        try:
            write(tmp)
        except BaseException:
            tmp.close()
            os.unlink(tmp.name)
            raise
    os.replace(tmp.name, path)


def _validate(args: argparse.Namespace) -> int:
    """Each file is validated on its own; exit 1 if any does not conform."""
    import json
    import logging

    from rightsgraph.graph.rdfio import RdfReadError, read_rdf

    # rdflib logs every ill-typed literal it reads; the report names them instead
    logging.getLogger("rdflib.term").setLevel(logging.ERROR)
    from rightsgraph.graph.validate import validate

    reports = {}
    for name in args.files:
        try:
            data = read_rdf(name)
        except RdfReadError as err:
            print(f"rightsgraph: error: {err}", file=sys.stderr)
            return err.exit_code
        reports[name] = validate(data)
    if args.format == "json":
        out = {name: {"conforms": report.conforms,
                      "results": [vars(result) for result in report.results]}
               for name, report in reports.items()}
        print(json.dumps(out, ensure_ascii=False, indent=2))
    else:
        for name, report in reports.items():
            verdict = "conforms" if report.conforms else "does not conform"
            print(f"{name}: {verdict} ({len(report.violations)} violations, "
                  f"{len(report.warnings)} warnings)")
            for result in report.results:
                print(f"  {result}")
    return 0 if all(report.conforms for report in reports.values()) else 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
