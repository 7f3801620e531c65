"""The learned promised-return scorer: faithful to its training, explainable, and wired so that
a flagged sentence is dropped while the rest of the reply goes out."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from agent.reply_gate import sentence_check
from guardrails.claim_scorer import SCORER_FILE, char_ngrams, load_scorer, scorer_from_json
from guardrails.output_rails import ReplyContext, check_reply
from guardrails.policy import load_policy
from guardrails.streaming import SentenceGate

PARAPHRASE = "放心，就当存银行，利息还更高。"  # no banned term: the pattern rules miss it


def test_features_squeeze_whitespace_and_lower_case() -> None:
    assert char_ngrams("A  b") == ["a", " ", "b", "a ", " b", "a b"]


def test_the_shipped_file_is_what_training_builds_now(tmp_path: Path) -> None:
    pytest.importorskip("sklearn")
    from evals.train_claim_scorer import train

    fresh = train(tmp_path / "scorer.json")
    shipped = json.loads(SCORER_FILE.read_text(encoding="utf-8"))
    assert fresh["threshold"] == shipped["threshold"] and fresh["intercept"] == shipped["intercept"]
    assert fresh["features"] == shipped["features"], "re-run `python -m evals.train_claim_scorer` after changing its data"
    assert fresh["training"]["cv5_at_threshold"]["clean_fpr"] <= fresh["training"]["max_clean_fpr"]


def test_pure_scoring_matches_the_trained_model() -> None:
    pytest.importorskip("sklearn")
    import numpy as np

    from evals.train_claim_scorer import _fit, _rows

    rows = _rows()
    texts = [r["text"] for r in rows]
    vectorizer, model = _fit(texts, np.array(["claims.guaranteed_return" in r["labels"] for r in rows]))
    scorer = load_scorer()
    assert scorer is not None
    for text in [PARAPHRASE, "本基金不保本。", "货币基金流动性好，适合存放短期闲置资金。", texts[7]]:
        expected = float(model.predict_proba(vectorizer.transform([text]))[0, 1])
        assert scorer.score(text).probability == pytest.approx(expected, abs=1e-3)


def test_a_paraphrased_promise_is_flagged_with_its_score_and_drivers() -> None:
    hits = check_reply(PARAPHRASE, ReplyContext(), load_policy())
    assert [h.rule_id for h in hits] == ["claims.likely_guarantee"]
    assert hits[0].span == PARAPHRASE and hits[0].severity == "rewrite"
    assert "评分" in hits[0].detail and "主要片段" in hits[0].detail


@pytest.mark.parametrize(
    "text",
    [
        "本基金不保本，历史业绩不代表未来表现。",
        "货币基金流动性好，适合存放短期闲置资金。",
        "投资有风险，请您根据自身情况自主决策并自担风险。",
    ],
)
def test_hard_negatives_and_plain_facts_are_not_flagged(text: str) -> None:
    assert check_reply(text, ReplyContext(), load_policy()) == []


def test_a_pattern_hit_is_not_doubled_by_the_scorer() -> None:
    rules = [h.rule_id for h in check_reply("这只产品保本保收益，放心买。", ReplyContext(), load_policy())]
    assert "claims.guaranteed_return" in rules and "claims.likely_guarantee" not in rules


def test_streaming_drops_the_flagged_sentence_and_releases_the_rest() -> None:
    gate = SentenceGate(sentence_check(ReplyContext(), load_policy(), [], []))
    gate.feed("货币基金流动性好。" + PARAPHRASE + "请您自主决策。")
    gate.close()
    assert PARAPHRASE not in gate.text and "货币基金流动性好。" in gate.text and "请您自主决策。" in gate.text
    assert not gate.stopped and any(h.rule_id == "claims.likely_guarantee" for h in gate.hits)


def test_a_malformed_scorer_file_is_refused() -> None:
    with pytest.raises(ValueError, match="features"):
        scorer_from_json({"version": "x", "threshold": 0.5, "intercept": 0.0, "features": []})
