"""Reader for plain text: UN documents as exported from Word or copied from a web page.

The Word export (the seed in ``seeds/``) keeps paragraph numbers and sub-item labels in
the text, separated by tabs; footnote markers are written ``[footnoteRef:N]`` where the
reference sits, and the footnote bodies ``[N: text]`` follow at the end of the line that
holds the marker.  Text copied from web pages has neither; it is read the same way.
"""
from __future__ import annotations

import hashlib
import os
import re

from rightsgraph.extract.model import Block, Marker, Source, SourceFootnote
from rightsgraph.extract.readers.errors import ReadError

MARKER = re.compile(r"\[footnoteRef:(\d+)\](\*+)?")
# A footnote body: "[N: text]" followed by another body, whitespace or the end of line.
BODY = re.compile(r"\[(\d+): (.*?)\](?=\s*(?:\[\d+: |$))")
# The body of a footnote with a custom mark starts with the mark: "\t*\ttext".
BODY_MARK = re.compile(r"^\s*\*+\s+")
CJK = re.compile(r"[\u3000-\u9fff\uff00-\uffef]")
URL_LINE = re.compile(r"^# url: ")


def read(path: str | os.PathLike) -> Source:
    """Read a UTF-8 text file into the intermediate form."""
    raw = _read_bytes(path)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        bad = raw[err.start:err.start + 1]
        raise ReadError(path, f"not UTF-8 text (byte {err.start}: {bad!r}); "
                              "convert the file to UTF-8") from err
    if "\x00" in text:
        raise ReadError(path, "binary content (NUL bytes); expected text, DOCX, PDF or HTML")
    return parse(text, path=str(path), sha256=hashlib.sha256(raw).hexdigest())


def parse(text: str, *, path: str = "<text>", sha256: str = "") -> Source:
    """Parse text already in memory (used by :func:`read` and by tests)."""
    blocks: list[Block] = []
    footnotes: dict[str, SourceFootnote] = {}
    warnings: list[str] = []
    for number, line in enumerate(text.replace("\r\n", "\n").replace("\r", "\n").split("\n"), 1):
        if number == 1 and URL_LINE.match(line):
            continue  # provenance line of the corpus files, not document text
        body_start = len(line)
        for match in BODY.finditer(line) if "[" in line else ():
            body_start = min(body_start, match.start())
            fid = match.group(1)
            if fid in footnotes:
                warnings.append(f"{path}:{number}: footnote {fid} defined twice; keeping the first")
                continue
            footnotes[fid] = SourceFootnote(fid, BODY_MARK.sub("", match.group(2)).strip(), number)
        content = line[:body_start]
        block = _block(content, number)
        if block.text or block.markers:
            blocks.append(block)
    return Source(path=path, format="text", sha256=sha256, blocks=blocks, footnotes=footnotes,
                  warnings=warnings)


def _block(content: str, line: int) -> Block:
    """Lift the footnote markers out of one line and measure its indentation."""
    indent = len(content) - len(content.lstrip("\t"))
    content = content.strip()
    text_parts: list[str] = []
    markers: list[Marker] = []
    pos = 0
    length = 0
    for match in MARKER.finditer(content) if "[footnoteRef:" in content else ():
        piece = content[pos:match.start()]
        text_parts.append(piece)
        length += len(piece)
        markers.append(Marker(length, match.group(1)))
        pos = match.end()
        # Word puts a space after the marker even inside Chinese text, where it is noise.
        if content[pos:pos + 1] == " " and CJK.match(content[pos + 1:pos + 2] or "x"):
            pos += 1
    text_parts.append(content[pos:])
    text = "".join(text_parts)
    stripped = text.rstrip()
    return Block(text=stripped, line=line, markers=[m for m in markers if m.offset <= len(stripped)]
                 + [Marker(len(stripped), m.footnote) for m in markers if m.offset > len(stripped)],
                 indent=indent)


def _read_bytes(path: str | os.PathLike) -> bytes:
    try:
        with open(path, "rb") as fh:
            return fh.read()
    except OSError as err:
        raise ReadError(path, err.strerror or str(err)) from err
