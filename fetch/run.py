"""One fetch run: each (symbol, language) asked of the sources in order until one gives a
document that passes the checks; every outcome recorded in the cache's manifest."""
from __future__ import annotations

import hashlib
import time
from collections import Counter
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field

from rightsgraph.fetch.cache import (
    FAILED,
    NOT_FOUND,
    REFUSED,
    STORED,
    UNCHANGED,
    Cache,
    Row,
)
from rightsgraph.fetch.checks import RefusedError, check_document
from rightsgraph.fetch.http import FetchError, PoliteClient, Response
from rightsgraph.fetch.sources import Source


@dataclass
class Options:
    refresh: bool = False  # re-check stored documents (ETag / If-Modified-Since)
    retry: bool = False  # ask again for documents refused or not found before
    concurrency: int = 4


@dataclass
class Summary:
    outcomes: Counter = field(default_factory=Counter)
    skipped: int = 0  # already in the cache, not asked
    requests: int = 0
    bytes: int = 0
    seconds: float = 0.0
    refusals: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failures


Progress = Callable[[Summary, int, int, Row], None]


def fetch(wanted: Iterable[tuple[str, str]], cache: Cache, sources: list[Source],
          client: PoliteClient, options: Options | None = None,
          progress: Progress | None = None) -> Summary:
    """Fetch every (symbol, language) of ``wanted`` into ``cache``."""
    options = options or Options()
    summary = Summary()
    started = time.monotonic()
    todo: list[tuple[str, str, Row | None]] = []
    for symbol, language in dict.fromkeys(wanted):
        row = cache.current(symbol, language)
        if row is None or row.outcome == FAILED:
            todo.append((symbol, language, None))
        elif row.outcome in (STORED, UNCHANGED) and options.refresh:
            todo.append((symbol, language, row))
        elif row.outcome in (REFUSED, NOT_FOUND) and options.retry:
            todo.append((symbol, language, None))
        else:
            summary.skipped += 1
    with ThreadPoolExecutor(max_workers=max(1, options.concurrency)) as pool:
        futures = [pool.submit(_one, symbol, language, known, cache, sources, client, summary)
                   for symbol, language, known in todo]
        for done, future in enumerate(as_completed(futures), 1):
            row = future.result()
            summary.outcomes[row.outcome] += 1
            label = f"{row.symbol} ({row.language})"
            if row.outcome == REFUSED:
                summary.refusals.append(f"{label}: {row.reason}")
            elif row.outcome == FAILED:
                summary.failures.append(f"{label}: {row.reason}")
            if progress:
                progress(summary, done, len(todo), row)
    summary.seconds = time.monotonic() - started
    return summary


def _one(symbol: str, language: str, known: Row | None, cache: Cache, sources: list[Source],
         client: PoliteClient, summary: Summary) -> Row:
    try:
        return _ask(symbol, language, known, cache, sources, client, summary)
    except OSError as err:  # the cache's disk, not the server: record it and go on
        row = Row(symbol, language, FAILED, reason=f"cannot write the cache: {err}")
        cache.record(row)
        return row


def _ask(symbol: str, language: str, known: Row | None, cache: Cache, sources: list[Source],
         client: PoliteClient, summary: Summary) -> Row:
    if known is not None:
        row = _revalidate(known, cache, client, summary)
        if row is not None:
            return row
    refusals: list[Row] = []
    failures: list[Row] = []
    missing: list[Row] = []
    for source in sources:
        try:
            row = from_source(source, symbol, language, cache, client, summary)
        except FetchError as err:
            failures.append(Row(symbol, language, FAILED, source=source.name, url=err.url,
                                status=err.status, reason=err.reason))
            continue
        if row.outcome == STORED:
            return row
        {REFUSED: refusals, FAILED: failures}.get(row.outcome, missing).append(row)
    # nothing stored: a refusal says the most, then a failure (worth a retry), then not found
    tried = refusals or failures or missing
    final = tried[0]
    if len(tried) > 1:
        final.reason = " | ".join(f"{r.source}: {r.reason}" for r in tried)
    cache.record(final)
    return final


