"""The sample catalog as views, and small builders for hand-made books (no database)."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from agent.tools.models import ClientBook
from records.book import PricePoint, TransactionView
from records.repository import ClientView, HoldingView, ProductView
from records.seed import FACT_KEYS

PRODUCTS = Path(__file__).resolve().parents[3] / "records" / "sample_data" / "products.json"
TODAY = date(2026, 11, 22)


@pytest.fixture(scope="session")
def catalog() -> list[ProductView]:
    items: list[dict[str, Any]] = json.loads(PRODUCTS.read_text(encoding="utf-8"))
    return [
        ProductView(
            code=str(i["code"]),
            name=i["name"],
            short_name=i.get("short_name"),
            aliases=i.get("aliases", []),
            type=i["type"],
            risk_level=i["risk_level"],
            manager=i.get("manager"),
            company=i.get("company"),
            fees=i.get("fees") or {},
            key_facts={k: i[k] for k in FACT_KEYS if i.get(k) is not None},
            industry=i.get("industry"),
        )
        for i in items
    ]


@pytest.fixture
def by_code(catalog: list[ProductView]) -> dict[str, ProductView]:
    return {p.code: p for p in catalog}


def client(risk_class: str = "C3", *, expires: date = date(2028, 1, 1), investor_type: str = "ordinary", **extra: Any) -> ClientView:
    return ClientView(
        id="client-t",
        display_name="测试",
        investor_type=investor_type,
        risk_class=risk_class,
        risk_assessed_at=date(2026, 1, 1),
        risk_expires_at=expires,
        **extra,
    )


def holding(code: str, value: float, cost: float | None = None, quantity: float | None = None, acquired: date | None = None) -> HoldingView:
    return HoldingView(
        product_code=code, quantity=quantity or value, cost=value if cost is None else cost, market_value=value, acquired_at=acquired
    )


def trade(day: date, code: str, side: str, amount: float, quantity: float) -> TransactionView:
    return TransactionView(trade_date=day, product_code=code, side=side, amount=amount, quantity=quantity)


def series(closes: list[float], end: date = date(2026, 11, 20)) -> list[PricePoint]:
    """Closes on consecutive calendar days ending at ``end`` (the tools only need the order)."""
    start = end - timedelta(days=len(closes) - 1)
    return [PricePoint(price_date=start + timedelta(days=i), close=c) for i, c in enumerate(closes)]


def book(cl: ClientView, holdings: list[HoldingView], products: dict[str, ProductView], **extra: Any) -> ClientBook:
    return ClientBook(client=cl, holdings=holdings, products=products, **extra)
