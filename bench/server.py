"""A lean feed server on 127.0.0.1 for the poll-cycle and latency runs.

Like ``tests.servers.FeedServer`` (paths, ETag, 304), but each response leaves in one write with
``TCP_NODELAY``: a header write followed by a small body write otherwise waits for the client's
delayed ACK (about 40 ms on Linux), and the benchmark would measure that instead of newsmon.
"""

from __future__ import annotations

import socket
import threading
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def setup(self) -> None:
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def do_GET(self) -> None:
        owner = self.server.owner
        path = self.path.split("?", 1)[0]
        with owner.lock:
            owner.hits[path] += 1
            route = owner.routes.get(path)
        if route is None:
            self._send(404, b"not found", None)
            return
        body, etag = route
        if etag is not None and etag in (self.headers.get("If-None-Match") or ""):
            self._send(304, b"", etag)
        else:
            self._send(200, body, etag)

    def _send(self, status: int, body: bytes, etag: str | None) -> None:
        head = [f"HTTP/1.1 {status} {'OK' if status == 200 else 'X'}", "Content-Type: application/rss+xml",
                f"Content-Length: {len(body)}"]
        if etag is not None:
            head.append(f"ETag: {etag}")
        self.wfile.write(("\r\n".join(head) + "\r\n\r\n").encode() + body)

    def log_message(self, format: str, *args: object) -> None:
        return


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    request_queue_size = 128
    owner: LeanServer


class LeanServer:
    """``serve(path, body, etag=None)``; without an ETag the server ignores conditional GET."""

    def __init__(self) -> None:
        self.routes: dict[str, tuple[bytes, str | None]] = {}
        self.hits: Counter[str] = Counter()
        self.lock = threading.Lock()
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.owner = self

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}{path}"

    def serve(self, path: str, body: bytes, etag: str | None = None) -> str:
        with self.lock:
            self.routes[path] = (body, etag)
        return self.url(path)

    def __enter__(self) -> LeanServer:
        threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True).start()
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self._server.shutdown()
        self._server.server_close()
