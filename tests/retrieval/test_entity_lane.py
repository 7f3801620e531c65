"""The entity lane: a question naming a product or security (by code or by a catalog alias)
reaches the documents whose metadata cover it, even when their text shares few of its words."""

from pathlib import Path

from knowledge_base.ingest import ingest
from retrieval.aliases import alias_map, codes_named, load_alias_file
from retrieval.embeddings import HashingEmbedder
from retrieval.search import Retriever, SearchFilter
from retrieval.store import InMemoryStore
from tests.retrieval.sheets import SHEET

REPO = Path(__file__).resolve().parents[2]


def build(tmp_path: Path, aliases: dict[str, str] | None) -> Retriever:
    docs = tmp_path / "docs"
    docs.mkdir()
    # Many sheets that say "近三年收益率" and one that covers 005918 but words it differently.
    for i in range(8):
        body = f"本基金近三年收益率为{10 + i}.0%，近三年年化波动率{15 + i}.0%。"
        text = SHEET.format(id=f"other-{i}", title=f"示例股票{i}号", code=f"90000{i}", body=body)
        (docs / f"other-{i}.md").write_text(text, encoding="utf-8")
    body = "过去三个完整年度累计回报12.5%。"
    (docs / "target.md").write_text(SHEET.format(id="target", title="安泰消费精选", code="005918", body=body), encoding="utf-8")
    store = InMemoryStore()
    embedder = HashingEmbedder()
    ingest(docs, embedder, store)
    return Retriever(embedder, store, aliases=aliases)


def test_a_code_reaches_the_document_whose_metadata_covers_it(tmp_path: Path) -> None:
    hits = build(tmp_path, None).search("005918近三年收益率", 3, SearchFilter())
    assert "target" in {h.chunk.meta.doc_id for h in hits}


def test_an_alias_reaches_it_too_and_an_unknown_name_changes_nothing(tmp_path: Path) -> None:
    retriever = build(tmp_path, {"消费精选": "005918", "小消费": "005918"})
    assert "target" in {h.chunk.meta.doc_id for h in retriever.search("小消费近三年收益率", 3, SearchFilter())}
    assert retriever.search("示例股票3号近三年收益率", 1, SearchFilter())[0].chunk.meta.doc_id == "other-3"


def test_alias_map_and_matching() -> None:
    aliases = alias_map([{"code": "300750", "name": "宁德时代", "short_name": None, "aliases": ["宁王", "CATL", "宁"]}])
    assert aliases == {"宁德时代": "300750", "宁王": "300750", "catl": "300750"}  # one-character names are too ambiguous
    assert codes_named("宁王研报目标价", aliases) == ["300750"]
    assert codes_named("catl target price", aliases) == ["300750"]
    assert codes_named("白酒行业怎么看", aliases) == []


def test_the_sample_catalog_loads() -> None:
    aliases = load_alias_file(REPO / "records" / "sample_data" / "products.json")
    assert aliases["宁王"] == "300750" and aliases["茅台"] == "600519"
