"""Typed FastAPI dependencies: the agent's dependencies and who is calling."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from agent.turn import AgentDeps
from records.repository import Principal, principal_for_token

bearer = HTTPBearer(auto_error=False, description="a token issued to one client, advisor or officer")


def get_deps(request: Request) -> AgentDeps:
    deps: AgentDeps | None = getattr(request.app.state, "deps", None)
    if deps is None:
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, "服务正在启动，请稍后再试")
    return deps


Deps = Annotated[AgentDeps, Depends(get_deps)]


def get_principal(deps: Deps, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]) -> Principal:
    if credentials is None or not credentials.credentials:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "缺少访问令牌", headers={"WWW-Authenticate": "Bearer"})
    with deps.sessions() as session:
        principal = principal_for_token(session, credentials.credentials)
    if principal is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "访问令牌无效", headers={"WWW-Authenticate": "Bearer"})
    return principal


def get_client_principal(principal: Annotated[Principal, Depends(get_principal)]) -> Principal:
    if principal.role != "client":
        raise HTTPException(status.HTTP_403_FORBIDDEN, "仅客户本人可以使用客户对话")
    return principal


CurrentClient = Annotated[Principal, Depends(get_client_principal)]
