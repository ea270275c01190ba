"""Snapshots of a local store, so that a server serves one version while a build writes.

pyoxigraph documents reading a store beside a live writer as undefined behaviour, and each
reader sees the store as it was when it opened it: a server whose workers are replaced at
different times answered identical requests from different versions (issue #10).  So
``rightsgraph serve`` takes a snapshot when it starts (RocksDB's checkpoint through
pyoxigraph's ``Store.backup``: hard links to the store's immutable files where the file
system allows, so it takes milliseconds and little space) and every worker opens the
snapshot.  A reload takes a new snapshot and switches every worker to it at once.

Snapshots live beside the store, in ``.<name>.serving-<pid>-*/v<n>`` (hard links need the
same file system), and are removed when the server stops; those of a server that was
killed are removed by the next server that starts beside them.
"""
from __future__ import annotations

import os
import re
import shutil
import tempfile
import time
from pathlib import Path

from rightsgraph.graph.local import LocalStore
from rightsgraph.graph.store import StoreError


class Snapshots:
    """The snapshots one server takes of the local store at ``path``."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._root: Path | None = None
        self._count = 0
        self.taken_at: float | None = None

    @classmethod
    def of(cls, location: str) -> Snapshots | None:
        """Snapshots of ``location``, or ``None`` for a remote store (an endpoint has its own
        transactions)."""
        if re.match(r"^https?://", str(location), re.IGNORECASE):
            return None
        return cls(location)

    def take(self) -> str:
        """A new snapshot of the store as it is now; its location."""
        if self._root is None:
            _remove_stale(self.path)
            try:
                self._root = Path(tempfile.mkdtemp(
                    dir=self.path.parent, prefix=f".{self.path.name}.serving-{os.getpid()}-"))
            except OSError as err:
                raise StoreError(f"{self.path}: cannot make a snapshot beside the store "
                                 f"({err}); serve it with --no-snapshot") from err
        self._count += 1
        target = self._root / f"v{self._count}"
        store = LocalStore(self.path, read_only=True)
        try:
            store.backup(target)
        finally:
            store.close()
        self.taken_at = time.time()
        return str(target)

    def discard(self, location: str) -> None:
        """Remove a snapshot no longer served (workers still reading it keep their open
        files until they stop)."""
        if self._root is not None and Path(location).parent == self._root:
            shutil.rmtree(location, ignore_errors=True)

    def close(self) -> None:
        if self._root is not None:
            shutil.rmtree(self._root, ignore_errors=True)
            self._root = None


def _remove_stale(path: Path) -> None:
    """Remove the snapshots of servers of ``path`` that are no longer running."""
    for folder in path.parent.glob(f".{path.name}.serving-*"):
        match = re.match(r".*\.serving-(\d+)-", folder.name)
        if match and not _running(int(match.group(1))):
            shutil.rmtree(folder, ignore_errors=True)


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
