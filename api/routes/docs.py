"""The OpenAPI docs (Swagger UI, its OAuth2 redirect, ReDoc) with a Content-Security-Policy of their own.

FastAPI's pages load Swagger UI and ReDoc from cdn.jsdelivr.net, and Swagger UI starts from an
inline script: the strict policy of the web pages (``api/middleware.py``) would block both. These
routes serve FastAPI's own HTML with a policy that admits that CDN and each inline script by its
sha256, never ``'unsafe-inline'`` for scripts. Styles may be inline here (ReDoc writes ``<style>``
elements, Swagger UI inline SVG styles); the docs hold no client data and no token.
"""

from __future__ import annotations

import base64
import hashlib
import re

from fastapi import APIRouter, FastAPI, Request
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html, get_swagger_ui_oauth2_redirect_html
from fastapi.responses import HTMLResponse

DOCS_URL, OAUTH2_REDIRECT_URL, REDOC_URL = "/docs", "/docs/oauth2-redirect", "/redoc"
CDN = "https://cdn.jsdelivr.net"
INLINE_SCRIPT = re.compile(r"<script>(.*?)</script>", re.DOTALL)

router = APIRouter(include_in_schema=False)


def docs_policy(html: str) -> str:
    """The docs pages' policy: the CDN's scripts and this page's own inline scripts, by hash."""
    hashes = [f"'sha256-{base64.b64encode(hashlib.sha256(s.encode()).digest()).decode()}'" for s in INLINE_SCRIPT.findall(html)]
    return "; ".join(
        (
            "default-src 'none'",
            " ".join(["script-src", CDN, *hashes]),
            f"style-src {CDN} https://fonts.googleapis.com 'unsafe-inline'",
            "font-src https://fonts.gstatic.com",
            f"img-src 'self' data: {CDN} https://fastapi.tiangolo.com",
            "connect-src 'self'",  # the schema, and Swagger UI's "Try it out"
            "worker-src blob:",  # ReDoc's search index
            "form-action 'none'",
            "base-uri 'none'",
            "frame-ancestors 'none'",
        )
    )


def _with_policy(response: HTMLResponse) -> HTMLResponse:
    response.headers["Content-Security-Policy"] = docs_policy(bytes(response.body).decode())
    return response


def _root_path(request: Request) -> str:
    return str(request.scope.get("root_path", "")).rstrip("/")


def _openapi_url(request: Request) -> str:
    return _root_path(request) + str(request.app.openapi_url)


@router.get(DOCS_URL)
def swagger_ui(request: Request) -> HTMLResponse:
    app: FastAPI = request.app
    html = get_swagger_ui_html(
        openapi_url=_openapi_url(request),
        title=f"{app.title} - Swagger UI",
        oauth2_redirect_url=_root_path(request) + OAUTH2_REDIRECT_URL,
        init_oauth=app.swagger_ui_init_oauth,
        swagger_ui_parameters=app.swagger_ui_parameters,
    )
    return _with_policy(html)


@router.get(OAUTH2_REDIRECT_URL)
def swagger_ui_redirect() -> HTMLResponse:
    return _with_policy(get_swagger_ui_oauth2_redirect_html())


@router.get(REDOC_URL)
def redoc(request: Request) -> HTMLResponse:
    return _with_policy(get_redoc_html(openapi_url=_openapi_url(request), title=f"{request.app.title} - ReDoc"))
