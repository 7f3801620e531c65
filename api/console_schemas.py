"""Bodies of the advisor, compliance and admin endpoints (the consoles are built on these)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from agent.tools.diagnosis import Diagnosis
from agent.tools.models import Finding
from api.schemas import StrictBody
from guardrails.models import RuleHit
from guardrails.pii_retention import RetentionPolicy, retention_note
from records.drafts import DraftEventView
from records.feedback import AnnotationLabel, AnnotationView, FeedbackView
from records.leads import LeadStatus, LeadView
from records.pii_originals import OriginalView
from records.repository import ClientView, TurnRecord
from retrieval.models import Citation

REVEAL_REASON_CHARS = (2, 500)
"""The length (fewest, most characters) of the reason a reveal needs; the pages' reason field uses it too."""


class ResearchHit(BaseModel):
    citation: Citation = Field(description="document, publisher, date, section and page of the passage")
    audience: Literal["public", "internal"]
    text: str = Field(description="the whole passage")
    score: float


class ResearchResults(BaseModel):
    query: str
    hits: list[ResearchHit]


class ClientSummary(BaseModel):
    id: str
    display_name: str
    risk_class: str
    investor_type: str
    risk_expires_at: date
    total_value: float
    findings: list[Finding]
    open_leads: int


class DiagnosisReport(BaseModel):
    """One click: the client, the computed diagnosis (its ``charts`` are ready-made series) and a summary."""

    client: ClientView
    diagnosis: Diagnosis
    summary: str


class DraftCreate(StrictBody):
    question: str = Field(min_length=1, max_length=2000, description="the client's question the reply answers")
    product_code: str | None = Field(default=None, pattern=r"^[0-9A-Za-z]{1,16}$")


class DraftEdit(StrictBody):
    text: str = Field(min_length=1, max_length=4000, description="the advisor's edited reply (without the disclosure lines)")


class DraftOut(BaseModel):
    id: str
    client_id: str
    advisor_id: str
    turn_id: str = Field(description="the logged turn in which the agent drafted the reply")
    status: str = Field(description="created | edited | refused | sent")
    text: str = Field(description="the current text")
    sendable: bool = Field(description="the current text passed the output rails")
    verdict: str
    rules: list[RuleHit]
    sources: list[Citation]
    events: list[DraftEventView]


class RetainedOriginal(OriginalView):
    """An encrypted original kept with a turn, as the consoles list it: never its value."""

    purpose_label: str
    note: str = Field(description="原文已加密留存（用途：…）, shown beside the masked text")

    @classmethod
    def listed(cls, entries: list[OriginalView], policy: RetentionPolicy) -> list[RetainedOriginal]:
        return [cls(**e.model_dump(), purpose_label=policy.label(e.purpose), note=retention_note([e.purpose], policy)) for e in entries]


class RevealRequest(StrictBody):
    reason: str = Field(
        min_length=REVEAL_REASON_CHARS[0],
        max_length=REVEAL_REASON_CHARS[1],
        description="why the original is needed; kept in the audit record",
    )


class LeadOut(LeadView):
    reason_label: str
    client_name: str
    retained: list[RetainedOriginal] = Field(default_factory=list, description="contact details the client left for the call-back")


class LeadStatusChange(StrictBody):
    status: LeadStatus


class TurnRow(BaseModel):
    """One turn in the review list."""

    id: str
    created_at: datetime
    client_id: str
    conversation_id: str
    question: str
    reply: str
    verdict: str
    rules: list[str]
    risk_level: str | None
    model: str


class TurnPage(BaseModel):
    total: int
    offset: int
    limit: int
    turns: list[TurnRow]


class TurnDetail(BaseModel):
    """Everything about one turn: the log record (question, exact reply, sources, prompt version,
    model, every rule result), the client's feedback, annotations and any advisor draft built on it."""

    turn: TurnRecord
    advisor_id: str | None
    feedback: list[FeedbackView]
    annotations: list[AnnotationView]
    drafts: list[dict[str, Any]]
    retained: list[RetainedOriginal] = Field(default_factory=list, description="originals of the masked personal data kept, encrypted")


class AnnotationCreate(StrictBody):
    label: AnnotationLabel
    note: str = Field(default="", max_length=2000)


class TokenCreate(StrictBody):
    role: Literal["client", "advisor", "compliance", "admin"]
    subject_id: str = Field(min_length=1, max_length=32, pattern=r"^[0-9A-Za-z._-]+$")


class TokenIssued(BaseModel):
    token: str = Field(description="shown once; only its sha256 is stored")
    token_id: str
    role: str
    subject_id: str


class TokenInfo(BaseModel):
    token_id: str = Field(description="the first 12 hex digits of the token's sha256")
    role: str
    subject_id: str
    created_at: datetime
