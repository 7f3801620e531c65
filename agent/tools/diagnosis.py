"""Portfolio diagnosis of one client's book: allocation, concentration, risk mismatch, gain and
loss, fees, volatility and drawdown, and findings in Chinese. Pure: the book is passed in."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from pydantic import BaseModel, Field

from agent.errors import UnknownProduct
from agent.tools.fees import FeesPaid, annual_ongoing_rate, fees_paid, open_lots, redemption_cost
from agent.tools.findings import portfolio_findings
from agent.tools.models import CASH_LIKE, TYPE_LABELS, ChartSeries, ClientBook, Finding, ToolResult, asset_class, money, pct
from agent.tools.stats import TRADING_DAYS_PER_YEAR, annualised_volatility, hhi, max_drawdown
from guardrails.suitability import class_rank, risk_rank

CHART_STEP = 5  # one point a week keeps the value chart small


class HoldingLine(BaseModel):
    code: str
    name: str
    type_label: str
    asset_class: str
    risk_level: str
    industry: str | None
    market_value: float
    cost: float
    weight: float
    gain: float
    gain_pct: float | None = Field(description="None when the cost is zero")
    above_class: bool
    annual_ongoing_fee: float
    redemption_cost: float | None = Field(description="fee if redeemed in full today; None when traded on exchange")


class Allocation(BaseModel):
    label: str
    value: float
    weight: float


class RiskMetrics(BaseModel):
    """Volatility and drawdown of today's holdings replayed over the last year of prices."""

    volatility: float | None = None
    max_drawdown: float | None = None
    drawdown_peak: date | None = None
    drawdown_trough: date | None = None
    window_start: date | None = None
    window_end: date | None = None
    covered_weight: float = Field(default=0.0, description="share of the book's value that has price history")
    missing_codes: list[str] = Field(default_factory=list)


class FeeSummary(BaseModel):
    paid: FeesPaid
    annual_ongoing: float = Field(description="management + custody + sales service fees a year, on today's value")
    switch_cost: float = Field(description="redemption fees if every fund were redeemed today")
    switch_cost_estimated: bool


class Diagnosis(ToolResult):
    client_id: str
    as_of: date
    risk_class: str
    investor_type: str
    total_value: float
    total_cost: float
    unrealised_gain: float
    unrealised_gain_pct: float | None
    holdings: list[HoldingLine]
    by_asset_class: list[Allocation]
    by_risk_level: list[Allocation]
    by_industry: list[Allocation]
    top_holding_share: float
    hhi: float
    above_class_share: float
    risk: RiskMetrics
    fees: FeeSummary
    findings: list[Finding]
    charts: list[ChartSeries]

    def summary_text(self) -> str:
        if not self.holdings:
            return "组合诊断：当前无持仓。" + "".join(f.text for f in self.findings if f.code != "empty_portfolio")
        gain = "" if self.unrealised_gain_pct is None else f"（{pct(self.unrealised_gain_pct)}）"
        lines = [
            f"组合诊断（截至{self.as_of.isoformat()}）：总市值{self.total_value:,.2f}元，浮动盈亏{self.unrealised_gain:+,.2f}元{gain}。",
            "资产类别：" + "，".join(f"{a.label}{pct(a.weight, 1)}" for a in self.by_asset_class) + "。",
            f"第一大持仓占比{pct(self.top_holding_share, 1)}，集中度HHI {self.hhi:.2f}。",
        ]
        if self.risk.volatility is not None and self.risk.max_drawdown is not None:
            lines.append(f"按当前持仓回看近一年：年化波动率{pct(self.risk.volatility)}，最大回撤{pct(self.risk.max_drawdown)}。")
        lines += [f"[{f.severity}] {f.text}" for f in self.findings]
        return "\n".join(lines)


def _allocations(values: dict[str, float], total: float) -> list[Allocation]:
    return [Allocation(label=k, value=money(v), weight=v / total) for k, v in sorted(values.items(), key=lambda kv: -kv[1])]


def _holding_lines(book: ClientBook, today: date, total: float) -> tuple[list[HoldingLine], bool]:
    lines, estimated = [], False
    professional = book.client.investor_type == "professional"
    for h in book.holdings:
        p = book.products.get(h.product_code)
        if p is None:  # a holding must name a catalogued product; say so rather than guess
            raise UnknownProduct(f"holding of unknown product {h.product_code!r}")
        cost_rc, unknown = redemption_cost(p, h, open_lots(h, book.transactions), today)
        estimated = estimated or unknown
        lines.append(
            HoldingLine(
                code=p.code,
                name=p.name,
                type_label=TYPE_LABELS.get(p.type, p.type),
                asset_class=asset_class(p.type, p.risk_level),
                risk_level=p.risk_level,
                industry=p.industry,
                market_value=h.market_value,
                cost=h.cost,
                weight=h.market_value / total if total > 0 else 0.0,
                gain=money(h.market_value - h.cost),
                gain_pct=(h.market_value - h.cost) / h.cost if h.cost > 0 else None,
                above_class=not professional and risk_rank(p.risk_level) > class_rank(book.client.risk_class),
                annual_ongoing_fee=money(h.market_value * annual_ongoing_rate(p)),
                redemption_cost=cost_rc,
            )
        )
    return sorted(lines, key=lambda x: -x.market_value), estimated


