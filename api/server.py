"""The server's state shared by the routes (:class:`Server`) and its settings.

Routes receive the server through the typed dependency :data:`.deps.ServerDep`.
"""
from __future__ import annotations

import asyncio
import gzip
import json
import os
import shutil
import tempfile
import threading
import time
from collections.abc import Awaitable, Callable, Coroutine, Hashable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypedDict, TypeVar

from rightsgraph.api.pool import Answer, QueryPool, default_workers
from rightsgraph.core import identifiers
from rightsgraph.graph.search import SearchIndex, open_index
from rightsgraph.graph.snapshots import Snapshots


@dataclass
class Settings:
    """How the server runs; see ``rightsgraph serve --help`` and the README's "Running it
    in public" for what each limit guards against."""

    store: str
    base: str = field(default_factory=identifiers.base)
    workers: int = field(default_factory=default_workers)  # public /sparql lane
    site_workers: int = 2  # the lane of the pages, researcher API and linked data
    timeout: float = 30.0
    max_bytes: int = 50_000_000
    memory_mb: int = 1024  # per SPARQL worker (RLIMIT_AS)
    queue: int = 16  # public queries waiting for a worker; one more gets a 503
    site_queue: int = 64  # site requests waiting for a worker
    per_client: int = 2  # public queries of one client at once; one more gets a 429
    service_allow: tuple[str, ...] = ()
    snapshot: bool = True  # serve a snapshot of a local store (reloaded on SIGHUP)
    handover: bool = True  # public workers answer /sparql connections (api/handover.py)
    dumps: str | None = None  # folder for generated dumps; default: a temporary folder
    vectors: str | None = None  # paragraph vectors (graph/similar.py); None: no neighbours
    index: str | None = None  # full-text index; default: beside the store (see graph.search)

    def memory_budget_mb(self) -> int:
        """The most the SPARQL workers may use together: workers of both lanes times the
        limit of one (the main process comes on top, about 150 MB)."""
        return (self.workers + self.site_workers) * self.memory_mb


T = TypeVar("T")
CACHE_SECONDS = 60.0  # see Server.cached; a remote store may change behind the server
CACHED_ANSWERS = 1024  # per server (answers of a few kilobytes at most: counts, aggregates)
PUBLIC_NICE = 10  # CPU priority of the public lane's workers, below the site's


class _Limits(TypedDict):
    """What both lanes of a server share."""

    timeout: float
    max_bytes: int
    memory_mb: int


def _handover_headers() -> dict[str, bytes]:
    from rightsgraph.api.sparql import handover_headers

    return handover_headers()


