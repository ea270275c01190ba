"""The HTTP protocol ``rightsgraph serve`` runs under uvicorn: uvicorn's httptools protocol,
a response's start and its first piece of body sent in one system call, each header line
checked once, one keep-alive timer per connection.

uvicorn writes a response's status line and headers when the application sends
``http.response.start``, and its body at ``http.response.body``: two ``send`` calls on the
socket, two TCP segments, two wake-ups of the client, for every response.  On the
``/sparql`` point queries of the scale benchmark (a 4-10 kB answer) the first of them was
a fifth of the server process's time (py-spy, GIL samples; decision 0013).  Here the
status line and headers are held until the first ``http.response.body`` and written with
it, so a whole response (as ``/sparql`` answers are) goes out in one ``send``; a response
streamed in pieces (a dump) goes out as before, piece by piece.

uvicorn also checks every header line of every response with two regular expressions, and
arms a keep-alive timer after each response that the next request cancels: the same few
header lines are checked once here (:data:`_CHECKED`), and a connection keeps one timer
(:class:`HttpProtocol`).  Decision 0013, sixth amendment.
"""
from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, cast

from uvicorn.protocols.http.httptools_impl import (
    HEADER_RE,
    HEADER_VALUE_RE,
    STATUS_LINE,
    HttpToolsProtocol,
    RequestResponseCycle,
)

# Header lines already checked (a response's headers are the same few constants, request
# after request): checked once, not with two regular expressions each per response.  Bounded
# (short values only; emptied when full: the Date header changes every second).
_CHECKED: set[tuple[bytes, bytes]] = set()
CHECKED_MAX = 1024


class _Cycle(RequestResponseCycle):
    """uvicorn's request-response cycle with its response's start held (``_head``) until
    the first piece of body and written with it, and each header line checked once.  What
    it does not take over (a HEAD request, chunked encoding, a paused or lost connection)
    is uvicorn's own ``send``, after the held start is written."""

    _head: bytes | None = None  # the response's start, not yet written

    async def send(self, message: Any) -> None:
        if (message["type"] == "http.response.start" and not self.response_started
                and not self.disconnected and not self.flow.write_paused
                and not self.access_log):
            self._head = self._start(message)
            return
        head = self._head
        if head is None:
            await super().send(message)
            return
        self._head = None
        if (message["type"] != "http.response.body" or self.disconnected
                or self.chunked_encoding or self.flow.write_paused
                or self.scope["method"] == "HEAD"):
            if not self.disconnected:
                self.transport.write(head)
            await super().send(message)
            return
        body = message.get("body", b"")
        if len(body) > self.expected_content_length:
            raise RuntimeError("Response content longer than Content-Length")
        self.expected_content_length -= len(body)
        self.transport.write(head + body if body else head)
        if not message.get("more_body", False):
            if self.expected_content_length != 0:
                raise RuntimeError("Response content shorter than Content-Length")
            self.response_complete = True
            self.message_event.set()
            if not self.keep_alive:
                self.transport.close()
            self.on_response()

    async def answer_plain(self, outcome: Awaitable[Any], app: Any) -> None:
        """Answer a plain ``GET /sparql?query=…`` (``App.sparql_plain`` of ``app``) as
        :meth:`run_asgi` runs the application: its answer sent as the route sends it, a
        refusal rendered by the ASGI application the outcome gives (with ``app`` in its
        scope, as the routed path has it: an HTML error page reads its state), an error
        logged and answered with a 500."""
        try:
            found = await outcome
            if callable(found):
                cast(dict, self.scope)["app"] = app
                await self.run_asgi(found)
                return
            headers, body = found
            await self.send({"type": "http.response.start", "status": 200, "headers": headers})
            await self.send({"type": "http.response.body", "body": body})
        except BaseException as exc:
            self.logger.error("Exception in ASGI application\n", exc_info=exc)
            if not self.response_started:
                await self.send_500_response()
            else:
                self.transport.close()
        finally:
            self.on_response = lambda: None

    def _start(self, message: Any) -> bytes:
        """The status line and headers of the response ``message`` starts, as uvicorn
        writes them (its default headers first, ``connection: close`` and chunked encoding
        added as it adds them)."""
        self.response_started = True
        self.waiting_for_100_continue = False
        status_code = message["status"]
        content = [STATUS_LINE[status_code]]
        has_connection_close = False
        for headers in (self.default_headers, message.get("headers", ())):
            for name, value in headers:
                if (name, value) not in _CHECKED:
                    if HEADER_RE.search(name):
                        raise RuntimeError("Invalid HTTP header name.")
                    if HEADER_VALUE_RE.search(value):
                        raise RuntimeError("Invalid HTTP header value.")
                    if len(value) <= 256:
                        if len(_CHECKED) >= CHECKED_MAX:
                            _CHECKED.clear()
                        _CHECKED.add((name, value))
                name = name.lower()
                if name == b"content-length" and self.chunked_encoding is None:
                    self.expected_content_length = int(value.decode())
                    self.chunked_encoding = False
                elif name == b"transfer-encoding" and value.lower() == b"chunked":
                    self.expected_content_length = 0
                    self.chunked_encoding = True
                elif name == b"connection" and b"close" in [
                        token.lower().strip() for token in value.split(b",")]:
                    self.keep_alive = False
                    has_connection_close = True
                content.extend((name, b": ", value, b"\r\n"))
        if not self.keep_alive and not has_connection_close:
            content.append(b"connection: close\r\n")
        if (self.chunked_encoding is None and self.scope["method"] != "HEAD"
                and status_code not in (204, 304)):
            self.chunked_encoding = True
            content.append(b"transfer-encoding: chunked\r\n")
        content.append(b"\r\n")
        return b"".join(content)


