"""An OpenAI-compatible face: ``/v1/models`` and ``/v1/chat/completions`` (streamed or not).

The caller's API key (bearer token) decides the client. Only the last user message is the
question; earlier messages are ignored, because the advisor answers from its own logged
context, never from history a caller could write. Pass ``conversation_id`` (an extra body
field) to append the turn to a logged conversation. Sources, verdict and risk tag are in the
extra ``advisor`` field of the completion (and of the last chunk of a stream).
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator

from fastapi import APIRouter, HTTPException, Request, status
from sse_starlette import EventSourceResponse, ServerSentEvent

from agent.models import TurnRequest, TurnResult
from agent.tokens import count_tokens
from agent.turn import AgentDeps, run_turn
from api.deps import AppMetrics, CurrentClient, CurrentPrincipal, Deps
from api.errors import error_code
from api.observability import Metrics
from api.openai_schemas import (
    MODEL_ID,
    AdvisorExtra,
    AssistantMessage,
    ChatCompletion,
    ChatCompletionChunk,
    ChatCompletionRequest,
    Choice,
    ChunkChoice,
    Delta,
    ModelCard,
    ModelList,
    Usage,
)
from api.routes.chat import ERRORS, turn_request
from api.schemas import ChatRequest, ErrorBody, ErrorResponse
from api.streaming import Failed, Finished, Released, stream_turn

router = APIRouter(prefix="/v1", tags=["openai-compatible"])


@router.get("/models", response_model=ModelList, responses=ERRORS)  # type: ignore[arg-type]
def list_models(_: CurrentPrincipal) -> ModelList:
    return ModelList(data=[ModelCard(id=MODEL_ID, owned_by="robo-advisor")])


def _question(body: ChatCompletionRequest) -> str:
    users = [m for m in body.messages if m.role == "user"]
    if not users:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, "请求格式不正确：messages 中没有用户消息")
    return users[-1].text()


def _tail(r: TurnResult) -> str:
    """What the reply shows after the answer: the risk and data lines and the AI label."""
    answer = r.answer.strip()
    return r.reply[len(answer) :] if r.reply.startswith(answer) else "\n\n" + r.reply


def _chunk(completion_id: str, created: int, delta: Delta, *, finish: bool = False, extra: AdvisorExtra | None = None) -> ServerSentEvent:
    chunk = ChatCompletionChunk(
        id=completion_id,
        created=created,
        model=MODEL_ID,
        choices=[ChunkChoice(delta=delta, finish_reason="stop" if finish else None)],
        advisor=extra,
    )
    return ServerSentEvent(chunk.model_dump_json(exclude_none=True), sep="\n")


async def _chunks(deps: AgentDeps, turn: TurnRequest, metrics: Metrics) -> AsyncIterator[ServerSentEvent]:
    created = int(time.time())
    completion_id = f"chatcmpl-{turn.request_id}"
    yield _chunk(completion_id, created, Delta(role="assistant", content=""))
    async for event in stream_turn(deps, turn):
        if isinstance(event, Released):
            yield _chunk(completion_id, created, Delta(content=event.text))
        elif isinstance(event, Finished):
            r = event.result
            metrics.record_turn("openai_stream", turn.message, r)
            yield _chunk(completion_id, created, Delta(content=_tail(r)))
            yield _chunk(completion_id, created, Delta(), finish=True, extra=AdvisorExtra.of(r))
            yield ServerSentEvent("[DONE]", sep="\n")
        elif isinstance(event, Failed):
            exc = event.error
            error = ErrorBody(
                code=error_code(exc) if exc else "internal_error",
                message=exc.public_message if exc else "服务内部错误，请稍后再试",
                request_id=turn.request_id,
            )
            yield ServerSentEvent(ErrorResponse(error=error).model_dump_json(), sep="\n")


@router.post(
    "/chat/completions",
    response_model=ChatCompletion,
    responses={200: {"content": {"text/event-stream": {}}}, **ERRORS},  # type: ignore[dict-item]
)
def chat_completions(
    body: ChatCompletionRequest, request: Request, deps: Deps, principal: CurrentClient, metrics: AppMetrics
) -> ChatCompletion | EventSourceResponse:
    """Answer the last user message as the calling client, like OpenAI's chat completions."""
    if body.model != MODEL_ID:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"模型 {body.model} 不存在，可用模型：{MODEL_ID}")
    question = _question(body)
    chat = ChatRequest(message=question, product_code=body.product_code, conversation_id=body.conversation_id)
    turn = turn_request(deps, principal, chat, request.state.request_id)
    if body.stream:
        return EventSourceResponse(_chunks(deps, turn, metrics), sep="\n", headers={"Cache-Control": "no-store"})
    r = run_turn(deps, turn)
    metrics.record_turn("openai", question, r)
    prompt, completion = count_tokens(question), count_tokens(r.reply)
    return ChatCompletion(
        id=f"chatcmpl-{r.turn_id}",
        created=int(time.time()),
        model=MODEL_ID,
        choices=[Choice(message=AssistantMessage(content=r.reply))],
        usage=Usage(prompt_tokens=prompt, completion_tokens=completion, total_tokens=prompt + completion),
        advisor=AdvisorExtra.of(r),
    )
