"""Request and response bodies of the HTTP API shared by every route, and the client's."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from agent.models import Disclosure
from guardrails.models import RuleHit, SuitabilityResult
from guardrails.pii import mask_pii
from records.repository import TurnRecord
from records.review import ConversationSummary
from retrieval.models import Citation


class StrictBody(BaseModel):
    """A request body: unknown fields are a client error, not silently dropped."""

    model_config = ConfigDict(extra="forbid")


class ChatRequest(BaseModel):
    message: str = Field(max_length=20_000, description="the client's message, in Chinese or English")
    product_code: str | None = Field(default=None, pattern=r"^[0-9A-Za-z]{1,16}$", description="the product page the client asks from")
    conversation_id: str | None = Field(default=None, max_length=36)


class ErrorBody(BaseModel):
    code: str = Field(description="a stable machine-readable code, e.g. invalid_request, not_found")
    message: str = Field(description="what went wrong, in Chinese")
    request_id: str = Field(description="quote it to support; it is in the server's log lines too")


class ErrorResponse(BaseModel):
    error: ErrorBody


class Health(BaseModel):
    status: str


class Readiness(BaseModel):
    status: Literal["ready", "not_ready"]
    checks: dict[str, bool]
    reasons: list[str] = Field(default_factory=list, description="why a check failed, in Chinese")


class TextEvent(BaseModel):
    """SSE ``text``: the next sentences of the answer, released only after they passed the rails."""

    text: str


class SourcesEvent(BaseModel):
    sources: list[Citation]


class VerdictEvent(BaseModel):
    action: str = Field(description="pass | rewrite | block | escalate")
    risk_level: str | None = Field(description="risk tag of the content: the highest product risk it discusses")
    rules: list[RuleHit]
    suitability: list[SuitabilityResult]
    policy_version: str


class DoneEvent(BaseModel):
    turn_id: str
    conversation_id: str
    request_id: str
    reply: str = Field(description="the exact text shown: the answer, the risk and data lines and the AI label")
    disclosure: Disclosure
    model: str
    prompt_version: str
    timings_ms: dict[str, float]


class TurnView(BaseModel):
    """One turn as its client saw it: never the model's draft nor the rules' details."""

    id: str
    seq: int
    created_at: datetime
    question: str = Field(description="the question as logged, personal data masked")
    reply: str = Field(description="the exact text shown: the answer, the risk and data lines and the AI label")
    ai_label: str = Field(description="the AI label shown under the answer (the reply's last paragraph)")
    sources: list[Citation]
    verdict: str
    risk_level: str | None

    @classmethod
    def shown(cls, record: TurnRecord) -> TurnView:
        # Every reply ends with the AI label as its own paragraph (guardrails.output_rails.with_disclosures).
        return cls.model_validate({**record.model_dump(), "ai_label": record.reply.rpartition("\n\n")[2]})


class ConversationHistory(BaseModel):
    id: str
    turns: list[TurnView]


TITLE_CHARS = 24
"""How much of the first question a conversation's title keeps (one line of the list on a phone)."""


def _utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)  # SQLite gives back naive UTC


def conversation_title(question: str | None) -> str:
    """The first question on one line, personal data masked before it is cut (a cut number escapes the patterns)."""
    text = " ".join(mask_pii(question or "")[0].split())
    if not text:
        return "新对话"
    return text if len(text) <= TITLE_CHARS else text[: TITLE_CHARS - 1] + "…"


class ConversationItem(BaseModel):
    """One of the client's conversations, as their list shows it."""

    id: str
    title: str = Field(description=f"the first question, personal data masked, cut to {TITLE_CHARS} characters")
    started_at: datetime
    last_at: datetime = Field(description="the latest turn (the start, for a conversation without turns)")
    turns: int

    @classmethod
    def listed(cls, summary: ConversationSummary) -> ConversationItem:
        return cls(
            id=summary.id,
            title=conversation_title(summary.first_question),
            started_at=_utc(summary.created_at),
            last_at=_utc(summary.last_at or summary.created_at),
            turns=summary.turns,
        )


class ConversationPage(BaseModel):
    """One page of the client's conversations, latest activity first."""

    total: int
    offset: int
    limit: int
    conversations: list[ConversationItem]


class FeedbackRequest(StrictBody):
    helpful: bool
    reason: str | None = Field(default=None, max_length=500, description="why (optional), in the client's words")


class HandoffRequest(StrictBody):
    reason: str = Field(default="", max_length=500, description="what the client wants to talk about")
    turn_id: str | None = Field(default=None, max_length=36, description="the turn that prompted the request, if any")


class SentReply(BaseModel):
    """A reply an advisor sent to the client."""

    draft_id: str
    advisor_id: str
    text: str
    sent_at: datetime
