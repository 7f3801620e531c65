"""Clients' feedback on replies and compliance officers' annotations of turns (both append-only)."""

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

AnnotationLabel = Literal["fine", "violation", "note"]


class FeedbackView(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    turn_id: str
    client_id: str
    helpful: bool
    reason: str | None
    created_at: datetime


class AnnotationView(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    turn_id: str
    officer_id: str
    label: AnnotationLabel
    note: str
    created_at: datetime


def _turn(session: Session, turn_id: str) -> schema.Turn:
    row = session.get(schema.Turn, turn_id)
    if row is None:
        raise RecordNotFound(f"no turn {turn_id!r}", public_message="未找到该轮对话")
    return row


def add_feedback(
    session: Session, *, turn_id: str, client_id: str, helpful: bool, reason: str | None, created_at: datetime
) -> FeedbackView:
    """Record a client's rating of their own turn; another client's turn is reported as missing. The caller commits."""
    if _turn(session, turn_id).client_id != client_id:
        raise RecordNotFound(f"turn {turn_id!r} is not client {client_id!r}'s", public_message="未找到该轮对话")
    row = schema.TurnFeedback(
        id=str(uuid.uuid4()), turn_id=turn_id, client_id=client_id, helpful=helpful, reason=reason, created_at=created_at
    )
    session.add(row)
    session.flush()
    return FeedbackView.model_validate(row)


def feedback_for(session: Session, turn_ids: Iterable[str]) -> list[FeedbackView]:
    query = select(schema.TurnFeedback).where(schema.TurnFeedback.turn_id.in_(list(turn_ids)))
    return [FeedbackView.model_validate(r) for r in session.scalars(query.order_by(schema.TurnFeedback.created_at))]


def annotate(session: Session, *, turn_id: str, officer_id: str, label: AnnotationLabel, note: str, created_at: datetime) -> AnnotationView:
    """Append an officer's annotation to a turn. The caller commits."""
    _turn(session, turn_id)
    row = schema.TurnAnnotation(id=str(uuid.uuid4()), turn_id=turn_id, officer_id=officer_id, label=label, note=note, created_at=created_at)
    session.add(row)
    session.flush()
    return AnnotationView.model_validate(row)


def annotations_for(session: Session, turn_ids: Iterable[str]) -> list[AnnotationView]:
    query = select(schema.TurnAnnotation).where(schema.TurnAnnotation.turn_id.in_(list(turn_ids)))
    return [AnnotationView.model_validate(r) for r in session.scalars(query.order_by(schema.TurnAnnotation.created_at))]