def from_source(source: Source, symbol: str, language: str, cache: Cache,
                client: PoliteClient, summary: Summary, trace: list[str] | None = None,
                ) -> Row:
    """Ask ``source`` for the document; ``trace`` (when given) gets one line per request:
    what was asked and what answered (``--check-sources`` prints them)."""
    url = source.url(symbol, language)
    reply = _get(client, url, summary, trace=trace)
    if source.kind == "landing":
        if reply.status != 200:
            return _status_row(source, symbol, language, reply)
        page = reply.content.decode("utf-8", "replace")
        links = source.links(page, reply.url, language)
        if trace is not None:
            trace[-1] += f"; the page links {len(links)} {language} version(s)"
        if not links:
            return Row(symbol, language, NOT_FOUND, source=source.name, url=reply.url,
                       status=reply.status, reason=f"the page links no {language} version")
        row = Row(symbol, language, NOT_FOUND, source=source.name)
        for link in links:
            reply = _get(client, link, summary, trace=trace)
            row = _checked(source, symbol, language, reply, cache)
            if trace is not None and row.outcome != STORED and row.reason:
                trace[-1] += f"; {row.outcome}: {row.reason}"
            if row.outcome == STORED:
                return row
        return row
    return _checked(source, symbol, language, reply, cache)


def _get(client: PoliteClient, url: str, summary: Summary,
         headers: dict[str, str] | None = None, trace: list[str] | None = None) -> Response:
    try:
        reply = client.get(url, headers=headers)
    except FetchError as err:
        if trace is not None:
            trace.append(f"GET {url} -> {err.reason}")
        raise
    summary.requests += 1
    summary.bytes += len(reply.content)
    if trace is not None:
        via = f" (redirected to {reply.url})" if reply.url != url else ""
        kind = reply.headers.get("content-type") or "no content type"
        trace.append(f"GET {url}{via} -> HTTP {reply.status}, {kind}, "
                     f"{len(reply.content):,} bytes"
                     + (f" of {reply.expected_size:,} announced" if reply.truncated
                        and reply.expected_size is not None else ""))
    return reply


def _status_row(source: Source | str, symbol: str, language: str, reply: Response) -> Row:
    outcome = NOT_FOUND if reply.status in (404, 410) else FAILED
    name = source if isinstance(source, str) else source.name
    return Row(symbol, language, outcome, source=name, url=reply.url, status=reply.status,
               content_type=reply.headers.get("content-type"), reason=f"HTTP {reply.status}")


def _checked(source: Source | str, symbol: str, language: str, reply: Response,
             cache: Cache) -> Row:
    name = source if isinstance(source, str) else source.name
    if reply.status != 200:
        return _status_row(name, symbol, language, reply)
    row = Row(symbol, language, REFUSED, source=name, url=reply.url, status=reply.status,
              content_type=reply.headers.get("content-type"), size=len(reply.content),
              sha256=hashlib.sha256(reply.content).hexdigest(),
              etag=reply.headers.get("etag"), last_modified=reply.headers.get("last-modified"))
    if reply.truncated:
        row.reason = (f"truncated download: {len(reply.content)} of "
                      f"{reply.expected_size if reply.expected_size is not None else '?'} bytes")
        return row
    try:
        checked = check_document(reply.content, row.content_type, symbol=symbol,
                                 language=language)
    except RefusedError as err:
        row.reason = str(err)
        return row
    if checked.warnings:
        row.reason = "; ".join(checked.warnings)  # stored, with the extractor's warnings
    return cache.store(row, reply.content, checked.extension)


def _revalidate(known: Row, cache: Cache, client: PoliteClient, summary: Summary) -> Row | None:
    """--refresh: ask the stored URL whether it changed; None when it did (fetch again)."""
    headers = {}
    if known.etag:
        headers["If-None-Match"] = known.etag
    if known.last_modified:
        headers["If-Modified-Since"] = known.last_modified
    if not headers or not known.url:
        return None
    try:
        reply = _get(client, known.url, summary, headers)
    except FetchError:
        return None
    if reply.status == 304:
        row = Row(known.symbol, known.language, UNCHANGED, source=known.source, url=known.url,
                  status=304, file=known.file, sha256=known.sha256, size=known.size)
        cache.record(row)
        return row
    if reply.status == 200 and hashlib.sha256(reply.content).hexdigest() == known.sha256:
        row = Row(known.symbol, known.language, UNCHANGED, source=known.source, url=known.url,
                  status=200, file=known.file, sha256=known.sha256, size=known.size)
        cache.record(row)
        return row
    if reply.status == 200:  # changed: check the new version (kept only if it passes)
        row = _checked(known.source or "refresh", known.symbol, known.language, reply, cache)
        if row.outcome == STORED:
            return row
    return None  # gone or refused at its old address: ask the sources again
