"""The planner: the goal calculator is planned whenever a message asks for one, except where no advice is given."""

from __future__ import annotations

import pytest

from agent.planner import plan_turn

GOAL = "我想20年后攒够200万养老，每月要存多少？"


@pytest.mark.parametrize("intent", ["knowledge", "own_holdings", "fees", "chitchat"])
def test_a_goal_question_plans_the_goals_tool(intent: str) -> None:
    assert "goals" in plan_turn(intent, GOAL, [], 0).tools


def test_the_goals_tool_comes_after_the_intents_own_tools() -> None:
    assert plan_turn("own_holdings", GOAL, [], 0).tools == ("diagnosis", "behaviour", "goals")


@pytest.mark.parametrize("intent", ["out_of_scope", "complaint_or_human", "distress"])
def test_no_goals_tool_where_no_advice_is_given(intent: str) -> None:
    assert "goals" not in plan_turn(intent, GOAL, [], 0).tools


@pytest.mark.parametrize("message", ["货币基金安全吗？", "我想买5万元的基金，持有1年后赎回费多少？"])
def test_a_message_without_a_goal_plans_no_goals_tool(message: str) -> None:
    assert "goals" not in plan_turn("knowledge", message, [], 0).tools
