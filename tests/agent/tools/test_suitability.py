from datetime import date

import pytest

from agent.tools.suitability import check_product, qualifies_as_professional
from guardrails.suitability import check_suitability
from records.repository import ProductView
from tests.agent.tools.conftest import TODAY, client


def product(risk: str) -> ProductView:
    return ProductView(code="T00001", name="测试产品", type="mixed_fund", risk_level=risk)


def test_within_class_is_suitable_and_may_be_recommended() -> None:
    check = check_product(client("C3"), product("R3"), today=TODAY, initiated_by="advisor")
    assert check.outcome == "suitable" and check.may_recommend and not check.requires_confirmation


def test_client_asking_above_class_gets_a_warning_to_confirm() -> None:
    check = check_product(client("C3"), product("R4"), today=TODAY, initiated_by="client")
    assert check.outcome == "warn_and_confirm" and check.requires_confirmation and not check.may_recommend
    assert "特别风险警示" in check.summary_text()


def test_active_recommendation_above_class_is_blocked_even_for_c4() -> None:
    assert check_product(client("C4"), product("R5"), today=TODAY, initiated_by="advisor").outcome == "blocked"


def test_c1_has_no_override() -> None:
    check = check_product(client("C1"), product("R2"), today=TODAY, initiated_by="client")
    assert check.outcome == "blocked" and not check.requires_confirmation


def test_expired_assessment_means_reassess_first() -> None:
    check = check_product(client("C5", expires=date(2026, 11, 21)), product("R1"), today=TODAY)
    assert check.outcome == "reassess" and "重新" in check.next_step
    # the day of expiry itself is still valid
    assert check_product(client("C5", expires=TODAY), product("R1"), today=TODAY).outcome == "suitable"


def test_professional_investor_matches_everything_but_a_doubtful_claim_is_noted() -> None:
    pro = client("C3", investor_type="professional", financial_assets=6_000_000.0, experience_years=5)
    assert check_product(pro, product("R5"), today=TODAY, initiated_by="advisor").outcome == "suitable"
    assert qualifies_as_professional(pro) is True
    # 4M of assets and 300k income miss both thresholds (5M / 500k): the record is doubtful
    doubtful = client("C3", investor_type="professional", financial_assets=4_000_000.0, annual_income=300_000.0, experience_years=5)
    assert qualifies_as_professional(doubtful) is False
    assert "专业投资者条件" in check_product(doubtful, product("R5"), today=TODAY).summary_text()
    assert qualifies_as_professional(client("C3")) is None  # facts not collected


@pytest.mark.parametrize("risk_class", ["C1", "C2", "C3", "C4", "C5"])
@pytest.mark.parametrize("risk", ["R1", "R2", "R3", "R4", "R5"])
@pytest.mark.parametrize("who", ["advisor", "client"])
def test_the_tool_agrees_with_the_guardrail_everywhere(risk_class: str, risk: str, who: str) -> None:
    tool = check_product(client(risk_class), product(risk), today=TODAY, initiated_by=who)  # type: ignore[arg-type]
    rail = check_suitability(
        product_code="T00001",
        product_name="测试产品",
        product_risk=risk,
        client_class=risk_class,
        investor_type="ordinary",
        assessment_expires=date(2028, 1, 1),
        today=TODAY,
        initiated_by=who,  # type: ignore[arg-type]
    )
    assert tool.verdict == rail
    assert tool.may_recommend == (int(risk[1]) <= int(risk_class[1]))
