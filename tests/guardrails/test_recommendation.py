from datetime import date

from guardrails.models import SuitabilityResult
from guardrails.policy import load_policy
from guardrails.recommendation import find_above_class_recommendation
from guardrails.suitability import check_suitability

POLICY = load_policy()
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


def found(text: str) -> str | None:
    return find_above_class_recommendation(text, [R4], POLICY, ALIASES, suitable=[R2])


def test_a_recommendation_by_alias_is_found() -> None:
    assert found("华晟科技我强烈推荐，下个月开放申购。") == "华晟科技我强烈推荐，下个月开放申购。"


def test_a_recommendation_by_code_and_by_deictic_is_found() -> None:
    assert found("可以试试933401，收益能上一个台阶。")
    assert found("华晟科技成长混合去年表现不错。这只值得长期持有。") == "这只值得长期持有。"


def test_stating_the_mismatch_or_negating_is_not_a_recommendation() -> None:
    assert found("华晟科技成长混合为R4产品，超出您的风险等级，不建议购买。") is None
    assert found("华晟科技成长混合我不推荐给您。") is None
    assert found("您是想问华晟科技成长混合适不适合您吗？") is None


def test_a_recommendation_of_a_suitable_product_named_beside_it_is_not_counted() -> None:
    text = "华晟科技成长混合波动很大。我推荐您考虑鑫和纯债A。"
    assert found(text) is None


def test_no_unsuitable_product_means_nothing_to_find() -> None:
    assert find_above_class_recommendation("我推荐鑫和纯债A。", [], POLICY) is None
    assert R2.is_suitable