class Server:
    """State shared by the routes: the settings and the query pools (lanes).

    Public ``/sparql`` queries run in one lane, the site's own queries in another, so a
    slow public query never holds a worker the pages need.  A local store is served from a
    snapshot (:mod:`rightsgraph.graph.snapshots`): every worker of both lanes sees the same
    version, whatever a build writes meanwhile, until :meth:`reload` switches them all to a
    new snapshot at once (``rightsgraph serve`` does on SIGHUP)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.base = settings.base if settings.base.endswith("/") else settings.base + "/"
        self.snapshots = Snapshots.of(settings.store) if settings.snapshot else None
        self.location = settings.store
        common: _Limits = {"timeout": settings.timeout, "max_bytes": settings.max_bytes,
                           "memory_mb": settings.memory_mb}
        self.public = QueryPool(settings.store, workers=settings.workers, queue=settings.queue,
                                per_client=settings.per_client,
                                service_allow=settings.service_allow, nice=PUBLIC_NICE,
                                spread=True, name="public",
                                # (Linux: memfd_create, SCM_RIGHTS)
                                handover=_handover_headers() if settings.handover
                                and hasattr(os, "memfd_create") else None,
                                **common)
        self.site = QueryPool(settings.store, workers=settings.site_workers,
                              queue=settings.site_queue, name="site", **common)
        # generated dumps: in the configured folder, or in a temporary one made on the first
        # dump and removed by close (a server asked for none leaves nothing behind)
        self._dump_dir = Path(settings.dumps) if settings.dumps else None
        self._own_dump_dir: Path | None = None
        self._dump_lock = asyncio.Lock()
        self._reload_lock = asyncio.Lock()
        self._index: SearchIndex | None = None
        self._index_lock = threading.Lock()
        self._cache: dict[Hashable, tuple[float, Any]] = {}  # see cached
        self._cached_for = self.location

    def search_index(self) -> SearchIndex:
        """The full-text index, opened (and brought in step with the store) on first use."""
        with self._index_lock:
            if self._index is None:
                self._index = open_index(self.settings.store, self.settings.index)
            return self._index

    async def cached(self, key: Hashable, make: Callable[[], Awaitable[T]],
                     seconds: float = CACHE_SECONDS) -> T:
        """What ``make()`` gives, made once for the store served now: counts, aggregates
        and what every page shows and only a build changes (the States to filter by,
        labels).  A snapshot never changes (:meth:`reload` serves a new one, under a new
        location), so an answer is kept as long as its snapshot is served; a store served
        as it is (a remote one, ``--no-snapshot``) may change behind the server, so there
        it is made again after ``seconds``.  At most :data:`CACHED_ANSWERS` answers are
        kept."""
        if self._cached_for != self.location:
            self._cache.clear()
            self._cached_for = self.location
        held = self._cache.get(key)
        now = time.monotonic()
        if held is not None and (self.snapshots is not None or now - held[0] < seconds):
            return held[1]
        value = await make()
        if len(self._cache) >= CACHED_ANSWERS:
            self._cache.clear()
        self._cache[key] = (now, value)
        return value

    async def start(self) -> None:
        if self.snapshots is not None:
            self.location = self.snapshots.take()
            self.public.location = self.site.location = self.location
        await asyncio.gather(self.public.start(), self.site.start())

    async def reload(self) -> str:
        """Serve a new snapshot of the store: workers are started on it in both lanes, then
        all switched at once.  Returns what is now served."""
        if self.snapshots is None:
            return self.location
        async with self._reload_lock:
            loop = asyncio.get_running_loop()
            location = await loop.run_in_executor(None, self.snapshots.take)
            fresh = await asyncio.gather(self.public.stage(location),
                                         self.site.stage(location))
            # No await from here on: every request that starts afterwards sees the new one.
            old = self.location
            self.public.switch(location, fresh[0])
            self.site.switch(location, fresh[1])
            self.location = location
            with self._index_lock:  # reopened on first use, in step with the new snapshot
                self._index = None
            if self._dump_dir is not None:
                (self._dump_dir / "rightsgraph.nq.gz").unlink(missing_ok=True)
            self.snapshots.discard(old)
            return location

    def close(self) -> None:
        self.public.close()
        self.site.close()
        if self.snapshots is not None:
            self.snapshots.close()
        if self._own_dump_dir is not None:
            shutil.rmtree(self._own_dump_dir, ignore_errors=True)
            self._own_dump_dir = self._dump_dir = None

    def sparql(self, query: str, accept: list[str], *, client: str | None = None,
               public: bool = False, **dataset) -> Coroutine[Any, Any, Answer]:
        """Answer a query (to be awaited): a ``public`` one (from ``/sparql``) in the public
        lane, checked for federation and counted against its ``client``; the site's own in
        the site lane.  The lane's coroutine itself, not one around it (a public endpoint is
        asked many small queries)."""
        if public:
            return self.public.query(query, accept, client=client, public=True, **dataset)
        return self.site.query(query, accept, **dataset)

    async def select(self, query: str) -> list[dict[str, dict]]:
        """SELECT bindings as SPARQL JSON terms (``{"type", "value", "xml:lang", ...}``)."""
        answer = await self.site.query(query, ["application/sparql-results+json"])
        return json.loads(answer.body)["results"]["bindings"]

    async def ask(self, query: str) -> bool:
        answer = await self.site.query(query, ["application/sparql-results+json"])
        return bool(json.loads(answer.body)["boolean"])

    def local_path(self, iri: str) -> str | None:
        """The path on this server where ``iri`` dereferences, if it is one of ours."""
        return "/" + iri[len(self.base):] if iri.startswith(self.base) else None

    async def dump_file(self) -> Path:
        """The whole dataset as gzipped N-Quads, written once per server run."""
        async with self._dump_lock:
            if self._dump_dir is None:
                self._dump_dir = self._own_dump_dir = Path(
                    tempfile.mkdtemp(prefix="rightsgraph-dumps-"))
            target = self._dump_dir / "rightsgraph.nq.gz"
            if not target.exists():
                loop = asyncio.get_running_loop()
                await loop.run_in_executor(None, _write_dump, self.location, target)
        return target


def _write_dump(location: str, target: Path) -> None:
    from rightsgraph.graph.store import open_store

    partial = target.with_suffix(".partial")
    with open_store(location, read_only=True) as store, gzip.open(partial, "wb") as out:
        store.dump(out, "nq")
    os.replace(partial, target)
