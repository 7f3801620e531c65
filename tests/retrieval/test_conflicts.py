from datetime import date

from knowledge_base.documents import load_document
from knowledge_base.ingest import chunk_document
from retrieval.conflicts import conflict_notes, fee_figures, find_conflicts
from retrieval.models import Chunk, ChunkMeta
from tests.conftest import REPO

SAMPLES = REPO / "knowledge_base" / "samples"


def sample_chunks(*doc_ids: str) -> list[Chunk]:
    return [c for d in doc_ids for c in chunk_document(load_document(SAMPLES / f"{d}.md"))]


def report(doc_id: str, publisher: str, day: date, rating: str, target: float) -> Chunk:
    meta = ChunkMeta(
        doc_id=doc_id,
        title=doc_id,
        doc_type="research_report",
        publisher=publisher,
        published=day,
        securities=["600519"],
        rating=rating,
        target_price=target,
    )
    return Chunk(chunk_id=f"{doc_id}#000", text="x", ordinal=0, meta=meta)


def test_the_planted_research_and_fee_conflicts_are_found() -> None:
    found = find_conflicts(
        sample_chunks("research-600519-20261027", "research-600519-20261029", "product-011230", "announcement-011230-fee-cut")
    )
    kinds = {(c.kind, c.subject) for c in found}
    assert {("rating", "600519"), ("target_price", "600519"), ("fee", "011230")} <= kinds


def test_a_house_updating_its_own_view_is_not_a_conflict() -> None:
    chunks = [
        report("a", "示例证券研究所", date(2026, 8, 5), "增持", 1700),
        report("b", "示例证券研究所", date(2026, 10, 27), "买入", 1950),
    ]
    assert find_conflicts(chunks) == []


def test_reports_far_apart_are_not_a_conflict() -> None:
    chunks = [report("a", "甲研究所", date(2026, 1, 5), "增持", 1700), report("b", "乙研究所", date(2026, 10, 27), "买入", 1950)]
    assert find_conflicts(chunks) == []


def test_superseded_policy_is_reported() -> None:
    found = find_conflicts(sample_chunks("policy-suitability-2024", "policy-suitability-2026"))
    assert [(c.kind, c.doc_ids) for c in found] == [("superseded", ("policy-suitability-2024", "policy-suitability-2026"))]


def test_fee_figures_take_the_new_rate_of_an_announced_change() -> None:
    assert fee_figures("本基金管理费率由1.20%调低至0.80%。") == {"管理费": 0.80}
    assert fee_figures("管理费率：1.20%/年；托管费率：0.20%/年") == {"管理费": 1.20, "托管费": 0.20}


def test_notes_name_both_sides_for_the_documents_in_a_turn() -> None:
    found = find_conflicts(sample_chunks("research-600519-20261027", "research-600519-20261029"))
    notes = conflict_notes(["research-600519-20261027"], found)
    assert notes and all("不一致" in n for n in notes)
    assert any("买入" in n and "中性" in n for n in notes)
    assert conflict_notes(["product-000901"], found) == []
