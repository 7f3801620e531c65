"""The agent loop with a fake model: tools planned from the intent, their results in the
prompt, follow-ups resolved against the conversation, and hand-offs opened as leads."""

from __future__ import annotations

from agent.llm.fake import FakeChatModel
from agent.models import TurnRequest
from agent.turn import run_turn
from records.leads import list_leads


def ask(deps, message: str, client: str = "client-002", conversation: str | None = None):  # type: ignore[no-untyped-def]
    return run_turn(deps, TurnRequest(client_id=client, message=message, conversation_id=conversation, request_id="req"))


def prompt_text(model: FakeChatModel, call: int = -1) -> str:
    return "\n".join(m.content for m in model.calls[call])


def test_an_own_holdings_question_runs_the_diagnosis_and_gives_it_to_the_model(make_deps) -> None:  # type: ignore[no-untyped-def]
    model = FakeChatModel("您的持仓以货币基金为主。")
    deps = make_deps(model)
    result = ask(deps, "我的持仓现在怎么样？")
    assert result.intent == "own_holdings" and result.tools == ["diagnosis", "behaviour"]
    text = prompt_text(model)
    assert "交易行为" in text and ("持仓" in text or "配置" in text)


def test_a_fee_question_quotes_the_fee_from_the_records(make_deps) -> None:  # type: ignore[no-untyped-def]
    model = FakeChatModel("申购费见上。")
    deps = make_deps(model)
    result = ask(deps, "申购瑞和价值成长混合A 5万元要多少手续费？")
    assert result.intent == "fees" and result.tools == ["fees"]
    assert "费用测算" in prompt_text(model) and "50,000.00元" in prompt_text(model)


def test_a_complaint_opens_a_lead_for_the_clients_advisor_with_the_turn(make_deps) -> None:  # type: ignore[no-untyped-def]
    deps = make_deps(FakeChatModel("很抱歉给您带来不好的体验。"))
    result = ask(deps, "我要投诉你们的客服，太差了")
    assert result.leads == ["complaint"] and "专属投资顾问" in result.answer
    assert result.verdict.action == "escalate" and "handoff.human" in result.verdict.rule_ids
    with deps.sessions() as s:
        leads = list_leads(s, client_id="client-002")
    assert [(lead.reason_code, lead.turn_id) for lead in leads] == [("complaint", result.turn_id)]
    assert leads[0].advisor_id


def test_a_follow_up_is_resolved_against_the_products_discussed_before(make_deps) -> None:  # type: ignore[no-untyped-def]
    model = FakeChatModel("瑞和价值成长混合A为R3产品，超出您的风险承受能力，不适合您。")
    deps = make_deps(model)
    first = ask(deps, "瑞和价值成长混合A和安泰纯债债券A，哪只适合我买？")
    assert [s.product_code for s in first.suitability][:1] == ["016801"]
    second = ask(deps, "那另一只呢？", conversation=first.conversation_id)
    assert second.intent == first.intent
    assert [s.product_code for s in second.suitability] == ["007320"]
    assert "此前对话" in prompt_text(model) and "瑞和价值成长混合A和安泰纯债债券A" in prompt_text(model)


def test_repeated_failed_answers_hand_the_client_to_a_person(make_deps) -> None:  # type: ignore[no-untyped-def]
    deps = make_deps(FakeChatModel("比特币一定涨。"))
    conversation = None
    results = []
    for question in ["比特币明年能涨到多少？", "狗狗币呢能不能涨？", "以太坊会不会翻倍？"]:
        results.append(ask(deps, question, conversation=conversation))
        conversation = results[-1].conversation_id
    assert results[0].leads == [] and results[1].leads == []
    assert results[2].leads == ["repeated_failure"]


def test_the_turn_acts_on_the_classifier_it_was_given(make_deps) -> None:  # type: ignore[no-untyped-def]
    from agent.intent import IntentClassifier, IntentPrediction

    class Always(IntentClassifier):
        def predict(self, text: str) -> IntentPrediction:
            return IntentPrediction(label="distress", confidence=0.9, source="embedding")

    deps = make_deps(FakeChatModel("理解您的心情。"))
    deps.intents = Always()
    result = ask(deps, "今天行情怎么样")
    assert result.intent == "distress" and result.leads == ["distress"] and result.tools == ["diagnosis", "behaviour"]


def test_a_second_distressed_message_does_not_open_a_second_lead(make_deps) -> None:  # type: ignore[no-untyped-def]
    deps = make_deps(FakeChatModel("理解您的心情。"))
    first = ask(deps, "最近跌得我睡不着觉，好慌")
    second = ask(deps, "真的撑不住了，一直在亏", conversation=first.conversation_id)
    assert first.leads == second.leads == ["distress"]
    with deps.sessions() as s:
        leads = list_leads(s, client_id="client-002")
    assert [(lead.reason_code, lead.turn_id) for lead in leads] == [("distress", first.turn_id)]
