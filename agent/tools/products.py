"""Product lookup (code, name, short name, alias, and fuzzy Chinese names) and side-by-side comparison."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from typing import Literal

from pydantic import BaseModel, Field

from agent.errors import UnknownProduct
from agent.tools.fees import annual_ongoing_rate
from agent.tools.models import TYPE_LABELS, ToolResult, pct
from agent.tools.stats import annualised_volatility, last_year, max_drawdown
from core.errors import InvalidInput
from guardrails.suitability import RISK_NAMES
from records.book import PricePoint
from records.repository import ProductView
from retrieval.keyword import CODE

MatchKind = Literal["code", "name", "short_name", "alias", "contains", "fuzzy"]
PUNCTUATION = re.compile(r"[\s\-_·.,，。、()（）\[\]【】\"'“”‘’]+")
FUZZY_FLOOR = 0.5  # at least half the characters right: 矛台 -> 茅台, 宁得 -> 宁德
MARGIN = 0.05  # a best candidate must beat the next product by this much to be chosen alone


class Candidate(BaseModel):
    code: str
    name: str
    matched_on: MatchKind
    matched_text: str
    score: float = Field(description="1.0 exact; 0.8-0.9 one name inside the other; below 0.7 fuzzy")


class ProductLookup(ToolResult):
    """The product a mention refers to, or the candidates to ask the client about."""

    query: str
    status: Literal["found", "ambiguous"]
    product: ProductView | None = None
    candidates: list[Candidate]

    def summary_text(self) -> str:
        if self.product is not None:
            best = self.candidates[0]
            how = "" if best.score >= 0.8 else f"（按“{best.matched_text}”模糊匹配，请向客户确认）"
            return f"“{self.query}”对应产品：{self.product.name}（{self.product.code}）{how}。"
        names = "、".join(f"{c.name}（{c.code}）" for c in self.candidates)
        return f"“{self.query}”可能指以下产品之一：{names}，请向客户确认是哪一只。"


def normalise(text: str) -> str:
    """Full-width to half-width, lower case, no spaces or punctuation."""
    return PUNCTUATION.sub("", unicodedata.normalize("NFKC", text)).lower()


def _edit_distance(a: str, b: str) -> int:
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        current = [i]
        for j, cb in enumerate(b, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


def _fuzzy(query: str, name: str) -> float:
    """Similarity (1 - edits / length) of the query to the name, or to the best stretch of a longer
    name when the query has 4 or more characters. A short query is held to whole names: one right
    character out of two inside a long name (基金 in 现金宝) is chance, not a typo."""
    if len(name) <= len(query) or len(query) < 4:
        return 1.0 - _edit_distance(query, name) / max(len(query), len(name))
    windows = (name[i : i + len(query)] for i in range(len(name) - len(query) + 1))
    return max(1.0 - _edit_distance(query, w) / len(query) for w in windows)


def _names(product: ProductView) -> list[tuple[MatchKind, str]]:
    named: list[tuple[MatchKind, str]] = [("name", product.name)]
    if product.short_name:
        named.append(("short_name", product.short_name))
    named += [("alias", a) for a in product.aliases]
    return named


def _score(query: str, kind: MatchKind, name: str) -> tuple[MatchKind, float]:
    n = normalise(name)
    if not n:
        return kind, 0.0
    if query == n:
        return kind, 1.0
    if len(query) >= 2 and query in n:
        return "contains", 0.8 + 0.1 * len(query) / len(n)
    if len(n) >= 2 and n in query:
        return "contains", 0.8 + 0.1 * len(n) / len(query)
    similarity = _fuzzy(query, n) if len(query) >= 2 else 0.0
    return "fuzzy", 0.7 * similarity if similarity >= FUZZY_FLOOR else 0.0


def search_products(query: str, catalog: Sequence[ProductView], limit: int = 5) -> list[Candidate]:
    """The best-scoring products for a mention, best first, one entry per product."""
    q = normalise(query)
    best: dict[str, Candidate] = {}
    codes = set(CODE.findall(q))
    for product in catalog:
        if product.code in codes:
            best[product.code] = Candidate(code=product.code, name=product.name, matched_on="code", matched_text=product.code, score=1.0)
            continue
        for kind, name in _names(product):
            how, score = _score(q, kind, name)
            if score > 0 and score > (best[product.code].score if product.code in best else 0.0):
                best[product.code] = Candidate(
                    code=product.code, name=product.name, matched_on=how, matched_text=name, score=round(score, 4)
                )
    return sorted(best.values(), key=lambda c: (-c.score, c.code))[:limit]


def lookup_product(query: str, catalog: Sequence[ProductView]) -> ProductLookup:
    """Resolve one product mention. Raises :class:`agent.errors.UnknownProduct` when nothing is close."""
    candidates = search_products(query, catalog)
    if not candidates:
        raise UnknownProduct(f"no product matches {query!r}", public_message=f"未找到与“{query}”相符的产品，请提供产品代码或全称")
    by_code = {p.code: p for p in catalog}
    if len(candidates) == 1 or candidates[0].score - candidates[1].score >= MARGIN:
        return ProductLookup(query=query, status="found", product=by_code[candidates[0].code], candidates=candidates[:1])
    tied = [c for c in candidates if candidates[0].score - c.score < MARGIN]
    return ProductLookup(query=query, status="ambiguous", candidates=tied)


class ProductRow(BaseModel):
    code: str
    name: str
    type_label: str
    risk_level: str
    company: str | None
    manager: str | None
    subscription_rate: float | None = Field(description="the rate of the smallest-amount tier; None when traded on exchange")
    redemption_tiers: list[str]
    annual_ongoing_rate: float
    volatility: float | None
    max_drawdown: float | None
    metrics_source: str
    return_1y: float | None


class ProductComparison(ToolResult):
    rows: list[ProductRow]
    notes: list[str]

    def summary_text(self) -> str:
        lines = ["产品对比（数据来自产品资料与近一年净值/价格，过往业绩不代表未来表现）："]
        for r in self.rows:
            fee = "场内交易佣金" if r.subscription_rate is None else f"申购费率{pct(r.subscription_rate)}"
            risk = f"{RISK_NAMES.get(r.risk_level, '')}（{r.risk_level}）"
            vol = "无数据" if r.volatility is None else pct(r.volatility)
            mdd = "无数据" if r.max_drawdown is None else pct(r.max_drawdown)
            who = f"，基金经理{r.manager}" if r.manager else ""
            lines.append(
                f"- {r.name}（{r.code}）：{r.type_label}，{risk}，{fee}，年运作费用{pct(r.annual_ongoing_rate)}，"
                f"年化波动率{vol}，最大回撤{mdd}（{r.metrics_source}）{who}"
            )
        return "\n".join(lines + self.notes)


def _redemption_tiers(product: ProductView) -> list[str]:
    tiers = product.fees.get("redemption") or []
    out = []
    for t in tiers:
        top = t.get("max_days")
        span = f"{t.get('min_days') or 0}天及以上" if top is None else f"{t.get('min_days') or 0}至{top}天"
        out.append(f"{span}：{pct(float(t.get('rate') or 0.0))}")
    return out


def _row(product: ProductView, history: Sequence[PricePoint]) -> ProductRow:
    closes = last_year(history)
    if len(closes) >= 20:
        drawdown = max_drawdown(closes)
        volatility, mdd, source = annualised_volatility(closes), drawdown.depth if drawdown else None, "按近一年净值/价格计算"
    else:
        facts = product.key_facts
        volatility, mdd, source = facts.get("volatility"), facts.get("max_drawdown"), "取自产品资料"
    subscription = product.fees.get("subscription") or []
    first = min(subscription, key=lambda t: t.get("min_amount") or 0) if subscription else None
    ret = product.key_facts.get("return_1y")
    return ProductRow(
        code=product.code,
        name=product.name,
        type_label=TYPE_LABELS.get(product.type, product.type),
        risk_level=product.risk_level,
        company=product.company,
        manager=product.manager,
        subscription_rate=float(first.get("rate") or 0.0) if first else None,
        redemption_tiers=_redemption_tiers(product),
        annual_ongoing_rate=annual_ongoing_rate(product),
        volatility=volatility,
        max_drawdown=mdd,
        metrics_source=source,
        return_1y=float(ret) if isinstance(ret, int | float) else None,
    )


def compare_products(products: Sequence[ProductView], prices: Mapping[str, Sequence[PricePoint]]) -> ProductComparison:
    """Type, risk, fees, volatility, drawdown and manager of two or more products, side by side."""
    if len({p.code for p in products}) < 2:
        raise InvalidInput("a comparison needs two or more products", public_message="请至少提供两只不同的产品进行对比")
    rows = [_row(p, prices.get(p.code, [])) for p in products]
    notes = []
    riskiest = max(rows, key=lambda r: r.risk_level)
    if any(r.risk_level != riskiest.risk_level for r in rows):
        notes.append(f"风险等级最高的是{riskiest.name}（{riskiest.risk_level}）。")
    measured = [r for r in rows if r.max_drawdown is not None]
    if len(measured) >= 2:
        deepest = max(measured, key=lambda r: r.max_drawdown or 0.0)
        notes.append(f"回撤最大的是{deepest.name}（{pct(deepest.max_drawdown or 0.0)}）。")
    cheapest = min(rows, key=lambda r: r.annual_ongoing_rate)
    notes.append(f"年运作费用最低的是{cheapest.name}（{pct(cheapest.annual_ongoing_rate)}/年）。")
    return ProductComparison(rows=rows, notes=notes)
