"""A turn that asks for a savings goal: the calculator runs, its figures reach the model as the
turn's facts, and a reply quoting them passes the grounding rail while an invented one does not."""

from __future__ import annotations

from agent.llm.fake import FakeChatModel
from agent.models import TurnRequest
from agent.turn import run_turn

GOAL = "我想20年后攒够200万养老，每月要存多少？"
QUOTED = "按年化4.0%的假设，20年后攒够200万元，每月需投入约5,496.90元。"
ROUNDED = "也就是每月约5497元。"
INVENTED = "若选股票基金，年化可达9.9%，每月只需3000元。"


def ask(deps, message: str):  # type: ignore[no-untyped-def]
    return run_turn(deps, TurnRequest(client_id="client-002", message=message, request_id="req-goal"))


def test_a_goal_question_runs_the_calculator_and_its_figures_are_in_the_prompt(make_deps) -> None:  # type: ignore[no-untyped-def]
    model = FakeChatModel(QUOTED)
    deps = make_deps(model)
    result = ask(deps, GOAL)
    assert "goals" in result.tools
    system = model.calls[0][0].content
    facts = system[system.rindex("【系统结论】") :]
    assert "养老储备测算" in facts and "目标金额2,000,000.00元" in facts and "期限240个月" in facts
    for monthly in ("6,797.37元", "5,496.90元", "4,410.74元"):  # one per assumed return
        assert monthly in facts


def test_a_reply_quoting_the_calculation_is_kept_and_an_invented_figure_dropped(make_deps) -> None:  # type: ignore[no-untyped-def]
    deps = make_deps(FakeChatModel(QUOTED + ROUNDED + INVENTED))
    result = ask(deps, GOAL)
    assert QUOTED in result.answer and ROUNDED in result.answer
    assert "9.9%" not in result.reply and "grounding.unsupported_figure" in result.verdict.rule_ids


def test_a_monthly_amount_is_projected(make_deps) -> None:  # type: ignore[no-untyped-def]
    model = FakeChatModel("好的。")
    deps = make_deps(model)
    result = ask(deps, "每月存3000，20年后能攒多少？")
    assert "goals" in result.tools
    assert "每月3,000.00元到期约" in model.calls[0][0].content


def test_a_question_without_a_goal_runs_no_calculator(make_deps) -> None:  # type: ignore[no-untyped-def]
    deps = make_deps(FakeChatModel("货币基金流动性好。"))
    result = ask(deps, "货币基金安全吗？")
    assert "goals" not in result.tools
