"""Load the sample advisors, clients, accounts, holdings, transactions, product catalog and price
history (idempotent: what exists is left as it is, but for what a later migration added)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from records import schema
from records.errors import SampleDataError
from records.prices import business_days, code_seed, generate_series
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
        full_name=item.get("full_name"),
        investor_type=item.get("investor_type", "ordinary"),
        risk_class=item["risk_class"],
        risk_assessed_at=date.fromisoformat(item["risk_assessed_at"]),
        risk_expires_at=date.fromisoformat(item["risk_expires_at"]),
        age_band=item.get("age_band"),
        goals=item.get("goals", []),
        horizon_years=item.get("horizon_years"),
        liquidity_need=item.get("liquidity_need"),
        advisor_id=item.get("advisor_id"),
        financial_assets=item.get("financial_assets"),
        annual_income=item.get("annual_income"),
        experience_years=item.get("experience_years"),
        onboarded_at=_onboarded(item),
    )


def _onboarded(item: dict[str, Any]) -> date:
    dates = [date.fromisoformat(item["risk_assessed_at"])] + [date.fromisoformat(t["date"]) for t in item.get("transactions", [])]
    return date.fromisoformat(item["onboarded_at"]) if item.get("onboarded_at") else min(dates)


FUND_TYPES = {"money_market", "bond_fund", "mixed_fund", "equity_fund", "index_fund", "qdii_fund"}


def _accounts(item: dict[str, Any], product_types: dict[str, str]) -> list[schema.Account]:
    """A securities account for every client, a fund and a wealth account when they hold such products.

    Only a masked number is stored: the sample never holds a full account number.
    """
    serial = int("".join(ch for ch in item["id"] if ch.isdigit()) or "0")
    codes = {str(h["product_code"]) for h in item.get("holdings", [])} | {str(t["product_code"]) for t in item.get("transactions", [])}
    kinds = {product_types.get(code, "") for code in codes}
    wanted = [("securities", f"A{(serial * 7331) % 10**9:09d}")]
    if kinds & FUND_TYPES:
        wanted.append(("fund", f"98{(serial * 104729) % 10**10:010d}"))
    if "wealth_product" in kinds:
        wanted.append(("wealth", f"ZH{(serial * 15485863) % 10**10:010d}"))
    opened = _onboarded(item)
    return [
        schema.Account(client_id=item["id"], kind=kind, masked_no=mask_account_no(no), opened_at=opened, status="active")
        for kind, no in wanted
    ]


def mask_account_no(number: str) -> str:
    """Keep the first two and the last four characters: ``A123456789`` -> ``A1****6789``."""
    return number[:2] + "*" * max(len(number) - 6, 4) + number[-4:]


def _acquired_at(item: dict[str, Any], holding: dict[str, Any]) -> date | None:
    if holding.get("acquired_at"):
        return date.fromisoformat(holding["acquired_at"])
    buys = [
        date.fromisoformat(t["date"])
        for t in item.get("transactions", [])
        if t["side"] == "buy" and str(t["product_code"]) == str(holding["product_code"])
    ]
    return min(buys) if buys else None


def dev_token(prefix: str, subject_id: str) -> str:
    """The development bearer token of a sample user (never created outside development)."""
    return f"{prefix}{subject_id}"


def _add_book(session: Session, item: dict[str, Any], counts: dict[str, int]) -> None:
    """The holdings and transactions of a client just added."""
    for h in item.get("holdings", []):
        session.add(
            schema.Holding(
                client_id=item["id"],
                product_code=str(h["product_code"]),
                quantity=h["quantity"],
                cost=h["cost"],
                market_value=h["market_value"],
                acquired_at=_acquired_at(item, h),
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


def seed(session: Session, *, with_dev_tokens: bool, token_prefix: str = "dev-", sample_dir: Path = SAMPLE_DIR) -> dict[str, int]:
    """Insert what is missing; existing rows are left untouched, but for a sample client's null
    full name (the column came with migration 0005), which is filled. Returns counts inserted or filled."""
    counts = {"products": 0, "advisors": 0, "clients": 0, "full_names": 0, "accounts": 0, "holdings": 0, "transactions": 0, "prices": 0}
    catalog = _read(sample_dir / "products.json")
    product_types = {str(item["code"]): item["type"] for item in catalog}
    for item in catalog:
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
        client = session.get(schema.Client, item["id"])
        exists = client is not None
        if client is None:
            session.add(_client(item))
            counts["clients"] += 1
            session.flush()
        elif client.full_name is None and item.get("full_name"):
            # full names arrived with migration 0005: a client seeded before it gets one now
            client.full_name = item["full_name"]
            counts["full_names"] += 1
        # accounts arrived with migration 0002: a client seeded before it gets them now
        if session.scalar(select(schema.Account.id).where(schema.Account.client_id == item["id"]).limit(1)) is None:
            for account in _accounts(item, product_types):
                session.add(account)
                counts["accounts"] += 1
        if not exists:
            _add_book(session, item, counts)
    if with_dev_tokens:
        add_token(session, dev_token(token_prefix, "compliance-001"), "compliance", "compliance-001")
    session.flush()
    counts["prices"] = _seed_prices(session, catalog, people["clients"], _read(sample_dir / "price_anchors.json"))
    session.flush()
    return counts


def price_anchors(
    catalog: list[dict[str, Any]], clients: list[dict[str, Any]], config: dict[str, Any]
) -> dict[str, dict[date, list[float]]]:
    """Every known price of every product: trades, holdings on the valuation date, scenario points."""
    anchors: dict[str, dict[date, list[float]]] = {str(p["code"]): {} for p in catalog}
    valuation = date.fromisoformat(config["valuation_date"])
    for client in clients:
        for t in client.get("transactions", []):
            if t.get("quantity"):
                anchors[str(t["product_code"])].setdefault(date.fromisoformat(t["date"]), []).append(t["amount"] / t["quantity"])
        for h in client.get("holdings", []):
            if h["quantity"]:
                anchors[str(h["product_code"])].setdefault(valuation, []).append(h["market_value"] / h["quantity"])
    for code, points in config.get("scenarios", {}).items():
        for day, price in points.items():
            anchors[code].setdefault(date.fromisoformat(day), []).append(price)
    return anchors


def _seed_prices(session: Session, catalog: list[dict[str, Any]], clients: list[dict[str, Any]], config: dict[str, Any]) -> int:
    """About a year of daily closes per product, for the products that have none yet."""
    have = set(session.scalars(select(schema.PriceHistory.product_code).distinct()))
    days = business_days(date.fromisoformat(config["start"]), date.fromisoformat(config["end"]))
    anchors = price_anchors(catalog, clients, config)
    rows: list[dict[str, Any]] = []
    for item in catalog:
        code = str(item["code"])
        if code in have:
            continue
        if item["type"] == "money_market":
            closes = [1.0] * len(days)  # a money fund's unit value stays at 1; its income is paid in units
        else:
            closes = generate_series(
                days,
                anchors=anchors[code],
                annual_volatility=float(item.get("volatility") or 0.0),
                seed=code_seed(code),
                start_price=float(config.get("start_prices", {}).get(code, 1.0)),
            )
        rows += [{"product_code": code, "price_date": d, "close": c} for d, c in zip(days, closes, strict=True)]
    if rows:
        session.execute(insert(schema.PriceHistory), rows)
    return len(rows)
