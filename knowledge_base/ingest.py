"""Ingest documents into the vector store: parse, chunk, embed only what is new, drop the stale."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from pydantic import BaseModel, Field

from guardrails.injection import scan_passage
from knowledge_base.chunking import chunk_id, chunk_markdown
from knowledge_base.documents import KbDocument, discover, load_document
from knowledge_base.errors import DocumentError
from retrieval.embeddings import Embedder
from retrieval.models import Chunk
from retrieval.store import VectorStore

ProgressFn = Callable[[int, int], None]
EMBED_BATCH = 32


class FileFailure(BaseModel):
    path: str
    reason: str


class IngestReport(BaseModel):
    """What one ingestion run did, for the CLI and the benchmarks."""

    files: int = 0
    documents: int = 0
    chunks: int = 0
    embedded: int = 0
    removed: int = 0
    failures: list[FileFailure] = Field(default_factory=list)
    seconds: float = 0.0

    @property
    def chunks_per_second(self) -> float:
        return self.embedded / self.seconds if self.seconds and self.embedded else 0.0


def chunk_document(doc: KbDocument) -> list[Chunk]:
    """The chunks of one document, with stable ids and the document's metadata; a PDF is
    chunked page by page so that every chunk knows its page."""
    meta = doc.chunk_meta()
    pages: list[tuple[int | None, str]] = list(doc.pages) if doc.pages else [(None, doc.body)]
    chunks: list[Chunk] = []
    for page, text in pages:
        for raw in chunk_markdown(text):
            ordinal = len(chunks)
            chunks.append(
                Chunk(
                    chunk_id=chunk_id(doc.id, ordinal, raw.text),
                    text=raw.text,
                    # The document's own H1 repeats its title, which every citation already shows.
                    heading_path=[h for h in raw.heading_path if h != doc.title],
                    ordinal=ordinal,
                    page=page,
                    # Documents are data: instructions aimed at the assistant are flagged here
                    # and neutralised when the passage goes into a prompt.
                    injection_rules=sorted({f.rule_id for f in scan_passage(raw.text)}),
                    meta=meta,
                )
            )
    return chunks


def load_all(path: Path, report: IngestReport) -> list[KbDocument]:
    """Every parseable document under ``path``; failures are recorded, the batch goes on."""
    docs: dict[str, KbDocument] = {}
    files = discover(path)
    report.files = len(files)
    for file in files:
        try:
            doc = load_document(file)
        except DocumentError as exc:
            report.failures.append(FileFailure(path=str(file), reason=str(exc)))
            continue
        if doc.id in docs:
            report.failures.append(FileFailure(path=str(file), reason=f"duplicate document id {doc.id!r} (also {docs[doc.id].source})"))
            continue
        docs[doc.id] = doc
    report.documents = len(docs)
    return list(docs.values())


def doc_id_of(chunk_id: str) -> str:
    return chunk_id.rsplit("#", 1)[0]


def remove_documents(store: VectorStore, doc_ids: set[str]) -> int:
    """Delete every chunk of these documents; returns how many went."""
    stale = [i for i in store.ids() if doc_id_of(i) in doc_ids]
    store.delete(stale)
    return len(stale)


def ingest(path: Path, embedder: Embedder, store: VectorStore, progress: ProgressFn | None = None, *, sync: bool = False) -> IngestReport:
    """Bring the store in line with the documents under ``path``.

    Unchanged chunks keep their ids and vectors (no embedding work); a changed document's old
    chunks are deleted after its new ones are written. With ``sync`` the index afterwards holds
    exactly the documents under ``path``: documents no longer there are removed.
    """
    started = time.perf_counter()
    report = IngestReport()
    docs = load_all(path, report)
    chunks = [c for doc in docs for c in chunk_document(doc)]
    report.chunks = len(chunks)
    existing = store.ids()
    fresh = [c for c in chunks if c.chunk_id not in existing]
    for start in range(0, len(fresh), EMBED_BATCH):
        batch = fresh[start : start + EMBED_BATCH]
        store.upsert(batch, embedder.embed_passages([c.embedding_text() for c in batch]))
        report.embedded += len(batch)
        if progress:
            progress(report.embedded, len(fresh))
    wanted = {c.chunk_id for c in chunks}
    ingested = {doc.id for doc in docs}
    stale = [i for i in existing if i not in wanted and (doc_id_of(i) in ingested or sync)]
    if sync and report.failures:
        # A file that failed to parse keeps its old chunks rather than vanishing from the index.
        stale = [i for i in stale if doc_id_of(i) in ingested]
    store.delete(stale)
    report.removed = len(stale)
    report.seconds = time.perf_counter() - started
    return report
