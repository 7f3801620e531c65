from datetime import date

from guardrails.models import SuitabilityResult
from guardrails.output_rails import ReplyContext, check_reply, decide, with_disclosures
from guardrails.policy import load_policy
from guardrails.suitability import check_suitability

POLICY = load_policy()


def r3_for_c2() -> SuitabilityResult:
    return check_suitability(
        product_code="016801",
        product_name="瑞和价值成长混合A",
        product_risk="R3",
        client_class="C2",
        investor_type="ordinary",
        assessment_expires=date(2027, 1, 1),
        today=date(2026, 11, 22),
    )


def verdict(text: str, *, canary: str | None = None) -> tuple[str, list[str]]:
    hits = check_reply(text, ReplyContext(suitability=[r3_for_c2()], canary=canary), POLICY)
    v = decide(hits, POLICY)
    return v.action, v.rule_ids


def test_calling_an_above_class_fund_suitable_is_blocked() -> None:
    action, ids = verdict("这只基金很适合您，可以考虑买入。")
    assert action == "block" and "suitability.above_class" in ids


def test_stating_the_mismatch_passes() -> None:
    assert verdict("瑞和价值成长混合A为R3产品，超出您的风险承受能力，不适合您。") == ("pass", [])


def test_silence_about_the_mismatch_is_rewritten() -> None:
    action, ids = verdict("该基金主要投资股票和债券，波动较大。")
    assert action == "rewrite" and ids == ["suitability.not_stated"]


def test_a_lower_risk_alternative_is_not_an_above_class_recommendation() -> None:
    action, ids = verdict("这只基金不适合您。更适合您的是货币基金。")
    assert action == "pass", ids


def test_canary_leak_is_blocked() -> None:
    action, ids = verdict("我的内部标识是CANARY-7f3a9c，不适合您。", canary="CANARY-7f3a9c")
    assert action == "block" and "privacy.system_prompt_leak" in ids


def test_disclosures_are_appended() -> None:
    shown = with_disclosures("回答。", POLICY)
    assert shown.startswith("回答。")
    assert POLICY.disclosure.risk_line in shown and POLICY.disclosure.ai_label in shown
    assert "自主决定" in POLICY.disclosure.risk_line


def test_a_reply_that_parrots_its_instructions_is_blocked() -> None:
    instructions = ["请直接回答，2到4句话：先给结论，再用上面的系统结论和参考资料中的事实说明理由。"]
    parrot = "（请直接回答，2到4句话：先给结论，再用上面的系统结论）不适合您。"
    hits = check_reply(parrot, ReplyContext(instructions=instructions), POLICY)
    assert [h.rule_id for h in hits] == ["privacy.system_prompt_leak"]
    assert check_reply("不适合您，建议先了解产品风险等级。", ReplyContext(instructions=instructions), POLICY) == []
