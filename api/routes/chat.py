"""The client's chat endpoint."""

from __future__ import annotations

from fastapi import APIRouter, Request

from agent.models import TurnRequest, TurnResult
from agent.turn import run_turn
from api.deps import CurrentClient, Deps
from api.schemas import ChatRequest, ErrorResponse

router = APIRouter(prefix="/api", tags=["chat"])

ERRORS = {code: {"model": ErrorResponse} for code in (401, 403, 404, 413, 422, 503)}


@router.post("/chat", response_model=TurnResult, responses=ERRORS)  # type: ignore[arg-type]
def chat(body: ChatRequest, request: Request, deps: Deps, principal: CurrentClient) -> TurnResult:
    """Answer one message of the calling client, grounded in their holdings and guarded.

    The turn is written to the conversation log before the response is sent.
    """
    turn = TurnRequest(
        client_id=principal.subject_id,
        message=body.message,
        product_code=body.product_code,
        conversation_id=body.conversation_id,
        request_id=request.state.request_id,
    )
    return run_turn(deps, turn)
