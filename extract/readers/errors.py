"""Errors a reader raises when a file cannot be read at all."""
from __future__ import annotations

import os

from rightsgraph.core.errors import RightsgraphError


class ReadError(RightsgraphError):
    """A file could not be read; the message names the file and the reason."""

    def __init__(self, path: str | os.PathLike, reason: str) -> None:
        self.path = str(path)
        self.reason = reason
        super().__init__(f"{self.path}: {reason}")
