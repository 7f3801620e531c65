"""Retrieval evaluation: build a temporary, isolated index from a corpus and score each system.

Formats (DESIGN.md): the corpus is a folder of the project's Markdown documents or a JSONL file of
``{"id", "text", "title"?, "metadata"?}``; queries are JSONL of ``{"id", "question", "gold_ids",
"answer"?, "no_answer"?}`` (plus this project's optional ``kind`` and ``audience``). A gold id
matches a hit when the hit's chunk comes from the document or passage with that id.
"""

from __future__ import annotations

import datetime as dt
import json
import tempfile
import time
from collections.abc import Callable, Mapping
from pathlib import Path

from pydantic import BaseModel, Field

from evals import metrics
from knowledge_base.documents import KbDocument
from knowledge_base.ingest import IngestReport, chunk_document, load_all
from retrieval.embeddings import Embedder
from retrieval.keyword import KeywordIndex
from retrieval.models import Audience
from retrieval.search import Retriever, SearchFilter
from retrieval.store import ChromaStore

K = 10


class EvalQuery(BaseModel):
    id: str
    question: str
    gold_ids: list[str] = Field(default_factory=list)
    answer: str = ""
    no_answer: bool = False
    kind: str | None = None
    audience: Audience = "public"


class Ranking(BaseModel):
    """What one system returned for one query."""

    doc_ids: list[str]
    declined: bool | None = Field(default=None, description="the system said the corpus has no answer; None: it cannot say")
    latency_ms: float


class SystemRun(BaseModel):
    rankings: list[Ranking]
    chunks: int
    chunks_per_s: float


Search = Callable[[EvalQuery], Ranking]


