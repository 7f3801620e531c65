from datetime import date

import numpy as np
import pytest

from retrieval.keyword import KeywordIndex, tokenize
from retrieval.models import Chunk, ChunkMeta

TEXTS = [
    "贵州茅台维持买入评级，目标价1950元。",
    "招商银行息差企稳，维持增持评级。",
    "货币基金风险较低，流动性好，但并非保本。",
    "混合基金波动较大，最大回撤可能超过20%。",
    "定投可以摊薄成本，适合长期投资。",
    "茅台批价回落，短期承压。",
]


def chunks() -> list[Chunk]:
    meta = ChunkMeta(doc_id="d", title="t", doc_type="faq", publisher="p", published=date(2026, 1, 1))
    return [Chunk(chunk_id=f"d#{i:03d}", text=t, ordinal=i, meta=meta.model_copy(update={"doc_id": f"d{i}"})) for i, t in enumerate(TEXTS)]


@pytest.mark.parametrize("query", ["茅台目标价", "货币基金风险", "基金 基金 回撤", "银行评级"])
def test_scores_equal_rank_bm25(query: str) -> None:
    rank_bm25 = pytest.importorskip("rank_bm25")
    index = KeywordIndex(chunks())
    reference = rank_bm25.BM25Okapi([tokenize(c.embedding_text()) for c in chunks()])
    expected = reference.get_scores(tokenize(query))
    assert np.allclose(index.scores(query), expected)


def test_search_returns_positive_scores_best_first() -> None:
    hits = KeywordIndex(chunks()).search("茅台目标价", 10)
    assert [c.meta.doc_id for c, _ in hits][:1] == ["d0"]
    assert all(score > 0 for _, score in hits) and {c.meta.doc_id for c, _ in hits} <= {"d0", "d5"}


def test_unknown_terms_and_allowed_ids() -> None:
    index = KeywordIndex(chunks())
    assert index.search("比特币", 5) == []
    assert [c.chunk_id for c, _ in index.search("茅台", 5, allowed={"d#005"})] == ["d#005"]
    assert "茅台" in index.vocabulary


def test_codes_are_whole_tokens_and_documents_answer_to_their_products() -> None:
    assert "006282" in tokenize("006282申购不到100万费率多少")
    meta = ChunkMeta(doc_id="p", title="产品概要", doc_type="product_sheet", publisher="p", published=date(2026, 1, 1), products=["006282"])
    index = KeywordIndex([*chunks(), Chunk(chunk_id="p#000", text="申购费率见下表。", ordinal=0, meta=meta)])
    assert index.search("006282费率", 1)[0][0].chunk_id == "p#000"


def test_query_language() -> None:
    from retrieval.search import query_language

    assert query_language("Who manages Ruihe New Energy fund now?") == "en"
    assert query_language("ETF一篮子股票申赎机制起什么作用？") == "zh"
