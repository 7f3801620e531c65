"""Typed FastAPI dependencies: the agent's dependencies, who is calling, and what they may reach.

Roles: ``client`` (their own records and conversations), ``advisor`` (their assigned clients),
``compliance`` (reads every log, annotates; never chats as a client), ``admin`` (issues and
revokes tokens; reads no client data). Outside development a ``dev-`` sample token is refused
even if it is still in the database. ``/metrics`` takes no role: only the scraper's own bearer,
``ADVISOR_METRICS_TOKEN``.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from agent.turn import AgentDeps
from api.observability import Metrics
from core.settings import Settings
from records import repository
from records.repository import ClientView, Principal, principal_for_token
from records.seed import dev_token

bearer = HTTPBearer(auto_error=False, description="a token issued to one client, advisor, compliance officer or admin")
metrics_bearer = HTTPBearer(auto_error=False, scheme_name="MetricsToken", description="ADVISOR_METRICS_TOKEN, for the metrics scraper")
ROLES = ("client", "advisor", "compliance", "admin")
MAX_TOKEN_CHARS = 256


def get_deps(request: Request) -> AgentDeps:
    deps: AgentDeps | None = getattr(request.app.state, "deps", None)
    if deps is None:
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, "服务正在启动，请稍后再试")
    return deps


Deps = Annotated[AgentDeps, Depends(get_deps)]


def get_metrics(request: Request) -> Metrics:
    metrics: Metrics = request.app.state.metrics
    return metrics


AppMetrics = Annotated[Metrics, Depends(get_metrics)]


def _unauthorized(message: str) -> HTTPException:
    return HTTPException(status.HTTP_401_UNAUTHORIZED, message, headers={"WWW-Authenticate": "Bearer"})


def get_app_settings(request: Request) -> Settings:
    """The settings the app was created with (available while the model is still loading)."""
    settings: Settings = request.app.state.settings
    return settings


AppSettings = Annotated[Settings, Depends(get_app_settings)]


def require_metrics_token(
    settings: AppSettings, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(metrics_bearer)]
) -> None:
    """Admit only ``Authorization: Bearer <ADVISOR_METRICS_TOKEN>``; unset, nobody (401 either way)."""
    expected = settings.metrics_token
    if expected is None:
        raise _unauthorized("指标接口未启用：请设置 ADVISOR_METRICS_TOKEN")
    if credentials is None or not credentials.credentials:
        raise _unauthorized("缺少访问令牌")
    if not hmac.compare_digest(credentials.credentials.encode(), expected.get_secret_value().encode()):
        raise _unauthorized("访问令牌无效")


MetricsScraper = Annotated[None, Depends(require_metrics_token)]


def get_principal(deps: Deps, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]) -> Principal:
    if credentials is None or not credentials.credentials:
        raise _unauthorized("缺少访问令牌")
    token = credentials.credentials
    if len(token) > MAX_TOKEN_CHARS:
        raise _unauthorized("访问令牌无效")
    with deps.sessions() as session:
        principal = principal_for_token(session, token)
    if principal is None or principal.role not in ROLES:
        raise _unauthorized("访问令牌无效")
    settings = deps.settings
    if not settings.dev_tokens_enabled and token == dev_token(settings.dev_token_prefix, principal.subject_id):
        raise _unauthorized("开发用令牌仅限开发环境使用")
    return principal


CurrentPrincipal = Annotated[Principal, Depends(get_principal)]


def require(*roles: str) -> Callable[[Principal], Principal]:
    """A dependency that admits only the given roles (403 for any other valid token)."""

    def check(principal: CurrentPrincipal) -> Principal:
        if principal.role not in roles:
            raise HTTPException(status.HTTP_403_FORBIDDEN, "当前角色无权使用该功能")
        return principal

    return check


CurrentClient = Annotated[Principal, Depends(require("client"))]
CurrentAdvisor = Annotated[Principal, Depends(require("advisor"))]
CurrentReviewer = Annotated[Principal, Depends(require("compliance"))]
CurrentAdmin = Annotated[Principal, Depends(require("admin"))]


def advised_client(deps: AgentDeps, advisor: Principal, client_id: str) -> ClientView:
    """The advisor's own client; anyone else's (or a missing one) is reported as not found."""
    with deps.sessions() as session:
        client = repository.get_client(session, client_id)
    if client is None or client.advisor_id != advisor.subject_id:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "未找到该客户")
    return client
