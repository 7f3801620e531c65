"""``advisor bench retrieval``: this project's retrieval beside a naive LangChain RAG and BM25
alone, on the same machine, data and embedder, plus query latency at 10k and 100k chunks.

The naive baseline is what a LangChain tutorial builds: RecursiveCharacterTextSplitter(500, 50)
over each document's text, Chroma similarity search, the same embedder (with e5's prefixes).
It returns 10 results so that MRR@10 and nDCG@10 are defined; recall@5 uses its top 5.

The scale runs use synthetic chunks (said so in the output): texts recombined from sentences of
the real corpus, and vectors that are the real chunk vectors plus noise, renormalised. Queries are
the evaluation questions, embedded for real on every call.
"""

from __future__ import annotations

import random
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from evals import metrics
from evals.retrieval import EvalQuery, Ranking, SystemRun, load_corpus, load_queries, run_ours, score
from knowledge_base.chunking import split_sentences
from knowledge_base.documents import KbDocument
from knowledge_base.ingest import chunk_document
from retrieval.embeddings import Embedder
from retrieval.langchain_retriever import EmbedderAsLangChain
from retrieval.models import Chunk
from retrieval.search import Retriever, SearchFilter
from retrieval.store import ChromaStore

SCALES = (10_000, 100_000)
SCALE_QUERIES = 60
INGEST_CHUNKS = 300
INGEST_CHARS = (180, 240)  # "chunks of about 200 characters", cut at sentence ends


def run_langchain_naive(docs: list[KbDocument], queries: list[EvalQuery], embedder: Embedder, folder: Path) -> SystemRun:
    from langchain_chroma import Chroma
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    splitter = RecursiveCharacterTextSplitter(chunk_size=500, chunk_overlap=50)
    texts: list[str] = []
    metadatas: list[dict[str, Any]] = []
    for doc in docs:
        for piece in splitter.split_text(doc.body):
            texts.append(piece)
            metadatas.append({"doc_id": doc.id})
    store = Chroma(collection_name="naive", embedding_function=EmbedderAsLangChain(embedder), persist_directory=str(folder))
    started = time.perf_counter()
    store.add_texts(texts, metadatas=metadatas)
    rate = len(texts) / (time.perf_counter() - started)

    def ranking(q: EvalQuery) -> Ranking:
        t0 = time.perf_counter()
        found = store.similarity_search(q.question, k=10)
        return Ranking(doc_ids=[d.metadata["doc_id"] for d in found], latency_ms=(time.perf_counter() - t0) * 1000)

    return SystemRun(rankings=[ranking(q) for q in queries], chunks=len(texts), chunks_per_s=rate)


def _synthetic(chunks: list[Chunk], vectors: np.ndarray, n: int, rng: random.Random) -> tuple[list[Chunk], np.ndarray]:
    sentences = [s for c in chunks for s in split_sentences(c.text) if len(s) > 8]
    np_rng = np.random.default_rng(rng.randrange(1 << 30))
    made: list[Chunk] = []
    picks = [rng.randrange(len(chunks)) for _ in range(n)]
    for i, base in enumerate(picks):
        text = "".join(rng.sample(sentences, k=min(3, len(sentences))))
        meta = chunks[base].meta.model_copy(update={"doc_id": f"synthetic-{i // 8}"})
        made.append(Chunk(chunk_id=f"synthetic-{i // 8}#{i % 8:03d}-{i:08d}", text=text, ordinal=i % 8, meta=meta))
    noisy = vectors[picks] + np_rng.normal(0, 0.04, size=(n, vectors.shape[1])).astype(np.float32)
    noisy /= np.linalg.norm(noisy, axis=1, keepdims=True)
    return made, noisy


def _about_200_chars(chunks: list[Chunk], n: int) -> list[Chunk]:
    """Chunks of 180-240 characters packed from whole corpus sentences, with real metadata."""
    sentences = [s for c in chunks for s in split_sentences(c.text) if 0 < len(s) <= INGEST_CHARS[1]]
    made: list[Chunk] = []
    text, i = "", 0
    while len(made) < n and sentences:
        sentence = sentences[i % len(sentences)]
        i += 1
        if len(text) + len(sentence) > INGEST_CHARS[1]:
            text = ""
        text += sentence
        if len(text) >= INGEST_CHARS[0]:
            base = chunks[len(made) % len(chunks)]
            made.append(Chunk(chunk_id=f"ingest-{len(made):05d}", text=text, ordinal=0, meta=base.meta))
            text = ""
    return made


