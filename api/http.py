"""The HTTP protocol ``rightsgraph serve`` runs under uvicorn: uvicorn's httptools protocol,
its writes made in one step of the event loop sent in one system call.

uvicorn writes a response's status line and headers when the application sends
``http.response.start``, and its body at ``http.response.body``: two ``send`` calls on the
socket, two TCP segments, two wake-ups of the client, for every response.  On the
``/sparql`` point queries of the scale benchmark (a 4-10 kB answer) the first of them was
a fifth of the server process's time (py-spy, GIL samples; decision 0013).
:class:`OneWrite` holds what is written during one step of the event loop and writes it
at the end of the step, so a response sent in one step (as ``/sparql`` answers are) goes
out in one ``send``; a response streamed over several steps (a dump) goes out as before,
piece by piece.  Nothing is held longer than the step: the loop runs the flush next.
"""
from __future__ import annotations

import asyncio
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol


class OneWrite:
    """``transport`` with its writes of one step of the event loop joined into one.
    Everything else is the transport's own; closing it sends what is held first."""

    def __init__(self, transport: asyncio.Transport,
                 loop: asyncio.AbstractEventLoop | None = None) -> None:
        self._transport = transport
        self._loop = loop or asyncio.get_running_loop()
        self._held: list[bytes] = []

    def write(self, data: bytes | bytearray | memoryview) -> None:
        if not self._held:
            self._loop.call_soon(self.flush)
        self._held.append(bytes(data))

    def writelines(self, lines) -> None:
        for data in lines:
            self.write(data)

    def flush(self) -> None:
        """Send what is held (at the end of the step, or before closing)."""
        if not self._held:
            return
        held, self._held = self._held, []
        if not self._transport.is_closing():
            self._transport.write(held[0] if len(held) == 1 else b"".join(held))

    def close(self) -> None:
        self.flush()
        self._transport.close()

    def write_eof(self) -> None:
        self.flush()
        self._transport.write_eof()

    def is_closing(self) -> bool:  # asked after every response: not through __getattr__
        return self._transport.is_closing()

    def get_write_buffer_size(self) -> int:
        return self._transport.get_write_buffer_size() + sum(map(len, self._held))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._transport, name)


class HttpProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol writing through :class:`OneWrite`
    (``uvicorn.run(..., http=HttpProtocol)``)."""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(OneWrite(transport))  # type: ignore[arg-type]
