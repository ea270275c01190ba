"""``rightsgraph fetch``: its arguments and what it prints (the loop is in :mod:`.run`)."""
from __future__ import annotations

import argparse
import sys

# Only what the parser needs is imported here: every `rightsgraph` command builds it.
from rightsgraph.core.known_symbols import TABLE
from rightsgraph.core.languages import LANGUAGES

CHECK_SYMBOL = "CMW/C/AZE/CO/3"  # the seed: published by the UN in all six languages


def add_parser(commands: argparse._SubParsersAction) -> None:
    cmd = commands.add_parser(
        "fetch", help="download concluding observations into a cache folder that build reads",
        description="Download concluding observations, politely and resumably, into a cache "
        "folder (--to) with a manifest of every outcome; `rightsgraph build DIR` builds it.")
    cmd.add_argument("symbols", nargs="*", metavar="SYMBOL", help="e.g. CMW/C/AZE/CO/3")
    cmd.add_argument("--uhri", metavar="EXPORT.json",
                     help="the UHRI export: the list of documents that exist, for "
                     "--committee/--state/--since/--until/--all")
    cmd.add_argument("--committee", help="only this committee's documents (CRC, CERD, …)")
    cmd.add_argument("--state", help="only documents on this State (ISO alpha-3: AZE)")
    cmd.add_argument("--since", metavar="YEAR|DATE", help="published on or after")
    cmd.add_argument("--until", metavar="YEAR|DATE", help="published on or before")
    cmd.add_argument("--all", action="store_true", help="every document the export lists")
    cmd.add_argument("--language", default=",".join(LANGUAGES),
                     help="languages, comma-separated (default: all six)")
    cmd.add_argument("--to", default="out/corpus", metavar="DIR",
                     help="the cache folder (default: %(default)s)")
    cmd.add_argument("--source", action="append", default=[], metavar="TEMPLATE",
                     help="a URL template of your own, tried first: {symbol}, "
                     "{symbol_encoded}, {language}, {un_language} (repeat for several)")
    cmd.add_argument("--sources", metavar="NAME,…",
                     help="built-in sources in the order to try (default: ods-doc,ods-pdf,"
                     "tbinternet; none when --source is given)")
    cmd.add_argument("--refresh", action="store_true",
                     help="re-check stored documents (ETag / If-Modified-Since)")
    cmd.add_argument("--retry", action="store_true",
                     help="ask again for documents refused or not found before")
    cmd.add_argument("--rate", type=float, default=1.0,
                     help="requests a second to one host (default: %(default)s)")
    cmd.add_argument("--concurrency", type=int, default=4,
                     help="documents fetched at once (default: %(default)s)")
    cmd.add_argument("--retries", type=int, default=3,
                     help="retries on 429/5xx/network errors (default: %(default)s)")
    cmd.add_argument("--backoff", type=float, default=2.0,
                     help="first wait before a retry in seconds, doubling (default: "
                     "%(default)s; Retry-After wins)")
    cmd.add_argument("--timeout", type=float, default=60.0,
                     help="seconds to wait for a server (default: %(default)s)")
    cmd.add_argument("--list", action="store_true",
                     help="print the symbols selected and stop (nothing is fetched)")
    cmd.add_argument("--check-sources", action="store_true",
                     help=f"ask each source for one document (the first SYMBOL, else "
                     f"{CHECK_SYMBOL}) and say what each request got (needs internet; "
                     "stores nothing)")


