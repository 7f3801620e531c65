"""Subscription and redemption fees from a product's fee schedule.

Subscription fees are charged the way Chinese open-end funds charge them (外扣法): the fee is
taken out of the gross amount, ``net = amount / (1 + rate)`` and ``fee = amount - net``; the tier
is chosen by the gross amount. A tier may carry a fixed fee per order instead of a rate. The
redemption fee is ``shares value x rate``, the tier chosen by calendar days held. Tiers are
half-open: ``min <= x < max`` (``max`` null means no upper bound).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from pydantic import BaseModel, Field

from agent.tools.models import ToolResult, money, pct
from core.errors import InvalidInput
from records.book import TransactionView
from records.repository import HoldingView, ProductView

EXCHANGE_NOTE = "该产品在交易所买卖，按券商佣金、过户费及卖出印花税收费，以您账户的实际费率为准，此处不作估算。"


class FeeLine(BaseModel):
    kind: str  # subscription | redemption
    applicable: bool
    gross: float
    rate: float | None = None
    fixed: float | None = None
    fee: float | None = None
    net: float | None = None
    tier: str = ""
    note: str = ""


class FeeQuote(ToolResult):
    """What buying ``amount`` of a product costs, and what redeeming it after ``holding_days`` costs."""

    product_code: str
    product_name: str
    subscription: FeeLine | None = None
    redemption: FeeLine | None = None
    annual_ongoing_rate: float

    def summary_text(self) -> str:
        parts = [f"{self.product_name}（{self.product_code}）费用测算："]
        for line in (self.subscription, self.redemption):
            if line is None:
                continue
            label = "申购" if line.kind == "subscription" else "赎回"
            if not line.applicable or line.fee is None:
                parts.append(f"{label}：{line.note}")
            else:
                how = f"费率{pct(line.rate or 0)}" if line.fixed is None else f"每笔固定{line.fixed:,.2f}元"
                parts.append(f"{label}{line.gross:,.2f}元，{line.tier}，{how}，费用约{line.fee:,.2f}元。")
        parts.append(f"年度运作费用（管理费+托管费+销售服务费）合计{pct(self.annual_ongoing_rate)}/年，从基金资产中每日计提。")
        return "".join(parts)


def _tiers(product: ProductView, kind: str) -> list[dict[str, Any]]:
    tiers = product.fees.get(kind)
    return list(tiers) if isinstance(tiers, list) else []


def _pick(tiers: Sequence[dict[str, Any]], value: float, low: str, high: str) -> dict[str, Any] | None:
    for tier in tiers:
        top = tier.get(high)
        if float(tier.get(low) or 0) <= value and (top is None or value < float(top)):
            return tier
    return None


def _range(tier: dict[str, Any], low: str, high: str, unit: str) -> str:
    lo, hi = tier.get(low) or 0, tier.get(high)
    if hi is None:
        return f"{lo:,}{unit}及以上"
    return f"{lo:,}{unit}（含）至{hi:,}{unit}（不含）" if lo else f"{hi:,}{unit}以下"


def subscription_fee(product: ProductView, amount: float) -> FeeLine:
    """The front-end subscription fee on a gross ``amount`` (CNY)."""
    if amount < 0:
        raise InvalidInput(f"negative amount {amount}", public_message="金额不能为负数")
    tier = _pick(_tiers(product, "subscription"), amount, "min_amount", "max_amount")
    if tier is None:
        return FeeLine(kind="subscription", applicable=False, gross=amount, note=EXCHANGE_NOTE)
    label = "金额" + _range(tier, "min_amount", "max_amount", "元")
    if tier.get("fixed") is not None:
        fixed = float(tier["fixed"])
        fee = min(fixed, amount)
        return FeeLine(kind="subscription", applicable=True, gross=amount, fixed=fixed, fee=money(fee), net=money(amount - fee), tier=label)
    rate = float(tier.get("rate") or 0.0)
    net = amount / (1.0 + rate)
    return FeeLine(kind="subscription", applicable=True, gross=amount, rate=rate, fee=money(amount - net), net=money(net), tier=label)


def redemption_fee(product: ProductView, amount: float, holding_days: int) -> FeeLine:
    """The redemption fee on redeeming shares worth ``amount`` after ``holding_days`` calendar days."""
    if amount < 0:
        raise InvalidInput(f"negative amount {amount}", public_message="金额不能为负数")
    if holding_days < 0:
        raise InvalidInput(f"negative holding period {holding_days}", public_message="持有天数不能为负数")
    tier = _pick(_tiers(product, "redemption"), holding_days, "min_days", "max_days")
    if tier is None:
        return FeeLine(kind="redemption", applicable=False, gross=amount, note=EXCHANGE_NOTE)
    rate = float(tier.get("rate") or 0.0)
    label = f"持有{holding_days}天（" + _range(tier, "min_days", "max_days", "天") + "档）"
    fee = money(amount * rate)
    return FeeLine(kind="redemption", applicable=True, gross=amount, rate=rate, fee=fee, net=money(amount - fee), tier=label)


def annual_ongoing_rate(product: ProductView) -> float:
    return sum(float(product.fees.get(k) or 0.0) for k in ("management", "custody", "sales_service"))


def fee_quote(product: ProductView, amount: float, holding_days: int | None = None) -> FeeQuote:
    """Subscription fee on ``amount``, and the redemption fee after ``holding_days`` when given."""
    return FeeQuote(
        product_code=product.code,
        product_name=product.name,
        subscription=subscription_fee(product, amount),
        redemption=None if holding_days is None else redemption_fee(product, amount, holding_days),
        annual_ongoing_rate=annual_ongoing_rate(product),
    )


class Lot(BaseModel):
    """Units of one product bought on one day (``acquired_at`` None: the date is not on record)."""

    quantity: float
    acquired_at: date | None


class Sale(BaseModel):
    """A recorded sale and the purchase lots it drew down (first in, first out)."""

    transaction: TransactionView
    matched: list[Lot]
    unmatched_quantity: float = Field(description="units sold that no recorded purchase explains")


def _draw(lots: list[Lot], quantity: float) -> tuple[list[Lot], float]:
    taken: list[Lot] = []
    left = quantity
    while left > 1e-9 and lots:
        take = min(left, lots[0].quantity)
        taken.append(Lot(quantity=take, acquired_at=lots[0].acquired_at))
        lots[0].quantity -= take
        left -= take
        if lots[0].quantity <= 1e-9:
            lots.pop(0)
    return taken, max(left, 0.0)


def replay(product_code: str, transactions: Sequence[TransactionView]) -> tuple[list[Lot], list[Sale]]:
    """The purchase lots still open after the recorded trades of one product, and each sale's lots."""
    lots: list[Lot] = []
    sales: list[Sale] = []
    for t in sorted((t for t in transactions if t.product_code == product_code), key=lambda t: t.trade_date):
        if t.side == "buy":
            lots.append(Lot(quantity=t.quantity, acquired_at=t.trade_date))
        else:
            matched, unmatched = _draw(lots, t.quantity)
            sales.append(Sale(transaction=t, matched=matched, unmatched_quantity=unmatched))
    return lots, sales