def ingestion_rate(chunks: list[Chunk], embedder: Embedder, folder: Path, batch: int = 64) -> dict[str, Any]:
    """Embedding plus the Chroma write, in the ingest command's batches, timed end to end."""
    if not chunks:
        return {"embedder": embedder.name, "chunks": 0, "seconds": 0.0, "chunks_per_s": None}
    store = ChromaStore.persistent(folder, "ingest")
    embedder.embed_passages([chunks[0].embedding_text()])  # load and warm the model outside the clock
    started = time.perf_counter()
    for start in range(0, len(chunks), batch):
        part = chunks[start : start + batch]
        store.upsert(part, embedder.embed_passages([c.embedding_text() for c in part]))
    seconds = time.perf_counter() - started
    return {"embedder": embedder.name, "chunks": len(chunks), "seconds": round(seconds, 2), "chunks_per_s": len(chunks) / seconds}


def scale_latency(
    chunks: list[Chunk], vectors: np.ndarray, queries: list[EvalQuery], embedder: Embedder, folder: Path, n: int
) -> dict[str, float]:
    """p50/p95 of our hybrid query (embedding included) over ``n`` synthetic chunks."""
    made, made_vectors = _synthetic(chunks, vectors, n, random.Random(n))
    store = ChromaStore.persistent(folder, f"scale{n}")
    started = time.perf_counter()
    store.upsert(made, made_vectors)
    load_s = time.perf_counter() - started
    retriever = Retriever(embedder, store)
    retriever.refresh()
    retriever.search("预热", 5)
    latencies = []
    for q in queries[:SCALE_QUERIES]:
        t0 = time.perf_counter()
        retriever.search(q.question, 5, SearchFilter(audiences=["public"]))
        latencies.append((time.perf_counter() - t0) * 1000)
    return {"p50_ms": metrics.percentile(latencies, 50), "p95_ms": metrics.percentile(latencies, 95), "chunks": n, "load_s": load_s}


def _subset(run: SystemRun, keep: list[bool]) -> SystemRun:
    return SystemRun(rankings=[r for r, k in zip(run.rankings, keep, strict=True) if k], chunks=run.chunks, chunks_per_s=run.chunks_per_s)


def bench(
    corpus: Path,
    queries_path: Path,
    embedder: Embedder,
    min_similarity: float,
    scales: tuple[int, ...] = SCALES,
    heldout_path: Path | None = None,
    baseline_embedder: Embedder | None = None,
    aliases: dict[str, str] | None = None,
) -> dict[str, Any]:
    """``heldout_path``: a second query set written without sight of the retrieval code; scored
    separately (its no-answer figures are the honest ones: the gate was tuned on the first set).
    ``baseline_embedder``: the float32 PyTorch embedder, timed beside ours on the ingestion run.
    ``aliases``: the corpus's catalog names for our entity lane (``retrieval.aliases``)."""
    docs = load_corpus(corpus)
    main = load_queries(queries_path)
    heldout = load_queries(heldout_path) if heldout_path and heldout_path.exists() else []
    queries = main + heldout
    is_main = [True] * len(main) + [False] * len(heldout)
    with tempfile.TemporaryDirectory(prefix="advisor-bench-") as tmp:
        ours = run_ours(docs, queries, embedder, Path(tmp) / "ours", min_similarity, aliases)
        naive = run_langchain_naive(docs, queries, embedder, Path(tmp) / "naive")
        runs = {"ours": ours["ours"], "langchain_naive": naive, "bm25": ours["bm25"], "dense_only": ours["dense"]}
        systems = {name: score(_subset(run, is_main), main) for name, run in runs.items()}
        held = {name: score(_subset(run, [not m for m in is_main]), heldout) for name, run in runs.items()} if heldout else {}
        chunks = [c for d in docs for c in chunk_document(d)]
        vectors = embedder.embed_passages([c.embedding_text() for c in chunks]) if scales else np.zeros((0, 0))
        scale = {str(n): scale_latency(chunks, vectors, queries, embedder, Path(tmp) / f"scale{n}", n) for n in scales}
        sample = _about_200_chars(chunks, INGEST_CHUNKS)
        ingestion: dict[str, Any] = {
            "mean_chars": round(sum(len(c.text) for c in sample) / max(len(sample), 1), 1),
            "ours": ingestion_rate(sample, embedder, Path(tmp) / "ingest"),
        }
        if baseline_embedder is not None:
            ingestion["baseline_torch_fp32"] = ingestion_rate(sample, baseline_embedder, Path(tmp) / "ingest-baseline")
    notes = {
        "scale": "synthetic chunks: recombined corpus sentences, noisy real vectors",
        "ingestion": "chunks packed from corpus sentences to 180-240 characters; embedding and the Chroma write timed",
    }
    if heldout:
        notes["heldout"] = f"{len(heldout)} queries written blind to the retrieval code ({heldout_path.name if heldout_path else ''})"
    return {"systems": systems, "heldout": held, "scale": scale, "ingestion": ingestion, "notes": notes}
