"""Calibrate the citation-support threshold on the retrieval evaluation set.

Each answerable query's expected answer is a sentence; its gold documents' best chunk is a
supporting source, and the best chunk of a random other document is not. The threshold is
chosen where the two are best separated; both rates are reported.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

from evals.retrieval import load_corpus, load_queries
from knowledge_base.ingest import chunk_document
from retrieval.citations import support

THRESHOLDS = (0.3, 0.4, 0.5, 0.6, 0.7)


def calibrate(corpus: Path, queries_path: Path, seed: int = 7) -> dict[str, Any]:
    docs = load_corpus(corpus)
    by_doc = {d.id: [c.embedding_text() for c in chunk_document(d)] for d in docs}
    rng = random.Random(seed)
    positives, negatives = [], []
    for q in load_queries(queries_path):
        if q.no_answer or not q.answer:
            continue
        sentence = f"{q.question}{q.answer}"
        positives.append(max(support(sentence, t) for g in q.gold_ids for t in by_doc.get(g, [""])))
        other = rng.choice([d for d in by_doc if d not in q.gold_ids])
        negatives.append(max(support(sentence, t) for t in by_doc[other]))
    table = {
        str(t): {
            "supported_kept": sum(p >= t for p in positives) / len(positives),
            "unsupported_dropped": sum(n < t for n in negatives) / len(negatives),
        }
        for t in THRESHOLDS
    }
    return {"pairs": len(positives), "by_threshold": table}
