"""Suitability matching (证券期货投资者适当性管理办法 arts. 18, 19, 22), as a pure function."""

from __future__ import annotations

from datetime import date
from typing import Literal

from guardrails.models import SuitabilityResult

CLASS_NAMES = {"C1": "保守型", "C2": "稳健型", "C3": "平衡型", "C4": "成长型", "C5": "进取型"}
RISK_NAMES = {"R1": "低风险", "R2": "中低风险", "R3": "中风险", "R4": "中高风险", "R5": "高风险"}
Initiator = Literal["advisor", "client"]


def class_rank(risk_class: str) -> int:
    """C1..C5 -> 1..5."""
    if risk_class not in CLASS_NAMES:
        raise ValueError(f"unknown risk class {risk_class!r}")
    return int(risk_class[1])


def risk_rank(risk_level: str) -> int:
    """R1..R5 -> 1..5."""
    if risk_level not in RISK_NAMES:
        raise ValueError(f"unknown product risk level {risk_level!r}")
    return int(risk_level[1])


def class_label(risk_class: str, investor_type: str = "ordinary") -> str:
    if investor_type == "professional":
        return "专业投资者"
    return f"{CLASS_NAMES[risk_class]}（{risk_class}）"


def check_suitability(
    *,
    product_code: str,
    product_name: str,
    product_risk: str,
    client_class: str,
    investor_type: str,
    assessment_expires: date,
    today: date,
    initiated_by: Initiator = "client",
) -> SuitabilityResult:
    """Match a product against a client.

    - an expired risk assessment: re-assess first, whatever the product;
    - professional investors, and R <= C: suitable;
    - above class and C1, or above class on the advisor's initiative: blocked (no active
      recommendation above class, even with consent; C1 has no override at all);
    - above class on the client's own initiative: a special risk warning and a recorded
      confirmation are required.
    """
    product_rank, client_rank = risk_rank(product_risk), class_rank(client_class)  # validates both
    base = dict(
        product_code=product_code,
        product_name=product_name,
        product_risk=product_risk,
        client_class=client_class,
        investor_type=investor_type,
    )
    who = class_label(client_class, investor_type)
    level = f"{RISK_NAMES[product_risk]}（{product_risk}）"
    if assessment_expires < today:
        return SuitabilityResult(
            **base,
            outcome="reassess",
            reason=f"您的风险测评已于{assessment_expires.isoformat()}过期，请先重新完成风险测评，再判断{product_name}是否与您匹配。",
        )
    if investor_type == "professional" or product_rank <= client_rank:
        return SuitabilityResult(**base, outcome="suitable", reason=f"{product_name}为{level}产品，与您的风险承受能力（{who}）相匹配。")
    if client_class == "C1" or initiated_by == "advisor":
        return SuitabilityResult(
            **base,
            outcome="blocked",
            reason=f"{product_name}为{level}产品，超出您的风险承受能力（{who}），不适合您，我们不能向您推荐。",
        )
    return SuitabilityResult(
        **base,
        outcome="warn_and_confirm",
        reason=(
            f"{product_name}为{level}产品，超出您的风险承受能力（{who}），不适合您。"
            "如您仍坚持自主购买，需先阅读特别风险警示并确认，确认过程将被记录。"
        ),
    )
