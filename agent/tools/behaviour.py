"""Behaviour signals from a client's trades and the price history: high turnover, chasing recent
winners, panic selling after a fall, concentration creep. Each comes with its evidence and an
investor-education nudge; none is a judgement of the client, all are prompts for a conversation."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from typing import Literal

from pydantic import BaseModel, Field

from agent.tools.fees import fees_paid, replay
from agent.tools.models import ClientBook, Severity, ToolResult, pct
from agent.tools.stats import index_on, price_on, trailing_return
from records.book import TransactionView

SignalCode = Literal["high_turnover", "chasing_winners", "panic_selling", "concentration_creep"]
TURNOVER_DAYS = 90
TURNOVER_TRADES = 10
ROUND_TRIP_DAYS = 30
ROUND_TRIPS = 2
TURNOVER_RATIO = 2.0
LOOKBACK_DAYS = 365
RUN_UP_20 = 0.10  # up 10% over 20 trading days before the purchase
RUN_UP_60 = 0.20  # or 20% over 60
FALL_FROM_HIGH = 0.10  # sold 10% or more below the 60-day high
CREEP_DAYS = 180
CREEP_SHARE = 0.4
CREEP_RISE = 0.15
DIVERSIFIED_TYPES = frozenset({"money_market", "bond_fund", "wealth_product"})
BROAD_INDUSTRIES = frozenset({"宽基指数"})

NUDGES: dict[str, str] = {
    "high_turnover": "频繁买卖会不断累积申购费、赎回费和交易佣金，基金持有时间越短赎回费率往往越高。"
    "先想清楚每笔投资的目的和计划持有期，再决定是否交易，通常更有利于控制成本。",
    "chasing_winners": "近期涨幅较大的产品往往波动也较大，过往涨幅不代表未来表现。"
    "买入前可以先看看它的风险等级是否与自己匹配、在组合中占多少，以及能否承受可能出现的回撤。",
    "panic_selling": "市场下跌时匆忙卖出，容易把账面波动变成实际亏损，也可能错过之后的修复。"
    "下跌时不妨先回顾当初的投资目标和期限，需要时可以先与投资顾问沟通再做决定。",
    "concentration_creep": "持续加仓同一只产品会让组合越来越依赖它的表现。"
    "定期检查单一产品和单一行业的占比，有助于把风险控制在自己能承受的范围内。",
}
TITLES = {
    "high_turnover": "交易频繁",
    "chasing_winners": "追涨买入",
    "panic_selling": "下跌后卖出",
    "concentration_creep": "持仓集中度上升",
}


class Signal(BaseModel):
    code: SignalCode
    severity: Severity
    title: str
    evidence: list[str]
    nudge: str
    product_codes: list[str] = Field(default_factory=list)


class BehaviourReport(ToolResult):
    client_id: str
    as_of: date
    signals: list[Signal]

    def summary_text(self) -> str:
        if not self.signals:
            return "交易行为：近期未发现频繁交易、追涨、下跌后卖出或集中度上升等情况。"
        lines = ["交易行为提示："]
        for s in self.signals:
            lines.append(f"[{s.severity}] {s.title}：" + "；".join(s.evidence) + "。")
            lines.append(f"投资者教育：{s.nudge}")
        return "\n".join(lines)


def _signal(code: SignalCode, severity: Severity, evidence: list[str], product_codes: list[str]) -> Signal:
    return Signal(code=code, severity=severity, title=TITLES[code], evidence=evidence, nudge=NUDGES[code], product_codes=product_codes)


def _name(book: ClientBook, code: str) -> str:
    product = book.products.get(code)
    return product.name if product else code


def _turnover(book: ClientBook, today: date) -> Signal | None:
    recent = [t for t in book.transactions if today - timedelta(days=TURNOVER_DAYS) <= t.trade_date <= today]
    trips: list[tuple[TransactionView, TransactionView]] = []
    for sell in (t for t in recent if t.side == "sell"):
        buys = [
            b
            for b in recent
            if b.side == "buy" and b.product_code == sell.product_code and 0 <= (sell.trade_date - b.trade_date).days <= ROUND_TRIP_DAYS
        ]
        if buys:
            trips.append((max(buys, key=lambda b: b.trade_date), sell))
    value = sum(h.market_value for h in book.holdings)
    traded = sum(t.amount for t in recent)
    ratio = traded / value if value > 0 else None
    if len(recent) < TURNOVER_TRADES and len(trips) < ROUND_TRIPS and (ratio is None or ratio < TURNOVER_RATIO):
        return None
    evidence = [f"近{TURNOVER_DAYS}天交易{len(recent)}笔，成交金额{traded:,.2f}元" + (f"，约为当前市值的{ratio:.1f}倍" if ratio else "")]
    if trips:
        shown = "、".join(
            f"{_name(book, s.product_code)}（{b.trade_date.isoformat()}买入，{s.trade_date.isoformat()}卖出）" for b, s in trips[:3]
        )
        evidence.append(f"{ROUND_TRIP_DAYS}天内买入又卖出{len(trips)}次，如{shown}")
    paid = fees_paid(recent, book.products)
    if paid.subscription + paid.redemption > 0:
        evidence.append(f"这些交易估算产生基金申购费{paid.subscription:,.2f}元、赎回费{paid.redemption:,.2f}元")
    severity: Severity = "high" if len(trips) >= 2 * ROUND_TRIPS else "warn"
    codes = sorted({t.product_code for t in recent})
    return _signal("high_turnover", severity, evidence, codes)


def _chasing(book: ClientBook, today: date) -> Signal | None:
    evidence, codes = [], []
    for t in book.transactions:
        if t.side != "buy" or not today - timedelta(days=LOOKBACK_DAYS) <= t.trade_date <= today:
            continue
        history = book.prices.get(t.product_code, [])
        day_before = t.trade_date - timedelta(days=1)
        r20, r60 = trailing_return(history, day_before, 20), trailing_return(history, day_before, 60)
        if (r20 is not None and r20 >= RUN_UP_20) or (r60 is not None and r60 >= RUN_UP_60):
            run = (
                f"前20个交易日上涨{pct(r20 or 0.0, 1)}" if r20 is not None and r20 >= RUN_UP_20 else f"前60个交易日上涨{pct(r60 or 0.0, 1)}"
            )
            evidence.append(f"{t.trade_date.isoformat()}买入{_name(book, t.product_code)}{t.amount:,.2f}元，买入{run}")
            codes.append(t.product_code)
    if not evidence:
        return None
    return _signal("chasing_winners", "warn", evidence, sorted(set(codes)))


def _unit_costs(book: ClientBook) -> dict[tuple[str, date], float | None]:
    """The average purchase price of the units each sale drew down (None when none was recorded)."""
    buys = {(t.product_code, t.trade_date): t.amount / t.quantity for t in book.transactions if t.side == "buy" and t.quantity}
    costs: dict[tuple[str, date], float | None] = {}
    for code in {t.product_code for t in book.transactions}:
        for sale in replay(code, book.transactions)[1]:
            lots = [lot for lot in sale.matched if lot.acquired_at is not None]
            qty = sum(lot.quantity for lot in lots)
            paid = sum(lot.quantity * buys.get((code, lot.acquired_at), 0.0) for lot in lots if lot.acquired_at)
            costs[(code, sale.transaction.trade_date)] = paid / qty if qty else None
    return costs


def _panic(book: ClientBook, today: date) -> Signal | None:
    costs = _unit_costs(book)
    evidence, codes = [], []
    for t in book.transactions:
        history = book.prices.get(t.product_code, [])
        at = index_on(history, t.trade_date)
        if t.side != "sell" or at is None or not today - timedelta(days=LOOKBACK_DAYS) <= t.trade_date <= today:
            continue
        high = max(p.close for p in history[max(0, at - 60) : at + 1])
        price = t.amount / t.quantity if t.quantity else history[at].close
        fall = 1.0 - price / high if high > 0 else 0.0
        cost = costs.get((t.product_code, t.trade_date))
        if fall < FALL_FROM_HIGH or (cost is not None and price >= cost):
            continue
        line = f"{t.trade_date.isoformat()}卖出{_name(book, t.product_code)}，卖出价较此前60个交易日高点低{pct(fall, 1)}"
        if cost is not None:
            line += f"，低于买入成本{pct(1 - price / cost, 1)}"
        later = price_on(history, t.trade_date + timedelta(days=28))
        if later is not None and history[-1].price_date >= t.trade_date + timedelta(days=28):
            line += f"；卖出后约四周该产品价格变动{pct(later / price - 1, 1)}"
        evidence.append(line)
        codes.append(t.product_code)
    if not evidence:
        return None
    return _signal("panic_selling", "warn", evidence, sorted(set(codes)))


def _shares_at(book: ClientBook, day: date) -> dict[str, float]:
    """Each product's share of the book on ``day``, holdings rolled back through later trades."""
    quantity = defaultdict(float, {h.product_code: h.quantity for h in book.holdings})
    for t in book.transactions:
        if t.trade_date > day:
            quantity[t.product_code] -= t.quantity if t.side == "buy" else -t.quantity
    unit_now = {h.product_code: h.market_value / h.quantity for h in book.holdings if h.quantity}
    values = {}
    for code, q in quantity.items():
        price = price_on(book.prices.get(code, []), day) or unit_now.get(code)
        if q > 1e-6 and price:
            values[code] = q * price
    total = sum(values.values())
    return {code: v / total for code, v in values.items()} if total > 0 else {}


