"""What the SPARQL endpoint accepts: the SPARQL 1.1 Protocol's request forms, content
negotiation, and the refusals that make it safe to expose (no updates, bounded query text
and request body; federation is refused on the parsed query, see
:mod:`rightsgraph.graph.query_guard`)."""
from __future__ import annotations

import asyncio
import binascii
import functools
import re
from urllib.parse import parse_qsl

from rightsgraph.core import formats
from rightsgraph.core.errors import RightsgraphError
from rightsgraph.graph.query_guard import QueryRefusedError, check_shape

MAX_QUERY_CHARS = 100_000
# A POST body: the longest query, percent-encoded in a form; refused past this before it is
# read (by its Content-Length) and while it is read (a body may come without one).
MAX_BODY_BYTES = 1_000_000
BODY_TIMEOUT = 10.0  # seconds for a whole POST body to arrive

# an update: its first keyword after the prologue (one match, no copy of the query)
_UPDATE = re.compile(r"\s*(?:(?:BASE\s*<[^>]*>|PREFIX\s+[\w.-]*:\s*<[^>]*>)\s*)*"
                     r"(?:INSERT|DELETE|LOAD|CLEAR|CREATE|DROP|COPY|MOVE|ADD|WITH)\b",
                     re.IGNORECASE)


class RefusedError(RightsgraphError):
    """A request the server will not answer; ``status`` is the HTTP status to answer,
    ``headers`` what the answer carries besides (``Retry-After``) and ``hint`` what to try
    instead (a valid value, a close match), if anything."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None,
                 hint: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}
        self.hint = hint


def check_query(query: str) -> None:
    """Refuse what this endpoint does not run, before a worker sees it: over-long query
    texts (413), updates (403), brackets nested too deep or too many tokens (400, see
    :func:`~rightsgraph.graph.query_guard.check_shape`).  Federation is decided later, on
    the parsed query, in the worker (:func:`~rightsgraph.graph.query_guard.check_federation`)."""
    if len(query) > MAX_QUERY_CHARS:
        raise RefusedError(413, f"the query is longer than {MAX_QUERY_CHARS:,} characters")
    if _UPDATE.match(query):
        raise RefusedError(403, "this endpoint is read-only: SPARQL Update (INSERT, DELETE, LOAD, "
                           "CLEAR, DROP, …) is not accepted")
    try:
        check_shape(query)
    except QueryRefusedError as err:
        raise RefusedError(400, str(err)) from err


async def read_body(request, *, limit: int = MAX_BODY_BYTES,
                    timeout: float = BODY_TIMEOUT) -> bytes:
    """The body of ``request``, refused if it declares (413) or brings (413) more than
    ``limit`` bytes, or does not arrive in ``timeout`` seconds (408): a body is never read
    into memory past the limit, and a client that stops sending does not hold the server."""
    declared = request.headers.get("content-length")
    if declared is not None:
        if not declared.isdigit():
            raise RefusedError(400, "the Content-Length header is not a number")
        if int(declared) > limit:
            raise RefusedError(413, f"the request body is larger than {limit:,} bytes")

    async def collect() -> bytes:
        parts, size = [], 0
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                raise RefusedError(413, f"the request body is larger than {limit:,} bytes")
            parts.append(chunk)
        return b"".join(parts)

    try:
        return await asyncio.wait_for(collect(), timeout)
    except TimeoutError as err:
        raise RefusedError(408, f"the request body did not arrive within {timeout:g} s") \
            from err


def plain_query(query_string: bytes) -> str | None:
    """The query of a plain ``GET /sparql?query=…``: the query string's only parameter, not
    blank, passing :func:`check_query`; ``None`` for any other request, which the route
    answers with its own checks (both the HTTP protocol's fast path, ``api/sparql.py``, and
    a public worker's handed-over connection, ``api/handover.py``, take only these)."""
    pairs = form_pairs(query_string)
    if len(pairs) != 1 or pairs[0][0] != "query":
        return None
    query = pairs[0][1]
    if not query or query.isspace():
        return None
    try:
        check_query(query)
    except RefusedError:
        return None
    return query


def form_pairs(data: bytes) -> list[tuple[str, str]]:
    """The name-value pairs of a query string or form body: ``urllib.parse.parse_qsl(
    data.decode("latin-1"), keep_blank_values=True)``, the same pairs, but for an ASCII
    string (as clients send URLs) percent-decoded by C code: urllib decodes each ``%XX`` in
    Python, about 20 µs for a query of a few lines, more than the rest of a request to
    ``/sparql`` in the server.  The decoder is binascii's quoted-printable one, which reads
    ``=XX``: each ``=`` is first written ``=3D``, then each ``%`` as ``=``.  A string with an
    escape that is not two hex digits (which urllib keeps as it is) goes to urllib."""
    if not data.isascii() or _BAD_ESCAPE.search(data):
        return parse_qsl(data.decode("latin-1"), keep_blank_values=True)
    pairs = []
    for part in data.split(b"&"):
        if part:
            name, _, value = part.partition(b"=")
            pairs.append((_unquote_plus(name), _unquote_plus(value)))
    return pairs


_BAD_ESCAPE = re.compile(rb"%(?![0-9A-Fa-f]{2})")


def _unquote_plus(part: bytes) -> str:
    part = part.replace(b"+", b" ")
    if b"%" not in part:
        return part.decode("ascii")
    return binascii.a2b_qp(part.replace(b"=", b"=3D").replace(b"%", b"=")).decode(
        "utf-8", errors="replace")


def accepted_types(accept: str | None) -> list[str]:
    """The media types of an ``Accept`` header, best first (q-values honoured; q=0 dropped)."""
    if not accept:
        return ["*/*"]
    if len(accept) > _CACHED_ACCEPT_CHARS:  # not kept: the cache stays small
        return list(_ranked.__wrapped__(accept))
    return list(_ranked(accept))


_CACHED_ACCEPT_CHARS = 512


@functools.lru_cache(maxsize=256)
def _ranked(accept: str) -> tuple[str, ...]:
    """:func:`accepted_types` of a header, kept for the next request that sends the same
    (clients send a few distinct headers, each many times)."""
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
    return tuple(media for *_, media in sorted(ranked)) or ("*/*",)


FORMAT_NAMES = formats.web_names()  # ?format= shortcuts, for links and browsers
