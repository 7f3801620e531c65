from datetime import date

from retrieval.citations import attribute_research, check_citations, numbers_in, support
from retrieval.models import Chunk, ChunkMeta, Hit

FEES = "瑞和价值成长混合A的管理费率为1.20%/年，托管费率为0.20%/年；持有7天以内赎回费率1.50%。"
RISK = "本基金风险等级为R3（中风险），最大回撤22.31%。"


def hit(cid: str, text: str) -> Hit:
    meta = ChunkMeta(doc_id=cid, title=cid, doc_type="product_sheet", publisher="p", published=date(2026, 6, 30))
    return Hit(chunk=Chunk(chunk_id=f"{cid}#000", text=text, ordinal=0, meta=meta), score=1.0)


def test_numbers_are_normalised() -> None:
    assert numbers_in("目标价1,950元，费率1.20%") == {"1950", "1.2"}
    assert numbers_in("１２３") == {"123"}


def test_a_sentence_with_a_wrong_number_is_poorly_supported() -> None:
    assert support("管理费率为1.20%", FEES) > support("管理费率为1.50%以上", RISK)
    assert support("管理费率为1.20%。", FEES) >= 0.75
    assert support("管理费率为0.80%。", FEES) < 0.75


def test_only_supporting_chunks_are_cited() -> None:
    cited, dropped, report = check_citations(
        "该基金管理费率为1.20%/年。最大回撤为22.31%。", [hit("fees", FEES), hit("risk", RISK), hit("other", "定投可以摊薄成本。")]
    )
    assert [h.chunk.meta.doc_id for h in cited] == ["fees", "risk"]
    assert [h.chunk.meta.doc_id for h in dropped] == ["other"]
    assert [r.chunk_id for r in report] == ["fees#000", "risk#000"]


def test_a_sentence_resting_on_a_research_report_names_its_publisher_and_date() -> None:
    meta = ChunkMeta(doc_id="r", title="宁德时代深度", doc_type="research_report", publisher="华泰证券", published=date(2026, 10, 12))
    report = Hit(chunk=Chunk(chunk_id="r#000", text="维持宁德时代买入评级，目标价320元。", ordinal=0, meta=meta), score=1.0)
    answer, attributed = attribute_research("研报维持宁德时代买入评级，目标价320元。定投可以摊薄成本。", [report, hit("fees", FEES)])
    assert answer == "研报维持宁德时代买入评级，目标价320元（华泰证券，2026-10-12）。定投可以摊薄成本。"
    assert attributed == ["r#000"]
    again, attributed_again = attribute_research(answer, [report])
    assert again == answer and attributed_again == []