def open_lots(holding: HoldingView, transactions: Sequence[TransactionView]) -> list[Lot]:
    """The current units of a holding split by purchase date, first in first out.

    Units the recorded transactions do not explain (bought before the record starts, or money-fund
    income paid in units) are dated ``holding.acquired_at``.
    """
    lots, _ = replay(holding.product_code, transactions)
    explained = sum(lot.quantity for lot in lots)
    if explained > holding.quantity:  # fewer units remain than the record explains: the oldest went first
        _draw(lots, explained - holding.quantity)
    elif holding.quantity - explained > 1e-6:
        lots.insert(0, Lot(quantity=holding.quantity - explained, acquired_at=holding.acquired_at))
    return lots


def _lowest_rate(product: ProductView) -> float:
    return min(float(t.get("rate") or 0.0) for t in _tiers(product, "redemption"))


class FeesPaid(BaseModel):
    """Fund fees charged on the recorded trades (estimated from the fee schedules)."""

    subscription: float
    redemption: float
    estimated_dates: bool = Field(description="some units sold had no recorded purchase date (lowest rate assumed)")


def fees_paid(transactions: Sequence[TransactionView], products: Mapping[str, ProductView]) -> FeesPaid:
    """Subscription fees on recorded fund purchases, redemption fees on recorded fund sales."""
    subscription = redemption = 0.0
    unknown = False
    for t in transactions:
        product = products.get(t.product_code)
        if product is not None and t.side == "buy":
            subscription += subscription_fee(product, t.amount).fee or 0.0
    for code in sorted({t.product_code for t in transactions}):
        product = products.get(code)
        if product is None or not _tiers(product, "redemption"):
            continue
        for sale in replay(code, transactions)[1]:
            t = sale.transaction
            unit = t.amount / t.quantity if t.quantity else 0.0
            for lot in sale.matched:  # recorded purchases always carry their date
                days = (t.trade_date - lot.acquired_at).days if lot.acquired_at else 0
                redemption += lot.quantity * unit * (redemption_fee(product, 0.0, max(days, 0)).rate or 0.0)
            if sale.unmatched_quantity > 1e-6:
                unknown = True
                redemption += sale.unmatched_quantity * unit * _lowest_rate(product)
    return FeesPaid(subscription=money(subscription), redemption=money(redemption), estimated_dates=unknown)


def redemption_cost(product: ProductView, holding: HoldingView, lots: Sequence[Lot], today: date) -> tuple[float | None, bool]:
    """What redeeming the whole holding today would cost, and whether any lot's date was unknown.

    A lot without a date is charged the lowest tier rate (a long holding), so the estimate may be low.
    """
    if not _tiers(product, "redemption") or holding.quantity <= 0:
        return None, False
    unit_value = holding.market_value / holding.quantity
    total, unknown = 0.0, False
    for lot in lots:
        if lot.acquired_at is None:
            unknown = True
            total += lot.quantity * unit_value * _lowest_rate(product)
        else:
            line = redemption_fee(product, lot.quantity * unit_value, max((today - lot.acquired_at).days, 0))
            total += (line.rate or 0.0) * line.gross
    return money(total), unknown
