"""Replies an advisor drafts with the agent, edits and sends to a client; every step is an appended event."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from records import schema
from records.errors import RecordNotFound

DraftEventKind = Literal["created", "edited", "sent", "refused"]


class DraftEventView(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    seq: int
    kind: DraftEventKind
    actor_id: str
    text: str
    verdict: str
    rules: list[dict[str, Any]] = Field(default_factory=list)
    created_at: datetime


class DraftView(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    client_id: str
    advisor_id: str
    turn_id: str
    conversation_id: str
    created_at: datetime
    events: list[DraftEventView] = Field(default_factory=list)

    @property
    def status(self) -> DraftEventKind:
        """``sent`` once sent; otherwise the last event's kind."""
        kinds = [e.kind for e in self.events]
        return "sent" if "sent" in kinds else kinds[-1] if kinds else "created"

    @property
    def current_text(self) -> str:
        texts = [e.text for e in self.events if e.kind in ("created", "edited")]
        return texts[-1] if texts else ""


def create_draft(
    session: Session, *, client_id: str, advisor_id: str, turn_id: str, conversation_id: str, text: str, verdict: str, created_at: datetime
) -> DraftView:
    """A new draft with its ``created`` event. The caller commits."""
    row = schema.ReplyDraft(
        id=str(uuid.uuid4()),
        client_id=client_id,
        advisor_id=advisor_id,
        turn_id=turn_id,
        conversation_id=conversation_id,
        created_at=created_at,
    )
    session.add(row)
    session.flush()
    append_event(session, row.id, kind="created", actor_id=advisor_id, text=text, verdict=verdict, rules=[], created_at=created_at)
    return get_draft(session, row.id)


def append_event(
    session: Session,
    draft_id: str,
    *,
    kind: DraftEventKind,
    actor_id: str,
    text: str,
    verdict: str,
    rules: list[dict[str, Any]],
    created_at: datetime,
) -> DraftEventView:
    last = session.scalar(select(func.max(schema.ReplyDraftEvent.seq)).where(schema.ReplyDraftEvent.draft_id == draft_id))
    row = schema.ReplyDraftEvent(
        draft_id=draft_id, seq=(last or 0) + 1, kind=kind, actor_id=actor_id, text=text, verdict=verdict, rules=rules, created_at=created_at
    )
    session.add(row)
    session.flush()
    return DraftEventView.model_validate(row)


def get_draft(session: Session, draft_id: str) -> DraftView:
    row = session.get(schema.ReplyDraft, draft_id)
    if row is None:
        raise RecordNotFound(f"no draft {draft_id!r}", public_message="未找到该草稿")
    events = session.scalars(
        select(schema.ReplyDraftEvent).where(schema.ReplyDraftEvent.draft_id == draft_id).order_by(schema.ReplyDraftEvent.seq)
    )
    view = DraftView.model_validate(row)
    view.events = [DraftEventView.model_validate(e) for e in events]
    return view


def drafts_for_turns(session: Session, turn_ids: list[str]) -> list[DraftView]:
    ids = session.scalars(
        select(schema.ReplyDraft.id).where(schema.ReplyDraft.turn_id.in_(turn_ids)).order_by(schema.ReplyDraft.created_at)
    )
    return [get_draft(session, i) for i in ids]


def sent_replies(session: Session, client_id: str) -> list[tuple[DraftView, DraftEventView]]:
    """The replies sent to a client, oldest first, with the event that sent them."""
    ids = session.scalars(
        select(schema.ReplyDraft.id).where(schema.ReplyDraft.client_id == client_id).order_by(schema.ReplyDraft.created_at)
    )
    out: list[tuple[DraftView, DraftEventView]] = []
    for draft_id in ids:
        draft = get_draft(session, draft_id)
        out += [(draft, e) for e in draft.events if e.kind == "sent"]
    return out


def draft_conversation_ids(session: Session, client_id: str) -> set[str]:
    """Conversations the agent held only to draft an advisor's reply (not the client's own chats)."""
    return set(session.scalars(select(schema.ReplyDraft.conversation_id).where(schema.ReplyDraft.client_id == client_id)))
