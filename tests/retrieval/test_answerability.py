"""The "no answer in the knowledge base" gate: its features on a small corpus with the hashing
embedder, the decision with hand-set weights, the shipped weights, and (e2e) the real gate on the
sample corpus with the real embedder."""

from __future__ import annotations

from pathlib import Path

import pytest

from knowledge_base.ingest import ingest
from retrieval.answerability import (
    FEATURES,
    LEXICAL,
    GateModel,
    GateWeights,
    _covered,
    features,
    is_answerable,
    load_weights,
    query_similarity,
)
from retrieval.embeddings import HashingEmbedder
from retrieval.keyword import KeywordIndex
from retrieval.search import Retriever
from retrieval.store import InMemoryStore
from tests.retrieval.sheets import SHEET

REPO = Path(__file__).resolve().parents[2]
DOC = """---
id: {id}
title: {title}
type: product_sheet
publisher: 瑞和基金管理有限公司
date: 2026-06-30
audience: public
---
# {title}

## 费用

{body}
"""
DOCS = {
    "product-016801": (
        "瑞和价值成长混合A 产品概要",
        "瑞和价值成长混合A（016801）管理费率1.20%/年，托管费率0.20%/年，持有不足7日赎回费1.50%。",
    ),
    "edu-bond": ("债券基金入门", "债券基金主要投资国债和企业债。市场利率上行时，债券价格下跌，债基净值也会回撤。"),
    "faq-trading": ("股票交易入门", "A股实行T+1交易制度，当日买入的股票最早下一个交易日才能卖出。佣金为成交金额的0.025%。"),
}


@pytest.fixture(scope="module")
def retriever(tmp_path_factory: pytest.TempPathFactory) -> Retriever:
    folder = tmp_path_factory.mktemp("kb")
    for doc_id, (title, body) in DOCS.items():
        (folder / f"{doc_id}.md").write_text(DOC.format(id=doc_id, title=title, body=body), encoding="utf-8")
    embedder, store = HashingEmbedder(), InMemoryStore()
    ingest(folder, embedder, store)
    retriever = Retriever(embedder, store)
    retriever.refresh()
    return retriever


@pytest.fixture(scope="module")
def terms(retriever: Retriever) -> KeywordIndex:
    return retriever._keyword_index()


def gate_features(retriever: Retriever, terms: KeywordIndex, question: str) -> tuple[dict[str, float], list[str]]:
    return features(question, retriever.search(question, 5), terms)


def test_a_question_whose_words_the_top_passage_holds_is_fully_covered(retriever: Retriever, terms: KeywordIndex) -> None:
    values, missing = gate_features(retriever, terms, "瑞和价值成长混合A的管理费率")
    assert set(values) == set(FEATURES)
    assert values["covered"] == pytest.approx(1.0) and values["missing_nouns"] == 0.0 and missing == []
    assert values["english"] == 0.0 and values["unknown_code"] == 0.0


def test_a_noun_no_passage_mentions_is_missing_and_unseen(retriever: Retriever, terms: KeywordIndex) -> None:
    values, missing = gate_features(retriever, terms, "比特币的管理费率是多少")
    assert "比特" in missing and values["unseen_nouns"] >= 1.0  # jieba cuts 比特|币
    assert 0.0 < values["covered"] < 1.0 and values["missing_nouns"] > 0.9  # an unseen word weighs 1


def test_a_word_the_corpus_has_but_the_top_passages_lack_is_missing_not_unseen(retriever: Retriever, terms: KeywordIndex) -> None:
    # 债券 is in the corpus, but only in the bond primer; the top three passages for a question
    # about 016801's fee need not include it, and "黄金" is in no passage at all.
    values, missing = features("黄金ETF的管理费率", retriever.search("瑞和价值成长混合A管理费率", 1), terms)
    assert "黄金" in missing and "etf" in missing and values["unseen_nouns"] == 2.0


def test_a_compound_counts_as_covered_when_all_its_parts_are() -> None:
    assert _covered("房贷利率", "房贷……利率") and not _covered("房贷利率", "贷款利率")


def test_english_questions_are_flagged(retriever: Retriever, terms: KeywordIndex) -> None:
    values, _ = gate_features(retriever, terms, "What is the management fee of 016801?")
    assert values["english"] == 1.0 and values["unknown_code"] == 0.0


