"""Pure ASGI middleware: the request id, the body size cap, the access log, HTTP metrics and the
security headers of every response.

Pure ASGI (not ``BaseHTTPMiddleware``) so that a streamed response passes through untouched.
"""

from __future__ import annotations

import logging
import re
import time
import uuid

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api import errors
from api.observability import Metrics, request_id_var

log = logging.getLogger("advisor.api.access")
SAFE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")


class BodyTooLarge(HTTPException):
    """The request body grew past the cap while it was read (no or a false Content-Length).

    An ``HTTPException`` so that FastAPI's body parsing passes it on instead of turning it into a 400.
    """

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"请求体过大（上限{limit // 1024}KB）")


def _route_template(scope: Scope) -> str:
    """The matched route's path template (``/api/turns/{turn_id}``): bounded label values for metrics.

    The router records the route it matched in the scope; an unmatched path is one label, not many.
    """
    route = scope.get("route")
    return str(getattr(route, "path", "unmatched"))


class RequestContext:
    """Give every request an id (a caller's safe ``X-Request-ID`` is kept), cap its body, log and time it."""

    def __init__(self, app: ASGIApp, *, max_body_bytes: int, metrics: Metrics) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        offered = request.headers.get("x-request-id", "")
        request_id = offered if SAFE_REQUEST_ID.match(offered) else uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = request_id
        token = request_id_var.set(request_id)
        started = time.perf_counter()
        status = 500
        try:
            length = request.headers.get("content-length")
            if length is not None and (not length.isdigit() or int(length) > self.max_body_bytes):
                status = 413
                await self._too_large(request)(scope, receive, send)
                return

            received = 0

            async def capped_receive() -> Message:
                nonlocal received
                message = await receive()
                received += len(message.get("body", b""))
                if received > self.max_body_bytes:
                    raise BodyTooLarge(self.max_body_bytes)
                return message

            async def send_with_id(message: Message) -> None:
                nonlocal status
                if message["type"] == "http.response.start":
                    status = message["status"]
                    headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"x-request-id"]
                    message["headers"] = [*headers, (b"x-request-id", request_id.encode())]
                await send(message)

            try:
                await self.app(scope, capped_receive, send_with_id)
            except BodyTooLarge:
                status = 413
                await self._too_large(request)(scope, receive, send)
        finally:
            elapsed = time.perf_counter() - started
            route = _route_template(scope)
            self.metrics.http_requests.labels(method=scope["method"], route=route, status=str(status)).inc()
            self.metrics.http_seconds.labels(method=scope["method"], route=route).observe(elapsed)
            log.info(
                "%s %s %s",
                scope["method"],
                route,
                status,
                extra={"status": status, "duration_ms": round(elapsed * 1000, 1), "path": scope["path"]},
            )
            request_id_var.reset(token)

    def _too_large(self, request: Request) -> ASGIApp:
        return errors.error_response(request, 413, "body_too_large", f"请求体过大（上限{self.max_body_bytes // 1024}KB）")


# The pages load only their own files: app.js, style.css and the vendored htmx (no inline script or
# style, no hx-on, whose handlers htmx compiles with Function; SVG charts use presentation attributes).
PAGE_POLICY = "; ".join(
    (
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self'",
        "connect-src 'self'",
        "form-action 'self'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
    )
)
# JSON, SSE, CSV and the rest are never rendered as documents: they may load and embed nothing.
DATA_POLICY = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'"
COMMON_HEADERS = (
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=(), payment=(), usb=()"),
)
CACHEABLE_PREFIX = "/static/"


class SecurityHeaders:
    """Add the security headers to every HTTP response, on its start message only (streams pass through).

    A ``Content-Security-Policy`` or ``Cache-Control`` the route set itself is kept (the API docs
    have a policy of their own). Everything but ``/static/`` is ``no-store``: API responses carry
    client data, and no shared or browser cache should keep a copy of them.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        cacheable = str(scope["path"]).startswith(CACHEABLE_PREFIX)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = secure_headers(list(message.get("headers", [])), cacheable=cacheable)
            await send(message)

        await self.app(scope, receive, send_with_headers)


def secure_headers(headers: list[tuple[bytes, bytes]], *, cacheable: bool) -> list[tuple[bytes, bytes]]:
    """The response's headers with the security headers added (those it already has are kept)."""
    present = {name.lower() for name, _ in headers}
    content_type = next((value for name, value in headers if name.lower() == b"content-type"), b"")
    policy = PAGE_POLICY if content_type.lower().startswith(b"text/html") else DATA_POLICY
    added = [*COMMON_HEADERS, (b"content-security-policy", policy.encode())]
    if not cacheable:
        added.append((b"cache-control", b"no-store"))
    return headers + [(name, value) for name, value in added if name not in present]