def _creep(book: ClientBook, today: date) -> Signal | None:
    now = _shares_at(book, today)
    if not now:
        return None
    top = max(now, key=lambda c: now[c])
    product = book.products.get(top)
    if product is not None and (product.type in DIVERSIFIED_TYPES or product.industry in BROAD_INDUSTRIES):
        return None  # adding to a money, bond or broad-index fund every month is saving, not concentrating
    then = _shares_at(book, today - timedelta(days=CREEP_DAYS)).get(top, 0.0)
    adds = [t for t in book.transactions if t.product_code == top and t.side == "buy" and t.trade_date > today - timedelta(days=CREEP_DAYS)]
    if now[top] < CREEP_SHARE or now[top] - then < CREEP_RISE or len(adds) < 2:
        return None
    evidence = [f"{_name(book, top)}占组合比例从约{pct(then, 1)}升至{pct(now[top], 1)}，近{CREEP_DAYS}天买入{len(adds)}次"]
    severity: Severity = "high" if now[top] >= 0.6 else "warn"
    return _signal("concentration_creep", severity, evidence, [top])


def behaviour_signals(book: ClientBook, today: date) -> BehaviourReport:
    """Every behaviour signal in the client's recorded trades up to ``today``."""
    found = [s for s in (_turnover(book, today), _chasing(book, today), _panic(book, today), _creep(book, today)) if s is not None]
    return BehaviourReport(client_id=book.client.id, as_of=today, signals=found)
