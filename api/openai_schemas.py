"""The subset of OpenAI's chat completions format the advisor speaks, plus its own ``advisor`` field."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from agent.models import Disclosure, TurnResult
from guardrails.models import RuleHit, SuitabilityResult
from retrieval.models import Citation

MODEL_ID = "robo-advisor"


class ContentPart(BaseModel):
    model_config = ConfigDict(extra="allow")

    type: str
    text: str | None = None


class OpenAIMessage(BaseModel):
    model_config = ConfigDict(extra="allow")

    role: Literal["system", "developer", "user", "assistant", "tool"]
    content: str | list[ContentPart] | None = None

    def text(self) -> str:
        if isinstance(self.content, list):
            return "".join(p.text or "" for p in self.content if p.type == "text")
        return self.content or ""


class ChatCompletionRequest(BaseModel):
    """Sampling fields (temperature, top_p, max_tokens, …) are accepted and ignored: the advisor's
    generation settings are fixed by policy."""

    model_config = ConfigDict(extra="allow")

    model: str = Field(max_length=64)
    messages: list[OpenAIMessage] = Field(min_length=1, max_length=200)
    stream: bool = False
    conversation_id: str | None = Field(default=None, max_length=36, description="extra: append to this logged conversation")
    product_code: str | None = Field(default=None, pattern=r"^[0-9A-Za-z]{1,16}$", description="extra: the product page asked from")


class AdvisorExtra(BaseModel):
    """What the advisor adds to every completion: where the answer came from and how it was judged."""

    turn_id: str
    conversation_id: str
    request_id: str
    sources: list[Citation]
    verdict: str
    rules: list[RuleHit]
    risk_level: str | None
    suitability: list[SuitabilityResult]
    disclosure: Disclosure
    ai_generated: bool = True

    @classmethod
    def of(cls, r: TurnResult) -> AdvisorExtra:
        return cls(
            turn_id=r.turn_id,
            conversation_id=r.conversation_id,
            request_id=r.request_id,
            sources=r.sources,
            verdict=r.verdict.action,
            rules=r.verdict.rules,
            risk_level=r.risk_level,
            suitability=r.suitability,
            disclosure=r.disclosure,
        )


class AssistantMessage(BaseModel):
    role: Literal["assistant"] = "assistant"
    content: str


class Choice(BaseModel):
    index: int = 0
    message: AssistantMessage
    finish_reason: Literal["stop"] = "stop"


class Usage(BaseModel):
    prompt_tokens: int
    completion_tokens: int
    total_tokens: int


class ChatCompletion(BaseModel):
    id: str
    object: Literal["chat.completion"] = "chat.completion"
    created: int
    model: str
    choices: list[Choice]
    usage: Usage
    advisor: AdvisorExtra


class Delta(BaseModel):
    role: Literal["assistant"] | None = None
    content: str | None = None


class ChunkChoice(BaseModel):
    index: int = 0
    delta: Delta
    finish_reason: Literal["stop"] | None = None


class ChatCompletionChunk(BaseModel):
    id: str
    object: Literal["chat.completion.chunk"] = "chat.completion.chunk"
    created: int
    model: str
    choices: list[ChunkChoice]
    advisor: AdvisorExtra | None = None


class ModelCard(BaseModel):
    id: str
    object: Literal["model"] = "model"
    created: int = 0
    owned_by: str


class ModelList(BaseModel):
    object: Literal["list"] = "list"
    data: list[ModelCard]
