"""Liveness and readiness (open: load balancers probe them) and Prometheus metrics (the scraper's
bearer, ``ADVISOR_METRICS_TOKEN``: the series describe the service's traffic and rule hits)."""

from __future__ import annotations

import logging

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import text

from agent.turn import AgentDeps
from api.deps import AppMetrics, MetricsScraper
from api.schemas import Health, Readiness
from core.errors import AdvisorError

router = APIRouter(tags=["operations"])
log = logging.getLogger("advisor.api")


@router.get("/healthz", response_model=Health)
def healthz() -> Health:
    """The process is up (it may still be loading the model)."""
    return Health(status="ok")


def readiness(deps: AgentDeps | None) -> Readiness:
    if deps is None:
        return Readiness(status="not_ready", checks={"model": False, "store": False, "database": False}, reasons=["模型与索引仍在加载"])
    checks = {"model": bool(deps.model.name), "store": False, "database": False}
    reasons: list[str] = []
    try:
        deps.retriever.search("健康检查", 1)  # embeds a query and reads the vector store and keyword index
        checks["store"] = True
    except (AdvisorError, OSError, RuntimeError, ValueError) as exc:
        log.warning("readiness: store check failed: %s", exc)
        reasons.append("向量库或检索不可用")
    try:
        with deps.sessions() as session:
            session.execute(text("SELECT 1"))
        checks["database"] = True
    except Exception as exc:  # any driver error means "not ready"; logged for the operator
        log.warning("readiness: database check failed: %s", exc)
        reasons.append("数据库不可用")
    return Readiness(status="ready" if all(checks.values()) else "not_ready", checks=checks, reasons=reasons)


@router.get("/readyz", response_model=Readiness, responses={503: {"model": Readiness}})
def readyz(request: Request) -> JSONResponse:
    """Ready to answer: the model is loaded, the vector store and the database are reachable (503 with reasons otherwise)."""
    state = readiness(getattr(request.app.state, "deps", None))
    return JSONResponse(state.model_dump(), status_code=200 if state.status == "ready" else 503)


@router.get("/metrics", response_class=Response)
def metrics(registry: AppMetrics, _: MetricsScraper) -> Response:
    """Prometheus text format: turns, verdicts, rule hits, latency histograms, tokens, HTTP requests."""
    return Response(generate_latest(registry.registry), media_type=CONTENT_TYPE_LATEST)
