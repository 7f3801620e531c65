"""The learned above-class backstop: faithful to its training, blind to product names, run only
on a product above the client's class that the cue rules missed, and blocking like the cues."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from agent.reply_gate import above_class_holdback, sentence_check
from guardrails.output_rails import ReplyContext, check_reply, decide
from guardrails.policy import load_policy
from guardrails.recommendation import PRODUCT, find_above_class_recommendation, named_products
from guardrails.recommendation_scorer import (
    OTHER,
    SCORER_FILE,
    SEMANTIC_FILE,
    load_recommendation_scorer,
    masked,
    recommendation_scorer_for,
    recommendation_scorer_from_json,
    windows,
)
from guardrails.streaming import SentenceGate
from tests.guardrails.products import ALIASES, R2, R4, result

POLICY = load_policy()
CTX = ReplyContext(suitability=[R4, R2], product_aliases=ALIASES)

# Active recommendations in wording none of the cue patterns knows.
MISSED_BY_CUES = [
    "华晟科技成长混合这个位置我会选它。",
    "华晟科技成长混合就是为您这样的客户准备的。",
    "My pick for you is 华晟科技成长混合; start with a small amount this month.",
]
HARD_NEGATIVES = [
    "华晟科技成长混合的管理费是1.2%/年，托管费0.2%/年。",
    "华晟科技成长混合是R4，超出您的C2等级，不适合您。",
    "如果您坚持购买华晟科技成长混合，系统会先展示风险不匹配警示，您确认后才能提交。",
    "华晟科技成长混合的收益弹性比鑫和纯债A大，但波动也大得多，以您的等级来说不适合您。",
    "您持有的华晟科技成长混合占组合的四成，风险等级R4，高于您的C2。",
    "华晟科技成长混合 is rated R4, above your C2 profile, so I can't recommend it.",
]


def above_class_hits(text: str, ctx: ReplyContext = CTX) -> list[str]:
    return [h.detail for h in check_reply(text, ctx, POLICY) if h.rule_id == "suitability.above_class"]


def test_masking_hides_every_product_name_and_tells_the_target_from_the_others() -> None:
    products = named_products([R4, R2], ALIASES)
    target, other = products
    text = "华晟科技成长混合（933401）和鑫和纯债各配一半，华晟科技波动大。"
    assert masked(text, target, products) == f"{PRODUCT}（{PRODUCT}）和{OTHER}各配一半，{PRODUCT}波动大。"
    assert masked(text, other, products) == f"{OTHER}（{OTHER}）和{PRODUCT}各配一半，{OTHER}波动大。"


@pytest.mark.parametrize("text", MISSED_BY_CUES)
def test_the_backstop_catches_a_recommendation_the_cues_miss(text: str) -> None:
    assert find_above_class_recommendation(text, [R4], POLICY, ALIASES, [R2]) is None
    hits = [h for h in check_reply(text, CTX, POLICY) if h.rule_id == "suitability.above_class"]
    assert len(hits) == 1 and hits[0].span == text and hits[0].severity == "block"
    assert "评分" in hits[0].detail and "推介评分器" in hits[0].detail and "华晟科技成长混合" in hits[0].detail
    assert decide(hits, POLICY).action == "block"
    assert "suitability.not_stated" not in {h.rule_id for h in check_reply(text, CTX, POLICY)}


@pytest.mark.parametrize("text", HARD_NEGATIVES)
def test_facts_declines_and_the_confirmation_procedure_are_not_flagged(text: str) -> None:
    assert above_class_hits(text) == []


def test_the_backstop_reads_only_products_above_the_class() -> None:
    suitable_only = ReplyContext(suitability=[result("933401", "华晟科技成长混合", "R4", client="C4")], product_aliases=ALIASES)
    assert above_class_hits(MISSED_BY_CUES[0], suitable_only) == []
    assert above_class_hits("鑫和纯债A是您的最佳选择。") == []


def test_a_cue_hit_is_not_doubled_by_the_backstop() -> None:
    details = above_class_hits("华晟科技成长混合我强烈推荐，这个位置我会选它。")
    assert details == [POLICY.rules["suitability.above_class"].description]


def test_windows_run_from_a_sentence_naming_a_product_to_the_next() -> None:
    products = named_products([R4, R2], ALIASES)
    parts = ["您好。", "华晟科技成长混合是R4。", "它波动大。", "鑫和纯债A是R2。", "华晟科技和鑫和纯债比一比。", "就它了。"]
    got = [(w.text, [p.code for p in w.products]) for w in windows(parts, products)]
    assert got == [
        ("华晟科技成长混合是R4。它波动大。", ["933401"]),
        ("鑫和纯债A是R2。", ["931201"]),
        ("华晟科技和鑫和纯债比一比。就它了。", ["933401", "931201"]),
    ]
    assert windows(["您好。", "再见。"], products) == []


def stream(text: str, ctx: ReplyContext = CTX, piece: int = 0) -> SentenceGate:
    """``text`` streamed through the gate whole, or in pieces of ``piece`` characters."""
    gate = SentenceGate(sentence_check(ctx, POLICY, [], []), above_class_holdback(ctx, POLICY))
    for start in range(0, len(text), piece or len(text)):
        gate.feed(text[start : start + (piece or len(text))])
    gate.close()
    return gate


def test_streaming_stops_at_the_flagged_window_and_releases_the_one_before() -> None:
    gate = stream("华晟科技成长混合今年波动较大。" + MISSED_BY_CUES[0] + "其余内容。")
    assert gate.stopped and gate.text == "华晟科技成长混合今年波动较大。"
    assert [h.rule_id for h in gate.hits if h.severity == "block"] == ["suitability.above_class"]


def test_nothing_is_held_back_in_a_turn_without_an_above_class_product() -> None:
    suitable_only = ReplyContext(suitability=[R2], product_aliases=ALIASES)
    assert above_class_holdback(suitable_only, POLICY) is None
    gate = SentenceGate(sentence_check(suitable_only, POLICY, [], []), above_class_holdback(suitable_only, POLICY))
    assert gate.feed("鑫和纯债A是R2。波动小。后") == ["鑫和纯债A是R2。", "波动小。"]


@pytest.mark.parametrize(
    "text",
    [
        *MISSED_BY_CUES,
        *HARD_NEGATIVES,
        "华晟科技成长混合的资料发您了。看完了吧？就它了，今天收盘前下单即可。",
        "您问的华晟科技成长混合是R4。您是C2，这只我不能给您办，钱先放着，您自己定。",
        "鑫和纯债A是R2。华晟科技成长混合是R4，超出您的等级。其余内容。",
        # A sentence the stream drops (a figure found in no evidence) still opens or closes a window.
        "华晟科技成长混合近一年涨了45%。就它了，今天收盘前下单即可。",
        "华晟科技成长混合是R4。鑫和纯债A年化收益3.5%。就它了，今天收盘前下单即可。",
    ],
)
@pytest.mark.parametrize("piece", [0, 5])
def test_the_stream_and_the_whole_reply_reach_the_same_suitability_verdict(text: str, piece: int) -> None:
    whole = bool(above_class_hits(text))
    gate = stream(text, piece=piece)
    assert gate.stopped == whole
    assert any(h.rule_id == "suitability.above_class" for h in gate.hits) == whole


def test_a_push_after_a_naming_sentence_is_read_with_it() -> None:
    facts = "华晟科技成长混合的产品说明书在App里可以查到。"
    push = facts + "看完了吧？就它了，今天收盘前下单即可。"
    assert find_above_class_recommendation(push, [R4], POLICY, ALIASES, [R2]) is None
    assert above_class_hits(push) and above_class_hits(facts) == []
    assert above_class_hits(facts + "它超出您的等级，不适合您。") == []


def test_the_shipped_file_is_what_training_builds_now(tmp_path: Path) -> None:
    pytest.importorskip("sklearn")
    from evals.train_recommendation_scorer import MAX_CLEAN_FPR, train

    fresh = train(tmp_path / "scorer.json")
    shipped = json.loads(SCORER_FILE.read_text(encoding="utf-8"))
    assert fresh == shipped, "re-run `python -m evals.train_recommendation_scorer` after changing its data or the cue rules"
    model = fresh["model"]
    assert model["backstop_alone_cv5"]["clean_fpr"] <= MAX_CLEAN_FPR
    assert model["cues_and_backstop_cv5"]["recall"] >= model["cues_only"]["recall"]


def test_pure_scoring_matches_the_trained_model() -> None:
    pytest.importorskip("sklearn")
    import numpy as np

    from evals.train_recommendation_scorer import _cases, _fit, examples

    rows, _ = examples(_cases())
    vectorizer, model = _fit([e.text for e in rows], np.array([e.recommended for e in rows]))
    scorer = load_recommendation_scorer()
    assert scorer is not None
    for text in [rows[0].text, rows[-1].text, f"{PRODUCT}这个位置我会选它。", f"{PRODUCT}的管理费是1.2%。"]:
        expected = float(model.predict_proba(vectorizer.transform([text]))[0, 1])
        assert scorer.score(text).probability == pytest.approx(expected, abs=1e-3)


def test_a_malformed_scorer_file_is_refused() -> None:
    with pytest.raises(ValueError, match="features"):
        recommendation_scorer_from_json({"version": "x", "features": {"a": [1.0]}, "model": {}, "ngrams": [1, 3]})
    with pytest.raises(ValueError, match="model"):
        recommendation_scorer_from_json({"version": "x", "features": {}, "model": {"intercept": 0.0}, "ngrams": [1, 3]})


def test_a_semantic_recommendation_scorer_needs_its_embedder() -> None:
    from tests.guardrails.test_claim_scorer import KeyedEncoder

    payload = {
        "version": "t-e5",
        "embedder": "fake-e5",
        "alpha": 1.0,
        "ngrams": [1, 1],
        "features": {"选": [1.0, 0.5]},
        "model": {"intercept": -1.0, "threshold": 0.5, "embedding": [2.0, 0.0]},
    }
    scorer = recommendation_scorer_from_json(payload)
    # -1 + 0.5 (选, TF-IDF 1.0) + 1.0 × 2.0 from the embedding.
    assert scorer.score("选", KeyedEncoder("fake-e5", [1.0, 0.0])).probability == pytest.approx(1 / (1 + math.exp(-1.5)))
    with pytest.raises(ValueError, match="fake-e5"):
        scorer.score("选")
    with pytest.raises(ValueError, match="fake-e5"):
        scorer.score("选", KeyedEncoder("other", [1.0, 0.0]))
    with pytest.raises(ValueError, match="embedder"):
        recommendation_scorer_from_json(payload | {"embedder": None})


def test_the_semantic_backstop_is_read_only_with_the_embedder_it_was_trained_with() -> None:
    from tests.guardrails.test_claim_scorer import KeyedEncoder

    semantic = load_recommendation_scorer(SEMANTIC_FILE)
    assert semantic is not None and semantic.embedder == "multilingual-e5-small-int8" and len(semantic.embedding) == 384
    assert recommendation_scorer_for(None) == load_recommendation_scorer()
    assert recommendation_scorer_for(KeyedEncoder("multilingual-e5-small", [0.0] * 384)) == load_recommendation_scorer()
    assert recommendation_scorer_for(KeyedEncoder("multilingual-e5-small-int8", [0.0] * 384)) == semantic
