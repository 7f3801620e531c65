"""Two products for the above-class tests: an R4 fund above a C2 client, an R2 fund within it."""

from datetime import date

from guardrails.models import SuitabilityResult
from guardrails.suitability import check_suitability

ALIASES = {"933401": ["华晟科技成长", "华晟科技"], "931201": ["鑫和纯债"]}


def result(code: str, name: str, risk: str, client: str = "C2") -> SuitabilityResult:
    return check_suitability(
        product_code=code,
        product_name=name,
        product_risk=risk,
        client_class=client,
        investor_type="ordinary",
        assessment_expires=date(2028, 1, 1),
        today=date(2026, 11, 22),
        initiated_by="advisor",
    )


R4 = result("933401", "华晟科技成长混合", "R4")
R2 = result("931201", "鑫和纯债A", "R2")