def load_queries(path: Path) -> list[EvalQuery]:
    return [EvalQuery.model_validate_json(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _jsonl_document(line: str) -> KbDocument:
    item = json.loads(line)
    meta = item.get("metadata") or {}
    return KbDocument(
        id=str(item["id"]),
        title=item.get("title") or meta.get("title") or str(item["id"]),
        type=meta.get("type", "education"),
        publisher=meta.get("publisher", "unknown"),
        date=meta.get("date", dt.date(1970, 1, 1)),
        audience=meta.get("audience", "public"),
        language=meta.get("language", "zh"),
        body=item["text"],
        source=f"jsonl:{item['id']}",
    )


def load_corpus(path: Path) -> list[KbDocument]:
    """A folder of Markdown documents, or a JSONL corpus file."""
    if path.suffix == ".jsonl":
        return [_jsonl_document(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    report = IngestReport()
    docs = load_all(path, report)
    if report.failures:
        raise ValueError(f"corpus has unreadable files: {[f.path for f in report.failures]}")
    return docs


def _timed(fn: Callable[[], tuple[list[str], bool | None]]) -> Ranking:
    started = time.perf_counter()
    doc_ids, declined = fn()
    return Ranking(doc_ids=doc_ids, declined=declined, latency_ms=(time.perf_counter() - started) * 1000)


def _audiences(query: EvalQuery) -> list[Audience]:
    return ["public", "internal"] if query.audience == "internal" else ["public"]


def build_index(docs: list[KbDocument], embedder: Embedder, folder: Path) -> tuple[ChromaStore, float, int]:
    """Our chunks embedded into a fresh Chroma collection; returns the store, chunks/s, count."""
    chunks = [c for d in docs for c in chunk_document(d)]
    store = ChromaStore.persistent(folder, "eval")
    started = time.perf_counter()
    for start in range(0, len(chunks), 64):
        batch = chunks[start : start + 64]
        store.upsert(batch, embedder.embed_passages([c.embedding_text() for c in batch]))
    rate = len(chunks) / (time.perf_counter() - started) if chunks else 0.0
    return store, rate, len(chunks)


def run_ours(
    docs: list[KbDocument],
    queries: list[EvalQuery],
    embedder: Embedder,
    folder: Path,
    min_similarity: float,
    aliases: Mapping[str, str] | None = None,
) -> dict[str, SystemRun]:
    """Hybrid (ours), and its two halves alone on the same index: dense and BM25. ``aliases``:
    the corpus's catalog names (``retrieval.aliases``) for the entity lane, when it has one."""
    store, rate, n = build_index(docs, embedder, folder)
    retriever = Retriever(embedder, store, aliases=aliases)
    keyword = KeywordIndex(store.all_chunks())

    def hybrid(q: EvalQuery) -> tuple[list[str], bool | None]:
        hits = retriever.search(q.question, K, SearchFilter(audiences=_audiences(q)))
        answerable, _ = retriever.answerable(q.question, hits, min_similarity)
        return [h.chunk.meta.doc_id for h in hits], not answerable

    def dense(q: EvalQuery) -> tuple[list[str], bool | None]:
        found = store.query(embedder.embed_query(q.question), K, where=SearchFilter(audiences=_audiences(q)).where())
        return [c.meta.doc_id for c, _ in found], bool(found) and (1.0 - found[0][1]) < min_similarity

    def bm25(q: EvalQuery) -> tuple[list[str], bool | None]:
        filt = SearchFilter(audiences=_audiences(q))
        found = [
            c for c, _ in keyword.search(q.question, K * 3) if filt.admits(c.meta.audience, c.meta.doc_id, c.meta.superseded_by is None)
        ]
        return [c.meta.doc_id for c in found[:K]], None

    runs = {}
    for name, fn in (("ours", hybrid), ("dense", dense), ("bm25", bm25)):
        retriever.search("预热", 1)  # load jieba and the keyword index outside the timings
        runs[name] = SystemRun(rankings=[_timed(lambda q=q, fn=fn: fn(q)) for q in queries], chunks=n, chunks_per_s=rate)  # type: ignore[misc]
    return runs


def score(run: SystemRun, queries: list[EvalQuery]) -> dict[str, float | int | None]:
    """The metrics of one system; no-answer figures only for a system that can decline."""
    answerable = [(q, r) for q, r in zip(queries, run.rankings, strict=True) if not q.no_answer]
    gated = all(r.declined is not None for r in run.rankings)
    flags = [bool(r.declined) for r in run.rankings]
    n = max(len(answerable), 1)
    return {
        "recall@5": sum(metrics.hit_at(r.doc_ids, set(q.gold_ids), 5) for q, r in answerable) / n,
        "gold_recall@5": sum(metrics.recall_at(r.doc_ids, set(q.gold_ids), 5) for q, r in answerable) / n,
        "mrr@10": sum(metrics.reciprocal_rank(r.doc_ids, set(q.gold_ids), 10) for q, r in answerable) / n,
        "ndcg@10": sum(metrics.ndcg_at(r.doc_ids, set(q.gold_ids), 10) for q, r in answerable) / n,
        "no_answer_precision": metrics.no_answer_precision(flags, [q.no_answer for q in queries]) if gated else None,
        "no_answer_recall": metrics.no_answer_recall(flags, [q.no_answer for q in queries]) if gated else None,
        "false_decline_rate": sum(f for q, f in zip(queries, flags, strict=True) if not q.no_answer) / n if gated else None,
        "p50_ms": metrics.percentile([r.latency_ms for r in run.rankings], 50),
        "p95_ms": metrics.percentile([r.latency_ms for r in run.rankings], 95),
        "chunks_per_s": run.chunks_per_s,
        "chunks": run.chunks,
        "queries": len(queries),
    }


def evaluate(
    corpus: Path, queries_path: Path, embedder: Embedder, min_similarity: float, aliases: Mapping[str, str] | None = None
) -> dict[str, dict[str, float | int | None]]:
    docs = load_corpus(corpus)
    queries = load_queries(queries_path)
    with tempfile.TemporaryDirectory(prefix="advisor-eval-") as tmp:
        runs = run_ours(docs, queries, embedder, Path(tmp) / "chroma", min_similarity, aliases)
    return {name: score(run, queries) for name, run in runs.items()}
