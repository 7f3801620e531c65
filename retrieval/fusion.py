"""Reciprocal-rank fusion of ranked lists: pure functions."""

from __future__ import annotations

from collections.abc import Sequence

from retrieval.models import Chunk, Hit

RRF_K = 60


def reciprocal_rank_fusion(
    dense: Sequence[Chunk],
    keyword: Sequence[Chunk],
    *,
    k: int = RRF_K,
    dense_weight: float = 1.0,
    extra: Sequence[tuple[Sequence[Chunk], float]] = (),
) -> list[Hit]:
    """Fuse rankings: each chunk scores ``w / (k + rank)`` per list it appears in. ``extra``
    lanes (ranking, weight) add to the score without setting the dense or keyword rank."""
    hits: dict[str, Hit] = {}
    for rank, chunk in enumerate(dense, start=1):
        hit = hits.setdefault(chunk.chunk_id, Hit(chunk=chunk, score=0.0))
        hit.score += dense_weight / (k + rank)
        hit.dense_rank = rank
    for rank, chunk in enumerate(keyword, start=1):
        hit = hits.setdefault(chunk.chunk_id, Hit(chunk=chunk, score=0.0))
        hit.score += 1.0 / (k + rank)
        hit.keyword_rank = rank
    for ranking, weight in extra:
        for rank, chunk in enumerate(ranking, start=1):
            hit = hits.setdefault(chunk.chunk_id, Hit(chunk=chunk, score=0.0))
            hit.score += weight / (k + rank)
    return sorted(hits.values(), key=lambda h: (-h.score, h.chunk.chunk_id))


NEAR_DUPLICATE = 0.9


def _shingles(text: str, n: int = 3) -> set[str]:
    compact = "".join(text.split())
    return {compact[i : i + n] for i in range(max(len(compact) - n + 1, 1))}


def collapse_near_duplicates(hits: Sequence[Hit], threshold: float = NEAR_DUPLICATE) -> list[Hit]:
    """Drop a hit whose text is nearly the same (Jaccard of character trigrams) as a better one:
    the same paragraph in two versions of a document, or a translation-free copy, shows once."""
    kept: list[tuple[Hit, set[str]]] = []
    for hit in hits:
        grams = _shingles(hit.chunk.text)
        if all(len(grams & g) / len(grams | g) < threshold for _, g in kept):
            kept.append((hit, grams))
    return [h for h, _ in kept]
