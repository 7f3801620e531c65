"""Load the sample advisors, clients, holdings and product catalog (idempotent)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from records import schema
from records.errors import SampleDataError
from records.repository import add_token

SAMPLE_DIR = Path(__file__).parent / "sample_data"
FACT_KEYS = ("max_drawdown", "volatility", "return_1y", "return_3y", "inception_date")


def _read(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise SampleDataError(f"sample data file missing: {path}") from exc
    except json.JSONDecodeError as exc:
        raise SampleDataError(f"{path}: invalid JSON at line {exc.lineno}: {exc.msg}") from exc


def _product(item: dict[str, Any]) -> schema.Product:
    return schema.Product(
        code=str(item["code"]),
        name=item["name"],
        short_name=item.get("short_name"),
        aliases=item.get("aliases", []),
        type=item["type"],
        risk_level=item["risk_level"],
        company=item.get("company"),
        manager=item.get("manager"),
        benchmark=item.get("benchmark"),
        fees=item.get("fees") or {},
        key_facts={k: item[k] for k in FACT_KEYS if item.get(k) is not None},
        doc_id=item.get("doc_id"),
        industry=item.get("industry"),
    )


def _client(item: dict[str, Any]) -> schema.Client:
    return schema.Client(
        id=item["id"],
        display_name=item["display_name"],
        investor_type=item.get("investor_type", "ordinary"),
        risk_class=item["risk_class"],
        risk_assessed_at=date.fromisoformat(item["risk_assessed_at"]),
        risk_expires_at=date.fromisoformat(item["risk_expires_at"]),
        age_band=item.get("age_band"),
        goals=item.get("goals", []),
        horizon_years=item.get("horizon_years"),
        liquidity_need=item.get("liquidity_need"),
        advisor_id=item.get("advisor_id"),
    )


def dev_token(prefix: str, subject_id: str) -> str:
    """The development bearer token of a sample user (never created outside development)."""
    return f"{prefix}{subject_id}"


def seed(session: Session, *, with_dev_tokens: bool, token_prefix: str = "dev-", sample_dir: Path = SAMPLE_DIR) -> dict[str, int]:
    """Insert what is missing; existing rows are left untouched. Returns counts inserted."""
    counts = {"products": 0, "advisors": 0, "clients": 0, "holdings": 0, "transactions": 0}
    for item in _read(sample_dir / "products.json"):
        if session.get(schema.Product, str(item["code"])) is None:
            session.add(_product(item))
            counts["products"] += 1
    session.flush()
    people = _read(sample_dir / "clients.json")
    for adv in people.get("advisors", []):
        if session.get(schema.Advisor, adv["id"]) is None:
            session.add(schema.Advisor(id=adv["id"], name=adv["name"], license_no=adv["license_no"]))
            counts["advisors"] += 1
        if with_dev_tokens:
            add_token(session, dev_token(token_prefix, adv["id"]), "advisor", adv["id"])
    session.flush()
    for item in people["clients"]:
        if with_dev_tokens:
            add_token(session, dev_token(token_prefix, item["id"]), "client", item["id"])
        if session.get(schema.Client, item["id"]) is not None:
            continue
        session.add(_client(item))
        counts["clients"] += 1
        session.flush()
        for h in item.get("holdings", []):
            session.add(
                schema.Holding(
                    client_id=item["id"],
                    product_code=str(h["product_code"]),
                    quantity=h["quantity"],
                    cost=h["cost"],
                    market_value=h["market_value"],
                )
            )
            counts["holdings"] += 1
        for t in item.get("transactions", []):
            session.add(
                schema.Transaction(
                    client_id=item["id"],
                    trade_date=date.fromisoformat(t["date"]),
                    product_code=str(t["product_code"]),
                    side=t["side"],
                    amount=t["amount"],
                    quantity=t.get("quantity", 0.0),
                )
            )
            counts["transactions"] += 1
    if with_dev_tokens:
        add_token(session, dev_token(token_prefix, "compliance-001"), "compliance", "compliance-001")
    session.flush()
    return counts
