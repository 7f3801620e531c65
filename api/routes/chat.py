"""The client's endpoints: chat (whole or streamed over SSE), their conversations, feedback, a human, replies."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request, status
from sse_starlette import EventSourceResponse, ServerSentEvent

from agent.errors import UnknownProduct
from agent.models import TurnRequest, TurnResult
from agent.turn import AgentDeps, run_turn, validate_message
from api.deps import AppMetrics, CurrentClient, Deps
from api.errors import error_code
from api.observability import Metrics
from api.schemas import (
    ChatRequest,
    ConversationHistory,
    ConversationItem,
    ConversationPage,
    DoneEvent,
    ErrorBody,
    ErrorResponse,
    FeedbackRequest,
    HandoffRequest,
    SentReply,
    SourcesEvent,
    TextEvent,
    TurnView,
    VerdictEvent,
)
from api.streaming import Failed, Finished, Released, stream_turn
from core.errors import NotFound
from guardrails.pii import mask_pii
from records import drafts, feedback, leads, review
from records import repository as repo
from records.feedback import FeedbackView
from records.leads import LeadView
from records.repository import Principal

router = APIRouter(prefix="/api", tags=["client"])

ERRORS = {code: {"model": ErrorResponse} for code in (401, 403, 404, 413, 422, 503)}


def turn_request(deps: AgentDeps, principal: Principal, body: ChatRequest, request_id: str) -> TurnRequest:
    """Check what can be checked before a stream starts, so that bad input gets a 4xx, not an error event."""
    validate_message(body.message, deps.settings)
    with deps.sessions() as session:
        if body.conversation_id and repo.conversation_owner(session, body.conversation_id) != principal.subject_id:
            raise NotFound(f"conversation {body.conversation_id} is not {principal.subject_id}'s", public_message="未找到该会话")
        if body.product_code and repo.get_product(session, body.product_code) is None:
            raise UnknownProduct(f"product {body.product_code!r} not found")
    return TurnRequest(
        client_id=principal.subject_id,
        message=body.message,
        product_code=body.product_code,
        conversation_id=body.conversation_id,
        request_id=request_id,
    )


@router.post("/chat", response_model=TurnResult, responses=ERRORS)  # type: ignore[arg-type]
def chat(body: ChatRequest, request: Request, deps: Deps, principal: CurrentClient, metrics: AppMetrics) -> TurnResult:
    """Answer one message of the calling client, grounded in their holdings and guarded.

    The turn is written to the conversation log before the response is sent.
    """
    result = run_turn(deps, turn_request(deps, principal, body, request.state.request_id))
    metrics.record_turn("chat", body.message, result)
    return result


def _sse(event: str, payload: TextEvent | SourcesEvent | VerdictEvent | DoneEvent | ErrorBody) -> ServerSentEvent:
    return ServerSentEvent(payload.model_dump_json(), event=event)


async def sse_events(deps: AgentDeps, turn: TurnRequest, metrics: Metrics) -> AsyncIterator[ServerSentEvent]:
    """``text``* then ``sources``, ``verdict``, ``done``; or ``error`` (code, Chinese message, request id)."""
    async for event in stream_turn(deps, turn):
        if isinstance(event, Released):
            yield _sse("text", TextEvent(text=event.text))
        elif isinstance(event, Finished):
            r = event.result
            metrics.record_turn("chat_stream", turn.message, r)
            yield _sse("sources", SourcesEvent(sources=r.sources))
            verdict = VerdictEvent(
                action=r.verdict.action,
                risk_level=r.risk_level,
                rules=r.verdict.rules,
                suitability=r.suitability,
                policy_version=r.verdict.policy_version,
            )
            yield _sse("verdict", verdict)
            done = DoneEvent(
                turn_id=r.turn_id,
                conversation_id=r.conversation_id,
                request_id=r.request_id,
                reply=r.reply,
                disclosure=r.disclosure,
                model=r.model,
                prompt_version=r.prompt_version,
                timings_ms=r.timings_ms,
            )
            yield _sse("done", done)
        elif isinstance(event, Failed):
            exc = event.error
            code = error_code(exc) if exc else "internal_error"
            message = exc.public_message if exc else "服务内部错误，请稍后再试"
            yield _sse("error", ErrorBody(code=code, message=message, request_id=turn.request_id))


@router.post(
    "/chat/stream",
    response_class=EventSourceResponse,
    responses={200: {"content": {"text/event-stream": {}}, "description": "events: text, sources, verdict, done, error"}, **ERRORS},  # type: ignore[dict-item]
)
def chat_stream(body: ChatRequest, request: Request, deps: Deps, principal: CurrentClient, metrics: AppMetrics) -> EventSourceResponse:
    """Answer one message as Server-Sent Events: each sentence is sent as soon as it passed the rails.

    Events: ``text`` {text}, then ``sources`` {sources}, ``verdict`` {action, risk_level, rules,
    suitability}, ``done`` {turn_id, conversation_id, reply, disclosure, …}; or ``error`` {code,
    message, request_id}. Bad input is refused with a 4xx before the stream starts.
    """
    turn = turn_request(deps, principal, body, request.state.request_id)
    return EventSourceResponse(sse_events(deps, turn, metrics), ping=15, headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"})


MAX_PAGE = 50
"""The most conversations one page lists."""


@router.get("/conversations", response_model=ConversationPage, responses=ERRORS)  # type: ignore[arg-type]
def my_conversations(
    deps: Deps,
    principal: CurrentClient,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 20,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,  # bounded: SQLite refuses an offset past 2**63
) -> ConversationPage:
    """The caller's conversations, latest activity first, a page at a time; each titled by its first
    question with personal data masked. An advisor's drafting for the client is not listed."""
    with deps.sessions() as session:
        hidden = drafts.draft_conversation_ids(session, principal.subject_id)
        total = review.count_conversations(session, principal.subject_id, exclude=hidden)
        found = review.conversations(session, principal.subject_id, exclude=hidden, offset=offset, limit=limit)
    return ConversationPage(total=total, offset=offset, limit=limit, conversations=[ConversationItem.listed(c) for c in found])


