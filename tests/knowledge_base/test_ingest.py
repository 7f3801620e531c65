from pathlib import Path

import pytest

from knowledge_base.ingest import ingest
from retrieval.embeddings import HashingEmbedder
from retrieval.store import ChromaStore, InMemoryStore, VectorStore

DOC = """---
id: {id}
title: {title}
type: education
publisher: 示例证券
date: 2026-05-01
---
# {title}

## 第一节

{body}

## 第二节

定投是分批买入的方法，可以摊薄成本。
"""


def write(folder: Path, doc_id: str, body: str) -> None:
    (folder / f"{doc_id}.md").write_text(DOC.format(id=doc_id, title=f"文档{doc_id}", body=body), encoding="utf-8")


@pytest.fixture(params=["memory", "chroma"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> VectorStore:
    if request.param == "memory":
        return InMemoryStore()
    return ChromaStore.persistent(tmp_path / "chroma", "test")


def test_reingesting_unchanged_documents_embeds_nothing(tmp_path: Path, store: VectorStore) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    write(docs, "a", "货币基金风险较低。")
    write(docs, "b", "混合基金波动较大。")
    first = ingest(docs, HashingEmbedder(), store)
    assert first.embedded == first.chunks == store.count() > 0
    again = ingest(docs, HashingEmbedder(), store)
    assert again.embedded == 0 and again.removed == 0 and store.count() == first.chunks


def test_a_changed_document_replaces_exactly_its_chunks(tmp_path: Path, store: VectorStore) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    write(docs, "a", "货币基金风险较低。")
    write(docs, "b", "混合基金波动较大。")
    ingest(docs, HashingEmbedder(), store)
    before = store.ids()
    write(docs, "a", "货币基金风险较低，但并非保本。")
    report = ingest(docs, HashingEmbedder(), store)
    after = store.ids()
    assert report.embedded == 1 and report.removed == 1
    assert {i for i in before if i.startswith("b#")} == {i for i in after if i.startswith("b#")}
    texts = [c.text for c in store.all_chunks() if c.meta.doc_id == "a"]
    assert any("并非保本" in t for t in texts) and not any(t == "货币基金风险较低。" for t in texts)


def test_pdf_pages_reach_the_citations(tmp_path: Path) -> None:
    from fpdf import FPDF

    from retrieval.models import Citation

    docs = tmp_path / "docs"
    docs.mkdir()
    pdf = FPDF()
    for text in ("Fund overview. The management fee is 1.20% per year.", "Risk factors. The fund may lose money."):
        pdf.add_page()
        pdf.set_font("Helvetica", size=12)
        pdf.multi_cell(0, 10, text)
    pdf.output(str(docs / "report.pdf"))
    (docs / "report.pdf.meta.yaml").write_text(
        "id: report-1\ntitle: Fund report\ntype: product_sheet\npublisher: Example AM\ndate: 2026-06-30\n"
    )
    store = InMemoryStore()
    report = ingest(docs, HashingEmbedder(), store)
    assert report.failures == [] and report.documents == 1
    pages = {c.page: c.text for c in store.all_chunks()}
    assert set(pages) == {1, 2} and "1.20%" in pages[1] and "lose money" in pages[2]
    citation = Citation.from_chunk(next(c for c in store.all_chunks() if c.page == 2))
    assert citation.page == 2 and citation.publisher == "Example AM"


def test_a_file_without_a_date_is_reported_not_ingested(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "note.txt").write_text("一、说明\n这是一份没有日期的说明。", encoding="utf-8")
    report = ingest(docs, HashingEmbedder(), InMemoryStore())
    assert report.documents == 0 and "no publish date" in report.failures[0].reason
