"""Intent: the label set, typo normalisation, each rule path, the embedding fit with a fake
embedder, the chat-model classifier with a fake model, and the legacy ``classify``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from agent.intent import (
    EVAL_TO_INTENT,
    INTENTS,
    Example,
    IntentClassifier,
    ModelIntentClassifier,
    classify,
    load_examples,
)
from agent.intent.model import parse_label
from agent.intent.rules import decide, normalize
from agent.llm.fake import FakeChatModel
from retrieval.embeddings import HashingEmbedder

REPO = Path(__file__).resolve().parents[2]
EVAL_SET = REPO / "evals" / "data" / "intent" / "messages.jsonl"


def test_ten_labels_and_the_four_the_turn_already_used() -> None:
    assert len(INTENTS) == 10 == len(set(INTENTS))
    assert {"product_suitability", "own_holdings", "trade_request", "knowledge"} <= set(INTENTS)


def test_every_label_of_the_evaluation_set_maps_to_an_intent() -> None:
    labels = {json.loads(line)["intent"] for line in EVAL_SET.read_text(encoding="utf-8").splitlines() if line.strip()}
    assert labels == set(EVAL_TO_INTENT)
    assert EVAL_TO_INTENT["knowledge_question"] == "knowledge"


def test_the_seed_examples_cover_every_label_and_are_not_evaluation_messages() -> None:
    examples = load_examples()
    evaluation = {json.loads(line)["text"] for line in EVAL_SET.read_text(encoding="utf-8").splitlines() if line.strip()}
    for label in INTENTS:
        assert sum(e.intent == label for e in examples) >= 15, label
    assert not {e.text for e in examples} & evaluation
    assert len({e.text for e in examples}) == len(examples)


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("鸡金怎么赎会", "基金怎么赎回"),
        ("申够费", "申购费"),
        ("手续废", "手续费"),
        ("侧评", "测评"),
        ("定头", "定投"),
        ("矛台 宁得", "茅台宁德"),
    ],
)
def test_typos_and_homophones_are_normalised(typed: str, meant: str) -> None:
    assert normalize(typed) == meant


def test_full_width_and_case_are_folded() -> None:
    assert normalize("ＥＴＦ　Talk To A Human") == "etftalktoahuman"


@pytest.mark.parametrize(
    ("text", "label", "rule"),
    [
        ("这笔钱来路不明 买鸡金洗一洗", "out_of_scope", "harmful"),
        ("把身份证借给朋友开户行吗", "out_of_scope", "harmful"),
        ("亏成这样真不想活了", "distress", "self_harm"),
        ("帮我把宁王全部卖了", "trade_request", "order"),
        ("替我申够两万天天利好吗", "trade_request", "order_even_if_asked"),
        ("又跌了 整晚睡不着", "distress", "distress"),
        ("乱扣我手续废 我要投诉", "complaint_or_human", "complaint_or_human"),
        ("talk to a human please", "complaint_or_human", "complaint_or_human"),
        ("500ETF在哪下单", "trade_request", "how_to_trade"),
        ("鸡金赎会要多少钱的费", "fees", "fees"),
        ("开通港股通要啥条件", "account_service", "account"),
        ("风险侧评怎么重做", "account_service", "account"),
    ],
)
def test_rules_decide_in_the_guide_s_order(text: str, label: str, rule: str) -> None:
    prediction = IntentClassifier().predict(text)
    assert (prediction.label, prediction.source, prediction.rule) == (label, "rules", rule)


@pytest.mark.parametrize(
    "text",
    [
        "帮我看看我的基金怎么样",  # analysis, not an order
        "安泰消费精选最近怎么样",  # 消费 is not a fee
        "宁德时代我能买吗",  # "时代我" is no "代我"
        "测评是平衡型 我能买华盈芯片吗",  # the assessment is context for a buy question
    ],
)
def test_rules_stay_silent_on_look_alikes(text: str) -> None:
    decided = decide(text)
    assert decided is None or decided.label not in ("trade_request", "fees", "account_service")


def test_without_an_embedder_hints_then_knowledge() -> None:
    classifier = IntentClassifier()
    assert not classifier.uses_embedding
    assert classifier.predict("谢谢你").label == "chitchat"
    assert classifier.predict("我的持仓亏了多少").label == "own_holdings"
    fallback = classifier.predict("可转债是什么")
    assert (fallback.label, fallback.source) == ("knowledge", "default")


def test_the_embedding_model_is_fitted_on_examples_and_predicts_their_labels() -> None:
    examples = [Example(text=t, intent="knowledge") for t in ("什么是可转债", "可转债怎么交易规则", "可转债是什么东西")] + [
        Example(text=t, intent="chitchat") for t in ("今天心情真不错", "心情不错哈哈", "祝你心情愉快")
    ]
    classifier = IntentClassifier(HashingEmbedder(), examples=examples)
    prediction = classifier.predict("可转债是啥")
    assert classifier.uses_embedding
    assert (prediction.label, prediction.source) == ("knowledge", "embedding")
    assert 0.0 < prediction.confidence <= 1.0
    assert classifier.predict("心情很不错").label == "chitchat"


def test_the_fit_is_deterministic() -> None:
    examples = load_examples()[::4]
    a = IntentClassifier(HashingEmbedder(), examples=examples)
    b = IntentClassifier(HashingEmbedder(), examples=examples)
    texts = ["茅台还能涨吗", "我的收益怎么样", "推荐一只债基"]
    assert [a.predict(t) for t in texts] == [b.predict(t) for t in texts]


def test_the_default_seed_fits_with_a_fake_embedder() -> None:
    classifier = IntentClassifier(HashingEmbedder())
    assert classifier.predict("帮我把招行全卖了").label == "trade_request"
    assert classifier.predict("哈喽").label in INTENTS


def test_the_legacy_classify_keeps_its_four_labels_for_the_turn() -> None:
    assert classify("我想把一半的钱买这只基金，合适吗？", has_product=True) == "product_suitability"
    assert classify("茅台最新研报的评级是什么？", has_product=False) == "knowledge"
    assert classify("我的持仓怎么样", has_product=False) == "own_holdings"
    assert classify("帮我买1000块这只基金", has_product=True) == "trade_request"
    assert classify("我要投诉", has_product=False) == "complaint_or_human"


@pytest.mark.parametrize(
    ("reply", "label"),
    [
        ("fees", "fees"),
        (" product_suitability\n", "product_suitability"),
        ("knowledge_question", "knowledge"),
        ("标签：out_of_scope", "out_of_scope"),
        ("Distress", "distress"),
        ("不知道", None),
    ],
)
def test_the_model_s_reply_is_read_for_its_first_label(reply: str, label: str | None) -> None:
    assert parse_label(reply) == label


def test_the_model_classifier_sends_the_versioned_prompt_and_the_message() -> None:
    model = FakeChatModel("trade_request")
    classifier = ModelIntentClassifier(model)
    prediction = classifier.predict("帮我卖了茅台")
    assert (prediction.label, prediction.source) == ("trade_request", "model")
    system, user = model.calls[0]
    assert "complaint_or_human" in system.content and user.content.endswith("帮我卖了茅台")
    assert classifier.prompt_version.startswith("intent@")


def test_an_unreadable_or_late_model_reply_falls_back_with_no_confidence() -> None:
    for model in (FakeChatModel("嗯……"), FakeChatModel(timeout=True)):
        prediction = ModelIntentClassifier(model).predict("随便问问")
        assert (prediction.label, prediction.confidence) == ("knowledge", 0.0)


def test_classify_trusts_a_fitted_classifier_over_the_buy_word_fallback() -> None:
    examples = [Example(text=t, intent="own_holdings") for t in ("这只基金我拿着合适吗", "我拿着的这只合适吗", "拿着合适吗")] + [
        Example(text=t, intent="knowledge") for t in ("什么是可转债", "可转债是什么", "可转债规则")
    ]
    classifier = IntentClassifier(HashingEmbedder(), examples=examples)
    assert classify("这只我拿着合适吗", has_product=True, classifier=classifier) == "own_holdings"
    assert classify("这只我拿着合适吗", has_product=True) == "product_suitability"
