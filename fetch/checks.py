"""What a download must pass before it enters the cache.

The format is told by content (magic bytes), the content type only explains a mismatch: a
DOCX is a ZIP holding ``word/document.xml``, a PDF starts with ``%PDF`` and ends with
``%%EOF``, an HTML page starts with a doctype or ``<html``, anything else that decodes as
text is a text export.  Then the extractor itself reads the file (its readers and its
language detection): a page that is not concluding observations (an error page, a login
page, a search page), a document in another language or with another symbol is refused with
the reason.  Nothing here touches the cache.
"""
from __future__ import annotations

import io
import re
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

from rightsgraph.core.errors import RightsgraphError
from rightsgraph.core.uhri import symbol_key
from rightsgraph.extract import ExtractionError, extract_file

EXTENSIONS = {"docx": ".docx", "pdf": ".pdf", "html": ".html", "text": ".txt"}
_HTML = re.compile(rb"^\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body)\b", re.I | re.S)
_LOGIN = re.compile(r"<input[^>]+type\s*=\s*[\"']?password|sign[ -]?in\b|log[ -]?in\b|"
                    r"\bauthenticat", re.I)
_TITLE = re.compile(r"<title[^>]*>(.*?)</title>", re.I | re.S)
CONTENT_TYPES = {
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document",),
    "pdf": ("application/pdf",),
    "html": ("text/html", "application/xhtml+xml"),
    "text": ("text/plain",),
}


class RefusedError(RightsgraphError):
    """The download is not the document asked for; the message is the reason."""


@dataclass
class Checked:
    format: str  # docx, pdf, html, text
    extension: str
    language: str
    symbol: str | None
    paragraphs: int
    warnings: list[str]


def sniff(content: bytes, content_type: str | None) -> str:
    """The format of a download, by its content; :class:`RefusedError` if none we read."""
    declared = (content_type or "").split(";")[0].strip().lower()
    if not content:
        raise RefusedError("empty response (the server has no such document)")
    if content.startswith(b"PK\x03\x04"):
        return "docx"
    if content.startswith(b"%PDF"):
        return "pdf"
    if content.startswith(b"\xd0\xcf\x11\xe0"):
        raise RefusedError("a legacy binary Word .doc, which build cannot read")
    if _HTML.match(content[:2048].lstrip(b"\xef\xbb\xbf")):
        if declared and declared not in CONTENT_TYPES["html"]:
            raise RefusedError(f"an HTML page served as {declared}")
        return "html"
    if declared in CONTENT_TYPES["docx"] or declared in CONTENT_TYPES["pdf"]:
        raise RefusedError(f"not a {declared} file (no ZIP or %PDF signature)")
    try:
        content[:65536].decode("utf-8")
    except UnicodeDecodeError:
        if not content.startswith((b"\xff\xfe", b"\xfe\xff")):
            raise RefusedError(f"unreadable content ({declared or 'no content type'}, "
                          "not UTF-8 text)") from None
    return "text"


def check_complete(fmt: str, content: bytes) -> None:
    """Refuse a download cut short: a PDF without its ``%%EOF`` trailer, a ZIP without its
    central directory."""
    if fmt == "pdf" and b"%%EOF" not in content[-2048:]:
        raise RefusedError(f"truncated PDF ({len(content)} bytes, no %%EOF trailer)")
    if fmt == "docx":
        try:
            with zipfile.ZipFile(io.BytesIO(content)) as archive:
                names = archive.namelist()
                if "word/document.xml" not in names:
                    raise RefusedError(
                        "a ZIP file that is not a Word document (no word/document.xml)")
                if archive.testzip() is not None:
                    raise RefusedError("a damaged DOCX (a member fails its CRC check)")
        except zipfile.BadZipFile as err:
            raise RefusedError(f"truncated or damaged DOCX ({err})") from None


def check_page(content: bytes) -> None:
    """An HTML answer that asks for a login is a login page, whatever else it holds."""
    head = content[:20000].decode("utf-8", "replace")
    found = _TITLE.search(head)
    title = " ".join(found.group(1).split()) if found else ""
    if _LOGIN.search(title) or re.search(r"<input[^>]+type\s*=\s*[\"']?password", head, re.I):
        raise RefusedError(f"a login page ({title!r})")


def check_document(content: bytes, content_type: str | None, *, symbol: str,
                   language: str) -> Checked:
    """Every check, in order; :class:`RefusedError` with the first reason that applies."""
    fmt = sniff(content, content_type)
    check_complete(fmt, content)
    if fmt == "html":
        check_page(content)
    with tempfile.TemporaryDirectory(prefix="rightsgraph-check-") as folder:
        path = Path(folder) / f"download{EXTENSIONS[fmt]}"
        path.write_bytes(content)
        try:
            doc = extract_file(path)
        except ExtractionError as err:
            reason = str(err).replace(str(path), "the download")
            raise RefusedError(f"not concluding observations: {reason}") from None
        except (ValueError, LookupError, OSError) as err:  # a reader's failure, not ours
            raise RefusedError(f"the extractor cannot read it ({type(err).__name__}: "
                               f"{str(err).replace(str(path), 'the download')})") from None
    if doc.document_type not in (None, "concluding observations"):
        raise RefusedError(f"not concluding observations (a {doc.document_type} document)")
    if doc.language != language:
        raise RefusedError(f"wrong language: the document is in {doc.language}, not {language}")
    if doc.symbol and not doc.symbol_derived and symbol_key(doc.symbol) != symbol_key(symbol):
        raise RefusedError(f"another document: {doc.symbol}, not {symbol}")
    warnings = [w.replace(str(path), "the download") for w in doc.warnings]
    return Checked(format=fmt, extension=EXTENSIONS[fmt], language=doc.language,
                   symbol=doc.symbol, paragraphs=len(doc.paragraphs), warnings=warnings)
