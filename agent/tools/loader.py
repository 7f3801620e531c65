"""The tools' one door to the records: read a client's book in a session, hand back plain models."""

from __future__ import annotations

from sqlalchemy.orm import Session

from agent.errors import UnknownClient
from agent.tools.models import ClientBook
from records import repository
from records.book import get_accounts, get_price_history, get_transactions


def load_book(session: Session, client_id: str) -> ClientBook:
    """The client, holdings, transactions, accounts, the products they touch and their price history."""
    client = repository.get_client(session, client_id)
    if client is None:
        raise UnknownClient(f"no client {client_id!r}")
    holdings = repository.get_holdings(session, client_id)
    transactions = get_transactions(session, client_id)
    codes = {h.product_code for h in holdings} | {t.product_code for t in transactions}
    products = {code: p for code in sorted(codes) if (p := repository.get_product(session, code)) is not None}
    return ClientBook(
        client=client,
        holdings=holdings,
        products=products,
        transactions=transactions,
        prices=get_price_history(session, codes),
        accounts=get_accounts(session, client_id),
    )
