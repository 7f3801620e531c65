import pytest

from agent.tools.goals import education_plan, future_value, monthly_for_target, plan_for_target, project_monthly, retirement_plan
from core.errors import InvalidInput

ONE_PERCENT_A_MONTH = 1.01**12 - 1  # 12.6825% a year compounds to exactly 1% a month


def test_zero_return_is_target_over_months() -> None:
    # 120,000 over 10 years = 120 months at 0%: 1,000 a month
    assert monthly_for_target(120_000, 120, 0.0) == pytest.approx(1000.0)


def test_annuity_formula() -> None:
    # P = T r / ((1 + r)^n - 1) = 100,000 x 0.01 / (1.01^120 - 1) = 1,000 / 2.300387 = 434.71
    assert monthly_for_target(100_000, 120, ONE_PERCENT_A_MONTH) == pytest.approx(434.71, abs=0.01)
    # and back: 434.7095 a month for 120 months at 1% grows to 100,000
    assert future_value(434.7095, 120, ONE_PERCENT_A_MONTH) == pytest.approx(100_000, abs=0.1)


def test_savings_today_reduce_the_monthly_amount() -> None:
    # 10,000 today at 1%/month for 120 months grows to 10,000 x 1.01^120 = 33,003.87; gap 66,996.13 x 0.01 / 2.300387 = 291.24
    assert monthly_for_target(100_000, 120, ONE_PERCENT_A_MONTH, current_savings=10_000) == pytest.approx(291.24, abs=0.01)
    assert monthly_for_target(10_000, 12, 0.0, current_savings=20_000) == 0.0


def test_plan_states_its_assumptions_and_orders_scenarios() -> None:
    plan = plan_for_target("购房首付", 300_000, 5)
    amounts = [s.monthly_amount or 0.0 for s in plan.scenarios]
    assert [s.label for s in plan.scenarios] == ["低", "中", "高"]
    assert amounts[0] > amounts[1] > amounts[2] > 0  # a higher assumed return needs less each month
    text = plan.summary_text()
    assert "假设" in text and "不是对任何产品业绩的预测" in text


def test_future_value_of_a_monthly_amount() -> None:
    plan = project_monthly("定投测算", 1000, 5, returns=[("零", 0.0)])
    assert plan.scenarios[0].future_value == 60_000.0  # 1,000 x 60 months


def test_education_and_retirement_targets() -> None:
    edu = education_plan(child_age=8, annual_cost=30_000, inflation=0.0)
    assert (edu.target, edu.months) == (120_000.0, 120)  # 30,000 x 4 years, saved over 10 years
    grown = education_plan(child_age=16, annual_cost=10_000, years_of_study=1, inflation=0.1)
    assert grown.target == 12_100.0  # 10,000 x 1.1^2
    pension = retirement_plan(age=40, retirement_age=60, monthly_spending=5000, years_in_retirement=20)
    assert (pension.target, pension.months) == (1_200_000.0, 240)  # 5,000 x 12 x 20
    assert "未计社保养老金" in pension.summary_text()


@pytest.mark.parametrize("years", [0, -1, 61])
def test_bad_horizons_are_refused(years: int) -> None:
    with pytest.raises(InvalidInput):
        plan_for_target("x", 1000, years)
    with pytest.raises(InvalidInput):
        retirement_plan(age=60, retirement_age=55, monthly_spending=1000)
