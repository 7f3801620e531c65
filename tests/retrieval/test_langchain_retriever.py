from pathlib import Path

from knowledge_base.ingest import ingest
from retrieval.embeddings import HashingEmbedder
from retrieval.langchain_retriever import AdvisorRetriever, EmbedderAsLangChain
from retrieval.search import Retriever, SearchFilter
from retrieval.store import ChromaStore
from tests.conftest import REPO


def test_invoke_returns_documents_with_citations(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    for name in ("product-000901", "research-600519-20261027"):
        (docs / f"{name}.md").write_text((REPO / "knowledge_base" / "samples" / f"{name}.md").read_text(encoding="utf-8"), encoding="utf-8")
    embedder = HashingEmbedder()
    store = ChromaStore.persistent(tmp_path / "chroma", "langchain")
    ingest(docs, embedder, store)
    retriever = AdvisorRetriever(retriever=Retriever(embedder, store), k=3, search_filter=SearchFilter())
    found = retriever.invoke("茅台的目标价")
    assert 0 < len(found) <= 3
    assert found[0].metadata["doc_id"] == "research-600519-20261027"
    for doc in found:
        assert {"chunk_id", "title", "publisher", "date", "section"} <= set(doc.metadata) and doc.page_content


def test_embedder_adapter_keeps_dimensions() -> None:
    adapter = EmbedderAsLangChain(HashingEmbedder(dim=16))
    assert len(adapter.embed_query("基金")) == 16
    assert [len(v) for v in adapter.embed_documents(["a", "b"])] == [16, 16]
