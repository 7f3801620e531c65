"""Reads of a client's accounts and transactions, and of the daily price history of products."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from pydantic import BaseModel, ConfigDict
from sqlalchemy import select
from sqlalchemy.orm import Session

from records import schema


class AccountView(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    kind: str
    masked_no: str
    opened_at: date
    status: str


class TransactionView(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    trade_date: date
    product_code: str
    side: str  # buy | sell
    amount: float
    quantity: float


class PricePoint(BaseModel):
    """A daily close (securities) or unit net asset value (funds)."""

    model_config = ConfigDict(from_attributes=True, frozen=True)

    price_date: date
    close: float


def get_accounts(session: Session, client_id: str) -> list[AccountView]:
    rows = session.scalars(select(schema.Account).where(schema.Account.client_id == client_id).order_by(schema.Account.id))
    return [AccountView.model_validate(r) for r in rows]


def get_transactions(session: Session, client_id: str, *, since: date | None = None) -> list[TransactionView]:
    """A client's transactions, oldest first (the insertion order breaks ties within a day)."""
    query = select(schema.Transaction).where(schema.Transaction.client_id == client_id)
    if since is not None:
        query = query.where(schema.Transaction.trade_date >= since)
    rows = session.scalars(query.order_by(schema.Transaction.trade_date, schema.Transaction.id))
    return [TransactionView.model_validate(r) for r in rows]


def get_price_history(
    session: Session, codes: Iterable[str], *, start: date | None = None, end: date | None = None
) -> dict[str, list[PricePoint]]:
    """Daily prices per product code, oldest first; a code without history maps to an empty list."""
    wanted = sorted(set(codes))
    history: dict[str, list[PricePoint]] = {code: [] for code in wanted}
    if not wanted:
        return history
    query = select(schema.PriceHistory).where(schema.PriceHistory.product_code.in_(wanted))
    if start is not None:
        query = query.where(schema.PriceHistory.price_date >= start)
    if end is not None:
        query = query.where(schema.PriceHistory.price_date <= end)
    for row in session.scalars(query.order_by(schema.PriceHistory.product_code, schema.PriceHistory.price_date)):
        history[row.product_code].append(PricePoint(price_date=row.price_date, close=row.close))
    return history
