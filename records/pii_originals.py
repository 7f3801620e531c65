"""Encrypted originals of masked personal data, and the audit of every reveal (both append-only).

The records layer stores ciphertext and never sees a key: sealing and opening are done by the
caller (``guardrails.pii_vault``), and a reveal is recorded here whether or not it opened.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict
from sqlalchemy import select
from sqlalchemy.orm import Session

from records import schema
from records.errors import RecordNotFound

RevealOutcome = Literal["revealed", "failed"]


class NewOriginal(BaseModel):
    """An original already sealed by the caller, to be appended with its turn."""

    id: str
    turn_id: str
    client_id: str
    kind: str
    purpose: str
    policy_version: str
    ciphertext: str
    key_id: str


class OriginalView(BaseModel):
    """An entry as the consoles see it: what, whose, why and under which key; never the ciphertext."""

    model_config = ConfigDict(from_attributes=True)

    id: str
    turn_id: str
    client_id: str
    kind: str
    purpose: str
    policy_version: str
    key_id: str
    created_at: datetime


class RevealView(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    original_id: str
    actor_role: str
    actor_id: str
    reason: str
    outcome: RevealOutcome
    created_at: datetime


def keep_originals(session: Session, originals: Iterable[NewOriginal], created_at: datetime) -> None:
    """Append sealed originals; the caller's transaction also holds their turn."""
    session.flush()  # their turn first: no relationship() orders the two inserts for the unit of work
    session.add_all(schema.PiiOriginal(**o.model_dump(), created_at=created_at) for o in originals)


def originals_for_turns(session: Session, turn_ids: list[str]) -> list[OriginalView]:
    query = select(schema.PiiOriginal).where(schema.PiiOriginal.turn_id.in_(turn_ids))
    rows = session.scalars(query.order_by(schema.PiiOriginal.created_at, schema.PiiOriginal.id))
    return [OriginalView.model_validate(r) for r in rows]


def get_original(session: Session, original_id: str) -> tuple[OriginalView, str]:
    """The entry and its ciphertext; :class:`RecordNotFound` when there is none."""
    row = session.get(schema.PiiOriginal, original_id)
    if row is None:
        raise RecordNotFound(f"personal-data original {original_id} not found", public_message="未找到该加密留存记录")
    return OriginalView.model_validate(row), row.ciphertext


def record_reveal(
    session: Session, original_id: str, *, actor_role: str, actor_id: str, reason: str, outcome: RevealOutcome, created_at: datetime
) -> RevealView:
    """Append who read (or tried to read) an original, when and why."""
    row = schema.PiiReveal(
        id=str(uuid.uuid4()),
        original_id=original_id,
        actor_role=actor_role,
        actor_id=actor_id,
        reason=reason,
        outcome=outcome,
        created_at=created_at,
    )
    session.add(row)
    session.flush()
    return RevealView.model_validate(row)


def reveals_of(session: Session, original_id: str) -> list[RevealView]:
    query = select(schema.PiiReveal).where(schema.PiiReveal.original_id == original_id)
    rows = session.scalars(query.order_by(schema.PiiReveal.created_at, schema.PiiReveal.id))
    return [RevealView.model_validate(r) for r in rows]
