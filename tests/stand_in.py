"""A stand-in HTTP server for the fetch tests: it serves, on 127.0.0.1, the answers a test
sets for each path (recorded-shape responses: documents, 404, 429 with Retry-After, a 500
then a success, an HTML error page served as a DOCX, a cut-short body, a redirect) and
remembers every request it was sent."""
from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote


@dataclass
class Reply:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    # send only this many bytes of the body (with the full Content-Length), then close
    cut_at: int | None = None
    # seconds to wait between chunks of 4 KB (a slow server, to kill a client mid-way)
    pace: float = 0.0


@dataclass
class Request:
    path: str
    headers: dict[str, str]
    at: float


class StandIn:
    def __init__(self) -> None:
        self.routes: dict[str, list[Reply]] = {}
        self.requests: list[Request] = []
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:  # noqa: N802 - http.server's name
                server._answer(self)

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def route(self, path: str, *replies: Reply) -> None:
        """Answer ``path`` with ``replies`` in turn, the last one from then on."""
        self.routes[unquote(path)] = list(replies)

    def hits(self, path: str) -> list[Request]:
        return [r for r in self.requests if r.path == unquote(path)]

    def _answer(self, handler: BaseHTTPRequestHandler) -> None:
        path = unquote(handler.path)
        with self._lock:
            self.requests.append(Request(path, dict(handler.headers.items()), time.monotonic()))
            replies = self.routes.get(path)
            reply = (replies.pop(0) if len(replies) > 1 else replies[0]) if replies else Reply(
                404, b"<html><body><h1>404 Not Found</h1></body></html>",
                {"Content-Type": "text/html"})
        handler.send_response(reply.status)
        for name, value in reply.headers.items():
            handler.send_header(name, value)
        handler.send_header("Content-Length", str(len(reply.body)))
        if reply.cut_at is not None:
            handler.send_header("Connection", "close")
        handler.end_headers()
        body = reply.body if reply.cut_at is None else reply.body[:reply.cut_at]
        try:
            for start in range(0, len(body), 4096):
                handler.wfile.write(body[start:start + 4096])
                handler.wfile.flush()
                if reply.pace:
                    time.sleep(reply.pace)
        except (BrokenPipeError, ConnectionResetError):
            return
        if reply.cut_at is not None:
            handler.close_connection = True


@contextmanager
def stand_in() -> Iterator[StandIn]:
    server = StandIn()
    thread = threading.Thread(target=server.httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.httpd.shutdown()
        server.httpd.server_close()
