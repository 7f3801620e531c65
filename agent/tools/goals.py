"""Goal calculators (retirement, education): the monthly amount that reaches a target under
assumed annual returns, and the future value of a monthly amount.

Conventions, stated in every result: contributions at the end of each month; an assumed annual
return ``a`` compounds monthly at ``r = (1 + a) ** (1 / 12) - 1``; the future value of ``n``
monthly payments ``P`` plus savings ``S`` today is ``S (1 + r)^n + P ((1 + r)^n - 1) / r``
(``S + P n`` when ``r = 0``). The returns are assumptions for planning, not forecasts.
"""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import BaseModel, Field

from agent.tools.models import ToolResult, money, pct
from core.errors import InvalidInput

DEFAULT_RETURNS: tuple[tuple[str, float], ...] = (("低", 0.02), ("中", 0.04), ("高", 0.06))
ASSUMPTION_NOTE = "以上年化收益率只是用于测算的假设条件，不是对任何产品业绩的预测，实际结果可能更好也可能更差，投资有风险。"


class Scenario(BaseModel):
    label: str = Field(description="低 / 中 / 高")
    annual_return: float
    monthly_amount: float | None = Field(default=None, description="monthly contribution needed to reach the target")
    future_value: float | None = Field(default=None, description="what the monthly amount grows to")


class GoalPlan(ToolResult):
    goal: str
    target: float
    years: float
    months: int
    current_savings: float
    monthly_amount: float | None = None
    scenarios: list[Scenario]
    assumptions: list[str]

    def summary_text(self) -> str:
        head = f"{self.goal}测算：目标金额{self.target:,.2f}元，期限{self.months}个月，现有储蓄{self.current_savings:,.2f}元。"
        parts = []
        for s in self.scenarios:
            if s.monthly_amount is not None:
                parts.append(f"假设年化收益率{pct(s.annual_return, 1)}（{s.label}）时，每月需投入约{s.monthly_amount:,.2f}元")
            if s.future_value is not None:
                parts.append(
                    f"假设年化收益率{pct(s.annual_return, 1)}（{s.label}）时，每月{self.monthly_amount:,.2f}元到期约{s.future_value:,.2f}元"
                )
        return head + "；".join(parts) + "。" + "".join(self.assumptions)


def monthly_rate(annual_return: float) -> float:
    return float((1.0 + annual_return) ** (1.0 / 12.0) - 1.0)


def future_value(monthly: float, months: int, annual_return: float, current_savings: float = 0.0) -> float:
    r = monthly_rate(annual_return)
    if r == 0:
        return current_savings + monthly * months
    growth = (1.0 + r) ** months
    return float(current_savings * growth + monthly * (growth - 1.0) / r)


def monthly_for_target(target: float, months: int, annual_return: float, current_savings: float = 0.0) -> float:
    """The monthly contribution that reaches ``target``; 0 when today's savings already grow to it."""
    r = monthly_rate(annual_return)
    growth = (1.0 + r) ** months
    gap = target - current_savings * growth
    if gap <= 0:
        return 0.0
    return float(gap / months if r == 0 else gap * r / (growth - 1.0))


def _check(years: float, target: float, current_savings: float, returns: Sequence[tuple[str, float]]) -> int:
    if years <= 0 or years > 60:
        raise InvalidInput(f"horizon {years} years", public_message="期限需在0到60年之间")
    if target < 0 or current_savings < 0:
        raise InvalidInput("negative amount", public_message="金额不能为负数")
    if not returns or any(a <= -1 or a > 0.2 for _, a in returns):
        raise InvalidInput("assumed returns out of range", public_message="假设收益率需在-100%到20%之间")
    return round(years * 12)


def plan_for_target(
    goal: str, target: float, years: float, *, current_savings: float = 0.0, returns: Sequence[tuple[str, float]] = DEFAULT_RETURNS
) -> GoalPlan:
    """Monthly contributions that reach ``target`` in ``years`` under each assumed return."""
    months = _check(years, target, current_savings, returns)
    scenarios = [
        Scenario(label=label, annual_return=a, monthly_amount=money(monthly_for_target(target, months, a, current_savings)))
        for label, a in returns
    ]
    assumptions = ["按每月末定投、年化收益率按月复利折算计算。", ASSUMPTION_NOTE]
    return GoalPlan(
        goal=goal, target=target, years=years, months=months, current_savings=current_savings, scenarios=scenarios, assumptions=assumptions
    )


def project_monthly(
    goal: str, monthly: float, years: float, *, current_savings: float = 0.0, returns: Sequence[tuple[str, float]] = DEFAULT_RETURNS
) -> GoalPlan:
    """What ``monthly`` invested for ``years`` may grow to under each assumed return."""
    months = _check(years, 0.0, current_savings, returns)
    if monthly < 0:
        raise InvalidInput("negative monthly amount", public_message="金额不能为负数")
    scenarios = [
        Scenario(label=label, annual_return=a, future_value=money(future_value(monthly, months, a, current_savings)))
        for label, a in returns
    ]
    assumptions = ["按每月末定投、年化收益率按月复利折算计算。", ASSUMPTION_NOTE]
    return GoalPlan(
        goal=goal,
        target=0.0,
        years=years,
        months=months,
        current_savings=current_savings,
        monthly_amount=monthly,
        scenarios=scenarios,
        assumptions=assumptions,
    )


def retirement_plan(
    *,
    age: int,
    retirement_age: int,
    monthly_spending: float,
    years_in_retirement: int = 20,
    current_savings: float = 0.0,
    inflation: float = 0.0,
    returns: Sequence[tuple[str, float]] = DEFAULT_RETURNS,
) -> GoalPlan:
    """Savings for retirement: target = monthly spending x 12 x years in retirement, in money of the
    retirement year when ``inflation`` is given (spending grown by ``(1 + inflation) ** years to go``)."""
    if retirement_age <= age:
        raise InvalidInput("retirement age not after current age", public_message="退休年龄需大于当前年龄")
    years = retirement_age - age
    target = monthly_spending * 12 * years_in_retirement * (1.0 + inflation) ** years
    plan = plan_for_target("养老储备", money(target), years, current_savings=current_savings, returns=returns)
    plan.assumptions.insert(
        0,
        f"目标按退休后每月支出{monthly_spending:,.2f}元、持续{years_in_retirement}年估算，通胀假设{pct(inflation, 1)}/年，未计社保养老金。",
    )
    return plan


def education_plan(
    *,
    child_age: int,
    annual_cost: float,
    start_age: int = 18,
    years_of_study: int = 4,
    current_savings: float = 0.0,
    inflation: float = 0.03,
    returns: Sequence[tuple[str, float]] = DEFAULT_RETURNS,
) -> GoalPlan:
    """Savings for a child's education: target = annual cost x years of study, grown by
    ``inflation`` until the study starts, to be saved by ``start_age``."""
    if start_age <= child_age:
        raise InvalidInput("study starts now or in the past", public_message="入学年龄需大于子女当前年龄")
    years = start_age - child_age
    target = annual_cost * years_of_study * (1.0 + inflation) ** years
    plan = plan_for_target("子女教育金", money(target), years, current_savings=current_savings, returns=returns)
    plan.assumptions.insert(0, f"目标按每年费用{annual_cost:,.2f}元、共{years_of_study}年估算，学费上涨假设{pct(inflation, 1)}/年。")
    return plan
