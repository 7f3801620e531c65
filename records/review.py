"""Read-only queries over the conversation log for the client's history and the review consoles."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from typing import Literal

from pydantic import BaseModel, Field
from sqlalchemy import ColumnElement, Select, func, or_, select
from sqlalchemy.orm import Session

from records import schema
from records.repository import ClientView, TurnRecord


class ConversationSummary(BaseModel):
    id: str
    created_at: datetime
    turns: int
    last_at: datetime | None = Field(description="when the latest turn was written; None for a conversation without turns")
    first_question: str | None = Field(description="the first question as logged (masked on the way in)")


class TurnFilter(BaseModel):
    """What a compliance officer narrows the log by; every field is optional and they combine with AND."""

    verdict: Literal["pass", "rewrite", "block", "escalate"] | None = None
    rule: str | None = Field(default=None, max_length=64, description="a rule id that fired on the turn, e.g. claims.guarantee")
    risk_level: str | None = Field(default=None, pattern=r"^R[1-5]$")
    client_id: str | None = Field(default=None, max_length=32)
    advisor_id: str | None = Field(default=None, max_length=32, description="turns of the clients assigned to this advisor")
    date_from: date | None = None
    date_to: date | None = Field(default=None, description="inclusive")
    text: str | None = Field(default=None, max_length=200, description="a substring of the question or the reply")


class DayCount(BaseModel):
    day: date
    turns: int
    verdicts: dict[str, int]
    rules: dict[str, int]


def list_clients(session: Session, advisor_id: str | None = None) -> list[ClientView]:
    """Clients, by id; only an advisor's own when ``advisor_id`` is given."""
    query = select(schema.Client).order_by(schema.Client.id)
    if advisor_id is not None:
        query = query.where(schema.Client.advisor_id == advisor_id)
    return [ClientView.model_validate(r) for r in session.scalars(query)]


def _own(client_id: str, exclude: set[str] | None) -> list[ColumnElement[bool]]:
    """The client's conversations, but for those in ``exclude``."""
    where = [schema.Conversation.client_id == client_id]
    if exclude:
        where.append(schema.Conversation.id.not_in(exclude))
    return where


def count_conversations(session: Session, client_id: str, exclude: set[str] | None = None) -> int:
    """How many conversations ``conversations`` can list for the client."""
    return session.scalar(select(func.count()).select_from(schema.Conversation).where(*_own(client_id, exclude))) or 0


def conversations(
    session: Session, client_id: str, exclude: set[str] | None = None, *, offset: int = 0, limit: int | None = None
) -> list[ConversationSummary]:
    """One page of a client's conversations, latest activity first (one continued today comes before
    one started today and left), with their turn counts and first questions."""
    counts = (
        select(schema.Turn.conversation_id, func.count().label("n"), func.max(schema.Turn.created_at).label("last"))
        .where(schema.Turn.client_id == client_id)
        .group_by(schema.Turn.conversation_id)
        .subquery()
    )
    first = (
        select(schema.Turn.conversation_id, schema.Turn.question).where(schema.Turn.client_id == client_id, schema.Turn.seq == 1).subquery()
    )
    query = (
        select(schema.Conversation, counts.c.n, counts.c.last, first.c.question)
        .outerjoin(counts, counts.c.conversation_id == schema.Conversation.id)
        .outerjoin(first, first.c.conversation_id == schema.Conversation.id)
        .where(*_own(client_id, exclude))
        .order_by(func.coalesce(counts.c.last, schema.Conversation.created_at).desc(), schema.Conversation.id.desc())
        .offset(offset)
        .limit(limit)
    )
    return [
        ConversationSummary(id=conv.id, created_at=conv.created_at, turns=n or 0, last_at=last, first_question=question)
        for conv, n, last, question in session.execute(query)
    ]


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def _filtered(f: TurnFilter) -> Select[schema.Turn]:
    query = select(schema.Turn)
    if f.verdict:
        query = query.where(schema.Turn.verdict == f.verdict)
    if f.risk_level:
        query = query.where(schema.Turn.risk_level == f.risk_level)
    if f.client_id:
        query = query.where(schema.Turn.client_id == f.client_id)
    if f.advisor_id:
        query = query.where(schema.Turn.client_id.in_(select(schema.Client.id).where(schema.Client.advisor_id == f.advisor_id)))
    if f.date_from:
        query = query.where(schema.Turn.created_at >= _day_start(f.date_from))
    if f.date_to:
        query = query.where(schema.Turn.created_at < _day_start(f.date_to + timedelta(days=1)))
    if f.text:
        pattern = "%" + f.text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        query = query.where(or_(schema.Turn.question.like(pattern, escape="\\"), schema.Turn.reply.like(pattern, escape="\\")))
    return query.order_by(schema.Turn.created_at.desc(), schema.Turn.id)


def _fired(turn: schema.Turn) -> list[str]:
    return [str(r.get("rule_id")) for r in turn.rules if isinstance(r, dict)]


def iter_turns(session: Session, f: TurnFilter) -> Iterator[TurnRecord]:
    """Every turn the filter admits, newest first. The rule is matched in Python: JSON queries differ by database."""
    for row in session.scalars(_filtered(f).execution_options(yield_per=500)):
        if f.rule is None or f.rule in _fired(row):
            yield TurnRecord.model_validate(row)


def search_turns(session: Session, f: TurnFilter, *, offset: int = 0, limit: int = 50) -> tuple[int, list[TurnRecord]]:
    """The total count of matching turns and one page of them."""
    total, page = 0, []
    for record in iter_turns(session, f):
        if offset <= total < offset + limit:
            page.append(record)
        total += 1
    return total, page


def daily_counts(session: Session, f: TurnFilter) -> list[DayCount]:
    """Turns, verdicts and rule hits per day (UTC), oldest first, for a chart."""
    verdicts: dict[date, Counter[str]] = defaultdict(Counter)
    rules: dict[date, Counter[str]] = defaultdict(Counter)
    for record in iter_turns(session, f):
        day = record.created_at.date()
        verdicts[day][record.verdict] += 1
        rules[day].update(str(r.get("rule_id")) for r in record.rules)
    return [
        DayCount(day=day, turns=sum(verdicts[day].values()), verdicts=dict(verdicts[day]), rules=dict(rules[day]))
        for day in sorted(verdicts)
    ]
