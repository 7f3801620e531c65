import pytest

from guardrails.claims import find_claims
from guardrails.policy import load_policy


def rules(text: str) -> set[str]:
    return {h.rule_id for h in find_claims(text, load_policy())}


@pytest.mark.parametrize(
    "text",
    [
        "这只基金保本，您放心买。",
        "买这个产品稳赚不赔。",
        "年化8%稳稳到手。",
        "这是零风险的投资。",
        "收益有保障，不会亏钱。",
        "跟着买肯定盈利。",
        "一年收益翻倍没问题。",
        "闭着眼买都行。",
    ],
)
def test_guaranteed_returns_fire(text: str) -> None:
    assert "claims.guaranteed_return" in rules(text)


@pytest.mark.parametrize(
    "text",
    [
        "本基金不保本，存在亏损的可能。",
        "货币基金并非保本产品。",
        "没有任何产品能保证收益。",
        "历史业绩不代表未来表现。",
        "市场有风险，投资需谨慎。",
        "我们不会代您下单，交易需您本人完成。",
        "国债收益率常被视为无风险利率的参考。",
    ],
)
def test_compliant_statements_do_not_fire(text: str) -> None:
    assert rules(text) == set()


def test_certainty_and_trading_for_the_client() -> None:
    assert "claims.certainty" in rules("茅台下周一定会涨。")
    assert "claims.trade_on_behalf" in rules("您把账户密码告诉我，我帮您下单。")
    assert "claims.exaggerated_performance" in rules("这只基金成立以来从未亏损过。")
