"""A polite HTTP client: one request a second per host, retries with backoff on 429 and
5xx honouring ``Retry-After``, timeouts, a User-Agent that names the project."""
from __future__ import annotations

import email.utils
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import httpx

from rightsgraph import __version__
from rightsgraph.core.errors import RightsgraphError
from rightsgraph.core.identifiers import DEFAULT_BASE

# Names the project and its address (the base of the graph's URIs, DEFAULT_BASE).
USER_AGENT = (f"rightsgraph/{__version__} (+{DEFAULT_BASE}; a linked-data graph of UN "
              "treaty-body concluding observations; one request a second per host)")
RETRY_STATUSES = {429, 500, 502, 503, 504}
MAX_WAIT = 300.0  # never sleep longer than this for one Retry-After


class FetchError(RightsgraphError):
    """A request failed after its retries; ``status`` is the last HTTP status (or None)."""

    def __init__(self, url: str, reason: str, status: int | None = None) -> None:
        self.url = url
        self.reason = reason
        self.status = status
        super().__init__(f"{url}: {reason}")


class HostLimiter:
    """At most ``rate`` requests a second to each host, however many threads ask."""

    def __init__(self, rate: float, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.interval = 1.0 / rate if rate > 0 else 0.0
        self.clock = clock
        self.sleep = sleep
        self._next: dict[str, float] = {}
        self._lock = threading.Lock()

    def wait(self, host: str, at_least: float = 0.0) -> None:
        """Block until a request to ``host`` may go (and ``at_least`` seconds from now)."""
        with self._lock:
            now = self.clock()
            start = max(now + at_least, self._next.get(host, now))
            self._next[host] = start + self.interval
        if start > now:
            self.sleep(start - now)


@dataclass
class Response:
    url: str  # after redirects
    status: int
    headers: httpx.Headers
    content: bytes
    expected_size: int | None  # Content-Length, when the server gave one
    truncated: bool = False
    redirects: list[str] = field(default_factory=list)


class PoliteClient:
    def __init__(self, *, rate: float = 1.0, retries: int = 3, timeout: float = 60.0,
                 backoff: float = 2.0, max_bytes: int = 200_000_000,
                 sleep: Callable[[float], None] = time.sleep,
                 transport: httpx.BaseTransport | None = None) -> None:
        self.limiter = HostLimiter(rate, sleep=sleep)
        self.retries = retries
        self.backoff = backoff
        self.max_bytes = max_bytes
        self.sleep = sleep
        self.client = httpx.Client(
            headers={"User-Agent": USER_AGENT}, follow_redirects=True, max_redirects=10,
            timeout=httpx.Timeout(timeout, connect=min(timeout, 20.0)), transport=transport)

    def close(self) -> None:
        self.client.close()

    def get(self, url: str, headers: dict[str, str] | None = None) -> Response:
        """GET with retries; a final 4xx/5xx is returned (the caller decides), a network
        failure after the retries raises :class:`FetchError`."""
        wait_first = 0.0
        last: Response | None = None
        for attempt in range(self.retries + 1):
            host = urlsplit(url).hostname or "?"
            self.limiter.wait(host, wait_first)
            try:
                last = self._once(url, headers)
            except httpx.HTTPError as err:
                if attempt == self.retries:
                    raise FetchError(url, f"{type(err).__name__}: {err}") from err
                wait_first = self.backoff * 2 ** attempt
                continue
            if last.status not in RETRY_STATUSES or attempt == self.retries:
                return last
            asked = retry_after(last.headers.get("retry-after"), time.time())
            wait_first = min(self.backoff * 2 ** attempt if asked is None else asked, MAX_WAIT)
        assert last is not None  # the loop returns or raises
        return last

    def _once(self, url: str, headers: dict[str, str] | None) -> Response:
        with self.client.stream("GET", url, headers=headers) as reply:
            expected = _int(reply.headers.get("content-length"))
            chunks: list[bytes] = []
            size = 0
            truncated = False
            try:
                for chunk in reply.iter_raw() if _identity(reply) else reply.iter_bytes():
                    size += len(chunk)
                    if size > self.max_bytes:
                        raise FetchError(url, f"larger than {self.max_bytes} bytes",
                                         reply.status_code)
                    chunks.append(chunk)
            except (httpx.RemoteProtocolError, httpx.ReadError):
                truncated = True  # the connection closed before the body was complete
            content = b"".join(chunks)
            if expected is not None and _identity(reply) and len(content) < expected:
                truncated = True
            return Response(url=str(reply.url), status=reply.status_code, headers=reply.headers,
                            content=content, expected_size=expected, truncated=truncated,
                            redirects=[str(r.url) for r in reply.history])


def retry_after(value: str | None, now: float) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delay-seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - now)


def _identity(reply: httpx.Response) -> bool:
    return reply.headers.get("content-encoding", "identity").lower() in ("identity", "")


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None