def run(args: argparse.Namespace) -> int:
    from rightsgraph.core.uhri import UhriExportError, canonical_symbol
    from rightsgraph.fetch.cache import Cache, CacheError
    from rightsgraph.fetch.http import PoliteClient
    from rightsgraph.fetch.known import known_documents, select
    from rightsgraph.fetch.run import Options, fetch
    from rightsgraph.fetch.sources import SourceError, check_symbol, ordered_sources

    languages = [code.strip() for code in args.language.split(",") if code.strip()]
    unknown = [code for code in languages if code not in LANGUAGES]
    if unknown or not languages:
        return _usage(f"--language: {', '.join(unknown) or 'none given'}; use "
                      f"{','.join(LANGUAGES)}")
    try:
        names = None if args.sources is None else [
            n.strip() for n in args.sources.split(",") if n.strip()]
        sources = ordered_sources(names, args.source)
        client = PoliteClient(rate=args.rate, retries=args.retries, timeout=args.timeout,
                              backoff=args.backoff)
        if args.check_sources:
            return _check_sources(sources, client, languages,
                                  canonical_symbol(check_symbol(args.symbols[0]))
                                  if args.symbols else CHECK_SYMBOL)
        symbols = [canonical_symbol(check_symbol(s)) for s in args.symbols]
    except SourceError as err:
        return _usage(err)
    filters = args.committee or args.state or args.since or args.until or args.all
    if filters and not args.uhri:
        return _usage("--committee/--state/--since/--until/--all choose from a list of "
                      "known documents: give it with --uhri EXPORT.json (the UHRI export)")
    documents = []
    if args.uhri:
        try:
            documents = known_documents(args.uhri)
        except (OSError, UhriExportError) as err:
            print(f"rightsgraph: error: {err}", file=sys.stderr)
            return 1
    if filters:
        symbols += select(documents, committee=args.committee, state=args.state,
                          since=args.since, until=args.until)
    if not symbols:
        return _usage("nothing to fetch: give symbols, or --uhri with a selection")
    if args.list:
        print("\n".join(dict.fromkeys(symbols)))
        return 0
    try:
        cache = Cache(args.to)
        if documents:  # whose observations each symbol is, for build (older symbols cited)
            listed = _known_table(args.to, documents, args.uhri)
            print(f"rightsgraph: {listed} concluding observations the export knows listed in "
                  f"{args.to}/{TABLE}", file=sys.stderr)
    except (CacheError, OSError) as err:
        print(f"rightsgraph: error: {err}", file=sys.stderr)
        return 1
    wanted = [(symbol, language) for symbol in dict.fromkeys(symbols) for language in languages]
    print(f"rightsgraph: fetching {len(wanted)} documents ({len(set(symbols))} symbols × "
          f"{len(languages)} languages) into {args.to}", file=sys.stderr)
    try:
        summary = fetch(wanted, cache, sources, client,
                        Options(refresh=args.refresh, retry=args.retry,
                                concurrency=args.concurrency), progress=_progress)
    finally:
        client.close()
    _print_summary(summary, args.to)
    return 0 if summary.ok else 1


def _known_table(folder: str, documents, export: str) -> int:
    """``known-symbols.tsv`` in the cache: every concluding observations document of the
    export whose State it says (its symbol's, or its one country's)."""
    from pathlib import Path

    from rightsgraph.core.known_symbols import Known, write_table

    rows = [(doc.symbol, Known(doc.committee, doc.state), doc.published)
            for doc in documents if doc.state]
    return write_table(folder, rows, f"UHRI export {Path(export).name}")


def _progress(summary, done: int, total: int, row) -> None:
    from rightsgraph.fetch.cache import STORED

    width = 20
    bar = "#" * (width * done // max(total, 1))
    what = f"{row.outcome}"
    if row.outcome == STORED:
        what += f" {row.file} ({row.size:,} bytes from {row.source})"
    elif row.reason:
        what += f": {row.reason}"
    print(f"  [{bar:<{width}}] {done}/{total} {row.symbol} ({row.language}) {what}",
          file=sys.stderr)


def _print_summary(summary, folder: str) -> None:
    counts = ", ".join(f"{name} {n}" for name, n in sorted(summary.outcomes.items())) or "none"
    print(f"{sum(summary.outcomes.values())} documents asked in {summary.seconds:.1f} s "
          f"({summary.requests} requests, {summary.bytes:,} bytes): {counts}; "
          f"{summary.skipped} already in {folder}")
    for line in summary.refusals:
        print(f"refused: {line}")
    for line in summary.failures:
        print(f"failed: {line}")


def _check_sources(sources, client, languages: list[str], symbol: str = CHECK_SYMBOL) -> int:
    """Ask each source for one known document (``symbol``); print what each answered: the
    verdict, then every request made and what answered it."""
    import tempfile

    from rightsgraph.fetch.cache import STORED, Cache, Row
    from rightsgraph.fetch.http import FetchError
    from rightsgraph.fetch.run import Summary, from_source

    language = "en" if "en" in languages else languages[0]
    working = 0
    with tempfile.TemporaryDirectory(prefix="rightsgraph-check-sources-") as folder:
        cache = Cache(folder)
        for source in sources:
            trace: list[str] = []
            try:
                row = from_source(source, symbol, language, cache, client, Summary(),
                                  trace)
            except FetchError as err:
                row = Row(symbol, language, "failed", source=source.name, url=err.url,
                          reason=err.reason)
            ok = row.outcome == STORED
            working += ok
            detail = (f"{row.status} {row.content_type or ''} {row.size or 0:,} bytes"
                      if row.status else "")
            verdict = (f"ok: a {row.file.rsplit('.', 1)[-1] if row.file else ''} document "
                       "that passes the checks" if ok else f"{row.outcome}: {row.reason}")
            url = row.url or source.url(symbol, language)
            print(f"{source.name:12} {verdict}  [{detail}] {url}")
            for line in trace:  # every request, and what answered it
                print(f"{'':12}   {line}")
    client.close()
    print(f"{working} of {len(sources)} sources gave {symbol} ({language})")
    return 0 if working else 1


def _usage(message: object) -> int:
    print(f"rightsgraph fetch: error: {message}", file=sys.stderr)
    return 2
