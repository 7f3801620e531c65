"""Reads and appends on the records, returning pydantic views (never ORM objects) to callers."""

from __future__ import annotations

import hashlib
import uuid
from datetime import UTC, date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from records import schema


class ProductView(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    code: str
    name: str
    short_name: str | None = None
    aliases: list[str] = Field(default_factory=list)
    type: str
    risk_level: str
    company: str | None = None
    manager: str | None = None
    benchmark: str | None = None
    fees: dict[str, Any] = Field(default_factory=dict)
    key_facts: dict[str, Any] = Field(default_factory=dict)
    doc_id: str | None = None
    industry: str | None = None


class HoldingView(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    product_code: str
    quantity: float
    cost: float
    market_value: float
    acquired_at: date | None = Field(default=None, description="when the position was first opened")


class ClientView(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    display_name: str
    investor_type: str
    risk_class: str
    risk_assessed_at: date
    risk_expires_at: date
    age_band: str | None = None
    goals: list[str] = Field(default_factory=list)
    horizon_years: int | None = None
    liquidity_need: str | None = None
    advisor_id: str | None = None
    financial_assets: float | None = Field(default=None, description="financial assets in CNY (专业投资者 test)")
    annual_income: float | None = Field(default=None, description="average annual income over 3 years in CNY")
    experience_years: int | None = Field(default=None, description="years of investment experience")
    onboarded_at: date | None = None


class Principal(BaseModel):
    """Who is calling: a role and the id of the client, advisor or officer behind it."""

    role: str
    subject_id: str


class TurnRecord(BaseModel):
    """Everything logged for one turn; written before the reply is acknowledged."""

    model_config = ConfigDict(from_attributes=True)

    id: str = Field(default_factory=lambda: str(uuid.uuid4()))
    conversation_id: str
    seq: int = 0
    created_at: datetime = Field(default_factory=lambda: datetime.now(UTC))
    request_id: str
    client_id: str
    question: str
    reply: str
    draft: str | None = None
    sources: list[dict[str, Any]] = Field(default_factory=list)
    verdict: str
    rules: list[dict[str, Any]] = Field(default_factory=list)
    risk_level: str | None = None
    suitability: dict[str, Any] | None = None
    intent: str | None = None
    model: str
    prompt_version: str
    content_id: str
    timings: dict[str, Any] = Field(default_factory=dict)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def principal_for_token(session: Session, token: str) -> Principal | None:
    row = session.get(schema.ApiToken, hash_token(token))
    return Principal(role=row.role, subject_id=row.subject_id) if row else None


def add_token(session: Session, token: str, role: str, subject_id: str) -> None:
    """Store a token's hash (idempotent: an existing token is left as it is)."""
    if session.get(schema.ApiToken, hash_token(token)) is None:
        session.add(schema.ApiToken(token_hash=hash_token(token), role=role, subject_id=subject_id, created_at=datetime.now(UTC)))


def get_client(session: Session, client_id: str) -> ClientView | None:
    row = session.get(schema.Client, client_id)
    return ClientView.model_validate(row) if row else None


def get_holdings(session: Session, client_id: str) -> list[HoldingView]:
    rows = session.scalars(select(schema.Holding).where(schema.Holding.client_id == client_id).order_by(schema.Holding.id))
    return [HoldingView.model_validate(r) for r in rows]


def get_product(session: Session, code: str) -> ProductView | None:
    row = session.get(schema.Product, code)
    return ProductView.model_validate(row) if row else None


def list_products(session: Session) -> list[ProductView]:
    return [ProductView.model_validate(r) for r in session.scalars(select(schema.Product).order_by(schema.Product.code))]


def start_conversation(session: Session, client_id: str) -> str:
    conversation_id = str(uuid.uuid4())
    session.add(schema.Conversation(id=conversation_id, client_id=client_id, created_at=datetime.now(UTC)))
    return conversation_id


def conversation_owner(session: Session, conversation_id: str) -> str | None:
    row = session.get(schema.Conversation, conversation_id)
    return row.client_id if row else None


def append_turn(session: Session, record: TurnRecord) -> TurnRecord:
    """Append a turn as the next in its conversation. The caller commits; only then is it acknowledged."""
    last = session.scalar(select(func.max(schema.Turn.seq)).where(schema.Turn.conversation_id == record.conversation_id))
    record.seq = (last or 0) + 1
    session.add(schema.Turn(**record.model_dump()))
    return record


def get_turns(session: Session, conversation_id: str) -> list[TurnRecord]:
    rows = session.scalars(select(schema.Turn).where(schema.Turn.conversation_id == conversation_id).order_by(schema.Turn.seq))
    return [TurnRecord.model_validate(r) for r in rows]


def get_turn(session: Session, turn_id: str) -> TurnRecord | None:
    row = session.get(schema.Turn, turn_id)
    return TurnRecord.model_validate(row) if row else None
