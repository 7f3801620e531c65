"""Shared result types and labels of the deterministic tools."""

from __future__ import annotations

from abc import abstractmethod
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal

from pydantic import BaseModel, Field

from records.book import AccountView, PricePoint, TransactionView
from records.repository import ClientView, HoldingView, ProductView

Severity = Literal["info", "warn", "high"]

TYPE_LABELS: dict[str, str] = {
    "money_market": "货币基金",
    "bond_fund": "债券基金",
    "mixed_fund": "混合基金",
    "equity_fund": "股票基金",
    "index_fund": "指数基金",
    "etf": "ETF",
    "qdii_fund": "QDII基金",
    "wealth_product": "理财产品",
    "stock": "股票",
}
FUND_TYPES = frozenset({"money_market", "bond_fund", "mixed_fund", "equity_fund", "index_fund", "qdii_fund"})
CASH_LIKE = "现金管理类"


def asset_class(product_type: str, risk_level: str) -> str:
    """The broad asset class of a product, for allocation charts."""
    if product_type == "money_market" or (product_type == "wealth_product" and risk_level == "R1"):
        return CASH_LIKE
    if product_type == "bond_fund" or (product_type == "wealth_product" and risk_level == "R2"):
        return "固定收益类"
    if product_type in ("mixed_fund", "wealth_product"):
        return "混合类"
    if product_type == "qdii_fund":
        return "海外（QDII）"
    return "权益类"


def money(value: float) -> float:
    """Round to the fen (0.01 CNY), half up, the way fee statements round."""
    return float(Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def pct(value: float, digits: int = 2) -> str:
    """0.1234 -> '12.34%'."""
    return f"{value * 100:.{digits}f}%"


class ToolResult(BaseModel):
    """Base of every tool result: JSON via ``model_dump_json()``, context text via ``summary_text()``."""

    @abstractmethod
    def summary_text(self) -> str:
        """A short Chinese rendering for the model's context; every figure in it is computed."""


class Finding(BaseModel):
    """One observation about a client's book, with a severity and a Chinese sentence."""

    code: str = Field(description="stable id, e.g. risk_mismatch, concentration_top_holding")
    severity: Severity
    text: str
    product_codes: list[str] = Field(default_factory=list)


class ChartSeries(BaseModel):
    """Labels and values ready for a chart (pie, bar or line)."""

    title: str
    kind: Literal["pie", "bar", "line"]
    labels: list[str]
    values: list[float]
    unit: str = "元"


class ClientBook(BaseModel):
    """Everything the tools know about one client: the input of diagnosis and behaviour signals."""

    client: ClientView
    holdings: list[HoldingView]
    products: dict[str, ProductView] = Field(description="at least every product held or traded, by code")
    transactions: list[TransactionView] = Field(default_factory=list)
    prices: dict[str, list[PricePoint]] = Field(default_factory=dict, description="daily closes by code, oldest first")
    accounts: list[AccountView] = Field(default_factory=list)
