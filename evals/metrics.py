"""Retrieval metrics over ranked document ids: pure functions.

A query's ranking is the list of document ids of its retrieved chunks, best first; a document
that appears in several chunks counts at its first (best) position only.
"""

from __future__ import annotations

import math
from collections.abc import Sequence


def dedupe(ranked: Sequence[str]) -> list[str]:
    seen: set[str] = set()
    return [d for d in ranked if not (d in seen or seen.add(d))]  # type: ignore[func-returns-value]


def hit_at(ranked: Sequence[str], gold: set[str], k: int) -> float:
    """1 when any gold document is among the first ``k`` chunks' documents."""
    return 1.0 if gold & set(ranked[:k]) else 0.0


def recall_at(ranked: Sequence[str], gold: set[str], k: int) -> float:
    """The share of gold documents among the first ``k`` chunks' documents."""
    return len(gold & set(ranked[:k])) / len(gold) if gold else 0.0


def reciprocal_rank(ranked: Sequence[str], gold: set[str], k: int) -> float:
    for i, doc in enumerate(dedupe(ranked)[:k], start=1):
        if doc in gold:
            return 1.0 / i
    return 0.0


def ndcg_at(ranked: Sequence[str], gold: set[str], k: int) -> float:
    """Binary-relevance nDCG over the deduplicated document ranking."""
    docs = dedupe(ranked)[:k]
    dcg = sum(1.0 / math.log2(i + 1) for i, d in enumerate(docs, start=1) if d in gold)
    ideal = sum(1.0 / math.log2(i + 1) for i in range(1, min(len(gold), k) + 1))
    return dcg / ideal if ideal else 0.0


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100)."""
    if not values:
        return 0.0
    ordered = sorted(values)
    index = max(0, math.ceil(q / 100 * len(ordered)) - 1)
    return ordered[index]


def no_answer_precision(predicted_none: Sequence[bool], truly_none: Sequence[bool]) -> float:
    """Of the queries a system declined to answer, the share that truly had no answer."""
    flagged = [t for p, t in zip(predicted_none, truly_none, strict=True) if p]
    return sum(flagged) / len(flagged) if flagged else 0.0


def no_answer_recall(predicted_none: Sequence[bool], truly_none: Sequence[bool]) -> float:
    truths = [p for p, t in zip(predicted_none, truly_none, strict=True) if t]
    return sum(truths) / len(truths) if truths else 0.0
