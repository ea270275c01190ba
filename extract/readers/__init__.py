"""Readers turn a file of one format into the intermediate form (:class:`~..model.Source`).

One module per format; :func:`read` picks it by the file's content and extension.
"""
from __future__ import annotations

import os
from pathlib import Path

from ..model import Source
from .errors import ReadError

FORMATS = {".txt": "text", ".text": "text", ".docx": "docx"}


def detect_format(path: str | os.PathLike) -> str:
    """The reader to use: by magic bytes first (a DOCX is a ZIP), then by extension."""
    p = Path(path)
    try:
        with open(p, "rb") as fh:
            head = fh.read(8)
    except OSError as err:
        raise ReadError(path, err.strerror or str(err)) from err
    if not head:
        raise ReadError(path, "empty file")
    if head.startswith(b"PK\x03\x04"):
        return "docx"
    if head.startswith(b"%PDF"):
        raise ReadError(path, "PDF is not supported yet (text and DOCX are)")
    fmt = FORMATS.get(p.suffix.lower(), "text")
    if fmt == "docx":
        raise ReadError(path, "not a DOCX file (no ZIP signature)")
    return fmt


def read(path: str | os.PathLike) -> Source:
    """Read any supported file into the intermediate form; raises :class:`ReadError`."""
    fmt = detect_format(path)
    if fmt == "docx":
        from . import docx

        return docx.read(path)
    from . import text

    return text.read(path)


__all__ = ["ReadError", "detect_format", "read"]
