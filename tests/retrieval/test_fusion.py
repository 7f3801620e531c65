from datetime import date

from retrieval.fusion import reciprocal_rank_fusion
from retrieval.models import Chunk, ChunkMeta


def chunk(cid: str) -> Chunk:
    meta = ChunkMeta(doc_id=cid.split("#")[0], title="t", doc_type="faq", publisher="p", published=date(2026, 1, 1))
    return Chunk(chunk_id=cid, text=cid, ordinal=0, meta=meta)


def test_a_chunk_ranked_by_both_lists_wins() -> None:
    a, b, c = chunk("a#0"), chunk("b#0"), chunk("c#0")
    fused = reciprocal_rank_fusion([a, b], [c, b])
    assert fused[0].chunk.chunk_id == "b#0"
    assert fused[0].dense_rank == 2 and fused[0].keyword_rank == 2
    assert {h.chunk.chunk_id for h in fused} == {"a#0", "b#0", "c#0"}


def test_ties_break_by_id_for_stable_results() -> None:
    a, b = chunk("a#0"), chunk("b#0")
    assert [h.chunk.chunk_id for h in reciprocal_rank_fusion([a], [b])] == ["a#0", "b#0"]


def test_near_duplicates_collapse_to_the_better_hit() -> None:
    from retrieval.fusion import collapse_near_duplicates
    from retrieval.models import Hit

    text = "货币基金净值固定为1元，收益每日结转，日常波动极小，风险等级通常为R1。"
    a = chunk("a#0").model_copy(update={"text": text})
    b = chunk("b#0").model_copy(update={"text": text + " "})
    c = chunk("c#0").model_copy(update={"text": "混合基金波动较大。"})
    hits = [Hit(chunk=x, score=1.0 - i / 10) for i, x in enumerate((a, b, c))]
    assert [h.chunk.chunk_id for h in collapse_near_duplicates(hits)] == ["a#0", "c#0"]