def risk_metrics(book: ClientBook, today: date) -> tuple[RiskMetrics, list[date], list[float]]:
    """Replay today's quantities over the last year of closes common to every priced holding."""
    priced = [h for h in book.holdings if book.prices.get(h.product_code) and h.quantity > 0]
    total = sum(h.market_value for h in book.holdings)
    missing = sorted({h.product_code for h in book.holdings} - {h.product_code for h in priced})
    if not priced or total <= 0:
        return RiskMetrics(missing_codes=missing), [], []
    closes = {h.product_code: {p.price_date: p.close for p in book.prices[h.product_code] if p.price_date <= today} for h in priced}
    days = sorted(set.intersection(*(set(c) for c in closes.values())))[-(TRADING_DAYS_PER_YEAR + 1) :]
    values = [sum(h.quantity * closes[h.product_code][d] for h in priced) for d in days]
    drawdown = max_drawdown(values)
    metrics = RiskMetrics(
        volatility=annualised_volatility(values),
        max_drawdown=drawdown.depth if drawdown else None,
        drawdown_peak=days[drawdown.peak_index] if drawdown and drawdown.depth > 0 else None,
        drawdown_trough=days[drawdown.trough_index] if drawdown and drawdown.depth > 0 else None,
        window_start=days[0] if days else None,
        window_end=days[-1] if days else None,
        covered_weight=sum(h.market_value for h in priced) / total,
        missing_codes=missing,
    )
    return metrics, days, values


def diagnose(book: ClientBook, today: date) -> Diagnosis:
    """Diagnose a client's book as of ``today``."""
    total = sum(h.market_value for h in book.holdings)
    cost = sum(h.cost for h in book.holdings)
    lines, estimated = _holding_lines(book, today, total)
    by_class: dict[str, float] = defaultdict(float)
    by_risk: dict[str, float] = defaultdict(float)
    by_industry: dict[str, float] = defaultdict(float)
    for line in lines:
        by_class[line.asset_class] += line.market_value
        by_risk[line.risk_level] += line.market_value
        if line.industry:
            by_industry[line.industry] += line.market_value
    metrics, days, values = risk_metrics(book, today)
    fees = FeeSummary(
        paid=fees_paid(book.transactions, book.products),
        annual_ongoing=money(sum(line.annual_ongoing_fee for line in lines)),
        switch_cost=money(sum(line.redemption_cost or 0.0 for line in lines)),
        switch_cost_estimated=estimated,
    )
    diagnosis = Diagnosis(
        client_id=book.client.id,
        as_of=today,
        risk_class=book.client.risk_class,
        investor_type=book.client.investor_type,
        total_value=money(total),
        total_cost=money(cost),
        unrealised_gain=money(total - cost),
        unrealised_gain_pct=(total - cost) / cost if cost > 0 else None,
        holdings=lines,
        by_asset_class=_allocations(by_class, total) if total > 0 else [],
        by_risk_level=sorted(_allocations(by_risk, total), key=lambda a: a.label) if total > 0 else [],
        by_industry=_allocations(by_industry, total) if total > 0 else [],
        top_holding_share=lines[0].weight if lines else 0.0,
        hhi=hhi([line.market_value for line in lines]),
        above_class_share=sum(line.weight for line in lines if line.above_class),
        risk=metrics,
        fees=fees,
        findings=[],
        charts=_charts(by_class, by_risk, by_industry, days, values),
    )
    diagnosis.findings = portfolio_findings(diagnosis, book.client, today, cash_label=CASH_LIKE)
    return diagnosis


def _charts(
    by_class: dict[str, float], by_risk: dict[str, float], by_industry: dict[str, float], days: list[date], values: list[float]
) -> list[ChartSeries]:
    charts = [
        ChartSeries(title="资产类别分布", kind="pie", labels=list(by_class), values=[money(v) for v in by_class.values()]),
        ChartSeries(title="风险等级分布", kind="bar", labels=sorted(by_risk), values=[money(by_risk[k]) for k in sorted(by_risk)]),
    ]
    if by_industry:
        charts.append(ChartSeries(title="行业分布", kind="bar", labels=list(by_industry), values=[money(v) for v in by_industry.values()]))
    if values:
        picked = list(range(0, len(values), CHART_STEP))
        if picked[-1] != len(values) - 1:
            picked.append(len(values) - 1)
        charts.append(
            ChartSeries(
                title="当前持仓近一年市值走势（回看）",
                kind="line",
                labels=[days[i].isoformat() for i in picked],
                values=[money(values[i]) for i in picked],
            )
        )
    return charts
