"""The server's state shared by the routes (:class:`Server`) and its settings.

Routes receive the server through the typed dependency :data:`.deps.ServerDep`.
"""
from __future__ import annotations

import asyncio
import gzip
import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from rightsgraph.api.pool import Answer, QueryPool, default_workers
from rightsgraph.core import identifiers


@dataclass
class Settings:
    """How the server runs; see ``rightsgraph serve --help``."""

    store: str
    base: str = field(default_factory=identifiers.base)
    workers: int = field(default_factory=default_workers)
    timeout: float = 30.0
    max_bytes: int = 50_000_000
    service_allow: tuple[str, ...] = ()
    dumps: str | None = None  # folder for generated dumps; default: a temporary folder


class Server:
    """State shared by the routes: the settings and the query pool."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.base = settings.base if settings.base.endswith("/") else settings.base + "/"
        self.pool = QueryPool(settings.store, workers=settings.workers,
                              timeout=settings.timeout, max_bytes=settings.max_bytes)
        self.dump_dir = Path(settings.dumps or tempfile.mkdtemp(prefix="rightsgraph-dumps-"))
        self._dump_lock = asyncio.Lock()

    async def sparql(self, query: str, accept: list[str], **dataset) -> Answer:
        return await self.pool.query(query, accept, **dataset)

    async def select(self, query: str) -> list[dict[str, dict]]:
        """SELECT bindings as SPARQL JSON terms (``{"type", "value", "xml:lang", ...}``)."""
        answer = await self.pool.query(query, ["application/sparql-results+json"])
        return json.loads(answer.body)["results"]["bindings"]

    async def ask(self, query: str) -> bool:
        answer = await self.pool.query(query, ["application/sparql-results+json"])
        return bool(json.loads(answer.body)["boolean"])

    def local_path(self, iri: str) -> str | None:
        """The path on this server where ``iri`` dereferences, if it is one of ours."""
        return "/" + iri[len(self.base):] if iri.startswith(self.base) else None

    async def dump_file(self) -> Path:
        """The whole dataset as gzipped N-Quads, written once per server run."""
        target = self.dump_dir / "rightsgraph.nq.gz"
        async with self._dump_lock:
            if not target.exists():
                loop = asyncio.get_running_loop()
                await loop.run_in_executor(None, _write_dump, self.settings.store, target)
        return target


def _write_dump(location: str, target: Path) -> None:
    from rightsgraph.graph.store import open_store

    partial = target.with_suffix(".partial")
    with open_store(location, read_only=True) as store, gzip.open(partial, "wb") as out:
        store.dump(out, "nq")
    os.replace(partial, target)