def test_a_hit_from_the_entity_lane_alone_still_gives_the_question_its_dense_similarity(tmp_path: Path) -> None:
    # 24 sheets that share the question's words push the one its alias names out of the dense and
    # the keyword lane's 20 candidates; only the entity lane (小消费 -> 005918) finds it.
    for i in range(24):
        body = f"本基金近三年收益率为{10 + i}.0%，近三年年化波动率{15 + i}.0%。"
        (tmp_path / f"other-{i}.md").write_text(
            SHEET.format(id=f"other-{i}", title=f"示例股票{i}号", code=f"9000{i:02d}", body=body), encoding="utf-8"
        )
    (tmp_path / "target.md").write_text(
        SHEET.format(id="target", title="安泰精选混合", code="005918", body="过去三个完整年度累计回报12.5%。"), encoding="utf-8"
    )
    embedder, store = HashingEmbedder(), InMemoryStore()
    ingest(tmp_path, embedder, store)
    retriever, terms = Retriever(embedder, store, aliases={"小消费": "005918"}), KeywordIndex(store.all_chunks())
    question = "小消费近三年收益率多少"
    hits = retriever.search(question, 30)
    target = next(h for h in hits if h.chunk.meta.doc_id == "target")
    assert target.similarity is None and target.dense_rank is None and target.keyword_rank is None
    best = 1.0 - store.query(embedder.embed_query(question), 1)[0][1]
    assert best > 0.0
    assert features(question, [target], terms)[0]["similarity"] == pytest.approx(best)  # was 0.0: no dense score of its own
    # the same however many hits the caller asks for and however fusion ranks them
    assert query_similarity(hits) == query_similarity(retriever.search(question, 1)) == pytest.approx(best)
    assert query_similarity([]) == 0.0


HAND_SET = GateWeights(
    version="test",
    models={
        LEXICAL: GateModel(
            features=["missing_nouns", "unseen_nouns"], mean=[0.0, 0.0], scale=[1.0, 1.0], coef=[3.0, 1.0], intercept=-2.0, threshold=0.5
        )
    },
)


def test_an_unknown_code_declines_whatever_the_model_says(retriever: Retriever, terms: KeywordIndex) -> None:
    hits = retriever.search("161725这只基金的管理费率", 5)
    assert is_answerable("161725这只基金的管理费率", hits, terms, weights=HAND_SET) == (False, ["161725"])


def test_the_model_declines_a_question_about_what_the_passages_do_not_name(retriever: Retriever, terms: KeywordIndex) -> None:
    ok, words = is_answerable("港股通开户要什么条件", retriever.search("港股通开户要什么条件", 5), terms, weights=HAND_SET)
    assert not ok and "港股" in "".join(words)
    assert is_answerable("016801赎回费是多少", retriever.search("016801赎回费是多少", 5), terms, weights=HAND_SET) == (True, [])


def test_the_probability_is_a_logistic_of_standardised_features() -> None:
    model = GateModel(features=["a", "b"], mean=[1.0, 0.0], scale=[2.0, 1.0], coef=[2.0, -1.0], intercept=0.5, threshold=0.5)
    assert model.probability({"a": 1.0, "b": 0.0}) == pytest.approx(0.6224593)  # 1 / (1 + e^-0.5)
    assert model.probability({"a": 1e9, "b": 0.0}) == pytest.approx(1.0)  # clamped, no overflow


def test_the_shipped_weights_have_a_model_per_embedder_and_a_lexical_fallback() -> None:
    weights = load_weights()
    assert weights.for_embedder("hashing-fake") is weights.models[LEXICAL]
    e5 = weights.for_embedder("multilingual-e5-small-int8")
    assert e5 is not weights.models[LEXICAL] and e5.features == list(FEATURES)
    assert "similarity" not in weights.models[LEXICAL].features
    for name, model in weights.models.items():
        assert 0.0 < model.threshold < 1.0, name
        assert len(model.features) == len(model.mean) == len(model.scale) == len(model.coef), name
    report = weights.training["multilingual-e5-small-int8"]
    assert isinstance(report, dict) and report["cv5"]["false_decline_rate"] <= weights.training["max_false_decline"]


@pytest.fixture(scope="module")
def sample_retriever() -> Retriever:
    from core.settings import Settings
    from retrieval.embeddings import embedder_for

    embedder, store = embedder_for(Settings(model_dir=REPO / "data" / "models")), InMemoryStore()
    ingest(REPO / "knowledge_base" / "samples", embedder, store)
    retriever = Retriever(embedder, store)
    retriever.refresh()
    return retriever


@pytest.mark.e2e
def test_the_real_gate_declines_an_uncovered_question_and_answers_a_covered_one(sample_retriever: Retriever) -> None:
    uncovered = "特斯拉Model Y的续航是多少公里"
    ok, words = sample_retriever.answerable(uncovered, sample_retriever.search(uncovered, 10), 0.88)
    assert not ok and words
    covered = "瑞和价值成长混合A的托管费率是多少"
    assert sample_retriever.answerable(covered, sample_retriever.search(covered, 10), 0.88) == (True, [])
