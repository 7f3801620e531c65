"""Build ``retrieval/answerability.json``: ``python -m evals.train_answerability``.

Trains the "no answer in the knowledge base" gate (see ``retrieval.answerability``) on the team's
labelled questions (``answerability_train.jsonl`` and ``queries.jsonl``; never the blind
held-out set) over the sample corpus, searched by the retriever ``advisor eval`` and the server
use: the configured embedder, and the entity lane with the sample catalog's names and aliases
(``retrieval.aliases``; the server builds the same map from the seeded products). Two models: one
with the dense similarity, for that embedder (and its float32 twin, whose vectors agree to 0.99),
and a lexical one for any other embedder. The threshold is the lowest whose 5-fold
cross-validated false-decline rate on answerable questions stays within ``MAX_FALSE_DECLINE``;
the cross-validated figures go into the file.

Deterministic: fixed folds, lbfgs, no sampling, and exact dense search. The vectors sit in the
in-memory store (exact cosine, ties by chunk id), not in Chroma: Chroma's HNSW index is
approximate, and its graph differs from one build of the same vectors to the next (even with one
insertion thread), so with its default ef_search of 100 the top 20 on this corpus differed from
the exact one for about 2% of the questions, different ones each build, and with it the top
passages and "covered" of a few. Exact search is what HNSW approximates, and it costs nothing at
a few hundred chunks.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np

from evals.retrieval import EvalQuery, K, load_corpus, load_queries
from knowledge_base.documents import KbDocument
from knowledge_base.ingest import chunk_document
from retrieval.aliases import load_alias_file
from retrieval.answerability import FEATURES, LEXICAL, MODEL_FILE, TOP_K, GateModel, features
from retrieval.embeddings import Embedder
from retrieval.keyword import KeywordIndex
from retrieval.search import Retriever, SearchFilter
from retrieval.store import InMemoryStore

REPO = Path(__file__).resolve().parent.parent
DATA = REPO / "evals" / "data" / "retrieval"
SOURCES = (DATA / "answerability_train.jsonl", DATA / "queries.jsonl")
CORPUS = REPO / "knowledge_base" / "samples"
CATALOG = REPO / "records" / "sample_data" / "products.json"  # what `advisor eval` uses for this corpus
MAX_FALSE_DECLINE = 0.03
THRESHOLDS = [round(0.30 + 0.01 * i, 2) for i in range(70)]
FOLDS = 5
C = 1.0
TWINS = {"multilingual-e5-small-int8": "multilingual-e5-small", "multilingual-e5-small": "multilingual-e5-small-int8"}


def exact_index(docs: list[KbDocument], embedder: Embedder) -> InMemoryStore:
    """The chunks and vectors of ``evals.retrieval.build_index`` (same chunking, same batches of
    64 passages) in a store that searches exactly; see the module docstring."""
    chunks = [c for d in docs for c in chunk_document(d)]
    store = InMemoryStore()
    for start in range(0, len(chunks), 64):
        batch = chunks[start : start + 64]
        store.upsert(batch, embedder.embed_passages([c.embedding_text() for c in batch]))
    return store


def feature_rows(queries: list[EvalQuery], embedder: Embedder, aliases: Mapping[str, str] | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Each query's gate features (columns in ``FEATURES`` order) and whether it has no answer.
    ``aliases``: the catalog's names for the entity lane, as in ``evals.retrieval.run_ours``."""
    store = exact_index(load_corpus(CORPUS), embedder)
    retriever = Retriever(embedder, store, aliases=aliases)
    terms = KeywordIndex(store.all_chunks())
    rows = []
    for q in queries:
        audiences = ["public", "internal"] if q.audience == "internal" else ["public"]
        hits = retriever.search(q.question, K, SearchFilter(audiences=audiences))  # type: ignore[arg-type]
        values, _ = features(q.question, hits, terms, TOP_K)
        rows.append([values[name] for name in FEATURES])
    return np.array(rows), np.array([q.no_answer for q in queries])


def _fit(x: np.ndarray, y: np.ndarray, names: list[str]) -> GateModel:
    from sklearn.linear_model import LogisticRegression

    mean, scale = x.mean(axis=0), x.std(axis=0) + 1e-9
    model = LogisticRegression(C=C, class_weight="balanced", max_iter=5000).fit((x - mean) / scale, y)
    return GateModel(
        features=names,
        mean=[round(float(v), 6) for v in mean],
        scale=[round(float(v), 6) for v in scale],
        coef=[round(float(v), 6) for v in model.coef_[0]],
        intercept=round(float(model.intercept_[0]), 6),
        threshold=0.5,
    )


