"""The semantic claim backstops with the real int8 embedder: the shipped file is what training
builds now, its arithmetic matches the trained models, and it keeps the properties the n-gram
backstops are held to (paraphrases caught, hard negatives passed)."""

from __future__ import annotations

import numpy as np
import pytest

from evals.train_claim_scorer import ALPHA, RULES, VERSION, _fit, _rows, embedding_of
from guardrails.claim_scorer import BACKSTOPS, SEMANTIC_FILE, load_scorer, scorer_for
from guardrails.output_rails import ReplyContext, check_reply
from guardrails.policy import load_policy
from retrieval.embeddings import Embedder, build_embedder
from tests.conftest import REPO
from tests.guardrails.test_claim_scorer import HARD_NEGATIVES, PARAPHRASES
from tests.guardrails.test_recommendation_scorer import CTX, MISSED_BY_CUES
from tests.guardrails.test_recommendation_scorer import HARD_NEGATIVES as RECOMMENDATION_NEGATIVES

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def encoder() -> Embedder:
    return build_embedder(REPO / "data" / "models")


def test_the_shipped_semantic_file_is_what_training_builds_now(encoder: Embedder) -> None:
    pytest.importorskip("sklearn")
    scorer = load_scorer(SEMANTIC_FILE)
    assert scorer is not None and scorer.embedder == encoder.name and scorer.version.startswith(VERSION)
    assert scorer_for(encoder) is scorer
    rows = _rows()
    texts = [r["text"] for r in rows]
    embed = embedding_of(encoder)
    vectorizer, models = _fit(texts, np.array([[rule in r["labels"] for rule in RULES] for r in rows]), embed=embed)
    for rule, model in zip(RULES, models, strict=True):
        for text in [*PARAPHRASES.values(), *HARD_NEGATIVES[:3], texts[7], texts[-1]]:
            features = vectorizer.transform([text]).toarray()[0]
            expected = float(model.predict_proba(np.concatenate([features, ALPHA * embed(text)])[None, :])[0, 1])
            got = scorer.score(text, rule, embedding=encoder.embed_query(text)).probability
            assert got == pytest.approx(expected, abs=2e-3), (rule, text)


@pytest.mark.parametrize("rule", list(PARAPHRASES))
def test_each_semantic_backstop_flags_a_paraphrase_its_patterns_miss(rule: str, encoder: Embedder) -> None:
    hits = [h for h in check_reply(PARAPHRASES[rule], ReplyContext(), load_policy(), encoder=encoder) if h.rule_id == BACKSTOPS[rule]]
    assert len(hits) == 1 and "-e5" in hits[0].detail


def test_hard_negatives_pass_the_semantic_backstops(encoder: Embedder) -> None:
    policy = load_policy()
    assert {text: check_reply(text, ReplyContext(), policy, encoder=encoder) for text in HARD_NEGATIVES} == {t: [] for t in HARD_NEGATIVES}


def test_the_shipped_semantic_recommendation_file_is_what_training_builds_now(encoder: Embedder) -> None:
    pytest.importorskip("sklearn")
    from evals.train_recommendation_scorer import _cases, _fit, examples
    from guardrails.recommendation import PRODUCT
    from guardrails.recommendation_scorer import SEMANTIC_FILE as RECOMMENDATION_FILE
    from guardrails.recommendation_scorer import load_recommendation_scorer, recommendation_scorer_for

    scorer = load_recommendation_scorer(RECOMMENDATION_FILE)
    assert scorer is not None and scorer.embedder == encoder.name and recommendation_scorer_for(encoder) is scorer
    rows, _ = examples(_cases())
    embed = embedding_of(encoder)
    vectorizer, model = _fit([e.text for e in rows], np.array([e.recommended for e in rows]), embed)
    for text in [rows[0].text, rows[-1].text, f"{PRODUCT}这个位置我会选它。", f"{PRODUCT}的管理费是1.2%。"]:
        features = np.concatenate([vectorizer.transform([text]).toarray()[0], ALPHA * embed(text)])
        expected = float(model.predict_proba(features[None, :])[0, 1])
        assert scorer.score(text, encoder).probability == pytest.approx(expected, abs=2e-3), text


@pytest.mark.parametrize("text", MISSED_BY_CUES)
def test_the_semantic_recommendation_backstop_catches_what_the_cues_miss(text: str, encoder: Embedder) -> None:
    hits = [h for h in check_reply(text, CTX, load_policy(), encoder=encoder) if h.rule_id == "suitability.above_class"]
    assert len(hits) == 1 and "-e5" in hits[0].detail and hits[0].severity == "block"


@pytest.mark.parametrize("text", RECOMMENDATION_NEGATIVES)
def test_facts_and_declines_pass_the_semantic_recommendation_backstop(text: str, encoder: Embedder) -> None:
    assert [h for h in check_reply(text, CTX, load_policy(), encoder=encoder) if h.rule_id == "suitability.above_class"] == []
