"""The learned claim backstops: faithful to their training, explainable, one per banned-claim
rule, and wired so that a flagged sentence is dropped while the rest of the reply goes out."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from agent.reply_gate import sentence_check
from guardrails.claim_scorer import (
    BACKED_UP,
    BACKSTOPS,
    SCORER_FILE,
    SEMANTIC_FILE,
    char_ngrams,
    load_scorer,
    scorer_for,
    scorer_from_json,
)
from guardrails.claims import find_claims
from guardrails.output_rails import ReplyContext, check_reply
from guardrails.policy import load_policy
from guardrails.streaming import SentenceGate

# Paraphrases with no pattern of their rule in them: only the backstop can catch them.
PARAPHRASES = {
    "claims.guaranteed_return": "这钱放进去就只会变多，您等着收就行。",
    "claims.certainty": "别慌，这个位置已经是底了，后面肯定往上。",
    "claims.exaggerated_performance": "这个经理的胜率极高，几乎每次都判断正确。",
    "claims.trade_on_behalf": "账户您就放我这儿，每周我帮您调一次仓。",
}
PARAPHRASE = PARAPHRASES["claims.guaranteed_return"]
HARD_NEGATIVES = [
    "本基金不保本，历史业绩不代表未来表现。",
    "货币基金流动性好，适合存放短期闲置资金。",
    "投资有风险，请您根据自身情况自主决策并自担风险。",
    "资金由托管银行保管，请放心。",
    "我们不能替您下单，请在App里自行操作。",
    "稳健型客户可以看R3及以下的产品。",
    "这只基金零申购费，赎回费按持有时间递减。",
    "没有人能保证明天会涨。",
    "固定收益类产品也可能亏损。",
    "请不要把验证码告诉任何人。",
    "市场短期走势难以预测，请控制仓位。",
]


def test_features_squeeze_whitespace_and_lower_case() -> None:
    assert char_ngrams("A  b") == ["a", " ", "b", "a ", " b", "a b"]
    assert char_ngrams("abc", (2, 3)) == ["ab", "bc", "abc"]


def test_every_backstop_has_its_own_policy_rule() -> None:
    policy, scorer = load_policy(), load_scorer()
    assert scorer is not None and set(scorer.models) == set(BACKSTOPS)
    for rule, backstop in BACKSTOPS.items():
        assert rule in policy.rules and policy.rules[backstop].severity == "rewrite"
        assert scorer.models[rule].backstop == backstop and BACKED_UP[backstop] == rule


def test_the_shipped_file_is_what_training_builds_now(tmp_path: Path) -> None:
    pytest.importorskip("sklearn")
    from evals.train_claim_scorer import MAX_CLEAN_FPR, train

    fresh = train(tmp_path / "scorer.json")
    shipped = json.loads(SCORER_FILE.read_text(encoding="utf-8"))
    assert fresh["features"] == shipped["features"], "re-run `python -m evals.train_claim_scorer` after changing its data"
    assert fresh["rules"] == shipped["rules"] and fresh["training"] == shipped["training"]
    assert sum(MAX_CLEAN_FPR.values()) <= 0.02 + 1e-9
    for rule in fresh["rules"]:
        assert rule["cv5_at_threshold"]["clean_fpr"] <= rule["max_clean_fpr"]
        assert rule["patterns_and_backstop_cv5"]["recall"] >= rule["patterns_only"]["recall"]


def test_pure_scoring_matches_the_trained_models() -> None:
    pytest.importorskip("sklearn")
    import numpy as np

    from evals.train_claim_scorer import RULES, _fit, _rows

    rows = _rows()
    texts = [r["text"] for r in rows]
    vectorizer, models = _fit(texts, np.array([[rule in r["labels"] for rule in RULES] for r in rows]))
    scorer = load_scorer()
    assert scorer is not None
    for rule, model in zip(RULES, models, strict=True):
        for text in [*PARAPHRASES.values(), *HARD_NEGATIVES[:3], texts[7], texts[-1]]:
            expected = float(model.predict_proba(vectorizer.transform([text]))[0, 1])
            assert scorer.score(text, rule).probability == pytest.approx(expected, abs=1e-3)


@pytest.mark.parametrize("rule", list(PARAPHRASES))
def test_each_backstop_flags_a_paraphrase_its_patterns_miss(rule: str) -> None:
    text, policy = PARAPHRASES[rule], load_policy()
    assert rule not in {h.rule_id for h in find_claims(text, policy)}
    hits = [h for h in check_reply(text, ReplyContext(), policy) if h.rule_id == BACKSTOPS[rule]]
    assert len(hits) == 1 and hits[0].span == text and hits[0].severity == "rewrite"
    assert "评分" in hits[0].detail and "主要片段" in hits[0].detail


@pytest.mark.parametrize("text", HARD_NEGATIVES)
def test_hard_negatives_and_plain_facts_are_not_flagged(text: str) -> None:
    assert check_reply(text, ReplyContext(), load_policy()) == []


def test_a_pattern_hit_is_not_doubled_by_the_scorer() -> None:
    rules = [h.rule_id for h in check_reply("这只产品保本保收益，放心买。", ReplyContext(), load_policy())]
    assert "claims.guaranteed_return" in rules and "claims.likely_guarantee" not in rules
    rules = [h.rule_id for h in check_reply("您把账户交给我，我每天帮您操作。", ReplyContext(), load_policy())]
    assert "claims.trade_on_behalf" in rules and "claims.likely_trade_on_behalf" not in rules


@pytest.mark.parametrize("rule", list(PARAPHRASES))
def test_streaming_drops_only_the_flagged_sentence(rule: str) -> None:
    gate = SentenceGate(sentence_check(ReplyContext(), load_policy(), [], []))
    gate.feed("货币基金流动性好。" + PARAPHRASES[rule] + "请您自主决策。")
    gate.close()
    assert gate.text == "货币基金流动性好。请您自主决策。"
    assert not gate.stopped and [h.rule_id for h in gate.hits] == [BACKSTOPS[rule]]


def test_a_malformed_scorer_file_is_refused() -> None:
    with pytest.raises(ValueError, match="features"):
        scorer_from_json({"version": "x", "features": [], "rules": []})
    with pytest.raises(ValueError, match="rules"):
        scorer_from_json({"version": "x", "features": {}, "rules": [{"rule": "claims.unknown"}]})


def test_the_backstops_read_assertions_not_questions_that_ask() -> None:
    from guardrails.output_rails import scored_sentences

    policy = load_policy()
    assert scored_sentences("行长买了就一定不亏吗？他买的时间点和您不一样。", policy) == ["他买的时间点和您不一样。"]
    # A rhetorical question still asserts, so it is read.
    assert scored_sentences("这还能亏？", policy) == ["这还能亏？"]


class KeyedEncoder:
    """A sentence encoder that returns one fixed vector for every sentence, and counts calls."""

    def __init__(self, name: str, vector: list[float]) -> None:
        self._name, self.vector, self.calls = name, vector, 0

    @property
    def name(self) -> str:
        return self._name

    def embed_query(self, text: str) -> np.ndarray:
        self.calls += 1
        return np.array(self.vector)


def semantic_payload(embedding: list[float], alpha: float = 2.0, embedder: str | None = "fake-e5") -> dict[str, object]:
    rules = [{"rule": rule, "threshold": 0.5, "intercept": -1.0, "embedding": embedding} for rule in BACKSTOPS]
    features = {"保": [1.0, 0.5, 0, 0, 0]}
    return {"version": "t-e5", "embedder": embedder, "alpha": alpha, "ngrams": [1, 1], "features": features, "rules": rules}


def test_a_semantic_backstop_adds_the_embeddings_share_to_the_logit() -> None:
    scorer = scorer_from_json(semantic_payload([1.0, -1.0]))
    scored = scorer.score("保", "claims.guaranteed_return", embedding=[0.6, 0.8])
    # intercept -1, the n-gram 保 (TF-IDF 1.0) weighs 0.5, and 2 × (0.6 − 0.8) from the embedding.
    assert scored.probability == pytest.approx(1 / (1 + math.exp(-(-1.0 + 0.5 + 2 * (0.6 - 0.8)))))
    with pytest.raises(ValueError, match="2-dimensional fake-e5 vector"):
        scorer.score("保", "claims.guaranteed_return")
    with pytest.raises(ValueError, match="2-dimensional"):
        scorer.score("保", "claims.guaranteed_return", embedding=[0.6, 0.8, 0.0])


def test_embedding_weights_come_exactly_with_the_embedder_name() -> None:
    with pytest.raises(ValueError, match="embedder"):
        scorer_from_json(semantic_payload([1.0, -1.0], embedder=None))
    with pytest.raises(ValueError, match="embedder"):
        scorer_from_json(semantic_payload([], embedder="fake-e5"))


def test_the_semantic_backstops_are_read_only_with_the_embedder_they_were_trained_with() -> None:
    semantic = load_scorer(SEMANTIC_FILE)
    assert semantic is not None and semantic.embedder == "multilingual-e5-small-int8"
    assert all(len(m.embedding) == 384 for m in semantic.models.values())
    assert scorer_for(None) == load_scorer() and load_scorer() is not None and load_scorer().embedder is None  # type: ignore[union-attr]
    assert scorer_for(KeyedEncoder("multilingual-e5-small", [0.0] * 384)) == load_scorer()  # the float model is another embedder
    assert scorer_for(KeyedEncoder("multilingual-e5-small-int8", [0.0] * 384)) == semantic


def test_the_rails_embed_each_sentence_once_and_name_the_semantic_scorer(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import guardrails.output_rails as rails

    semantic = tmp_path / "semantic.json"
    semantic.write_text(json.dumps(semantic_payload([4.0, 0.0])), encoding="utf-8")
    monkeypatch.setattr(rails, "scorer_for", lambda enc: scorer_for(enc, semantic=semantic))
    encoder = KeyedEncoder("fake-e5", [1.0, 0.0])
    # Every rule's logit is −1 + 2 × 4 = 7 on any sentence, so each sentence is flagged for each rule.
    hits = rails.likely_claims("货币基金流动性好。请您自主决策。", load_policy(), encoder=encoder)
    assert encoder.calls == 2
    assert len(hits) == 2 * len(BACKSTOPS) and all("评分器t-e5" in h.detail for h in hits)
    # Without the encoder the shipped n-gram backstops decide, and nothing is embedded.
    assert rails.likely_claims("货币基金流动性好。请您自主决策。", load_policy(), encoder=None) == [] and encoder.calls == 2