def _declines(model: GateModel, x: np.ndarray, names: list[str], threshold: float) -> np.ndarray:
    code = names.index("unknown_code") if "unknown_code" in names else None
    proba = np.array([model.probability(dict(zip(names, row, strict=True))) for row in x])
    hard = x[:, code] > 0 if code is not None else np.zeros(len(x), dtype=bool)  # the gate's code rule
    return hard | (proba >= threshold)


def _figures(declined: np.ndarray, y: np.ndarray) -> dict[str, float]:
    true = int((declined & y).sum())
    return {
        "no_answer_precision": round(true / max(int(declined.sum()), 1), 4),
        "no_answer_recall": round(true / max(int(y.sum()), 1), 4),
        "false_decline_rate": round(int((declined & ~y).sum()) / max(int((~y).sum()), 1), 4),
    }


def cross_validate(x: np.ndarray, y: np.ndarray, questions: list[str], names: list[str]) -> dict[float, np.ndarray]:
    """Out-of-fold declines at every candidate threshold."""
    fold = np.array([zlib.crc32(q.encode()) % FOLDS for q in questions])
    out = {th: np.zeros(len(y), dtype=bool) for th in THRESHOLDS}
    for i in range(FOLDS):
        model = _fit(x[fold != i], y[fold != i], names)
        for th in THRESHOLDS:
            out[th][fold == i] = _declines(model, x[fold == i], names, th)
    return out


def train_model(
    x: np.ndarray, y: np.ndarray, questions: list[str], source: np.ndarray, names: list[str]
) -> tuple[GateModel, dict[str, Any]]:
    cols = [FEATURES.index(n) for n in names]
    xs = x[:, cols]
    cv = cross_validate(xs, y, questions, names)
    ok = [th for th in THRESHOLDS if _figures(cv[th], y)["false_decline_rate"] <= MAX_FALSE_DECLINE]
    threshold = ok[0] if ok else THRESHOLDS[-1]
    model = _fit(xs, y, names).model_copy(update={"threshold": threshold})
    chosen = cv[threshold]
    report = {
        "cv5": _figures(chosen, y),
        "cv5_by_source": {name: _figures(chosen[source == i], y[source == i]) for i, name in enumerate(s.name for s in SOURCES)},
        "in_sample": _figures(_declines(model, xs, names, threshold), y),
    }
    return model, report


def train(embedder: Embedder, out: Path = MODEL_FILE, catalog: Path | None = CATALOG) -> dict[str, Any]:
    """Fit, cross-validate and write the gate. ``catalog``: the JSON catalog whose names feed the
    entity lane (None: codes only, as for a corpus without one)."""
    parts = [load_queries(path) for path in SOURCES]
    queries = [q for part in parts for q in part]
    source = np.array([i for i, part in enumerate(parts) for _ in part])
    x, y = feature_rows(queries, embedder, load_alias_file(catalog) if catalog else None)
    questions = [q.question for q in queries]
    dense, dense_report = train_model(x, y, questions, source, list(FEATURES))
    lexical, lexical_report = train_model(x, y, questions, source, [f for f in FEATURES if f != "similarity"])
    models = {embedder.name: dense, LEXICAL: lexical}
    if embedder.name in TWINS:
        models[TWINS[embedder.name]] = dense
    payload = {
        "version": f"{date.today().isoformat()}-c{C}",
        "top_k": TOP_K,
        "models": {name: m.model_dump() for name, m in models.items()},
        "training": {
            "sources": [str(p.relative_to(REPO)) for p in SOURCES],
            "corpus": str(CORPUS.relative_to(REPO)),
            "catalog": str(catalog.resolve().relative_to(REPO)) if catalog else None,
            "embedder": embedder.name,
            "questions": len(queries),
            "no_answer": int(y.sum()),
            "max_false_decline": MAX_FALSE_DECLINE,
            embedder.name: dense_report,
            LEXICAL: lexical_report,
        },
    }
    out.write_text(json.dumps(payload, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return payload


if __name__ == "__main__":
    from core.settings import get_settings
    from retrieval.embeddings import embedder_for

    result = train(embedder_for(get_settings()))
    print(json.dumps(result["training"], ensure_ascii=False, indent=2))
