"""The findings of a portfolio diagnosis: thresholds and Chinese sentences, kept apart from the sums."""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING

from agent.tools.models import Finding, Severity, pct
from guardrails.suitability import class_label, risk_rank
from records.repository import ClientView

if TYPE_CHECKING:
    from agent.tools.diagnosis import Diagnosis

TOP_HOLDING_HIGH = 0.5
TOP_HOLDING_WARN = 0.3
INDUSTRY_WARN = 0.4
LARGE_LOSS = -0.2
EXPIRY_NOTICE_DAYS = 30
LOW_CASH_FOR_HIGH_LIQUIDITY = 0.2
# A reference ceiling of annualised volatility per risk class (not a rule: a prompt to talk it over).
VOLATILITY_REFERENCE = {"C1": 0.02, "C2": 0.05, "C3": 0.12, "C4": 0.2}


def _assessment(client: ClientView, today: date) -> list[Finding]:
    if client.risk_expires_at < today:
        text = f"风险测评已于{client.risk_expires_at.isoformat()}过期，需先重新测评，再据此判断产品是否匹配。"
        return [Finding(code="assessment_expired", severity="high", text=text)]
    if client.risk_expires_at <= today + timedelta(days=EXPIRY_NOTICE_DAYS):
        text = f"风险测评将于{client.risk_expires_at.isoformat()}到期，请提醒客户及时重新测评。"
        return [Finding(code="assessment_expiring", severity="warn", text=text)]
    return []


def _mismatch(d: Diagnosis) -> list[Finding]:
    above = [h for h in d.holdings if h.above_class]
    if not above:
        return []
    names = "、".join(f"{h.name}（{h.risk_level}）" for h in above)
    who = class_label(d.risk_class, d.investor_type)
    text = f"持有{names}，风险等级高于客户的风险承受能力{who}，合计占组合{pct(d.above_class_share, 1)}。"
    return [Finding(code="risk_mismatch", severity="high", text=text, product_codes=[h.code for h in above])]


def _concentration(d: Diagnosis) -> list[Finding]:
    out: list[Finding] = []
    risky = [h for h in d.holdings if risk_rank(h.risk_level) >= 3]
    if risky:
        top = max(risky, key=lambda h: h.weight)
        if top.weight >= TOP_HOLDING_WARN:
            severity: Severity = "high" if top.weight >= TOP_HOLDING_HIGH else "warn"
            text = f"单一持仓集中：{top.name}占组合{pct(top.weight, 1)}，单只产品波动对整体影响较大（HHI {d.hhi:.2f}）。"
            out.append(Finding(code="concentration_top_holding", severity=severity, text=text, product_codes=[top.code]))
    if d.by_industry and d.by_industry[0].weight >= INDUSTRY_WARN:
        industry = d.by_industry[0]
        codes = [h.code for h in d.holdings if h.industry == industry.label]
        text = f"行业集中：{industry.label}行业占组合{pct(industry.weight, 1)}。"
        out.append(Finding(code="concentration_industry", severity="warn", text=text, product_codes=codes))
    return out


def _losses_and_risk(d: Diagnosis) -> list[Finding]:
    out: list[Finding] = []
    for h in d.holdings:
        if h.gain_pct is not None and h.gain_pct <= LARGE_LOSS:
            text = f"{h.name}浮亏{pct(-h.gain_pct, 1)}（{h.gain:,.2f}元）。"
            out.append(Finding(code="large_unrealised_loss", severity="warn", text=text, product_codes=[h.code]))
    reference = VOLATILITY_REFERENCE.get(d.risk_class)
    vol = d.risk.volatility
    if d.investor_type != "professional" and reference is not None and vol is not None and vol > reference:
        text = f"按当前持仓回看，组合年化波动率{pct(vol)}，高于{d.risk_class}客户的一般参考水平（约{pct(reference, 0)}）。"
        out.append(Finding(code="volatility_above_reference", severity="warn", text=text))
    if d.risk.max_drawdown is not None and d.risk.max_drawdown >= 0.2:
        text = f"按当前持仓回看，近一年最大回撤{pct(d.risk.max_drawdown)}。"
        out.append(Finding(code="deep_drawdown", severity="info", text=text))
    if d.risk.missing_codes:
        text = "以下持仓缺少价格历史，未计入波动率和回撤：" + "、".join(d.risk.missing_codes) + "。"
        out.append(Finding(code="missing_price_history", severity="info", text=text, product_codes=d.risk.missing_codes))
    return out


def _liquidity_and_fees(d: Diagnosis, client: ClientView, cash_label: str) -> list[Finding]:
    out: list[Finding] = []
    cash = sum(a.weight for a in d.by_asset_class if a.label == cash_label)
    if client.liquidity_need == "high" and cash < LOW_CASH_FOR_HIGH_LIQUIDITY:
        text = f"客户流动性需求高，但现金管理类资产仅占{pct(cash, 1)}。"
        out.append(Finding(code="low_liquidity", severity="warn", text=text))
    fund_value = sum(h.market_value for h in d.holdings if h.redemption_cost is not None)
    if d.fees.switch_cost > 0 and fund_value > 0:
        share = pct(d.fees.switch_cost / fund_value)
        text = f"如现在赎回全部基金，估算赎回费约{d.fees.switch_cost:,.2f}元（占基金市值{share}），调整前请考虑持有期。"
        out.append(Finding(code="switch_cost", severity="info", text=text))
    return out


def portfolio_findings(d: Diagnosis, client: ClientView, today: date, *, cash_label: str) -> list[Finding]:
    """Every finding, the most severe first."""
    if not d.holdings:
        return [Finding(code="empty_portfolio", severity="info", text="当前无持仓。"), *_assessment(client, today)]
    found = _assessment(client, today) + _mismatch(d) + _concentration(d) + _losses_and_risk(d) + _liquidity_and_fees(d, client, cash_label)
    order = {"high": 0, "warn": 1, "info": 2}
    return sorted(found, key=lambda f: order[f.severity])
