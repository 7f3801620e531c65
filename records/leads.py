"""Hand-offs to a human advisor (leads): created by the agent, worked by the advisor."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.errors import InvalidInput
from records import schema
from records.errors import RecordNotFound

LeadReason = Literal[
    "purchase_intent",  # wants to buy or switch; an advisor can help
    "above_class_request",  # asked for a product above their risk class
    "distress",  # anxiety, panic, large losses
    "complaint",
    "human_requested",  # asked for a person
    "reassessment_needed",  # risk assessment expired or about to
    "behaviour_risk",  # trading pattern worth a conversation (turnover, panic selling)
    "repeated_failure",  # the advisor could not answer several times in a row
]
LeadStatus = Literal["open", "contacted", "closed"]
REASON_LABELS: dict[str, str] = {
    "purchase_intent": "购买意向",
    "above_class_request": "申请购买超出风险等级的产品",
    "distress": "情绪焦虑或亏损较大",
    "complaint": "投诉",
    "human_requested": "要求人工服务",
    "reassessment_needed": "需重新风险测评",
    "behaviour_risk": "交易行为需关注",
    "repeated_failure": "多次未能解答",
}


class LeadView(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    client_id: str
    advisor_id: str | None
    reason_code: LeadReason
    detail: str
    created_at: datetime
    status: LeadStatus
    turn_id: str | None = None


def create_lead(
    session: Session,
    *,
    client_id: str,
    reason_code: LeadReason,
    detail: str,
    created_at: datetime,
    advisor_id: str | None = None,
    turn_id: str | None = None,
) -> LeadView:
    """Open a lead for the client's own advisor (or ``advisor_id``). The caller commits."""
    client = session.get(schema.Client, client_id)
    if client is None:
        raise RecordNotFound(f"no client {client_id!r}", public_message="未找到该客户")
    if reason_code not in REASON_LABELS:
        raise InvalidInput(f"unknown lead reason {reason_code!r}")
    row = schema.Lead(
        id=str(uuid.uuid4()),
        client_id=client_id,
        advisor_id=advisor_id or client.advisor_id,
        reason_code=reason_code,
        detail=detail,
        created_at=created_at,
        status="open",
        turn_id=turn_id,
    )
    session.add(row)
    session.flush()
    return LeadView.model_validate(row)


def list_leads(
    session: Session, *, advisor_id: str | None = None, client_id: str | None = None, status: LeadStatus | None = None
) -> list[LeadView]:
    """Leads, newest first, filtered by advisor, client and status when given."""
    query = select(schema.Lead)
    if advisor_id is not None:
        query = query.where(schema.Lead.advisor_id == advisor_id)
    if client_id is not None:
        query = query.where(schema.Lead.client_id == client_id)
    if status is not None:
        query = query.where(schema.Lead.status == status)
    return [LeadView.model_validate(r) for r in session.scalars(query.order_by(schema.Lead.created_at.desc(), schema.Lead.id))]


def set_lead_status(session: Session, lead_id: str, status: LeadStatus) -> LeadView:
    row = session.get(schema.Lead, lead_id)
    if row is None:
        raise RecordNotFound(f"no lead {lead_id!r}")
    if status not in ("open", "contacted", "closed"):
        raise InvalidInput(f"unknown lead status {status!r}")
    row.status = status
    session.flush()
    return LeadView.model_validate(row)
