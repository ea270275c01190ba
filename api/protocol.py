"""What the SPARQL endpoint accepts: the SPARQL 1.1 Protocol's request forms, content
negotiation, and the refusals that make it safe to expose (no updates, no federation unless
allowed, bounded query text)."""
from __future__ import annotations

import re
from collections.abc import Iterable

from rightsgraph.core import formats

MAX_QUERY_CHARS = 100_000

# Strings, IRIs and comments, which may contain any word without it being a keyword.
_OPAQUE = re.compile(
    r'"""[\s\S]*?"""|\'\'\'[\s\S]*?\'\'\'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\''
    r"|<[^<>\s]*>|#[^\n]*"
)
_PROLOGUE = re.compile(r"^\s*(?:(?:BASE\s*<[^>]*>|PREFIX\s+[\w.-]*:\s*<[^>]*>)\s*)*",
                       re.IGNORECASE)
_UPDATE = re.compile(
    r"^(?:INSERT|DELETE|LOAD|CLEAR|CREATE|DROP|COPY|MOVE|ADD|WITH)\b", re.IGNORECASE)
_SERVICE = re.compile(r"(?<![\w:?$])SERVICE\s+(?:SILENT\s+)?(<[^<>\s]*>|[\w.-]*:[\w.-]*|[?$]\w+)",
                      re.IGNORECASE)


_NOT_IN_IRIREF = re.compile(r'[\x00-\x20<>"{}|^`\\]')


def safe_iri(text: str) -> bool:
    """Whether ``text`` can stand between ``<`` and ``>`` in SPARQL (the characters
    IRIREF excludes: controls, space, ``<>"{}|^`\\``)."""
    return bool(text) and not _NOT_IN_IRIREF.search(text)


class RefusedError(Exception):
    """A request the endpoint will not run; ``status`` is the HTTP status to answer."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def check_query(query: str, *, service_allow: Iterable[str] = ()) -> None:
    """Refuse what this endpoint does not run: updates (403), federated ``SERVICE`` calls to
    endpoints not on the allow-list (400), over-long query texts (413)."""
    if len(query) > MAX_QUERY_CHARS:
        raise RefusedError(413, f"the query is longer than {MAX_QUERY_CHARS:,} characters")
    prologue = _PROLOGUE.match(query)
    body = query[prologue.end():] if prologue else query
    if _UPDATE.match(body.lstrip()):
        raise RefusedError(403, "this endpoint is read-only: SPARQL Update (INSERT, DELETE, LOAD, "
                           "CLEAR, DROP, …) is not accepted")
    visible = _OPAQUE.sub(lambda m: m.group(0) if m.group(0).startswith("<") else " ", query)
    allowed = set(service_allow)
    for match in _SERVICE.finditer(visible):
        target = match.group(1)
        iri = target[1:-1] if target.startswith("<") else target
        if iri not in allowed:
            if allowed:
                names = ", ".join(sorted(allowed))
                raise RefusedError(400, f"SERVICE {target} is not allowed; this endpoint federates "
                                   f"only with: {names}")
            raise RefusedError(400, "federated queries (SERVICE) are disabled on this endpoint")


def accepted_types(accept: str | None) -> list[str]:
    """The media types of an ``Accept`` header, best first (q-values honoured; q=0 dropped)."""
    if not accept:
        return ["*/*"]
    ranked = []
    for position, part in enumerate(accept.split(",")):
        pieces = [p.strip() for p in part.split(";")]
        media = pieces[0].lower()
        if not media:
            continue
        quality = 1.0
        for parameter in pieces[1:]:
            name, _, value = parameter.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if quality > 0:
            specificity = 0 if media == "*/*" else 1 if media.endswith("/*") else 2
            ranked.append((-quality, -specificity, position, media))
    return [media for *_, media in sorted(ranked)] or ["*/*"]


FORMAT_NAMES = formats.web_names()  # ?format= shortcuts, for links and browsers