@router.get("/conversations/{conversation_id}", response_model=ConversationHistory, responses=ERRORS)  # type: ignore[arg-type]
def my_conversation(conversation_id: str, deps: Deps, principal: CurrentClient) -> ConversationHistory:
    """Every turn of one of the caller's conversations, in order, as it was shown: the question, the
    exact reply with its AI label, and its sources. Anyone else's conversation is not found (404)."""
    with deps.sessions() as session:
        owned = repo.conversation_owner(session, conversation_id) == principal.subject_id
        if not owned or conversation_id in drafts.draft_conversation_ids(session, principal.subject_id):
            raise HTTPException(status.HTTP_404_NOT_FOUND, "未找到该会话")
        turns = repo.get_turns(session, conversation_id)
    return ConversationHistory(id=conversation_id, turns=[TurnView.shown(t) for t in turns])


@router.post("/turns/{turn_id}/feedback", status_code=201, response_model=FeedbackView, responses=ERRORS)  # type: ignore[arg-type]
def give_feedback(turn_id: str, body: FeedbackRequest, deps: Deps, principal: CurrentClient) -> FeedbackView:
    """Rate one of the caller's replies (helpful or not, with a reason). Another client's turn is a 404."""
    with deps.sessions() as session, session.begin():
        return feedback.add_feedback(
            session,
            turn_id=turn_id,
            client_id=principal.subject_id,
            helpful=body.helpful,
            reason=body.reason,
            created_at=deps.clock.now(),
        )


@router.post("/handoff", status_code=201, response_model=LeadView, responses=ERRORS)  # type: ignore[arg-type]
def talk_to_a_human(body: HandoffRequest, deps: Deps, principal: CurrentClient) -> LeadView:
    """Ask for a human advisor: opens a lead for the client's own advisor."""
    with deps.sessions() as session, session.begin():
        if body.turn_id is not None:
            turn = repo.get_turn(session, body.turn_id)
            if turn is None or turn.client_id != principal.subject_id:
                raise HTTPException(status.HTTP_404_NOT_FOUND, "未找到该轮对话")
        return leads.create_lead(
            session,
            client_id=principal.subject_id,
            reason_code="human_requested",
            detail=mask_pii(body.reason.strip())[0] or "客户请求人工服务",  # the lead is read by people: masked like the log
            created_at=deps.clock.now(),
            turn_id=body.turn_id,
        )


@router.get("/replies", response_model=list[SentReply], responses=ERRORS)  # type: ignore[arg-type]
def advisor_replies(deps: Deps, principal: CurrentClient) -> list[SentReply]:
    """Replies the caller's advisor sent them, oldest first (each passed the output rails)."""
    with deps.sessions() as session:
        sent = drafts.sent_replies(session, principal.subject_id)
    return [SentReply(draft_id=d.id, advisor_id=d.advisor_id, text=e.text, sent_at=e.created_at) for d, e in sent]
