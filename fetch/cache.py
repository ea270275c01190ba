"""The cache folder that ``fetch`` fills and ``build`` reads.

``DIR/CMW_C_AZE_CO_3.zh.docx``: one file per document and language, named by its symbol
(``/`` → ``_``) and stored with the extension of its format.  ``DIR/manifest.jsonl``: one
JSON object a line, appended for every outcome (stored, unchanged, refused, not found,
failed) with the symbol, language, source and URL, time, HTTP status, content type, size,
SHA-256 and the reason of a refusal; the last row of a (symbol, language) is its state.

Safe to kill at any moment: a download is written to ``DIR/.partial/`` and renamed into
place only once checked, and its manifest row is appended with one ``write`` to a file
opened in append mode (then fsync'd) after the rename.  A kill leaves at worst a stray
partial file (removed on the next run) or a stored file without its row (downloaded again
on the next run, to the same bytes).
"""
from __future__ import annotations

import hashlib
import json
import os
import threading
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from rightsgraph.core.errors import RightsgraphError
from rightsgraph.extract.readers import SUFFIXES

MANIFEST = "manifest.jsonl"
PARTIAL = ".partial"
# Outcomes that end a (symbol, language): a later run asks again only with --refresh
# (stored) or --retry (refused, not-found).
STORED, UNCHANGED, REFUSED, NOT_FOUND, FAILED = (
    "stored", "unchanged", "refused", "not-found", "failed")


class CacheError(RightsgraphError):
    """The cache folder or its manifest cannot be used; the message names it and why."""


@dataclass
class Row:
    symbol: str
    language: str
    outcome: str
    source: str | None = None
    url: str | None = None
    time: str = ""
    status: int | None = None
    content_type: str | None = None
    size: int | None = None
    sha256: str | None = None
    file: str | None = None
    reason: str | None = None
    etag: str | None = None
    last_modified: str | None = None

    def __post_init__(self) -> None:
        if not self.time:
            self.time = datetime.now(UTC).isoformat(timespec="seconds")


def file_name(symbol: str, language: str, extension: str) -> str:
    return f"{symbol.replace('/', '_')}.{language}{extension}"


class Cache:
    def __init__(self, folder: str | os.PathLike) -> None:
        self.folder = Path(folder)
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            (self.folder / PARTIAL).mkdir(exist_ok=True)
        except OSError as err:
            raise CacheError(f"{self.folder}: cannot create the cache folder: {err}") from err
        self.manifest = self.folder / MANIFEST
        self._lock = threading.Lock()
        self.state: dict[tuple[str, str], Row] = self._read()
        for stray in (self.folder / PARTIAL).iterdir():  # left by a killed run
            stray.unlink(missing_ok=True)

    def _read(self) -> dict[tuple[str, str], Row]:
        state: dict[tuple[str, str], Row] = {}
        if not self.manifest.exists():
            return state
        with open(self.manifest, encoding="utf-8") as fh:
            for n, line in enumerate(fh, 1):
                if not line.strip():
                    continue
                try:
                    data = json.loads(line)
                    row = Row(**data)
                except (ValueError, TypeError) as err:
                    if not line.endswith("\n"):  # a row cut by a kill: its file is re-fetched
                        continue
                    raise CacheError(f"{self.manifest}, line {n}: not a manifest row: {err}") \
                        from err
                key = (row.symbol, row.language)
                if row.outcome == UNCHANGED and key in state:
                    state[key].time = row.time  # checked again, still the same
                    continue
                state[key] = row
        return state

    def current(self, symbol: str, language: str) -> Row | None:
        """The last state of a (symbol, language); a stored row only if its file is there
        with its bytes."""
        row = self.state.get((symbol, language))
        if row and row.outcome == STORED and not self.intact(row):
            return None
        return row

    def intact(self, row: Row) -> bool:
        path = self.folder / (row.file or "")
        return bool(row.file) and path.is_file() and path.stat().st_size == row.size

    def store(self, row: Row, content: bytes, extension: str) -> Row:
        """Put a checked download in place, then record it."""
        name = file_name(row.symbol, row.language, extension)
        partial = self.folder / PARTIAL / (name + ".part")
        with open(partial, "wb") as fh:
            fh.write(content)
            fh.flush()
            os.fsync(fh.fileno())
        for other in SUFFIXES:  # a new format replaces the old file of this document
            old = self.folder / file_name(row.symbol, row.language, other)
            if other != extension and old.exists():
                old.unlink()
        os.replace(partial, self.folder / name)
        row.file = name
        row.size = len(content)
        row.sha256 = hashlib.sha256(content).hexdigest()
        row.outcome = STORED
        self.record(row)
        return row

    def record(self, row: Row) -> None:
        line = (json.dumps(asdict(row), ensure_ascii=False, sort_keys=True) + "\n").encode()
        with self._lock:
            fd = os.open(self.manifest, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
            try:
                os.write(fd, line)
                os.fsync(fd)
            finally:
                os.close(fd)
            key = (row.symbol, row.language)
            if row.outcome == UNCHANGED and key in self.state:
                self.state[key].time = row.time
            else:
                self.state[key] = row
