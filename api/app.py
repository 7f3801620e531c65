"""The FastAPI application factory."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from agent.turn import AgentDeps
from api import errors
from api.middleware import RequestContext, SecurityHeaders
from api.observability import Metrics, configure_logging
from api.routes import admin, advisor, chat, compliance, docs, health, openai_compat, pages
from core.settings import Settings, get_settings

MAX_BODY_BYTES = 64 * 1024
log = logging.getLogger("advisor.api")


def create_app(settings: Settings | None = None, deps: AgentDeps | None = None) -> FastAPI:
    """The app; real dependencies are built at start-up unless ``deps`` is given (tests)."""

    resolved = deps.settings if deps is not None else settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        configure_logging()
        if deps is None:
            from agent.runtime import build_deps

            app.state.deps = build_deps(resolved)
        else:
            app.state.deps = deps
        log.info("ready", extra={"environment": app.state.deps.settings.environment})
        yield

    # The docs are served by api/routes/docs.py, with a Content-Security-Policy of their own.
    app = FastAPI(title="智能投顾 Robo-Advisor", version="0.1.0", lifespan=lifespan, docs_url=None, redoc_url=None)
    app.state.settings = resolved
    app.state.metrics = Metrics()
    errors.install(app)
    app.add_middleware(RequestContext, max_body_bytes=MAX_BODY_BYTES, metrics=app.state.metrics)
    app.add_middleware(SecurityHeaders)  # outermost: also on the 413s that RequestContext answers itself
    for module in (chat, openai_compat, advisor, compliance, admin, health, docs):
        app.include_router(module.router)
    pages.install(app)  # the web pages, their HTML fragments and /static
    return app