_HANDED_MAX = 16 * 1024  # a larger request stays here (api/handover.py's REQUEST_MAX)
_TAKING: set[asyncio.Task] = set()  # connections being taken back from workers


async def _take_back(loop: asyncio.AbstractEventLoop, make: Callable[[], HttpProtocol],
                     sock: Any, data: bytes, refusal: tuple | None, unsent: bytes = b"",
                     close: bool = False) -> None:
    try:
        _, protocol = await loop.connect_accepted_socket(make, sock)
    except OSError:
        sock.close()
        return
    if unsent:  # the rest of the worker's answer, which the client had not taken yet
        protocol.transport.write(unsent)
    if close:  # once what is written is sent
        protocol.transport.close()
        return
    protocol._feed(data, refusal)


class HttpProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol answering through :class:`_Cycle`
    (``uvicorn.run(..., http=HttpProtocol)``), with one keep-alive timer per connection:
    uvicorn arms a timer after each response and cancels it when the next request arrives;
    here the timer, once armed, stays, and when it fires closes the connection if it has
    been idle since a response for the keep-alive time, else is armed again at that time
    (or, when a request is being answered, once its response is complete)."""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        # the application's answer to a plain GET /sparql?query=… (App.sparql_plain), when
        # the application is ours as it is (not inside uvicorn's proxy-headers middleware,
        # which names the client)
        self._plain: Callable[[Any], Awaitable[Any] | None] | None = getattr(
            self.app, "sparql_plain", None)
        self._idle_since: float | None = None  # the loop's time of the last response
        self._keep_alive: asyncio.TimerHandle | None = None
        # the public lane, when it takes /sparql connections (api/handover.py)
        self._handover: Any = getattr(self.app, "sparql_handover", None) if self._plain \
            is not None else None
        self._in_message = False  # a request begun and not yet whole
        self._refusal: tuple | None = None  # the first request's, given back by a worker

    def on_message_begin(self) -> None:
        self._in_message = True
        super().on_message_begin()

    def on_message_complete(self) -> None:
        self._in_message = False
        super().on_message_complete()

    def _start_asgi_task(self, cycle: RequestResponseCycle, app: Any) -> None:
        if type(cycle) is RequestResponseCycle:
            cycle.__class__ = _Cycle  # the cycle uvicorn made, with _Cycle's send
        plain = self._plain
        if (plain is not None and app is self.app and cycle.scope["path"] == "/sparql"
                and cycle.scope["method"] == "GET"):
            refusal, self._refusal = self._refusal, None
            if refusal is not None:  # a worker's refusal of this request: not run again
                from rightsgraph.api.sparql import refused

                outcome: Any = refused(*refusal)
            else:
                outcome = plain(cycle.scope)
            if outcome is not None:
                task = self.loop.create_task(cast(_Cycle, cycle).answer_plain(outcome, app))
                task.add_done_callback(self.tasks.discard)
                self.tasks.add(task)
                return
        super()._start_asgi_task(cycle, app)

    def data_received(self, data: bytes) -> None:
        self._idle_since = None
        if (self._handover is not None and data.startswith(b"GET /sparql?query=")
                and data.endswith(b"\r\n\r\n") and not self._in_message
                and (self.cycle is None or self.cycle.response_complete)
                and not self.pipeline and not self.flow.read_paused
                and len(data) <= _HANDED_MAX and b"&" not in data[:data.find(b"\r\n")]
                and self._hand_over(data)):
            return
        super().data_received(data)

    def _hand_over(self, data: bytes) -> bool:
        """The connection handed to a public worker, with ``data`` (a whole request), when
        the lane admits it: the worker answers its requests from now on (``api/handover.py``).
        Our transport is closed without shutting the socket down: the worker holds one
        duplicate of it and the lane another, to answer for a worker that dies."""
        sock = self.transport.get_extra_info("socket")
        if sock is None:
            return False
        defaults = self.server_state.default_headers
        dated = bool(defaults) and defaults[0][0] == b"date"
        from rightsgraph.api.handover import answer_lines

        if not self._handover.hand_over(
                sock.fileno(), self.client[0] if self.client else None, data, dated,
                answer_lines(defaults[1:] if dated else defaults), self.timeout_keep_alive,
                self._taker()):
            return False
        self._handover = None  # this protocol is done
        self.transport.close()
        return True

    def _taker(self) -> Callable[[Any, bytes, tuple | None], None]:
        """How the server takes a connection back from a worker: a new protocol on its
        socket, fed the bytes the worker read and did not answer."""
        config, server_state, app_state, loop = (self.config, self.server_state,
                                                 self.app_state, self.loop)

        def make() -> HttpProtocol:
            return HttpProtocol(config=config, server_state=server_state, app_state=app_state,
                                _loop=loop)

        def take(sock: Any, data: bytes, refusal: tuple | None, unsent: bytes = b"",
                 close: bool = False) -> None:
            task = loop.create_task(_take_back(loop, make, sock, data, refusal, unsent, close))
            _TAKING.add(task)
            task.add_done_callback(_TAKING.discard)

        return take

    def _feed(self, data: bytes, refusal: tuple | None) -> None:
        """A connection taken back from a worker: its bytes read and not answered, or, with
        none, an idle connection, closed after the keep-alive time as after a response."""
        self._refusal = refusal
        if data:
            self._idle_since = None
            super().data_received(data)
        elif self._keep_alive is None:
            self._idle_since = self.loop.time()
            self._keep_alive = self.loop.call_at(self._idle_since + self.timeout_keep_alive,
                                                 self._check_keep_alive)

    def on_response_complete(self) -> None:  # uvicorn's, but for the keep-alive timer
        self.server_state.total_requests += 1
        if self.transport.is_closing():
            return
        self.flow.resume_reading()
        if self.pipeline:
            cycle, app = self.pipeline.pop()
            self._start_asgi_task(cycle, app)
            return
        self._idle_since = self.loop.time()
        if self._keep_alive is None:
            self._keep_alive = self.loop.call_at(self._idle_since + self.timeout_keep_alive,
                                                 self._check_keep_alive)

    def _check_keep_alive(self) -> None:
        self._keep_alive = None
        if self._idle_since is None or self.transport.is_closing():
            return  # a request arrived since: armed again once its response is complete
        now = self.loop.time()
        if self.transport.get_write_buffer_size():  # still sending (a worker's answer's rest):
            self._idle_since = now  # not idle; looked at again soon, idle from about then
            self._keep_alive = self.loop.call_at(now + min(1.0, self.timeout_keep_alive / 4),
                                                 self._check_keep_alive)
            return
        deadline = self._idle_since + self.timeout_keep_alive
        if now >= deadline:
            self.timeout_keep_alive_handler()
        else:
            self._keep_alive = self.loop.call_at(deadline, self._check_keep_alive)

    def connection_lost(self, exc: Exception | None) -> None:
        if self._keep_alive is not None:
            self._keep_alive.cancel()
            self._keep_alive = None
        super().connection_lost(exc)
