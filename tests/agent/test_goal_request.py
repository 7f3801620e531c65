"""The goal-request parser: many ways of asking for a savings calculation, and messages that ask for none."""

from __future__ import annotations

import pytest

from agent.goal_request import GoalRequest, parse_goal_request


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("我想20年后攒够200万养老，每月要存多少？", GoalRequest("retirement", 20.0, target=2_000_000.0)),
        ("孩子10年后上大学要50万，现在每月定投多少合适？", GoalRequest("education", 10.0, target=500_000.0)),
        ("女儿8年后出国留学，大概需要80万元，怎么准备？", GoalRequest("education", 8.0, target=800_000.0)),
        ("十五年内攒够1,000,000元买房首付，每个月要投多少", GoalRequest("general", 15.0, target=1_000_000.0)),
        ("目标5年内存够30万元，手上有10万，每月存多少", GoalRequest("general", 5.0, target=300_000.0, current_savings=100_000.0)),
        (
            "我今年35岁，想60岁退休时有300万，已有50万，每月要存多少？",
            GoalRequest("retirement", 25.0, target=3_000_000.0, current_savings=500_000.0),
        ),
        ("再过十年退休，想攒够100w，来得及吗", GoalRequest("retirement", 10.0, target=1_000_000.0)),
        ("18个月后想存够5万元备用，每月存多少", GoalRequest("general", 1.5, target=50_000.0)),
        ("每月存3000，20年后能攒多少？", GoalRequest("general", 20.0, monthly=3000.0)),
        ("每月定投2k，十年后能有多少钱", GoalRequest("general", 10.0, monthly=2000.0)),
        ("每个月投1500元给孩子存教育金，12年后大概有多少？", GoalRequest("education", 12.0, monthly=1500.0)),
        (
            "每月存5000，二十年后养老能攒够200万吗？够不够",
            GoalRequest("retirement", 20.0, target=2_000_000.0, monthly=5000.0),
        ),
    ],
)
def test_a_goal_calculation_is_read_from_the_message(message: str, expected: GoalRequest) -> None:
    assert parse_goal_request(message) == expected


@pytest.mark.parametrize(
    "message",
    [
        "货币基金安全吗？",
        "这只基金3年后能涨到多少？",
        "我想买5万元的基金，持有1年后赎回费多少？",
        "10年后养老金能领多少？",
        "我每月定投1000元，手续费多少？",
        "我持有这只基金3年了，赚了5万元，收益多少？",
        "养老目标基金是什么？",
        "我想70年后攒够200万，每月存多少？",  # beyond any horizon the calculators take
        "2030年前能不能攒够？",
    ],
)
def test_a_message_asking_for_no_calculation_gives_none(message: str) -> None:
    assert parse_goal_request(message) is None


def test_the_goal_name_follows_the_kind() -> None:
    request = parse_goal_request("孩子10年后上大学要50万，每月存多少？")
    assert request is not None and request.goal == "子女教育金"
