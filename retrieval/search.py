"""Hybrid search: dense vectors in the store plus BM25, fused, filtered by entitlement."""

from __future__ import annotations

import re
import threading
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor

from pydantic import BaseModel, Field

from retrieval.aliases import codes_named
from retrieval.answerability import HAN, is_answerable
from retrieval.conflicts import Conflict, find_conflicts
from retrieval.embeddings import Embedder
from retrieval.fusion import collapse_near_duplicates, reciprocal_rank_fusion
from retrieval.keyword import CODE, KeywordIndex
from retrieval.models import Audience, Chunk, Hit
from retrieval.store import VectorStore, Where

CANDIDATES = 20
DENSE_WEIGHT = 1.0
ENTITY_WEIGHT = 1.0
ASCII_LETTER = re.compile(r"[A-Za-z]")


def query_language(query: str) -> str:
    """ "en" when the question has more Latin letters than Chinese characters, else "zh"."""
    return "en" if len(ASCII_LETTER.findall(query)) > 2 * len(HAN.findall(query)) else "zh"


class SearchFilter(BaseModel):
    """Which chunks a caller may see and wants. A client's search is public documents only."""

    audiences: list[Audience] = Field(default_factory=lambda: list[Audience](["public"]))
    doc_ids: list[str] | None = None
    include_superseded: bool = False

    def where(self) -> Where:
        clauses: list[Where] = [{"audience": {"$in": list(self.audiences)}}]
        if self.doc_ids is not None:
            clauses.append({"doc_id": {"$in": list(self.doc_ids)}})
        if not self.include_superseded:
            clauses.append({"current": True})
        return clauses[0] if len(clauses) == 1 else {"$and": clauses}

    def admits(self, audience: str, doc_id: str, current: bool) -> bool:
        return audience in self.audiences and (self.doc_ids is None or doc_id in self.doc_ids) and (current or self.include_superseded)


class Retriever:
    """Search over the knowledge base. The keyword index is built lazily from the store."""

    def __init__(
        self, embedder: Embedder, store: VectorStore, *, dense_weight: float = DENSE_WEIGHT, aliases: Mapping[str, str] | None = None
    ) -> None:
        """``aliases``: lower-cased product and security names to codes (``retrieval.aliases``),
        for the entity lane; without them only the codes a question spells out are linked."""
        self._embedder = embedder
        self._aliases = dict(aliases or {})
        self._dense_weight = dense_weight
        self._store = store
        self._keyword: KeywordIndex | None = None
        self._conflicts: list[Conflict] = []
        self._lock = threading.Lock()
        self._pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="keyword-lane")

    @property
    def embedder(self) -> Embedder:
        return self._embedder

    def refresh(self) -> None:
        """Rebuild the keyword index after the store changed."""
        chunks = self._store.all_chunks()
        with self._lock:
            self._keyword = KeywordIndex(chunks)
            self._conflicts = find_conflicts(chunks)

    @property
    def conflicts(self) -> list[Conflict]:
        """Conflicting and superseded documents in the index (as of the last refresh)."""
        return list(self._conflicts)

    def _keyword_index(self) -> KeywordIndex:
        with self._lock:
            if self._keyword is None:
                self._keyword = KeywordIndex(self._store.all_chunks())
            return self._keyword

    def answerable(self, query: str, hits: list[Hit], min_similarity: float) -> tuple[bool, list[str]]:
        """Whether the index answers ``query`` at all (``hits``: what ``search`` returned for it,
        best first), and the words the top passages lack when it does not.

        ``min_similarity`` is kept for callers but no longer decides: one similarity threshold
        cannot tell (see ``retrieval.answerability``); the learned gate weighs similarity with
        what the passages say, calibrated for this retriever's embedder."""
        del min_similarity
        return is_answerable(query, hits, self._keyword_index(), self._embedder.name)

    def _keyword_hits(self, query: str, filt: SearchFilter) -> tuple[list[Chunk], list[Chunk]]:
        """The BM25 lane, and the entity lane: chunks of the documents that cover a product or
        security code the question names (metadata, not text), ranked by BM25 among themselves."""
        index = self._keyword_index()

        def admitted(found: list[tuple[Chunk, float]]) -> list[Chunk]:
            return [c for c, _ in found if filt.admits(c.meta.audience, c.meta.doc_id, c.meta.superseded_by is None)][:CANDIDATES]

        scores = index.scores(query)  # once for both lanes
        codes = list(dict.fromkeys([*CODE.findall(query), *codes_named(query, self._aliases)]))
        entity = admitted(index.search_covering(query, codes, CANDIDATES * 3, scores)) if codes else []
        return admitted(index.search(query, CANDIDATES * 3, scores=scores)), entity

    def search(self, query: str, k: int, search_filter: SearchFilter | None = None) -> list[Hit]:
        """The top ``k`` chunks for ``query`` that the filter admits, best first.

        The keyword lane runs in a worker thread while the query is embedded and the vector
        store searched (both release the GIL), so a query costs the slower lane, not the sum."""
        filt = search_filter or SearchFilter()
        keyword_future = self._pool.submit(self._keyword_hits, query, filt)
        vector = self._embedder.embed_query(query)
        dense_scored = self._store.query(vector, CANDIDATES, where=filt.where())
        dense = [c for c, _ in dense_scored]
        keyword, entity = keyword_future.result()
        # e5 ranks same-language passages first, so an English question would see only the few
        # English documents: a lane searches the Chinese ones too. (The reverse lane for Chinese
        # questions found one more answer in 214 but costs a slow filtered search at scale.)
        extra: list[tuple[list[Chunk], float]] = [(entity, ENTITY_WEIGHT)] if entity else []
        if query_language(query) == "en":
            zh_where = {"$and": [filt.where(), {"language": "zh"}]}
            extra.append(([c for c, _ in self._store.query(vector, CANDIDATES // 2, where=zh_where)], 1.0))
        fused = reciprocal_rank_fusion(dense, keyword, dense_weight=self._dense_weight, extra=extra)
        hits = collapse_near_duplicates(fused[: k * 2])[:k]
        similarity = {c.chunk_id: 1.0 - distance for c, distance in dense_scored}
        best = max(similarity.values(), default=None)  # the dense lane's first, wherever fusion put it
        for hit in hits:
            hit.similarity = similarity.get(hit.chunk.chunk_id)
            hit.best_similarity = best
        return hits
