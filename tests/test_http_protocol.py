"""The HTTP protocol of ``rightsgraph serve`` (api/http.py): a response written in one
step of the event loop leaves in one write, a streamed one piece by piece, and the
answers are uvicorn's own."""
from __future__ import annotations

import asyncio
import socket
import threading
import time

import httpx
import pytest
import uvicorn

from rightsgraph.api.http import HttpProtocol, OneWrite


class Recording:
    """A transport that records what reaches it."""

    def __init__(self) -> None:
        self.writes: list[bytes] = []
        self.closed = False

    def write(self, data: bytes) -> None:
        self.writes.append(data)

    def close(self) -> None:
        self.closed = True

    def is_closing(self) -> bool:
        return self.closed

    def get_write_buffer_size(self) -> int:
        return 0

    def get_extra_info(self, name: str, default=None):
        return {"peername": ("127.0.0.1", 5)}.get(name, default)


def test_writes_of_one_step_leave_together_and_closing_sends_what_is_held():
    async def main():
        raw = Recording()
        transport = OneWrite(raw)  # type: ignore[arg-type]
        transport.write(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n")
        transport.write(memoryview(b"ok"))
        assert raw.writes == [] and transport.get_write_buffer_size() == 40
        await asyncio.sleep(0)  # the end of the step
        first = list(raw.writes)
        transport.write(b"one")
        await asyncio.sleep(0)
        transport.write(b"two")
        transport.close()  # sent before the transport closes
        held_after_close = list(raw.writes)
        await asyncio.sleep(0)
        return first, held_after_close, raw, transport.get_extra_info("peername")

    first, after_close, raw, peer = asyncio.run(main())
    assert first == [b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok"]
    assert after_close == [*first, b"one", b"two"] and raw.closed
    assert raw.writes == after_close  # nothing written after closing
    assert peer == ("127.0.0.1", 5)  # everything else is the transport's


async def app(scope, receive, send):
    if scope["type"] != "http":
        return
    if scope["path"] == "/stream":  # over several steps of the loop
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-type", b"text/plain")]})
        for n in range(5):
            await asyncio.sleep(0.01)
            await send({"type": "http.response.body", "body": b"%d" % n * 10_000,
                        "more_body": True})
        await send({"type": "http.response.body", "body": b""})
        return
    body = b"x" * 9_925
    await send({"type": "http.response.start", "status": 200,
                "headers": [(b"content-type", b"application/sparql-results+json"),
                            (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


@pytest.fixture(scope="module")
def served():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, http=HttpProtocol,
                                           log_level="warning", access_log=False))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


def test_responses_whole_or_streamed_on_kept_and_closed_connections(served):
    with httpx.Client(base_url=served) as client:
        for _ in range(3):  # one connection kept alive
            answer = client.get("/sparql")
            assert answer.status_code == 200 and answer.content == b"x" * 9_925
        streamed = client.get("/stream")
        assert streamed.content == b"".join(b"%d" % n * 10_000 for n in range(5))
    closed = httpx.get(served + "/sparql", headers={"Connection": "close"})
    assert closed.status_code == 200 and len(closed.content) == 9_925
    assert closed.headers["connection"] == "close"
