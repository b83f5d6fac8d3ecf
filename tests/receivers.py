"""Real local receivers for alerts: a webhook for apprise's json:// and an SMTP server (aiosmtpd)."""

from __future__ import annotations

import json
import socket
import ssl
import threading
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class _Hook(BaseHTTPRequestHandler):
    server: _HookServer

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        owner = self.server.owner
        if owner.block is not None and not owner.arrived.is_set():
            owner.arrived.set()  # the first request waits until the test lets it go (or kills the sender)
            owner.block.wait(60)
        with owner.lock:
            owner.attempts += 1
            failing = owner.attempts <= owner.fail_first or owner.always_fail
            if not failing:
                owner.messages.append(json.loads(body or b"{}"))
        try:
            self.send_response(500 if failing else 200)
            self.send_header("Content-Length", "0")
            self.end_headers()
        except OSError:
            pass  # the sender is gone (killed mid-request); the message counts as received

    def log_message(self, format: str, *args: Any) -> None:
        return


class _HookServer(ThreadingHTTPServer):
    daemon_threads = True
    owner: Webhook


class Webhook:
    """Receives apprise ``json://`` posts; fails the first ``fail_first`` requests (HTTP 500).

    With ``block``, the first request sets ``arrived`` and waits for ``block`` before it is taken.
    """

    def __init__(self, fail_first: int = 0, always_fail: bool = False, block: threading.Event | None = None,
                 tls: ssl.SSLContext | None = None) -> None:
        self.block = block
        self.arrived = threading.Event()
        self.fail_first = fail_first
        self.always_fail = always_fail
        self.attempts = 0
        self.messages: list[dict[str, Any]] = []
        self.lock = threading.Lock()
        self._server = _HookServer(("127.0.0.1", 0), _Hook)
        self.tls = tls is not None
        if tls is not None:  # apprise's jsons://: https with a certificate the test made
            self._server.socket = tls.wrap_socket(self._server.socket, server_side=True)
        self._server.owner = self

    @property
    def url(self) -> str:
        return f"{'jsons' if self.tls else 'json'}://127.0.0.1:{self._server.server_address[1]}/hook"

    def __enter__(self) -> Webhook:
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()


class _Collect:
    def __init__(self, owner: Mailbox) -> None:
        self.owner = owner

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(message, EmailMessage)
        self.owner.messages.append(message)
        return "250 OK"


class Mailbox:
    """A real SMTP server (aiosmtpd) on 127.0.0.1 collecting parsed messages."""

    def __init__(self) -> None:
        from aiosmtpd.controller import Controller

        self.messages: list[EmailMessage] = []
        self.port = free_port()
        self._controller = Controller(_Collect(self), hostname="127.0.0.1", port=self.port)

    def mailto(self, to: str = "desk@example.org") -> str:
        return f"mailto://127.0.0.1:{self.port}?from=newsmon@example.org&to={to}&mode=insecure"

    def __enter__(self) -> Mailbox:
        self._controller.start()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self._controller.stop()
