"""The tables of the system of record. Changed only through a new migration (see migrations/)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, ClassVar

from sqlalchemy import JSON, Boolean, Date, DateTime, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    type_annotation_map: ClassVar[dict[Any, Any]] = {dict[str, Any]: JSON, list[Any]: JSON}


class Advisor(Base):
    __tablename__ = "advisors"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(64))
    license_no: Mapped[str] = mapped_column(String(32))


class Client(Base):
    __tablename__ = "clients"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    display_name: Mapped[str] = mapped_column(String(64))  # the salutation shown to the client: 李女士
    # The full name (李秀芬), for the roster of rule privacy.other_client; ClientView leaves it out,
    # so no prompt carries it. Null when not collected.
    full_name: Mapped[str | None] = mapped_column(String(64))
    investor_type: Mapped[str] = mapped_column(String(16))  # ordinary | professional
    risk_class: Mapped[str] = mapped_column(String(4))  # C1..C5
    risk_assessed_at: Mapped[date] = mapped_column(Date)
    risk_expires_at: Mapped[date] = mapped_column(Date)
    age_band: Mapped[str | None] = mapped_column(String(16))
    goals: Mapped[list[Any]] = mapped_column(JSON, default=list)
    horizon_years: Mapped[int | None] = mapped_column(Integer)
    liquidity_need: Mapped[str | None] = mapped_column(String(16))
    advisor_id: Mapped[str | None] = mapped_column(ForeignKey("advisors.id"))
    # The facts behind a 专业投资者 claim (5M CNY of financial assets or 500k CNY average annual
    # income over 3 years, and 2 years of investment experience); null when not collected.
    financial_assets: Mapped[float | None] = mapped_column(Float)
    annual_income: Mapped[float | None] = mapped_column(Float)
    experience_years: Mapped[int | None] = mapped_column(Integer)
    onboarded_at: Mapped[date | None] = mapped_column(Date)


class Product(Base):
    __tablename__ = "products"

    code: Mapped[str] = mapped_column(String(16), primary_key=True)
    name: Mapped[str] = mapped_column(String(128))
    short_name: Mapped[str | None] = mapped_column(String(64))
    aliases: Mapped[list[Any]] = mapped_column(JSON, default=list)
    type: Mapped[str] = mapped_column(String(32))
    risk_level: Mapped[str] = mapped_column(String(4))  # R1..R5
    company: Mapped[str | None] = mapped_column(String(128))
    manager: Mapped[str | None] = mapped_column(String(64))
    benchmark: Mapped[str | None] = mapped_column(Text)
    fees: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    key_facts: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    doc_id: Mapped[str | None] = mapped_column(String(128))
    industry: Mapped[str | None] = mapped_column(String(64))


class Holding(Base):
    __tablename__ = "holdings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    client_id: Mapped[str] = mapped_column(ForeignKey("clients.id"), index=True)
    product_code: Mapped[str] = mapped_column(ForeignKey("products.code"))
    quantity: Mapped[float] = mapped_column(Float)
    cost: Mapped[float] = mapped_column(Float)
    market_value: Mapped[float] = mapped_column(Float)
    # When the position was first opened; the redemption fee of a fund depends on how long it was held.
    acquired_at: Mapped[date | None] = mapped_column(Date)


class Transaction(Base):
    __tablename__ = "transactions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    client_id: Mapped[str] = mapped_column(ForeignKey("clients.id"), index=True)
    trade_date: Mapped[date] = mapped_column(Date)
    product_code: Mapped[str] = mapped_column(ForeignKey("products.code"))
    side: Mapped[str] = mapped_column(String(8))
    amount: Mapped[float] = mapped_column(Float)
    quantity: Mapped[float] = mapped_column(Float)


class Account(Base):
    """A client's securities, fund or wealth-management account. Only the masked number is stored."""

    __tablename__ = "accounts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    client_id: Mapped[str] = mapped_column(ForeignKey("clients.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # securities | fund | wealth
    masked_no: Mapped[str] = mapped_column(String(32))
    opened_at: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16))  # active | dormant | closed


class PriceHistory(Base):
    """Daily closing price of a security, or unit net asset value (单位净值) of a fund."""

    __tablename__ = "price_history"

    product_code: Mapped[str] = mapped_column(ForeignKey("products.code"), primary_key=True)
    price_date: Mapped[date] = mapped_column(Date, primary_key=True)
    close: Mapped[float] = mapped_column(Float)


class Lead(Base):
    """A hand-off to a human advisor: a client whose messages show intent or distress."""

    __tablename__ = "leads"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    client_id: Mapped[str] = mapped_column(ForeignKey("clients.id"), index=True)
    advisor_id: Mapped[str | None] = mapped_column(ForeignKey("advisors.id"), index=True)
    reason_code: Mapped[str] = mapped_column(String(32))
    detail: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    status: Mapped[str] = mapped_column(String(16))  # open | contacted | closed
    turn_id: Mapped[str | None] = mapped_column(String(36))  # the turn that raised it, when there was one


