"""Token administration: an admin issues and revokes tokens and reads no client data."""

from __future__ import annotations

from fastapi import APIRouter, Response

from api.console_schemas import TokenCreate, TokenInfo, TokenIssued
from api.deps import CurrentAdmin, Deps
from api.routes.chat import ERRORS
from records import tokens

router = APIRouter(prefix="/api/admin", tags=["admin"], responses=ERRORS)  # type: ignore[arg-type]


@router.post("/tokens", status_code=201, response_model=TokenIssued)
def issue(body: TokenCreate, deps: Deps, _: CurrentAdmin) -> TokenIssued:
    """A new random token for a role and subject; the token is shown once and stored only as its hash."""
    with deps.sessions() as session, session.begin():
        token, token_id = tokens.issue_token(session, role=body.role, subject_id=body.subject_id, created_at=deps.clock.now())
    return TokenIssued(token=token, token_id=token_id, role=body.role, subject_id=body.subject_id)


@router.get("/tokens", response_model=list[TokenInfo])
def list_all(deps: Deps, _: CurrentAdmin) -> list[TokenInfo]:
    with deps.sessions() as session:
        return [TokenInfo.model_validate(t.model_dump()) for t in tokens.list_tokens(session)]


@router.delete("/tokens/{token_id}", status_code=204, response_class=Response)
def revoke(token_id: str, deps: Deps, _: CurrentAdmin) -> Response:
    with deps.sessions() as session, session.begin():
        tokens.revoke_token(session, token_id)
    return Response(status_code=204)
