"""The FastAPI application factory."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from agent.turn import AgentDeps
from api import errors
from api.middleware import RequestContext
from api.observability import Metrics, configure_logging
from api.routes import admin, advisor, chat, compliance, health, openai_compat, pages
from core.settings import Settings, get_settings

MAX_BODY_BYTES = 64 * 1024
log = logging.getLogger("advisor.api")


def create_app(settings: Settings | None = None, deps: AgentDeps | None = None) -> FastAPI:
    """The app; real dependencies are built at start-up unless ``deps`` is given (tests)."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        configure_logging()
        if deps is None:
            from agent.runtime import build_deps

            app.state.deps = build_deps(settings or get_settings())
        else:
            app.state.deps = deps
        log.info("ready", extra={"environment": app.state.deps.settings.environment})
        yield

    app = FastAPI(title="智能投顾 Robo-Advisor", version="0.1.0", lifespan=lifespan)
    app.state.metrics = Metrics()
    errors.install(app)
    app.add_middleware(RequestContext, max_body_bytes=MAX_BODY_BYTES, metrics=app.state.metrics)
    for module in (chat, openai_compat, advisor, compliance, admin, health):
        app.include_router(module.router)
    pages.install(app)  # the web pages, their HTML fragments and /static
    return app
