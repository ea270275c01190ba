"""The HTTP protocol of ``rightsgraph serve`` (api/http.py): a response's start and body
leave in one write, a streamed one piece by piece, header lines are checked as uvicorn
checks them, an idle kept-alive connection is closed, and the answers are uvicorn's own."""
from __future__ import annotations

import asyncio
import socket
import time

import httpx
import pytest
import uvicorn
from conftest import serving
from uvicorn.server import ServerState

from rightsgraph.api import http
from rightsgraph.api.http import HttpProtocol


class Recording:
    """A transport that records what reaches it."""

    def __init__(self) -> None:
        self.writes: list[bytes] = []
        self.closed = False

    def write(self, data: bytes) -> None:
        self.writes.append(bytes(data))

    def close(self) -> None:
        self.closed = True

    def is_closing(self) -> bool:
        return self.closed

    def get_write_buffer_size(self) -> int:
        return 0

    def get_extra_info(self, name: str, default=None):
        return {"peername": ("127.0.0.1", 5), "sockname": ("127.0.0.1", 80)}.get(name, default)

    def pause_reading(self) -> None:
        pass

    def resume_reading(self) -> None:
        pass


def _exchange(application, *requests: bytes) -> Recording:
    """``requests`` given to the protocol on one connection, each once the response before
    it is complete; what it wrote."""
    async def main() -> Recording:
        config = uvicorn.Config(application, http=HttpProtocol, log_level="critical",
                                access_log=False)
        config.load()
        protocol = HttpProtocol(config=config, server_state=ServerState(), app_state={})
        raw = Recording()
        protocol.connection_made(raw)  # type: ignore[arg-type]
        for request in requests:
            protocol.data_received(request)
            deadline = time.monotonic() + 30
            while not (protocol.cycle.response_complete or raw.closed):
                assert time.monotonic() < deadline, "no response"
                await asyncio.sleep(0.001)
        protocol.connection_lost(None)
        return raw

    return asyncio.run(main())


def test_a_response_leaves_in_one_write_a_streamed_one_piece_by_piece():
    raw = _exchange(app, b"GET /sparql HTTP/1.1\r\nHost: x\r\n\r\n",
                    b"GET /sparql HTTP/1.1\r\nHost: x\r\n\r\n",
                    b"HEAD /sparql HTTP/1.1\r\nHost: x\r\n\r\n")
    assert len(raw.writes) == 3
    for write in raw.writes[:2]:
        head, body = write.split(b"\r\n\r\n", 1)
        assert head.startswith(b"HTTP/1.1 200 OK\r\n") and b"content-length: 9925" in head
        assert body == b"x" * 9_925
    assert raw.writes[2].endswith(b"\r\n\r\n")  # HEAD: the start alone
    streamed = _exchange(app, b"GET /stream HTTP/1.1\r\nHost: x\r\n\r\n")
    assert len(streamed.writes) == 7  # the start, five pieces, the end of the chunks
    assert streamed.writes[0].endswith(b"transfer-encoding: chunked\r\n\r\n")
    assert streamed.writes[1] == b"2710\r\n" + b"0" * 10_000 + b"\r\n"
    assert streamed.writes[-1] == b"0\r\n\r\n"


def test_header_lines_are_checked_every_time():
    async def bad(scope, receive, send):
        if scope["type"] != "http":
            return
        value = b"ok" if scope["path"] == "/good" else b"split\r\nset-cookie: x=1"
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"x-test", value), (b"content-length", b"0")]})
        await send({"type": "http.response.body", "body": b""})

    good = _exchange(bad, b"GET /good HTTP/1.1\r\nHost: x\r\n\r\n",
                     b"GET /good HTTP/1.1\r\nHost: x\r\n\r\n")
    assert [w.count(b"x-test: ok") for w in good.writes] == [1, 1]
    assert (b"x-test", b"ok") in http._CHECKED
    refused = _exchange(bad, b"GET /good HTTP/1.1\r\nHost: x\r\n\r\n",
                        b"GET /bad HTTP/1.1\r\nHost: x\r\n\r\n")
    assert len(refused.writes) == 1 and refused.closed  # the bad header never written
    assert not any(b"set-cookie" in w for w in refused.writes)


def test_checked_header_lines_are_bounded():
    before = set(http._CHECKED)
    try:
        async def many(scope, receive, send):
            if scope["type"] != "http":
                return
            await send({"type": "http.response.start", "status": 200,
                        "headers": [(b"x-n", scope["path"].encode()),
                                    (b"x-long", b"y" * 300), (b"content-length", b"0")]})
            await send({"type": "http.response.body", "body": b""})

        _exchange(many, *(b"GET /%d HTTP/1.1\r\nHost: x\r\n\r\n" % n
                          for n in range(http.CHECKED_MAX + 10)))
        assert len(http._CHECKED) <= http.CHECKED_MAX
        assert (b"x-long", b"y" * 300) not in http._CHECKED
    finally:
        http._CHECKED.clear()
        http._CHECKED.update(before)


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


KEEP_ALIVE = 1.0  # seconds an idle kept-alive connection stays open


@pytest.fixture(scope="module")
def served():
    with serving(app, timeout_keep_alive=KEEP_ALIVE) as url:
        yield url


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


def _ask(connection: socket.socket) -> bytes:
    connection.sendall(b"GET /sparql HTTP/1.1\r\nHost: x\r\n\r\n")
    answer = b""
    while not answer.endswith(b"x" * 9_925):
        piece = connection.recv(65536)
        assert piece, "closed while answering"
        answer += piece
    return answer


def test_an_idle_connection_is_closed_a_busy_one_kept(served):
    host, port = served.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as busy:
        started = time.monotonic()
        while time.monotonic() - started < 3 * KEEP_ALIVE:  # never idle for the timeout
            assert _ask(busy).startswith(b"HTTP/1.1 200")
            time.sleep(KEEP_ALIVE / 3)
        assert _ask(busy).startswith(b"HTTP/1.1 200")
    with socket.create_connection((host, int(port)), timeout=10) as idle:
        _ask(idle)
        started = time.monotonic()
        assert idle.recv(1) == b""  # closed by the server
        assert KEEP_ALIVE * 0.8 < time.monotonic() - started < KEEP_ALIVE + 3
