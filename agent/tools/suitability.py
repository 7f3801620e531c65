"""Suitability of a product for a client: the guardrail's rules, with what the agent may do next.

The rules themselves live in :mod:`guardrails.suitability` (one source of truth, shared with the
output rails); this tool adds the client's and product's labels and the permitted next step.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from pydantic import Field

from agent.tools.models import ToolResult
from guardrails.models import SuitabilityResult
from guardrails.suitability import RISK_NAMES, Initiator, check_suitability, class_label
from records.repository import ClientView, ProductView

PROFESSIONAL_ASSETS = 5_000_000.0
PROFESSIONAL_INCOME = 500_000.0
PROFESSIONAL_EXPERIENCE_YEARS = 2

NEXT_STEPS = {
    "suitable": "可以介绍该产品的事实信息，并说明投资决策由客户自主作出、风险由客户自行承担。",
    "warn_and_confirm": "不得主动推荐；如客户坚持自主购买，须先展示特别风险警示并记录客户确认。",
    "blocked": "不得推荐或协助购买该产品，可介绍与客户风险等级相匹配的产品类型。",
    "reassess": "请先引导客户重新完成风险测评，再判断适当性。",
}


class SuitabilityCheck(ToolResult):
    """The verdict for one product and one client, and what it permits."""

    verdict: SuitabilityResult
    initiated_by: Initiator
    client_label: str
    product_label: str
    may_recommend: bool
    requires_confirmation: bool
    next_step: str
    notes: list[str] = Field(default_factory=list)

    @property
    def outcome(self) -> str:
        return self.verdict.outcome

    def summary_text(self) -> str:
        text = f"适当性判定（客户{self.client_label}，产品{self.product_label}）：{self.verdict.reason}{self.next_step}"
        return text + "".join(self.notes)


def qualifies_as_professional(client: ClientView) -> bool | None:
    """Whether the recorded facts meet the natural-person 专业投资者 test; None when not recorded."""
    if client.experience_years is None or (client.financial_assets is None and client.annual_income is None):
        return None
    wealthy = (client.financial_assets or 0.0) >= PROFESSIONAL_ASSETS or (client.annual_income or 0.0) >= PROFESSIONAL_INCOME
    return wealthy and client.experience_years >= PROFESSIONAL_EXPERIENCE_YEARS


def check_product(client: ClientView, product: ProductView, *, today: date, initiated_by: Initiator = "client") -> SuitabilityCheck:
    """Match ``product`` against ``client``.

    ``initiated_by="advisor"`` is any active recommendation (主动推介), including one the agent
    would make by itself; ``"client"`` is the client asking to buy of their own accord.
    """
    verdict = check_suitability(
        product_code=product.code,
        product_name=product.name,
        product_risk=product.risk_level,
        client_class=client.risk_class,
        investor_type=client.investor_type,
        assessment_expires=client.risk_expires_at,
        today=today,
        initiated_by=initiated_by,
    )
    notes = []
    if client.investor_type == "professional" and qualifies_as_professional(client) is False:
        notes.append("注意：档案中的资产、收入或投资经验未达到专业投资者条件，请核实客户的专业投资者认定。")
    return SuitabilityCheck(
        verdict=verdict,
        initiated_by=initiated_by,
        client_label=class_label(client.risk_class, client.investor_type),
        product_label=f"{product.name}（{product.code}，{RISK_NAMES[product.risk_level]}{product.risk_level}）",
        may_recommend=verdict.outcome == "suitable",
        requires_confirmation=verdict.outcome == "warn_and_confirm",
        next_step=NEXT_STEPS[verdict.outcome],
        notes=notes,
    )


def check_products(
    client: ClientView, products: Iterable[ProductView], *, today: date, initiated_by: Initiator = "client"
) -> list[SuitabilityCheck]:
    return [check_product(client, p, today=today, initiated_by=initiated_by) for p in products]
