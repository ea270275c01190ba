"""Readers turn a file of one format into the intermediate form (:class:`~..model.Source`).

One module per format; :func:`read` picks it by the file's content and extension.
"""
from __future__ import annotations

import os
import re
from pathlib import Path

from rightsgraph.extract.model import Source
from rightsgraph.extract.readers.errors import ReadError
from rightsgraph.extract.readers.limits import MAX_BLOCKS, MAX_FILE_BYTES

FORMATS = {".txt": "text", ".text": "text", ".docx": "docx", ".pdf": "pdf", ".html": "html",
           ".htm": "html"}
# Extensions ``rightsgraph build`` picks up in a folder.
SUFFIXES = tuple(FORMATS)


def detect_format(path: str | os.PathLike) -> str:
    """The reader to use: by magic bytes first (a DOCX is a ZIP), then by extension."""
    p = Path(path)
    try:
        with open(p, "rb") as fh:
            head = fh.read(64)
    except OSError as err:
        raise ReadError(path, err.strerror or str(err)) from err
    if not head:
        raise ReadError(path, "empty file")
    if head.startswith(b"PK\x03\x04"):
        return "docx"
    if head.startswith(b"%PDF"):
        return "pdf"
    if p.suffix.lower() not in FORMATS and HTML_START.match(head):
        return "html"
    fmt = FORMATS.get(p.suffix.lower(), "text")
    if fmt in ("docx", "pdf"):
        raise ReadError(path, f"not a {fmt.upper()} file (no {_SIGNATURES[fmt]} signature)")
    return fmt


HTML_START = re.compile(rb"^(?:\xef\xbb\xbf)?\s*<(?:!doctype html|html)", re.I)
_SIGNATURES = {"docx": "ZIP", "pdf": "%PDF"}


def read(path: str | os.PathLike) -> Source:
    """Read any supported file into the intermediate form; raises :class:`ReadError`, also
    for a file past the limits above."""
    fmt = detect_format(path)
    check_size(path, fmt)
    if fmt == "docx":
        from rightsgraph.extract.readers import docx

        source = docx.read(path)
    elif fmt == "pdf":
        from rightsgraph.extract.readers import pdf

        source = pdf.read(path)
    elif fmt == "html":
        from rightsgraph.extract.readers import html

        source = html.read(path)
    else:
        from rightsgraph.extract.readers import text

        source = text.read(path)
    if len(source.blocks) > MAX_BLOCKS:
        raise ReadError(path, f"{len(source.blocks):,} paragraphs; the limit is "
                              f"{MAX_BLOCKS:,} (is this one document?)")
    return source


def check_size(path: str | os.PathLike, fmt: str) -> None:
    """Refuse a file larger than :data:`MAX_FILE_BYTES` allows for its format, before
    reading it."""
    try:
        size = os.stat(path).st_size
    except OSError as err:
        raise ReadError(path, err.strerror or str(err)) from err
    if size > MAX_FILE_BYTES[fmt]:
        raise ReadError(path, f"{size:,} bytes; the limit for a {fmt} file is "
                              f"{MAX_FILE_BYTES[fmt]:,} bytes (is this one document?)")


__all__ = ["SUFFIXES", "ReadError", "detect_format", "read"]
