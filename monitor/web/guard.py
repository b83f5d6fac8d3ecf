"""What keeps the web view to its owner: a token (HTTP basic auth with any user name, or Bearer)
when one is set, a CSRF token on the one form that writes, and headers that keep pages from
running foreign scripts, being framed or leaking their address to the sites they link."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

from starlette.types import ASGIApp, Message, Receive, Scope, Send

HEADERS = [
    (b"content-security-policy", b"default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
                                 b"connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"cache-control", b"no-store"),
]


class Guard:
    """ASGI middleware: the token check (when ``token`` is set) and the security headers."""

    def __init__(self, app: ASGIApp, token: str | None) -> None:
        self.app = app
        self.token = token

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if self.token and not self._allowed(dict(scope["headers"]).get(b"authorization", b"")):
            await send({"type": "http.response.start", "status": 401, "headers": [
                (b"www-authenticate", b'Basic realm="newsmon", charset="UTF-8"'),
                (b"content-type", b"text/plain; charset=utf-8"), *HEADERS]})
            await send({"type": "http.response.body", "body": b"newsmon: this web view needs its token\n"})
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *HEADERS]
            await send(message)

        await self.app(scope, receive, with_headers)

    def _allowed(self, header: bytes) -> bool:
        assert self.token is not None
        scheme, _, value = header.decode("latin-1").partition(" ")
        if scheme.lower() == "bearer":
            given = value.strip()
        elif scheme.lower() == "basic":
            try:
                given = base64.b64decode(value.strip(), validate=True).decode("utf-8").partition(":")[2]
            except ValueError:
                return False
        else:
            return False
        return hmac.compare_digest(given.encode(), self.token.encode())


class Csrf:
    """A per-process secret; the form token is its HMAC for the action, so a page from another site
    (which cannot read this one) cannot forge the POST."""

    def __init__(self) -> None:
        self._secret = secrets.token_bytes(32)

    def token(self, action: str) -> str:
        return hmac.new(self._secret, action.encode(), hashlib.sha256).hexdigest()

    def valid(self, action: str, given: str | None) -> bool:
        return bool(given) and hmac.compare_digest(self.token(action), given or "")
