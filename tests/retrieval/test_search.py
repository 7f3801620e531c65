from pathlib import Path

import pytest

from knowledge_base.ingest import ingest
from retrieval.embeddings import HashingEmbedder
from retrieval.search import Retriever, SearchFilter
from retrieval.store import ChromaStore, InMemoryStore, VectorStore

TEMPLATE = """---
id: {id}
title: {title}
type: research_report
publisher: 示例证券研究所
date: 2026-10-01
audience: {audience}
{extra}
---
# {title}

## 要点

{body}
"""


def write(folder: Path, doc_id: str, title: str, body: str, audience: str = "public", extra: str = "") -> None:
    text = TEMPLATE.format(id=doc_id, title=title, body=body, audience=audience, extra=extra)
    (folder / f"{doc_id}.md").write_text(text, encoding="utf-8")


@pytest.fixture(params=["memory", "chroma"])
def retriever(request: pytest.FixtureRequest, tmp_path: Path) -> Retriever:
    docs = tmp_path / "docs"
    docs.mkdir()
    write(docs, "pub", "白酒行业公开点评", "贵州茅台维持买入评级，目标价1950元。")
    write(docs, "int", "白酒行业内部研究", "贵州茅台内部观点：目标价2100元。", audience="internal")
    write(docs, "old", "白酒行业旧版点评", "贵州茅台旧观点：目标价1500元。", extra="superseded_by: pub")
    write(docs, "bank", "银行业点评", "招商银行息差企稳，维持增持。")
    store: VectorStore = InMemoryStore() if request.param == "memory" else ChromaStore.persistent(tmp_path / "c", "test")
    embedder = HashingEmbedder()
    ingest(docs, embedder, store)
    return Retriever(embedder, store)


def doc_ids(hits: list) -> set[str]:  # type: ignore[type-arg]
    return {h.chunk.meta.doc_id for h in hits}


def test_a_client_search_never_returns_internal_documents(retriever: Retriever) -> None:
    hits = retriever.search("贵州茅台目标价", 10, SearchFilter(audiences=["public"]))
    assert "int" not in doc_ids(hits) and "pub" in doc_ids(hits)


def test_an_advisor_search_includes_internal_research(retriever: Retriever) -> None:
    hits = retriever.search("贵州茅台目标价", 10, SearchFilter(audiences=["public", "internal"]))
    assert {"int", "pub"} <= doc_ids(hits)


def test_superseded_documents_are_left_out_unless_asked_for(retriever: Retriever) -> None:
    assert "old" not in doc_ids(retriever.search("贵州茅台目标价", 10))
    assert "old" in doc_ids(retriever.search("贵州茅台目标价", 10, SearchFilter(include_superseded=True)))


def test_doc_id_filter_limits_the_search(retriever: Retriever) -> None:
    assert doc_ids(retriever.search("目标价", 10, SearchFilter(doc_ids=["bank"]))) == {"bank"}


def test_chroma_returns_every_chunk_past_one_page(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from datetime import date

    import numpy as np

    from retrieval import store as store_module
    from retrieval.models import Chunk, ChunkMeta

    store = ChromaStore.persistent(tmp_path / "paged", "paged")
    meta = ChunkMeta(doc_id="d", title="t", doc_type="faq", publisher="p", published=date(2026, 1, 1))
    chunks = [Chunk(chunk_id=f"d#{i:05d}", text=f"文本{i}", ordinal=i, meta=meta) for i in range(23)]
    store.upsert(chunks, np.eye(23, 8, dtype=np.float32) + 0.01)
    monkeypatch.setattr(store_module, "GET_PAGE", 5)  # five pages, the last one short
    assert len(store.ids()) == 23 and len(store.all_chunks()) == 23


def test_a_filter_naming_documents_searches_them_exactly(tmp_path: Path) -> None:
    from datetime import date

    import numpy as np

    from retrieval.models import Chunk, ChunkMeta

    store = ChromaStore.persistent(tmp_path / "exact", "exact")
    chunks, vectors = [], []
    for i in range(30):
        meta = ChunkMeta(doc_id=f"d{i}", title="t", doc_type="faq", publisher="p", published=date(2026, 1, 1))
        chunks.append(Chunk(chunk_id=f"d{i}#000", text=f"文本{i}", ordinal=0, meta=meta))
        vectors.append(np.array([1.0, i / 30], dtype=np.float32) / np.linalg.norm([1.0, i / 30]))
    store.upsert(chunks, np.stack(vectors))
    found = store.query(np.array([1.0, 0.0], dtype=np.float32), 1, where={"doc_id": {"$in": ["d29"]}})
    assert [c.meta.doc_id for c, _ in found] == ["d29"]
    assert [c.meta.doc_id for c, _ in store.query(np.array([1.0, 0.0], dtype=np.float32), 2)] == ["d0", "d1"]
