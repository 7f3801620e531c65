"""The FastAPI application factory."""

from __future__ import annotations

import logging
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request, Response
from fastapi.responses import FileResponse

from agent.turn import AgentDeps
from api import errors
from api.routes import chat, health
from core.settings import Settings, get_settings

STATIC = Path(__file__).parent / "static"
MAX_BODY_BYTES = 64 * 1024
log = logging.getLogger("advisor.api")


def create_app(settings: Settings | None = None, deps: AgentDeps | None = None) -> FastAPI:
    """The app; real dependencies are built at start-up unless ``deps`` is given (tests)."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if deps is None:
            from agent.runtime import build_deps

            app.state.deps = build_deps(settings or get_settings())
        else:
            app.state.deps = deps
        yield

    app = FastAPI(title="智能投顾 Robo-Advisor", version="0.1.0", lifespan=lifespan)
    errors.install(app)

    @app.middleware("http")
    async def request_context(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        request.state.request_id = request.headers.get("X-Request-ID", "")[:64] or uuid.uuid4().hex
        length = request.headers.get("content-length")
        if length is not None and (not length.isdigit() or int(length) > MAX_BODY_BYTES):
            return errors.error_response(request, 413, "body_too_large", f"请求体过大（上限{MAX_BODY_BYTES // 1024}KB）")
        response = await call_next(request)
        response.headers["X-Request-ID"] = request.state.request_id
        return response

    app.include_router(chat.router)
    app.include_router(health.router)

    @app.get("/", include_in_schema=False)
    def index() -> FileResponse:
        return FileResponse(STATIC / "index.html")

    return app
