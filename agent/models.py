"""The request and result of one turn."""

from __future__ import annotations

from pydantic import BaseModel, Field

from guardrails.models import SuitabilityResult, Verdict
from retrieval.models import Citation


class TurnRequest(BaseModel):
    client_id: str
    message: str
    product_code: str | None = Field(default=None, description="the product page the client is on, if any")
    conversation_id: str | None = None
    request_id: str


class Disclosure(BaseModel):
    risk_line: str
    data_line: str
    ai_label: str
    generated_by: str = Field(description="the service and model that generated the text")
    content_id: str


class TurnResult(BaseModel):
    """A guarded reply with everything a client app or a reviewer needs."""

    conversation_id: str
    turn_id: str
    request_id: str
    answer: str = Field(description="the answer text without the disclosure lines")
    reply: str = Field(description="the exact text shown: answer, risk line, data line and AI label")
    intent: str
    sources: list[Citation]
    risk_level: str | None = Field(description="risk level of the content: the highest product risk it discusses")
    suitability: list[SuitabilityResult]
    verdict: Verdict
    tools: list[str] = Field(default_factory=list, description="the tools whose results the answer drew on")
    leads: list[str] = Field(default_factory=list, description="hand-off reasons for the client's advisor (one open lead per reason)")
    disclosure: Disclosure
    model: str
    prompt_version: str
    timings_ms: dict[str, float]