class ApiToken(Base):
    """A bearer token, stored only as its sha256; it maps to one role and one subject."""

    __tablename__ = "api_tokens"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    role: Mapped[str] = mapped_column(String(16))  # client | advisor | compliance | admin
    subject_id: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Conversation(Base):
    __tablename__ = "conversations"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    client_id: Mapped[str] = mapped_column(ForeignKey("clients.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Turn(Base):
    """One question and the exact reply shown, with everything needed to review it. Append-only."""

    __tablename__ = "turns"
    __table_args__ = (UniqueConstraint("conversation_id", "seq"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    conversation_id: Mapped[str] = mapped_column(ForeignKey("conversations.id"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    request_id: Mapped[str] = mapped_column(String(64))
    client_id: Mapped[str] = mapped_column(String(32), index=True)
    question: Mapped[str] = mapped_column(Text)
    reply: Mapped[str] = mapped_column(Text)
    draft: Mapped[str | None] = mapped_column(Text)
    sources: Mapped[list[Any]] = mapped_column(JSON, default=list)
    verdict: Mapped[str] = mapped_column(String(16))
    rules: Mapped[list[Any]] = mapped_column(JSON, default=list)
    risk_level: Mapped[str | None] = mapped_column(String(4))
    suitability: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    intent: Mapped[str | None] = mapped_column(String(32))
    model: Mapped[str] = mapped_column(String(128))
    prompt_version: Mapped[str] = mapped_column(String(64))
    content_id: Mapped[str] = mapped_column(String(64))
    timings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class TurnFeedback(Base):
    """A client's rating of one reply (helpful or not, and why). Append-only: the latest counts."""

    __tablename__ = "turn_feedback"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    turn_id: Mapped[str] = mapped_column(ForeignKey("turns.id"), index=True)
    client_id: Mapped[str] = mapped_column(String(32), index=True)
    helpful: Mapped[bool] = mapped_column(Boolean)
    reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class TurnAnnotation(Base):
    """A compliance officer's judgment of one turn. Append-only: a later note never erases an earlier one."""

    __tablename__ = "turn_annotations"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    turn_id: Mapped[str] = mapped_column(ForeignKey("turns.id"), index=True)
    officer_id: Mapped[str] = mapped_column(String(32))
    label: Mapped[str] = mapped_column(String(16))  # fine | violation | note
    note: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ReplyDraft(Base):
    """An AI-drafted reply an advisor prepares for one client; its life is the events below."""

    __tablename__ = "reply_drafts"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    client_id: Mapped[str] = mapped_column(ForeignKey("clients.id"), index=True)
    advisor_id: Mapped[str] = mapped_column(ForeignKey("advisors.id"), index=True)
    turn_id: Mapped[str] = mapped_column(ForeignKey("turns.id"))  # the logged turn that generated the draft
    conversation_id: Mapped[str] = mapped_column(ForeignKey("conversations.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ReplyDraftEvent(Base):
    """What happened to a draft: created, edited (with the text and its rule results), sent, refused. Append-only."""

    __tablename__ = "reply_draft_events"
    __table_args__ = (UniqueConstraint("draft_id", "seq"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    draft_id: Mapped[str] = mapped_column(ForeignKey("reply_drafts.id"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(16))  # created | edited | sent | refused
    actor_id: Mapped[str] = mapped_column(String(32))
    text: Mapped[str] = mapped_column(Text)
    verdict: Mapped[str] = mapped_column(String(16))
    rules: Mapped[list[Any]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class PiiOriginal(Base):
    """The encrypted original of masked personal data, kept only where the retention policy
    (guardrails/policy/pii_retention.yaml) asks for it. Append-only; written with its turn."""

    __tablename__ = "pii_originals"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    turn_id: Mapped[str] = mapped_column(ForeignKey("turns.id"), index=True)
    client_id: Mapped[str] = mapped_column(String(32), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # mobile | email | ... (never id_number or bank_card under the policy)
    purpose: Mapped[str] = mapped_column(String(32))
    policy_version: Mapped[str] = mapped_column(String(32))
    ciphertext: Mapped[str] = mapped_column(Text)  # Fernet token; the plaintext never reaches the database
    key_id: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class PiiReveal(Base):
    """Every attempt to read an original: who, when, why, and whether it opened. Append-only."""

    __tablename__ = "pii_reveals"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    original_id: Mapped[str] = mapped_column(ForeignKey("pii_originals.id"), index=True)
    actor_role: Mapped[str] = mapped_column(String(16))
    actor_id: Mapped[str] = mapped_column(String(32))
    reason: Mapped[str] = mapped_column(Text)
    outcome: Mapped[str] = mapped_column(String(16))  # revealed | failed
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
